"""The CMS page tree: what may go where, what each page shows, and the live-room fields."""

import datetime as dt

import pytest
from django.utils import timezone
from wagtail.test.utils import WagtailPageTestCase

from tests.factories import OfficePageFactory, WorkshopPageFactory
from workshop_site.home.models import HomePage
from workshop_site.offices.models import OfficeIndexPage, OfficePage
from workshop_site.workshops.join_codes import ALPHABET, lookup_variants, new_join_code
from workshop_site.workshops.models import WorkshopIndexPage, WorkshopPage


class PageTreeRulesTests(WagtailPageTestCase):
    def test_home_holds_only_the_two_indexes(self):
        self.assertAllowedSubpageTypes(HomePage, {OfficeIndexPage, WorkshopIndexPage})

    def test_offices_live_only_under_the_office_index(self):
        self.assertAllowedParentPageTypes(OfficePage, {OfficeIndexPage})
        self.assertAllowedSubpageTypes(OfficeIndexPage, {OfficePage})
        self.assertAllowedSubpageTypes(OfficePage, set())

    def test_workshops_live_only_under_the_workshop_index(self):
        self.assertAllowedParentPageTypes(WorkshopPage, {WorkshopIndexPage})
        self.assertAllowedSubpageTypes(WorkshopIndexPage, {WorkshopPage})
        self.assertAllowedSubpageTypes(WorkshopPage, set())


pytestmark = pytest.mark.django_db


@pytest.fixture
def office(tree):
    office = tree["rezina"]
    office.address = "or. Rezina, str. 27 August 1"
    office.phone = "+373 254 2 00 00"
    office.email = "bcis@rezina.example.md"
    office.opening_hours = "Luni–Vineri 8–17"
    office.description = "<p>Toate serviciile <b>sub un acoperiș</b>.</p>"
    office.mobile_team_vehicle_seats = 4
    office.mobile_team_specialists = 9
    office.mobile_team_visits = "săptămânal"
    office.mobile_team_equipment_available = "laptop\n\ntelefon"
    office.mobile_team_equipment_missing = "scaner\nacces la registre"
    office.providers.add(office.providers.model(name="CTAS Rezina", sector="public", services_offered="pensii"))
    office.providers.add(office.providers.model(name="Centrul juridic", sector="associative"))
    office.save_revision().publish()
    return OfficePage.objects.get(pk=office.pk)


@pytest.fixture
def workshop(tree, office, facilitator):
    workshop = WorkshopPageFactory(
        parent=tree["workshop_index"],
        title="Echipa mobilă",
        place="Sala raională",
        join_code="ABCD23",
        dots_per_participant=3,
        max_dots_per_idea=2,
        blind_voting=True,
        phase="ideas",
        agenda=[("item", {"title": "Idei de la telefon", "duration_minutes": 40, "method": "ideas", "description": "Cu codul"})],
    )
    workshop.offices.set([office])
    workshop.facilitators.set([facilitator])
    workshop.suggested_tags.add("echipa mobilă", "documente")
    workshop.save_revision().publish()
    return WorkshopPage.objects.get(pk=workshop.pk)


def test_office_page_renders_every_field(client, office):
    html = client.get(office.url).content.decode()
    for text in [
        "BCIS Rezina", "or. Rezina, str. 27 August 1", "+373 254 2 00 00", "bcis@rezina.example.md",
        "Luni–Vineri 8–17", "<b>sub un acoperiș</b>", "CTAS Rezina", "pensii", "Centrul juridic",
        "laptop", "telefon", "scaner", "acces la registre", "săptămânal",
    ]:
        assert text in html, text
    # 4 seats for 9 specialists is the pilot's pain point, shown as such.
    assert "warning" in html


def test_workshop_page_renders_every_field(client, workshop):
    html = client.get(workshop.url).content.decode()
    for text in [
        "Echipa mobilă", "Sala raională", "BCIS Rezina", "ABCD23", "Idei de la telefon", "40",
        "echipa mobilă", "documente", "Test",
    ]:
        assert text in html, text
    assert "2" in html and "3" in html


def test_home_lists_live_upcoming_and_past_workshops_and_the_offices(client, tree, workshop):
    past = WorkshopPageFactory(
        parent=tree["workshop_index"], title="Lansare 2016", phase="closed",
        starts_at=timezone.now() - dt.timedelta(days=3000),
    )
    upcoming = WorkshopPageFactory(parent=tree["workshop_index"], title="Testare prototip", phase="draft")
    response = client.get("/")
    assert response.status_code == 200
    context = response.context
    assert [w.pk for w in context["live_workshops"]] == [workshop.pk]
    assert [w.pk for w in context["upcoming_workshops"]] == [upcoming.pk]
    assert [w.pk for w in context["past_workshops"]] == [past.pk]
    html = response.content.decode()
    assert "BCIS Rezina" in html and "BCIS Călărași" in html
    # Links lead on to the office and workshop pages.
    assert f'href="{tree["rezina"].url}"' in html
    assert f'href="{past.url}"' in html


def test_index_pages_render(client, tree, workshop):
    assert "BCIS Călărași" in client.get(tree["office_index"].url).content.decode()
    assert "Echipa mobilă" in client.get(tree["workshop_index"].url).content.decode()


def test_generated_join_codes_avoid_confusable_characters():
    codes = {new_join_code() for _ in range(500)}
    assert len(codes) == 500
    assert all(len(c) == 6 and set(c) <= set(ALPHABET) for c in codes)
    assert not set("".join(codes)) & set("01OI")


def test_a_workshop_gets_a_unique_code_without_asking(tree):
    a = WorkshopPageFactory(parent=tree["workshop_index"])
    b = WorkshopPageFactory(parent=tree["workshop_index"])
    assert a.join_code and b.join_code and a.join_code != b.join_code


def test_code_lookup_forgives_case_spaces_and_confusions(workshop, tree):
    demo = WorkshopPageFactory(parent=tree["workshop_index"], join_code="DEMO29")
    assert WorkshopPage.find_by_code("demo29") == demo
    assert WorkshopPage.find_by_code(" dem0-29 ") == demo
    assert WorkshopPage.find_by_code("abcd 23") == workshop
    assert WorkshopPage.find_by_code("NOPE99") is None
    assert WorkshopPage.find_by_code("") is None
    assert WorkshopPage.find_by_code("x" * 500) is None
    assert lookup_variants("<script>") == []


def test_unpublished_workshop_is_not_found_by_code(workshop):
    workshop.unpublish()
    assert WorkshopPage.find_by_code("ABCD23") is None


def test_publishing_an_old_revision_keeps_the_live_phase_and_code(workshop):
    old_revision = workshop.latest_revision
    WorkshopPage.objects.filter(pk=workshop.pk).update(phase="voting")
    old_revision.publish()
    workshop.refresh_from_db()
    assert workshop.phase == "voting"
    assert workshop.join_code == "ABCD23"


def test_copying_a_workshop_gives_the_copy_a_new_code(workshop):
    copy = workshop.copy(update_attrs={"slug": "echipa-mobila-2", "title": "Copie"})
    assert copy.specific.join_code != workshop.join_code
    assert set(copy.specific.join_code) <= set(ALPHABET)


def test_copying_an_office_gives_the_copy_its_own_team(tree):
    from wagtail.actions.copy_page import CopyPageAction

    original = tree["rezina"]
    copy = CopyPageAction(original, update_attrs={"slug": "rezina-2", "title": "BCIS Rezina"}).execute()
    # The admin's copy view fires after_copy_page; do what it does.
    from wagtail import hooks

    for fn in hooks.get_hooks("after_copy_page"):
        fn(None, original, copy)
    copy = OfficePage.objects.get(pk=copy.pk)
    original.refresh_from_db()
    assert copy.team_group is not None
    assert copy.team_group != original.team_group


def test_a_new_office_created_with_the_service_gets_its_team(tree):
    from workshop_site.offices.services import office_team_ensure

    office = OfficePageFactory(parent=tree["office_index"], title="BCIS Orhei", slug="orhei")
    assert office.team_group is None
    office_team_ensure(office=office)
    office.refresh_from_db()
    assert office.team_group.name == "Office team: BCIS Orhei"
    # Idempotent.
    office_team_ensure(office=office)
    assert OfficePage.objects.get(pk=office.pk).team_group_id == office.team_group_id


def test_validation_refuses_a_cap_above_the_budget_and_an_end_before_start(tree):
    from django.core.exceptions import ValidationError

    workshop = WorkshopPage(
        title="x", slug="x", place="y", starts_at=timezone.now(), dots_per_participant=3, max_dots_per_idea=5
    )
    with pytest.raises(ValidationError) as refused:
        workshop.clean()
    assert set(refused.value.message_dict) == {"max_dots_per_idea"}
    workshop.max_dots_per_idea = None
    workshop.ends_at = workshop.starts_at - dt.timedelta(hours=1)
    with pytest.raises(ValidationError) as refused:
        workshop.clean()
    assert set(refused.value.message_dict) == {"ends_at"}


def test_unknown_page_is_a_friendly_404(client, tree):
    response = client.get("/nu-exista/")
    assert response.status_code == 404
    assert "404.html" in [t.name for t in response.templates]
    assert 'href="/"' in response.content.decode()


def test_russian_prefix_serves_the_same_tree(client, tree):
    response = client.get("/ru/")
    assert response.status_code == 200
    assert '<html lang="ru">' in response.content.decode()

"""Page content in Romanian and Russian with Wagtail's own localisation (simple_translation).

A translation carries the words; the facts (team, plans, workshops, the live room) stay with
the Romanian page, so a Russian speaker sees the same office and the same room.
"""

import pytest
from django.urls import reverse
from wagtail.models import Locale, Page

from ideas import services as idea_services
from plans.models import ActionPlan
from tests.factories import UserFactory, WorkshopPageFactory
from workshop_site.core.i18n import canonical
from workshop_site.offices.models import OfficePage
from workshop_site.workshops.models import Phase, WorkshopPage

pytestmark = pytest.mark.django_db


def translate(client, page, language="ru", subtree=True):
    """Through simple_translation's own admin view, as a facilitator would."""
    locale = Locale.objects.get(language_code=language)
    url = reverse("simple_translation:submit_page_translation", args=[page.pk])
    data = {"locales": [locale.pk]}
    if subtree:
        data["include_subtree"] = "on"
    return client.post(url, data)


def publish_russian(page, **fields):
    translation = page.get_translation(Locale.objects.get(language_code="ru")).specific
    for name, value in fields.items():
        setattr(translation, name, value)
    translation.save_revision().publish()
    return translation


@pytest.fixture
def russian_tree(client, tree, facilitator):
    """The whole tree translated into Russian by a facilitator, the Rezina office worded."""
    client.force_login(facilitator)
    response = translate(client, tree["home"])
    assert response.status_code == 302
    for key in ("home", "office_index", "calarasi", "workshop_index"):
        publish_russian(tree[key])
    rezina_ru = publish_russian(tree["rezina"], title="СБИУ Резина", introduction="Бюро в Резине.")
    client.logout()
    return rezina_ru


def test_a_facilitator_translates_the_tree_and_the_russian_office_page_reads_in_russian(client, tree, russian_tree):
    response = client.get("/ru/birouri/rezina/")
    html = response.content.decode()
    assert response.status_code == 200
    assert '<html lang="ru"' in html and "СБИУ Резина" in html and "Бюро в Резине." in html
    # Both pages name each other for browsers and screen readers.
    assert 'hreflang="ro" href="http://testserver/birouri/rezina/"' in html
    assert 'hreflang="ru" href="http://testserver/ru/birouri/rezina/"' in client.get("/birouri/rezina/").content.decode()


def test_the_translation_is_kept_by_the_same_office_team(client, tree, russian_tree, rezina_member, calarasi_member):
    assert russian_tree.team_group_id == tree["rezina"].team_group_id
    assert rezina_member.has_perm("offices.change_office", russian_tree)
    assert not calarasi_member.has_perm("offices.change_office", russian_tree)
    # Wagtail's own page permissions agree: the team may edit and publish the Russian page.
    assert russian_tree.permissions_for_user(rezina_member).can_publish()
    assert not russian_tree.permissions_for_user(calarasi_member).can_edit()
    client.force_login(rezina_member)
    assert client.get(reverse("wagtailadmin_pages:edit", args=[russian_tree.pk])).status_code == 200
    client.force_login(calarasi_member)
    assert client.get(reverse("wagtailadmin_pages:edit", args=[russian_tree.pk])).status_code == 302


def test_a_team_may_translate_its_own_office_only(client, tree, rezina_member, facilitator):
    client.force_login(facilitator)
    translate(client, tree["home"], subtree=False)
    translate(client, tree["office_index"], subtree=False)
    client.force_login(rezina_member)
    assert translate(client, tree["calarasi"], subtree=False).status_code in (302, 403)
    assert not Page.objects.filter(translation_key=tree["calarasi"].translation_key, locale__language_code="ru").exists()
    assert translate(client, tree["rezina"], subtree=False).status_code == 302
    assert OfficePage.objects.filter(translation_key=tree["rezina"].translation_key, locale__language_code="ru").exists()


def test_lists_show_each_office_once_in_the_readers_language(client, tree, russian_tree):
    ro = client.get("/").content.decode()
    ru = client.get("/ru/").content.decode()
    assert ro.count("BCIS Rezina") >= 1 and "СБИУ Резина" not in ro
    assert "СБИУ Резина" in ru and "BCIS Rezina" not in ru
    # Călărași was translated without new words: listed once, not twice.
    assert ru.count('href="/ru/birouri/calarasi/"') == 1
    offices_ru = client.get("/ru/birouri/").content.decode()
    assert offices_ru.count("СБИУ Резина") == 1


def test_the_russian_office_page_shows_the_offices_workshops_and_plans(client, tree, russian_tree):
    workshop = WorkshopPageFactory(parent=tree["workshop_index"], title="Atelier Rezina")
    workshop.offices.set([tree["rezina"]])
    workshop.save_revision().publish()
    ActionPlan.objects.create(office=tree["rezina"], title="Planul Rezina", published=True)
    html = client.get("/ru/birouri/rezina/").content.decode()
    assert "Atelier Rezina" in html and "Planul Rezina" in html
    # The plan door by slug still finds one office although two pages share the slug.
    assert client.get("/plans/rezina.ics").status_code == 200
    assert client.get("/api/offices/rezina/plan").status_code == 200


def test_a_translated_workshop_shows_and_leads_to_the_same_room(client, tree, facilitator):
    workshop = WorkshopPageFactory(parent=tree["workshop_index"], join_code="ROOM42", phase=Phase.IDEAS)
    client.force_login(facilitator)
    translate(client, tree["home"], subtree=False)
    translate(client, tree["workshop_index"], subtree=False)
    translate(client, workshop, subtree=False)
    client.logout()
    russian = publish_russian(workshop, title="Семинар")
    assert russian.join_code != "ROOM42"  # join codes stay unique...
    assert canonical(russian).pk == workshop.pk
    # ...but the Russian page shows the room's code, and its own code leads to the same room.
    html = client.get(russian.url).content.decode()
    assert "ROOM42" in html and russian.join_code not in html
    assert WorkshopPage.find_by_code(russian.join_code).pk == workshop.pk
    assert WorkshopPage.find_by_code("ROOM42").pk == workshop.pk
    # The room's phase reaches the translation.
    idea_services.phase_set(user=facilitator, workshop_id=workshop.pk, phase=Phase.VOTING)
    russian.refresh_from_db()
    assert russian.phase == Phase.VOTING


def test_the_switcher_lands_on_the_translation_when_there_is_one(client, tree, russian_tree):
    response = client.post("/i18n/setlang/", {"language": "ru", "next": "/birouri/rezina/"})
    assert response["Location"] == "/ru/birouri/rezina/"
    response = client.post("/i18n/setlang/", {"language": "ro", "next": "/ru/birouri/rezina/"})
    assert response["Location"] == "/birouri/rezina/"
    # An unsafe `next` is never followed.
    response = client.post("/i18n/setlang/", {"language": "ru", "next": "https://evil.example/birouri/rezina/"})
    assert "evil.example" not in response["Location"]


def test_the_demo_has_the_pilot_offices_in_romanian_and_russian(bare_site, client, settings):
    from django.core.management import call_command

    settings.DEBUG = True
    call_command("seed_demo", verbosity=0)
    for slug, russian in (("rezina", "СБИУ Резина"), ("calarasi", "СБИУ Кэлэрашь"), ("dubasari", "СБИУ Дубэсарь")):
        ro = client.get(f"/birouri/{slug}/")
        ru = client.get(f"/ru/birouri/{slug}/")
        assert ro.status_code == ru.status_code == 200
        assert russian in ru.content.decode() and russian not in ro.content.decode()
    # The live workshop's Russian page shows the demo room.
    live_ru = WorkshopPage.objects.get(locale__language_code="ru", translation_key=WorkshopPage.find_by_code("DEMO29").translation_key)
    assert "DEMO29" in client.get(live_ru.url).content.decode()
    # Running the demo again adds no second translation.
    call_command("seed_demo", verbosity=0)
    assert OfficePage.objects.filter(locale__language_code="ru").count() == 3


def test_a_translated_home_stays_in_the_facilitators_reach(tree, russian_tree, facilitator):
    home_ru = tree["home"].get_translation(Locale.objects.get(language_code="ru"))
    assert home_ru.permissions_for_user(facilitator).can_publish()
    russian_index = tree["office_index"].get_translation(home_ru.locale)
    assert russian_index.permissions_for_user(facilitator).can_add_subpage()
    assert UserFactory().has_perm("offices.change_office", russian_tree) is False

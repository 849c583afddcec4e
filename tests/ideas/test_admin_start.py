"""A facilitator's start in the Wagtail admin (`ideas.admin_panels`): the dashboard lists the
workshops live now, next and past, each with its console, wall screen, assist screen, results
and page editor; "New workshop" opens the create form under the workshops index, from the
dashboard and from the menu. Through the test client, as the browser gets the dashboard."""

import datetime as dt

import pytest
from bs4 import BeautifulSoup
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from wagtail.models import Locale
from wagtail.users.models import UserProfile

from ideas.models import WorkshopHelper
from tests.factories import UserFactory, WorkshopPageFactory
from workshop_site.workshops.models import WorkshopPage

pytestmark = pytest.mark.django_db

DAY = dt.timedelta(days=1)


@pytest.fixture
def workshops(tree):
    """One workshop live now, two coming (the sooner one first), one past."""
    index = tree["workshop_index"]
    now = timezone.now()
    return {
        "live": WorkshopPageFactory(parent=index, title="Echipa mobilă", join_code="LIVE23", phase="ideas",
                                    starts_at=now - dt.timedelta(hours=1)),
        "later": WorkshopPageFactory(parent=index, title="Ghișeul unic", join_code="LATE44", starts_at=now + 30 * DAY),
        "next": WorkshopPageFactory(parent=index, title="Actele online", join_code="NEXT11", starts_at=now + 7 * DAY),
        "past": WorkshopPageFactory(parent=index, title="Lansarea", join_code="PAST22", phase="closed",
                                    starts_at=now - 90 * DAY),
    }


def panel(client):
    response = client.get(reverse("wagtailadmin_home"))
    assert response.status_code == 200
    return BeautifulSoup(response.content, "html.parser").find(id="workshops-section")


def rows(section, group):
    table = section.find("table", attrs={"data-workshops": group})
    return [] if table is None else table.find("tbody").find_all("tr")


def links(row) -> dict[str, str]:
    return {a["data-link"]: a["href"] for a in row.find_all("a", attrs={"data-link": True})}


def test_the_dashboard_lists_the_workshops_live_now_next_and_past_with_their_doors(client, facilitator, workshops):
    client.force_login(facilitator)
    section = panel(client)
    assert [row["data-code"] for row in rows(section, "live")] == ["LIVE23"]
    assert [row["data-code"] for row in rows(section, "next")] == ["NEXT11", "LATE44"]
    assert [row["data-code"] for row in rows(section, "past")] == ["PAST22"]
    live = rows(section, "live")[0]
    assert "Echipa mobilă" in live.get_text()
    assert links(live) == {
        "console": "/w/LIVE23/present/",
        "screen": "/w/LIVE23/screen/",
        "assist": "/w/LIVE23/assist/",
        "results": "/w/LIVE23/results/",
        "edit": f"/admin/pages/{workshops['live'].pk}/edit/",
    }
    # Each door opens for the facilitator.
    for url in links(live).values():
        assert client.get(url).status_code == 200, url


def test_new_workshop_opens_the_create_form_under_the_workshops_index(client, facilitator, tree):
    client.force_login(facilitator)
    section = panel(client)
    url = section.find(id="new-workshop")["href"]
    assert url == f"/admin/pages/add/workshops/workshoppage/{tree['workshop_index'].pk}/"
    form = client.get(url)
    assert form.status_code == 200
    assert 'name="join_code"' in form.content.decode()
    # Nothing yet: every group says so rather than vanishing.
    assert not section.find_all("tr", attrs={"data-code": True})
    assert len(section.find_all("p", attrs={"data-workshops": True})) == 3


def test_the_menu_offers_new_workshop_to_facilitators_only(client, facilitator, rezina_member, tree):
    add_url = f"/admin/pages/add/workshops/workshoppage/{tree['workshop_index'].pk}/"
    client.force_login(facilitator)
    html = client.get(reverse("wagtailadmin_home")).content.decode()
    # The sidebar is drawn from JSON in the page; the link is in it.
    assert '"name": "new-workshop"' in html and f'"url": "{add_url}"' in html
    client.force_login(rezina_member)
    html = client.get(reverse("wagtailadmin_home")).content.decode()
    assert "new-workshop" not in html and add_url not in html
    assert client.get(add_url).status_code in (302, 403)


def test_the_admins_russian_lists_the_russian_titles_and_still_creates_under_the_romanian_index(
        client, facilitator, workshops, tree):
    """A workshop under the Russian index would be listed nowhere: the public lists read the
    Romanian one, and a translation is made from there."""
    ru = Locale.objects.get(language_code="ru")
    tree["workshop_index"].copy_for_translation(ru, copy_parents=True).save_revision().publish()
    translation = workshops["live"].copy_for_translation(ru)
    translation.title = "Мобильная команда"
    translation.save_revision().publish()
    profile = UserProfile.get_for_user(facilitator)
    profile.preferred_language = "ru"
    profile.save()
    client.force_login(facilitator)
    section = panel(client)
    live = rows(section, "live")[0]
    assert "Мобильная команда" in live.get_text() and "Идут сейчас" in section.get_text()
    # The room's doors are the original's (one room, one code); the editor is the Russian page.
    assert links(live)["console"] == "/w/LIVE23/present/"
    assert links(live)["edit"] == f"/admin/pages/{translation.pk}/edit/"
    assert section.find(id="new-workshop")["href"].endswith(f"/{tree['workshop_index'].pk}/")


def test_a_helper_sees_the_workshops_they_help_at_without_the_console(client, rezina_member, facilitator, workshops):
    WorkshopHelper.objects.create(workshop=workshops["live"], user=rezina_member, granted_by=facilitator)
    client.force_login(rezina_member)
    section = panel(client)
    assert [row["data-code"] for row in section.find_all("tr", attrs={"data-code": True})] == ["LIVE23"]
    assert links(rows(section, "live")[0]) == {
        "screen": "/w/LIVE23/screen/", "assist": "/w/LIVE23/assist/", "results": "/w/LIVE23/results/",
    }
    assert section.find(id="new-workshop") is None
    assert client.get("/w/LIVE23/assist/").status_code == 200


def test_an_office_team_member_who_helps_nowhere_gets_no_panel(client, calarasi_member, workshops):
    client.force_login(calarasi_member)
    assert panel(client) is None


def test_the_dashboards_queries_do_not_grow_with_the_workshops(client, facilitator, tree):
    index = tree["workshop_index"]
    ru = Locale.objects.get(language_code="ru")
    index.copy_for_translation(ru, copy_parents=True).save_revision().publish()
    profile = UserProfile.get_for_user(facilitator)
    profile.preferred_language = "ru"  # the titles are looked up in Russian too
    profile.save()
    client.force_login(facilitator)

    def add(n, offset):
        for i in range(n):
            page = WorkshopPageFactory(parent=index, phase=("ideas", "draft", "closed")[i % 3],
                                       starts_at=timezone.now() + (i - n // 2 + offset) * DAY)
            translated = page.copy_for_translation(ru)
            translated.save_revision().publish()

    def count():
        client.get(reverse("wagtailadmin_home"))  # warm the caches a first request fills
        with CaptureQueriesContext(connection) as queries:
            response = client.get(reverse("wagtailadmin_home"))
        assert response.status_code == 200
        return len(queries), response.content.decode().count("data-code=")

    add(3, 0)
    few, shown_few = count()
    add(9, 100)
    many, shown_many = count()
    assert (shown_few, shown_many) == (3, 12)
    assert many == few, f"{few} queries for 3 workshops, {many} for 12"


def test_drafts_are_listed_and_marked(client, facilitator, tree):
    draft = WorkshopPageFactory(parent=tree["workshop_index"], join_code="DRAFT7", live=False,
                                starts_at=timezone.now() + 3 * DAY)
    assert not WorkshopPage.objects.get(pk=draft.pk).live
    client.force_login(facilitator)
    row = rows(panel(client), "next")[0]
    assert row["data-code"] == "DRAFT7" and row.find(class_="w-status")


def test_a_facilitator_without_page_rights_gets_no_edit_link(client, tree, workshops):
    """Running the room is one right, editing the page another: a superuser-free facilitator
    whose group lost its page permissions still runs the room."""
    from wagtail.models import GroupPagePermission

    runner = UserFactory(username="runner")
    runner.groups.add(tree["facilitators"])
    GroupPagePermission.objects.filter(group=tree["facilitators"]).delete()
    client.force_login(runner)
    section = panel(client)
    live = links(rows(section, "live")[0])
    assert "console" in live and "edit" not in live
    assert section.find(id="new-workshop") is None


def test_the_past_is_cut_short_with_a_way_to_the_rest(client, facilitator, tree):
    index = tree["workshop_index"]
    for i in range(10):
        WorkshopPageFactory(parent=index, phase="closed", starts_at=timezone.now() - (i + 1) * 30 * DAY)
    client.force_login(facilitator)
    section = panel(client)
    assert len(rows(section, "past")) == 8
    more = section.find("a", href=f"/admin/pages/{index.pk}/")
    assert more is not None and more.get_text(strip=True).startswith("2 ")

"""The room's tables (issue #18) where staff keep them: the Wagtail admin's "Tables"
(`ideas.wagtail_hooks.TableViewSet`) for facilitators, the tables a workshop page gets for the
offices it serves, and the helper's page, where anyone of the room is moved to another table.
Through the test client, as a browser posts it; each change the room must know of reaches it
as a `tables` frame."""

import re
from html import unescape

import pytest
from django.urls import reverse
from django.utils.text import slugify
from wagtail.models import Locale
from wagtail.test.utils.form_data import nested_form_data, streamfield
from wagtail.users.models import UserProfile

from ideas import services
from ideas.models import Activity, Participant, Table
from tests.factories import OfficePageFactory, UserFactory, WorkshopPageFactory
from workshop_site.workshops.models import WorkshopPage

from .factories import IdeaFactory, ParticipantFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def facilitator(facilitator):
    # The admin speaks the user's language: the messages are checked in English.
    profile = UserProfile.get_for_user(facilitator)
    profile.preferred_language = "en"
    profile.save()
    return facilitator


@pytest.fixture
def tables(workshop, tree):
    """LIVE23's tables: one per office it serves (Călărași, then Rezina), as the page makes them,
    by their slugs."""
    workshop.offices.set([tree["rezina"], tree["calarasi"]])
    made = services.tables_for_offices(workshop)
    return {table.slug: table for table in made}


@pytest.fixture
def published(monkeypatch):
    """The frames the services send the room (after the commit)."""
    frames = []
    monkeypatch.setattr("ideas.realtime.publish", lambda workshop_id, event: frames.append((workshop_id, event)))
    return frames


def page_text(response) -> str:
    return unescape(response.content.decode())


def listing(response) -> list[str]:
    """The admin listing's rows as a reader sees them: each row's text, tags and spacing aside."""
    html = page_text(response)
    table = html[html.index('<table class="listing">'):]
    body = table[table.index("<tbody>"):table.index("</tbody>")]
    return [" ".join(re.sub(r"<[^>]+>", " ", row).split()) for row in body.split("<tr>")[1:]]


def stored():
    """Every table as it is stored, to check that a refused request changed nothing."""
    return sorted(Table.objects.values_list("pk", "workshop_id", "name", "slug", "office_id", "position"))


def table_post(workshop, name, *, office=None, position=None) -> dict:
    data = {"workshop": workshop.pk, "name": name, "office": office.pk if office else ""}
    if position is not None:
        data["position"] = position
    return data


def tables_frame(frames, workshop) -> list[dict]:
    """The tables the last `tables` frame told the room of."""
    [tables] = [event["tables"] for room, event in frames if room == workshop.pk and event["type"] == "tables"]
    return tables


# --- who keeps them ---------------------------------------------------------------------------


def test_a_facilitator_lists_each_workshops_tables_with_their_people(client, facilitator, workshop, tables, tree):
    ParticipantFactory(workshop=workshop, table=tables["rezina"])
    ParticipantFactory(workshop=workshop, table=tables["rezina"])
    ParticipantFactory(workshop=workshop)  # at no table
    elsewhere = WorkshopPageFactory(parent=tree["workshop_index"], title="Alt atelier", join_code="ELSE11")
    services.table_create(user=facilitator, workshop=elsewhere, name="Administrația raionului")
    client.force_login(facilitator)

    rows = listing(client.get(reverse("tables:index"), {"workshop": workshop.pk}))

    # In the room's order, each with its office, workshop, people and ideas (a table with
    # people or ideas cannot be deleted: its delete view says so).
    assert rows == [
        "Călărași Edit Delete BCIS Călărași Echipa mobilă 0 0",
        "Rezina Edit Delete BCIS Rezina Echipa mobilă 2 0",
    ]
    everywhere = listing(client.get(reverse("tables:index")))
    assert any(row.startswith("Administrația raionului") for row in everywhere) and len(everywhere) == 3
    found = listing(client.get(reverse("tables:index"), {"q": "raionului"}))
    assert [row.split(" Edit")[0] for row in found] == ["Administrația raionului"]


@pytest.mark.parametrize("who", ["anonymous", "office team", "the workshop's helper"])
def test_only_whoever_runs_workshops_keeps_the_tables(
    client, who, workshop, tables, facilitator, rezina_member, calarasi_member, published
):
    if who == "office team":
        client.force_login(rezina_member)
    elif who == "the workshop's helper":  # moves people between tables, adds none
        services.helper_grant(user=facilitator, workshop=workshop, helper=calarasi_member)
        client.force_login(calarasi_member)
    table = tables["calarasi"]
    before = stored()
    doors = [
        ("get", reverse("tables:index"), {}),
        ("get", reverse("tables:add"), {}),
        ("post", reverse("tables:add"), table_post(workshop, "Intruși")),
        ("get", reverse("tables:edit", args=[table.pk]), {}),
        ("post", reverse("tables:edit", args=[table.pk]), table_post(workshop, "Schimbat", position=0)),
        ("post", reverse("tables:delete", args=[table.pk]), {}),
    ]
    for method, url, data in doors:
        response = getattr(client, method)(url, data)
        if who == "anonymous":
            assert response.status_code == 302 and response["Location"].startswith(reverse("wagtailadmin_login"))
        else:  # Wagtail's refusal: back to the dashboard (or a 403)
            assert response.status_code in (302, 403)
            assert response.status_code == 403 or response["Location"] == reverse("wagtailadmin_home")
    assert stored() == before
    assert published == []


def test_the_live_workshops_menu_offers_the_tables_to_facilitators_only(client, facilitator, rezina_member):
    client.force_login(facilitator)
    assert reverse("tables:index") in client.get(reverse("wagtailadmin_home")).content.decode()
    client.force_login(rezina_member)
    assert reverse("tables:index") not in client.get(reverse("wagtailadmin_home")).content.decode()


# --- add, rename, reorder, delete -------------------------------------------------------------


def test_a_facilitator_adds_a_table_that_comes_last_with_a_slug_of_its_name(
    client, facilitator, workshop, tables, published, django_capture_on_commit_callbacks
):
    client.force_login(facilitator)
    # "Add" from one workshop's tables starts a table of it; where it goes is not asked.
    add = f'{reverse("tables:add")}?workshop={workshop.pk}'
    assert add in page_text(client.get(reverse("tables:index"), {"workshop": workshop.pk}))
    form = client.get(add).context["form"]
    assert form["workshop"].value() == workshop.pk
    assert "position" not in form.fields

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("tables:add"), table_post(workshop, "  Administrația raionului "))

    assert response.status_code == 302
    assert response["Location"] == f'{reverse("tables:index")}?workshop={workshop.pk}'
    table = Table.objects.get(name="Administrația raionului")
    assert (table.workshop_id, table.slug, table.office_id, table.position) == (
        workshop.pk, "administratia-raionului", None, 2)
    # The room's phones and its wall get the new list at once.
    assert tables_frame(published, workshop) == [
        {"slug": "calarasi", "name": "Călărași"},
        {"slug": "rezina", "name": "Rezina"},
        {"slug": "administratia-raionului", "name": "Administrația raionului"},
    ]
    # A second table of the same name gets a slug of its own.
    client.post(reverse("tables:add"), table_post(workshop, "Administrația raionului"))
    assert Table.objects.filter(workshop=workshop, name="Administrația raionului").count() == 2
    assert Table.objects.filter(slug="administratia-raionului-2", workshop=workshop).exists()


@pytest.mark.parametrize(("name", "message"), [
    ("   ", "This field is required."),
    ("\u200b", "The table's name cannot be empty."),
    ("x" * 81, "Ensure this value has at most 80 characters (it has 81)."),
])
def test_a_table_without_a_proper_name_is_refused_and_nothing_is_saved(
    client, facilitator, workshop, tables, published, name, message
):
    client.force_login(facilitator)
    before = stored()
    response = client.post(reverse("tables:add"), table_post(workshop, name))
    assert response.status_code == 200  # the form again, with what is wrong
    assert message in page_text(response)
    assert stored() == before and published == []


def test_only_a_workshops_original_page_holds_tables(client, facilitator, workshop):
    ru = Locale.objects.get(language_code="ru")
    for ancestor in workshop.get_ancestors()[1:]:
        if ancestor.get_translation_or_none(ru) is None:
            ancestor.specific.copy_for_translation(ru)
    translation = workshop.copy_for_translation(ru)
    client.force_login(facilitator)
    offered = client.get(reverse("tables:add")).context["form"].fields["workshop"].queryset
    assert workshop.pk in {page.pk for page in offered}
    assert translation.pk not in {page.pk for page in offered}

    response = client.post(reverse("tables:add"), table_post(translation, "Masa rusă"))

    assert "Choose a workshop's original page: a translation's tables are its original's." in page_text(response)
    assert not Table.objects.exists()


def test_a_facilitator_renames_and_reorders_a_table_which_keeps_its_slug_and_workshop(
    client, facilitator, workshop, tables, tree, published, django_capture_on_commit_callbacks
):
    rezina = tables["rezina"]
    person = ParticipantFactory(workshop=workshop, table=rezina)
    other = WorkshopPageFactory(parent=tree["workshop_index"], title="Alt atelier", join_code="ELSE11")
    client.force_login(facilitator)
    assert client.get(reverse("tables:edit", args=[rezina.pk])).context["form"].fields["workshop"].disabled

    with django_capture_on_commit_callbacks(execute=True):
        # A crafted post cannot take it (and the people at it) to another workshop.
        response = client.post(reverse("tables:edit", args=[rezina.pk]),
                               table_post(other, "Masa Rezina", office=tree["rezina"], position=1))

    assert response.status_code == 302
    assert response["Location"] == f'{reverse("tables:index")}?workshop={workshop.pk}'
    rezina.refresh_from_db()
    assert (rezina.name, rezina.slug, rezina.workshop_id, rezina.position) == (
        "Masa Rezina", "rezina", workshop.pk, 1)
    assert Participant.objects.get(pk=person.pk).table_id == rezina.pk
    # Phones know it by its slug still; they get its new name.
    assert tables_frame(published, workshop) == [
        {"slug": "calarasi", "name": "Călărași"},
        {"slug": "rezina", "name": "Masa Rezina"},
    ]
    # And the new order, when the facilitator puts Călărași last.
    published.clear()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("tables:edit", args=[tables["calarasi"].pk]),
                    table_post(workshop, "Călărași", office=tree["calarasi"], position=2))
    assert [table["slug"] for table in tables_frame(published, workshop)] == ["rezina", "calarasi"]


def test_a_facilitator_deletes_a_table_nobody_sits_at(
    client, facilitator, workshop, tables, published, django_capture_on_commit_callbacks
):
    calarasi = tables["calarasi"]
    client.force_login(facilitator)

    assert client.get(reverse("tables:delete", args=[calarasi.pk])).status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("tables:delete", args=[calarasi.pk]))

    assert response.status_code == 302
    assert response["Location"] == f'{reverse("tables:index")}?workshop={workshop.pk}'
    assert list(Table.objects.values_list("slug", flat=True)) == ["rezina"]
    assert tables_frame(published, workshop) == [{"slug": "rezina", "name": "Rezina"}]


@pytest.mark.parametrize(("held_by", "message"), [
    ("a person", "People sit at this table: move them to another table on the helper's page before deleting it."),
    ("an idea", "Ideas were posted at this table: it keeps them, so it cannot be deleted. Rename it instead."),
])
def test_a_table_with_people_or_ideas_cannot_be_deleted(
    client, facilitator, workshop, tables, published, held_by, message
):
    rezina = tables["rezina"]
    if held_by == "a person":
        ParticipantFactory(workshop=workshop, table=rezina)
    else:  # its author has since moved to no table; the idea stays where it was posted
        IdeaFactory(workshop=workshop, participant=ParticipantFactory(workshop=workshop), table=rezina)
    client.force_login(facilitator)
    before = stored()

    for method in ("get", "post"):
        response = getattr(client, method)(reverse("tables:delete", args=[rezina.pk]), follow=True)
        assert response.redirect_chain[0] == (reverse("tables:edit", args=[rezina.pk]), 302)
        assert message in page_text(response)

    assert stored() == before and published == []
    # The edit form offers no "Delete" for it.
    assert reverse("tables:delete", args=[rezina.pk]) not in page_text(
        client.get(reverse("tables:edit", args=[rezina.pk])))


def test_someone_sitting_down_after_the_confirmation_keeps_the_table(client, facilitator, workshop, tables, monkeypatch):
    """The service checks again when it deletes: the page's check came before the confirmation."""
    rezina = tables["rezina"]
    client.force_login(facilitator)
    assert client.get(reverse("tables:delete", args=[rezina.pk])).status_code == 200
    monkeypatch.setattr("ideas.wagtail_hooks.table_deletion_refusal", lambda table: None)  # as it read then
    ParticipantFactory(workshop=workshop, table=rezina)

    response = client.post(reverse("tables:delete", args=[rezina.pk]), follow=True)

    assert "People sit at this table or posted ideas there: move them first, or rename it." in page_text(response)
    assert Table.objects.filter(pk=rezina.pk).exists()


# --- the tables a workshop page brings ------------------------------------------------------


def workshop_page_post(title, *, offices, code, publish) -> dict:
    """A new workshop's admin form as the page editor posts it."""
    data = nested_form_data({
        "title": title, "slug": slugify(title), "introduction": "", "starts_at": "2027-03-04 10:00",
        "ends_at": "", "place": "Rezina", "agenda": streamfield([]), "join_code": code,
        "dots_per_participant": 3, "max_dots_per_idea": "", "phase": "draft", "suggested_tags": "",
    })
    data["offices"] = [office.pk for office in offices]
    if publish:
        data["action-publish"] = "action-publish"
    return data


def edit_post(client, page, **changes) -> dict:
    """The page's edit form with its current values, and `changes`, published."""
    form = client.get(reverse("wagtailadmin_pages:edit", args=[page.pk])).context["form"]
    data = nested_form_data({
        "title": page.title, "slug": page.slug, "introduction": "", "starts_at": "2027-03-04 10:00",
        "ends_at": "", "place": page.place, "agenda": streamfield([]), "join_code": page.join_code,
        "dots_per_participant": page.dots_per_participant, "max_dots_per_idea": "", "phase": page.phase,
        "suggested_tags": "",
    })
    data["offices"] = [office.pk for office in form.initial["offices"]]
    data.update(changes, **{"action-publish": "action-publish"})
    return data


def add_workshop_url(tree) -> str:
    return reverse("wagtailadmin_pages:add", args=("workshops", "workshoppage", tree["workshop_index"].pk))


@pytest.mark.parametrize("publish", [True, False])
def test_a_new_workshop_gets_one_table_per_office_it_serves(client, facilitator, tree, publish, published):
    client.force_login(facilitator)

    response = client.post(add_workshop_url(tree), workshop_page_post(
        "Ateliere de primăvară", offices=[tree["rezina"], tree["calarasi"]], code="SPRING27", publish=publish))

    assert response.status_code == 302, response.context and response.context["form"].errors
    page = WorkshopPage.objects.get(join_code="SPRING27")
    made = list(Table.objects.filter(workshop=page).values_list("name", "slug", "office_id", "position"))
    assert made == [
        ("Călărași", "calarasi", tree["calarasi"].pk, 0),
        ("Rezina", "rezina", tree["rezina"].pk, 1),
    ]


def test_publishing_again_adds_a_table_for_a_new_office_only(client, facilitator, tree, published):
    client.force_login(facilitator)
    client.post(add_workshop_url(tree), workshop_page_post(
        "Ateliere de primăvară", offices=[tree["rezina"]], code="SPRING27", publish=True))
    page = WorkshopPage.objects.get(join_code="SPRING27")
    assert list(Table.objects.filter(workshop=page).values_list("slug", flat=True)) == ["rezina"]
    # The facilitator renames the office's table; publishing again adds nothing.
    rezina = Table.objects.get(workshop=page)
    services.table_rename(user=facilitator, workshop=page, table_id=rezina.pk, name="Masa Rezina")
    edit = reverse("wagtailadmin_pages:edit", args=[page.pk])
    assert client.post(edit, edit_post(client, page)).status_code == 302
    assert list(Table.objects.filter(workshop=page).values_list("name", flat=True)) == ["Masa Rezina"]

    # A third office served: one more table, and only that one.
    orhei = OfficePageFactory(parent=tree["office_index"], title="BCIS Orhei", slug="orhei", district="Orhei")
    orhei.save_revision().publish()
    assert client.post(edit, edit_post(client, page, offices=[tree["rezina"].pk, orhei.pk])).status_code == 302
    assert client.post(edit, edit_post(client, page)).status_code == 302

    assert list(Table.objects.filter(workshop=page).values_list("name", "position")) == [
        ("Masa Rezina", 0), ("Orhei", 1)]


def test_a_workshop_serving_no_office_gets_no_table(client, facilitator, tree, published):
    client.force_login(facilitator)
    client.post(add_workshop_url(tree), workshop_page_post("Atelier liber", offices=[], code="FREE27", publish=True))
    assert WorkshopPage.objects.filter(join_code="FREE27").exists()
    assert not Table.objects.exists() and published == []


# --- the activity form ------------------------------------------------------------------------


def activity_post(workshop, **fields) -> dict:
    data = {"workshop": workshop.pk, "position": 1, "kind": "brainstorm", "title": "Echipa mobilă", "prompt": "",
            "max_choices": 1, "scale_min_label": "", "scale_max_label": "", "dots_per_participant": 3,
            "max_dots_per_idea": "", **fields}
    for prefix in ("options", "statements"):
        data.update({f"{prefix}-TOTAL_FORMS": 0, f"{prefix}-INITIAL_FORMS": 0, f"{prefix}-MIN_NUM_FORMS": 0,
                     f"{prefix}-MAX_NUM_FORMS": 1000})
    return data


def test_a_brainstorm_is_set_to_run_by_table_beside_blind_mode(client, facilitator, workshop):
    client.force_login(facilitator)
    form = page_text(client.get(reverse("activities:add")))
    assert form.index('name="blind"') < form.index('name="by_table"') < form.index('name="dots_per_participant"')

    response = client.post(reverse("activities:add"), activity_post(workshop, by_table="on"))

    assert response.status_code == 302
    assert Activity.objects.get().by_table is True


def test_only_a_brainstorm_runs_by_table(client, facilitator, workshop):
    client.force_login(facilitator)
    response = client.post(reverse("activities:add"), activity_post(workshop, kind="words", by_table="on"))
    assert response.status_code == 200
    assert "Only a brainstorm runs by table: untick it, or make this activity a brainstorm." in page_text(response)
    assert not Activity.objects.exists()


# --- the helper's page: anyone of the room to another table ---------------------------------


@pytest.fixture
def helper(workshop, facilitator, calarasi_member):
    services.helper_grant(user=facilitator, workshop=workshop, helper=calarasi_member)
    return calarasi_member


def seats(workshop) -> dict[str, str | None]:
    return dict(Participant.objects.filter(workshop=workshop).values_list("display_name", "table__slug"))


def on_the_helpers_page(client, user):
    client.force_login(user)
    client.cookies["atelier_language"] = "en"  # the messages are checked in English


def test_the_helpers_page_shows_everyones_table(client, helper, workshop, tables):
    ParticipantFactory(workshop=workshop, display_name="Ana", table=tables["rezina"])  # a phone
    services.participant_join(workshop=workshop, display_name="Ion", role="provider", entered_by=helper)
    on_the_helpers_page(client, helper)

    html = page_text(client.get("/w/LIVE23/assist/"))

    rows = re.findall(r'<tr data-participant-id="\d+">\s*<td>(.*?)</td>\s*<td class="seat">(.*?)</td>', html, re.S)
    seen = [[" ".join(re.sub(r"<[^>]+>", " ", cell).split()) for cell in row] for row in rows]
    # People at no table first, then table by table; each may be moved to any table.
    assert seen == [["Ion service provider", "no table"], ["Ana citizen", "Rezina"]]
    assert html.count('<option value="calarasi"') == 2
    assert '<option value="rezina" selected>' in html
    # The person without a phone shows their table in the helper's list too.
    assert "service provider · 3 dots left · no table" in html
    # Only a facilitator is led to the admin's tables.
    assert reverse("tables:index") not in html


def test_a_room_without_tables_shows_no_seating(client, helper, workshop):
    ParticipantFactory(workshop=workshop)
    client.force_login(helper)
    assert 'id="seating"' not in page_text(client.get("/w/LIVE23/assist/"))


@pytest.mark.parametrize("who", ["helper", "facilitator"])
def test_a_helper_or_facilitator_moves_someone_with_a_phone_to_another_table(
    client, request, who, helper, workshop, tables, published, django_capture_on_commit_callbacks
):
    ana = ParticipantFactory(workshop=workshop, display_name="Ana", table=tables["rezina"])
    on_the_helpers_page(client, request.getfixturevalue(who))

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/w/LIVE23/assist/", {"action": "move", "participant": ana.pk, "table": "calarasi"},
                               follow=True)

    assert "Ana moved to Călărași." in page_text(response)
    assert seats(workshop) == {"Ana": "calarasi"}
    # Her phone reads the room again.
    assert [event for _room, event in published if event["type"] == "participant.moved"][0]["table"] == "calarasi"
    # And to no table.
    response = client.post("/w/LIVE23/assist/", {"action": "move", "participant": ana.pk, "table": ""}, follow=True)
    assert "Ana now sits at no table." in page_text(response)
    assert seats(workshop) == {"Ana": None}


def test_a_helper_moves_a_person_without_a_phone_and_keeps_them_chosen(client, helper, workshop, tables):
    ion = services.participant_join(workshop=workshop, display_name="Ion", role="citizen", entered_by=helper)
    client.force_login(helper)
    response = client.post("/w/LIVE23/assist/", {"action": "move", "participant": ion.pk, "table": "rezina"})
    assert response["Location"] == f"/w/LIVE23/assist/?p={ion.pk}"
    assert seats(workshop) == {"Ion": "rezina"}


def test_someone_who_is_no_helper_moves_nobody(client, workshop, tables, rezina_member, published):
    ana = ParticipantFactory(workshop=workshop, display_name="Ana", table=tables["rezina"])
    client.force_login(rezina_member)
    response = client.post("/w/LIVE23/assist/", {"action": "move", "participant": ana.pk, "table": "calarasi"})
    assert response.status_code == 403
    assert seats(workshop) == {"Ana": "rezina"} and published == []


def test_a_move_to_a_table_or_of_a_person_of_another_workshop_is_refused_and_changes_nothing(
    client, helper, facilitator, workshop, tables, tree, published
):
    ana = ParticipantFactory(workshop=workshop, display_name="Ana", table=tables["rezina"])
    other = WorkshopPageFactory(parent=tree["workshop_index"], title="Alt atelier", join_code="ELSE11")
    services.table_create(user=facilitator, workshop=other, name="Masa străină")
    stranger = ParticipantFactory(workshop=other, display_name="Vlad")
    published.clear()
    on_the_helpers_page(client, helper)

    for person, table, message, status in (
        (ana, "masa-straina", "This table does not exist in this workshop.", 404),
        (stranger, "rezina", "This participant does not exist in this workshop.", 404),
        ("x", "rezina", "An id must be a number.", 400),
    ):
        response = client.post("/w/LIVE23/assist/", {"action": "move", "participant": getattr(person, "pk", person),
                                                     "table": table})
        assert response.status_code == status
        assert message in page_text(response)

    assert seats(workshop) == {"Ana": "rezina"}
    assert seats(other) == {"Vlad": None}
    assert published == []


def test_the_facilitator_is_led_from_the_helpers_page_to_the_tables(client, facilitator, workshop, tables):
    ParticipantFactory(workshop=workshop)
    client.force_login(facilitator)
    assert f'{reverse("tables:index")}?workshop={workshop.pk}' in page_text(client.get("/w/LIVE23/assist/"))


def test_a_superuser_reaches_the_tables(client, workshop, tables):
    client.force_login(UserFactory(username="root", is_superuser=True, is_staff=True))
    assert "Călărași" in page_text(client.get(reverse("tables:index")))

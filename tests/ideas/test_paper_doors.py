"""The doors of assisted and paper participation: the helper's pages, the JSON API and the
socket each ask `ideas.assist_workshop`, and bad input answers a clear 4xx with nothing changed."""

import json

import pytest
from channels.db import database_sync_to_async
from django.core.cache import cache
from django.test import Client

from ideas import services
from ideas.models import Idea, Participant, TallySheet, Vote, WorkshopHelper

from .conftest import set_phase
from .factories import IdeaFactory
from .live import Socket, logged_in_cookie


@pytest.fixture(autouse=True)
def _clear_throttle():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def helper(workshop, facilitator, rezina_member):
    services.helper_grant(user=facilitator, workshop=workshop, helper=rezina_member)
    return rezina_member


def logged_in(user) -> Client:
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)
    client.get("/w/LIVE23/results/")  # sets the CSRF cookie
    return client


def api(client: Client, method: str, path: str, payload=None):
    token = client.cookies["csrftoken"].value if "csrftoken" in client.cookies else ""
    return getattr(client, method)(
        f"/api/workshops/LIVE23/{path}",
        json.dumps(payload) if payload is not None else None,
        content_type="application/json",
        headers={"X-CSRFToken": token},
    )


def form_post(client: Client, path: str, data: dict):
    data = {**data, "csrfmiddlewaretoken": client.cookies["csrftoken"].value}
    return client.post(f"/w/LIVE23/{path}", data)


# --- the pages ------------------------------------------------------------------------------


@pytest.mark.django_db
def test_pages_need_a_login_and_the_helper_role(
    client, workshop, helper, calarasi_member
):
    for path in ("assist/", "tally/"):
        assert client.get(f"/w/LIVE23/{path}").status_code == 302  # to the login
        client.force_login(calarasi_member)
        assert client.get(f"/w/LIVE23/{path}").status_code == 403
        client.force_login(helper)
        assert client.get(f"/w/LIVE23/{path}").status_code == 200
        client.logout()


@pytest.mark.django_db
def test_a_refused_user_changes_nothing_through_the_page(
    workshop, helper, calarasi_member
):
    outsider = logged_in(calarasi_member)
    assert (
        form_post(
            outsider,
            "assist/",
            {"action": "add", "display_name": "Ion", "role": "citizen"},
        ).status_code
        == 403
    )
    assert (
        form_post(outsider, "tally/", {"voters": "3", "round": "1"}).status_code == 403
    )
    assert (
        form_post(outsider, "assist/helpers/", {"user": calarasi_member.pk}).status_code
        == 403
    )
    helper_client = logged_in(helper)
    assert (
        form_post(
            helper_client, "assist/helpers/", {"user": calarasi_member.pk}
        ).status_code
        == 403
    )
    assert not Participant.objects.exists() and not TallySheet.objects.exists()
    assert list(WorkshopHelper.objects.values_list("user", flat=True)) == [helper.pk]


@pytest.mark.django_db
def test_the_helper_screen_adds_a_person_posts_and_places_dots_by_number(
    workshop, helper
):
    client = logged_in(helper)
    response = form_post(
        client, "assist/", {"action": "add", "display_name": "", "role": "citizen"}
    )
    person = Participant.objects.get()
    assert response.status_code == 302 and response["Location"].endswith(
        f"?p={person.pk}"
    )
    assert (person.display_name, person.is_proxy, person.entered_by) == (
        "Participant 1",
        True,
        helper,
    )
    first = IdeaFactory(workshop=workshop, text="Ghișeu unic")
    response = form_post(
        client,
        "assist/",
        {"action": "idea", "participant": person.pk, "text": "Scaner în mașină"},
    )
    assert response.status_code == 302
    idea = Idea.objects.get(text="Scaner în mașină")
    assert idea.entered_by == helper
    set_phase(workshop, "voting")
    # Numbers are the poster's: the first idea is 1, theirs is 2.
    response = form_post(
        client,
        "assist/",
        {"action": "dots", "participant": person.pk, "numbers": "2, 2 1"},
    )
    assert response.status_code == 302
    assert sorted(Vote.objects.values_list("idea_id", "channel")) == sorted(
        [(idea.pk, "proxy"), (idea.pk, "proxy"), (first.pk, "proxy")]
    )
    page = client.get(f"/w/LIVE23/assist/?p={person.pk}")
    assert page.status_code == 200 and "Scaner în mașină" in page.content.decode()
    response = form_post(
        client,
        "assist/",
        {"action": "retract", "participant": person.pk, "idea": idea.pk},
    )
    assert response.status_code == 302 and Vote.objects.count() == 2


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("numbers", "status"), [("1 1 1 1", 409), ("9", 400), ("abc", 400), ("", 400)]
)
def test_bad_dots_on_the_helper_screen_say_why_and_change_nothing(
    workshop, helper, numbers, status
):
    person = services.participant_join(
        workshop=workshop, display_name="Ana", role="citizen", entered_by=helper
    )
    IdeaFactory(workshop=workshop)
    set_phase(workshop, "voting")
    response = form_post(
        logged_in(helper),
        "assist/",
        {"action": "dots", "participant": person.pk, "numbers": numbers},
    )
    assert response.status_code == status
    assert not Vote.objects.exists()
    assert Participant.objects.get().dots_left == 3


@pytest.mark.django_db
def test_the_tally_page_submits_once_and_corrects_visibly(
    workshop, helper, facilitator
):
    ideas = [IdeaFactory(workshop=workshop, text=f"Idee {n}") for n in range(2)]
    set_phase(workshop, "voting")
    client = logged_in(helper)
    data = {
        "round": "1",
        "voters": "5",
        f"idea-{ideas[0].pk}": "4",
        f"idea-{ideas[1].pk}": "",
    }
    assert form_post(client, "tally/", data).status_code == 302
    again = form_post(
        client, "tally/", data
    )  # a double click, or a second helper with the same poster
    sheet = TallySheet.objects.get()
    assert again.status_code == 409 and again.context["error"]
    assert f"?corrects={sheet.pk}" in again.content.decode()  # the way to a correction
    page = logged_in(facilitator).get(f"/w/LIVE23/tally/?corrects={sheet.pk}")
    assert (
        page.context["ideas"][0]["value"] == 4
    )  # prefilled from the sheet being corrected
    fixed = {
        "voters": "5",
        f"idea-{ideas[0].pk}": "3",
        f"idea-{ideas[1].pk}": "1",
        "note": "recount",
    }
    assert form_post(client, f"tally/?corrects={sheet.pk}", fixed).status_code == 302
    assert list(TallySheet.objects.values_list("current", flat=True)) == [False, True]
    results = client.get("/w/LIVE23/results/")
    assert [s["current"] for s in results.context["tally_sheets"]] == [False, True]
    assert results.context["votes_by_channel"] == {"phone": 0, "proxy": 0, "paper": 4}


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("data", "status"),
    [
        ({"voters": "5", "count": "-2"}, 400),
        ({"voters": "5", "count": "99"}, 400),
        ({"voters": "", "count": "1"}, 400),
        ({"voters": "5", "count": "x"}, 400),
    ],
)
def test_bad_tally_pages_say_why_and_change_nothing(workshop, helper, data, status):
    idea = IdeaFactory(workshop=workshop)
    set_phase(workshop, "voting")
    response = form_post(
        logged_in(helper),
        "tally/",
        {"round": "1", "voters": data["voters"], f"idea-{idea.pk}": data["count"]},
    )
    assert response.status_code == status
    assert response.context["error"]
    assert not TallySheet.objects.exists()


@pytest.mark.django_db
def test_a_closed_workshop_takes_no_tally_sheet_through_the_page(workshop, helper):
    idea = IdeaFactory(workshop=workshop)
    set_phase(workshop, "closed")
    client = logged_in(helper)
    assert client.get("/w/LIVE23/tally/").context["allowed"] is False
    response = form_post(
        client, "tally/", {"round": "1", "voters": "5", f"idea-{idea.pk}": "3"}
    )
    assert response.status_code == 409 and not TallySheet.objects.exists()


# --- the API --------------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_api_refuses_anyone_without_the_helper_role(
    client, workshop, helper, calarasi_member
):
    IdeaFactory(workshop=workshop)
    person = services.participant_join(
        workshop=workshop, display_name="Ana", role="citizen", entered_by=helper
    )
    anonymous = Client(enforce_csrf_checks=True)
    anonymous.get("/w/LIVE23/")
    for who in (anonymous, logged_in(calarasi_member)):
        for method, path, payload in [
            ("get", "proxy-participants", None),
            ("post", "proxy-participants", {"display_name": "Ion", "role": "citizen"}),
            ("post", f"proxy-participants/{person.pk}/ideas", {"text": "x"}),
            ("post", f"proxy-participants/{person.pk}/votes", {"ideas": [1]}),
            ("delete", f"proxy-participants/{person.pk}/votes/1", None),
            ("post", "paper-tallies", {"voters": 4, "counts": {"1": 1}}),
        ]:
            response = api(who, method, path, payload)
            assert response.status_code == 403, (method, path)
            assert response.json()["code"] == "forbidden"
    assert (
        Participant.objects.count() == 1
        and not Idea.objects.filter(entered_by__isnull=False).exists()
    )


@pytest.mark.django_db
def test_the_api_enters_people_ideas_dots_and_a_tally_sheet(workshop, helper):
    client = logged_in(helper)
    response = api(
        client,
        "post",
        "proxy-participants",
        {"display_name": "Ion", "role": "provider"},
    )
    assert response.status_code == 201
    person = response.json()
    assert (person["display_name"], person["dots_left"], person["entered_by"]) == (
        "Ion",
        3,
        helper.get_full_name(),
    )
    response = api(
        client,
        "post",
        f"proxy-participants/{person['id']}/ideas",
        {"text": "Program prelungit", "tags": ["Orar"]},
    )
    assert response.status_code == 201
    idea = response.json()
    assert (idea["number"], idea["tags"]) == (1, ["orar"])
    set_phase(workshop, "voting")
    response = api(
        client,
        "post",
        f"proxy-participants/{person['id']}/votes",
        {"ideas": [idea["id"], idea["id"]]},
    )
    assert response.json() == {"participant": person["id"], "dots_left": 1}
    response = api(
        client,
        "post",
        f"proxy-participants/{person['id']}/votes",
        {"ideas": [idea["id"], idea["id"]]},
    )
    assert (response.status_code, response.json()["code"]) == (409, "no_dots_left")
    response = api(
        client, "delete", f"proxy-participants/{person['id']}/votes/{idea['id']}"
    )
    assert response.json()["dots_left"] == 2

    response = api(
        client, "post", "paper-tallies", {"voters": 6, "counts": {str(idea["id"]): 7}}
    )
    assert response.status_code == 201
    sheet = response.json()
    assert (sheet["round"], sheet["total"], sheet["current"], sheet["entered_by"]) == (
        1,
        7,
        True,
        helper.get_full_name(),
    )
    again = api(
        client, "post", "paper-tallies", {"voters": 6, "counts": {str(idea["id"]): 7}}
    )
    assert (again.status_code, again.json()["code"]) == (409, "conflict")
    fixed = api(
        client,
        "post",
        "paper-tallies",
        {
            "voters": 6,
            "counts": {str(idea["id"]): 6},
            "corrects": sheet["id"],
            "note": "recount",
        },
    )
    assert fixed.status_code == 201 and fixed.json()["corrects"] == sheet["id"]

    results = Client().get("/api/workshops/LIVE23/results").json()
    assert results["ideas"][0]["votes"] == 7
    assert results["ideas"][0]["votes_by_channel"] == {
        "phone": 0,
        "proxy": 1,
        "paper": 6,
    }
    sheets = Client().get("/api/workshops/LIVE23/paper-tallies").json()["sheets"]
    assert [(s["total"], s["current"]) for s in sheets] == [(7, False), (6, True)]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("payload", "status", "code"),
    [
        ({"voters": 4, "counts": {"IDEA": -1}}, 400, "invalid"),
        ({"voters": 4, "counts": {"IDEA": 100}}, 400, "invalid"),
        ({"voters": 0, "counts": {"IDEA": 1}}, 400, "invalid"),
        ({"voters": 4, "counts": {"999999": 1}}, 404, "not_found"),
        (
            {"voters": 4, "counts": {"IDEA": 1}, "corrects": 999999, "note": "x"},
            404,
            "not_found",
        ),
        ({"voters": 4, "counts": "lots"}, 400, "invalid"),
        ({"counts": {"IDEA": 1}}, 400, "invalid"),
        ({"voters": 4, "counts": {"IDEA": 1}, "round": 99}, 400, "invalid"),
    ],
)
def test_bad_tally_sheets_through_the_api_are_refused(
    workshop, helper, payload, status, code
):
    idea = IdeaFactory(workshop=workshop)
    set_phase(workshop, "voting")
    if isinstance(payload.get("counts"), dict):
        payload["counts"] = {
            (str(idea.pk) if k == "IDEA" else k): v
            for k, v in payload["counts"].items()
        }
    response = api(logged_in(helper), "post", "paper-tallies", payload)
    assert (response.status_code, response.json()["code"]) == (status, code)
    assert not TallySheet.objects.exists()


@pytest.mark.django_db
def test_a_helper_cannot_act_for_a_phone_participant_through_the_api(
    workshop, helper, participant
):
    response = api(
        logged_in(helper),
        "post",
        f"proxy-participants/{participant.pk}/ideas",
        {"text": "x"},
    )
    assert response.status_code == 404 and not Idea.objects.exists()


@pytest.mark.django_db
def test_a_closed_round_refuses_a_sheet_through_the_api(workshop, helper):
    idea = IdeaFactory(workshop=workshop)
    set_phase(workshop, "closed")
    response = api(
        logged_in(helper),
        "post",
        "paper-tallies",
        {"voters": 4, "counts": {str(idea.pk): 1}},
    )
    assert (response.status_code, response.json()["code"]) == (409, "phase_closed")


# --- the socket -----------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
async def test_proxy_and_paper_dots_reach_the_room_with_their_channel(
    workshop, facilitator, rezina_member
):
    await database_sync_to_async(services.helper_grant)(
        user=facilitator, workshop=workshop, helper=rezina_member
    )
    idea = await database_sync_to_async(IdeaFactory)(workshop=workshop)
    await database_sync_to_async(set_phase)(workshop, "voting")
    wall = Socket("LIVE23")  # an observer: the wall screen
    await wall.open()
    person = await database_sync_to_async(services.participant_join)(
        workshop=workshop, display_name="Ana", role="citizen", entered_by=rezina_member
    )
    await database_sync_to_async(services.vote_cast)(
        participant_id=person.pk, idea_id=idea.pk, entered_by=rezina_member
    )
    frame = await wall.until(
        lambda f: f["type"] == "tally" and f["votes"].get(str(idea.pk)) == 1
    )
    assert frame["channels"] == {"proxy": {str(idea.pk): 1}, "paper": {}}
    await database_sync_to_async(services.paper_tally_submit)(
        user=rezina_member, workshop_id=workshop.pk, voters=3, counts={idea.pk: 4}
    )
    frame = await wall.until(
        lambda f: f["type"] == "tally" and f["votes"].get(str(idea.pk)) == 5
    )
    assert frame["channels"] == {"proxy": {str(idea.pk): 1}, "paper": {str(idea.pk): 4}}
    await wall.close()


@pytest.mark.django_db(transaction=True)
async def test_a_helper_cannot_run_the_room_over_the_socket(
    workshop, facilitator, rezina_member
):
    await database_sync_to_async(services.helper_grant)(
        user=facilitator, workshop=workshop, helper=rezina_member
    )
    socket = Socket(
        "LIVE23", await database_sync_to_async(logged_in_cookie)(rezina_member)
    )
    snapshot = await socket.open()
    assert snapshot["me"]["participant"] is None
    reply = await socket.request("phase.set", phase="voting")
    assert (reply["type"], reply["code"]) == ("error", "forbidden")
    await socket.close()


# --- printables -----------------------------------------------------------------------------


@pytest.mark.django_db
def test_poster_handout_and_summary_are_printable_pages(client, workshop):
    ideas = [
        IdeaFactory(workshop=workshop, text=f"Idee tipărită {n}") for n in range(3)
    ]
    for path in ("poster/", "poster/?size=a3", "handout/", "summary/"):
        response = client.get(f"/w/LIVE23/{path}")
        assert response.status_code == 200, path
        html = response.content.decode()
        assert all(idea.text in html for idea in ideas), path
    assert "size-a3" in client.get("/w/LIVE23/poster/?size=a3").content.decode()
    assert "<svg" in client.get("/w/LIVE23/poster/").content.decode()  # the join QR


@pytest.mark.django_db
def test_the_summary_keeps_blind_votes_hidden(client, workshop, facilitator):
    type(workshop).objects.filter(pk=workshop.pk).update(
        blind_voting=True, phase="voting"
    )
    assert client.get("/w/LIVE23/summary/").status_code == 403
    client.force_login(facilitator)
    assert client.get("/w/LIVE23/summary/").status_code == 200

"""The run of show on the JSON API (issue #17, DESIGN.md "Run of show"): the list of activities,
every activity's results of everyone and by role, where citizens and providers disagree, and the
snapshot's new keys, each answer checked against the typed schema `/api/openapi.json` publishes.

Blind activities (decided here, docs/protocol.md): an activity set to hide its answers until
revealed keeps them from anyone but a facilitator until its phase is `results` or `closed`; its
entry in `/results` is then `hidden: true` with `results` and `by_role` null and no
disagreements, in the CSV too. The workshop-wide blind voting of the brainstorm keeps its old
answer: the whole of `/results` is 403 until the vote is over."""

import jsonschema_rs
import pytest
from django.core.cache import cache
from django.test import Client

from ideas.kinds import KINDS
from ideas.kinds.poll import poll_answer
from ideas.models import Activity
from ideas.sessions import remember_participant
from tests.factories import WorkshopPageFactory
from tests.ideas.factories import IdeaFactory, ParticipantFactory, run_of_show

from .rooms import answered_room, set_activity_phase, set_room_phase

pytestmark = pytest.mark.django_db

ROLES = ["citizen", "provider", "office_staff", "other"]


@pytest.fixture(autouse=True)
def _clear_throttle():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def workshop(tree):
    return WorkshopPageFactory(parent=tree["workshop_index"], title="Echipa mobilă", join_code="LIVE23",
                               phase="ideas", dots_per_participant=3)


@pytest.fixture
def room(workshop):
    return answered_room(workshop)


@pytest.fixture
def openapi():
    return Client().get("/api/openapi.json").json()


def conforms(openapi: dict, component: str, body) -> None:
    """The body is what the schema says `component` is (every $ref resolved, 2020-12)."""
    validator = jsonschema_rs.Draft202012Validator(
        {"$ref": f"#/components/schemas/{component}", "components": openapi["components"]}
    )
    errors = [f"{error.instance_path}: {error.message}" for error in validator.iter_errors(body)]
    assert not errors, errors[:5]


def by_id(items: list[dict]) -> dict:
    return {item["id"]: item for item in items}


# --- GET /api/workshops/{code}/activities -----------------------------------------------------

def test_the_run_of_show_is_listed_in_order_for_anyone_without_a_cookie(room, openapi):
    ru = {"title": "Из какого вы района?", "prompt": ""}
    Activity.objects.filter(pk=room["poll"].pk).update(translations={"ru": ru})
    response = Client().get("/api/workshops/LIVE23/activities")
    assert response.status_code == 200
    assert response.json() == [
        {"id": room["poll"].pk, "kind": "poll", "title": "Din ce raion veniți?", "phase": "results", "position": 1,
         "translations": {"ru": ru}},
        {"id": room["scale"].pk, "kind": "scale", "title": "Cât de ușor este azi…", "phase": "results", "position": 2,
         "translations": {}},
        {"id": room["brainstorm"].pk, "kind": "brainstorm", "title": "Echipa mobilă", "phase": "results",
         "position": 3, "translations": {}},
        {"id": room["words"].pk, "kind": "words", "title": "Un cuvânt pentru BCIS-ul ideal", "phase": "results",
         "position": 4, "translations": {}},
    ]
    conforms(openapi, "ActivitySummary", response.json()[0])
    operation = openapi["paths"]["/api/workshops/{code}/activities"]["get"]
    assert "security" not in operation
    assert operation["responses"]["200"]["content"]["application/json"]["schema"]["items"] == {
        "$ref": "#/components/schemas/ActivitySummary"
    }


def test_each_activity_is_listed_with_its_own_phase_while_the_room_is_on_another(workshop):
    made = run_of_show(workshop, current="poll")
    set_room_phase(workshop, "open")
    set_activity_phase(made["scale"], "closed")
    phases = {item["kind"]: item["phase"] for item in Client().get("/api/workshops/LIVE23/activities").json()}
    assert phases == {"poll": "open", "scale": "closed", "brainstorm": "draft", "words": "draft"}


def test_a_workshop_without_activities_lists_none(workshop):
    assert Client().get("/api/workshops/LIVE23/activities").json() == []


@pytest.mark.parametrize("path", ["activities", "results", "state"])
def test_an_unknown_code_is_a_404_in_the_error_shape(workshop, path):
    response = Client().get(f"/api/workshops/NOPE99/{path}")
    assert response.status_code == 404
    assert response.json()["code"] == "not_found" and response.json()["message"]


# --- GET /api/workshops/{code}/results ----------------------------------------------------------

def test_results_hold_every_activity_of_everyone_and_by_role(room, openapi):
    response = Client().get("/api/workshops/LIVE23/results")
    assert response.status_code == 200
    body = response.json()
    conforms(openapi, "ResultsOut", body)
    assert [a["id"] for a in body["activities"]] == [room[k].pk for k in ("poll", "scale", "brainstorm", "words")]
    poll, scale, brainstorm, words = body["activities"]
    assert all(set(a) >= {"id", "kind", "title", "phase", "position", "hidden", "results", "by_role",
                          "disagreements"} for a in body["activities"])
    assert all(list(a["by_role"]) == ROLES and not a["hidden"] for a in body["activities"])

    shares = {o["text"]: (o["count"], o["share"]) for o in poll["results"]["options"]}
    assert shares == {"Dubăsari": (3, 60.0), "Călărași": (1, 20.0), "Rezina": (1, 20.0), "alt raion": (0, 0.0)}
    assert poll["results"]["respondents"] == 5
    citizens = {o["text"]: (o["count"], o["share"]) for o in poll["by_role"]["citizen"]["options"]}
    providers = {o["text"]: (o["count"], o["share"]) for o in poll["by_role"]["provider"]["options"]}
    assert citizens["Dubăsari"] == (2, 100.0) and providers["Dubăsari"] == (1, 50.0)
    assert providers["Rezina"] == (1, 50.0)
    assert poll["by_role"]["office_staff"]["respondents"] == 1 and poll["by_role"]["other"]["respondents"] == 0

    first, second, third = scale["results"]["statements"]
    assert (first["distribution"], first["ratings"], first["mean"], first["agree"]) == ([1, 1, 0, 1, 1], 4, 3.0, 50.0)
    assert (second["distribution"], second["mean"]) == ([0, 0, 4, 0, 0], 3.0)
    assert scale["results"]["labels"] == {"low": "foarte greu", "high": "foarte ușor"}
    assert scale["by_role"]["citizen"]["statements"][0]["mean"] == 1.5
    assert scale["by_role"]["provider"]["statements"][0]["mean"] == 4.5
    assert scale["by_role"]["citizen"]["statements"][2] == {**third, "distribution": [0] * 5, "ratings": 0,
                                                           "mean": None, "agree": 0.0}

    # "Acte", "acte" and "ACTE" are one word, given by three people.
    assert [(w["text"].casefold(), w["count"]) for w in words["results"]["words"]] == [
        ("acte", 3), ("rapid", 2), ("online", 1)]
    assert words["results"]["respondents"] == 4
    assert [(w["text"].casefold(), w["count"]) for w in words["by_role"]["citizen"]["words"]] == [
        ("acte", 2), ("rapid", 1)]

    ours, theirs = room["ideas"]
    assert [(i["id"], i["votes"]) for i in brainstorm["results"]["ideas"]] == [(ours.pk, 3), (theirs.pk, 1)]
    assert brainstorm["results"]["voters"] == 3
    assert [(i["id"], i["votes"]) for i in brainstorm["by_role"]["citizen"]["ideas"]] == [(ours.pk, 2), (theirs.pk, 1)]
    assert by_id(brainstorm["by_role"]["provider"]["ideas"])[ours.pk]["votes"] == 1
    assert brainstorm["by_role"]["office_staff"] == {"voters": 0, "ideas": [
        {"id": ours.pk, "text": ours.text, "votes": 0}, {"id": theirs.pk, "text": theirs.text, "votes": 0}]}

    # The ideas keep their shape and gain their brainstorm.
    assert [(i["id"], i["votes"], i["activity"]) for i in body["ideas"]] == [
        (ours.pk, 3, room["brainstorm"].pk), (theirs.pk, 1, room["brainstorm"].pk)]


def test_results_name_where_citizens_and_providers_answered_more_than_20_points_apart(room):
    poll, scale, brainstorm, words = Client().get("/api/workshops/LIVE23/results").json()["activities"]
    options = {o.text: o.pk for o in room["poll"].options.all()}
    statements = list(room["scale"].statements.all())
    assert sorted(poll["disagreements"], key=lambda d: d["item"]) == [
        {"item": options["Dubăsari"], "text": "Dubăsari", "citizen": 100.0, "provider": 50.0, "points": 50.0},
        {"item": options["Rezina"], "text": "Rezina", "citizen": 0.0, "provider": 50.0, "points": 50.0},
    ]
    # Statement 1: no citizen gives 4 or 5, every provider does. Statement 2: all give 3.
    # Statement 3: rated by office staff only, so no comparison.
    assert scale["disagreements"] == [{"item": statements[0].pk, "text": statements[0].text,
                                       "citizen": 0.0, "provider": 100.0, "points": 100.0}]
    assert brainstorm["disagreements"] == [] and words["disagreements"] == []


def test_twenty_points_apart_exactly_is_no_disagreement(workshop):
    made = run_of_show(workshop, current="brainstorm")
    set_activity_phase(made["poll"], "open")
    dubasari, calarasi = [o.pk for o in made["poll"].options.all()][:2]
    # Citizens 3 of 5 Dubăsari (60 %), providers 2 of 5 (40 %): 20 points, not more.
    for n in range(5):
        citizen, provider = (ParticipantFactory(workshop=workshop, role=role) for role in ("citizen", "provider"))
        poll_answer(participant_id=citizen.pk, activity_id=made["poll"].pk, option_ids=[dubasari if n < 3 else calarasi])
        poll_answer(participant_id=provider.pk, activity_id=made["poll"].pk, option_ids=[dubasari if n < 2 else calarasi])
    poll = Client().get("/api/workshops/LIVE23/results").json()["activities"][0]
    assert poll["by_role"]["citizen"]["options"][0]["share"] == 60.0
    assert poll["by_role"]["provider"]["options"][0]["share"] == 40.0
    assert poll["disagreements"] == []


def test_a_blind_activity_is_hidden_from_all_but_a_facilitator_until_its_results(room, facilitator, openapi):
    poll = room["poll"]
    Activity.objects.filter(pk=poll.pk).update(blind=True)
    set_activity_phase(poll, "open")
    anonymous = Client().get("/api/workshops/LIVE23/results").json()
    conforms(openapi, "ResultsOut", anonymous)
    shown = by_id(anonymous["activities"])
    assert shown[poll.pk] == {"id": poll.pk, "kind": "poll", "title": poll.title, "phase": "open", "position": 1,
                              "translations": {}, "hidden": True, "results": None, "by_role": None, "disagreements": []}
    assert shown[room["scale"].pk]["hidden"] is False  # the others are not blind
    participant = Client()
    participant.post("/api/workshops/LIVE23/participants", {"display_name": "Ana", "role": "citizen"},
                     content_type="application/json")
    assert by_id(participant.get("/api/workshops/LIVE23/results").json()["activities"])[poll.pk]["hidden"] is True

    staff = Client()
    staff.force_login(facilitator)
    seen = by_id(staff.get("/api/workshops/LIVE23/results").json()["activities"])[poll.pk]
    assert seen["hidden"] is False and seen["results"]["respondents"] == 5 and len(seen["disagreements"]) == 2

    set_activity_phase(poll, "results")
    revealed = by_id(Client().get("/api/workshops/LIVE23/results").json()["activities"])[poll.pk]
    assert revealed["hidden"] is False and revealed["results"]["respondents"] == 5


def test_blind_voting_still_forbids_the_whole_results_until_the_vote_is_over(workshop, facilitator):
    run = run_of_show(workshop, current="brainstorm")
    Activity.objects.filter(pk=run["brainstorm"].pk).update(blind=True)  # the brainstorm's own blind mode
    set_room_phase(workshop, "voting")
    response = Client().get("/api/workshops/LIVE23/results")
    assert (response.status_code, response.json()["code"]) == (403, "forbidden")
    staff = Client()
    staff.force_login(facilitator)
    assert staff.get("/api/workshops/LIVE23/results").status_code == 200


def test_blind_voting_follows_the_brainstorms_own_phase_wherever_the_room_is(room, facilitator):
    """The room's phase is the current activity's: a poll showing its results says nothing of
    the brainstorm's vote, and the brainstorm's results free the results whatever the room does."""
    workshop = room["poll"].workshop
    Activity.objects.filter(pk=room["brainstorm"].pk).update(is_current=False, phase="voting", blind=True)
    Activity.objects.filter(pk=room["poll"].pk).update(is_current=True)
    set_room_phase(workshop, "results")
    for path in ("/api/workshops/LIVE23/results", "/w/LIVE23/results/", "/w/LIVE23/results.csv"):
        assert Client().get(path).status_code == 403, path  # the dots of a blind vote still running
    staff = Client()
    staff.force_login(facilitator)
    assert staff.get("/api/workshops/LIVE23/results").status_code == 200

    Activity.objects.filter(pk=room["brainstorm"].pk).update(phase="results")
    set_room_phase(workshop, "open")  # the room runs the poll again
    body = Client().get("/api/workshops/LIVE23/results").json()
    assert body["ideas"][0]["votes"] == 3
    assert by_id(body["activities"])[room["brainstorm"].pk]["hidden"] is False


def test_results_of_a_workshop_without_activities_keep_their_old_shape(workshop, openapi):
    idea = IdeaFactory(workshop=workshop, text="Idee fără activitate")
    body = Client().get("/api/workshops/LIVE23/results").json()
    conforms(openapi, "ResultsOut", body)
    assert body["activities"] == []
    assert body["ideas"] == [{"id": idea.pk, "text": "Idee fără activitate", "tags": [], "author_role": "citizen",
                              "votes": 0, "votes_by_channel": {"phone": 0, "proxy": 0, "paper": 0},
                              "activity": None, "table": None}]


def test_an_idea_posted_before_the_run_of_show_belongs_to_the_first_brainstorm(workshop):
    earlier = IdeaFactory(workshop=workshop, text="De dinainte")  # no activity, as before issue #17
    made = run_of_show(workshop, current="brainstorm")
    body = Client().get("/api/workshops/LIVE23/results").json()
    assert body["ideas"][0]["activity"] == made["brainstorm"].pk
    brainstorm = by_id(body["activities"])[made["brainstorm"].pk]
    assert [i["id"] for i in brainstorm["results"]["ideas"]] == [earlier.pk]


# --- the snapshot's new keys (GET /api/workshops/{code}/state) --------------------------------------

def test_the_state_describes_the_run_of_show_and_this_persons_answers(room, openapi):
    Activity.objects.filter(workshop=room["poll"].workshop).update(is_current=False)
    Activity.objects.filter(pk=room["poll"].pk).update(is_current=True)
    set_room_phase(room["poll"].workshop, "open")
    person = room["people"]["citizen"][0]
    client = Client()
    session = client.session
    remember_participant(session, person)  # this browser is that citizen
    session.save()
    body = client.get("/api/workshops/LIVE23/state").json()
    conforms(openapi, "SnapshotOut", body)
    assert [a["id"] for a in body["activities"]] == [room[k].pk for k in ("poll", "scale", "brainstorm", "words")]
    assert body["current_activity"] == room["poll"].pk
    view = body["activity"]
    assert (view["kind"], view["phase"], view["max_choices"]) == ("poll", "open", 1)
    assert [o["text"] for o in view["options"]] == ["Dubăsari", "Călărași", "Rezina", "alt raion"]
    assert sum(view["counts"].values()) == 5
    assert body["me"]["participant"] == person.pk
    answers = body["me"]["answers"]
    assert answers[str(room["poll"].pk)] == [room["poll"].options.get(text="Dubăsari").pk]
    first, second, _third = room["scale"].statements.all()
    assert answers[str(room["scale"].pk)] == {str(first.pk): 1, str(second.pk): 3}
    assert answers[str(room["words"].pk)] == ["Acte", "rapid"]


def test_the_state_of_a_blind_activity_says_hidden_and_carries_no_figures(room, openapi):
    poll = room["poll"]
    Activity.objects.filter(workshop=poll.workshop).update(is_current=False)
    Activity.objects.filter(pk=poll.pk).update(is_current=True, blind=True)
    set_room_phase(poll.workshop, "open")
    body = Client().get("/api/workshops/LIVE23/state").json()
    conforms(openapi, "SnapshotOut", body)
    assert body["activity"]["hidden"] is True and "counts" not in body["activity"]


def test_the_state_of_a_workshop_without_activities_has_an_empty_run_of_show(workshop, openapi):
    body = Client().get("/api/workshops/LIVE23/state").json()
    conforms(openapi, "SnapshotOut", body)
    assert (body["activities"], body["current_activity"], body["activity"], body["me"]["answers"]) == ([], None, None, {})


def snapshot_activity(schemas: dict) -> list[dict]:
    return schemas["SnapshotOut"]["properties"]["activity"]["anyOf"]


def test_the_schema_types_every_kinds_results_and_view_by_its_kind(openapi):
    schemas = openapi["components"]["schemas"]
    results = schemas["ResultsOut"]["properties"]["activities"]["items"]
    assert results["discriminator"]["propertyName"] == "kind"
    # Every registered kind has its typed results and view (a new kind adds its models in ideas/api.py).
    assert set(results["discriminator"]["mapping"]) == set(KINDS) == {"brainstorm", "poll", "scale", "words"}
    view = next(option for option in snapshot_activity(schemas) if "discriminator" in option)
    assert set(view["discriminator"]["mapping"]) == set(KINDS)
    for kind in ("Brainstorm", "Poll", "Scale", "Words"):
        by_role = schemas[f"{kind}ResultsByRole"]
        assert set(by_role["required"]) == set(ROLES)
        assert {"results", "by_role", "disagreements", "hidden"} <= set(schemas[f"{kind}ActivityResults"]["required"])
    assert schemas["ScaleStatementResult"]["properties"]["distribution"]["minItems"] == 5
    snapshot = schemas["SnapshotOut"]
    assert {"activities", "current_activity", "activity"} <= set(snapshot["required"])
    assert "answers" in schemas["MeState"]["required"]
    assert set(schemas["RankedIdea"]["required"]) >= {"activity"}


def test_a_newcomer_is_told_the_dots_of_the_rooms_brainstorm_as_the_state_counts_them(workshop, openapi):
    """The join answer's `dots_left` is the room's brainstorm's budget (not the page's 3), the
    figure the snapshot then gives the same browser."""
    made = run_of_show(workshop)
    Activity.objects.filter(pk=made["brainstorm"].pk).update(dots_per_participant=5)
    workshop.refresh_from_db()
    phone = Client()
    joined = phone.post("/api/workshops/LIVE23/participants", {"display_name": "Ana", "role": "citizen"},
                        content_type="application/json")
    assert joined.status_code == 201
    conforms(openapi, "ParticipantOut", joined.json())
    assert joined.json()["dots_left"] == 5
    assert phone.get("/api/workshops/LIVE23/state").json()["me"]["dots_left"] == 5
    # On the poll, the room's brainstorm is still that one: the same 5.
    Activity.objects.filter(workshop=workshop).update(is_current=False)
    Activity.objects.filter(pk=made["poll"].pk).update(is_current=True, phase="open")
    other = Client().post("/api/workshops/LIVE23/participants", {"display_name": "Ion", "role": "provider"},
                          content_type="application/json")
    assert other.json()["dots_left"] == 5

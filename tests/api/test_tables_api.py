"""Moving someone to another table on the JSON API (issue #18):
`POST /api/workshops/{code}/participants/{participant_id}/table` with `{"table": "<slug>" | null}`.
A facilitator or a helper of the workshop may move anyone of the room, with a phone or
without; anyone else gets 403, an unknown person or table 404, and nothing changes."""

import json

import jsonschema_rs
import pytest
from django.core.cache import cache
from django.test import Client

from ideas import services
from ideas.models import Participant
from tests.factories import WorkshopPageFactory
from tests.ideas.factories import ParticipantFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _clear_throttle():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def workshop(tree):
    room = WorkshopPageFactory(parent=tree["workshop_index"], title="Echipa mobilă", join_code="LIVE23",
                               phase="ideas", dots_per_participant=3)
    room.offices.set([tree["rezina"], tree["calarasi"]])
    services.tables_for_offices(room)  # "calarasi" and "rezina"
    return room


@pytest.fixture
def helper(workshop, facilitator, rezina_member):
    services.helper_grant(user=facilitator, workshop=workshop, helper=rezina_member)
    return rezina_member


@pytest.fixture
def ana(workshop):
    """Someone who joined on her phone, at Rezina's table."""
    return ParticipantFactory(workshop=workshop, display_name="Ana", table=workshop.tables.get(slug="rezina"))


@pytest.fixture
def published(monkeypatch):
    frames = []
    monkeypatch.setattr("ideas.realtime.publish", lambda workshop_id, event: frames.append((workshop_id, event)))
    return frames


def logged_in(user=None) -> Client:
    client = Client(enforce_csrf_checks=True)
    if user is not None:
        client.force_login(user)
    client.get("/w/LIVE23/results/")  # sets the CSRF cookie
    return client


def move(client: Client, participant_id, body, code="LIVE23"):
    return client.post(f"/api/workshops/{code}/participants/{participant_id}/table", json.dumps(body),
                       content_type="application/json", headers={"X-CSRFToken": client.cookies["csrftoken"].value})


def seat(participant) -> str | None:
    return Participant.objects.filter(pk=participant.pk).values_list("table__slug", flat=True).get()


@pytest.mark.parametrize("who", ["helper", "facilitator"])
def test_a_helper_or_facilitator_moves_someone_to_another_table_and_their_phone_follows(
    request, who, helper, ana, workshop, published, django_capture_on_commit_callbacks
):
    client = logged_in(request.getfixturevalue(who))

    with django_capture_on_commit_callbacks(execute=True):
        response = move(client, ana.pk, {"table": "calarasi"})

    assert response.status_code == 200
    assert response.json() == {"id": ana.pk, "table": "calarasi"}
    assert seat(ana) == "calarasi"
    [(room, frame)] = [(room, event) for room, event in published if event["type"] == "participant.moved"]
    assert room == workshop.pk and (frame["participant"], frame["table"]) == (ana.pk, "calarasi")

    # null: to no table.
    response = move(client, ana.pk, {"table": None})
    assert (response.status_code, response.json()) == (200, {"id": ana.pk, "table": None})
    assert seat(ana) is None


def test_a_person_without_a_phone_is_moved_too(helper, workshop):
    ion = services.participant_join(workshop=workshop, display_name="Ion", role="citizen", entered_by=helper)
    response = move(logged_in(helper), ion.pk, {"table": "rezina"})
    assert (response.status_code, response.json()) == (200, {"id": ion.pk, "table": "rezina"})
    assert seat(ion) == "rezina"


def test_the_answer_is_what_the_published_schema_says():
    schema = Client().get("/api/openapi.json").json()
    operation = schema["paths"]["/api/workshops/{code}/participants/{participant_id}/table"]["post"]
    assert operation["security"] == [{"session": [], "csrf": []}]
    assert set(operation["responses"]) >= {"200", "400", "403", "404"}
    body = operation["requestBody"]["content"]["application/json"]["schema"]
    answer = operation["responses"]["200"]["content"]["application/json"]["schema"]
    for component, instance, valid in ((body, {"table": "rezina"}, True), (body, {"table": None}, True),
                                       (body, {}, False), (answer, {"id": 3, "table": None}, True)):
        validator = jsonschema_rs.Draft202012Validator({**component, "components": schema["components"]})
        assert validator.is_valid(instance) is valid, (component, instance)


@pytest.mark.parametrize("who", ["anonymous", "office team", "a helper of another workshop"])
def test_anyone_else_gets_403_and_nobody_moves(who, ana, calarasi_member, facilitator, tree, published):
    user = None
    if who == "office team":
        user = calarasi_member
    elif who == "a helper of another workshop":
        other = WorkshopPageFactory(parent=tree["workshop_index"], title="Alt atelier", join_code="ELSE11")
        services.helper_grant(user=facilitator, workshop=other, helper=calarasi_member)
        user = calarasi_member

    response = move(logged_in(user), ana.pk, {"table": "calarasi"})

    assert response.status_code == 403
    assert response.json()["code"] == "forbidden"
    assert seat(ana) == "rezina" and published == []


def test_without_the_csrf_token_nobody_moves(helper, ana):
    client = logged_in(helper)
    response = client.post(f"/api/workshops/LIVE23/participants/{ana.pk}/table", json.dumps({"table": "calarasi"}),
                           content_type="application/json")
    assert response.status_code == 403
    assert seat(ana) == "rezina"


def test_an_unknown_table_or_person_is_404_and_nothing_changes(helper, facilitator, ana, tree, published):
    other = WorkshopPageFactory(parent=tree["workshop_index"], title="Alt atelier", join_code="ELSE11")
    services.table_create(user=facilitator, workshop=other, name="Masa străină")
    services.helper_grant(user=facilitator, workshop=other, helper=helper)  # they help there too
    vlad = ParticipantFactory(workshop=other, display_name="Vlad")
    published.clear()
    client = logged_in(helper)

    for participant_id, body, code in (
        (ana.pk, {"table": "masa-straina"}, "LIVE23"),  # the other workshop's table
        (ana.pk, {"table": "nicaieri"}, "LIVE23"),
        (vlad.pk, {"table": "rezina"}, "LIVE23"),  # someone of the other workshop, by this one's code
        (ana.pk, {"table": "masa-straina"}, "ELSE11"),  # Ana, by the other workshop's code
        (999999, {"table": "rezina"}, "LIVE23"),
    ):
        response = move(client, participant_id, body, code=code)
        assert response.status_code == 404, (participant_id, body, code)
        assert response.json()["code"] == "not_found"

    assert seat(ana) == "rezina" and seat(vlad) is None
    assert published == []


@pytest.mark.parametrize("body", [{}, {"table": 3}, {"table": ["rezina"]}, {"table": "x" * 81}])
def test_a_malformed_body_is_400_and_nothing_changes(helper, ana, body):
    response = move(logged_in(helper), ana.pk, body)
    assert response.status_code == 400
    assert seat(ana) == "rezina"

"""The HTTP doors of the live workshop: join pages, API, presenter, results and exports."""

import csv
import io

import pytest
from django.core.cache import cache
from django.test import Client
from openpyxl import load_workbook

from ideas import services
from ideas.models import Participant

from .conftest import set_phase
from .factories import IdeaFactory, ParticipantFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _clear_throttle():
    cache.clear()
    yield
    cache.clear()


def join_api(client, code="LIVE23", **payload):
    payload = {"display_name": "Maria", "role": "citizen", **payload}
    return client.post(f"/api/workshops/{code}/participants", payload, content_type="application/json")


# --- joining ----------------------------------------------------------------------------------

def test_join_page_sends_a_typed_code_to_its_workshop(client, workshop):
    assert client.get("/join/").status_code == 200
    response = client.post("/join/", {"code": " live-23 "})
    assert response.status_code == 302 and response["Location"] == "/w/LIVE23/"


def test_join_page_says_when_a_code_is_unknown(client, workshop):
    response = client.post("/join/", {"code": "NOPE99"})
    assert response.status_code == 400
    assert response.context["form"].errors["code"]


def test_guessing_codes_is_limited_but_known_codes_still_work_for_others(client, workshop):
    for _ in range(20):
        client.post("/join/", {"code": "NOPE99"})
    blocked = client.post("/join/", {"code": "NOPE98"})
    assert blocked.status_code == 429 and blocked["Retry-After"]
    other_hall_member = Client(REMOTE_ADDR="10.0.0.7")
    assert other_hall_member.post("/join/", {"code": "LIVE23"}).status_code == 302


def test_two_hundred_people_behind_one_address_all_join(workshop):
    for n in range(200):
        assert join_api(Client(), display_name=f"P{n}").status_code == 201
    assert Participant.objects.filter(workshop=workshop).count() == 200


def test_join_form_then_the_same_url_is_the_participants_screen(client, workshop):
    page = client.get("/w/LIVE23/")
    assert page.status_code == 200 and "ideas/participant_join.html" in [t.name for t in page.templates]
    response = client.post("/w/LIVE23/", {"display_name": "Ion", "role": "provider"})
    assert response.status_code == 302
    screen = client.get("/w/LIVE23/")
    assert "ideas/participant.html" in [t.name for t in screen.templates]
    assert screen.context["initial_state"]["me"]["name"] == "Ion"
    # A reload or a second tab is the same person.
    client.get("/w/LIVE23/")
    assert Participant.objects.count() == 1


def test_lower_case_code_in_the_url_redirects_to_the_canonical_one(client, workshop):
    response = client.get("/w/live23/")
    assert response.status_code == 302 and response["Location"] == "/w/LIVE23/"


@pytest.mark.parametrize("data", [{"display_name": "", "role": "citizen"}, {"display_name": "Ion", "role": "king"},
                                  {"display_name": "x" * 61, "role": "citizen"}, {}])
def test_bad_join_form_shows_errors_and_creates_nobody(client, workshop, data):
    response = client.post("/w/LIVE23/", data)
    assert response.status_code == 400
    assert response.context["form"].errors
    assert not Participant.objects.exists()


def test_closed_workshop_refuses_to_join(client, workshop):
    set_phase(workshop, "closed")
    response = client.post("/w/LIVE23/", {"display_name": "Ion", "role": "citizen"})
    assert response.status_code == 400
    assert not Participant.objects.exists()


def test_unknown_workshop_page_is_404(client, tree):
    assert client.get("/w/NOPE99/").status_code == 404


# --- API ---------------------------------------------------------------------------------------

def test_api_join_answers_201_and_keeps_the_participant_in_the_session(client, workshop):
    response = join_api(client)
    assert response.status_code == 201
    body = response.json()
    assert (body["display_name"], body["role"], body["dots_left"], body["workshop"]) == ("Maria", "citizen", 3, "LIVE23")
    state = client.get("/api/workshops/LIVE23/state").json()
    assert state["type"] == "snapshot" and state["me"]["participant"] == body["id"]
    assert join_api(client).status_code == 409


def test_api_join_requires_the_csrf_token(workshop):
    client = Client(enforce_csrf_checks=True)
    response = join_api(client)
    assert response.status_code == 403
    assert response.json()["code"] == "csrf_failed"
    client.get("/join/")  # the page sets the CSRF cookie
    token = client.cookies["csrftoken"].value
    response = client.post(
        "/api/workshops/LIVE23/participants", {"display_name": "Ana", "role": "citizen"},
        content_type="application/json", headers={"X-CSRFToken": token},
    )
    assert response.status_code == 201


@pytest.mark.parametrize(
    ("payload", "status", "code"),
    [({"role": "mayor"}, 400, "invalid"), ({"display_name": ""}, 400, "invalid"),
     ({"display_name": None}, 400, "invalid"), ({"display_name": ["x"]}, 400, "invalid")],
)
def test_api_join_bad_input_is_a_clear_4xx(client, workshop, payload, status, code):
    response = join_api(client, **payload)
    assert response.status_code == status
    assert response.json()["code"] == code and response.json()["message"]
    assert not Participant.objects.exists()


def test_api_join_body_that_is_not_json(client, workshop):
    response = client.post("/api/workshops/LIVE23/participants", "{nope", content_type="application/json")
    assert response.status_code == 400
    assert response.json()["code"] == "invalid"


def test_api_unknown_code_is_404_json(client, tree):
    response = join_api(client, code="NOPE99")
    assert response.status_code == 404 and response.json()["code"] == "not_found"
    assert client.get("/api/workshops/NOPE99/state").json()["code"] == "not_found"


def test_api_results_are_ranked_and_split_by_channel(client, workshop):
    ideas = [IdeaFactory(workshop=workshop, text=f"Idee {n}") for n in range(2)]
    set_phase(workshop, "voting")
    voter = ParticipantFactory(workshop=workshop)
    services.vote_cast(participant_id=voter.pk, idea_id=ideas[1].pk)
    body = client.get("/api/workshops/LIVE23/results").json()
    assert body["workshop"]["code"] == "LIVE23"
    assert [i["id"] for i in body["ideas"]] == [ideas[1].pk, ideas[0].pk]
    assert body["ideas"][0]["votes"] == 1
    assert body["ideas"][0]["votes_by_channel"] == {"phone": 1, "proxy": 0, "paper": 0}
    assert set(body["ideas"][0]) == {"id", "text", "tags", "author_role", "votes", "votes_by_channel", "activity", "table"}


def test_blind_results_are_forbidden_until_shown(client, workshop, facilitator):
    type(workshop).objects.filter(pk=workshop.pk).update(blind_voting=True, phase="voting")
    assert client.get("/api/workshops/LIVE23/results").status_code == 403
    assert client.get("/w/LIVE23/results/").status_code == 403
    assert client.get("/w/LIVE23/results.csv").status_code == 403
    client.force_login(facilitator)
    assert client.get("/api/workshops/LIVE23/results").status_code == 200


def test_openapi_lists_the_workshop_endpoints(client):
    paths = client.get("/api/openapi.json").json()["paths"]
    assert {"/api/workshops/{code}/participants", "/api/workshops/{code}/state", "/api/workshops/{code}/results"} <= set(paths)


# --- screens and exports ----------------------------------------------------------------------

def test_presenter_shows_the_code_and_a_qr_and_controls_only_for_facilitators(client, workshop, facilitator):
    page = client.get("/w/LIVE23/present/")
    html = page.content.decode()
    assert page.status_code == 200 and "LIVE23" in html and "<svg" in html
    assert page.context["is_facilitator"] is False
    client.force_login(facilitator)
    assert client.get("/w/LIVE23/present/").context["is_facilitator"] is True


def test_qr_svg_encodes_the_join_url(client, workshop):
    response = client.get("/w/LIVE23/qr.svg")
    assert response.status_code == 200 and response["Content-Type"] == "image/svg+xml"
    assert response.content.startswith(b"<?xml") and b'<svg xmlns="http://www.w3.org/2000/svg"' in response.content


def test_participant_text_is_escaped_everywhere(client, workshop):
    IdeaFactory(workshop=workshop, text='<script>alert("x")</script>')
    client.post("/w/LIVE23/", {"display_name": "<b>Ion</b>", "role": "citizen"})
    for url in ("/w/LIVE23/", "/w/LIVE23/present/", "/w/LIVE23/results/"):
        html = client.get(url).content.decode()
        assert '<script>alert("x")</script>' not in html, url
        assert "<b>Ion</b>" not in html, url


def test_results_page_lists_many_ideas_in_a_fixed_number_of_queries(client, workshop, django_assert_max_num_queries):
    voter = ParticipantFactory(workshop=workshop, dots_left=50)
    set_phase(workshop, "voting")
    for n in range(40):
        idea = IdeaFactory(workshop=workshop, text=f"Idee {n}")
        idea.tags.add(f"tag{n % 5}")
        services.vote_cast(participant_id=voter.pk, idea_id=idea.pk)
    with django_assert_max_num_queries(20):
        response = client.get("/w/LIVE23/results/")
    assert response.status_code == 200
    assert len(response.context["results"]) == 40


def test_csv_neutralises_formulas_and_keeps_diacritics(client, workshop):
    IdeaFactory(workshop=workshop, text="=HYPERLINK(\"http://evil\")")
    IdeaFactory(workshop=workshop, text="Înregistrare ușoară")
    response = client.get("/w/LIVE23/results.csv")
    assert response.status_code == 200
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    texts = [row[1] for row in rows[1:]]
    assert "'=HYPERLINK(\"http://evil\")" in texts
    assert "Înregistrare ușoară" in texts


def test_xlsx_is_for_facilitators_only(client, workshop, facilitator, rezina_member):
    IdeaFactory(workshop=workshop, text="-1+1")
    assert client.get("/w/LIVE23/results.xlsx").status_code == 302  # to the login
    client.force_login(rezina_member)
    assert client.get("/w/LIVE23/results.xlsx").status_code == 403
    client.force_login(facilitator)
    response = client.get("/w/LIVE23/results.xlsx")
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert sheet.cell(row=2, column=2).value == "'-1+1"

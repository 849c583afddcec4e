"""Pinned feedback: every bad input, the rate limit, who sees pins, triage by office, and one
click to an action item."""

import json
import re

import pytest
from django.core.cache import cache
from django.test import Client

from feedback import services
from feedback.models import Feedback
from plans.models import ActionItem, ActionPlan
from tests.prototypes.factories import PrototypeFactory, ScreenFactory, VersionFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _clean_limits():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def version(tree):
    prototype = PrototypeFactory(slug="maternitate")
    prototype.offices.set([tree["rezina"]])
    prototype.save()
    return VersionFactory(prototype=prototype, number=1, published=True)


@pytest.fixture
def screen(version):
    return ScreenFactory(version=version, title="Formular")


def post(client, slug="maternitate", **body):
    return client.post(f"/api/prototypes/{slug}/feedback", json.dumps(body), content_type="application/json")


def good(screen_obj, **changes):
    return {"version": 1, "screen": screen_obj.pk, "x": 0.4, "y": 0.6, "text": "Nu înțeleg câmpul IDNP", "rating": 3,
            "role": "citizen", **changes}


def test_a_citizen_pins_feedback_and_sees_and_edits_it(client, screen):
    response = post(client, **good(screen))
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["x"], body["y"], body["rating"], body["role"], body["mine"], body["status"]) == (0.4, 0.6, 3, "citizen", True, "new")
    listed = client.get("/api/prototypes/maternitate/feedback", {"version": 1}).json()["pins"]
    assert [p["id"] for p in listed] == [body["id"]]
    edited = client.patch(f"/api/feedback/{body['id']}", json.dumps({"text": "IDNP-ul copilului"}), content_type="application/json")
    assert edited.status_code == 200 and edited.json()["text"] == "IDNP-ul copilului"
    stranger = Client()
    assert stranger.get("/api/prototypes/maternitate/feedback", {"version": 1}).json()["pins"] == []
    refused = stranger.patch(f"/api/feedback/{body['id']}", json.dumps({"text": "hack"}), content_type="application/json")
    assert refused.status_code == 403
    assert Feedback.objects.get().text == "IDNP-ul copilului"


@pytest.mark.parametrize(
    "changes",
    [{"x": 1.2}, {"y": -0.1}, {"rating": 6}, {"rating": 0}, {"text": ""}, {"text": "   "}, {"text": "x" * 1001},
     {"role": "mayor"}, {"screen": 999999}, {"x": "left"}, {"version": 7}],
)
def test_bad_feedback_is_refused_and_nothing_is_stored(client, screen, changes):
    response = post(client, **good(screen, **changes))
    assert 400 <= response.status_code < 500
    assert response.json()["code"] in ("invalid", "not_found")
    assert not Feedback.objects.exists()


def test_a_screen_of_another_version_is_refused(client, version, screen):
    other = ScreenFactory(version=VersionFactory(prototype=version.prototype, number=2, published=True))
    response = post(client, **good(screen, screen=other.pk))
    assert (response.status_code, response.json()["code"]) == (404, "not_found") and not Feedback.objects.exists()


def test_an_unpublished_version_takes_feedback_only_from_those_who_may_see_it(client, version, screen, rezina_member):
    type(version).objects.filter(pk=version.pk).update(published=False)
    assert post(client, **good(screen)).status_code == 404
    client.force_login(rezina_member)
    assert post(client, **good(screen)).status_code == 201


def test_anonymous_feedback_is_rate_limited_per_session(client, screen):
    codes = [post(client, **good(screen)).status_code for _ in range(32)]
    assert codes[:30] == [201] * 30
    limited = post(client, **good(screen))
    assert limited.status_code == 429 and limited.json()["code"] == "rate_limited"
    assert Feedback.objects.count() == 30


def test_play_mode_shows_own_pins_escaped_and_everyone_elses_only_when_public(client, version, screen):
    post(client, **good(screen, text="<script>alert(1)</script> prea mic"))
    html = client.get(f"/p/maternitate/v1/s{screen.pk}/").content.decode()
    assert "pin-mine" in html and "&lt;script&gt;" in html and "<script>alert(1)</script>" not in html
    other = Client()
    assert 'class="pin' not in other.get(f"/p/maternitate/v1/s{screen.pk}/").content.decode()
    type(version).objects.filter(pk=version.pk).update(feedback_public=True)
    assert 'class="pin' in other.get(f"/p/maternitate/v1/s{screen.pk}/").content.decode()


def test_play_mode_offers_one_way_to_comment_which_works_without_javascript(client, screen):
    html = client.get(f"/p/maternitate/v1/s{screen.pk}/").content.decode()
    tools = html[html.index('class="play-tools"'):html.index("</footer>")]
    controls = re.findall(r"<(a|button)\b[^>]*>", tools.split('id="comment-form"')[0])
    assert len(controls) == 1, controls
    # Without JavaScript it is a link to the feedback form (play.js turns it into a toggle).
    assert f'id="comment-toggle" class="play-button" href="/p/maternitate/v1/s{screen.pk}/feedback/"' in tools


def test_the_no_javascript_form_pins_feedback_too(client, screen):
    url = f"/p/maternitate/v1/s{screen.pk}/feedback/"
    assert client.get(url).status_code == 200
    response = client.post(url, {"text": "Butonul e prea jos", "rating": "2", "role": "citizen", "x": "0.5", "y": "0.9"})
    assert response.status_code == 302
    assert Feedback.objects.get().y == 0.9
    assert client.post(url, {"text": "", "x": "2", "y": "0.5"}).status_code == 400
    assert Feedback.objects.count() == 1


def test_triage_by_the_prototypes_office_team_only(client, screen, rezina_member, calarasi_member, facilitator):
    feedback = services.feedback_submit(user=rezina_member, session_key="s", version=screen.version, screen_id=screen.pk,
                                        x=0.5, y=0.5, text="Prea multe câmpuri")
    client.force_login(calarasi_member)
    assert "Prea multe" not in client.get("/admin/feedback/").content.decode()
    assert client.get(f"/admin/feedback/{feedback.pk}/").status_code == 404
    client.post(f"/admin/feedback/{feedback.pk}/", {"status": "declined", "reply": "nu"})
    feedback.refresh_from_db()
    assert feedback.status == "new"
    client.force_login(rezina_member)
    assert "Prea multe" in client.get("/admin/feedback/").content.decode()
    response = client.post(f"/admin/feedback/{feedback.pk}/", {"status": "planned", "reply": "Le reducem în v2."})
    assert response.status_code == 302
    feedback.refresh_from_db()
    assert (feedback.status, feedback.reply, feedback.replied_by) == ("planned", "Le reducem în v2.", rezina_member)
    client.force_login(facilitator)
    assert client.get(f"/admin/feedback/{feedback.pk}/").status_code == 200


def test_one_click_makes_an_action_item_linked_back(client, tree, screen, rezina_member, calarasi_member):
    plan = ActionPlan.objects.create(office=tree["rezina"], title="Planul Rezina", published=True)
    other_plan = ActionPlan.objects.create(office=tree["calarasi"], title="Planul Călărași", published=True)
    feedback = services.feedback_submit(user=rezina_member, session_key="s", version=screen.version, screen_id=screen.pk,
                                        x=0.5, y=0.5, text="Vreau SMS la schimbarea statutului")
    client.force_login(calarasi_member)
    client.post(f"/admin/feedback/{feedback.pk}/action-item/", {"plan": other_plan.pk})
    assert not ActionItem.objects.exists()
    client.force_login(rezina_member)
    client.post(f"/admin/feedback/{feedback.pk}/action-item/", {"plan": plan.pk})
    item = ActionItem.objects.get()
    assert list(item.feedback.all()) == [feedback] and list(item.prototype_versions.all()) == [screen.version]
    feedback.refresh_from_db()
    assert feedback.status == "planned"
    origins = client.get("/api/offices/rezina/plan").json()["plans"][0]["items"][0]["origins"]
    assert {"kind": "feedback", "id": feedback.pk, "text": feedback.text} in origins

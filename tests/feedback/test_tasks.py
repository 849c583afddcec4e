"""Taking a test task: runs, taps stored as they happen (hit or miss decided by the server),
goals, giving up and restarting, and the refusals."""

import json
import re

import pytest
from django.core.cache import cache
from django.test import Client

from feedback.models import Tap, TaskRun, TestTask
from prototypes.models import Hotspot
from tests.prototypes.factories import PrototypeFactory, ScreenFactory, VersionFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _clean_limits():
    cache.clear()


@pytest.fixture
def flow(tree):
    prototype = PrototypeFactory(slug="maternitate")
    version = VersionFactory(prototype=prototype, number=1, published=True)
    start, form, status = (ScreenFactory(version=version, title=t, sort_order=n) for n, t in enumerate(["Start", "Formular", "Statut"]))
    Hotspot.objects.create(screen=start, x=0.1, y=0.8, w=0.8, h=0.1, target_screen=form)
    Hotspot.objects.create(screen=form, x=0.1, y=0.8, w=0.8, h=0.1, target_screen=status)
    Hotspot.objects.create(screen=form, x=0.0, y=0.0, w=0.2, h=0.1, back=True)
    task = TestTask.objects.create(version=version, instruction="Depuneți cererea", start_screen=start,
                                   expected_path=[start.pk, form.pk, status.pk])
    task.goal_screens.set([status])
    return {"task": task, "start": start, "form": form, "status": status}


def api(client, url, body=None):
    return client.post(url, json.dumps(body or {}), content_type="application/json")


def start_run(client, task):
    response = api(client, f"/api/tasks/{task.pk}/runs")
    assert response.status_code == 201, response.content
    return response.json()


def test_a_run_records_every_tap_and_ends_at_the_goal(client, flow):
    run = start_run(client, flow["task"])
    assert run["play_url"] == f"/p/maternitate/v1/s{flow['start'].pk}/?run={run['run']}"
    taps = f"/api/task-runs/{run['run']}/taps"
    miss = api(client, taps, {"screen": flow["start"].pk, "x": 0.5, "y": 0.2}).json()
    assert (miss["hit"], miss["led_to"], miss["completed"]) == (False, None, False)
    hit = api(client, taps, {"screen": flow["start"].pk, "x": 0.5, "y": 0.85}).json()
    assert (hit["hit"], hit["led_to"]) == (True, flow["form"].pk)
    back = api(client, taps, {"screen": flow["form"].pk, "x": 0.05, "y": 0.05}).json()
    assert back["led_to"] == flow["start"].pk
    api(client, taps, {"screen": flow["start"].pk, "x": 0.5, "y": 0.85})
    done = api(client, taps, {"screen": flow["form"].pk, "x": 0.5, "y": 0.85}).json()
    assert done["completed"] is True
    stored = TaskRun.objects.get(pk=run["run"])
    assert stored.outcome == "completed" and stored.ended_at is not None
    assert list(Tap.objects.filter(run=stored).values_list("hit", flat=True)) == [False, True, True, True, True]
    times = list(Tap.objects.filter(run=stored).values_list("ms_since_start", flat=True))
    assert times == sorted(times)
    # The run is over: more taps are refused, nothing stored.
    late = api(client, taps, {"screen": flow["status"].pk, "x": 0.5, "y": 0.5})
    assert (late.status_code, late.json()["code"]) == (409, "conflict") and Tap.objects.filter(run=stored).count() == 5


def test_taps_are_refused_when_off_the_screen_or_on_the_wrong_screen_or_from_another_browser(client, flow):
    run = start_run(client, flow["task"])
    taps = f"/api/task-runs/{run['run']}/taps"
    for body in ({"screen": flow["start"].pk, "x": 1.5, "y": 0.5}, {"screen": flow["start"].pk, "x": 0.5, "y": -1},
                 {"screen": flow["start"].pk, "x": "a", "y": 0.5}):
        assert api(client, taps, body).status_code == 400, body
    # A well-formed tap on another screen than the run's: the run's state refuses it.
    assert api(client, taps, {"screen": flow["status"].pk, "x": 0.5, "y": 0.5}).status_code == 409
    assert api(Client(), taps, {"screen": flow["start"].pk, "x": 0.5, "y": 0.5}).status_code == 403
    assert api(client, "/api/task-runs/999999/taps", {"screen": 1, "x": 0.5, "y": 0.5}).status_code == 404
    assert not Tap.objects.exists()


def test_give_up_and_restart_are_recorded(client, flow):
    run = start_run(client, flow["task"])
    again = api(client, f"/api/task-runs/{run['run']}/restart")
    assert again.status_code == 201
    assert TaskRun.objects.get(pk=run["run"]).outcome == "restarted"
    new_run = again.json()["run"]
    assert api(client, f"/api/task-runs/{new_run}/give-up").json()["outcome"] == "gave_up"
    assert api(client, f"/api/task-runs/{new_run}/give-up").status_code == 409


def test_closed_and_unpublished_tasks_cannot_be_started(client, flow):
    TestTask.objects.filter(pk=flow["task"].pk).update(active=False)
    assert api(client, f"/api/tasks/{flow['task'].pk}/runs").status_code == 409
    TestTask.objects.filter(pk=flow["task"].pk).update(active=True)
    flow["task"].version.__class__.objects.filter(pk=flow["task"].version_id).update(published=False)
    assert api(client, f"/api/tasks/{flow['task'].pk}/runs").status_code == 404
    assert not TaskRun.objects.exists()


def test_the_task_page_starts_a_run_and_play_mode_shows_the_task(client, flow):
    url = f"/p/maternitate/v1/tasks/{flow['task'].pk}/"
    assert "Depuneți cererea" in client.get(url).content.decode()
    response = client.post(url)
    run = TaskRun.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/p/maternitate/v1/s{flow['start'].pk}/?run={run.pk}"
    html = client.get(response["Location"]).content.decode()
    assert 'id="task-bar"' in html and "Depuneți cererea" in html and f"run={run.pk}" in html
    # Another browser with the same link does not join this run.
    assert 'id="task-bar"' not in Client().get(response["Location"]).content.decode()


def test_a_link_followed_outside_the_task_shows_the_screen_the_run_is_at(client, flow):
    run = start_run(client, flow["task"])
    response = client.get(f"/p/maternitate/v1/s{flow['status'].pk}/?run={run['run']}")
    assert response.status_code == 302
    assert response["Location"] == f"/p/maternitate/v1/s{flow['start'].pk}/?run={run['run']}"


def _finish(client, flow, run_id):
    taps = f"/api/task-runs/{run_id}/taps"
    api(client, taps, {"screen": flow["start"].pk, "x": 0.5, "y": 0.85})
    assert api(client, taps, {"screen": flow["form"].pk, "x": 0.5, "y": 0.85}).json()["completed"] is True


def _next_step(html: str) -> str | None:
    found = re.search(r'<a class="play-button" id="task-next" href="([^"]+)"', html)
    return found.group(1) if found else None


def test_a_finished_task_leads_to_the_next_task_then_to_the_summary(client, flow):
    second = TestTask.objects.create(version=flow["task"].version, instruction="Găsiți statutul", start_screen=flow["start"])
    second.goal_screens.set([flow["form"]])
    closed = TestTask.objects.create(version=flow["task"].version, instruction="Închisă", start_screen=flow["start"], active=False)
    closed.goal_screens.set([flow["form"]])

    run = start_run(client, flow["task"])
    running = client.get(run["play_url"]).content.decode()
    assert _next_step(running) is None and 'id="task-leave"' not in running  # nothing to leave for yet
    _finish(client, flow, run["run"])
    html = client.get(f"/p/maternitate/v1/s{flow['status'].pk}/?run={run['run']}").content.decode()
    assert 'id="task-done"' in html
    assert _next_step(html) == f"/p/maternitate/v1/tasks/{second.pk}/"
    # And back to the prototype, outside any task.
    assert f'id="task-leave" href="/p/maternitate/v1/s{flow["start"].pk}/"' in html

    # The last open task of the version leads to what testers said (the closed one is skipped).
    run = start_run(client, second)
    api(client, f"/api/task-runs/{run['run']}/taps", {"screen": flow["start"].pk, "x": 0.5, "y": 0.85})
    html = client.get(f"/p/maternitate/v1/s{flow['form'].pk}/?run={run['run']}").content.decode()
    assert _next_step(html) == "/p/maternitate/v1/summary/"


def test_a_tester_who_gave_up_is_offered_the_next_step_too(client, flow):
    run = start_run(client, flow["task"])
    api(client, f"/api/task-runs/{run['run']}/give-up")
    html = client.get(run["play_url"]).content.decode()
    assert 'id="task-done"' not in html and _next_step(html) == "/p/maternitate/v1/summary/"

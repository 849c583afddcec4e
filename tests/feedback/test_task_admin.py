"""Defining tasks in the admin, the results page with heatmaps, and the public summary, on the demo."""

import io

import pytest
from django.core.management import call_command
from django.test import override_settings
from PIL import Image

from feedback.models import TestTask
from prototypes.models import PrototypeVersion

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo(bare_site):
    with override_settings(DEBUG=True):
        call_command("seed_demo")
    return PrototypeVersion.objects.get(prototype__slug="maternitate-online", number=1)


def login(client, username):
    assert client.login(username=username, password="atelier-demo")


def test_the_demo_task_shows_its_figures_and_heatmaps(client, demo):
    login(client, "facilitator")
    task = TestTask.objects.get(version=demo)
    response = client.get(f"/admin/feedback/tasks/{task.pk}/")
    assert response.status_code == 200
    metrics = response.context["metrics"]
    assert (metrics["runs"], metrics["completed_direct"], metrics["completed_indirect"], metrics["gave_up"]) == (4, 2, 1, 1)  # a misclick on the expected path is still direct
    assert metrics["completion_rate"] == 0.75
    assert 0 <= metrics["score"] <= 100
    screen = demo.screens.get(title="Formular")
    png = client.get(f"/admin/feedback/tasks/{task.pk}/heatmap/{screen.pk}.png")
    assert png.status_code == 200 and png["Content-Type"] == "image/png"
    picture = Image.open(io.BytesIO(png.content))
    rendition = screen.image.get_rendition("max-1080x2400")
    assert picture.size == (rendition.width, rendition.height)


def test_office_teams_see_their_prototypes_results_only(client, demo):
    task = TestTask.objects.get(version=demo)
    login(client, "rezina")  # the demo prototype serves all three pilot offices
    assert client.get(f"/admin/feedback/tasks/{task.pk}/").status_code == 200
    demo.prototype.offices.set(demo.prototype.offices.exclude(slug="rezina"))
    demo.prototype.save()
    response = client.get(f"/admin/feedback/tasks/{task.pk}/")
    assert response.status_code != 200


def test_a_task_is_defined_with_screens_of_its_version_only(client, demo):
    login(client, "facilitator")
    screens = {s.title: s.pk for s in demo.screens.all()}
    url = f"/admin/feedback/versions/{demo.pk}/tasks/new/"
    assert client.get(url).status_code == 200
    bad = client.post(url, {"instruction": "Găsiți statutul", "start_screen": screens["Start"], "goal_screens": [999999]})
    assert bad.status_code == 400
    bad = client.post(url, {"instruction": "", "start_screen": screens["Start"], "goal_screens": [screens["Statut"]]})
    assert bad.status_code == 400
    response = client.post(url, {
        "instruction": "Găsiți statutul cererii", "start_screen": screens["Start"], "goal_screens": [screens["Statut"]],
        "active": "on", "path_1": screens["Start"], "path_2": screens["Formular"], "path_3": screens["Acte"],
        "path_4": screens["Statut"],
    })
    assert response.status_code == 302
    task = TestTask.objects.get(instruction="Găsiți statutul cererii")
    assert task.expected_path == [screens["Start"], screens["Formular"], screens["Acte"], screens["Statut"]]


def test_the_public_summary_of_a_version(client, demo):
    response = client.get("/p/maternitate-online/v1/summary/")
    assert response.status_code == 200
    summary = response.context["summary"]
    assert summary["feedback"] == 3
    assert {row["title"]: row["mean_rating"] for row in summary["screens"]}["Acte"] == 5
    assert summary["tasks"][0]["runs"] == 4
    assert client.get("/p/maternitate-online/v9/summary/").status_code == 404

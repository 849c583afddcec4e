"""Service maps: the demo's metrics, the API shape, the public page, the office page, and the
rule that a to-be step replaces only as-is steps of the same service."""

from decimal import Decimal

import pytest
from django.core.management import call_command
from django.test import override_settings
from django.urls import reverse

from prototypes.models import MapStep, ServiceMap
from prototypes.selectors import map_metrics
from tests.factories import ServiceFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo(bare_site):
    with override_settings(DEBUG=True):
        call_command("seed_demo")


def test_the_demo_maps_have_26_and_20_steps_and_6_removed(demo, client):
    body = client.get("/api/services/indemnizatia-de-maternitate/maps").json()
    assert body["service"] == "indemnizatia-de-maternitate"
    as_is, to_be = body["maps"]
    assert (as_is["kind"], to_be["kind"]) == ("as_is", "to_be")
    assert as_is["metrics"]["steps"] == 26 and as_is["metrics"]["steps_removed"] == 6
    assert to_be["metrics"]["steps"] == 20 and to_be["metrics"]["steps_removed"] == 0
    removed = [s for s in as_is["steps"] if s["removed"]]
    assert len(removed) == 6 and {s["actor"] for s in removed} == {"back_office"}
    assert {s["channel"] for s in removed} == {"paper"}
    assert to_be["metrics"]["citizen_visits_in_person"] < as_is["metrics"]["citizen_visits_in_person"]
    assert to_be["metrics"]["documents_citizen_brings"] < as_is["metrics"]["documents_citizen_brings"]
    assert to_be["metrics"]["paper_steps"] == 0 < as_is["metrics"]["paper_steps"]
    assert to_be["metrics"]["estimated_days"] < as_is["metrics"]["estimated_days"]
    step = to_be["steps"][2]
    assert set(step) == {"id", "position", "title", "actor", "channel", "documents", "duration_days", "removed", "replaces"}
    as_is_ids = {s["id"] for s in as_is["steps"]}
    assert all(set(s["replaces"]) <= as_is_ids for s in to_be["steps"])
    # None of the removed steps is replaced: they are simply gone.
    replaced = {i for s in to_be["steps"] for i in s["replaces"]}
    assert not replaced & {s["id"] for s in removed}


def test_metrics_count_what_the_steps_say():
    steps = [
        MapStep(title="a", actor="citizen", channel="in_person", documents="buletin\nCerere", duration_days=1),
        MapStep(title="b", actor="citizen", channel="in_person", documents="Buletin", duration_days=2),
        MapStep(title="c", actor="back_office", channel="paper", removed=True, duration_days=Decimal("0.5")),
    ]
    metrics = map_metrics(steps)
    assert metrics.as_dict() == {
        "steps": 3, "steps_removed": 1, "citizen_visits_in_person": 2, "documents_citizen_brings": 2,
        "paper_steps": 1, "estimated_days": 3.5,
    }


def test_the_service_page_shows_both_maps_side_by_side_with_the_differences(demo, client):
    response = client.get("/services/indemnizatia-de-maternitate/")
    assert response.status_code == 200
    html = response.content.decode()
    assert 'data-metric="steps"' in html and 'data-as-is="26"' in html and 'data-to-be="20"' in html
    assert html.count("is-removed") == 6
    assert "blueprint-as_is" in html and "blueprint-to_be" in html
    assert "/p/maternitate-online/" in html
    assert client.get("/services/nope/").status_code == 404


def test_the_service_page_lists_its_maps_in_few_queries(demo, client, django_assert_max_num_queries):
    with django_assert_max_num_queries(15):
        client.get("/services/indemnizatia-de-maternitate/")


def test_the_office_page_lists_its_prototypes_and_maps(demo, client):
    html = client.get("/birouri/rezina/").content.decode()
    assert "/p/maternitate-online/" in html
    assert "/services/indemnizatia-de-maternitate/" in html


def test_a_to_be_step_cannot_replace_a_step_of_another_services_map(demo, facilitator, client):
    other_service = ServiceFactory(slug="ajutor", name="Ajutor")
    foreign_map = ServiceMap.objects.create(service=other_service, kind="as_is", title="Altul")
    foreign_step = MapStep.objects.create(map=foreign_map, title="Pas străin", actor="citizen", channel="paper", sort_order=1)
    to_be = ServiceMap.objects.get(service__slug="indemnizatia-de-maternitate", kind="to_be")
    client.force_login(facilitator)
    url = reverse("wagtailsnippets_prototypes_servicemap:edit", args=[to_be.pk])
    form = client.get(url).context["form"]
    data = {}
    for name, field in form.fields.items():
        value = form.initial.get(name, field.initial)
        data[name] = getattr(value, "pk", value) if value is not None else ""
    steps = form.formsets["steps"]
    for key, value in steps.management_form.initial.items():
        data[f"steps-{key}"] = value
    for index, step_form in enumerate(steps.forms):
        for name in step_form.fields:
            value = step_form.initial.get(name)
            if name == "replaces":
                value = [s.pk for s in (value or [])]
            data[f"steps-{index}-{name}"] = "" if value is None else value
        data[f"steps-{index}-ORDER"] = index + 1
    data["steps-0-replaces"] = [foreign_step.pk]
    before = list(MapStep.objects.get(pk=steps.forms[0].instance.pk).replaces.values_list("pk", flat=True))
    response = client.post(url, data)
    assert response.status_code == 200  # the form again, with the error
    assert response.context["form"].errors or response.context["form"].formsets["steps"].errors
    assert list(MapStep.objects.get(pk=steps.forms[0].instance.pk).replaces.values_list("pk", flat=True)) == before


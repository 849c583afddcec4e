"""Service maps: the demo's metrics, the API shape, the public page, the office page, and the
rule that a to-be step replaces only as-is steps of the same service."""

import re
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
    # The six removed steps, in the swim-lane grid and again in the lanes' lists (for phones).
    assert len(re.findall(r'<td class="step [^"]*is-removed', html)) == 6
    assert len(re.findall(r'<li class="step [^"]*is-removed', html)) == 6
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
    to_be = ServiceMap.objects.get(service__slug="indemnizatia-de-maternitate", kind="to_be", locale__language_code="ro")
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



def test_a_service_and_its_maps_translated_in_the_admin_s_way_speak_the_reader_s_language(tree, client):
    """Wagtail's own "Translate" (copy_for_translation) of a service and of a map: the words in
    Russian at the service's one address, the facts (steps, metrics) the same."""
    from wagtail.models import Locale

    ru = Locale.objects.get(language_code="ru")
    service = ServiceFactory(slug="ajutor-social", name="Ajutor social", institution="DASPF")
    as_is = ServiceMap.objects.create(service=service, kind="as_is", title="Azi")
    MapStep.objects.create(map=as_is, sort_order=1, title="Depune cererea", actor="citizen", channel="in_person",
                           documents="buletin", duration_days=1)
    translated_service = service.copy_for_translation(ru)
    translated_service.name = "Социальная помощь"
    translated_service.save()
    translated_map = as_is.copy_for_translation(ru)  # with its steps
    translated_map.title = "Сегодня"
    translated_map.save()
    translated_map.steps.update(title="Подаёт заявление", documents="удостоверение личности")

    def page(language):
        client.cookies["atelier_language"] = language
        response = client.get("/services/ajutor-social/")
        assert response.status_code == 200
        return response.content.decode()

    russian = page("ru")
    assert "Социальная помощь" in russian and "Сегодня" in russian and "Подаёт заявление" in russian
    assert "Depune cererea" not in russian and 'data-step-id=' in russian
    romanian = page("ro")
    assert "Ajutor social" in romanian and "Depune cererea" in romanian and "Подаёт" not in romanian
    # One service and one map per family, whatever the language: the API answers in the reader's.
    body = client.get("/api/services/ajutor-social/maps", HTTP_ACCEPT_LANGUAGE="ru").json()
    assert [(m["title"], m["metrics"]["steps"]) for m in body["maps"]] == [("Azi", 1)]  # the cookie says ro
    client.cookies["atelier_language"] = "ru"
    body = client.get("/api/services/ajutor-social/maps").json()
    assert [(m["title"], [s["title"] for s in m["steps"]]) for m in body["maps"]] == [("Сегодня", ["Подаёт заявление"])]


def test_the_admin_translates_a_service_and_refuses_a_second_service_at_the_same_slug(tree, client):
    from wagtail.models import Locale

    from tests.factories import UserFactory
    from workshop_site.offices.models import Service

    client.force_login(UserFactory(username="admin", is_staff=True, is_superuser=True))
    service = ServiceFactory(slug="ajutor-social", name="Ajutor social", institution="DASPF")
    ru = Locale.objects.get(language_code="ru")
    url = reverse("simple_translation:submit_snippet_translation", args=["offices", "service", service.pk])
    assert client.post(url, {"locales": [ru.pk]}).status_code == 302
    translation = Service.objects.get(translation_key=service.translation_key, locale=ru)
    assert (translation.slug, translation.name) == ("ajutor-social", "Ajutor social")  # to be put in Russian

    add = reverse("wagtailsnippets_offices_service:add")
    response = client.post(add, {"name": "Alt ajutor", "slug": "ajutor-social", "institution": "X", "description": "",
                                 "tags": ""})
    assert response.status_code == 200 and "slug" in response.context["form"].errors
    assert Service.objects.filter(slug="ajutor-social").count() == 2  # the service and its translation

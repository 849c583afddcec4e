"""The Wagtail admin door of plans: the same rule as the pages and API, and every edit kept
in the item's history."""

import pytest
from django.urls import reverse

from plans.models import ActionItem, ActionPlan, ItemUpdate

pytestmark = pytest.mark.django_db


@pytest.fixture
def plans(tree):
    rezina = ActionPlan.objects.create(office=tree["rezina"], title="Planul Rezina", published=True)
    calarasi = ActionPlan.objects.create(office=tree["calarasi"], title="Planul Călărași", published=True)
    return {
        "rezina": rezina, "calarasi": calarasi,
        "rezina_item": ActionItem.objects.create(plan=rezina, title="Scaner Rezina", progress=10),
        "calarasi_item": ActionItem.objects.create(plan=calarasi, title="Scaner Călărași", progress=10),
    }


def item_form_data(item, **changes):
    data = {
        "plan": item.plan_id, "title": item.title, "description": item.description, "owner_user": "",
        "owner_name": item.owner_name, "owner_institution": item.owner_institution, "start": "", "due": "",
        "status": item.status, "progress": item.progress, "priority": item.priority, "weight": item.weight, "note": "",
    }
    data.update(changes)
    return data


def test_an_office_team_lists_only_its_own_plans_and_items(client, plans, rezina_member):
    client.force_login(rezina_member)
    html = client.get(reverse("action_plans:index")).content.decode()
    assert "Planul Rezina" in html and "Planul Călărași" not in html
    html = client.get(reverse("action_items:index")).content.decode()
    assert "Scaner Rezina" in html and "Scaner Călărași" not in html


def test_an_office_team_edits_its_item_in_the_admin_and_the_history_keeps_it(client, plans, rezina_member):
    item = plans["rezina_item"]
    client.force_login(rezina_member)
    url = reverse("action_items:edit", args=[item.pk])
    assert client.get(url).status_code == 200
    response = client.post(url, item_form_data(item, status="in_progress", progress=60, note="Comandat"))
    assert response.status_code == 302, response.content.decode()[-2000:]
    item.refresh_from_db()
    assert (item.status, item.progress, item.revision) == ("in_progress", 60, 2)
    update = ItemUpdate.objects.get(item=item)
    assert update.user == rezina_member and update.note == "Comandat"
    assert update.changes == {"status": ["not_started", "in_progress"], "progress": [10, 60]}


def test_an_office_team_cannot_edit_or_delete_another_offices_item(client, plans, rezina_member):
    item = plans["calarasi_item"]
    client.force_login(rezina_member)
    edit = reverse("action_items:edit", args=[item.pk])
    response = client.get(edit)
    assert response.status_code in (302, 403, 404)  # the admin does not even find it
    client.post(edit, item_form_data(item, progress=99))
    item.refresh_from_db()
    assert item.progress == 10 and not ItemUpdate.objects.exists()
    own = plans["rezina_item"]
    client.post(reverse("action_items:delete", args=[own.pk]))
    assert ActionItem.objects.filter(pk=own.pk).exists()  # dropping is a status, not a delete


def test_bad_values_in_the_admin_are_form_errors(client, plans, rezina_member):
    item = plans["rezina_item"]
    client.force_login(rezina_member)
    url = reverse("action_items:edit", args=[item.pk])
    for changes in ({"progress": 150}, {"start": "2026-05-01", "due": "2026-04-01"}, {"status": "teleported"}):
        response = client.post(url, item_form_data(item, **changes))
        assert response.status_code == 200, changes  # the form again, with its errors
        assert response.context["form"].errors
    item.refresh_from_db()
    assert (item.progress, item.revision) == (10, 1)


def test_a_team_creates_items_only_in_its_own_plans(client, plans, rezina_member):
    client.force_login(rezina_member)
    url = reverse("action_items:add")
    form = client.get(url).context["form"]
    assert list(form.fields["plan"].queryset) == [plans["rezina"]]
    data = item_form_data(plans["rezina_item"], title="Internet mobil", plan=plans["calarasi"].pk)
    assert client.post(url, data).status_code == 200
    assert not ActionItem.objects.filter(title="Internet mobil").exists()
    data["plan"] = plans["rezina"].pk
    assert client.post(url, data).status_code == 302
    created = ActionItem.objects.get(title="Internet mobil")
    assert created.updates.count() == 1


def test_facilitators_see_and_delete_everything(client, plans, facilitator):
    client.force_login(facilitator)
    html = client.get(reverse("action_items:index")).content.decode()
    assert "Scaner Rezina" in html and "Scaner Călărași" in html
    client.post(reverse("action_items:delete", args=[plans["calarasi_item"].pk]))
    assert not ActionItem.objects.filter(pk=plans["calarasi_item"].pk).exists()

"""Action plans: the rule (read/edit × role × own/other office) through the pages and the API,
history, roll-up, overdue, and every bad input of the issue."""

import datetime as dt
import json

import pytest
from django.contrib.auth.models import AnonymousUser
from django.test import Client
from django.utils import timezone

from plans import services
from plans.models import ActionItem, ActionPlan, ItemUpdate, Milestone
from plans.selectors import item_progress, plan_progress
from workshop_site.core.errors import Conflict, Forbidden, Invalid, NotFound

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()


@pytest.fixture
def plan(tree):
    return ActionPlan.objects.create(office=tree["rezina"], title="Planul Rezina", published=True)


@pytest.fixture
def internal_plan(tree):
    return ActionPlan.objects.create(office=tree["rezina"], title="Intern", published=False)


@pytest.fixture
def item(plan):
    return ActionItem.objects.create(plan=plan, title="Scaner portabil", start=TODAY - dt.timedelta(days=30),
                                     due=TODAY + dt.timedelta(days=30))


def patch(client, item_id, **body):
    return client.patch(f"/api/plan-items/{item_id}", json.dumps(body), content_type="application/json")


# --- the rule ------------------------------------------------------------------------------

@pytest.mark.parametrize(
    ("who", "can_view_internal", "can_edit"),
    [("anonymous", False, False), ("rezina_member", True, True), ("calarasi_member", False, False), ("facilitator", True, True)],
)
def test_permission_matrix(request, plan, internal_plan, item, who, can_view_internal, can_edit):
    user = AnonymousUser() if who == "anonymous" else request.getfixturevalue(who)
    assert user.has_perm("plans.view_plan", plan) is True  # published: everyone reads
    assert user.has_perm("plans.view_plan", internal_plan) is can_view_internal
    assert user.has_perm("plans.change_plan", plan) is can_edit
    assert user.has_perm("plans.change_plan", item) is can_edit


def test_api_lists_published_plans_to_everyone_and_internal_ones_to_the_team(client, plan, internal_plan, item, rezina_member, calarasi_member):
    body = client.get("/api/offices/rezina/plan").json()
    assert body["office"] == "rezina"
    assert [p["title"] for p in body["plans"]] == ["Planul Rezina"]
    assert set(body["plans"][0]["items"][0]) >= {"id", "title", "owner", "start", "due", "status", "progress", "origins"}
    client.force_login(calarasi_member)
    assert len(client.get("/api/offices/rezina/plan").json()["plans"]) == 1
    client.force_login(rezina_member)
    assert {p["title"] for p in client.get("/api/offices/rezina/plan").json()["plans"]} == {"Planul Rezina", "Intern"}
    assert client.get("/api/offices/nope/plan").status_code == 404


def test_the_team_patches_its_item_with_a_note_and_it_is_kept(client, item, rezina_member):
    client.force_login(rezina_member)
    response = patch(client, item.pk, status="done", note="Scanerul a sosit.")
    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["status"], body["progress"]) == ("done", 100)
    update = ItemUpdate.objects.get(item=item)
    assert update.user == rezina_member and update.note == "Scanerul a sosit."
    assert update.changes == {"status": ["not_started", "done"], "progress": [0, 100]}


@pytest.mark.parametrize(("who", "status"), [("calarasi_member", 403), (None, 403)])
def test_other_teams_and_anonymous_cannot_patch(request, client, item, who, status):
    if who:
        client.force_login(request.getfixturevalue(who))
    response = patch(client, item.pk, progress=50)
    assert response.status_code in (401, 403) and response.status_code == status
    assert response.json()["code"] in ("forbidden", "csrf_failed")
    item.refresh_from_db()
    assert item.progress == 0 and not ItemUpdate.objects.exists()


def test_patch_needs_the_csrf_token(item, rezina_member):
    client = Client(enforce_csrf_checks=True)
    client.force_login(rezina_member)
    response = patch(client, item.pk, progress=50)
    assert response.status_code == 403 and response.json()["code"] == "csrf_failed"


@pytest.mark.parametrize(
    "body",
    [{"progress": 101}, {"progress": -1}, {"progress": "abc"}, {"status": "finished"}, {"note": "x" * 2001}],
)
def test_bad_patches_are_400_and_change_nothing(client, item, rezina_member, body):
    client.force_login(rezina_member)
    response = patch(client, item.pk, **body)
    assert response.status_code == 400
    assert response.json()["code"] == "invalid" and response.json()["message"]
    item.refresh_from_db()
    assert (item.progress, item.status, item.revision) == (0, "not_started", 1)
    assert not ItemUpdate.objects.exists()


def test_patching_a_missing_item_is_404(client, rezina_member):
    client.force_login(rezina_member)
    response = patch(client, 987654, progress=10)
    assert response.status_code == 404 and response.json()["code"] == "not_found"


def test_a_stale_edit_is_refused_instead_of_erasing_the_other(client, item, rezina_member, facilitator):
    first = Client()
    first.force_login(rezina_member)
    second = Client()
    second.force_login(facilitator)
    assert patch(first, item.pk, progress=30, revision=1).status_code == 200
    response = patch(second, item.pk, progress=70, revision=1)
    assert response.status_code == 409 and response.json()["code"] == "conflict"
    item.refresh_from_db()
    assert item.progress == 30 and item.revision == 2
    assert ItemUpdate.objects.count() == 1


# --- the service's own checks ---------------------------------------------------------------

def test_due_before_start_is_refused(item, facilitator):
    with pytest.raises(Invalid):
        services.item_update(user=facilitator, item_id=item.pk, changes={"due": str(TODAY - dt.timedelta(days=60))})
    with pytest.raises(Invalid):
        services.item_create(user=facilitator, plan=item.plan, title="x", start=TODAY, due=TODAY - dt.timedelta(days=1))


def test_owner_must_be_in_the_offices_team(item, facilitator, rezina_member, calarasi_member):
    with pytest.raises(Invalid):
        services.item_update(user=facilitator, item_id=item.pk, changes={"owner_user": calarasi_member.pk})
    updated = services.item_update(user=facilitator, item_id=item.pk, changes={"owner_user": rezina_member.pk})
    assert updated.owner_user == rezina_member
    assert ItemUpdate.objects.get().changes["owner_user"][1] == str(rezina_member)


def test_unknown_fields_and_missing_items(item, facilitator):
    with pytest.raises(Invalid):
        services.item_update(user=facilitator, item_id=item.pk, changes={"plan": 5})
    with pytest.raises(NotFound):
        services.item_update(user=facilitator, item_id="nope", changes={"progress": 5})
    with pytest.raises(Forbidden):
        services.item_update(user=AnonymousUser(), item_id=item.pk, changes={"progress": 5})
    with pytest.raises(Conflict):
        services.item_update(user=facilitator, item_id=item.pk, changes={"progress": 5}, expected_revision=9)


def test_every_change_is_kept_in_order(item, rezina_member):
    services.item_update(user=rezina_member, item_id=item.pk, changes={"status": "in_progress", "progress": 20})
    services.item_update(user=rezina_member, item_id=item.pk, changes={"progress": 60}, note="Jumătate")
    services.item_update(user=rezina_member, item_id=item.pk, changes={"progress": 60})  # nothing changed: no entry
    updates = list(ItemUpdate.objects.filter(item=item).order_by("created", "pk"))
    assert [u.changes for u in updates] == [{"status": ["not_started", "in_progress"], "progress": [0, 20]}, {"progress": [20, 60]}]
    assert updates[1].note == "Jumătate"


# --- roll-up and overdue --------------------------------------------------------------------

def test_milestones_drive_an_items_progress_and_weights_drive_the_plans(plan):
    big = ActionItem.objects.create(plan=plan, title="Vehicul", weight=10, progress=0)
    small = [ActionItem.objects.create(plan=plan, title=f"Mic {n}", weight=1, status="done", progress=100) for n in range(10)]
    dropped = ActionItem.objects.create(plan=plan, title="Renunțat", weight=50, status="dropped")
    items = [big, *small, dropped]
    assert plan_progress(items) == 50  # not 90: the big one has not started
    Milestone.objects.create(item=big, title="a", done=True)
    Milestone.objects.create(item=big, title="b", done=False)
    big = ActionItem.objects.prefetch_related("milestones").get(pk=big.pk)
    assert item_progress(big) == 50
    assert plan_progress([big, *small, dropped]) == 75


def test_overdue_means_past_due_and_still_open(plan):
    late = ActionItem(plan=plan, title="a", due=TODAY - dt.timedelta(days=1), status="in_progress")
    done = ActionItem(plan=plan, title="b", due=TODAY - dt.timedelta(days=1), status="done")
    dropped = ActionItem(plan=plan, title="c", due=TODAY - dt.timedelta(days=1), status="dropped")
    today = ActionItem(plan=plan, title="d", due=TODAY, status="not_started")
    undated = ActionItem(plan=plan, title="e")
    assert [i.is_overdue(TODAY) for i in (late, done, dropped, today, undated)] == [True, False, False, False, False]


# --- pages ----------------------------------------------------------------------------------

def test_office_page_shows_progress_overdue_counts_and_timeline(client, plan, item):
    ActionItem.objects.create(plan=plan, title="Întârziat", due=TODAY - dt.timedelta(days=3), status="blocked",
                              start=TODAY - dt.timedelta(days=40))
    html = client.get("/birouri/rezina/").content.decode()
    assert "Planul Rezina" in html and "plan-progress-value" in html
    assert "is-overdue" in html and "overdue-count" in html
    assert 'class="timeline-row is-overdue"' in html and 'class="bar overdue"' in html


def test_office_page_lists_many_items_in_a_fixed_number_of_queries(client, plan, django_assert_max_num_queries):
    for n in range(30):
        ActionItem.objects.create(plan=plan, title=f"Item {n}", due=TODAY + dt.timedelta(days=n))
    with django_assert_max_num_queries(40):
        response = client.get("/birouri/rezina/")
    assert response.content.decode().count("data-item-id=") == 30


def test_item_page_form_updates_with_a_note_and_shows_the_history(client, item, rezina_member):
    client.force_login(rezina_member)
    url = f"/plans/items/{item.pk}/"
    response = client.post(url, {"status": "done", "progress": 100, "note": "Gata!", "revision": 1})
    assert response.status_code == 302
    html = client.get(url).content.decode()
    assert "Gata!" in html and 'id="item-progress">100%' in html
    item.refresh_from_db()
    assert (item.status, item.progress) == ("done", 100)


def test_done_is_stored_as_100_percent_even_when_the_form_sends_the_old_progress(client, item, rezina_member):
    services.item_update(user=rezina_member, item_id=item.pk, changes={"progress": 50})
    client.force_login(rezina_member)
    client.post(f"/plans/items/{item.pk}/", {"status": "done", "progress": 50, "note": "", "revision": 2})
    item.refresh_from_db()
    assert (item.status, item.progress) == ("done", 100)
    assert ItemUpdate.objects.filter(item=item).first().changes == {"status": ["not_started", "done"], "progress": [50, 100]}


def test_item_page_is_read_only_for_another_team_and_refuses_their_post(client, item, calarasi_member):
    client.force_login(calarasi_member)
    url = f"/plans/items/{item.pk}/"
    assert "item-update-form" not in client.get(url).content.decode()
    assert client.post(url, {"status": "done", "progress": 100, "revision": 1}).status_code == 403
    item.refresh_from_db()
    assert item.status == "not_started"


def test_internal_items_are_hidden_from_the_public(client, internal_plan):
    hidden = ActionItem.objects.create(plan=internal_plan, title="Intern")
    assert client.get(f"/plans/items/{hidden.pk}/").status_code == 404


def test_stale_form_shows_the_conflict(client, item, rezina_member, facilitator):
    services.item_update(user=facilitator, item_id=item.pk, changes={"progress": 10})
    client.force_login(rezina_member)
    response = client.post(f"/plans/items/{item.pk}/", {"status": "done", "progress": 100, "revision": 1})
    assert response.status_code == 400
    item.refresh_from_db()
    assert item.status == "not_started" and item.progress == 10


def test_milestones_added_and_ticked_by_the_team_drive_the_progress(client, item, rezina_member, calarasi_member):
    client.force_login(rezina_member)
    client.post(f"/plans/items/{item.pk}/milestones/", {"title": "Comandat"})
    client.post(f"/plans/items/{item.pk}/milestones/", {"title": "Livrat", "due": str(TODAY)})
    first, second = Milestone.objects.filter(item=item).order_by("sort_order")
    client.post(f"/plans/milestones/{first.pk}/", {"done": "1"})
    item = ActionItem.objects.prefetch_related("milestones").get(pk=item.pk)
    assert item_progress(item) == 50
    assert ItemUpdate.objects.filter(item=item).count() == 3
    assert client.post(f"/plans/items/{item.pk}/milestones/", {"title": ""}).status_code == 302
    assert Milestone.objects.filter(item=item).count() == 2
    client.force_login(calarasi_member)
    assert client.post(f"/plans/milestones/{second.pk}/", {"done": "1"}).status_code == 403
    assert client.post(f"/plans/items/{item.pk}/milestones/", {"title": "x"}).status_code == 403
    second.refresh_from_db()
    assert not second.done and Milestone.objects.filter(item=item).count() == 2

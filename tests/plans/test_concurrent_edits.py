"""Concurrent edits of one action item never silently lose an update: real threads, each with
its own database connection (real PostgreSQL connections in the PostgreSQL pass), through
`plans.services.item_update` and through `PATCH /api/plan-items/{id}`."""

import json
import threading

import pytest
from django.db import connection
from django.test import Client

from plans import services
from plans.models import ActionItem, ActionPlan, ItemUpdate
from workshop_site.core.errors import Conflict

pytestmark = pytest.mark.django_db(transaction=True)
THREADS = 6


@pytest.fixture
def item(tree):
    plan = ActionPlan.objects.create(office=tree["rezina"], title="Planul Rezina", published=True)
    return ActionItem.objects.create(plan=plan, title="Scaner portabil", status="in_progress", progress=5)


def race(*calls):
    """Run the calls at the same moment, one thread each; returns what each returned or raised."""
    barrier = threading.Barrier(len(calls))
    outcomes: list = [None] * len(calls)

    def run(index, call):
        try:
            barrier.wait(timeout=10)
            outcomes[index] = call()
        except Exception as exc:  # noqa: BLE001 - the outcome is what the test inspects
            outcomes[index] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(n, call)) for n, call in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return outcomes


def history(item) -> list[ItemUpdate]:
    return list(ItemUpdate.objects.filter(item=item).order_by("pk"))


def test_edits_without_a_revision_all_land_and_the_history_chains_without_gaps(item, rezina_member, facilitator):
    users = [rezina_member, facilitator]
    outcomes = race(*(
        lambda n=n: services.item_update(user=users[n % 2], item_id=item.pk, changes={"progress": 10 + n},
                                         note=f"edit {n}")
        for n in range(THREADS)
    ))
    assert all(isinstance(o, ActionItem) for o in outcomes), outcomes
    updates = history(item)
    assert len(updates) == THREADS
    # Each entry starts from the value the previous one left: nobody worked on a stale copy.
    before = 5
    for update in updates:
        assert update.changes["progress"][0] == before
        before = update.changes["progress"][1]
    item.refresh_from_db()
    assert item.progress == before
    assert item.revision == 1 + THREADS
    assert sorted(u.note for u in updates) == sorted(f"edit {n}" for n in range(THREADS))


def test_done_and_a_progress_edit_racing_never_leave_a_done_item_below_100(item, rezina_member, facilitator):
    for _ in range(3):
        ActionItem.objects.filter(pk=item.pk).update(status="in_progress", progress=5)
        outcomes = race(
            lambda: services.item_update(user=facilitator, item_id=item.pk, changes={"status": "done"}),
            lambda: services.item_update(user=rezina_member, item_id=item.pk, changes={"progress": 40}),
        )
        assert all(isinstance(o, ActionItem) for o in outcomes), outcomes
        item.refresh_from_db()
        assert (item.status, item.progress) == ("done", 100)


def test_of_editors_who_saw_the_same_revision_one_wins_and_the_others_get_a_conflict(item, rezina_member):
    outcomes = race(*(
        lambda n=n: services.item_update(user=rezina_member, item_id=item.pk, changes={"progress": 50 + n},
                                         expected_revision=1)
        for n in range(THREADS)
    ))
    winners = [o for o in outcomes if isinstance(o, ActionItem)]
    assert len(winners) == 1
    assert all(isinstance(o, Conflict) for o in outcomes if o is not winners[0]), outcomes
    item.refresh_from_db()
    assert (item.progress, item.revision) == (winners[0].progress, 2)
    assert len(history(item)) == 1


def test_two_api_clients_patching_the_same_revision_get_200_and_409(item, rezina_member, facilitator):
    clients = []
    for user in (rezina_member, facilitator):
        client = Client()
        client.force_login(user)
        clients.append(client)

    def patch(client, progress):
        response = client.patch(f"/api/plan-items/{item.pk}", json.dumps({"progress": progress, "revision": 1}),
                                content_type="application/json")
        return response.status_code, response.json()

    outcomes = race(lambda: patch(clients[0], 30), lambda: patch(clients[1], 70))

    assert sorted(status for status, _body in outcomes) == [200, 409], outcomes
    (_, won), (_, refused) = sorted(outcomes, key=lambda o: o[0])
    assert refused["code"] == "conflict" and refused["message"]
    item.refresh_from_db()
    assert item.progress == won["progress"] and item.revision == won["revision"] == 2
    assert len(history(item)) == 1
    # The refused editor reloads, sees the winner's value, and saves on top of it.
    loser = clients[[status for status, _ in outcomes].index(409)]
    retry = loser.patch(f"/api/plan-items/{item.pk}", json.dumps({"progress": 90, "revision": 2}),
                        content_type="application/json")
    assert retry.status_code == 200
    assert history(item)[-1].changes["progress"] == [won["progress"], 90]

"""A table's top ideas sent to its office's plan in one step (`plans.services.items_from_table`):
each becomes an item linked both ways to its idea, never twice, only into the table's own
office's plan and only by those who may change that plan; the office's team sees them at once."""

import pytest
from bs4 import BeautifulSoup
from django.test import Client
from django.utils import translation

from ideas.models import Table, Vote
from plans import services
from plans.models import ActionItem, ActionPlan
from tests.factories import WorkshopPageFactory
from tests.ideas.factories import IdeaFactory, ParticipantFactory
from workshop_site.core.errors import Conflict, Forbidden, Invalid, NotFound

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _in_english():
    # The refusals' messages are matched in English (Romanian is the site's default).
    with translation.override("en"):
        yield


def voted(idea, votes: int, voters):
    Vote.objects.bulk_create(Vote(participant=voters[k], idea=idea) for k in range(votes))
    return idea


@pytest.fixture
def room(tree):
    """A workshop at its results with a table per office and one of no office: Rezina's table
    posted four ideas (3, 2, 1 and 0 votes), Călărași's one (5 votes)."""
    workshop = WorkshopPageFactory(parent=tree["workshop_index"], phase="results", join_code="TABLE1")
    workshop.offices.set([tree["rezina"], tree["calarasi"]])
    workshop.save()
    tables = {
        "rezina": Table.objects.create(workshop=workshop, name="Masa Rezina", slug="rezina", office=tree["rezina"]),
        "calarasi": Table.objects.create(workshop=workshop, name="Masa Călărași", slug="calarasi",
                                         office=tree["calarasi"], position=1),
        "primaria": Table.objects.create(workshop=workshop, name="Primăria", slug="primaria", position=2),
    }
    voters = [ParticipantFactory(workshop=workshop) for _ in range(5)]
    author = ParticipantFactory(workshop=workshop, table=tables["rezina"])
    rezina = [
        voted(IdeaFactory(workshop=workshop, participant=author, table=tables["rezina"], text=f"Rezina {n}"),
              3 - n, voters)
        for n in range(4)
    ]
    calarasi = voted(IdeaFactory(workshop=workshop, table=tables["calarasi"], text="Călărași 0"), 5, voters)
    voted(IdeaFactory(workshop=workshop, table=tables["primaria"], text="Primăria 0"), 4, voters)
    return {"workshop": workshop, "tables": tables, "rezina": rezina, "calarasi": calarasi}


@pytest.fixture
def plan(tree):
    """Rezina's internal plan: only its team and facilitators read it."""
    return ActionPlan.objects.create(office=tree["rezina"], title="Planul Rezina", published=False)


def send(user, room, plan, n=3, table="rezina"):
    return services.items_from_table(user=user, table_id=room["tables"][table].pk, plan_id=plan.pk, n=n)


def test_the_top_ideas_become_items_of_the_office_plan_each_linked_to_its_idea(room, plan, rezina_member):
    items = send(rezina_member, room, plan)

    assert [item.title for item in items] == ["Rezina 0", "Rezina 1", "Rezina 2"]  # by votes, the table's only
    assert [list(item.ideas.all()) for item in items] == [[idea] for idea in room["rezina"][:3]]
    assert {item.status for item in items} == {"not_started"}
    assert list(plan.items.order_by("sort_order")) == items
    # Each item's history starts with its creation, by whoever sent it.
    assert [item.updates.get().user for item in items] == [rezina_member] * 3


def test_the_office_team_reads_the_items_and_their_ideas_on_the_plan_api_at_once(client, room, plan, rezina_member):
    send(rezina_member, room, plan, n=2)

    client.force_login(rezina_member)
    body = client.get("/api/offices/rezina/plan").json()
    (shown,) = [p for p in body["plans"] if p["id"] == plan.pk]
    assert [(item["title"], item["status"], item["origins"]) for item in shown["items"]] == [
        ("Rezina 0", "not_started", [{"kind": "idea", "id": room["rezina"][0].pk, "text": "Rezina 0"}]),
        ("Rezina 1", "not_started", [{"kind": "idea", "id": room["rezina"][1].pk, "text": "Rezina 1"}]),
    ]
    # An internal plan: the public does not read it.
    assert plan.pk not in [p["id"] for p in Client().get("/api/offices/rezina/plan").json()["plans"]]


def test_the_results_row_of_each_sent_idea_links_to_its_item(client, room, plan, rezina_member):
    items = send(rezina_member, room, plan, n=1)

    client.force_login(rezina_member)
    page = BeautifulSoup(client.get("/w/TABLE1/results/").content.decode(), "html.parser")
    row = page.find(id=f"idea-{room['rezina'][0].pk}")
    assert [a["href"] for a in row.select(".idea-actions a")] == [f"/plans/items/{items[0].pk}/"]
    assert page.find(id=f"idea-{room['rezina'][1].pk}").select(".idea-actions a") == []


def test_sending_again_adds_only_the_ideas_not_yet_in_the_plan_and_never_duplicates(room, plan, rezina_member):
    send(rezina_member, room, plan, n=2)

    with pytest.raises(Conflict, match="already sent"):
        send(rezina_member, room, plan, n=2)
    assert plan.items.count() == 2

    more = send(rezina_member, room, plan, n=3)  # one more idea now
    assert [item.title for item in more] == ["Rezina 2"]
    assert sorted(plan.items.values_list("ideas__text", flat=True)) == ["Rezina 0", "Rezina 1", "Rezina 2"]


def test_an_idea_already_made_an_item_one_by_one_is_not_sent_again(room, plan, rezina_member):
    services.item_create_from_idea(user=rezina_member, idea=room["rezina"][0], plan=plan)

    items = send(rezina_member, room, plan, n=2)

    assert [item.title for item in items] == ["Rezina 1"]
    assert plan.items.count() == 2


def test_another_office_s_plan_is_refused(tree, room, facilitator):
    calarasi_plan = ActionPlan.objects.create(office=tree["calarasi"], title="Planul Călărași")

    with pytest.raises(Invalid, match="not BCIS Rezina's"):
        send(facilitator, room, calarasi_plan)
    assert not ActionItem.objects.exists()


@pytest.mark.parametrize("who", ["calarasi_member", "anonymous"])
def test_who_may_not_change_the_plan_is_refused(request, who, room, plan):
    from django.contrib.auth.models import AnonymousUser

    user = AnonymousUser() if who == "anonymous" else request.getfixturevalue(who)
    with pytest.raises(Forbidden):
        send(user, room, plan)
    assert not ActionItem.objects.exists()


def test_a_facilitator_may_send_to_any_office_s_plan(room, plan, facilitator):
    assert len(send(facilitator, room, plan)) == 3


def test_a_table_of_no_office_cannot_be_sent(room, plan, facilitator):
    with pytest.raises(Invalid, match="not an office's"):
        send(facilitator, room, plan, table="primaria")
    assert not ActionItem.objects.exists()


@pytest.mark.parametrize("n", [0, 11, "", "abc", 2.5, None])
def test_the_number_of_ideas_is_one_to_ten(room, plan, facilitator, n):
    with pytest.raises(Invalid, match="from 1 to 10"):
        send(facilitator, room, plan, n=n)
    assert not ActionItem.objects.exists()


def test_ten_ideas_may_be_asked_of_a_table_that_has_four(room, plan, facilitator):
    assert len(send(facilitator, room, plan, n="10")) == 4  # a form sends digits


def test_hidden_ideas_are_not_sent(room, plan, facilitator):
    type(room["rezina"][0]).objects.filter(pk=room["rezina"][0].pk).update(hidden=True)

    assert [item.title for item in send(facilitator, room, plan, n=1)] == ["Rezina 1"]


def test_an_unknown_table_or_plan_is_not_found(room, plan, facilitator):
    with pytest.raises(NotFound):
        services.items_from_table(user=facilitator, table_id=0, plan_id=plan.pk)
    with pytest.raises(NotFound):
        services.items_from_table(user=facilitator, table_id=room["tables"]["rezina"].pk, plan_id="x")


def test_a_table_without_ideas_has_nothing_to_send(tree, room, plan, facilitator):
    empty = Table.objects.create(workshop=room["workshop"], name="Goală", slug="goala", office=tree["rezina"])

    with pytest.raises(Invalid, match="no ideas"):
        services.items_from_table(user=facilitator, table_id=empty.pk, plan_id=plan.pk)


@pytest.mark.django_db(transaction=True)
def test_two_clicks_at_once_send_the_ideas_once(room, plan, rezina_member, facilitator):
    """Real threads, each with its own connection: the plan's row lock (PostgreSQL) or SQLite's
    IMMEDIATE transactions let one send through and tell the other it was already done."""
    import threading

    from django.db import connection

    barrier = threading.Barrier(2)
    outcomes: list = [None, None]

    def run(index, user):
        try:
            barrier.wait(timeout=10)
            with translation.override("en"):
                outcomes[index] = send(user, room, plan)
        except Exception as exc:  # noqa: BLE001 - the outcome is what the test inspects
            outcomes[index] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(n, user)) for n, user in enumerate((rezina_member, facilitator))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert sorted(type(outcome).__name__ for outcome in outcomes) == ["Conflict", "list"], outcomes
    assert plan.items.count() == 3

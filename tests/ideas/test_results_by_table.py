"""The results of a workshop with tables: each table's ideas ranked among themselves under its
own heading (then those of no table), the whole room's ranking as before with each idea's
table, and, for whoever may change a table's office's plan, a form that sends the table's top
ideas there."""

import pytest
from bs4 import BeautifulSoup
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from ideas.models import Idea, Table, Vote
from plans.models import ActionItem, ActionPlan
from tests.factories import WorkshopPageFactory

from .factories import IdeaFactory, ParticipantFactory, run_of_show

pytestmark = pytest.mark.django_db


def soup_of(response) -> BeautifulSoup:
    assert response.status_code == 200
    return BeautifulSoup(response.content.decode(), "html.parser")


def text(element) -> str:
    return " ".join(element.get_text(" ", strip=True).split())


def english(client: Client) -> Client:
    client.cookies["atelier_language"] = "en"
    return client


def voted(idea, votes: int, voters):
    Vote.objects.bulk_create(Vote(participant=voters[k], idea=idea) for k in range(votes))
    return idea


def make_room(tree, code: str, *, tables: int = 2, with_activities: bool = False):
    """A workshop at its results: `tables` tables (Rezina's, Călărași's, one of no office, and
    round again), each with two ideas (1 and 2 votes + its position), and one idea
    posted at no table (2 votes)."""
    workshop = WorkshopPageFactory(parent=tree["workshop_index"], phase="results", join_code=code)
    workshop.offices.set([tree["rezina"], tree["calarasi"]])
    workshop.save()
    activity = run_of_show(workshop, current="brainstorm")["brainstorm"] if with_activities else None
    voters = [ParticipantFactory(workshop=workshop) for _ in range(tables + 3)]
    offices = [tree["rezina"], tree["calarasi"]]
    made = []
    for n in range(tables):
        table = Table.objects.create(workshop=workshop, name=f"Masa {n}", slug=f"masa-{n}", position=n,
                                     office=offices[n % 3] if n % 3 < len(offices) else None)
        ParticipantFactory(workshop=workshop, table=table)
        for k in (1, 2):
            voted(IdeaFactory(workshop=workshop, table=table, activity=activity, text=f"Masa {n} idee {k}"),
                  k + n, voters)
        made.append(table)
    voted(IdeaFactory(workshop=workshop, activity=activity, text="Fără masă"), 2, voters)
    return workshop, made


@pytest.fixture
def room(tree):
    return make_room(tree, "MESE01")


def ranking_of(section) -> list[tuple[str, str, str]]:
    """(rank, idea, votes) of each row of a table's ranking (the idea without its poster number)."""
    found = []
    for row in section.select("table tbody tr"):
        idea = row.select_one(".idea-cell a")
        number = idea.select_one(".muted")
        found.append((text(row.select("td")[0]), text(idea).removeprefix(text(number)).strip(),
                      text(row.select_one(".bar-num"))))
    return found


def test_each_table_has_its_heading_and_its_ideas_ranked_among_themselves(client, room):
    page = soup_of(english(client).get("/w/MESE01/results/"))

    by_table = page.find(id="by-table")
    assert text(by_table.find(id="by-table-heading")) == "Ideas by table"
    assert [text(h) for h in by_table.select("section > h3")] == ["Masa 0", "Masa 1", "No table"]
    first, second = page.find(id="table-masa-0"), page.find(id="table-masa-1")
    assert ranking_of(first) == [("1", "Masa 0 idee 2", "2"), ("2", "Masa 0 idee 1", "1")]
    assert ranking_of(second) == [("1", "Masa 1 idee 2", "3"), ("2", "Masa 1 idee 1", "2")]
    assert ranking_of(page.find(id="no-table")) == [("1", "Fără masă", "2")]
    # Each table's table says what it is to a screen reader, and each idea links to its room row.
    assert text(first.select_one("caption")) == "Masa 0: ideas ranked by votes within the table"
    link = first.select_one("tbody a")
    assert page.find(id=link["href"].removeprefix("#")) is not None


def test_the_room_s_ranking_stays_whole_and_names_each_idea_s_table(client, room):
    page = soup_of(english(client).get("/w/MESE01/results/"))

    rows = page.select("#results-table tbody tr")
    assert [text(row.select("td")[0]) for row in rows] == ["1", "2", "2", "2", "5"]  # the room's ranks
    shown = {int(row["data-idea-id"]): row.select_one(".idea-table") for row in rows}
    assert {idea_id: text(label) if label else None for idea_id, label in shown.items()} == {
        idea.pk: f"Table: {idea.table.name}" if idea.table else None
        for idea in Idea.objects.filter(workshop=room[0]).select_related("table")
    }


def test_no_table_section_when_every_idea_has_a_table(client, room):
    Idea.objects.filter(workshop=room[0], table__isnull=True).delete()
    page = soup_of(english(client).get("/w/MESE01/results/"))
    assert page.find(id="no-table") is None
    assert [text(h) for h in page.select("#by-table section > h3")] == ["Masa 0", "Masa 1"]


def test_a_run_of_show_s_brainstorm_is_split_by_table_too(client, tree):
    make_room(tree, "MESE02", with_activities=True)
    page = soup_of(english(client).get("/w/MESE02/results/"))

    assert len(page.select("#results-table tbody tr")) == 5  # the brainstorm's own ranking
    assert [text(h) for h in page.select("#by-table section > h3")] == ["Masa 0", "Masa 1", "No table"]


def test_a_workshop_without_tables_shows_its_results_as_before(client, tree):
    workshop = WorkshopPageFactory(parent=tree["workshop_index"], phase="results", join_code="FARA01")
    voters = [ParticipantFactory(workshop=workshop) for _ in range(2)]
    voted(IdeaFactory(workshop=workshop, text="Singura idee"), 2, voters)

    page = soup_of(english(client).get("/w/FARA01/results/"))
    assert page.find(id="by-table") is None and page.find(id="by-table-link") is None
    assert page.select(".idea-table") == []
    assert len(page.select("#results-table tbody tr")) == 1


def test_a_table_without_ideas_is_named_apart_to_a_facilitator(client, tree, room, facilitator):
    Table.objects.create(workshop=room[0], name="Masa goală", slug="goala", position=9)
    assert soup_of(client.get("/w/MESE01/results/")).find(id="tables-without-ideas") is None  # the public

    client.force_login(facilitator)
    page = soup_of(english(client).get("/w/MESE01/results/"))
    assert page.find(id="table-goala") is None
    assert text(page.find(id="tables-without-ideas")) == "No ideas yet at: Masa goală"


# --- sending a table's top ideas to its office's plan ------------------------------------------

@pytest.fixture
def plan(tree):
    return ActionPlan.objects.create(office=tree["rezina"], title="Planul Rezina")


def forms_of(page) -> dict[str, BeautifulSoup]:
    return {section["id"]: section.select_one("form.table-to-plan")
            for section in page.select("#by-table > section") if section.select_one("form.table-to-plan")}


def test_a_facilitator_sees_the_form_under_each_table_whose_office_has_a_plan(client, tree, room, plan, facilitator):
    ActionPlan.objects.create(office=tree["rezina"], title="Planul Rezina 2027")
    client.force_login(facilitator)
    page = soup_of(english(client).get("/w/MESE01/results/"))

    forms = forms_of(page)
    assert list(forms) == ["table-masa-0"]  # Călărași has no plan; no-table ideas go nowhere
    form = forms["table-masa-0"]
    assert text(form.select_one("legend")) == "Send the top ideas to BCIS Rezina's plan"
    assert form.select_one("input[name=n]")["value"] == "3"
    assert form.find("label", attrs={"for": form.select_one("input[name=n]")["id"]}) is not None
    # Two plans of the office: the facilitator picks one, labelled.
    select = form.select_one("select[name=plan]")
    assert [text(option) for option in select.select("option")] == ["Planul Rezina 2027", "Planul Rezina"]
    assert form.find("label", attrs={"for": select["id"]}) is not None


@pytest.mark.parametrize("who", ["anonymous", "calarasi_member"])
def test_who_may_not_change_the_office_plan_sees_no_form(request, client, room, plan, who):
    if who != "anonymous":
        client.force_login(request.getfixturevalue(who))
    page = soup_of(client.get("/w/MESE01/results/"))
    assert forms_of(page) == {}
    assert page.find(id="table-masa-0") is not None  # the ranking is there all the same


def test_the_office_team_sees_its_own_table_s_form(client, room, plan, rezina_member):
    client.force_login(rezina_member)
    assert list(forms_of(soup_of(client.get("/w/MESE01/results/")))) == ["table-masa-0"]


def test_the_form_sends_the_top_ideas_and_they_appear_on_the_results(client, room, plan, facilitator):
    client.force_login(facilitator)
    english(client)
    form = forms_of(soup_of(client.get("/w/MESE01/results/")))["table-masa-0"]
    fields = {field["name"]: field.get("value", "") for field in form.select("input[name]")}
    fields["n"] = "2"

    response = client.post(form["action"], fields)
    assert response.status_code == 302
    assert response["Location"] == "/w/MESE01/results/#table-masa-0"

    page = soup_of(client.get(response["Location"]))
    # The news is where the facilitator lands: under the table's heading, not at the page's top.
    assert text(page.select_one("#table-masa-0 .table-messages")) == "2 ideas of Masa 0 are now items of Planul Rezina."
    assert text(page.select_one(".results-messages")) == ""
    items = list(plan.items.order_by("sort_order"))
    assert [item.title for item in items] == ["Masa 0 idee 2", "Masa 0 idee 1"]
    for item in items:
        (idea,) = item.ideas.all()
        row = page.find(id=f"idea-{idea.pk}")
        assert [a["href"] for a in row.select(".idea-actions a")] == [f"/plans/items/{item.pk}/"]

    # Again: nothing new, and the page says why.
    again = client.post(form["action"], fields, follow=True)
    assert "already sent" in text(soup_of(again).select_one("#table-masa-0 .table-messages"))
    assert plan.items.count() == 2


def test_a_post_for_another_office_s_plan_changes_nothing_and_says_why(client, tree, room, facilitator):
    calarasi = ActionPlan.objects.create(office=tree["calarasi"], title="Planul Călărași")
    client.force_login(facilitator)
    english(client)
    response = client.post(f"/plans/from-table/{room[1][0].pk}/", {"plan": calarasi.pk, "n": "3"}, follow=True)
    assert text(soup_of(response).select_one("#table-masa-0 .table-messages")) == "This plan is not BCIS Rezina's."
    assert not ActionItem.objects.exists()


def test_a_refusal_for_a_table_the_page_does_not_show_is_read_at_the_top(client, tree, room, plan, facilitator):
    empty = Table.objects.create(workshop=room[0], name="Masa goală", slug="goala", office=tree["rezina"], position=9)
    client.force_login(facilitator)
    english(client)
    response = client.post(f"/plans/from-table/{empty.pk}/", {"plan": plan.pk, "n": "3"}, follow=True)
    assert text(soup_of(response).select_one(".results-messages")) == "The table Masa goală has no ideas yet."


def test_a_message_of_another_page_still_shows_on_results_without_tables(client, tree, plan, facilitator):
    """The one-click "make an action item" of one idea comes back here when refused."""
    workshop = WorkshopPageFactory(parent=tree["workshop_index"], phase="results", join_code="FARA03")
    idea = IdeaFactory(workshop=workshop, text="Idee")  # a workshop that serves no office
    client.force_login(facilitator)
    english(client)
    response = client.post(f"/plans/from-idea/{idea.pk}/", {"plan": plan.pk}, follow=True)
    assert "did not serve this office" in text(soup_of(response).select_one(".results-messages"))


def test_a_post_by_someone_who_may_not_change_the_plan_is_forbidden(client, room, plan, calarasi_member):
    client.force_login(calarasi_member)
    response = client.post(f"/plans/from-table/{room[1][0].pk}/", {"plan": plan.pk, "n": "3"})
    assert response.status_code == 403
    assert Client().post(f"/plans/from-table/{room[1][0].pk}/", {"plan": plan.pk}).status_code == 403
    assert not ActionItem.objects.exists()


def test_the_send_view_answers_only_posts_and_known_tables(client, room, plan, facilitator):
    client.force_login(facilitator)
    assert client.get(f"/plans/from-table/{room[1][0].pk}/").status_code == 405
    assert client.post("/plans/from-table/999999/", {"plan": plan.pk}).status_code == 404


# --- the page's queries -----------------------------------------------------------------------

def queries_of(client: Client, url: str) -> int:
    assert client.get(url).status_code == 200
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


@pytest.mark.parametrize("who", ["anonymous", "facilitator", "rezina_member"])
def test_the_page_s_queries_do_not_grow_with_tables(request, tree, who):
    make_room(tree, "MESE03", tables=2)
    make_room(tree, "MESE04", tables=8)
    for office in ("rezina", "calarasi"):
        ActionPlan.objects.create(office=tree[office], title=f"Plan {office}")
    client = Client()
    if who != "anonymous":
        client.force_login(request.getfixturevalue(who))
    cache.clear()
    assert queries_of(client, "/w/MESE03/results/") == queries_of(client, "/w/MESE04/results/")


def test_tables_cost_an_authorised_viewer_two_queries_more_and_the_public_none(tree, facilitator):
    """What the tables add to the page: nothing for the public (the room's tables are read with
    the results); the plans the viewer may change, once, for someone who may send."""
    make_room(tree, "MESE05", tables=3)
    workshop = WorkshopPageFactory(parent=tree["workshop_index"], phase="results", join_code="FARA02")
    workshop.offices.set([tree["rezina"], tree["calarasi"]])
    workshop.save()
    voters = [ParticipantFactory(workshop=workshop) for _ in range(6)]
    for k in range(7):
        voted(IdeaFactory(workshop=workshop, text=f"Idee {k}"), k % 5, voters)
    ActionPlan.objects.create(office=tree["rezina"], title="Plan")
    public = Client()
    assert queries_of(public, "/w/MESE05/results/") == queries_of(public, "/w/FARA02/results/")
    signed_in = Client()
    signed_in.force_login(facilitator)
    # The plans the viewer may change, and the reader's locale (for their offices' titles).
    assert queries_of(signed_in, "/w/MESE05/results/") == queries_of(signed_in, "/w/FARA02/results/") + 2

"""Plans as a reader reads them: a timeline whose bars say what they are, a history in
sentences, origins that are links both ways (item → idea, idea → items), and Romanian status
labels that agree with "acțiune"."""

import datetime as dt

import pytest
from bs4 import BeautifulSoup
from django.utils import timezone, translation
from django.utils.formats import date_format

from feedback.models import Feedback
from ideas.models import Idea
from plans import services
from plans.models import ActionItem, ActionPlan
from tests.factories import WorkshopPageFactory
from tests.prototypes.factories import ScreenFactory

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()
DAY = dt.timedelta(days=1)


def soup_of(response) -> BeautifulSoup:
    assert response.status_code == 200
    return BeautifulSoup(response.content.decode(), "html.parser")


def text(element) -> str:
    return " ".join(element.get_text(" ", strip=True).split())


@pytest.fixture
def plan(tree):
    return ActionPlan.objects.create(office=tree["rezina"], title="Planul Rezina", published=True)


def in_english(client):
    client.cookies["atelier_language"] = "en"
    return client


# --- the timeline ----------------------------------------------------------------------------

def test_each_timeline_bar_is_labelled_with_its_item_its_dates_and_its_state(client, plan):
    ActionItem.objects.create(plan=plan, title="Vehicul", start=TODAY - 40 * DAY, due=TODAY - 3 * DAY,
                              status="in_progress")
    ActionItem.objects.create(plan=plan, title="Scaner", start=TODAY - 60 * DAY, due=TODAY - 30 * DAY,
                              status="done")
    ActionItem.objects.create(plan=plan, title="Orar", due=TODAY + 20 * DAY)
    ActionItem.objects.create(plan=plan, title="Fără dată")
    page = soup_of(client.get("/birouri/rezina/"))
    rows = page.select(".plan-timeline .timeline-row")
    with translation.override("ro"):
        def day(offset):
            return date_format(TODAY + offset * DAY, "j M Y")

        assert [text(row.select_one(".timeline-label")) for row in rows] == [
            f"Scaner {day(-60)} – {day(-30)} · finalizată",
            f"Vehicul {day(-40)} – {day(-3)} · întârziată",
            f"Orar {day(20)}",
        ]
    # Each label sits beside its own bar, drawn in its state's colour.
    assert [row.select_one("svg rect")["class"] for row in rows] == [["bar", "done"], ["bar", "overdue"], ["bar"]]


# --- the history ---------------------------------------------------------------------------

def test_the_history_reads_as_sentences_from_the_item_s_creation_on(client, plan, rezina_member):
    item = services.item_create(user=rezina_member, plan=plan, title="Scaner portabil")
    services.item_update(user=rezina_member, item_id=item.pk, changes={"status": "in_progress", "progress": 40,
                                                                        "due": TODAY.replace(year=2030, month=1, day=7)})
    milestone = services.milestone_add(user=rezina_member, item_id=item.pk, title="Comandat")
    services.milestone_set_done(user=rezina_member, milestone_id=milestone.pk, done=True)
    page = soup_of(in_english(client).get(f"/plans/items/{item.pk}/"))
    entries = [[text(li) for li in entry.select("ul > li")] for entry in page.select("#item-history > li")]
    assert entries == [  # newest first
        ["Milestone done: Comandat"],
        ["Milestone added: Comandat"],
        ["Due: — → 7 January 2030", "Status: not started → in progress", "Progress (%): 0 → 40"],
        ["Item created: Scaner portabil"],
    ]


def test_in_romanian_the_first_entry_says_the_action_was_created(client, plan, rezina_member):
    item = services.item_create(user=rezina_member, plan=plan, title="Scaner portabil")
    history = text(soup_of(client.get(f"/plans/items/{item.pk}/")).select_one("#item-history"))
    assert "Acțiune creată: Scaner portabil" in history
    assert "data creării" not in history and "→" not in history


# --- origins, both ways ----------------------------------------------------------------------

@pytest.fixture
def workshop(tree):
    workshop = WorkshopPageFactory(parent=tree["workshop_index"], phase="results", join_code="ORIGIN")
    workshop.offices.set([tree["rezina"]])
    workshop.save()  # parental relations are stored with the page
    return workshop


def test_an_item_links_to_its_idea_on_the_results_and_the_idea_back_to_its_item(client, plan, workshop, rezina_member):
    idea = Idea.objects.create(workshop=workshop, text="Un scaner în fiecare mașină")
    item = services.item_create_from_idea(user=rezina_member, idea=idea, plan=plan)

    origin = soup_of(client.get(f"/plans/items/{item.pk}/")).select_one("#item-origins a")
    assert text(origin) == "Un scaner în fiecare mașină"
    assert origin["href"] == f"/w/ORIGIN/results/#idea-{idea.pk}"

    row = soup_of(client.get("/w/ORIGIN/results/")).find(id=f"idea-{idea.pk}")
    assert row is not None  # the anchor the item links to
    back = row.select_one(".idea-actions a")
    assert text(row.select_one(".idea-actions li")) == "BCIS Rezina: Un scaner în fiecare mașină"
    assert row.select_one("details.idea-actions").has_attr("open")  # one office's plan: shown at once
    assert back["href"] == f"/plans/items/{item.pk}/"


def test_an_internal_plan_s_item_is_linked_only_for_those_who_read_the_plan(client, tree, workshop, rezina_member,
                                                                             calarasi_member):
    internal = ActionPlan.objects.create(office=tree["rezina"], title="Intern", published=False)
    idea = Idea.objects.create(workshop=workshop, text="Orar comun")
    item = services.item_create_from_idea(user=rezina_member, idea=idea, plan=internal)

    def links_seen_by(user):
        client.logout()
        if user:
            client.force_login(user)
        row = soup_of(client.get("/w/ORIGIN/results/")).find(id=f"idea-{idea.pk}")
        return [a["href"] for a in row.select(".idea-actions a")]

    assert links_seen_by(None) == []
    assert links_seen_by(calarasi_member) == []
    assert links_seen_by(rezina_member) == [f"/plans/items/{item.pk}/"]
    assert links_seen_by(None) == []  # the team's rendering is not served to the public


def test_a_merged_idea_leads_to_the_idea_it_was_merged_into(client, plan, workshop, rezina_member):
    kept = Idea.objects.create(workshop=workshop, text="Scaner portabil")
    duplicate = Idea.objects.create(workshop=workshop, text="Un scaner", hidden=True, merged_into=kept)
    item = services.item_create(user=rezina_member, plan=plan, title="Scaner", ideas=[duplicate])
    origin = soup_of(client.get(f"/plans/items/{item.pk}/")).select_one("#item-origins a")
    assert origin["href"] == f"/w/ORIGIN/results/#idea-{kept.pk}"
    row = soup_of(client.get("/w/ORIGIN/results/")).find(id=f"idea-{kept.pk}")
    assert [a["href"] for a in row.select(".idea-actions a")] == [f"/plans/items/{item.pk}/"]


def test_feedback_origins_link_to_the_triage_for_those_who_triage_it(client, plan, rezina_member, facilitator):
    screen = ScreenFactory()
    feedback = Feedback.objects.create(version=screen.version, screen=screen, x=0.5, y=0.5, text="Prea multe acte")
    item = services.item_create(user=facilitator, plan=plan, title="Mai puține acte", feedback=[feedback],
                                prototype_versions=[screen.version])
    origins = soup_of(in_english(client).get(f"/plans/items/{item.pk}/")).select("#item-origins li")
    assert [text(li) for li in origins] == [f"Prototype: {screen.version.prototype.title} v{screen.version.number}",
                                            "Feedback: Prea multe acte"]
    assert [li.a["href"] if li.a else None for li in origins] == [
        f"/p/{screen.version.prototype.slug}/v{screen.version.number}/", None]
    client.force_login(facilitator)
    feedback_link = soup_of(client.get(f"/plans/items/{item.pk}/")).select("#item-origins li")[1].a
    assert feedback_link["href"] == f"/admin/feedback/{feedback.pk}/"


# --- Romanian status labels ----------------------------------------------------------------------

def test_romanian_status_labels_agree_with_actiune(client, plan):
    for status in ("not_started", "in_progress", "blocked", "done", "dropped"):
        ActionItem.objects.create(plan=plan, title=status, due=TODAY + DAY, status=status)
    page = soup_of(client.get("/birouri/rezina/"))
    assert [text(badge) for badge in page.select(".plan-items .badge")] == [
        "planificată", "în curs", "blocată", "finalizată", "abandonată"]
    assert [text(li) for li in page.select(".status-counts li")] == [
        "Planificată: 1", "În curs: 1", "Blocată: 1", "Finalizată: 1", "Abandonată: 1"]
    done = ActionItem.objects.get(status="done")
    assert text(soup_of(client.get(f"/plans/items/{done.pk}/")).select_one(".facts .badge")) == "finalizată"

"""A plan's items done over time (#20, "charts where people would rather look than read"): the
series read from the items' history (`plans.selectors.done_series`, `done_chart`), drawn on the
office page as a step line with labelled axes and a table of the same figures, and on the
facilitators' overview as a small line per office; in a fixed number of queries."""

import datetime as dt
import re
from types import SimpleNamespace

import pytest
from bs4 import BeautifulSoup
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import override

from plans import services
from plans.models import ActionItem, ActionPlan, ItemUpdate
from plans.selectors import done_chart, done_series, status_changes

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()
DAY = dt.timedelta(days=1)


def noon(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(12)))


# --- the series, from a fixed history -------------------------------------------------------------

JAN = dt.date(2026, 1, 5)


def item(pk: int, created: dt.date, status: str):
    return SimpleNamespace(pk=pk, created=noon(created), status=status)


def test_the_series_has_a_point_for_each_day_the_share_done_changed():
    items = [
        item(1, JAN, "done"),  # started on the 10th, done on the 20th
        item(2, JAN, "done"),  # done on the 25th
        item(3, JAN, "not_started"),  # never touched
        item(4, JAN + 10 * DAY, "dropped"),  # added on the 15th, dropped on the 25th
    ]
    changes = {
        1: [(JAN + 5 * DAY, "not_started", "in_progress"), (JAN + 15 * DAY, "in_progress", "done")],
        2: [(JAN + 20 * DAY, "not_started", "done")],
        4: [(JAN + 20 * DAY, "in_progress", "dropped")],
    }
    assert done_series(items, changes) == [
        {"day": JAN, "done": 0, "counted": 3, "share": 0},
        # the 10th: started, not done: no new point
        {"day": JAN + 10 * DAY, "done": 0, "counted": 4, "share": 0},
        {"day": JAN + 15 * DAY, "done": 1, "counted": 4, "share": 25},
        # the 25th: one more done and one dropped (not counted any more), read at the day's end
        {"day": JAN + 20 * DAY, "done": 2, "counted": 3, "share": 67},
    ]


def test_an_item_without_history_counts_as_it_is_from_its_creation_and_undone_items_count_down():
    items = [item(1, JAN, "done"), item(2, JAN + DAY, "in_progress")]
    changes = {2: [(JAN + 3 * DAY, "not_started", "done"), (JAN + 3 * DAY, "done", "in_progress")]}
    # Item 2 was done and undone the same day: its figures at the day's end did not change.
    assert done_series(items, changes) == [
        {"day": JAN, "done": 1, "counted": 1, "share": 100},
        {"day": JAN + DAY, "done": 1, "counted": 2, "share": 50},
    ]


def test_a_change_recorded_before_the_item_s_creation_moves_its_start_back():
    # An imported item: its row is new, its history older.
    items = [item(1, JAN + 30 * DAY, "done")]
    changes = {1: [(JAN, "not_started", "done")]}
    assert done_series(items, changes) == [{"day": JAN, "done": 1, "counted": 1, "share": 100}]
    assert done_series([], {}) == [] and done_chart([], JAN) is None


def test_the_chart_is_a_step_line_from_the_first_day_to_today():
    points = [
        {"day": JAN, "done": 0, "counted": 4, "share": 0},
        {"day": JAN + 20 * DAY, "done": 1, "counted": 4, "share": 25},
        {"day": JAN + 25 * DAY, "done": 2, "counted": 3, "share": 67},
    ]
    chart = done_chart(points, today=JAN + 30 * DAY)
    # x: days in 0–1000 from the first day to today; y: 100 − the share (SVG's y grows down).
    assert chart["path"] == "M0 100H666.7V75H833.3V33H1000"
    assert chart["area"] == "M0 100H666.7V75H833.3V33H1000V100H0Z"
    assert (chart["first"], chart["last"], chart["now"]) == (JAN, JAN + 30 * DAY, points[-1])
    # A plan whose only change is today is a flat line across.
    assert done_chart(points[:1], today=JAN)["path"] == "M0 100H1000"


# --- read from the real history -----------------------------------------------------------------

@pytest.fixture
def plan(tree):
    return ActionPlan.objects.create(office=tree["rezina"], title="Planul Rezina", published=True)


def backdate(item: ActionItem, days: int) -> None:
    """The item's newest history entry (and, for a new item, the item) as if `days` ago."""
    ItemUpdate.objects.filter(pk=item.updates.order_by("-pk").first().pk).update(created=noon(TODAY - days * DAY))


@pytest.fixture
def history(plan, rezina_member):
    """Four items agreed 30 days ago: one started 20 days ago and done 10 days ago, one done
    5 days ago, one never started, one dropped 5 days ago."""
    made = []
    for title in ("Vehicul", "Scaner", "Orar", "Registre"):
        made.append(services.item_create(user=rezina_member, plan=plan, title=title))
        backdate(made[-1], 30)
    ActionItem.objects.filter(plan=plan).update(created=noon(TODAY - 30 * DAY))
    vehicul, scaner, _orar, registre = made
    for target, status, days in ((vehicul, "in_progress", 20), (vehicul, "done", 10), (scaner, "done", 5),
                                 (registre, "dropped", 5)):
        services.item_update(user=rezina_member, item_id=target.pk, changes={"status": status})
        backdate(target, days)
    return made


def test_status_changes_are_read_from_the_history_oldest_first(history):
    vehicul, scaner, orar, _registre = history
    changes = status_changes([item.pk for item in history])
    assert changes[vehicul.pk] == [(TODAY - 20 * DAY, "not_started", "in_progress"),
                                   (TODAY - 10 * DAY, "in_progress", "done")]
    assert changes[scaner.pk] == [(TODAY - 5 * DAY, "not_started", "done")]
    assert orar.pk not in changes  # created, never changed: no status change
    assert status_changes() == changes


def day(offset: int) -> str:
    with override("ro"):
        return date_format(TODAY - offset * DAY, "j M Y")


def test_the_office_page_draws_the_plan_s_items_done_over_time_with_its_figures(client, plan, history):
    page = BeautifulSoup(client.get("/birouri/rezina/").content.decode(), "html.parser")
    chart = page.select_one(f"#done-chart-{plan.pk}")
    assert chart is not None and chart.find_parent("section")["data-plan-id"] == str(plan.pk)
    # The line: 0% from 30 days ago, 25% from 10 days ago, 67% from 5 days ago, to today.
    assert chart.select_one("path.done-line")["d"] == "M0 100H666.7V75H833.3V33H1000"
    # Its axes, labelled: 0–100% and the first day and today.
    plot = chart.select_one(".done-chart-plot")
    assert plot["aria-hidden"] == "true"
    assert [span.get_text() for span in plot.select(".done-chart-y span")] == ["100%", "50%", "0%"]
    assert [span.get_text() for span in plot.select(".done-chart-x span")] == [day(30), day(0)]
    # The same figures as a table, for whoever does not see the line.
    rows = [[cell.get_text(strip=True) for cell in row.select("th, td")] for row in chart.select("details tbody tr")]
    assert rows == [[day(30), "0", "4", "0%"], [day(10), "1", "4", "25%"], [day(5), "2", "3", "67%"]]
    assert [time["datetime"] for time in chart.select("details tbody time")] == [
        (TODAY - n * DAY).isoformat() for n in (30, 10, 5)]
    assert re.search(r"\b2\b.*\b3\b.*67%", chart.select_one(".done-chart-now").get_text())


def test_the_overview_draws_each_office_s_line_and_lists_its_figures(client, plan, history, facilitator):
    client.force_login(facilitator)
    page = BeautifulSoup(client.get("/plans/overview/").content.decode(), "html.parser")
    row = page.select_one('#plans-overview tr[data-office="rezina"]')
    spark = row.select_one("svg.done-spark")
    assert spark["aria-hidden"] == "true" and spark.select_one("path.done-line")["d"] == "M0 100H666.7V75H833.3V33H1000"
    cell = spark.find_parent("td")
    assert "67%" in cell.get_text() and day(30) in cell.select_one(".visually-hidden").get_text()
    figures = page.select('#overview-done-figures tbody tr[data-office="rezina"]')
    assert [[cell.get_text(strip=True) for cell in tr.select("td")] for tr in figures] == [
        [day(30), "0", "4", "0%"], [day(10), "1", "4", "25%"], [day(5), "2", "3", "67%"]]
    # An office without items has no line.
    assert page.select_one('#plans-overview tr[data-office="calarasi"] svg') is None


def queries(client, url: str) -> int:
    client.get(url)
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


def test_the_history_costs_no_query_per_item_or_update(client, plan, history, rezina_member, facilitator):
    client.force_login(facilitator)
    office, overview = queries(client, "/birouri/rezina/"), queries(client, "/plans/overview/")
    for n in range(10):
        made = services.item_create(user=rezina_member, plan=plan, title=f"Acțiune {n}")
        for status in ("in_progress", "blocked", "done"):
            services.item_update(user=rezina_member, item_id=made.pk, changes={"status": status})
    assert (queries(client, "/birouri/rezina/"), queries(client, "/plans/overview/")) == (office, overview)

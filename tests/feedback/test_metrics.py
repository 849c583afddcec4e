"""Test-task figures on scripted runs with known answers (docs/usability.md works the same
numbers through by hand)."""

import datetime as dt

import pytest

from feedback import metrics
from feedback.models import Feedback, RunOutcome, Tap, TaskRun, TestTask
from prototypes.models import Hotspot, Screen
from tests.prototypes.factories import PrototypeFactory, ScreenFactory, VersionFactory

pytestmark = pytest.mark.django_db

INSTRUCTION = "Cere indemnizația pentru copilul tău"
MISS = "miss"


def hotspot(screen, target=None, *, x=0.1, y=0.8, back=False):
    return Hotspot.objects.create(screen=screen, x=x, y=y, w=0.8, h=0.1, target_screen=target, back=back)


def centre(spot):
    return spot.x + spot.w / 2, spot.y + spot.h / 2


def make_run(task, outcome, steps, *, seconds=None, end_screen=None):
    """steps: (screen, ms, hotspot or MISS). `seconds`: when the run ended, after its start."""
    run = TaskRun.objects.create(task=task, outcome=outcome, current_screen=task.start_screen)
    current = task.start_screen
    for screen, ms, spot in steps:
        if spot == MISS:
            Tap.objects.create(run=run, screen=screen, x=0.5, y=0.05, hit=False, ms_since_start=ms)
            continue
        led_to = spot.target_screen or previous_screen(run)
        x, y = centre(spot)
        Tap.objects.create(run=run, screen=screen, x=x, y=y, hit=True, led_to=led_to, ms_since_start=ms)
        current = led_to
    ended_at = None
    if outcome != RunOutcome.RUNNING:
        if seconds is None:
            seconds = steps[-1][1] / 1000 if steps else 1
        ended_at = run.started_at + dt.timedelta(seconds=seconds)
    TaskRun.objects.filter(pk=run.pk).update(ended_at=ended_at, current_screen=end_screen or current)
    return run


def previous_screen(run):
    """Where a back button leads, as feedback.tasks decides it."""
    path = metrics.path_of(run.task.start_screen_id, run.taps.order_by("ms_since_start", "pk"))
    return Screen.objects.get(pk=path[-2])


@pytest.fixture
def prototype():
    return PrototypeFactory(slug="maternitate")


@pytest.fixture
def v1(prototype):
    """Start → Formular → Acte → Gata, with a back button and a shortcut on Formular."""
    version = VersionFactory(prototype=prototype, number=1)
    s = [ScreenFactory(version=version, title=t, sort_order=i) for i, t in enumerate(["Start", "Formular", "Acte", "Gata"])]
    spots = {
        "start": hotspot(s[0], s[1]),
        "next": hotspot(s[1], s[2]),
        "back": hotspot(s[1], back=True, y=0.0),
        "shortcut": hotspot(s[1], s[3], y=0.4),
        "send": hotspot(s[2], s[3]),
    }
    task = TestTask.objects.create(version=version, instruction=INSTRUCTION, start_screen=s[0],
                                   expected_path=[sc.pk for sc in s])
    task.goal_screens.set([s[3]])
    return dict(version=version, screens=s, spots=spots, task=task)


@pytest.fixture
def scripted(v1):
    """10 finished runs (6 direct, 2 indirect, 2 gave up on Formular and Acte), 1 restart,
    1 still running."""
    s, p, task = v1["screens"], v1["spots"], v1["task"]
    start, form, docs = s[0], s[1], s[2]
    C, G = RunOutcome.COMPLETED, RunOutcome.GAVE_UP
    direct_times = [(3000, 8000, 10000), (4000, 10000, 12000), (2000, 9000, 14000),
                    (5000, 12000, 15000), (3000, 11000, 16000)]
    for t1, t2, t3 in direct_times:
        make_run(task, C, [(start, t1, p["start"]), (form, t2, p["next"]), (docs, t3, p["send"])])
    # A misclick on the expected path is still direct: the path is what counts when one is set.
    make_run(task, C, [(start, 1000, MISS), (start, 6000, p["start"]), (form, 20000, p["next"]), (docs, 30000, p["send"])])
    # Indirect: went back once; took a shortcut after two misclicks.
    make_run(task, C, [(start, 3000, p["start"]), (form, 6000, p["back"]), (start, 8000, p["start"]),
                       (form, 14000, p["next"]), (docs, 18000, p["send"])])
    make_run(task, C, [(start, 4000, p["start"]), (form, 6000, MISS), (form, 7000, MISS), (form, 22000, p["shortcut"])])
    # Gave up on Formular after 25 s, on Acte after 40 s.
    make_run(task, G, [(start, 3000, p["start"]), (form, 5000, MISS), (form, 9000, MISS)], seconds=25)
    make_run(task, G, [(start, 2000, p["start"]), (form, 7000, p["next"]), (docs, 10000, MISS)], seconds=40)
    # Not finished: left out of every figure except the counts.
    make_run(task, RunOutcome.RESTARTED, [(start, 2000, p["start"]), (form, 3000, MISS)], seconds=4)
    make_run(task, RunOutcome.RUNNING, [(start, 500, MISS)])
    return v1


def test_path_collapses_repeats_and_ignores_misses(v1):
    s = v1["screens"]

    class T:
        def __init__(self, hit, led_to_id):
            self.hit, self.led_to_id = hit, led_to_id

    taps = [T(False, None), T(True, s[1].pk), T(True, s[1].pk), T(True, None), T(True, s[0].pk), T(True, s[1].pk)]
    assert metrics.path_of(s[0].pk, taps) == [s[0].pk, s[1].pk, s[0].pk, s[1].pk]


def test_task_figures(scripted):
    m = metrics.task_metrics(scripted["task"])
    assert (m["runs"], m["completed_direct"], m["completed_indirect"], m["gave_up"], m["restarts"], m["in_progress"]) == (
        10, 6, 2, 2, 1, 1)
    assert m["completion_direct_rate"] == pytest.approx(0.6)
    assert m["completion_indirect_rate"] == pytest.approx(0.2)
    assert m["completion_rate"] == pytest.approx(0.8)
    assert m["gave_up_rate"] == pytest.approx(0.2)
    # Completed durations 10, 12, 14, 15, 16, 30, 18, 22 s.
    assert m["median_seconds"] == pytest.approx(15.5)
    # 34 taps in finished runs, 6 of them missed.
    assert m["taps"] == 34
    assert m["misclick_rate"] == pytest.approx(6 / 34)
    assert m["expected_path_rate"] == pytest.approx(0.6)
    # 100 · (6 + 0.5 · 2) / 10 − 20 · 6/34 = 66.47
    assert m["score"] == 66


def test_screen_figures(scripted):
    screens = {row["title"]: row for row in metrics.task_metrics(scripted["task"])["screens"]}
    assert list(screens) == ["Start", "Formular", "Acte", "Gata"]
    start, form, docs, done = (screens[t] for t in ["Start", "Formular", "Acte", "Gata"])

    assert (start["visits"], start["taps"], start["misclicks"], start["drop_off"]) == (10, 12, 1, 0)
    assert start["median_seconds"] == pytest.approx(3.5)
    assert start["score"] == 98  # 100 − 30 · 1/12 = 97.5, rounded half up

    assert (form["visits"], form["taps"], form["misclicks"], form["gave_up_here"]) == (10, 14, 4, 1)
    assert form["drop_off"] == pytest.approx(0.1)
    assert form["median_seconds"] == pytest.approx(7.5)
    assert form["score"] == 84  # 100 − 5 − 30 · 4/14 − 20 · 2.5/25 = 84.43

    assert (docs["visits"], docs["taps"], docs["misclicks"], docs["gave_up_here"]) == (8, 8, 1, 1)
    assert docs["drop_off"] == pytest.approx(0.125)
    assert docs["median_seconds"] == pytest.approx(4.5)
    assert docs["score"] == 90  # 100 − 6.25 − 3.75

    # The goal: reached 8 times, nobody taps there, no time counted (arriving ends the run).
    assert (done["visits"], done["taps"], done["misclick_rate"], done["drop_off"], done["median_seconds"]) == (
        8, 0, None, 0, None)
    assert done["score"] == 100


def test_without_an_expected_path_direct_means_no_detour_and_no_misclick(v1):
    s, p, task = v1["screens"], v1["spots"], v1["task"]
    TestTask.objects.filter(pk=task.pk).update(expected_path=[])
    task.refresh_from_db()
    C = RunOutcome.COMPLETED
    make_run(task, C, [(s[0], 1000, p["start"]), (s[1], 2000, p["shortcut"])])  # direct: another way, clean
    make_run(task, C, [(s[0], 1000, MISS), (s[0], 2000, p["start"]), (s[1], 3000, p["shortcut"])])  # a misclick
    make_run(task, C, [(s[0], 1000, p["start"]), (s[1], 2000, p["back"]), (s[0], 3000, p["start"]),
                       (s[1], 4000, p["shortcut"])])  # Start twice
    m = metrics.task_metrics(task)
    assert (m["completed_direct"], m["completed_indirect"], m["expected_path_rate"]) == (1, 2, None)
    assert m["median_seconds"] == 3
    # 100 · (1 + 1) / 3 − 20 · 1/9 = 64.4
    assert m["score"] == 64


def test_a_task_without_runs(v1):
    m = metrics.task_metrics(v1["task"])
    assert (m["runs"], m["completion_rate"], m["median_seconds"], m["misclick_rate"], m["score"]) == (0, None, None, None, None)
    assert [row["visits"] for row in m["screens"]] == [0, 0, 0, 0]
    assert {row["score"] for row in m["screens"]} == {None}


def test_a_completed_run_without_taps_takes_its_wall_time(v1):
    make_run(v1["task"], RunOutcome.COMPLETED, [], seconds=42)
    assert metrics.task_metrics(v1["task"])["median_seconds"] == pytest.approx(42)


def test_queries_do_not_grow_with_runs(scripted, django_assert_max_num_queries):
    task = TestTask.objects.select_related("version").get(pk=scripted["task"].pk)
    with django_assert_max_num_queries(3):
        before = metrics.task_metrics(task)
    p, s = scripted["spots"], scripted["screens"]
    for _ in range(15):
        make_run(task, RunOutcome.COMPLETED, [(s[0], 1000, p["start"]), (s[1], 2000, p["next"]), (s[2], 3000, p["send"])])
    with django_assert_max_num_queries(3):
        after = metrics.task_metrics(task)
    assert (before["runs"], after["runs"]) == (10, 25)
    with django_assert_max_num_queries(4):
        metrics.compare_versions(scripted["version"].prototype)
    with django_assert_max_num_queries(5):
        metrics.version_summary(scripted["version"])


@pytest.fixture
def v2(scripted):
    """v2 drops the Acte screen: Start → Formular → Gata, four clean direct runs."""
    version = VersionFactory(prototype=scripted["version"].prototype, number=2)
    s = [ScreenFactory(version=version, title=t, sort_order=i) for i, t in enumerate(["Start", "Formular", "Gata"])]
    to_form, send = hotspot(s[0], s[1]), hotspot(s[1], s[2])
    task = TestTask.objects.create(version=version, instruction=INSTRUCTION, start_screen=s[0],
                                   expected_path=[sc.pk for sc in s])
    task.goal_screens.set([s[2]])
    for t1, t2 in [(2000, 6000), (3000, 8000), (3000, 9000), (4000, 12000)]:
        make_run(task, RunOutcome.COMPLETED, [(s[0], t1, to_form), (s[1], t2, send)])
    TestTask.objects.create(version=version, instruction="Only on v2", start_screen=s[0])
    TestTask.objects.create(version=scripted["version"], instruction="Only on v1", start_screen=scripted["screens"][0])
    return dict(version=version, screens=s, task=task)


def test_compare_versions_shows_v2_is_easier(scripted, v2):
    comparison = metrics.compare_versions(scripted["version"].prototype)
    assert [row["instruction"] for row in comparison] == [INSTRUCTION]
    row = comparison[0]
    assert [f["version"] for f in row["versions"]] == [1, 2]
    first, second = row["versions"]
    assert (first["score"], second["score"], row["score_change"]) == (66, 100, 34)
    assert (first["median_seconds"], second["median_seconds"]) == (pytest.approx(15.5), pytest.approx(8.5))
    assert second["completion_direct_rate"] == 1 and second["misclick_rate"] == 0
    assert [s["title"] for s in second["screens"]] == ["Start", "Formular", "Gata"]


def test_version_summary(scripted, v2):
    s = scripted["screens"]
    version = scripted["version"]
    for screen, rating in [(s[1], 2), (s[1], 4), (s[2], None)]:
        Feedback.objects.create(version=version, screen=screen, x=0.5, y=0.5, text="…", rating=rating)
    Feedback.objects.create(version=v2["version"], screen=v2["screens"][0], x=0.5, y=0.5, text="…", rating=1)

    summary = metrics.version_summary(version)
    assert summary["version"] == 1
    assert summary["feedback"] == 3
    assert [(row["title"], row["mean_rating"], row["ratings"]) for row in summary["screens"]] == [
        ("Start", None, 0), ("Formular", 3.0, 2), ("Acte", None, 0), ("Gata", None, 0)]
    tasks = {row["instruction"]: row for row in summary["tasks"]}
    main, lonely = tasks[INSTRUCTION], tasks["Only on v1"]
    assert (main["runs"], main["completion_rate"], main["median_seconds"], main["score"]) == (
        10, pytest.approx(0.8), pytest.approx(15.5), 66)
    assert (lonely["runs"], lonely["completion_rate"], lonely["median_seconds"], lonely["score"]) == (0, None, None, None)

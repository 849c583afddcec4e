"""Test-task figures computed from the stored runs and taps (see docs/usability.md).

Plain functions over what `feedback.tasks` stores; each runs a fixed number of queries
however many runs and taps there are (the taps of all the runs come in one query, grouped
here). Rates are fractions 0–1 (None when there is nothing to divide by), times are
seconds, scores are whole numbers 0–100 (None when there is nothing to judge).
"""

import math
import statistics
from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Avg, Count

from prototypes.selectors import screens_of_versions

from .models import Feedback, RunOutcome, Tap, TaskRun, TestTask

FINISHED = (RunOutcome.COMPLETED, RunOutcome.GAVE_UP)

# The usability scores' weights (docs/usability.md explains them).
SCREEN_DROP_OFF_WEIGHT = 50
SCREEN_MISCLICK_WEIGHT = 30
SCREEN_TIME_WEIGHT = 20
SCREEN_TIME_FREE_SECONDS = 5  # no time penalty up to this median on a screen
SCREEN_TIME_FULL_SECONDS = 30  # the whole time penalty from this median on
TASK_INDIRECT_WEIGHT = 0.5
TASK_MISCLICK_WEIGHT = 20


# --- one run -------------------------------------------------------------------------------


@dataclass(frozen=True)
class TapRow:
    """The few columns of a tap the figures need."""

    run_id: int
    screen_id: int
    hit: bool
    led_to_id: int | None
    ms: int


@dataclass
class RunWalk:
    """A run replayed from its taps."""

    outcome: str
    path: list[int]
    reached: set[int]
    misclicks: int
    taps: int
    seconds: float | None  # the run's duration (completed runs)
    seconds_on: dict[int, float] = field(default_factory=dict)  # time on each screen left (or given up on)
    end_screen: int | None = None


def path_of(start_screen_id: int, taps) -> list[int]:
    """The screens a run went through: the start screen, then where each hit tap led
    (consecutive repeats collapsed). `taps` in the order they happened; anything with
    `hit` and `led_to_id`."""
    path = [start_screen_id]
    for tap in taps:
        if tap.hit and tap.led_to_id is not None and tap.led_to_id != path[-1]:
            path.append(tap.led_to_id)
    return path


def _walk(run: dict, start_screen_id: int, taps: list[TapRow]) -> RunWalk:
    path = [start_screen_id]
    seconds_on: dict[int, float] = defaultdict(float)
    since = 0
    for tap in taps:
        if tap.hit and tap.led_to_id is not None and tap.led_to_id != path[-1]:
            seconds_on[path[-1]] += (tap.ms - since) / 1000
            since = tap.ms
            path.append(tap.led_to_id)
    wall = None
    if run["ended_at"] is not None:
        wall = max(0.0, (run["ended_at"] - run["started_at"]).total_seconds())
    last_ms = taps[-1].ms if taps else None
    end_screen = run["current_screen_id"] or path[-1]
    seconds = None
    if run["outcome"] == RunOutcome.COMPLETED:
        # Reaching the goal ends the run: no time is counted on the goal screen.
        seconds = last_ms / 1000 if last_ms is not None else wall
    elif run["outcome"] == RunOutcome.GAVE_UP:
        # The screen given up on counts until the run ended.
        end_ms = max(last_ms or 0, wall * 1000 if wall is not None else 0)
        seconds_on[end_screen] += max(0, end_ms - since) / 1000
    reached = set(path) | {tap.screen_id for tap in taps} | {end_screen}
    misclicks = sum(1 for tap in taps if not tap.hit)
    return RunWalk(outcome=run["outcome"], path=path, reached=reached, misclicks=misclicks, taps=len(taps),
                   seconds=seconds, seconds_on=dict(seconds_on), end_screen=end_screen)


def _is_direct(walk: RunWalk, expected: list[int]) -> bool:
    if walk.outcome != RunOutcome.COMPLETED:
        return False
    if expected:
        return walk.path == expected
    return len(set(walk.path)) == len(walk.path) and walk.misclicks == 0


# --- numbers -------------------------------------------------------------------------------


def _rate(part, whole):
    return part / whole if whole else None


def _median(values):
    return statistics.median(values) if values else None


def _score(value: float) -> int:
    """Clamped to 0–100 and rounded half up (72.5 → 73), as the docs say."""
    value = min(100.0, max(0.0, round(value, 6)))
    return int(math.floor(value + 0.5))


def screen_score(*, drop_off, misclick_rate, median_seconds) -> int:
    time_penalty = 0.0
    if median_seconds is not None:
        span = SCREEN_TIME_FULL_SECONDS - SCREEN_TIME_FREE_SECONDS
        time_penalty = min(1.0, max(0.0, (median_seconds - SCREEN_TIME_FREE_SECONDS) / span))
    return _score(
        100
        - SCREEN_DROP_OFF_WEIGHT * (drop_off or 0)
        - SCREEN_MISCLICK_WEIGHT * (misclick_rate or 0)
        - SCREEN_TIME_WEIGHT * time_penalty
    )


def task_score(*, direct: int, indirect: int, finished: int, misclick_rate) -> int | None:
    if not finished:
        return None
    success = 100 * (direct + TASK_INDIRECT_WEIGHT * indirect) / finished
    return _score(success - TASK_MISCLICK_WEIGHT * (misclick_rate or 0))


# --- loading -------------------------------------------------------------------------------


def _runs_and_taps(task_ids) -> dict[int, list[tuple[dict, list[TapRow]]]]:
    """Every run of these tasks with its taps in order: two queries."""
    runs = list(
        TaskRun.objects.filter(task_id__in=task_ids)
        .order_by("started_at", "pk")
        .values("pk", "task_id", "outcome", "started_at", "ended_at", "current_screen_id")
    )
    taps: dict[int, list[TapRow]] = defaultdict(list)
    rows = (
        Tap.objects.filter(run__task_id__in=task_ids)
        .order_by("run_id", "ms_since_start", "pk")
        .values_list("run_id", "screen_id", "hit", "led_to_id", "ms_since_start")
    )
    for row in rows:
        taps[row[0]].append(TapRow(*row))
    by_task: dict[int, list] = defaultdict(list)
    for run in runs:
        by_task[run["task_id"]].append((run, taps.get(run["pk"], [])))
    return by_task


def _screens_by_version(version_ids, queryset=None) -> dict[int, list]:
    screens = queryset if queryset is not None else screens_of_versions(version_ids)
    by_version: dict[int, list] = defaultdict(list)
    for screen in screens.order_by("version_id", "sort_order", "pk"):
        by_version[screen.version_id].append(screen)
    return by_version


# --- one task ------------------------------------------------------------------------------


def _metrics(task: TestTask, version_number: int, runs, screens: list) -> dict:
    expected = [int(i) for i in (task.expected_path or [])]
    walks = [_walk(run, task.start_screen_id, taps) for run, taps in runs if run["outcome"] in FINISHED]
    restarts = sum(1 for run, _taps in runs if run["outcome"] == RunOutcome.RESTARTED)
    in_progress = sum(1 for run, _taps in runs if run["outcome"] == RunOutcome.RUNNING)
    finished = len(walks)
    completed = [w for w in walks if w.outcome == RunOutcome.COMPLETED]
    direct = sum(1 for w in completed if _is_direct(w, expected))
    indirect = len(completed) - direct
    gave_up = finished - len(completed)
    all_taps = sum(w.taps for w in walks)
    misclick_rate = _rate(sum(w.misclicks for w in walks), all_taps)

    taps_on: dict[int, int] = defaultdict(int)
    misclicks_on: dict[int, int] = defaultdict(int)
    for run, run_taps in runs:
        if run["outcome"] in FINISHED:
            for tap in run_taps:
                taps_on[tap.screen_id] += 1
                misclicks_on[tap.screen_id] += not tap.hit

    per_screen = []
    for screen in screens:
        visits = [w for w in walks if screen.pk in w.reached]
        taps, misclicks = taps_on[screen.pk], misclicks_on[screen.pk]
        dropped = sum(1 for w in visits if w.outcome == RunOutcome.GAVE_UP and w.end_screen == screen.pk)
        drop_off = _rate(dropped, len(visits))
        screen_misclick_rate = _rate(misclicks, taps)
        median_seconds = _median([w.seconds_on[screen.pk] for w in visits if screen.pk in w.seconds_on])
        per_screen.append({
            "screen_id": screen.pk,
            "title": screen.title,
            "visits": len(visits),
            "taps": taps,
            "misclicks": misclicks,
            "misclick_rate": screen_misclick_rate,
            "gave_up_here": dropped,
            "drop_off": drop_off,
            "median_seconds": median_seconds,
            "score": screen_score(drop_off=drop_off, misclick_rate=screen_misclick_rate, median_seconds=median_seconds)
            if visits else None,
        })

    return {
        "task_id": task.pk,
        "instruction": task.instruction,
        "version": version_number,
        "runs": finished,
        "completed_direct": direct,
        "completed_indirect": indirect,
        "gave_up": gave_up,
        "restarts": restarts,
        "in_progress": in_progress,
        "completion_direct_rate": _rate(direct, finished),
        "completion_indirect_rate": _rate(indirect, finished),
        "completion_rate": _rate(direct + indirect, finished),
        "gave_up_rate": _rate(gave_up, finished),
        "median_seconds": _median([w.seconds for w in completed if w.seconds is not None]),
        "taps": all_taps,
        "misclick_rate": misclick_rate,
        "expected_path_rate": _rate(sum(1 for w in walks if w.path == expected), finished) if expected else None,
        "screens": per_screen,
        "score": task_score(direct=direct, indirect=indirect, finished=finished, misclick_rate=misclick_rate),
    }


def task_metrics(task: TestTask) -> dict:
    """The figures of one task over its finished runs (three queries, four without the
    version already loaded)."""
    runs = _runs_and_taps([task.pk]).get(task.pk, [])
    screens = _screens_by_version([task.version_id]).get(task.version_id, [])
    return _metrics(task, task.version.number, runs, screens)


# --- versions ------------------------------------------------------------------------------


def compare_versions(prototype) -> list[dict]:
    """Each task instruction found on two or more versions of the prototype (same text,
    exactly), with its figures per version, oldest first, and how the score moved from the
    first to the last. When a version has the instruction twice, its first task counts.
    Four queries."""
    tasks = list(
        TestTask.objects.filter(version__prototype=prototype).select_related("version").order_by("version__number", "pk")
    )
    groups: dict[str, dict[int, TestTask]] = {}
    for task in tasks:
        groups.setdefault(task.instruction, {}).setdefault(task.version.number, task)
    groups = {text: by_number for text, by_number in groups.items() if len(by_number) > 1}
    if not groups:
        return []
    chosen = [task for by_number in groups.values() for task in by_number.values()]
    runs = _runs_and_taps([t.pk for t in chosen])
    screens = _screens_by_version({t.version_id for t in chosen})
    result = []
    for text, by_number in groups.items():
        figures = [
            _metrics(task, number, runs.get(task.pk, []), screens.get(task.version_id, []))
            for number, task in sorted(by_number.items())
        ]
        first, last = figures[0]["score"], figures[-1]["score"]
        result.append({
            "instruction": text,
            "versions": figures,
            "score_change": last - first if first is not None and last is not None else None,
        })
    return result


def version_summary(version) -> dict:
    """What the public summary shows for a version: how much feedback, the mean rating of
    each screen, and each task's headline figures. Five queries."""
    screens = _screens_by_version(
        [version.pk],
        screens_of_versions([version.pk]).annotate(
            mean_rating=Avg("feedback__rating"), ratings=Count("feedback__rating"),
        ),
    ).get(version.pk, [])
    tasks = list(TestTask.objects.filter(version=version).order_by("pk"))
    runs = _runs_and_taps([t.pk for t in tasks]) if tasks else {}
    task_rows = []
    for task in tasks:
        figures = _metrics(task, version.number, runs.get(task.pk, []), screens)
        task_rows.append({
            "task_id": task.pk,
            "instruction": task.instruction,
            "active": task.active,
            "runs": figures["runs"],
            "completion_rate": figures["completion_rate"],
            "median_seconds": figures["median_seconds"],
            "score": figures["score"],
        })
    return {
        "version": version.number,
        "feedback": Feedback.objects.filter(version=version).count(),
        "screens": [
            {
                "screen_id": s.pk,
                "title": s.title,
                "mean_rating": round(s.mean_rating, 2) if s.mean_rating is not None else None,
                "ratings": s.ratings,
            }
            for s in screens
        ],
        "tasks": task_rows,
    }

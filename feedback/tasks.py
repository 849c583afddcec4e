"""Taking a test task: start a run, record each tap as it happens, give up or restart.

The server decides what a tap hit (the hotspots are stored here), so the figures do not
depend on what a browser claims.
"""

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from prototypes.selectors import hotspot_at
from workshop_site.core.errors import (
    Conflict,
    Forbidden,
    Invalid,
    NotFound,
    RateLimited,
)
from workshop_site.core.ratelimit import named

from .models import RunOutcome, Tap, TaskRun, TestTask

MAX_RUN_MS = 4 * 60 * 60 * 1000


def run_path(run: TaskRun) -> list[int]:
    """Screen ids the run went through, in order (consecutive repeats collapsed)."""
    path = [run.task.start_screen_id]
    for led_to in run.taps.filter(hit=True, led_to__isnull=False).order_by("ms_since_start", "pk").values_list("led_to", flat=True):
        if led_to != path[-1]:
            path.append(led_to)
    return path


@transaction.atomic
def run_start(*, task_id, user, session_key: str) -> TaskRun:
    task = TestTask.objects.select_related("version__prototype").filter(pk=task_id).first()
    if task is None:
        raise NotFound(_("No such task."))
    version = task.version
    if not user.has_perm("prototypes.view_version", version):
        raise NotFound(_("No such task."))
    if not task.active:  # the request is fine, the task's state refuses it: a conflict, not invalid
        raise Conflict(_("This task is closed."))
    return TaskRun.objects.create(task=task, session_key=session_key or "", current_screen_id=task.start_screen_id)


def _own_running_run(run_id, session_key: str) -> TaskRun:
    run = TaskRun.objects.select_related("task").filter(pk=run_id if isinstance(run_id, int) else None).first()
    if run is None:
        raise NotFound(_("No such run."))
    if not session_key or run.session_key != session_key:
        raise Forbidden(_("This run belongs to another browser."))
    if run.outcome != RunOutcome.RUNNING:
        raise Conflict(_("This task is not running any more."))
    return run


@transaction.atomic
def run_tap(*, run_id, session_key: str, screen_id, x, y) -> dict:
    """Store one tap; says whether it hit, where it led, and whether the goal is reached.
    The time is the server's, since the run started (a phone's clock may be wrong)."""
    # A tester taps a lot, a bot more: per session, generous (taps_session in the settings).
    if named("taps_session").over(session_key):
        raise RateLimited(_("Too many taps in a short time; wait a few minutes."))
    run = _own_running_run(run_id, session_key)
    run = TaskRun.objects.select_for_update().select_related("task").get(pk=run.pk)
    for name, value in (("x", x), ("y", y)):
        if isinstance(value, bool) or not isinstance(value, int | float) or not 0 <= value <= 1:
            raise Invalid(_("%(name)s must be a number from 0 to 1.") % {"name": name})
    ms = min(MAX_RUN_MS, int((timezone.now() - run.started_at).total_seconds() * 1000))
    if screen_id != run.current_screen_id:  # e.g. a second tap sent before the first one's answer
        raise Conflict(_("This tap is not on the screen the task is at."))
    hotspot = hotspot_at(screen_id, float(x), float(y))
    led_to = None
    if hotspot is not None:
        if hotspot.target_screen_id:
            led_to = hotspot.target_screen_id
        elif hotspot.back:
            path = run_path(run)
            led_to = path[-2] if len(path) > 1 else path[0]
    Tap.objects.create(run=run, screen_id=screen_id, x=float(x), y=float(y), hit=hotspot is not None,
                       led_to_id=led_to, ms_since_start=ms)
    completed = False
    if led_to is not None:
        run.current_screen_id = led_to
        if run.task.goal_screens.filter(pk=led_to).exists():
            run.outcome, run.ended_at, completed = RunOutcome.COMPLETED, timezone.now(), True
        run.save(update_fields=["current_screen", "outcome", "ended_at"])
    return {"hit": hotspot is not None, "led_to": led_to, "completed": completed,
            "url": hotspot.target_url if hotspot is not None and hotspot.target_url else None}


@transaction.atomic
def run_give_up(*, run_id, session_key: str) -> TaskRun:
    run = _own_running_run(run_id, session_key)
    TaskRun.objects.filter(pk=run.pk).update(outcome=RunOutcome.GAVE_UP, ended_at=timezone.now())
    run.refresh_from_db()
    return run


@transaction.atomic
def run_restart(*, run_id, session_key: str) -> TaskRun:
    """The stuck tester starts again: the old run is kept as restarted, a new one begins."""
    run = _own_running_run(run_id, session_key)
    TaskRun.objects.filter(pk=run.pk).update(outcome=RunOutcome.RESTARTED, ended_at=timezone.now())
    return TaskRun.objects.create(task=run.task, session_key=session_key, current_screen_id=run.task.start_screen_id)


def task_validate(*, version, start_screen, goal_screens, expected_path: list[int]) -> None:
    """A task's screens must all belong to its version."""
    ids = {s.pk for s in version.screens.all()}
    if start_screen.pk not in ids or any(s.pk not in ids for s in goal_screens) or any(i not in ids for i in expected_path):
        raise Invalid(_("A task's screens must all be screens of its version."))
    if not goal_screens:
        raise Invalid(_("Choose at least one goal screen."))


def run_for_play(run_id, *, session_key: str | None, version) -> TaskRun | None:
    """The run a play-mode page belongs to: this browser's, on this version (running or just
    completed, so the goal screen can say so)."""
    if run_id is None or not session_key:
        return None
    return (
        TaskRun.objects.select_related("task")
        .filter(pk=run_id, session_key=session_key, task__version=version)
        .exclude(outcome__in=[RunOutcome.RESTARTED])
        .first()
    )


def task_after(task: TestTask) -> TestTask | None:
    """The task a tester who has finished `task` takes next: the version's next one open for
    testers, in the team's order."""
    return TestTask.objects.filter(version_id=task.version_id, active=True, pk__gt=task.pk).order_by("pk").first()

"""`POST /api/prototypes/{slug}/feedback` (pinned feedback, a JSON API contract with outside
clients), listing and editing one's own pins, and taking test tasks."""

from typing import Annotated, Literal

from django.http import Http404
from django.utils.translation import gettext as _
from ninja import Path, Router, Status
from pydantic import Field

from prototypes.selectors import prototype_by_slug
from workshop_site.core.api import Choice, In, Int, Out, Text, errors, links
from workshop_site.core.client_ip import request_client_ip
from workshop_site.core.errors import NotFound

from . import selectors, services, tasks
from .models import Feedback, FeedbackRole, FeedbackStatus, RunOutcome

router = Router(tags=["feedback"])

Fraction = Annotated[float, Field(ge=0, le=1, description="a fraction of the screen, 0 to 1")]
Slug = Annotated[str, Path(example="maternitate-online", description="the prototype's slug")]
Rating = Int(ge=1, le=5)


class FeedbackIn(In):
    version: Int(description="the version's number")
    screen: Int(description="a screen id of that version")
    x: Fraction
    y: Fraction
    text: Text(Feedback.MAX_LENGTH)
    rating: Rating | None = None
    role: Literal[tuple(FeedbackRole.values)] | None = None


class FeedbackEdit(In):
    text: Text(Feedback.MAX_LENGTH) | None = None
    rating: Rating | None = None


class FeedbackOut(Out):
    id: int
    version: int
    screen: int
    x: float
    y: float
    text: str
    rating: int | None
    role: Choice(FeedbackRole.values) | None
    status: Choice(FeedbackStatus.values)
    reply: str | None
    mine: bool = Field(description="pinned from this browser (it may edit it while it is new)")


class PinsOut(Out):
    pins: list[FeedbackOut]


def feedback_payload(feedback: Feedback, *, session_key: str | None) -> dict:
    return {
        "id": feedback.pk, "version": feedback.version.number, "screen": feedback.screen_id,
        "x": feedback.x, "y": feedback.y, "text": feedback.text, "rating": feedback.rating,
        "role": feedback.author_role or None, "status": feedback.status, "reply": feedback.reply or None,
        "mine": bool(session_key) and feedback.session_key == session_key,
    }


def _session_key(request) -> str:
    if not request.session.session_key:
        request.session.save()
    return request.session.session_key


def _version(slug: str, number: int):
    prototype = prototype_by_slug(slug)
    if prototype is None:
        raise Http404
    version = prototype.versions.filter(number=number).first()
    if version is None:
        raise NotFound(_("No such version."))
    return version


@router.post("/prototypes/{slug}/feedback", response={201: FeedbackOut, **errors(400, 403, 404)},
             openapi_extra=links(201, edit=("feedback_api_edit", {"feedback_id": "$response.body#/id"}),
                                 pins=("feedback_api_pins", {"slug": "$request.path.slug",
                                                             "version": "$response.body#/version"})))
def submit(request, slug: Slug, payload: FeedbackIn):
    """Pin feedback on a screen; the browser's session may then edit it."""
    session_key = _session_key(request)
    services.check_rate(session_key=session_key, address=request_client_ip(request))
    version = _version(slug, payload.version)
    # A strictly typed body: the service refuses what the schema coerced (e.g. "3" for 3).
    feedback = services.feedback_submit(
        user=request.user, session_key=session_key, version=version, screen_id=payload.screen,
        x=payload.x, y=payload.y, text=payload.text, rating=payload.rating, role=payload.role,
    )
    return Status(201, feedback_payload(feedback, session_key=session_key))


@router.get("/prototypes/{slug}/feedback", response={200: PinsOut, **errors(400, 404)}, auth=None)
def pins(request, slug: Slug, version: int, screen: int | None = None):
    """The pins this browser may see on a version (optionally one screen)."""
    found = _version(slug, version)
    if not request.user.has_perm("prototypes.view_version", found):
        raise NotFound(_("No such version."))
    session_key = request.session.session_key
    screen_obj = found.screens.filter(pk=screen).first() if screen is not None else None
    if screen is not None and screen_obj is None:
        raise NotFound(_("No such screen in this version."))
    rows = selectors.pins_for(user=request.user, session_key=session_key, version=found, screen=screen_obj)
    return {"pins": [feedback_payload(f, session_key=session_key) for f in rows.select_related("version")]}


@router.patch("/feedback/{feedback_id}", response={200: FeedbackOut, **errors(400, 403, 404, 409)})
def edit(request, feedback_id: int, payload: FeedbackEdit):
    session_key = request.session.session_key
    services.check_rate(session_key=session_key, address=request_client_ip(request))
    changes = payload.model_dump(exclude_unset=True)
    feedback = services.feedback_edit(session_key=session_key, feedback_id=feedback_id, **changes)
    return feedback_payload(feedback, session_key=session_key)


class TapIn(In):
    screen: Int(description="the screen the run is at")
    x: Fraction
    y: Fraction


class RunOut(Out):
    run: int
    task: int
    outcome: Choice(RunOutcome.values)
    start_screen: int
    play_url: str = Field(description="play mode at the task's first screen, in this run")


class TapOut(Out):
    hit: bool = Field(description="the tap was on a hotspot")
    led_to: int | None = Field(description="the screen it led to")
    completed: bool = Field(description="the task's goal is reached")
    url: str | None = Field(description="the link the hotspot leads to")


class RunEndOut(Out):
    run: int
    outcome: Choice(RunOutcome.values)


# A run's answer leads to its taps, giving up and starting again.
RUN_LINKS = links(201, **{
    name: (f"feedback_api_run_{name}", {"run_id": "$response.body#/run"}) for name in ("tap", "give_up", "restart")
})


def _run_payload(run) -> dict:
    task = run.task
    version = task.version
    return {
        "run": run.pk, "task": task.pk, "outcome": run.outcome, "start_screen": task.start_screen_id,
        "play_url": f"/p/{version.prototype.slug}/v{version.number}/s{task.start_screen_id}/?run={run.pk}",
    }


@router.post("/tasks/{task_id}/runs", response={201: RunOut, **errors(403, 404, 409)}, openapi_extra=RUN_LINKS)
def run_start(request, task_id: int):
    """Start taking a task; taps then go to /api/task-runs/{run}/taps."""
    session_key = _session_key(request)
    services.check_rate(session_key=session_key, address=request_client_ip(request))
    run = tasks.run_start(task_id=task_id, user=request.user, session_key=session_key)
    run = type(run).objects.select_related("task__version__prototype").get(pk=run.pk)
    return Status(201, _run_payload(run))


@router.post("/task-runs/{run_id}/taps", response={200: TapOut, **errors(400, 403, 404, 409)})
def run_tap(request, run_id: int, payload: TapIn):
    return tasks.run_tap(run_id=run_id, session_key=request.session.session_key, screen_id=payload.screen,
                         x=payload.x, y=payload.y)


@router.post("/task-runs/{run_id}/give-up", response={200: RunEndOut, **errors(403, 404, 409)})
def run_give_up(request, run_id: int):
    run = tasks.run_give_up(run_id=run_id, session_key=request.session.session_key)
    return {"run": run.pk, "outcome": run.outcome}


@router.post("/task-runs/{run_id}/restart", response={201: RunOut, **errors(403, 404, 409)},
             openapi_extra=RUN_LINKS)
def run_restart(request, run_id: int):
    run = tasks.run_restart(run_id=run_id, session_key=request.session.session_key)
    run = type(run).objects.select_related("task__version__prototype").get(pk=run.pk)
    return Status(201, _run_payload(run))

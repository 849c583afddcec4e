"""`/api/workshops/…`: joining, the room's state and its results, for scripts and kiosks."""

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Router, Schema, Status

from workshop_site.core.api import ApiError
from workshop_site.workshops.models import WorkshopPage

from . import realtime, selectors, services, throttle
from .rules import can_see_results
from .sessions import participant_id_for, remember_participant

router = Router(tags=["workshops"])


class JoinIn(Schema):
    display_name: str
    role: str


class ParticipantOut(Schema):
    id: int
    workshop: str
    display_name: str
    role: str
    dots_left: int


def _workshop(request: HttpRequest, code: str) -> WorkshopPage:
    address = request.META.get("REMOTE_ADDR")
    if throttle.lookups_blocked(address):
        raise ApiError("rate_limited", _("Too many unknown codes; wait a minute."), 429)
    workshop = WorkshopPage.find_by_code(code)
    if workshop is None:
        throttle.lookup_failed(address)
        raise ApiError("not_found", _("No workshop has this code."), 404)
    return workshop


@router.post("/workshops/{code}/participants", response={201: ParticipantOut})
def join(request, code: str, payload: JoinIn):
    """Join as a participant; the session (cookie) then is that participant, on the socket too."""
    workshop = _workshop(request, code)
    existing = participant_id_for(request.session, workshop.pk)
    if existing is not None:
        raise ApiError("invalid", _("This browser has already joined this workshop."), 409)
    # A refusal (DomainError) becomes `{"code", "message"}` with its status in core.api.
    participant = services.participant_join(
        workshop=workshop, display_name=payload.display_name, role=payload.role, user=request.user
    )
    remember_participant(request.session, participant)
    return Status(201, {
        "id": participant.pk, "workshop": workshop.join_code, "display_name": participant.display_name,
        "role": participant.role, "dots_left": participant.dots_left,
    })


@router.get("/workshops/{code}/state")
def state(request, code: str):
    """The snapshot the socket would send to this session."""
    workshop = _workshop(request, code)
    is_facilitator = request.user.has_perm("ideas.run_workshop", workshop)
    snapshot = selectors.snapshot(
        workshop, participant_id=participant_id_for(request.session, workshop.pk), sees_tallies=is_facilitator
    )
    relay = realtime.local_relay(workshop.pk)
    snapshot.update(type="snapshot", seq=relay.seq if relay else 0, online=relay.online if relay else 0)
    return snapshot


@router.get("/workshops/{code}/results")
def results(request, code: str):
    """The ranked ideas with their votes, split by channel."""
    workshop = _workshop(request, code)
    if not can_see_results(request.user, workshop):
        raise ApiError("forbidden", _("Blind voting: the results are shown after the vote."), 403)
    data = selectors.results(workshop)
    return {
        "workshop": {"code": workshop.join_code, "title": workshop.title, "phase": workshop.phase},
        "ideas": [
            {key: row[key] for key in ("id", "text", "tags", "author_role", "votes", "votes_by_channel")}
            for row in data["ideas"]
        ],
    }

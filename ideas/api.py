"""`/api/workshops/…`: joining, the room's state and its results, for scripts and kiosks."""

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Router, Schema, Status

from workshop_site.core.client_ip import request_client_ip
from workshop_site.core.errors import Forbidden, NotFound
from workshop_site.workshops.models import WorkshopPage

from . import realtime, selectors, services, throttle
from .errors import AlreadyJoined
from .models import Participant
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
    return throttle.workshop_for_code(code, request_client_ip(request))


@router.post("/workshops/{code}/participants", response={201: ParticipantOut})
def join(request, code: str, payload: JoinIn):
    """Join as a participant; the session (cookie) then is that participant, on the socket too."""
    workshop = _workshop(request, code)
    existing = participant_id_for(request.session, workshop.pk)
    if existing is not None:
        raise AlreadyJoined()
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
        raise Forbidden(_("Blind voting: the results are shown after the vote."))
    data = selectors.results(workshop)
    return {
        "workshop": {"code": workshop.join_code, "title": workshop.title, "phase": workshop.phase},
        "ideas": [
            {key: row[key] for key in ("id", "text", "tags", "author_role", "votes", "votes_by_channel")}
            for row in data["ideas"]
        ],
    }


# --- assisted and paper participation (rule `ideas.assist_workshop`) ----------------------

class ProxyParticipantIn(Schema):
    display_name: str = ""
    role: str = "citizen"


class ProxyIdeaIn(Schema):
    text: str
    tags: list[str] | None = None


class ProxyVotesIn(Schema):
    ideas: list


class TallySheetIn(Schema):
    voters: int | str
    counts: dict
    round: int | str = 1
    corrects: int | None = None
    note: str = ""


def _assisted_workshop(request: HttpRequest, code: str) -> WorkshopPage:
    workshop = _workshop(request, code)
    if not request.user.has_perm("ideas.assist_workshop", workshop):
        raise Forbidden(_("Only a facilitator or a helper of this workshop may do this."))
    return workshop


def _proxy_participant(workshop: WorkshopPage, participant_id: int) -> Participant:
    participant = Participant.objects.filter(pk=participant_id, workshop_id=workshop.pk, is_proxy=True).first()
    if participant is None:
        raise NotFound(_("No participant entered by a helper has this id here."))
    return participant


def _proxy_participant_out(participant: Participant) -> dict:
    return {
        "id": participant.pk, "display_name": participant.display_name, "role": participant.role,
        "dots_left": participant.dots_left, "entered_by": selectors.user_label(participant.entered_by),
        "entered_at": participant.created.isoformat(),
    }


@router.get("/workshops/{code}/proxy-participants")
def proxy_participants(request, code: str):
    """The people without a phone that helpers entered in this workshop."""
    workshop = _assisted_workshop(request, code)
    people = Participant.objects.filter(workshop=workshop, is_proxy=True).select_related("entered_by")
    return {"participants": [_proxy_participant_out(p) for p in people]}


@router.post("/workshops/{code}/proxy-participants", response={201: dict})
def proxy_participant_add(request, code: str, payload: ProxyParticipantIn):
    """Add someone without a phone (a blank name becomes "Participant N"); they get the dots."""
    workshop = _assisted_workshop(request, code)
    participant = services.participant_join(
        workshop=workshop, display_name=payload.display_name, role=payload.role, entered_by=request.user
    )
    return Status(201, _proxy_participant_out(participant))


@router.post("/workshops/{code}/proxy-participants/{participant_id}/ideas", response={201: dict})
def proxy_idea_post(request, code: str, participant_id: int, payload: ProxyIdeaIn):
    """Post an idea for them (phase `ideas`)."""
    workshop = _assisted_workshop(request, code)
    participant = _proxy_participant(workshop, participant_id)
    idea = services.idea_create(
        participant_id=participant.pk, text=payload.text, tags=payload.tags, entered_by=request.user
    )
    number = selectors.idea_numbers(workshop.pk).get(idea.pk)
    return Status(201, {**selectors.idea_payload(idea, tag_names=sorted(idea.tags.names()), votes=0), "number": number})


@router.post("/workshops/{code}/proxy-participants/{participant_id}/votes")
def proxy_votes_cast(request, code: str, participant_id: int, payload: ProxyVotesIn):
    """Place one dot per idea id in `ideas` (repeat an id for several dots), all or none."""
    workshop = _assisted_workshop(request, code)
    participant = _proxy_participant(workshop, participant_id)
    dots_left = services.proxy_dots_cast(entered_by=request.user, participant_id=participant.pk, idea_ids=payload.ideas)
    return {"participant": participant.pk, "dots_left": dots_left}


@router.delete("/workshops/{code}/proxy-participants/{participant_id}/votes/{idea_id}")
def proxy_vote_retract(request, code: str, participant_id: int, idea_id: int):
    """Take one of their dots back from an idea."""
    workshop = _assisted_workshop(request, code)
    participant = _proxy_participant(workshop, participant_id)
    dots_left = services.vote_retract(participant_id=participant.pk, idea_id=idea_id, entered_by=request.user)
    return {"participant": participant.pk, "dots_left": dots_left}


def _sheet_out(sheet: dict) -> dict:
    return {**sheet, "entered_at": sheet["entered_at"].isoformat()}


@router.get("/workshops/{code}/paper-tallies")
def paper_tallies(request, code: str):
    """Every tally sheet, corrections included (`current`: whether it counts)."""
    workshop = _workshop(request, code)
    if not can_see_results(request.user, workshop):
        raise Forbidden(_("Blind voting: the results are shown after the vote."))
    return {"sheets": [_sheet_out(s) for s in selectors.tally_sheets(workshop.pk)]}


@router.post("/workshops/{code}/paper-tallies", response={201: dict})
def paper_tally_submit(request, code: str, payload: TallySheetIn):
    """Submit the paper dots of a round once (`counts`: {"<idea id>": dots}); a correction
    names the sheet it `corrects` and says why in `note`."""
    workshop = _assisted_workshop(request, code)
    sheet = services.paper_tally_submit(
        user=request.user, workshop_id=workshop.pk, voters=payload.voters, counts=payload.counts,
        round_number=payload.round, corrects_id=payload.corrects, note=payload.note,
    )
    row = next(s for s in selectors.tally_sheets(workshop.pk) if s["id"] == sheet.pk)
    return Status(201, _sheet_out(row))

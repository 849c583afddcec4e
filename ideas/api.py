"""`/api/workshops/…`: joining, the room's state and its results, for scripts and kiosks."""

from typing import Annotated, Literal

from django.conf import settings
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Path, Router, Status
from pydantic import Field, create_model

from workshop_site.core.api import (
    Choice,
    In,
    Int,
    Out,
    SessionWithCsrf,
    StaffSession,
    Text,
    errors,
    links,
    omitted_unless_sent,
)
from workshop_site.core.client_ip import request_client_ip
from workshop_site.core.errors import Forbidden, NotFound
from workshop_site.workshops.models import Phase, WorkshopPage

from . import realtime, selectors, services, throttle
from .errors import AlreadyJoined, FacilitatorOnly
from .kinds.base import DISAGREEMENT_POINTS
from .models import ActivityKind, Idea, Participant, ParticipantRole, Table, TallySheet
from .rules import can_see_results
from .services import MAX_DOTS_AT_ONCE, MAX_TAG_LENGTH, MAX_TAGS
from .sessions import participant_id_for, remember_participant, results_viewer

router = Router(tags=["workshops"])

NAME_LENGTH = 60  # as `services.participant_join` cleans it
Role = Literal[tuple(ParticipantRole.values)]
PhaseName = Choice(Phase.values)
KindName = Choice(ActivityKind.values)
RoleName = Choice(ParticipantRole.values)
Code = Annotated[str, Path(example="DEMO29", description="the workshop's join code")]


TableSlug = Annotated[str | None, Field(
    None, max_length=Table.MAX_NAME,
    description="the slug of the table this person sits at (`tables` in the snapshot); null or absent: at no table",
)]


class JoinIn(In):
    display_name: Text(NAME_LENGTH, description="The name the room sees.")
    role: Role
    table: TableSlug = None


class ParticipantOut(Out):
    id: int
    workshop: str
    display_name: str
    role: RoleName
    dots_left: int
    table: str | None = Field(description="the slug of this person's table; null: at no table")


class WorkshopState(Out):
    code: str
    title: str
    phase: PhaseName
    brainstorm: int | None = Field(description="the room's brainstorm: the activity an `idea.post` without `activity` "
                                               "goes to; null: the workshop is one board, without a brainstorm")
    dots_per_participant: int
    max_dots_per_idea: int | None
    blind_voting: bool
    by_table: bool = Field(description="the room's brainstorm runs by table: while it collects and votes, a "
                                       "participant at a table sees that table's ideas alone")
    private: str = Field(description="private writing while the room's brainstorm collects ideas: \"\" (off), "
                                     "\"table\" (each table sees its own) or \"own\" (each person their own)")
    tallies_visible: bool
    timer_ends_at: str | None = Field(json_schema_extra={"format": "date-time"})


class IdeaState(Out):
    id: int
    text: str
    tags: list[str]
    votes: int | None = Field(description="null while blind voting hides the tallies")
    table: str | None = Field(description="the slug of the author's table when it was posted; null: at no table")
    theme: int | None = Field(description="the id of the theme a facilitator put it in; null: in none")


class TableState(Out):
    slug: str
    name: str


class ThemeState(Out):
    id: int
    title: str
    ideas: list[int] = Field(description="the ids of its ideas this viewer sees")


# A participant's answer to an activity, by kind: the option ids of a poll, the ratings of a
# scale by statement id, the words of a cloud.
Answer = list[int] | dict[str, int] | list[str]


class MeState(Out):
    participant: int | None = Field(description="null for an observer or a facilitator who has not joined")
    name: str | None
    role: RoleName | None
    dots_left: int | None
    votes: dict[str, int] = Field(description="dots of this participant by idea id")
    table: str | None = Field(description="the slug of this participant's table; null: at no table")
    answers: dict[str, Answer] = Field(
        description='this participant\'s answers by activity id: a poll\'s option ids, a scale\'s '
                    'ratings by statement id ({"<statement id>": 1–5}), a word cloud\'s words'
    )


LanguageCode = Literal[tuple(code for code, _name in settings.LANGUAGES)]


class ActivityWording(Out):
    title: str = ""
    prompt: str = ""


class ActivitySummary(Out):
    """One step of the run of show."""

    id: int
    kind: KindName
    title: str
    phase: PhaseName
    position: int = Field(description="its place in the run of show (activities come in this order)")
    translations: dict[LanguageCode, ActivityWording] = Field(
        description="its wording in other languages, by language code: a reader of one of them sees these "
                    "(each field only where given) instead of `title` and `prompt`"
    )


class IdText(Out):
    id: int
    text: str


class WordCount(Out):
    text: str = Field(description="the word as most people wrote it")
    count: int = Field(description="how many people gave it (case and diacritics aside)")


class ScaleLabels(Out):
    low: str = Field(description="what 1 means")
    high: str = Field(description="what 5 means")


class _ActivityViewBase(ActivitySummary):
    prompt: str
    blind: bool = Field(description="answers are hidden from phones and the screen until the results")


class _Figures(Out):
    hidden: bool = Field(None, description="true (and no figures) while the activity is blind to this viewer",
                         json_schema_extra=omitted_unless_sent)


class BrainstormView(_ActivityViewBase):
    kind: Literal["brainstorm"]
    dots_per_participant: int | None
    max_dots_per_idea: int | None
    by_table: bool = Field(description="each table sees and votes on its own ideas until the results")
    private: str = Field(description="private writing while it collects ideas: \"\", \"table\" or \"own\"")


class PollView(_ActivityViewBase, _Figures):
    kind: Literal["poll"]
    max_choices: int
    options: list[IdText]
    counts: dict[str, int] = Field(None, description="answers by option id", json_schema_extra=omitted_unless_sent)


class ScaleView(_ActivityViewBase, _Figures):
    kind: Literal["scale"]
    labels: ScaleLabels
    statements: list[IdText]
    distribution: dict[str, list[int]] = Field(
        None, description="by statement id: how many rated it 1, 2, 3, 4 and 5", json_schema_extra=omitted_unless_sent
    )


class WordsView(_ActivityViewBase, _Figures):
    kind: Literal["words"]
    max_words: int
    max_length: int
    words: list[WordCount] = Field(None, description="the cloud, most given first",
                                   json_schema_extra=omitted_unless_sent)


# A kind added to `ideas.kinds` adds its view here, and its results below (a test checks that
# every registered kind has both).
ActivityView = Annotated[BrainstormView | PollView | ScaleView | WordsView, Field(discriminator="kind")]


class SnapshotOut(Out):
    """The protocol's `snapshot` frame (docs/protocol.md) for this session."""

    type: Literal["snapshot"]
    seq: int
    online: int
    workshop: WorkshopState
    ideas: list[IdeaState]
    channels: dict[str, dict[str, int]] | None = Field(
        description="the part of the tallies entered by helpers (`proxy`) or counted on paper (`paper`), by idea id"
    )
    me: MeState
    tables: list[TableState] = Field(description="the room's tables, in order (empty: a room without tables)")
    themes: list[ThemeState] = Field(description="the themes of the room's brainstorm, in the order they were made")
    activities: list[ActivitySummary] = Field(description="the run of show, in order (empty: a board as before)")
    current_activity: int | None = Field(description="the id of the activity the room is on")
    activity: ActivityView | None = Field(
        description="the current activity's view, with its live figures (`counts`, `distribution` or `words`) "
                    "unless it is blind to this viewer (`hidden: true`)"
    )


class ResultsWorkshop(Out):
    code: str
    title: str
    phase: PhaseName


class VotesByChannel(Out):
    phone: int
    proxy: int
    paper: int


class RankedIdea(Out):
    id: int
    text: str
    tags: list[str]
    author_role: str
    votes: int
    votes_by_channel: VotesByChannel
    activity: int | None = Field(description="the id of its brainstorm; null in a workshop without one")
    table: str | None = Field(description="the slug of the author's table; null: at no table")


# --- each kind's results: of everyone, and the same figures of each role (`by_role`) ---------

class BrainstormIdea(Out):
    id: int
    text: str
    votes: int = Field(description="dots; by role, those the people of that role placed (paper dots only in everyone's)")


class BrainstormResults(Out):
    voters: int
    ideas: list[BrainstormIdea] = Field(description="ranked by votes, most first (ties in posting order)")


class PollOptionResult(Out):
    id: int
    text: str
    count: int
    share: float = Field(description="percent of the respondents who chose it (0–100, one decimal)")


class PollResults(Out):
    respondents: int
    options: list[PollOptionResult] = Field(description="in the poll's order")


class ScaleStatementResult(Out):
    id: int
    text: str
    distribution: list[int] = Field(min_length=5, max_length=5,
                                    description="how many rated it 1, 2, 3, 4 and 5")
    ratings: int
    mean: float | None = Field(description="null while nobody rated it")
    agree: float = Field(description="percent of its ratings that are 4 or 5")


class ScaleResults(Out):
    respondents: int
    labels: ScaleLabels
    statements: list[ScaleStatementResult]


class WordsResults(Out):
    respondents: int
    words: list[WordCount] = Field(description="the whole cloud, most given first; hidden words left out")


def _by_role(results: type[Out]) -> type[Out]:
    fields = {role: (results, Field(description=f"the figures of the participants whose role is `{role}`"))
              for role in ParticipantRole.values}
    return create_model(f"{results.__name__}ByRole", __base__=Out, **fields)


class Disagreement(Out):
    """An option or a statement citizens and providers answered far apart."""

    item: int = Field(description="the option's or statement's id")
    text: str
    citizen: float = Field(description="percent of citizens (a poll: who chose it; a scale: who rate it 4 or 5)")
    provider: float = Field(description="the same percent of providers")
    points: float = Field(description=f"how far apart, over {DISAGREEMENT_POINTS}")


class _ActivityResults(ActivitySummary):
    hidden: bool = Field(description="true while the activity is blind to this viewer: then no figures")
    disagreements: list[Disagreement] = Field(
        description=f"where the share of citizens and of providers differ by more than {DISAGREEMENT_POINTS} "
                    "points (polls and scales), farthest apart first"
    )


class BrainstormActivityResults(_ActivityResults):
    kind: Literal["brainstorm"]
    results: BrainstormResults | None
    by_role: _by_role(BrainstormResults) | None


class PollActivityResults(_ActivityResults):
    kind: Literal["poll"]
    results: PollResults | None
    by_role: _by_role(PollResults) | None


class ScaleActivityResults(_ActivityResults):
    kind: Literal["scale"]
    results: ScaleResults | None
    by_role: _by_role(ScaleResults) | None


class WordsActivityResults(_ActivityResults):
    kind: Literal["words"]
    results: WordsResults | None
    by_role: _by_role(WordsResults) | None


ActivityResults = Annotated[
    BrainstormActivityResults | PollActivityResults | ScaleActivityResults | WordsActivityResults,
    Field(discriminator="kind"),
]


class ThemeResults(Out):
    id: int
    title: str
    activity: int | None = Field(description="the id of the brainstorm it groups")
    ideas: list[int] = Field(description="the ids of its ideas")
    votes: int = Field(description="its ideas' dots added up")


class ResultsOut(Out):
    workshop: ResultsWorkshop
    themes: list[ThemeResults] = Field(description="the facilitators' themes, most voted first")
    ideas: list[RankedIdea] = Field(description="every brainstorm's ideas, ranked by votes, most first")
    activities: list[ActivityResults] = Field(
        description="every activity's results in run-of-show order, of everyone (`results`) and by the "
                    "participants' role (`by_role`); empty for a workshop without activities"
    )


def _workshop(request: HttpRequest, code: str) -> WorkshopPage:
    return throttle.workshop_for_code(code, request_client_ip(request))


@router.post("/workshops/{code}/participants", response={201: ParticipantOut, **errors(400, 403, 404, 409)},
             openapi_extra=links(201, state=("ideas_api_state", {"code": "$request.path.code"})))
def join(request, code: Code, payload: JoinIn):
    """Join as a participant; the session (cookie) then is that participant, on the socket too.
    409: this browser already joined (`invalid`), or the workshop is not open for joining
    (`phase_closed`)."""
    workshop = _workshop(request, code)
    existing = participant_id_for(request.session, workshop.pk)
    if existing is not None:
        raise AlreadyJoined()
    # A refusal (DomainError) becomes `{"code", "message"}` with its status in core.api.
    participant = services.participant_join(
        workshop=workshop, display_name=payload.display_name, role=payload.role, user=request.user,
        table=payload.table,
    )
    remember_participant(request.session, participant)
    return Status(201, {
        "id": participant.pk, "workshop": workshop.join_code, "display_name": participant.display_name,
        "role": participant.role, "dots_left": selectors.newcomers_dots(workshop),
        "table": participant.table.slug if participant.table else None,
    })


@router.get("/workshops/{code}/state", response={200: SnapshotOut, **errors(404)}, auth=None, exclude_unset=True)
def state(request, code: Code):
    """The snapshot the socket would send to this session."""
    workshop = _workshop(request, code)
    is_facilitator = request.user.has_perm("ideas.run_workshop", workshop)
    snapshot = selectors.snapshot(
        workshop, participant_id=participant_id_for(request.session, workshop.pk), sees_tallies=is_facilitator
    )
    relay = realtime.local_relay(workshop.pk)
    snapshot.update(type="snapshot", seq=relay.seq if relay else 0, online=relay.online if relay else 0)
    return snapshot


@router.get("/workshops/{code}/activities", response={200: list[ActivitySummary], **errors(404)}, auth=None)
def activities(request, code: Code):
    """The run of show: the workshop's activities in order, each with its phase (empty for a
    workshop without activities)."""
    workshop = _workshop(request, code)
    return selectors.activity_list(workshop.pk)


class ThemeSuggestion(Out):
    label: str = Field(description="a title made of the words its ideas share (the facilitator may edit it)")
    ideas: list[int] = Field(description="the ids of the ideas it groups, in posting order")


@router.get("/workshops/{code}/theme-suggestions", response={200: list[ThemeSuggestion], **errors(403, 404)},
            auth=StaffSession())
def theme_suggestions(request, code: Code):
    """Facilitators: groupings of the room's brainstorm's ideas not yet in a theme, by the
    words they share (Romanian and Russian stems), to accept as themes (`theme.create` with
    `ideas`), edit or ignore. Worked out on the server, nothing sent elsewhere."""
    workshop = _workshop(request, code)
    if not request.user.has_perm("ideas.run_workshop", workshop):
        raise FacilitatorOnly()
    return selectors.theme_suggestions(workshop.pk)


@router.get("/workshops/{code}/results", response={200: ResultsOut, **errors(403, 404)}, auth=None)
def results(request, code: Code):
    """The ranked ideas with their votes, split by channel, and every activity's results, of
    everyone and by role. 403 while blind voting hides the dots; an activity that is blind
    until its results are shown has `hidden: true` and no figures (a facilitator sees all)."""
    workshop = _workshop(request, code)
    sees_all = request.user.has_perm("ideas.run_workshop", workshop)
    seat = results_viewer(request, workshop, sees_all=sees_all)
    activities = selectors.activities_results(workshop, sees_all=sees_all, viewer=seat)
    if not sees_all and selectors.blind_voting_hides(workshop, activities):
        raise Forbidden(_("Blind voting: the results are shown after the vote."))
    data = selectors.results(workshop, viewer=seat)
    return {
        "workshop": {"code": workshop.join_code, "title": workshop.title, "phase": workshop.phase},
        "ideas": [
            {key: row[key] for key in ("id", "text", "tags", "author_role", "votes", "votes_by_channel", "activity",
                                       "table")}
            for row in data["ideas"]
        ],
        "activities": activities,
        "themes": data["themes"],
    }


# --- assisted and paper participation (rule `ideas.assist_workshop`) ----------------------

class ProxyParticipantIn(In):
    display_name: Text(NAME_LENGTH) | Literal[""] = Field(
        "", description='Blank (or left out): "Participant N".'
    )
    role: Role = "citizen"


class ProxyIdeaIn(In):
    text: Text(Idea.MAX_LENGTH)
    tags: Annotated[list[Text(MAX_TAG_LENGTH)], Field(max_length=MAX_TAGS)] | None = None


class ProxyVotesIn(In):
    ideas: list[Int()] = Field(
        min_length=1, max_length=MAX_DOTS_AT_ONCE,
        description="One dot per idea id; repeat an id for several dots. All are placed, or none.",
    )


class TallySheetIn(In):
    voters: Int(ge=1, le=TallySheet.MAX_VOTERS, description="How many people voted on this poster.")
    counts: dict[Annotated[str, Field(pattern="^[0-9]{1,18}$")], Int(ge=0, le=10**6)] = Field(
        json_schema_extra={"additionalProperties": False},
        description='Dots by idea id: {"<idea id>": dots}; zeros are left out.',
    )
    round: Int(ge=1, le=TallySheet.MAX_ROUND) = 1
    corrects: Int() | None = Field(None, description="The sheet this one corrects (then `note` says why).")
    note: str = Field("", max_length=300)


class ProxyParticipantOut(Out):
    id: int
    display_name: str
    role: RoleName
    dots_left: int
    entered_by: str
    entered_at: str = Field(json_schema_extra={"format": "date-time"})


class ProxyParticipantsOut(Out):
    participants: list[ProxyParticipantOut]


class ProxyIdeaOut(IdeaState):
    number: int | None = Field(description="the idea's number on the poster")


class DotsOut(Out):
    participant: int
    dots_left: int


class TallySheetOut(Out):
    id: int
    round: int
    voters: int
    total: int
    current: bool = Field(description="whether it counts (a correction replaces it)")
    corrects: int | None
    note: str
    entered_by: str
    entered_at: str = Field(json_schema_extra={"format": "date-time"})


class TallySheetsOut(Out):
    sheets: list[TallySheetOut]


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


def _dots_left(workshop: WorkshopPage, people: list[Participant]) -> dict[int, int]:
    """Their dots left in the room's brainstorm."""
    return selectors.dots_left(selectors.board(workshop.pk), [person.pk for person in people])


def _proxy_participant_out(participant: Participant, dots_left: int) -> dict:
    return {
        "id": participant.pk, "display_name": participant.display_name, "role": participant.role,
        "dots_left": dots_left, "entered_by": selectors.user_label(participant.entered_by),
        "entered_at": participant.created.isoformat(),
    }


@router.get("/workshops/{code}/proxy-participants", response={200: ProxyParticipantsOut, **errors(403, 404)},
            auth=StaffSession())
def proxy_participants(request, code: Code):
    """The people without a phone that helpers entered in this workshop."""
    workshop = _assisted_workshop(request, code)
    people = list(Participant.objects.filter(workshop=workshop, is_proxy=True).select_related("entered_by"))
    left = _dots_left(workshop, people)
    return {"participants": [_proxy_participant_out(p, left[p.pk]) for p in people]}


@router.post("/workshops/{code}/proxy-participants",
             response={201: ProxyParticipantOut, **errors(400, 403, 404, 409)}, auth=SessionWithCsrf(),
             openapi_extra=links(201, **{
                 name: (f"ideas_api_proxy_{name}", {"code": "$request.path.code", "participant_id": "$response.body#/id"})
                 for name in ("idea_post", "votes_cast")
             }))
def proxy_participant_add(request, code: Code, payload: ProxyParticipantIn):
    """Add someone without a phone (a blank name becomes "Participant N"); they get the dots."""
    workshop = _assisted_workshop(request, code)
    participant = services.participant_join(
        workshop=workshop, display_name=payload.display_name, role=payload.role, entered_by=request.user
    )
    return Status(201, _proxy_participant_out(participant, _dots_left(workshop, [participant])[participant.pk]))


@router.post("/workshops/{code}/proxy-participants/{participant_id}/ideas",
             response={201: ProxyIdeaOut, **errors(400, 403, 404, 409)}, auth=SessionWithCsrf(),
             openapi_extra=links(201, vote_retract=("ideas_api_proxy_vote_retract", {
                 "code": "$request.path.code", "participant_id": "$request.path.participant_id",
                 "idea_id": "$response.body#/id",
             })))
def proxy_idea_post(request, code: Code, participant_id: int, payload: ProxyIdeaIn):
    """Post an idea for them (phase `ideas`)."""
    workshop = _assisted_workshop(request, code)
    participant = _proxy_participant(workshop, participant_id)
    idea = services.idea_create(
        participant_id=participant.pk, text=payload.text, tags=payload.tags, entered_by=request.user
    )
    number = selectors.idea_numbers(workshop.pk).get(idea.pk)
    return Status(201, {**selectors.idea_payload(idea, tag_names=sorted(idea.tags.names()), votes=0), "number": number})


@router.post("/workshops/{code}/proxy-participants/{participant_id}/votes",
             response={200: DotsOut, **errors(400, 403, 404, 409)}, auth=SessionWithCsrf())
def proxy_votes_cast(request, code: Code, participant_id: int, payload: ProxyVotesIn):
    """Place one dot per idea id in `ideas` (repeat an id for several dots), all or none."""
    workshop = _assisted_workshop(request, code)
    participant = _proxy_participant(workshop, participant_id)
    dots_left = services.proxy_dots_cast(entered_by=request.user, participant_id=participant.pk, idea_ids=payload.ideas)
    return {"participant": participant.pk, "dots_left": dots_left}


@router.delete("/workshops/{code}/proxy-participants/{participant_id}/votes/{idea_id}",
               response={200: DotsOut, **errors(403, 404, 409)}, auth=SessionWithCsrf())
def proxy_vote_retract(request, code: Code, participant_id: int, idea_id: int):
    """Take one of their dots back from an idea."""
    workshop = _assisted_workshop(request, code)
    participant = _proxy_participant(workshop, participant_id)
    dots_left = services.vote_retract(participant_id=participant.pk, idea_id=idea_id, entered_by=request.user)
    return {"participant": participant.pk, "dots_left": dots_left}


class SeatIn(In):
    table: str | None = Field(max_length=Table.MAX_NAME,
                              description="the slug of the table to move this person to (`tables` in the snapshot); "
                                          "null: to no table")


class SeatOut(Out):
    id: int
    table: str | None = Field(description="the slug of this person's table now; null: at no table")


@router.post("/workshops/{code}/participants/{participant_id}/table",
             response={200: SeatOut, **errors(400, 403, 404)}, auth=SessionWithCsrf())
def participant_seat(request, code: Code, participant_id: int, payload: SeatIn):
    """Move anyone of the room (with a phone or without) to another table, or to none; their
    phone follows. Their ideas stay at the table they were posted at."""
    workshop = _assisted_workshop(request, code)
    moved = services.participant_move(user=request.user, workshop_id=workshop.pk, participant_id=participant_id,
                                      table=payload.table)
    return {"id": moved.pk, "table": moved.table.slug if moved.table else None}


def _sheet_out(sheet: dict) -> dict:
    return {**sheet, "entered_at": sheet["entered_at"].isoformat()}


@router.get("/workshops/{code}/paper-tallies", response={200: TallySheetsOut, **errors(403, 404)}, auth=None)
def paper_tallies(request, code: Code):
    """Every tally sheet, corrections included (`current`: whether it counts)."""
    workshop = _workshop(request, code)
    if not can_see_results(request.user, workshop, board=selectors.board(workshop.pk)):
        raise Forbidden(_("Blind voting: the results are shown after the vote."))
    return {"sheets": [_sheet_out(s) for s in selectors.tally_sheets(workshop.pk)]}


@router.post("/workshops/{code}/paper-tallies",
             response={201: TallySheetOut, **errors(400, 403, 404, 409)}, auth=SessionWithCsrf())
def paper_tally_submit(request, code: Code, payload: TallySheetIn):
    """Submit the paper dots of a round once (`counts`: {"<idea id>": dots}); a correction
    names the sheet it `corrects` and says why in `note`. 409: the round was already
    submitted, or the workshop is not voting or showing its results."""
    workshop = _assisted_workshop(request, code)
    sheet = services.paper_tally_submit(
        user=request.user, workshop_id=workshop.pk, voters=payload.voters, counts=payload.counts,
        round_number=payload.round, corrects_id=payload.corrects, note=payload.note,
    )
    row = next(s for s in selectors.tally_sheets(workshop.pk) if s["id"] == sheet.pk)
    return Status(201, _sheet_out(row))

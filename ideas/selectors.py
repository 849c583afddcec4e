"""Reads of the live workshop: the snapshot, tallies and results, each in a fixed number of queries."""

from collections import defaultdict
from typing import NamedTuple

from django.contrib.auth import get_user_model
from django.db.models import Count, Exists, OuterRef, Q, Subquery, Sum
from django.db.models.functions import Coalesce

from workshop_site.core.compiled import CompiledRead
from workshop_site.workshops.models import Phase, WorkshopPage

from .kinds.base import (
    ACTIVITY_COLUMNS,
    KINDS,
    ActivityRow,
    activity_row,
    activity_rows,
)
from .models import (
    Activity,
    ActivityKind,
    DotBudget,
    Idea,
    Participant,
    ParticipantRole,
    Table,
    TaggedIdea,
    TallyLine,
    TallySheet,
    Theme,
    Vote,
    VoteChannel,
)
from .rules import (
    brainstorm_phase,
    idea_audience,
    joinable,
    sees_idea,
    tallies_visible_to_participants,
)
from .suggestions import suggest


class Board(NamedTuple):
    """The room's brainstorm as phones post and vote in it: where an `idea.post` or `vote.cast`
    without `activity` goes, whose ideas, dots and budget the snapshot shows. A workshop
    without a brainstorm in its run of show is a board with the page's settings (`activity_id`
    None), as before runs of show."""

    activity_id: int | None
    phase: str
    dots: int
    cap: int | None
    blind: bool
    first: bool = True  # the first brainstorm holds the ideas from before runs of show
    by_table: bool = False  # each table sees its own ideas while it collects and votes
    private: str = ""  # who sees an idea while it collects them (models.PrivateWriting)

    def holds(self, idea_activity_id: int | None) -> bool:
        """Whether an idea of this brainstorm (`Idea.activity_id`) is on this board."""
        return self.activity_id is None or idea_activity_id == self.activity_id or (
            idea_activity_id is None and self.first)


def room_brainstorm(rows: list[ActivityRow]) -> ActivityRow | None:
    """The room's brainstorm among a run of show's rows (`activity_rows`): the current activity
    if it is one, else the last brainstorm before it, else the first; None without any."""
    brainstorms = [row for row in rows if row.kind == ActivityKind.BRAINSTORM]
    current = next((row for row in rows if row.is_current), None)
    if current is not None:
        before = [row for row in brainstorms if (row.position, row.id) <= (current.position, current.id)]
        if before:
            return before[-1]
    return brainstorms[0] if brainstorms else None


def board_of(rows: list[ActivityRow], workshop, brainstorm: ActivityRow | None = None) -> Board:
    """The room's `Board` (or `brainstorm`'s, one of `rows`) from its run of show and the
    workshop (anything with the page's `phase`, `dots_per_participant`, `max_dots_per_idea` and
    `blind_voting`)."""
    brainstorm = brainstorm or room_brainstorm(rows)
    if brainstorm is None:
        return Board(None, workshop.phase, workshop.dots_per_participant, workshop.max_dots_per_idea,
                     workshop.blind_voting)
    on_activity = any(row.is_current for row in rows)
    phase = brainstorm_phase(workshop.phase, room_on_activity=on_activity, own_phase=brainstorm.phase)
    first = next(row.id for row in rows if row.kind == ActivityKind.BRAINSTORM)
    return Board(brainstorm.id, phase, brainstorm.dots_per_participant, brainstorm.max_dots_per_idea,
                 brainstorm.blind, first=brainstorm.id == first, by_table=brainstorm.by_table,
                 private=brainstorm.private)


_BOARD_FIELDS = ("phase", "dots_per_participant", "max_dots_per_idea", "blind_voting")


class _PageBoard(NamedTuple):
    phase: str
    dots_per_participant: int
    max_dots_per_idea: int | None
    blind_voting: bool


_PAGE_BOARD = CompiledRead(lambda pk: WorkshopPage.objects.filter(pk=pk).order_by().values_list(*_BOARD_FIELDS))


def board(workshop_id: int, *, brainstorm_id: int | None = None) -> Board | None:
    """The room's brainstorm as it is now (`Board`), or the brainstorm `brainstorm_id`; None: no
    such workshop or brainstorm in it. Two queries."""
    values = _PAGE_BOARD.first(workshop_id)
    if values is None:
        return None
    rows = activity_rows(workshop_id)
    if brainstorm_id is None:
        return board_of(rows, _PageBoard(*values))
    named = next((row for row in rows if row.id == brainstorm_id and row.kind == ActivityKind.BRAINSTORM), None)
    return None if named is None else board_of(rows, _PageBoard(*values), named)


class JoiningRules(NamedTuple):
    open: bool  # the page is live and the workshop not over (rules.joinable)
    dots: int


_JOINING_RULES = CompiledRead(
    lambda _exists, closed, pk: WorkshopPage.objects.filter(pk=pk).order_by().annotate(
        show_goes_on=Exists(Activity.objects.filter(workshop_id=OuterRef("pk")).exclude(phase=closed))
    ).values_list("live", "phase", "show_goes_on", "dots_per_participant")
)


def joining_rules(workshop_id: int) -> JoiningRules | None:
    """Whether someone may join the room now, and with how many dots; None: no such workshop."""
    row = _JOINING_RULES.first(1, Phase.CLOSED.value, workshop_id)  # EXISTS selects a 1
    if row is None:
        return None
    live, phase, show_goes_on, dots = row
    return JoiningRules(open=bool(live) and joinable(phase, show_goes_on=bool(show_goes_on)), dots=dots)


def newcomers_dots(workshop) -> int:
    """The dots of someone who just joined `workshop` (the page as just read): the room's
    brainstorm's whole budget, none spent yet. One query."""
    return board_of(activity_rows(workshop.pk), workshop).dots


def dots_left(board: Board, participant_ids: list[int]) -> dict[int, int]:
    """Each participant's dots left on the board: a brainstorm's budget (all its dots before a
    first one placed), or a board's `Participant.dots_left`."""
    if board.activity_id is None:
        return dict(Participant.objects.filter(pk__in=participant_ids).values_list("pk", "dots_left"))
    spent = dict(DotBudget.objects.filter(activity_id=board.activity_id, participant_id__in=participant_ids)
                 .values_list("participant_id", "dots_left"))
    return {pk: spent.get(pk, board.dots) for pk in participant_ids}


def idea_payload(idea: Idea, *, tag_names: list[str], votes: int | None) -> dict:
    """An idea as frames and acks carry it, with its table's slug (None: at no table; the
    table is the one `services.idea_create` set, read with the author)."""
    return {"id": idea.pk, "text": idea.text, "tags": tag_names, "votes": votes,
            "table": idea.table.slug if idea.table_id is not None else None, "theme": idea.theme_id}


def tags_by_idea(idea_ids) -> dict[int, list[str]]:
    tags: dict[int, list[str]] = defaultdict(list)
    rows = (
        TaggedIdea.objects.filter(content_object_id__in=idea_ids)
        .order_by("tag__name")
        .values_list("content_object_id", "tag__name")
    )
    for idea_id, name in rows:
        tags[idea_id].append(name)
    return tags


def tallies(workshop_id: int) -> dict[str, int]:
    """Absolute dot counts of the visible ideas (ideas without dots included, at 0), paper
    dots included."""
    return tallies_with_channels(workshop_id)[0]


# The live room's reads (a tally frame up to 10 times a second per room, a snapshot per socket
# connect) run with SQL built once (workshop_site/core/compiled.py): building it was most of
# their cost (bench/RESULTS.md). The parameters go in the order the SQL takes them.
_IDEA_COUNTS = CompiledRead(
    lambda proxy, workshop_id: Idea.objects.filter(workshop_id=workshop_id, hidden=False)
    .annotate(n=Count("votes"), proxy=Count("votes", filter=Q(votes__channel=proxy)))
    .order_by("created", "pk")
    .values_list("pk", "text", "n", "proxy", "activity_id", "table_id", "theme_id", "participant_id")
)
_PAPER_DOTS = CompiledRead(
    lambda workshop_id: TallyLine.objects.filter(sheet__workshop_id=workshop_id, sheet__current=True, idea__hidden=False)
    .order_by()
    .values("idea_id")
    .annotate(n=Sum("dots"))
    .values_list("idea_id", "n")
)
_PARTICIPANTS_WITH_DOTS = CompiledRead(
    lambda more_than, workshop_id: Participant.objects.filter(workshop_id=workshop_id, dots_left__gt=more_than)
    .order_by()
    .values("workshop_id")
    .annotate(n=Count("pk"))
    .values_list("n")
)
# In a brainstorm: everyone but those whose budget there is spent (no budget: none placed yet).
_PARTICIPANTS_WITHOUT_DOTS = CompiledRead(
    lambda brainstorm, left, workshop_id: DotBudget.objects.filter(
        activity_id=brainstorm, dots_left=left, participant__workshop_id=workshop_id
    ).order_by().values("activity_id").annotate(n=Count("pk")).values_list("n")
)
_PARTICIPANTS = CompiledRead(
    lambda workshop_id: Participant.objects.filter(workshop_id=workshop_id).order_by()
    .values("workshop_id").annotate(n=Count("pk")).values_list("n")
)
_TAGS = CompiledRead(
    lambda workshop_id: TaggedIdea.objects.filter(content_object__workshop_id=workshop_id, content_object__hidden=False)
    .order_by("tag__name")
    .values_list("content_object_id", "tag__name")
)
# `budget`: the dots left in one brainstorm (NULL until the first dot placed there).
_ME = CompiledRead(
    lambda brainstorm, pk, workshop_id: Participant.objects.filter(pk=pk, workshop_id=workshop_id)
    .order_by()
    .annotate(budget=Subquery(
        DotBudget.objects.filter(participant_id=OuterRef("pk"), activity_id=brainstorm).order_by().values("dots_left")[:1]
    ))
    .values_list("pk", "display_name", "role", "dots_left", "budget", "table_id")
)
_THEMES = CompiledRead(
    lambda workshop_id: Theme.objects.filter(workshop_id=workshop_id).order_by("created", "pk")
    .values_list("pk", "title", "activity_id")
)
_TABLES = CompiledRead(
    lambda workshop_id: Table.objects.filter(workshop_id=workshop_id).order_by("position", "pk")
    .values_list("pk", "slug", "name", "office_id")
)
_MY_VOTES = CompiledRead(
    lambda pk: Vote.objects.filter(participant_id=pk).order_by().values("idea_id").annotate(n=Count("pk")).values_list("idea_id", "n")
)


_LIVE_FIELDS = ("phase", "timer_ends_at", "dots_per_participant", "max_dots_per_idea", "blind_voting")
_WORKSHOP_LIVE_FIELDS = CompiledRead(
    lambda pk: WorkshopPage.objects.filter(pk=pk).order_by().values_list(*_LIVE_FIELDS)
)


def refresh_live_fields(workshop: WorkshopPage) -> bool:
    """Read again what the room changes while it runs (phase, timer, voting rules) into
    `workshop`; False when the workshop is gone. Cheaper than reloading the whole page."""
    row = _WORKSHOP_LIVE_FIELDS.first(workshop.pk)
    if row is None:
        return False
    for name, value in zip(_LIVE_FIELDS, row, strict=True):
        setattr(workshop, name, value)
    return True


def paper_dots(workshop_id: int) -> dict[int, int]:
    """Paper dots per visible idea, from the sheets that count (corrected ones do not)."""
    return dict(_PAPER_DOTS.all(workshop_id))


def _idea_counts(workshop_id: int) -> list[tuple]:
    """The visible ideas in posting order: (id, text, dots, of which entered by helpers,
    brainstorm, table, theme, author)."""
    return _IDEA_COUNTS.all(VoteChannel.PROXY.value, workshop_id)


def _tallies_of(rows, paper: dict[int, int]) -> tuple[dict[str, int], dict[str, dict[str, int]]]:
    votes: dict[str, int] = {}
    channels: dict[str, dict[str, int]] = {"proxy": {}, "paper": {}}
    for pk, _text, n, proxy, *_where in rows:
        votes[str(pk)] = n + paper.get(pk, 0)
        if proxy:
            channels["proxy"][str(pk)] = proxy
        if paper.get(pk):
            channels["paper"][str(pk)] = paper[pk]
    return votes, channels


def tallies_with_channels(workshop_id: int) -> tuple[dict[str, int], dict[str, dict[str, int]]]:
    """The absolute tallies, and the part of them entered by helpers (`proxy`) or counted on
    paper (`paper`), only where not zero: the rest came from phones. Two queries."""
    return _tallies_of(_idea_counts(workshop_id), paper_dots(workshop_id))


def room_tallies(workshop_id: int, rows: list[ActivityRow]) -> tuple[dict[str, int], dict[str, dict[str, int]], list[str]]:
    """`tallies_with_channels`, and the ideas whose dots participants may not see yet wherever
    the room is (`rows`: its run of show): a blind brainstorm's before its own results (an
    idea from before runs of show is the first brainstorm's). Two queries."""
    ideas = _idea_counts(workshop_id)
    votes, channels = _tallies_of(ideas, paper_dots(workshop_id))
    brainstorms = [row for row in rows if row.kind == ActivityKind.BRAINSTORM]
    blind: set[int | None] = {row.id for row in brainstorms if not row.results_visible}
    if brainstorms and brainstorms[0].id in blind:
        blind.add(None)
    return votes, channels, [str(pk) for pk, _text, _n, _proxy, activity_id, *_where in ideas if activity_id in blind]


def idea_numbers(workshop_id: int) -> dict[int, int]:
    """Each idea's number on the poster and handouts: its place in posting order among all the
    workshop's ideas, hidden ones included, so a number never changes once printed."""
    ids = Idea.objects.filter(workshop_id=workshop_id).order_by("created", "pk").values_list("pk", flat=True)
    return {pk: number for number, pk in enumerate(ids, start=1)}


def participants_with_dots(workshop_id: int, brainstorm: int | None) -> int:
    """How many people still have a dot to place in the room's brainstorm (`Board.activity_id`;
    None: a board, whose budget is the participant's own)."""
    if brainstorm is None:
        row = _PARTICIPANTS_WITH_DOTS.first(0, workshop_id)
        return row[0] if row else 0
    everyone, spent = _PARTICIPANTS.first(workshop_id), _PARTICIPANTS_WITHOUT_DOTS.first(brainstorm, 0, workshop_id)
    return (everyone[0] if everyone else 0) - (spent[0] if spent else 0)


def tags_of_workshop(workshop_id: int) -> dict[int, list[str]]:
    """The tags of each visible idea of a workshop, in name order. One query."""
    tags: dict[int, list[str]] = defaultdict(list)
    for idea_id, name in _TAGS.all(workshop_id):
        tags[idea_id].append(name)
    return tags


def snapshot(workshop: WorkshopPage, *, participant_id: int | None, sees_tallies: bool) -> dict:
    """The state of the room for one viewer (the protocol's `snapshot`, without `seq`/`online`)."""
    return room_state(workshop, participant_id=participant_id, sees_tallies=sees_tallies)[0]


class RoomState(NamedTuple):
    snapshot: dict
    board: Board  # the room's brainstorm the snapshot shows
    table: int | None  # the viewer's table (None: at no table, or no participant)


def room_state(workshop: WorkshopPage, *, participant_id: int | None, sees_tallies: bool) -> RoomState:
    """The snapshot, the room's `Board` it shows (the ideas, dots and budget of the room's
    brainstorm) and the viewer's table. Six queries, eight for a participant (and one more per
    kind of activity other than a brainstorm that the run of show holds); none grows with the room or the run of
    show.

    Each idea is shown to whom `rules.idea_audience` says (a table round, private writing);
    `sees_tallies` (a facilitator) sees every idea as well as every dot."""
    rows = _idea_counts(workshop.pk)
    tables = {pk: (slug, name, office) for pk, slug, name, office in _TABLES.all(workshop.pk)}
    tags = tags_of_workshop(workshop.pk)
    activities = activity_rows(workshop.pk)
    run = run_of_show(workshop, participant_id=participant_id, sees_tallies=sees_tallies, rows=activities)
    board = board_of(activities, workshop)
    me = {"participant": None, "name": None, "role": None, "dots_left": None, "votes": {}, "table": None}
    found = _ME.first(board.activity_id or 0, participant_id, workshop.pk) if participant_id is not None else None
    my_table = found[5] if found is not None else None
    me_id = found[0] if found is not None else None
    # The room's brainstorm's ideas only: another's may be blind (its helpers' and paper dots
    # too); of those, the ones this viewer sees now (a table round, private writing).
    rows = [row for row in rows if board.holds(row[4]) and sees_idea(
        idea_audience(board, row[5]), viewer_table=my_table, is_author=row[7] is not None and row[7] == me_id,
        sees_all=sees_tallies)]
    shown = {row[0] for row in rows}
    if found is not None:
        pk, name, role, dots_left, budget, _table = found
        if board.activity_id is not None:  # the brainstorm's budget, all of it before a first dot
            dots_left = board.dots if budget is None else budget
        me = {
            "participant": pk,
            "name": name,
            "role": role,
            "dots_left": dots_left,
            # on the room's brainstorm only, as its budget (a hidden idea's dots go back to it)
            "votes": {str(idea_id): n for idea_id, n in _MY_VOTES.all(pk) if idea_id in shown},
            "table": tables[my_table][0] if my_table in tables else None,
        }
    answers = run.pop("answers")  # read for `participant_id`: kept only if they are in this room
    me["answers"] = answers if found is not None else {}
    show_votes = sees_tallies or tallies_visible_to_participants(board)
    votes, channels = _tallies_of(rows, paper_dots(workshop.pk)) if show_votes else ({}, None)
    state = {
        **run,
        "workshop": {
            "code": workshop.join_code,
            "title": workshop.title_for_reader,  # in the reader's language when translated
            "phase": workshop.phase,
            "brainstorm": board.activity_id,  # the room's brainstorm (null: the workshop is one board)
            "dots_per_participant": board.dots,
            "max_dots_per_idea": board.cap,
            "blind_voting": board.blind,
            "by_table": board.by_table,
            "private": board.private,
            "tallies_visible": show_votes,
            "timer_ends_at": workshop.timer_ends_at.isoformat() if workshop.timer_ends_at else None,
        },
        # (An idea from before runs of show is the first brainstorm's.)
        "ideas": [
            {"id": pk, "text": text, "tags": tags[pk], "votes": votes[str(pk)] if show_votes else None,
             "table": tables[table][0] if table in tables else None, "theme": theme}
            for pk, text, _n, _proxy, _activity, table, theme, _author in rows
        ],
        "tables": [{"slug": slug, "name": name} for slug, name, _office in tables.values()],
        # The room's brainstorm's themes, each with the ideas of it this viewer sees.
        "themes": [
            {"id": pk, "title": title, "ideas": [row[0] for row in rows if row[6] == pk]}
            for pk, title, activity in _THEMES.all(workshop.pk) if board.holds(activity)
        ],
        "channels": channels,
        "me": me,
    }
    return RoomState(state, board, my_table)


def activity_row_of(activity: Activity, *, room_phase: str) -> ActivityRow:
    """An activity model instance as the room reads it (its phase the room's if current)."""
    values = tuple(getattr(activity, "pk" if column == "pk" else column) for column in ACTIVITY_COLUMNS[:-1])
    return activity_row((*values, room_phase))


def activity_summary(row: ActivityRow) -> dict:
    """`title` is the activity's own; `translations` its wording in other languages, from which
    each reader's screen picks its own (`in_language`, and live.js): frames go to every reader
    of a room alike."""
    return {"id": row.id, "kind": row.kind, "title": row.title, "phase": row.phase, "position": row.position,
            "translations": row.translations}


def in_language(view: dict, language: str) -> dict:
    """An activity's summary or view worded for a reader of `language`: its title and prompt
    in that language where the facilitator gave them, its own otherwise."""
    wording = (view.get("translations") or {}).get(language)
    if not wording:
        return view
    return {**view, **{field: text for field, text in wording.items() if field in ("title", "prompt") and text}}


def activity_list(workshop_id: int) -> list[dict]:
    """The run of show as `GET /api/workshops/{code}/activities` lists it. One query."""
    return [activity_summary(row) for row in activity_rows(workshop_id)]


def activity_view(row: ActivityRow) -> dict:
    """Everything everyone sees of an activity but its figures: the `activity` frame."""
    return {**activity_summary(row), "prompt": row.prompt, "blind": row.blind, **KINDS[row.kind].view(row)}


def activity_figures(row: ActivityRow, *, sees_all: bool) -> dict:
    """The activity's live figures as its `tally` frame carries them, with `activity`; only
    `hidden: true` while the activity is blind to this viewer."""
    if not sees_all and not row.results_visible:
        return {"activity": row.id, "hidden": True}
    return {"activity": row.id, **KINDS[row.kind].tally(row.id)}


_CURRENT_ACTIVITY = CompiledRead(
    lambda workshop_id: Activity.objects.filter(is_current=True, workshop_id=workshop_id)
    .order_by().values_list(*ACTIVITY_COLUMNS)
)


def current_activity(workshop_id: int) -> ActivityRow | None:
    values = _CURRENT_ACTIVITY.first(workshop_id)
    return None if values is None else activity_row(values)


def current_activity_tally(workshop_id: int, *, rows: list[ActivityRow] | None = None) -> dict:
    """What a `tally` message adds for the room's current activity (among `rows`, its run of
    show if already read): its id, its figures (none for a brainstorm: its `votes` are every
    tally's) and whether phones may see them."""
    row = next((row for row in rows if row.is_current), None) if rows is not None else current_activity(workshop_id)
    if row is None:
        return {}
    return {"activity": row.id, "activity_visible": row.results_visible, **KINDS[row.kind].tally(row.id)}


def run_of_show(
    workshop: WorkshopPage, *, participant_id: int | None, sees_tallies: bool, rows: list[ActivityRow] | None = None
) -> dict:
    """The snapshot's run of show: every activity, the current one's view and figures, and
    this participant's answers by activity id. At most five queries, however many activities
    (four when given its `rows`, as `activity_rows` reads them)."""
    rows = activity_rows(workshop.pk) if rows is None else rows
    current = next((row for row in rows if row.is_current), None)
    view = None
    if current is not None:
        view = activity_view(current)
        if current.kind != "brainstorm":
            figures = activity_figures(current, sees_all=sees_tallies)
            view.update({key: value for key, value in figures.items() if key != "activity"})
    answers: dict[str, object] = {}
    if participant_id is not None:
        by_kind: dict[str, list[int]] = defaultdict(list)
        for row in rows:
            by_kind[row.kind].append(row.id)
        for kind, ids in by_kind.items():
            for activity_id, answer in KINDS[kind].answers_of(participant_id, ids).items():
                answers[str(activity_id)] = answer
    return {
        "activities": [activity_summary(row) for row in rows],
        "current_activity": current.id if current is not None else None,
        "activity": view,
        "answers": answers,
    }


def activities_results(workshop: WorkshopPage, *, sees_all: bool = True, viewer: "Viewer | None" = None) -> list[dict]:
    """Every activity's results in run-of-show order, of everyone and by the participants'
    role, with where citizens and providers answered far apart:
    `[{id, kind, title, phase, position, hidden, results, by_role: {role: results},
    disagreements}]`. For a viewer who may not see all (`sees_all=False`: not a
    facilitator), an activity whose results are still blind has `hidden: true`, `results`
    and `by_role` null and no disagreements. `viewer` (who reads them, when `sees_all` is
    False; None: an observer): a brainstorm lists only the ideas they see now (`ideas_unseen`).

    A fixed number of queries whatever the number of activities and answers: each kind reads
    all its activities at once (`Kind.results_of`), one to three queries a kind."""
    rows = activity_rows(workshop.pk)
    by_kind: dict[str, list[ActivityRow]] = defaultdict(list)
    for row in rows:
        by_kind[row.kind].append(row)
    figures: dict[int, dict] = {}
    for kind, of_kind in by_kind.items():
        figures.update(KINDS[kind].results_of(of_kind))
    viewer = viewer or Viewer(None, None)  # not given: an observer
    elsewhere = set() if sees_all else ideas_unseen(workshop.pk, participant_id=viewer.participant, table=viewer.table)
    for row in by_kind[ActivityKind.BRAINSTORM] if elsewhere else ():
        for part in figures[row.id].values():
            part["ideas"] = [idea for idea in part["ideas"] if idea["id"] not in elsewhere]
    found = []
    for row in rows:
        kind = KINDS[row.kind]
        hidden = not sees_all and kind.hides_results(row, workshop)
        by_role = {role: figures[row.id][role] for role in ParticipantRole.values}
        found.append({
            **activity_summary(row),
            "hidden": hidden,
            "results": None if hidden else figures[row.id][None],
            "by_role": None if hidden else by_role,
            "disagreements": [] if hidden else kind.disagreements(by_role),
        })
    return found


def blind_voting_hides(workshop: WorkshopPage, activities: list[dict]) -> bool:
    """Whether blind voting still keeps the dots from a viewer who is no facilitator, given
    `activities_results(workshop, sees_all=False)`: while a brainstorm of the run of show is
    hidden (its own phase, wherever the room is now), or, in a workshop without one, while
    the room's phase hides the tallies as it always did."""
    brainstorms = [activity for activity in activities if activity["kind"] == ActivityKind.BRAINSTORM]
    if not brainstorms:
        return not tallies_visible_to_participants(board_of([], workshop))
    return any(activity["hidden"] for activity in brainstorms)


def ideas_unseen(workshop_id: int, *, participant_id: int | None, table: int | None) -> set[int]:
    """The ideas a viewer who is no facilitator (a participant, at `table`, or an observer)
    does not see now, by `rules.idea_audience`: another table's in a table round, others' in
    private writing. No query beyond the run of show while no brainstorm keeps any apart."""
    apart = {row.id: row for row in activity_rows(workshop_id) if row.kind == ActivityKind.BRAINSTORM
             and idea_audience(row, None) is not None}
    if not apart:
        return set()
    return {pk for pk, activity, idea_table, author in Idea.objects.filter(activity_id__in=apart)
            .values_list("pk", "activity_id", "table_id", "participant_id")
            if not sees_idea(idea_audience(apart[activity], idea_table), viewer_table=table,
                             is_author=author is not None and author == participant_id, sees_all=False)}


def themes_of(workshop_id: int) -> list[dict]:
    """Every theme of the workshop with its visible ideas, in the order they were made (the
    `themes` frame): `[{id, title, activity, ideas: [id…]}]`. Two queries."""
    members: dict[int, list[int]] = defaultdict(list)
    for theme, idea in Idea.objects.filter(workshop_id=workshop_id, hidden=False, theme__isnull=False) \
            .order_by("created", "pk").values_list("theme_id", "pk"):
        members[theme].append(idea)
    return [{"id": pk, "title": title, "activity": activity, "ideas": members[pk]}
            for pk, title, activity in _THEMES.all(workshop_id)]


def theme_suggestions(workshop_id: int) -> list[dict]:
    """Groupings of the room's brainstorm's ideas not yet in a theme, by the words they share
    (`ideas.suggestions`): `[{label, ideas: [id…]}]` for the console. Three queries."""
    board_now = board(workshop_id)
    if board_now is None:
        return []
    rows = [(pk, text) for pk, text, _n, _proxy, activity, _table, theme, _author in _idea_counts(workshop_id)
            if theme is None and board_now.holds(activity)]
    return [{"label": found.label, "ideas": found.ideas} for found in suggest(rows)]


def table_choices(workshop_id: int) -> list[tuple[str, str]]:
    """The room's tables as (slug, name), in order (the join form's choice). One query."""
    return [(slug, name) for _pk, slug, name, _office in _TABLES.all(workshop_id)]


class Viewer(NamedTuple):
    """Who reads the results when it is no facilitator: a participant (or None, an observer)
    and their table."""

    participant: int | None
    table: int | None


def viewer_of(participant_id: int | None) -> Viewer:
    """The viewer a browser is (its participant, if it joined, and their table). One query,
    none without a participant."""
    if participant_id is None:
        return Viewer(None, None)
    table = Participant.objects.filter(pk=participant_id).values_list("table_id", flat=True).first()
    return Viewer(participant_id, table)


def results(workshop: WorkshopPage, *, viewer: "Viewer | None" = None) -> dict:
    """Ranked visible ideas with their votes (paper dots included, split by channel), and the
    votes by tag and by the voters' role (live dots only: paper dots have no voter). Each idea
    names its table (`table`, a slug, and `table_name`); `tables` lists the room's.

    `viewer`: who reads them, if not a facilitator (None): the ideas they do not see now (a
    table round, private writing: `ideas_unseen`) are left out.

    Eight queries whatever the size: plain rows (`values_list`) rather than model instances,
    each count grouped once in the database, and the visible ideas named by a subquery rather
    than a list of ids."""
    User = get_user_model()
    role_labels = {key: str(label) for key, label in ParticipantRole.choices}
    visible = Idea.objects.filter(workshop=workshop, hidden=False)
    # All the workshop's ideas, hidden ones too: they keep their poster numbers (idea_numbers).
    # Each idea's brainstorm: its own, or (posted before the workshop had activities) the first.
    first_brainstorm = Activity.objects.filter(workshop_id=OuterRef("workshop_id"), kind=ActivityKind.BRAINSTORM) \
        .order_by("position", "pk").values("pk")[:1]
    rows = (
        Idea.objects.filter(workshop=workshop)
        .annotate(brainstorm=Coalesce("activity_id", Subquery(first_brainstorm)))
        .order_by("created", "pk")
        .values_list(
            "pk", "hidden", "text", "author_role", "created", "brainstorm", "table_id", "theme_id", "entered_by_id",
            "entered_by__username", "entered_by__first_name", "entered_by__last_name",
        )
    )
    tables = {pk: (slug, name, office) for pk, slug, name, office in _TABLES.all(workshop.pk)}
    elsewhere = set() if viewer is None else ideas_unseen(workshop.pk, participant_id=viewer.participant,
                                                          table=viewer.table)
    by_channel: dict[int, dict[str, int]] = defaultdict(lambda: {"phone": 0, "proxy": 0, "paper": 0})
    live: dict[int, int] = defaultdict(int)
    for idea_id, channel, n in (
        Vote.objects.filter(idea__in=visible).values_list("idea_id", "channel").annotate(n=Count("pk")).order_by()
    ):
        by_channel[idea_id][channel] = n
        live[idea_id] += n
    paper = paper_dots(workshop.pk)
    for idea_id, n in paper.items():
        by_channel[idea_id]["paper"] = n
    tags = tags_of_workshop(workshop.pk)
    ideas = []
    for number, (pk, hidden, text, author_role, created, brainstorm, table, theme, entered_by_id, *user) in enumerate(
        rows, start=1
    ):
        if hidden or pk in elsewhere:
            continue
        helper = ""
        if entered_by_id is not None:
            username, first_name, last_name = user
            helper = user_label(User(username=username, first_name=first_name, last_name=last_name))
        ideas.append({
            "rank": 0,
            "id": pk,
            "activity": brainstorm,
            "text": text,
            "tags": tags[pk],
            "author_role": author_role,
            "author_role_label": role_labels.get(author_role, ""),
            "votes": live[pk] + paper.get(pk, 0),
            "votes_by_channel": by_channel[pk],
            "number": number,
            "table": tables[table][0] if table in tables else None,
            "table_name": tables[table][1] if table in tables else "",
            "theme": theme,
            "entered_by": helper,
            "entered_at": created if entered_by_id is not None else None,
        })
    ideas.sort(key=lambda i: -i["votes"])  # stable: ties stay in posting order
    rank, previous = 0, None
    for position, item in enumerate(ideas, start=1):
        if item["votes"] != previous:
            rank, previous = position, item["votes"]
        item["rank"] = rank
    by_tag: dict[str, dict] = {}
    for item in ideas:
        for tag in item["tags"] or [""]:
            entry = by_tag.setdefault(tag, {"tag": tag, "votes": 0, "ideas": 0})
            entry["votes"] += item["votes"]
            entry["ideas"] += 1
    voter_roles = (
        Vote.objects.filter(idea__in=visible).values_list("participant__role")
        .annotate(n=Count("pk"), ideas=Count("idea", distinct=True)).order_by()
    )
    by_role = sorted(
        (
            {"role": role, "role_label": role_labels.get(role, ""), "votes": n, "ideas": n_ideas}
            for role, n, n_ideas in voter_roles
        ),
        key=lambda r: -r["votes"],
    )
    people = Participant.objects.filter(workshop=workshop).aggregate(
        all=Count("pk"), proxy=Count("pk", filter=Q(is_proxy=True))
    )
    return {
        "ideas": ideas,
        "tables": [{"id": pk, "slug": slug, "name": name, "office": office}
                   for pk, (slug, name, office) in tables.items()],
        # Each theme with the ideas of it shown here and their dots added up, most voted first.
        "themes": sorted(
            ({"id": pk, "title": title, "activity": activity,
              "ideas": [idea["id"] for idea in ideas if idea["theme"] == pk],
              "votes": sum(idea["votes"] for idea in ideas if idea["theme"] == pk)}
             for pk, title, activity in _THEMES.all(workshop.pk)),
            key=lambda theme: -theme["votes"],
        ),
        "by_tag": sorted(by_tag.values(), key=lambda t: (-t["votes"], t["tag"])),
        "by_role": by_role,
        "total_votes": sum(i["votes"] for i in ideas),
        "participants": people["all"],
        "proxy_participants": people["proxy"],
        "votes_by_channel": {
            key: sum(i["votes_by_channel"][key] for i in ideas) for key in ("phone", "proxy", "paper")
        },
    }


def user_label(user) -> str:
    """How a staff user is named on results and exports (full name, else username)."""
    if user is None:
        return ""
    return user.get_full_name() or user.get_username()


def tally_sheets(workshop_id: int) -> list[dict]:
    """Every paper tally sheet of the workshop, corrections included, in the order entered."""
    sheets = (
        TallySheet.objects.filter(workshop_id=workshop_id)
        .select_related("entered_by")
        .annotate(total_dots=Sum("lines__dots"))
        .order_by("created", "pk")
    )
    return [
        {
            "id": sheet.pk,
            "round": sheet.round,
            "voters": sheet.voters,
            "total": sheet.total_dots or 0,
            "current": sheet.current,
            "corrects": sheet.corrects_id,
            "note": sheet.note,
            "entered_by": user_label(sheet.entered_by),
            "entered_at": sheet.created,
        }
        for sheet in sheets
    ]


def proxy_votes(workshop_id: int) -> list[dict]:
    """Every dot a helper placed for someone without a phone: who for, on what, by whom, when."""
    numbers = idea_numbers(workshop_id)
    votes = (
        Vote.objects.filter(idea__workshop_id=workshop_id, channel=VoteChannel.PROXY)
        .select_related("participant", "idea", "entered_by")
        .order_by("created", "pk")
    )
    return [
        {
            "participant": vote.participant.display_name,
            "idea_id": vote.idea_id,
            "idea": numbers.get(vote.idea_id),
            "idea_text": vote.idea.text,
            "entered_by": user_label(vote.entered_by),
            "entered_at": vote.created,
        }
        for vote in votes
    ]


def visible_idea(idea_id: int) -> Idea | None:
    """An idea that is not hidden, with its workshop (for the apps built on ideas: plans)."""
    return Idea.objects.select_related("workshop").filter(pk=idea_id, hidden=False).first()


def idea_starting_with(workshop: WorkshopPage, text: str) -> Idea | None:
    """The workshop's first idea whose text starts with `text` (the demo links plan items to
    the kickoff's ideas this way)."""
    return Idea.objects.filter(workshop=workshop, text__startswith=text).first()


def table_of(table_id) -> Table | None:
    """A table with its workshop and office (for the apps built on ideas: plans sends a
    table's top ideas to its office's plan)."""
    try:
        pk = int(table_id)
    except (TypeError, ValueError):
        return None
    return Table.objects.select_related("workshop", "office").filter(pk=pk).first()


def table_named(workshop: WorkshopPage, slug: str) -> Table | None:
    """A workshop's table by its slug (the demo sends Rezina's table to Rezina's plan)."""
    return Table.objects.select_related("workshop", "office").filter(workshop=workshop, slug=slug).first()


def table_top_ideas(table: Table, n: int) -> list[dict]:
    """The `n` most voted visible ideas posted at `table`, ranked as the results rank them
    (`results`' rows: id, text, votes, rank…); fewer if it has fewer."""
    return [idea for idea in results(table.workshop)["ideas"] if idea["table"] == table.slug][:n]

"""What every kind of activity is to the room, and the registry the room reads them from.

A kind is one module of `ideas.kinds` with one `Kind` registered here. The room (consumer,
relay, snapshot, results, admin) asks the registry, never a kind by name, so adding a kind is
adding a module: its messages, its service functions, its tally, results and templates.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from django.db import connection
from django.utils.translation import gettext as _

from workshop_site.core.compiled import CompiledRead
from workshop_site.core.errors import Invalid, NotFound
from workshop_site.workshops.models import Phase

from ..errors import NotJoined, PhaseClosed
from ..inputs import int_or_invalid
from ..models import Activity, Participant, ParticipantRole
from ..rules import results_shown

# What a phone may do in each phase of a poll, a scale or a word cloud.
ANSWER_PHASES = (Phase.DRAFT, Phase.OPEN, Phase.RESULTS, Phase.CLOSED)

# Two groups of the room answered "far apart" when a share differs by more than this.
DISAGREEMENT_POINTS = 20
# The groups results are split into: everyone (None), then each role of the room.
ROLES: tuple[str, ...] = tuple(ParticipantRole.values)
GROUPS: tuple[str | None, ...] = (None, *ROLES)


@dataclass(frozen=True)
class ParticipantMessage:
    """A client message a joined participant sends about an activity of this kind.

    `perform(participant_id, message)` runs in the write's transaction (applied at most once
    per `ref`) and returns the fields of the ack."""

    perform: Callable[[int, dict], dict]


@dataclass(frozen=True)
class FacilitatorMessage:
    """A client message only a facilitator of the room may send: `perform(user=, workshop_id=,
    message=)` returns the fields of the ack."""

    perform: Callable[..., dict]  # (*, user, workshop_id, message)


@dataclass
class Kind:
    """One kind of activity. Subclasses fill in the reads; the defaults suit a kind with
    nothing to count."""

    name: str
    phases: tuple[str, ...]
    messages: dict[str, ParticipantMessage | FacilitatorMessage] = field(default_factory=dict)
    # participant page, wall screen and results page fragments (templates/ideas/kinds/…)
    templates: dict[str, str] = field(default_factory=dict)

    def view(self, activity: "ActivityRow") -> dict:
        """What everyone sees of the activity besides `{id, kind, title, phase, prompt}`."""
        return {}

    def tally(self, activity_id: int) -> dict:
        """The live figures, as the `tally` frame carries them (e.g. `{"counts": …}`)."""
        return {}

    def answers_of(self, participant_id: int, activity_ids: list[int]) -> dict[int, Any]:
        """This participant's answers to the given activities of this kind, in one query."""
        return {}

    def results_of(self, activities: list["ActivityRow"]) -> dict[int, dict[str | None, dict]]:
        """The results of these activities of this kind, by activity id: of everyone (key
        None) and of the participants of each role (`ROLES`), all with the same shape. Read
        for all of them at once, in a fixed number of queries however many activities and
        answers there are (the results page, the API and the exports ask once per kind)."""
        return {activity.id: {group: {} for group in GROUPS} for activity in activities}

    def results(self, activity: "ActivityRow", *, role: str | None = None) -> dict:
        """One activity's results, of everyone or of the participants of one role."""
        return self.results_of([activity])[activity.id][role]

    def disagreements(self, by_role: dict[str, dict]) -> list[dict]:
        """Where citizens and providers answered far apart (see `DISAGREEMENT_POINTS`):
        `[{item, text, citizen, provider, points}]`, the two shares in percent."""
        return []

    def disagreement_text(self, item: dict) -> str:
        """One of `disagreements()` in a sentence, for the results page and the exports."""
        return ""

    def table(self, results: dict, by_role: dict[str, dict]) -> list[list]:
        """The results as rows for the exports (one XLSX sheet, one CSV section): a header
        row, then the figures of everyone and of each role side by side (`group_names`)."""
        return []

    def chart(self, figures: dict) -> dict:
        """The figures of `results_of` as the results page draws them: a copy with whole
        percents (0–100) for the widths of its bars."""
        return figures

    def hides_results(self, activity: "ActivityRow", workshop) -> bool:
        """Whether a participant may not see the results yet (blind until revealed)."""
        return not activity.results_visible


KINDS: dict[str, Kind] = {}


def register(kind: Kind) -> Kind:
    if kind.name in KINDS:
        raise ValueError(f"An activity kind named {kind.name!r} is already registered.")
    for message_type in kind.messages:
        if any(message_type in other.messages for other in KINDS.values()):
            raise ValueError(f"The message {message_type!r} already belongs to another kind.")
    KINDS[kind.name] = kind
    return kind


def kind_of(name: str) -> Kind:
    return KINDS[name]


def message_types() -> dict[str, ParticipantMessage | FacilitatorMessage]:
    """Every kind's client messages, by type (the consumer dispatches these)."""
    return {message_type: spec for kind in KINDS.values() for message_type, spec in kind.messages.items()}


class ActivityRow(NamedTuple):
    """An activity as the room reads it: a few columns, its effective phase (the room's own
    while it is current), no model instance."""

    id: int
    workshop_id: int
    kind: str
    title: str
    prompt: str
    phase: str
    is_current: bool
    blind: bool
    max_choices: int
    dots_per_participant: int
    max_dots_per_idea: int | None
    scale_min_label: str
    scale_max_label: str
    position: int
    by_table: bool
    private: str
    translations: dict  # {"ru": {"title": …, "prompt": …}}: Activity.translations

    @property
    def results_visible(self) -> bool:
        return results_shown(blind=self.blind, phase=self.phase)


ACTIVITY_COLUMNS = (
    "pk", "workshop_id", "kind", "title", "prompt", "phase", "is_current", "blind", "max_choices",
    "dots_per_participant", "max_dots_per_idea", "scale_min_label", "scale_max_label", "position", "by_table",
    "private", "translations", "workshop__phase",
)


def activity_row(values: tuple) -> ActivityRow:
    *fields, room_phase = values
    row = ActivityRow(*fields)
    return row._replace(phase=room_phase) if row.is_current else row


_ACTIVITY_ROWS = CompiledRead(
    lambda workshop_id: Activity.objects.filter(workshop_id=workshop_id).order_by("position", "pk")
    .values_list(*ACTIVITY_COLUMNS)
)


def activity_rows(workshop_id: int) -> list[ActivityRow]:
    """The workshop's run of show, in order. One query (every snapshot reads it)."""
    return [activity_row(values) for values in _ACTIVITY_ROWS.all(workshop_id)]


class Answerer(NamedTuple):
    pk: int
    workshop_id: int


# An answer is the run of show's hottest write (a room of 2,000 answering one poll): its reads
# run with SQL built once (workshop_site/core/compiled.py), as a vote's do.
_ANSWERER = {
    # Who answers, their row held until commit so two sockets of one person write one after the
    # other. PostgreSQL: FOR NO KEY UPDATE (the lock an UPDATE of the row takes, which this
    # took before) in the same statement as the read. SQLite: IMMEDIATE transactions already
    # serialise writers (settings/env.py), so a plain read.
    locked: CompiledRead(
        lambda pk: Participant.objects.filter(pk=pk).order_by().values_list("pk", "workshop_id"),
        suffix="FOR NO KEY UPDATE" if locked else "",
    )
    for locked in (False, True)
}
_ANSWERED = CompiledRead(
    lambda kind, pk, workshop_id: Activity.objects.filter(kind=kind, pk=pk, workshop_id=workshop_id)
    .order_by().values_list(*ACTIVITY_COLUMNS)
)


def answering(participant_id: int | None, activity_id) -> tuple[Answerer, int]:
    """Who answers (their row locked until commit) and the id of the activity they name."""
    if participant_id is None:
        raise NotJoined()
    pk = int_or_invalid(activity_id)
    row = _ANSWERER[connection.vendor == "postgresql"].first(participant_id)
    if row is None:
        raise NotJoined()
    return Answerer(*row), pk


def open_activity(values: tuple | None) -> ActivityRow:
    """An activity read as ACTIVITY_COLUMNS (None: none of this room and kind), if it is open."""
    if values is None:
        raise NotFound(_("This activity does not exist in this workshop."))
    activity = activity_row(values)
    if activity.phase != Phase.OPEN:
        raise PhaseClosed(_("This activity is not open for answers."))
    return activity


def answerable(participant_id: int | None, activity_id, kind: str) -> tuple[Answerer, ActivityRow]:
    """The participant and the activity they answer, both of the same room, the activity of
    this kind and open; the participant's row is locked until commit (`answering`)."""
    participant, pk = answering(participant_id, activity_id)
    return participant, open_activity(_ANSWERED.first(kind, pk, participant.workshop_id))


def whole_number(value, *, field: str, low: int, high: int) -> int:
    """A whole number as JSON sends it (never a bool, a fraction or a string), in range."""
    if isinstance(value, bool) or not isinstance(value, int):
        raise Invalid(_("`%(field)s` must be a whole number.") % {"field": field})
    if not low <= value <= high:
        raise Invalid(_("`%(field)s` must be from %(low)d to %(high)d.") % {"field": field, "low": low, "high": high})
    return value


def share(part: int, whole: int) -> float:
    return round(100 * part / whole, 1) if whole else 0.0


def percent(part: float, whole: float) -> int:
    """A whole percent from 0 to 100, for a bar's width."""
    return max(0, min(100, round(100 * part / whole))) if whole else 0


def group_names() -> dict[str | None, str]:
    """How results name the groups of the room: everyone, then each role (plural)."""
    return {
        None: _("Everyone"), ParticipantRole.CITIZEN: _("Citizens"), ParticipantRole.PROVIDER: _("Service providers"),
        ParticipantRole.OFFICE_STAFF: _("Office staff"), ParticipantRole.OTHER: _("Other participants"),
    }


def group_columns(measures: list[str]) -> list[str]:
    """The exports' column headings of `measures` for everyone and each role, side by side:
    "Everyone: count", "Everyone: %", "Citizens: count", …"""
    return [f"{name}: {measure}" for name in group_names().values() for measure in measures]


def by_group(rows) -> dict[tuple, int]:
    """Counts of `(key, role, n)` rows (one grouped query), added up for everyone too:
    {(key, role): n} and {(key, None): total}."""
    counts: dict[tuple, int] = {}
    for key, role, n in rows:
        for group in (role, None):
            counts[key, group] = counts.get((key, group), 0) + n
    return counts


def far_apart(by_role: dict[str, dict], items: str, measure: Callable[[dict], float | None]) -> list[dict]:
    """The items (options, statements) whose `measure` (a share in percent) differs by more
    than `DISAGREEMENT_POINTS` between citizens and providers: `[{item, text, citizen,
    provider, points}]`, the farthest apart first. An item one of the two left unanswered
    is no disagreement."""
    citizens, providers = by_role.get(ParticipantRole.CITIZEN), by_role.get(ParticipantRole.PROVIDER)
    if not citizens or not providers:
        return []
    found = []
    for mine, theirs in zip(citizens[items], providers[items], strict=True):
        high_mine, high_theirs = measure(mine), measure(theirs)
        if high_mine is None or high_theirs is None:
            continue
        gap = round(abs(high_mine - high_theirs), 1)
        if gap > DISAGREEMENT_POINTS:
            found.append({"item": mine["id"], "text": mine["text"], "citizen": high_mine,
                          "provider": high_theirs, "points": gap})
    found.sort(key=lambda item: -item["points"])
    return found

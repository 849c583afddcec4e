"""Every change to a live workshop goes through these functions, whichever door it comes
from (socket, page, API, admin). Each runs in one transaction, checks the phase rule and the
permission, and schedules the room broadcast for after the commit, so no client ever sees a
change that was not stored.
"""

import contextvars
import datetime as dt
import functools
import hashlib
import json
from collections.abc import Callable, Iterable
from typing import NamedTuple

from django.db import IntegrityError, connection, transaction
from django.db.models import Count, F, OuterRef, Subquery
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from workshop_site.core.compiled import CompiledInsert, CompiledRead
from workshop_site.core.errors import (
    Conflict,
    DomainError,
    Forbidden,
    Invalid,
    NotFound,
)
from workshop_site.core.i18n import canonical
from workshop_site.workshops.models import WorkshopPage

from . import realtime, selectors
from .errors import FacilitatorOnly, NoDotsLeft, NotJoined, PhaseClosed
from .inputs import MAX_TAG_LENGTH, MAX_TAGS, clean_tags, clean_text  # noqa: F401  (callers' names)
from .inputs import int_or_invalid as _int_or_invalid
from .kinds.base import KINDS
from .models import (
    Activity,
    ActivityKind,
    DotBudget,
    Idea,
    MessageReceipt,
    Participant,
    ParticipantRole,
    Table,
    TallyLine,
    TallySheet,
    Theme,
    Vote,
    VoteChannel,
    WorkshopHelper,
)
from .rules import (
    brainstorm_phase,
    idea_audience,
    phase_allows,
    sees_idea,
    tallies_visible_to_participants,
)
from .selectors import (
    activity_row_of,
    activity_view,
    idea_payload,
    joining_rules,
)

MAX_TIMER_SECONDS = 4 * 60 * 60


def _workshop_or_not_found(workshop_id: int) -> WorkshopPage:
    workshop = WorkshopPage.objects.filter(pk=workshop_id).first()
    if workshop is None:
        raise NotFound(_("This workshop does not exist."))
    return workshop


def _require_facilitator(user, workshop: WorkshopPage) -> None:
    if user is None or not user.has_perm("ideas.run_workshop", workshop):
        raise FacilitatorOnly()


def _require_assistant(user, workshop: WorkshopPage) -> None:
    if user is None or not user.has_perm("ideas.assist_workshop", workshop):
        raise Forbidden(_("Only a facilitator or a helper of this workshop may do this."))


def _check_entry(participant, workshop_id: int, entered_by) -> None:
    """A helper acts only for the people without a phone of a workshop they assist; the
    phone's own participants are never entered by proxy, nor a proxy participant from a phone.
    (`participant`: anything with `is_proxy`; the workshop is read only for a helper.)"""
    if entered_by is None:
        if participant.is_proxy:
            raise Forbidden(_("Only a helper enters this participant's ideas and dots."))
        return
    _require_assistant(entered_by, _workshop_or_not_found(workshop_id))
    if not participant.is_proxy:
        raise Forbidden(_("A helper may act only for participants entered by a helper."))


def _participant(participant_id: int | None) -> Participant:
    if participant_id is None:
        raise NotJoined()
    participant = Participant.objects.select_related("table").filter(pk=participant_id).first()
    if participant is None:
        raise NotJoined()
    return participant


class _Voter(NamedTuple):
    pk: int
    workshop_id: int
    is_proxy: bool
    table: int | None


# A vote is the room's hottest write: its reads fetch a few columns with SQL built once
# (workshop_site/core/compiled.py), not model instances (bench/RESULTS.md).
_VOTER = CompiledRead(
    lambda pk: Participant.objects.filter(pk=pk).order_by().values_list("pk", "workshop_id", "is_proxy", "table_id")
)


class _DotTarget(NamedTuple):
    """An idea a dot goes to, with what its brainstorm allows (a board's: the page's)."""

    idea: int
    brainstorm: int | None
    phase: str
    cap: int | None
    dots: int
    by_table: bool = False
    table: int | None = None  # the idea's
    private: str = ""  # its brainstorm's private writing (`rules.idea_audience`)


_DOT_TARGET = {
    # One read: the idea (visible, of the voter's room) and its brainstorm's phase, cap and
    # dots, or the page's for a board; `current`: whether the room is on any activity.
    # PostgreSQL: the idea's row FOR KEY SHARE until commit, so votes on one idea do not wait
    # for each other, but a hide or merge (FOR UPDATE on the idea) waits for them and they for
    # it: no dot is ever left on a hidden idea. (The vote's foreign key is checked only at
    # commit: no help.) SQLite: IMMEDIATE transactions already serialise writers.
    locked: CompiledRead(
        lambda pk, workshop_id: Idea.objects.filter(pk=pk, workshop_id=workshop_id, hidden=False).order_by()
        .annotate(current=Subquery(
            Activity.objects.filter(workshop_id=OuterRef("workshop_id"), is_current=True).order_by().values("pk")[:1]
        ))
        .values_list("pk", "activity_id", "activity__phase", "activity__max_dots_per_idea",
                     "activity__dots_per_participant", "workshop__phase", "workshop__max_dots_per_idea",
                     "workshop__dots_per_participant", "current", "activity__by_table", "table_id",
                     "activity__private", "participant_id"),
        suffix=f"FOR KEY SHARE OF {Idea._meta.db_table}" if locked else "",
    )
    for locked in (False, True)
}


# Inside write_once's transaction a refusal rolls the whole write back, its receipt with it, so
# the service it runs needs no savepoint of its own (a SAVEPOINT and a RELEASE less a vote).
_IN_WRITE_ONCE = contextvars.ContextVar("in_write_once", default=False)


def _atomic_write(service):
    """`transaction.atomic`, without a savepoint of its own inside `write_once`."""
    @functools.wraps(service)
    def atomic_service(*args, **kwargs):
        with transaction.atomic(savepoint=not _IN_WRITE_ONCE.get()):
            return service(*args, **kwargs)
    return atomic_service


# The rows a vote writes, with SQL written once (core.compiled): Vote.objects.create built the
# statement anew each time and cost more than running it.
_INSERT_VOTE = CompiledInsert(Vote)
_INSERT_RECEIPT = CompiledInsert(MessageReceipt)


def _voter(participant_id: int | None) -> _Voter:
    """The four columns of a participant that a dot needs."""
    row = None if participant_id is None else _VOTER.first(participant_id)
    if row is None:
        raise NotJoined()
    return _Voter(*row)


def _dot_target(voter: _Voter, idea_id, activity=None) -> _DotTarget:
    """The visible idea of the voter's room a dot goes to, with its brainstorm's rules
    (`activity`, if the message names one, must be that brainstorm). While the room's
    brainstorm does not vote, a bad idea is refused as a closed vote, as it always was; in a
    table round, an idea of another table is no idea this voter sees (`rules.idea_audience`)."""
    workshop_id = voter.workshop_id
    row, refusal = None, None
    digits = str(idea_id).strip().removeprefix("-") if isinstance(idea_id, int | str) else ""
    if isinstance(idea_id, bool) or not digits.isascii() or not digits.isdigit():
        refusal = Invalid(_("`idea` must be an idea id."))
    elif len(digits) > 18:  # what no database column holds is no idea of this room
        refusal = NotFound(_("This idea does not exist or was hidden."))
    else:
        row = _DOT_TARGET[connection.vendor == "postgresql"].first(int(idea_id), workshop_id)
        if row is None:
            refusal = NotFound(_("This idea does not exist or was hidden."))
    if refusal is not None:
        board = selectors.board(workshop_id)
        if board is None:
            raise NotFound(_("This workshop does not exist."))
        if not phase_allows(board.phase, "vote"):
            raise PhaseClosed(_("Voting is not open."))
        raise refusal
    (pk, brainstorm, own_phase, own_cap, own_dots, room_phase, page_cap, page_dots, current, by_table, table,
     private, author) = row
    if activity is not None and _int_or_invalid(activity) != brainstorm:
        raise NotFound(_("This idea does not belong to this brainstorm."))
    if brainstorm is None:  # a board: the page's rules, the participant's own budget
        return _DotTarget(pk, None, room_phase, page_cap, page_dots)
    phase = brainstorm_phase(room_phase, room_on_activity=current is not None, own_phase=own_phase)
    target = _DotTarget(pk, brainstorm, phase, own_cap, own_dots, bool(by_table), table, private or "")
    if not sees_idea(idea_audience(target, table), viewer_table=voter.table, is_author=author == voter.pk,
                     sees_all=False):
        raise NotFound(_("This idea is another table's: vote on your table's ideas."))
    return target


def _take_dot(participant_id: int, target: _DotTarget) -> int | None:
    """Take one dot of the target's brainstorm if one is left; returns the dots left after it,
    or None if there was none.

    One statement where the ORM needs two or three, holding the budget's row until commit on
    PostgreSQL (SQLite's IMMEDIATE transactions serialise writers); a CHECK constraint forbids
    a negative count. A board's budget is the participant's `dots_left` (`UPDATE … RETURNING`);
    a brainstorm's is its `DotBudget`, made by the first dot (`INSERT … ON CONFLICT DO UPDATE
    … RETURNING`: SQLite ≥ 3.35 and PostgreSQL)."""
    if target.brainstorm is None:
        table = connection.ops.quote_name(Participant._meta.db_table)
        pk = connection.ops.quote_name(Participant._meta.pk.column)
        sql = f"UPDATE {table} SET dots_left = dots_left - 1 WHERE {pk} = %s AND dots_left > 0 RETURNING dots_left"  # noqa: S608
        params = [participant_id]
    else:
        if target.dots < 1:
            return None
        table = connection.ops.quote_name(DotBudget._meta.db_table)
        sql = (
            f"INSERT INTO {table} (participant_id, activity_id, dots_left) VALUES (%s, %s, %s) "  # noqa: S608
            f"ON CONFLICT (participant_id, activity_id) DO UPDATE SET dots_left = {table}.dots_left - 1 "
            f"WHERE {table}.dots_left > 0 RETURNING dots_left"
        )
        params = [participant_id, target.brainstorm, target.dots - 1]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        row = cursor.fetchone()
    return None if row is None else row[0]


def _give_dots_back(participant_id: int, brainstorm: int | None, count: int) -> None:
    if brainstorm is None:
        Participant.objects.filter(pk=participant_id).update(dots_left=F("dots_left") + count)
    else:
        DotBudget.objects.filter(participant_id=participant_id, activity_id=brainstorm).update(
            dots_left=F("dots_left") + count)


def _table_named(workshop_id: int, table) -> Table | None:
    """The table of this workshop a join or a move names by its slug (None or "": no table)."""
    if table is None or table == "":
        return None
    if not isinstance(table, str):
        raise Invalid(_("`table` must be the slug of one of the workshop's tables."))
    found = Table.objects.filter(workshop_id=workshop_id, slug=table).first()
    if found is None:
        raise NotFound(_("This table does not exist in this workshop."))
    return found


@transaction.atomic
def participant_join(
    *, workshop: WorkshopPage, display_name, role, user=None, entered_by=None, table=None
) -> Participant:
    """A person joins the room with a name and a role (and, if the workshop has tables, the
    slug of the `table` they sit at) and gets the workshop's dots.

    With `entered_by` (a facilitator or helper), the person has no phone: the helper adds
    them (a blank name becomes "Participant N") and then posts and votes for them."""
    if entered_by is not None:
        _require_assistant(entered_by, workshop)
        if isinstance(display_name, str) and not display_name.strip():
            taken = Participant.objects.filter(workshop_id=workshop.pk, is_proxy=True).count()
            display_name = _("Participant %(n)d") % {"n": taken + 1}
    name = clean_text(display_name, field=_("The name"), max_length=60)
    if role not in ParticipantRole.values:
        raise Invalid(_("Choose a role: citizen, service provider, office staff or other."))
    rules = joining_rules(workshop.pk)  # as it is now, not as the caller read it
    if rules is None:
        raise NotFound(_("This workshop does not exist."))
    if not rules.open:
        raise PhaseClosed(_("This workshop is not open for joining."))
    dots = rules.dots
    return Participant.objects.create(
        workshop=workshop,
        table=_table_named(workshop.pk, table),
        display_name=name,
        role=role,
        user=user if entered_by is None and getattr(user, "is_authenticated", False) else None,
        dots_left=dots,
        is_proxy=entered_by is not None,
        entered_by=entered_by,
    )


@transaction.atomic
def participant_move(*, user, workshop_id: int, participant_id, table) -> Participant:
    """A facilitator or a helper moves someone in the room to another of its tables (`table`:
    its slug; None or "": to no table). Their ideas stay where they were posted; their phones
    follow (a `participant.moved` frame, on which that person's page reads the room again)."""
    participant = Participant.objects.filter(pk=_int_or_invalid(participant_id), workshop_id=workshop_id).first()
    if participant is None:
        raise NotFound(_("This participant does not exist in this workshop."))
    workshop = _workshop_or_not_found(participant.workshop_id)
    _require_assistant(user, workshop)
    participant.table = _table_named(workshop.pk, table)
    participant.save(update_fields=["table", "modified"])
    event = {"type": "participant.moved", "participant": participant.pk,
             "table": participant.table.slug if participant.table else None,
             realtime.MOVED_TO: participant.table_id}
    transaction.on_commit(lambda: realtime.publish(workshop.pk, event))
    return participant


@transaction.atomic
def idea_create(
    *, participant_id: int | None, text, tags: Iterable[str] | None = None, entered_by=None, activity=None
) -> Idea:
    """A participant posts an idea to the room's brainstorm, or to the brainstorm `activity`
    (in phase `ideas` only); it appears live on every screen. `entered_by`: the helper who
    types it for a participant without a phone."""
    participant = _participant(participant_id)
    workshop = _workshop_or_not_found(participant.workshop_id)
    _check_entry(participant, workshop.pk, entered_by)
    text = clean_text(text, field=_("The idea"), max_length=Idea.MAX_LENGTH)
    tag_names = clean_tags(tags)
    board = selectors.board(workshop.pk, brainstorm_id=None if activity is None else _int_or_invalid(activity))
    if board is None:
        raise NotFound(_("This brainstorm does not exist in this workshop."))
    if not phase_allows(board.phase, "post_idea"):
        raise PhaseClosed(_("Ideas can be posted only while the workshop collects ideas."))
    idea = Idea.objects.create(
        workshop=workshop, activity_id=board.activity_id, participant=participant, author_role=participant.role, text=text,
        entered_by=entered_by, table=participant.table,
    )
    if tag_names:
        idea.tags.add(*tag_names)
    event = {"type": "idea.posted", "idea": idea_payload(idea, tag_names=tag_names, votes=0)}
    audience = idea_audience(board, idea.table_id)
    if audience is not None:  # a table round or private writing: the relay shows it to these alone
        event[realtime.AUDIENCE] = {"author": participant.pk, "table": audience.table, "tableless": audience.tableless}
    transaction.on_commit(lambda: realtime.publish(workshop.pk, event))
    return idea


@_atomic_write
def vote_cast(*, participant_id: int | None, idea_id, entered_by=None, activity=None) -> int:
    """Spend one dot on an idea (its brainstorm in phase `voting`); returns the dots left in
    that brainstorm. `entered_by`: the helper placing the dot for a participant without a
    phone (channel `proxy`). `activity`: the brainstorm, if the client names it.

    The budget is enforced by the database (`_take_dot`): a dot is taken only if one is left.
    """
    voter = _voter(participant_id)
    _check_entry(voter, voter.workshop_id, entered_by)
    target = _dot_target(voter, idea_id, activity)
    if not phase_allows(target.phase, "vote"):
        raise PhaseClosed(_("Voting is not open."))
    idea_pk, cap = target.idea, target.cap
    dots_left = _take_dot(voter.pk, target)
    if dots_left is None:
        raise NoDotsLeft()
    if cap:
        # Counted after the dot was taken, so this participant's other votes are serialised.
        if Vote.objects.filter(participant_id=voter.pk, idea_id=idea_pk).count() >= cap:
            raise Invalid(  # the exception rolls the dot back
                ngettext("At most %(cap)d dot per idea.", "At most %(cap)d dots per idea.", cap) % {"cap": cap}
            )
    channel = VoteChannel.PHONE if entered_by is None else VoteChannel.PROXY
    _INSERT_VOTE.insert(participant_id=voter.pk, idea_id=idea_pk, channel=channel,
                        entered_by_id=None if entered_by is None else entered_by.pk)
    workshop_id = voter.workshop_id
    transaction.on_commit(lambda: realtime.tallies_changed(workshop_id))
    return dots_left


@transaction.atomic
def vote_retract(*, participant_id: int | None, idea_id, entered_by=None, activity=None) -> int:
    """Take back one dot from an idea while its brainstorm votes; returns the dots left there."""
    voter = _voter(participant_id)
    _check_entry(voter, voter.workshop_id, entered_by)
    target = _dot_target(voter, idea_id, activity)
    if not phase_allows(target.phase, "vote"):
        raise PhaseClosed(_("Voting is not open."))
    # Lock the budget's row first (as vote_cast does) so retracts and casts serialise.
    budget = (Participant.objects.filter(pk=voter.pk) if target.brainstorm is None
              else DotBudget.objects.filter(participant_id=voter.pk, activity_id=target.brainstorm))
    budget.update(dots_left=F("dots_left"))
    vote = Vote.objects.filter(participant_id=voter.pk, idea_id=target.idea).order_by("-pk").first()
    if vote is None:
        raise NotFound(_("You have no dot on this idea."))
    if not vote.delete()[0]:
        # A concurrent hide already removed (and refunded) this dot.
        raise NotFound(_("You have no dot on this idea."))
    _give_dots_back(voter.pk, target.brainstorm, 1)
    workshop_id = voter.workshop_id
    transaction.on_commit(lambda: realtime.tallies_changed(workshop_id))
    return budget.values_list("dots_left", flat=True).get()


@transaction.atomic
def brainstorm_adopts_board(activity: Activity) -> int:
    """A workshop that ran as a board (no brainstorm in its run of show) gets its first
    brainstorm: the board's ideas become the brainstorm's, and the dots people placed on them
    count against its budget. Returns how many ideas it took (none when there was no board)."""
    if activity.kind != ActivityKind.BRAINSTORM:
        return 0
    first = Activity.objects.filter(workshop_id=activity.workshop_id, kind=ActivityKind.BRAINSTORM) \
        .order_by("position", "pk").values_list("pk", flat=True).first()
    if first != activity.pk:
        return 0
    adopted = Idea.objects.filter(workshop_id=activity.workshop_id, activity__isnull=True).update(activity=activity)
    placed = Vote.objects.filter(idea__activity=activity).order_by().values("participant_id").annotate(n=Count("pk"))
    DotBudget.objects.bulk_create(
        [DotBudget(participant_id=row["participant_id"], activity=activity,
                   dots_left=max(0, activity.dots_per_participant - row["n"])) for row in placed],
        ignore_conflicts=True,
    )
    if adopted:
        workshop_id = activity.workshop_id
        transaction.on_commit(lambda: realtime.tallies_changed(workshop_id))
    return adopted


@transaction.atomic
def phase_set(*, user, workshop_id: int, phase) -> str:
    """A facilitator moves the current activity (the room) to another of its kind's phases, in
    any order (going back is allowed). A workshop without activities is a board: a brainstorm's."""
    workshop = _workshop_or_not_found(workshop_id)
    _require_facilitator(user, workshop)
    current = Activity.objects.select_for_update().filter(workshop_id=workshop.pk, is_current=True).first()
    kind = KINDS[current.kind if current is not None else ActivityKind.BRAINSTORM]
    if phase not in kind.phases:
        raise Invalid(_("Unknown phase. Use one of: %(phases)s.") % {"phases": ", ".join(kind.phases)})
    _room_phase_set(workshop, phase, current)
    return phase


def _room_phase_set(workshop: WorkshopPage, phase: str, current: Activity | None) -> None:
    # Translations show the same room: they follow its phase and timer.
    WorkshopPage.objects.filter(translation_key=workshop.translation_key).update(phase=phase)
    if current is not None:
        Activity.objects.filter(pk=current.pk).update(phase=phase)
    workshop.phase = phase
    # The brainstorm's dots stay blind while the room shows another activity's results.
    visible = tallies_visible_to_participants(selectors.board(workshop.pk))
    event = {"type": "phase", "phase": phase, "tallies_visible": visible}
    transaction.on_commit(lambda: realtime.publish(workshop.pk, event))
    transaction.on_commit(lambda: realtime.tallies_changed(workshop.pk))


@transaction.atomic
def activity_set(*, user, workshop_id: int, activity_id) -> dict:
    """A facilitator moves the room to another activity of its run of show; every screen
    follows (an `activity` frame, then the room's `phase`). Returns the activity's view."""
    workshop = _workshop_or_not_found(workshop_id)
    _require_facilitator(user, workshop)
    pk = _int_or_invalid(activity_id)
    # Locked in pk order, so two facilitators moving the room at once take turns.
    activities = {a.pk: a for a in Activity.objects.select_for_update().filter(workshop_id=workshop.pk).order_by("pk")}
    target = activities.get(pk)
    if target is None:
        raise NotFound(_("This activity does not exist in this workshop."))
    # The room's phase as it is now that the activities are locked: a phase set that committed
    # while this waited for the lock is the one the activity the room leaves keeps.
    room_phase = WorkshopPage.objects.filter(pk=workshop.pk).values_list("phase", flat=True).first()
    for other in activities.values():
        if other.is_current and other.pk != target.pk:
            # The room's phase was this activity's: it keeps it for when the room comes back.
            Activity.objects.filter(pk=other.pk).update(is_current=False, phase=room_phase)
    if not any(a.is_current for a in activities.values()):
        # A room on no activity yet was a board in the room's phase: its brainstorm keeps it.
        brainstorms = [a.pk for a in activities.values() if a.kind == ActivityKind.BRAINSTORM and a.pk != target.pk]
        Activity.objects.filter(pk__in=brainstorms).update(phase=room_phase)
    Activity.objects.filter(pk=target.pk).update(is_current=True)
    target.is_current = True
    view = activity_view(activity_row_of(target, room_phase=target.phase))
    transaction.on_commit(lambda: realtime.publish(workshop.pk, {"type": "activity", "activity": view}))
    _room_phase_set(workshop, target.phase, target)
    return view


@transaction.atomic
def idea_hide(*, user, idea_id) -> Idea:
    """A facilitator hides an idea (kept, with who and when); its dots go back to their owners."""
    # FOR UPDATE waits for the votes being cast on this idea and holds back new ones until the
    # hide commits, so every dot on it is refunded (see _visible_idea).
    idea = Idea.objects.select_for_update(of=("self",)).filter(pk=_int_or_invalid(idea_id)).select_related("workshop").first()
    if idea is None:
        raise NotFound(_("This idea does not exist."))
    _require_facilitator(user, idea.workshop)
    if not idea.hidden:
        _hide(idea, user)
        _refund_votes(Vote.objects.filter(idea=idea))
        workshop_id = idea.workshop_id
        transaction.on_commit(lambda: realtime.publish(workshop_id, {"type": "idea.hidden", "idea": idea.pk}))
        transaction.on_commit(lambda: realtime.tallies_changed(workshop_id))
    return idea


@transaction.atomic
def idea_merge(*, user, keep_id, duplicate_id) -> Idea:
    """Merge a duplicate into the kept idea: its votes follow, it is hidden as merged."""
    # Both rows locked in one statement, in pk order, as idea_hide locks one (see _visible_idea).
    list(Idea.objects.select_for_update().filter(pk__in=[_int_or_invalid(keep_id), _int_or_invalid(duplicate_id)])
         .order_by("pk").values_list("pk", flat=True))
    keep = Idea.objects.filter(pk=_int_or_invalid(keep_id), hidden=False).select_related("workshop").first()
    duplicate = Idea.objects.filter(pk=_int_or_invalid(duplicate_id), hidden=False).first()
    if keep is None or duplicate is None or keep.workshop_id != duplicate.workshop_id:
        raise NotFound(_("Both ideas must be visible ideas of the same workshop."))
    if keep.pk == duplicate.pk:
        raise Invalid(_("An idea cannot be merged into itself."))
    if keep.activity_id != duplicate.activity_id:  # its dots were spent from another budget
        raise Invalid(_("Only ideas of the same brainstorm can be merged."))
    _require_facilitator(user, keep.workshop)
    Vote.objects.filter(idea=duplicate).update(idea=keep)
    _merge_paper_lines(duplicate, keep)
    duplicate.merged_into = keep
    _hide(duplicate, user)
    keep.tags.add(*duplicate.tags.names())
    workshop_id = keep.workshop_id
    transaction.on_commit(lambda: realtime.publish(workshop_id, {"type": "idea.hidden", "idea": duplicate.pk}))
    transaction.on_commit(lambda: realtime.tallies_changed(workshop_id))
    return keep


def _hide(idea: Idea, user) -> None:
    idea.hidden, idea.hidden_at, idea.hidden_by = True, timezone.now(), user
    idea.save(update_fields=["hidden", "hidden_at", "hidden_by", "merged_into", "modified"])


def _refund_votes(votes) -> None:
    """Give hidden ideas' dots back, so moderation never eats a participant's budget (in the
    brainstorm of each idea)."""
    per_budget: dict[tuple[int, int | None], int] = {}
    # Locked first: a retract deleting one of these rows at the same moment is then not counted.
    for key in votes.select_for_update(of=("self",)).values_list("participant_id", "idea__activity_id"):
        per_budget[key] = per_budget.get(key, 0) + 1
    votes.delete()
    for (participant_id, brainstorm), count in per_budget.items():
        _give_dots_back(participant_id, brainstorm, count)


@transaction.atomic
def timer_start(*, user, workshop_id: int, seconds) -> dt.datetime:
    """A facilitator starts a countdown shown on every screen."""
    workshop = _workshop_or_not_found(workshop_id)
    _require_facilitator(user, workshop)
    if isinstance(seconds, bool) or not isinstance(seconds, int) or not 1 <= seconds <= MAX_TIMER_SECONDS:
        raise Invalid(_("`seconds` must be a whole number from 1 to %(max)d.") % {"max": MAX_TIMER_SECONDS})
    ends_at = timezone.now() + dt.timedelta(seconds=seconds)
    WorkshopPage.objects.filter(translation_key=workshop.translation_key).update(timer_ends_at=ends_at)
    event = {"type": "timer", "ends_at": ends_at.isoformat()}
    transaction.on_commit(lambda: realtime.publish(workshop.pk, event))
    return ends_at


@transaction.atomic
def timer_stop(*, user, workshop_id: int) -> None:
    workshop = _workshop_or_not_found(workshop_id)
    _require_facilitator(user, workshop)
    WorkshopPage.objects.filter(translation_key=workshop.translation_key).update(timer_ends_at=None)
    transaction.on_commit(lambda: realtime.publish(workshop.pk, {"type": "timer", "ends_at": None}))


# --- assisted and paper participation ------------------------------------------------------

MAX_DOTS_AT_ONCE = 20


@transaction.atomic
def proxy_dots_cast(*, entered_by, participant_id: int | None, idea_ids: list) -> int:
    """A helper places several dots for a participant without a phone, all or none: each one
    goes through `vote_cast` (same budget, same cap), and one refusal undoes them all."""
    if not isinstance(idea_ids, list | tuple) or not idea_ids:
        raise Invalid(_("Give at least one idea for the dots."))
    if len(idea_ids) > MAX_DOTS_AT_ONCE:
        raise Invalid(_("At most %(max)d dots at once.") % {"max": MAX_DOTS_AT_ONCE})
    dots_left = None
    for idea_id in idea_ids:
        dots_left = vote_cast(participant_id=participant_id, idea_id=idea_id, entered_by=entered_by)
    return dots_left


@transaction.atomic
def helper_grant(*, user, workshop: WorkshopPage, helper) -> WorkshopHelper:
    """A facilitator lets a staff user enter paper participation in this workshop."""
    _require_facilitator(user, workshop)
    if helper is None or not helper.is_active:
        raise Invalid(_("Choose an active staff account."))
    grant, _created = WorkshopHelper.objects.get_or_create(
        workshop_id=workshop.pk, user=helper, defaults={"granted_by": user}
    )
    return grant


@transaction.atomic
def helper_revoke(*, user, workshop: WorkshopPage, helper_id) -> None:
    """A facilitator takes the helper role back; what the helper entered stays, marked."""
    _require_facilitator(user, workshop)
    WorkshopHelper.objects.filter(workshop_id=workshop.pk, user_id=_int_or_invalid(helper_id)).delete()


def _whole_number(value, *, field: str, low: int, high: int) -> int:
    if isinstance(value, str) and value.strip().lstrip("-").isdigit():
        value = int(value.strip())
    if isinstance(value, bool) or not isinstance(value, int):
        raise Invalid(_("%(field)s must be a whole number.") % {"field": field})
    if not low <= value <= high:
        raise Invalid(
            _("%(field)s must be from %(low)d to %(high)d.") % {"field": field, "low": low, "high": high}
        )
    return value


def _sheet_label(sheet: TallySheet) -> str:
    from django.utils import formats

    who = (sheet.entered_by.get_full_name() or sheet.entered_by.get_username()) if sheet.entered_by else "—"
    when = formats.date_format(timezone.localtime(sheet.created), "SHORT_DATETIME_FORMAT")
    return _("round %(round)d, entered by %(who)s on %(when)s") % {"round": sheet.round, "who": who, "when": when}


@transaction.atomic
def paper_tally_submit(
    *, user, workshop_id: int, voters, counts, round_number=1, corrects_id=None, note=""
) -> TallySheet:
    """Record the sticker dots counted on a paper poster: one sheet per round, submitted once.

    `counts` maps idea ids to dots. A sheet can hold at most `voters` × the workshop's dots
    (and, per idea, `voters` × the cap per idea, if any). A mistake is fixed by a correction:
    a new sheet that `corrects` the current one of its round, with a note saying why; the old
    one stays visible and stops counting. The room's tallies update live after the commit.
    """
    workshop = _workshop_or_not_found(workshop_id)
    _require_assistant(user, workshop)
    board = selectors.board(workshop.pk)
    if not phase_allows(board.phase, "paper_tally"):
        raise PhaseClosed(_("Paper tallies are taken while voting or showing the results, not in this stage."))
    voters = _whole_number(voters, field=_("The number of people"), low=1, high=TallySheet.MAX_VOTERS)
    note = clean_text(note or "", field=_("The note"), max_length=300, required=corrects_id is not None)
    corrected = None
    if corrects_id is not None:
        corrected = TallySheet.objects.filter(pk=_int_or_invalid(corrects_id), workshop_id=workshop.pk).first()
        if corrected is None:
            raise NotFound(_("This tally sheet does not exist."))
        if not corrected.current:
            raise Conflict(_("This sheet was already corrected; correct the latest one."))
        round_number = corrected.round
    else:
        round_number = _whole_number(round_number, field=_("The round"), low=1, high=TallySheet.MAX_ROUND)
        earlier = TallySheet.objects.filter(workshop_id=workshop.pk, round=round_number, corrects__isnull=True).first()
        if earlier is not None:
            raise Conflict(
                _("This sheet was already submitted (%(sheet)s). To change it, enter a correction.")
                % {"sheet": _sheet_label(earlier)}
            )
    dots = _paper_counts(workshop, board, counts, voters=voters)
    if not dots and corrected is None:
        raise Invalid(_("The sheet has no dots: type the counts first."))
    try:
        with transaction.atomic():
            if corrected is not None:
                TallySheet.objects.filter(pk=corrected.pk, current=True).update(current=False)
            sheet = TallySheet.objects.create(
                workshop=workshop, round=round_number, voters=voters, corrects=corrected, note=note, entered_by=user
            )
    except IntegrityError:
        # Someone submitted or corrected the same round at the same moment.
        raise Conflict(_("This round was just submitted by someone else. Reload to see it.")) from None
    TallyLine.objects.bulk_create([TallyLine(sheet=sheet, idea_id=pk, dots=n) for pk, n in dots.items()])
    transaction.on_commit(lambda: realtime.tallies_changed(workshop.pk))
    return sheet


def _paper_counts(workshop: WorkshopPage, board, counts, *, voters: int) -> dict[int, int]:
    """Validated counts of the visible ideas of the room's brainstorm (zeros dropped), within
    what the room could hold with that brainstorm's dots."""
    from .selectors import idea_numbers

    if not isinstance(counts, dict):
        raise Invalid(_("`counts` must map idea ids to numbers of dots."))
    visible = {pk for pk, activity_id in Idea.objects.filter(workshop_id=workshop.pk, hidden=False)
               .values_list("pk", "activity_id") if board.holds(activity_id)}
    numbers = idea_numbers(workshop.pk)
    per_idea_cap = voters * (board.cap or board.dots)
    dots: dict[int, int] = {}
    for raw_id, raw_count in counts.items():
        pk = _int_or_invalid(raw_id)
        if pk not in visible:
            raise NotFound(_("Idea id %(id)s is not a visible idea of this workshop.") % {"id": raw_id})
        label = _("Idea %(number)d") % {"number": numbers.get(pk, 0)}
        if _negative(raw_count):
            raise Invalid(_("%(idea)s: a count cannot be negative.") % {"idea": label})
        count = _whole_number(raw_count, field=label, low=0, high=10**6)
        if count > per_idea_cap:
            raise Invalid(
                _("%(idea)s: %(count)d dots is more than %(people)d people could place (at most %(cap)d).")
                % {"idea": label, "count": count, "people": voters, "cap": per_idea_cap}
            )
        if count:
            dots[pk] = count
    room_cap = voters * board.dots
    total = sum(dots.values())
    if total > room_cap:
        raise Invalid(
            _("The sheet holds %(total)d dots, more than %(people)d people with %(dots)d dots each could place (%(cap)d).")
            % {"total": total, "people": voters, "dots": board.dots, "cap": room_cap}
        )
    return dots


def _negative(value) -> bool:
    if isinstance(value, bool):
        return False
    if isinstance(value, int):
        return value < 0
    return isinstance(value, str) and value.strip().startswith("-") and value.strip()[1:].isdigit()


def _merge_paper_lines(duplicate: Idea, keep: Idea) -> None:
    """Paper dots follow a merged idea too (added into the kept idea's line of the same sheet)."""
    for line in TallyLine.objects.filter(idea=duplicate):
        kept = TallyLine.objects.filter(sheet_id=line.sheet_id, idea=keep).first()
        if kept is None:
            TallyLine.objects.filter(pk=line.pk).update(idea=keep)
        else:
            TallyLine.objects.filter(pk=kept.pk).update(dots=F("dots") + line.dots)
            line.delete()


def write_once(*, participant_id: int, ref, message: dict, perform: Callable[[], dict]) -> dict:
    """Apply a participant's write at most once per `ref`; returns the fields of its ack.

    `perform` runs the write (a service above) and returns the ack's fields; they are stored
    as a `MessageReceipt` in the same transaction, under a unique (participant, ref). A retry
    of the same message (a client resending after a dropped connection, or the same message
    racing on two sockets) gets the stored answer with `replayed: true` and changes nothing;
    the same ref on a different message is refused. Without a ref, nothing is kept.
    """
    if ref is None:
        with transaction.atomic():
            return perform()
    key = str(ref)
    fingerprint = hashlib.sha256(
        json.dumps({k: v for k, v in message.items() if k != "ref"}, sort_keys=True, default=str).encode()
    ).hexdigest()
    try:
        # The write first, its receipt last: a retry is rare, so it is found by the receipt's
        # unique index (or by the write refusing, e.g. the dot already taken) and rolled back,
        # instead of every write paying a lookup first.
        with transaction.atomic():
            whole = _IN_WRITE_ONCE.set(True)
            try:
                answer = perform()
            finally:
                _IN_WRITE_ONCE.reset(whole)
            _INSERT_RECEIPT.insert(participant_id=participant_id, ref=key, fingerprint=fingerprint, answer=answer)
            return answer
    except (IntegrityError, DomainError):
        # The same ref was committed before (a resent message) or by another socket while this
        # attempt ran: this attempt rolled back; answer the stored one.
        answer = _receipt_answer(participant_id, key, fingerprint)
        if answer is None:
            raise
        return answer


def _receipt_answer(participant_id: int, ref: str, fingerprint: str) -> dict | None:
    receipt = MessageReceipt.objects.filter(participant_id=participant_id, ref=ref).first()
    if receipt is None:
        return None
    if receipt.fingerprint != fingerprint:
        raise Invalid(_("This `ref` was already used for another message; send it with a new `ref`."))
    return {**receipt.answer, "replayed": True}


@transaction.atomic
def participant_remove(*, user, participant_id) -> int:
    """A facilitator removes someone from the room (a troll, a duplicate phone): their dots go,
    their ideas stay without an author, and their open sockets are closed. Returns the
    workshop's id. They may join again under a new name; this is moderation, not a ban."""
    participant = Participant.objects.filter(pk=_int_or_invalid(participant_id)).select_related("workshop").first()
    if participant is None:
        raise NotFound(_("This participant does not exist."))
    _require_facilitator(user, participant.workshop)
    workshop_id, removed_id = participant.workshop_id, participant.pk
    participant.delete()  # its votes and receipts go with it
    transaction.on_commit(lambda: realtime.publish(workshop_id, {"type": "participant.removed", "participant": removed_id}))
    transaction.on_commit(lambda: realtime.tallies_changed(workshop_id))
    return workshop_id


# --- tables: one per office served by default, kept by facilitators (docs/protocol.md) -------

def tables_changed(workshop_id: int) -> None:
    """After the commit, send the room its tables as they then read (`tables` frame): from the
    services below, and from the admin's plain saves (a table's office or order)."""
    transaction.on_commit(lambda: realtime.publish(workshop_id, {
        "type": "tables", "tables": [{"slug": slug, "name": name} for slug, name in selectors.table_choices(workshop_id)],
    }))


def _table_slug(workshop_id: int, name: str, *, keep: int | None = None) -> str:
    """A slug for a table's name, unique in its workshop (`keep`: the table being renamed)."""
    base = slugify(name)[:Table.MAX_NAME - 4] or "masa"  # Latin letters lose their diacritics
    taken = set(Table.objects.filter(workshop_id=workshop_id).exclude(pk=keep).values_list("slug", flat=True))
    slug, n = base, 2
    while slug in taken:
        slug, n = f"{base}-{n}", n + 1
    return slug


def _table_of_workshop(workshop_id: int, table_id) -> Table:
    table = Table.objects.filter(pk=_int_or_invalid(table_id), workshop_id=workshop_id).first()
    if table is None:
        raise NotFound(_("This table does not exist in this workshop."))
    return table


@transaction.atomic
def tables_for_offices(workshop: WorkshopPage) -> list[Table]:
    """A table for each office the workshop serves that has none yet (named after the office,
    in the workshop's language); the tables a facilitator added, renamed or removed stay as
    they are. Returns the tables made."""
    room = canonical(workshop)
    offices = {office.pk: office for office in (canonical(page) for page in room.offices.all())}.values()
    seated = set(Table.objects.filter(workshop_id=room.pk, office__isnull=False).values_list("office_id", flat=True))
    position = Table.objects.filter(workshop_id=room.pk).count()
    made = []
    for office in sorted(offices, key=lambda office: (office.district or office.title)):
        if office.pk in seated:
            continue
        name = (office.district or office.title)[:Table.MAX_NAME]  # "Rezina", not "BCIS Rezina"
        made.append(Table.objects.create(workshop_id=room.pk, name=name, office=office,
                                         slug=_table_slug(room.pk, name), position=position))
        position += 1
    if made:
        tables_changed(room.pk)
    return made


@transaction.atomic
def table_create(*, user, workshop: WorkshopPage, name, office=None) -> Table:
    """A facilitator adds a table ("district administration"), optionally for an office."""
    _require_facilitator(user, workshop)
    name = clean_text(name, field=_("The table's name"), max_length=Table.MAX_NAME)
    table = Table.objects.create(workshop_id=workshop.pk, name=name, office=office,
                                 slug=_table_slug(workshop.pk, name),
                                 position=Table.objects.filter(workshop_id=workshop.pk).count())
    tables_changed(workshop.pk)
    return table


@transaction.atomic
def table_rename(*, user, workshop: WorkshopPage, table_id, name) -> Table:
    """A facilitator renames a table; its slug stays (phones and clients know it by it)."""
    _require_facilitator(user, workshop)
    table = _table_of_workshop(workshop.pk, table_id)
    table.name = clean_text(name, field=_("The table's name"), max_length=Table.MAX_NAME)
    table.save(update_fields=["name"])
    tables_changed(workshop.pk)
    return table


@transaction.atomic
def table_delete(*, user, workshop: WorkshopPage, table_id) -> None:
    """A facilitator removes a table nobody sits at and nobody posted at."""
    _require_facilitator(user, workshop)
    table = _table_of_workshop(workshop.pk, table_id)
    if table.participants.exists() or table.ideas.exists():
        raise Conflict(_("People sit at this table or posted ideas there: move them first, or rename it."))
    table.delete()
    tables_changed(workshop.pk)


# --- themes: affinity clusters of a brainstorm's ideas, made on the console -------------------

def _publish_themes(workshop_id: int) -> None:
    """After the commit, send the room its themes as they then read (`themes` frame)."""
    transaction.on_commit(lambda: realtime.publish(workshop_id, {
        "type": "themes", "themes": selectors.themes_of(workshop_id)}))


def _theme_of_workshop(workshop_id: int, theme_id) -> Theme:
    theme = Theme.objects.filter(pk=_int_or_invalid(theme_id), workshop_id=workshop_id).first()
    if theme is None:
        raise NotFound(_("This theme does not exist in this workshop."))
    return theme


@transaction.atomic
def theme_create(*, user, workshop_id: int, title, activity=None, ideas=()) -> Theme:
    """A facilitator makes a theme in the room's brainstorm (or the brainstorm `activity`),
    optionally with its first ideas (a suggested theme accepted in one step)."""
    workshop = _workshop_or_not_found(workshop_id)
    _require_facilitator(user, workshop)
    title = clean_text(title, field=_("The theme's title"), max_length=Theme.MAX_TITLE)
    board = selectors.board(workshop.pk, brainstorm_id=None if activity is None else _int_or_invalid(activity))
    if board is None:
        raise NotFound(_("This brainstorm does not exist in this workshop."))
    theme = Theme.objects.create(workshop=workshop, activity_id=board.activity_id, title=title, created_by=user)
    if ideas:
        _ideas_join_theme(theme, board, ideas)
    _publish_themes(workshop.pk)
    return theme


def _ideas_join_theme(theme: Theme, board, idea_ids) -> None:
    if not isinstance(idea_ids, list | tuple) or len(idea_ids) > 200:
        raise Invalid(_("`ideas` must be a list of idea ids."))
    wanted = {_int_or_invalid(pk) for pk in idea_ids}
    found = [(pk, activity) for pk, activity in Idea.objects.filter(
        pk__in=wanted, workshop_id=theme.workshop_id, hidden=False).values_list("pk", "activity_id")
        if board.holds(activity)]
    if len(found) != len(wanted):
        raise NotFound(_("Every idea of a theme must be a visible idea of its brainstorm."))
    Idea.objects.filter(pk__in=wanted).update(theme=theme)


@transaction.atomic
def theme_rename(*, user, workshop_id: int, theme_id, title) -> Theme:
    workshop = _workshop_or_not_found(workshop_id)
    _require_facilitator(user, workshop)
    theme = _theme_of_workshop(workshop.pk, theme_id)
    theme.title = clean_text(title, field=_("The theme's title"), max_length=Theme.MAX_TITLE)
    theme.save(update_fields=["title"])
    _publish_themes(workshop.pk)
    return theme


@transaction.atomic
def theme_dissolve(*, user, workshop_id: int, theme_id) -> None:
    """A facilitator dissolves a theme: its ideas stay, in no theme, with their dots."""
    workshop = _workshop_or_not_found(workshop_id)
    _require_facilitator(user, workshop)
    theme = _theme_of_workshop(workshop.pk, theme_id)
    theme.delete()  # its ideas' `theme` becomes null (SET_NULL)
    _publish_themes(workshop.pk)


@transaction.atomic
def idea_theme_set(*, user, workshop_id: int, idea_id, theme_id) -> Idea:
    """A facilitator puts an idea in a theme of its brainstorm (`theme_id` None: in none)."""
    workshop = _workshop_or_not_found(workshop_id)
    _require_facilitator(user, workshop)
    idea = Idea.objects.filter(pk=_int_or_invalid(idea_id), workshop_id=workshop.pk, hidden=False).first()
    if idea is None:
        raise NotFound(_("This idea does not exist or was hidden."))
    theme = None if theme_id is None else _theme_of_workshop(workshop.pk, theme_id)
    if theme is not None and theme.activity_id is not None and idea.activity_id not in (theme.activity_id, None):
        raise Invalid(_("A theme groups the ideas of its own brainstorm."))
    idea.theme = theme
    idea.save(update_fields=["theme"])
    _publish_themes(workshop.pk)
    return idea

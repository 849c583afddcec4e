"""Every change to a live workshop goes through these functions, whichever door it comes
from (socket, page, API, admin). Each runs in one transaction, checks the phase rule and the
permission, and schedules the room broadcast for after the commit, so no client ever sees a
change that was not stored.
"""

import datetime as dt
import hashlib
import json
from collections.abc import Callable, Iterable
from typing import NamedTuple

from django.db import IntegrityError, connection, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from workshop_site.core.compiled import CompiledRead
from workshop_site.core.errors import (
    Conflict,
    DomainError,
    Forbidden,
    Invalid,
    NotFound,
)
from workshop_site.workshops.models import WorkshopPage

from . import realtime
from .errors import FacilitatorOnly, NoDotsLeft, NotJoined, PhaseClosed
from .inputs import MAX_TAG_LENGTH, MAX_TAGS, clean_tags, clean_text  # noqa: F401  (callers' names)
from .inputs import int_or_invalid as _int_or_invalid
from .kinds.base import KINDS
from .models import (
    Activity,
    ActivityKind,
    Idea,
    MessageReceipt,
    Participant,
    ParticipantRole,
    TallyLine,
    TallySheet,
    Vote,
    VoteChannel,
    WorkshopHelper,
)
from .rules import phase_allows, tallies_visible_to_participants
from .selectors import (
    activity_row_of,
    activity_view,
    board_phase,
    idea_payload,
    joining_rules,
    voting_rules,
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
    participant = Participant.objects.filter(pk=participant_id).first()
    if participant is None:
        raise NotJoined()
    return participant


class _Voter(NamedTuple):
    pk: int
    workshop_id: int
    is_proxy: bool


# A vote is the room's hottest write: its reads fetch a few columns with SQL built once
# (workshop_site/core/compiled.py), not model instances (bench/RESULTS.md).
_VOTER = CompiledRead(
    lambda pk: Participant.objects.filter(pk=pk).order_by().values_list("pk", "workshop_id", "is_proxy")
)
_VISIBLE_IDEA = {
    # PostgreSQL: FOR KEY SHARE until commit, so votes on one idea do not wait for each other,
    # but a hide or merge (FOR UPDATE on the idea) waits for them and they for it: no dot is
    # ever left on a hidden idea. (The vote's foreign key is checked only at commit: no help.)
    # SQLite: IMMEDIATE transactions already serialise writers.
    locked: CompiledRead(
        lambda pk, workshop_id: Idea.objects.filter(pk=pk, workshop_id=workshop_id, hidden=False)
        .order_by().values_list("pk"),
        suffix="FOR KEY SHARE" if locked else "",
    )
    for locked in (False, True)
}


def _voter(participant_id: int | None) -> _Voter:
    """The three columns of a participant that a dot needs."""
    row = None if participant_id is None else _VOTER.first(participant_id)
    if row is None:
        raise NotJoined()
    return _Voter(*row)


def _voting_rules(workshop_id: int) -> tuple[str, int | None]:
    rules = voting_rules(workshop_id)
    if rules is None:
        raise NotFound(_("This workshop does not exist."))
    return rules


def _take_dot(participant_id: int) -> int | None:
    """Take one dot if one is left; returns the dots left after it, or None if there was none.

    One statement (`UPDATE … RETURNING`, SQLite ≥ 3.35 and PostgreSQL) where the ORM needs an
    UPDATE and a SELECT. On PostgreSQL it holds the participant's row until commit; SQLite's
    IMMEDIATE transactions serialise writers; a CHECK constraint forbids a negative count."""
    table = connection.ops.quote_name(Participant._meta.db_table)
    pk = connection.ops.quote_name(Participant._meta.pk.column)
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {table} SET dots_left = dots_left - 1 WHERE {pk} = %s AND dots_left > 0 RETURNING dots_left",  # noqa: S608
            [participant_id],
        )
        row = cursor.fetchone()
    return None if row is None else row[0]


@transaction.atomic
def participant_join(*, workshop: WorkshopPage, display_name, role, user=None, entered_by=None) -> Participant:
    """A person joins the room with a name and a role and gets the workshop's dots.

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
        display_name=name,
        role=role,
        user=user if entered_by is None and getattr(user, "is_authenticated", False) else None,
        dots_left=dots,
        is_proxy=entered_by is not None,
        entered_by=entered_by,
    )


@transaction.atomic
def idea_create(*, participant_id: int | None, text, tags: Iterable[str] | None = None, entered_by=None) -> Idea:
    """A participant posts an idea (phase `ideas` only); it appears live on every screen.
    `entered_by`: the helper who types it for a participant without a phone."""
    participant = _participant(participant_id)
    workshop = _workshop_or_not_found(participant.workshop_id)
    _check_entry(participant, workshop.pk, entered_by)
    text = clean_text(text, field=_("The idea"), max_length=Idea.MAX_LENGTH)
    tag_names = clean_tags(tags)
    if not phase_allows(board_phase(workshop.pk), "post_idea"):
        raise PhaseClosed(_("Ideas can be posted only while the workshop collects ideas."))
    brainstorm = Activity.objects.filter(workshop_id=workshop.pk, kind=ActivityKind.BRAINSTORM).values_list(
        "pk", flat=True).first()
    idea = Idea.objects.create(
        workshop=workshop, activity_id=brainstorm, participant=participant, author_role=participant.role, text=text,
        entered_by=entered_by,
    )
    if tag_names:
        idea.tags.add(*tag_names)
    payload = idea_payload(idea, tag_names=tag_names, votes=0)
    transaction.on_commit(lambda: realtime.publish(workshop.pk, {"type": "idea.posted", "idea": payload}))
    return idea


@transaction.atomic
def vote_cast(*, participant_id: int | None, idea_id, entered_by=None) -> int:
    """Spend one dot on an idea (phase `voting`); returns the dots left. `entered_by`: the
    helper placing the dot for a participant without a phone (channel `proxy`).

    The budget is enforced by the database (`_take_dot`): a dot is taken only if one is left.
    """
    voter = _voter(participant_id)
    phase, cap = _voting_rules(voter.workshop_id)
    _check_entry(voter, voter.workshop_id, entered_by)
    if not phase_allows(phase, "vote"):
        raise PhaseClosed(_("Voting is not open."))
    idea_pk = _visible_idea(voter.workshop_id, idea_id)
    dots_left = _take_dot(voter.pk)
    if dots_left is None:
        raise NoDotsLeft()
    if cap:
        # Counted after the dot was taken, so this participant's other votes are serialised.
        if Vote.objects.filter(participant_id=voter.pk, idea_id=idea_pk).count() >= cap:
            raise Invalid(  # the exception rolls the dot back
                ngettext("At most %(cap)d dot per idea.", "At most %(cap)d dots per idea.", cap) % {"cap": cap}
            )
    channel = VoteChannel.PHONE if entered_by is None else VoteChannel.PROXY
    Vote.objects.create(participant_id=voter.pk, idea_id=idea_pk, channel=channel, entered_by=entered_by)
    workshop_id = voter.workshop_id
    transaction.on_commit(lambda: realtime.tallies_changed(workshop_id))
    return dots_left


@transaction.atomic
def vote_retract(*, participant_id: int | None, idea_id, entered_by=None) -> int:
    """Take back one dot from an idea while voting is open; returns the dots left."""
    voter = _voter(participant_id)
    phase, _cap = _voting_rules(voter.workshop_id)
    _check_entry(voter, voter.workshop_id, entered_by)
    if not phase_allows(phase, "vote"):
        raise PhaseClosed(_("Voting is not open."))
    idea_pk = _visible_idea(voter.workshop_id, idea_id)
    # Lock the participant's row first (as vote_cast does) so retracts and casts serialise.
    Participant.objects.filter(pk=voter.pk).update(dots_left=F("dots_left"))
    vote = Vote.objects.filter(participant_id=voter.pk, idea_id=idea_pk).order_by("-pk").first()
    if vote is None:
        raise NotFound(_("You have no dot on this idea."))
    if not vote.delete()[0]:
        # A concurrent hide already removed (and refunded) this dot.
        raise NotFound(_("You have no dot on this idea."))
    Participant.objects.filter(pk=voter.pk).update(dots_left=F("dots_left") + 1)
    workshop_id = voter.workshop_id
    transaction.on_commit(lambda: realtime.tallies_changed(workshop_id))
    return Participant.objects.values_list("dots_left", flat=True).get(pk=voter.pk)


def _visible_idea(workshop_id: int, idea_id) -> int:
    """The id of a visible idea of the workshop, or a refusal."""
    if isinstance(idea_id, bool) or not isinstance(idea_id, int | str):
        raise Invalid(_("`idea` must be an idea id."))
    try:
        pk = int(idea_id)
    except ValueError:
        raise Invalid(_("`idea` must be an idea id.")) from None
    if not -(2**63) <= pk < 2**63:  # what no database column holds is no idea of this room
        raise NotFound(_("This idea does not exist or was hidden."))
    row = _VISIBLE_IDEA[connection.vendor == "postgresql"].first(pk, workshop_id)
    if row is None:
        raise NotFound(_("This idea does not exist or was hidden."))
    return row[0]


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
    visible = tallies_visible_to_participants(workshop, board_phase=board_phase(workshop.pk))
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
    """Give hidden ideas' dots back, so moderation never eats a participant's budget."""
    per_participant: dict[int, int] = {}
    # Locked first: a retract deleting one of these rows at the same moment is then not counted.
    for participant_id in votes.select_for_update().values_list("participant_id", flat=True):
        per_participant[participant_id] = per_participant.get(participant_id, 0) + 1
    votes.delete()
    for participant_id, count in per_participant.items():
        Participant.objects.filter(pk=participant_id).update(dots_left=F("dots_left") + count)


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
    if not phase_allows(board_phase(workshop.pk), "paper_tally"):
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
    dots = _paper_counts(workshop, counts, voters=voters)
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


def _paper_counts(workshop: WorkshopPage, counts, *, voters: int) -> dict[int, int]:
    """Validated counts of visible ideas (zeros dropped), within what the room could hold."""
    from .selectors import idea_numbers

    if not isinstance(counts, dict):
        raise Invalid(_("`counts` must map idea ids to numbers of dots."))
    visible = set(Idea.objects.filter(workshop_id=workshop.pk, hidden=False).values_list("pk", flat=True))
    numbers = idea_numbers(workshop.pk)
    per_idea_cap = voters * (workshop.max_dots_per_idea or workshop.dots_per_participant)
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
    room_cap = voters * workshop.dots_per_participant
    total = sum(dots.values())
    if total > room_cap:
        raise Invalid(
            _("The sheet holds %(total)d dots, more than %(people)d people with %(dots)d dots each could place (%(cap)d).")
            % {"total": total, "people": voters, "dots": workshop.dots_per_participant, "cap": room_cap}
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
            answer = perform()
            MessageReceipt.objects.create(participant_id=participant_id, ref=key, fingerprint=fingerprint, answer=answer)
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

"""Every change to a live workshop goes through these functions, whichever door it comes
from (socket, page, API, admin). Each runs in one transaction, checks the phase rule and the
permission, and schedules the room broadcast for after the commit, so no client ever sees a
change that was not stored.
"""

import datetime as dt
import unicodedata
from collections.abc import Iterable

from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from workshop_site.workshops.models import Phase, WorkshopPage

from . import realtime
from .errors import Forbidden, Invalid, NoDotsLeft, NotFound, NotJoined, PhaseClosed
from .models import Idea, Participant, ParticipantRole, Vote
from .rules import phase_allows, tallies_visible_to_participants
from .selectors import idea_payload

MAX_TAGS = 5
MAX_TAG_LENGTH = 40
MAX_TIMER_SECONDS = 4 * 60 * 60


def clean_text(value, *, field: str, max_length: int, required: bool = True) -> str:
    """Text as typed, without control characters or surrounding blanks; refuses blank/too long."""
    if not isinstance(value, str):
        raise Invalid(_("%(field)s must be text.") % {"field": field})
    text = "".join(ch for ch in value if ch in "\n\t" or unicodedata.category(ch)[0] != "C").strip()
    if required and not text:
        raise Invalid(_("%(field)s cannot be empty.") % {"field": field})
    if len(text) > max_length:
        raise Invalid(
            _("%(field)s is too long (at most %(max)d characters).") % {"field": field, "max": max_length}
        )
    return text


def clean_tags(value) -> list[str]:
    if value is None:
        return []
    if not isinstance(value, list | tuple):
        raise Invalid(_("Tags must be a list."))
    tags: list[str] = []
    for raw in value:
        tag = clean_text(raw, field=_("A tag"), max_length=MAX_TAG_LENGTH).replace(",", " ").lower()
        if tag not in tags:
            tags.append(tag)
    if len(tags) > MAX_TAGS:
        raise Invalid(_("At most %(max)d tags.") % {"max": MAX_TAGS})
    return tags


def _workshop_for_update(workshop_id: int) -> WorkshopPage:
    workshop = WorkshopPage.objects.filter(pk=workshop_id).first()
    if workshop is None:
        raise NotFound(_("This workshop does not exist."))
    return workshop


def _require_facilitator(user, workshop: WorkshopPage) -> None:
    if user is None or not user.has_perm("ideas.run_workshop", workshop):
        raise Forbidden()


def _participant(participant_id: int | None) -> Participant:
    if participant_id is None:
        raise NotJoined()
    participant = Participant.objects.filter(pk=participant_id).first()
    if participant is None:
        raise NotJoined()
    return participant


@transaction.atomic
def participant_join(*, workshop: WorkshopPage, display_name, role, user=None) -> Participant:
    """A person joins the room with a name and a role and gets the workshop's dots."""
    name = clean_text(display_name, field=_("The name"), max_length=60)
    if role not in ParticipantRole.values:
        raise Invalid(_("Choose a role: citizen, service provider, office staff or other."))
    workshop = _workshop_for_update(workshop.pk)
    if not workshop.live or not phase_allows(workshop.phase, "join"):
        raise PhaseClosed(_("This workshop is not open for joining."))
    return Participant.objects.create(
        workshop=workshop,
        display_name=name,
        role=role,
        user=user if getattr(user, "is_authenticated", False) else None,
        dots_left=workshop.dots_per_participant,
    )


@transaction.atomic
def idea_create(*, participant_id: int | None, text, tags: Iterable[str] | None = None) -> Idea:
    """A participant posts an idea (phase `ideas` only); it appears live on every screen."""
    participant = _participant(participant_id)
    text = clean_text(text, field=_("The idea"), max_length=Idea.MAX_LENGTH)
    tag_names = clean_tags(tags)
    workshop = _workshop_for_update(participant.workshop_id)
    if not phase_allows(workshop.phase, "post_idea"):
        raise PhaseClosed(_("Ideas can be posted only while the workshop collects ideas."))
    idea = Idea.objects.create(
        workshop=workshop, participant=participant, author_role=participant.role, text=text
    )
    if tag_names:
        idea.tags.add(*tag_names)
    payload = idea_payload(idea, tag_names=tag_names, votes=0)
    transaction.on_commit(lambda: realtime.publish(workshop.pk, {"type": "idea.posted", "idea": payload}))
    return idea


@transaction.atomic
def vote_cast(*, participant_id: int | None, idea_id) -> int:
    """Spend one dot on an idea (phase `voting`); returns the dots left.

    The budget is enforced by the database: one conditional UPDATE takes a dot only if one is
    left (and holds the participant's row until commit on PostgreSQL; SQLite's IMMEDIATE
    transactions serialise writers), and a CHECK constraint forbids a negative count.
    """
    participant = _participant(participant_id)
    workshop = _workshop_for_update(participant.workshop_id)
    if not phase_allows(workshop.phase, "vote"):
        raise PhaseClosed(_("Voting is not open."))
    idea = _visible_idea(workshop.pk, idea_id)
    taken = Participant.objects.filter(pk=participant.pk, dots_left__gt=0).update(dots_left=F("dots_left") - 1)
    if not taken:
        raise NoDotsLeft()
    if workshop.max_dots_per_idea:
        # Counted after the UPDATE above, so this participant's other votes are serialised.
        on_this_idea = Vote.objects.filter(participant=participant, idea=idea).count()
        if on_this_idea >= workshop.max_dots_per_idea:
            cap = workshop.max_dots_per_idea
            raise Invalid(  # the exception rolls the dot back
                ngettext("At most %(cap)d dot per idea.", "At most %(cap)d dots per idea.", cap) % {"cap": cap}
            )
    Vote.objects.create(participant=participant, idea=idea)
    transaction.on_commit(lambda: realtime.tallies_changed(workshop.pk))
    return Participant.objects.values_list("dots_left", flat=True).get(pk=participant.pk)


@transaction.atomic
def vote_retract(*, participant_id: int | None, idea_id) -> int:
    """Take back one dot from an idea while voting is open; returns the dots left."""
    participant = _participant(participant_id)
    workshop = _workshop_for_update(participant.workshop_id)
    if not phase_allows(workshop.phase, "vote"):
        raise PhaseClosed(_("Voting is not open."))
    idea = _visible_idea(workshop.pk, idea_id)
    # Lock the participant's row first (as vote_cast does) so retracts and casts serialise.
    Participant.objects.filter(pk=participant.pk).update(dots_left=F("dots_left"))
    vote = Vote.objects.filter(participant=participant, idea=idea).order_by("-pk").first()
    if vote is None:
        raise NotFound(_("You have no dot on this idea."))
    vote.delete()
    Participant.objects.filter(pk=participant.pk).update(dots_left=F("dots_left") + 1)
    transaction.on_commit(lambda: realtime.tallies_changed(workshop.pk))
    return Participant.objects.values_list("dots_left", flat=True).get(pk=participant.pk)


def _visible_idea(workshop_id: int, idea_id) -> Idea:
    if isinstance(idea_id, bool) or not isinstance(idea_id, int | str):
        raise Invalid(_("`idea` must be an idea id."))
    try:
        pk = int(idea_id)
    except ValueError:
        raise Invalid(_("`idea` must be an idea id.")) from None
    idea = Idea.objects.filter(pk=pk, workshop_id=workshop_id, hidden=False).first()
    if idea is None:
        raise NotFound(_("This idea does not exist or was hidden."))
    return idea


@transaction.atomic
def phase_set(*, user, workshop_id: int, phase) -> str:
    """A facilitator moves the workshop to another phase (any order; going back is allowed)."""
    workshop = _workshop_for_update(workshop_id)
    _require_facilitator(user, workshop)
    if phase not in Phase.values:
        raise Invalid(_("Unknown phase. Use one of: %(phases)s.") % {"phases": ", ".join(Phase.values)})
    WorkshopPage.objects.filter(pk=workshop.pk).update(phase=phase)
    workshop.phase = phase
    event = {"type": "phase", "phase": phase, "tallies_visible": tallies_visible_to_participants(workshop)}
    transaction.on_commit(lambda: realtime.publish(workshop.pk, event))
    transaction.on_commit(lambda: realtime.tallies_changed(workshop.pk))
    return phase


@transaction.atomic
def idea_hide(*, user, idea_id) -> Idea:
    """A facilitator hides an idea (kept, with who and when); its dots go back to their owners."""
    idea = Idea.objects.filter(pk=_int_or_invalid(idea_id)).select_related("workshop").first()
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
    keep = Idea.objects.filter(pk=_int_or_invalid(keep_id), hidden=False).select_related("workshop").first()
    duplicate = Idea.objects.filter(pk=_int_or_invalid(duplicate_id), hidden=False).first()
    if keep is None or duplicate is None or keep.workshop_id != duplicate.workshop_id:
        raise NotFound(_("Both ideas must be visible ideas of the same workshop."))
    if keep.pk == duplicate.pk:
        raise Invalid(_("An idea cannot be merged into itself."))
    _require_facilitator(user, keep.workshop)
    Vote.objects.filter(idea=duplicate).update(idea=keep)
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
    for participant_id in votes.values_list("participant_id", flat=True):
        per_participant[participant_id] = per_participant.get(participant_id, 0) + 1
    votes.delete()
    for participant_id, count in per_participant.items():
        Participant.objects.filter(pk=participant_id).update(dots_left=F("dots_left") + count)


def _int_or_invalid(value) -> int:
    if isinstance(value, bool):
        raise Invalid(_("An id must be a number."))
    try:
        return int(value)
    except (TypeError, ValueError):
        raise Invalid(_("An id must be a number.")) from None


@transaction.atomic
def timer_start(*, user, workshop_id: int, seconds) -> dt.datetime:
    """A facilitator starts a countdown shown on every screen."""
    workshop = _workshop_for_update(workshop_id)
    _require_facilitator(user, workshop)
    if isinstance(seconds, bool) or not isinstance(seconds, int) or not 1 <= seconds <= MAX_TIMER_SECONDS:
        raise Invalid(_("`seconds` must be a whole number from 1 to %(max)d.") % {"max": MAX_TIMER_SECONDS})
    ends_at = timezone.now() + dt.timedelta(seconds=seconds)
    WorkshopPage.objects.filter(pk=workshop.pk).update(timer_ends_at=ends_at)
    event = {"type": "timer", "ends_at": ends_at.isoformat()}
    transaction.on_commit(lambda: realtime.publish(workshop.pk, event))
    return ends_at


@transaction.atomic
def timer_stop(*, user, workshop_id: int) -> None:
    workshop = _workshop_for_update(workshop_id)
    _require_facilitator(user, workshop)
    WorkshopPage.objects.filter(pk=workshop.pk).update(timer_ends_at=None)
    transaction.on_commit(lambda: realtime.publish(workshop.pk, {"type": "timer", "ends_at": None}))

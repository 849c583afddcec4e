"""Feedback writes: a citizen pins and edits their own; a facilitator or office team triages."""

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from workshop_site.core.errors import (
    Conflict,
    Forbidden,
    Invalid,
    NotFound,
    RateLimited,
)
from workshop_site.core.ratelimit import first_exceeded

from .models import Feedback, FeedbackRole, FeedbackStatus


def _fraction(value, name: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise Invalid(_("%(name)s must be a number from 0 to 1.") % {"name": name})
    number = float(value)
    if not 0 <= number <= 1:
        raise Invalid(_("The pin must be on the screen: %(name)s from 0 to 1.") % {"name": name})
    return number


def _text(value) -> str:
    if not isinstance(value, str) or not value.strip():
        raise Invalid(_("Write what you think (the text cannot be empty)."))
    if len(value) > Feedback.MAX_LENGTH:
        raise Invalid(_("The text is too long (at most %(max)d characters).") % {"max": Feedback.MAX_LENGTH})
    return value.strip()


def _rating(value):
    if value in (None, ""):
        return None
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 5:
        raise Invalid(_("A rating is a whole number from 1 to 5."))
    return value


def _role(value) -> str:
    if value in (None, ""):
        return ""
    if value not in FeedbackRole.values:
        raise Invalid(_("Say who you are: citizen, service provider or office staff."))
    return value


def check_rate(*, session_key: str | None, address: str | None) -> None:
    # Anonymous writes, per session and per address: generous for a hall, tight for a bot
    # (feedback_session / feedback_ip in settings.ATELIER_RATE_LIMITS).
    if first_exceeded([("feedback_session", session_key), ("feedback_ip", address)]) is not None:
        raise RateLimited(_("Too much feedback from here in a short time; wait a few minutes."))


@transaction.atomic
def feedback_submit(*, user, session_key: str, version, screen_id, x, y, text, rating=None,
                    role=None) -> Feedback:
    """A pin on a screen of a version (a `PrototypeVersion`) the author may see: published, or
    a draft for its team."""
    if not user.has_perm("prototypes.view_version", version):
        raise NotFound(_("This version is not published."))
    screen = version.screens.filter(
        pk=screen_id if isinstance(screen_id, int) and not isinstance(screen_id, bool) else None
    ).first()
    if screen is None:  # a well-formed id that names no screen here: not found, like the version
        raise NotFound(_("The screen must be a screen of this version."))
    return Feedback.objects.create(
        version=version, screen=screen, x=_fraction(x, "x"), y=_fraction(y, "y"), text=_text(text),
        rating=_rating(rating), author_role=_role(role), session_key=session_key or "",
        creator=user if getattr(user, "is_authenticated", False) else None,
    )


@transaction.atomic
def feedback_edit(*, session_key: str, feedback_id, text=None, rating=None) -> Feedback:
    """The author (same browser session) corrects their own pin while nobody has triaged it."""
    feedback = Feedback.objects.filter(pk=feedback_id if isinstance(feedback_id, int) else None).first()
    if feedback is None:
        raise NotFound(_("No such feedback."))
    if not session_key or feedback.session_key != session_key:
        raise Forbidden(_("You can edit only your own feedback, from the same browser."))
    if feedback.status != FeedbackStatus.NEW:
        raise Conflict(_("This feedback was already triaged; write a new one instead."))
    if text is not None:
        feedback.text = _text(text)
    if rating is not None:
        feedback.rating = _rating(rating)
    feedback.save(update_fields=["text", "rating", "modified"])
    return feedback


@transaction.atomic
def feedback_triage(*, user, feedback_id, status=None, reply=None) -> Feedback:
    feedback = Feedback.objects.select_related("version__prototype").filter(pk=feedback_id).first()
    if feedback is None:
        raise NotFound(_("No such feedback."))
    if not user.has_perm("feedback.triage_feedback", feedback):
        raise Forbidden(_("Only facilitators and the prototype's office teams triage its feedback."))
    if status is not None:
        if status not in FeedbackStatus.values:
            raise Invalid(_("Unknown status. Use one of: %(values)s.") % {"values": ", ".join(FeedbackStatus.values)})
        feedback.status = status
    if reply is not None:
        if not isinstance(reply, str) or len(reply) > 2000:
            raise Invalid(_("The reply is too long (at most 2000 characters)."))
        feedback.reply, feedback.replied_by, feedback.replied_at = reply.strip(), user, timezone.now()
    feedback.save()
    return feedback


@transaction.atomic
def feedback_mark_planned(*, user, feedback: Feedback) -> Feedback:
    """The feedback was taken up in an action plan: new feedback becomes "planned" (a status
    someone already set is kept). Only those who triage it may say so."""
    if not user.has_perm("feedback.triage_feedback", feedback):
        raise Forbidden(_("Only facilitators and the prototype's office teams triage its feedback."))
    if feedback.status == FeedbackStatus.NEW:
        Feedback.objects.filter(pk=feedback.pk).update(status=FeedbackStatus.PLANNED)
        feedback.status = FeedbackStatus.PLANNED
    return feedback

"""Which pins a viewer sees, and the triage list of a user; feedback's door for plans."""

from django.db.models import Q

from prototypes.selectors import in_prototype_office_team
from workshop_site.core.predicates import is_facilitator

from .models import Feedback


def sees_every_pin(user, version) -> bool:
    return bool(
        (version.published and version.feedback_public)
        or is_facilitator(user)
        or in_prototype_office_team(user, version.prototype)
    )


def pins_for(*, user, session_key: str | None, version, screen=None):
    """Every pin for facilitators, the offices' teams and public feedback; else only one's own."""
    pins = Feedback.objects.filter(version=version).order_by("created", "pk")
    if screen is not None:
        pins = pins.filter(screen=screen)
    if sees_every_pin(user, version):
        return pins
    return pins.filter(session_key=session_key) if session_key else pins.none()


def triage_queryset(user):
    """The feedback this user triages: all for facilitators, their offices' prototypes for teams."""
    feedback = Feedback.objects.select_related("version__prototype", "screen").order_by("-created", "-pk")
    if is_facilitator(user):
        return feedback
    if not getattr(user, "is_authenticated", False):
        return feedback.none()
    return feedback.filter(Q(version__prototype__offices__team_group__in=user.groups.all())).distinct()


def feedback_by_id(feedback_id) -> Feedback | None:
    """One piece of feedback with its version and prototype (None for an unknown or malformed id)."""
    try:
        pk = int(feedback_id)
    except (TypeError, ValueError):
        return None
    return Feedback.objects.select_related("version__prototype").filter(pk=pk).first()

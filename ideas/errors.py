"""Refusals of the live workshop, with the error codes of the live protocol.

Services raise them; the consumer answers `{"type": "error", "ref", "code", "message"}` and
the HTTP/API doors answer `{"code", "message"}` with `status`. Nothing has changed when one
is raised.
"""

from django.utils.translation import gettext_lazy as _

from workshop_site.core.errors import Conflict, Invalid, NotFound, RateLimited
from workshop_site.core.errors import DomainError as LiveError
from workshop_site.core.errors import Forbidden as _Forbidden

__all__ = ["Conflict", "Forbidden", "Invalid", "LiveError", "NoDotsLeft", "NotFound", "NotJoined", "PhaseClosed", "RateLimited"]


class NotJoined(LiveError):
    code, status = "not_joined", 403
    default_message = _("Join the workshop first.")


class PhaseClosed(LiveError):
    code, status = "phase_closed", 409
    default_message = _("The workshop is not in a stage that allows this.")


class NoDotsLeft(LiveError):
    code, status = "no_dots_left", 409
    default_message = _("You have no dots left.")


class Forbidden(_Forbidden):
    default_message = _("Only a facilitator may do this.")

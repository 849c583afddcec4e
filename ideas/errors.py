"""Refusals of the live workshop, with the error codes of the live protocol.

Services raise them; the consumer answers `{"type": "error", "ref", "code", "message"}` and
the HTTP/API doors answer `{"code", "message"}` with `status`. Nothing has changed when one
is raised.
"""

from django.utils.translation import gettext_lazy as _


class LiveError(Exception):
    code = "invalid"
    status = 400
    default_message = _("The request is not valid.")

    def __init__(self, message=None):
        self.message = str(message or self.default_message)
        super().__init__(self.message)


class Invalid(LiveError):
    code, status = "invalid", 400
    default_message = _("The request is not valid.")


class NotJoined(LiveError):
    code, status = "not_joined", 403
    default_message = _("Join the workshop first.")


class PhaseClosed(LiveError):
    code, status = "phase_closed", 409
    default_message = _("The workshop is not in a stage that allows this.")


class NoDotsLeft(LiveError):
    code, status = "no_dots_left", 409
    default_message = _("You have no dots left.")


class NotFound(LiveError):
    code, status = "not_found", 404
    default_message = _("Not found.")


class Forbidden(LiveError):
    code, status = "forbidden", 403
    default_message = _("Only a facilitator may do this.")


class RateLimited(LiveError):
    code, status = "rate_limited", 429
    default_message = _("Too many requests; wait a moment.")

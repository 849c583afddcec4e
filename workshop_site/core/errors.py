"""Domain refusals shared by the apps: each has a stable `code` (for the API and the live
protocol), an HTTP `status` and a human message. Services raise them before changing anything."""

from django.utils.translation import gettext_lazy as _

# The WebSocket close code for "unavailable, try again later". Not RFC 6455's 1013: autobahn
# (under daphne) sends only 1000 and 3000–4999, and raised on 1013 instead of closing.
CLOSE_TRY_AGAIN = 4013


class DomainError(Exception):
    code = "invalid"
    status = 400
    default_message = _("The request is not valid.")

    def __init__(self, message=None):
        self.message = str(message or self.default_message)
        super().__init__(self.message)


class Invalid(DomainError):
    code, status = "invalid", 400
    default_message = _("The request is not valid.")


class Forbidden(DomainError):
    code, status = "forbidden", 403
    default_message = _("You may not do this.")


class NotFound(DomainError):
    code, status = "not_found", 404
    default_message = _("Not found.")


class Conflict(DomainError):
    code, status = "conflict", 409
    default_message = _("Someone else changed this in the meantime. Reload and try again.")


class RateLimited(DomainError):
    code, status = "rate_limited", 429
    default_message = _("Too many requests; wait a moment.")


class Unavailable(DomainError):
    """The database or the live relay cannot be reached for a moment; nothing was changed."""

    code, status = "unavailable", 503
    default_message = _("The service is temporarily unavailable; nothing was changed. Try again in a moment.")

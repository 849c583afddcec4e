"""The live room's own refusals, with their codes in the live protocol (docs/protocol.md).

They are `DomainError`s like every other app's (`workshop_site.core.errors`), so each door
translates them in its one place: the API's exception handler, the consumer's error frame,
the pages' `live_workshop_view` decorator. Nothing has changed when one is raised.
"""

from django.utils.translation import gettext_lazy as _

from workshop_site.core.errors import Conflict, DomainError, Forbidden


class NotJoined(DomainError):
    code, status = "not_joined", 403
    default_message = _("Join the workshop first.")


class PhaseClosed(DomainError):
    code, status = "phase_closed", 409
    default_message = _("The workshop is not in a stage that allows this.")


class NoDotsLeft(DomainError):
    code, status = "no_dots_left", 409
    default_message = _("You have no dots left.")


class FacilitatorOnly(Forbidden):
    default_message = _("Only a facilitator may do this.")


class AlreadyJoined(Conflict):
    """The API's join from a browser that is already a participant of the workshop. The
    code stays `invalid`, as clients of the API have always seen it."""

    code = "invalid"
    default_message = _("This browser has already joined this workshop.")

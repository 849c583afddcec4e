"""Failed join-code lookups are limited per client address (code guessing); successful joins
never are, so a hall of 200 people behind one address joins within a minute."""

from django.utils.translation import gettext as _

from workshop_site.core.errors import NotFound, RateLimited
from workshop_site.core.ratelimit import Limiter, named
from workshop_site.workshops.models import WorkshopPage


class LookupsBlocked(RateLimited):
    """Too many unknown codes from this address: the pages answer with the join form."""

    default_message = _("Too many unknown codes; wait a minute.")


def failed_lookups() -> Limiter:
    """`join_failed_ip` in settings.ATELIER_RATE_LIMITS."""
    return named("join_failed_ip")


def lookups_blocked(address: str | None) -> bool:
    return failed_lookups().blocked(address)


def lookup_failed(address: str | None) -> None:
    failed_lookups().hit(address)


def retry_after_seconds() -> int:
    return failed_lookups().window_seconds


def workshop_for_code(code: str, address: str | None) -> WorkshopPage:
    """The live workshop for `code`, for every HTTP door (pages and API). An unknown code
    counts towards the address's guessing limit; past it, even known codes are refused."""
    if lookups_blocked(address):
        raise LookupsBlocked()
    workshop = WorkshopPage.find_by_code(code)
    if workshop is None:
        lookup_failed(address)
        raise NotFound(_("No workshop has this code."))
    return workshop

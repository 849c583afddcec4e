"""Failed join-code lookups are limited per client address (code guessing); successful joins
never are, so a hall of 200 people behind one address joins within a minute."""

from workshop_site.core.ratelimit import Limiter, named


def failed_lookups() -> Limiter:
    """`join_failed_ip` in settings.ATELIER_RATE_LIMITS."""
    return named("join_failed_ip")


def lookups_blocked(address: str | None) -> bool:
    return failed_lookups().blocked(address)


def lookup_failed(address: str | None) -> None:
    failed_lookups().hit(address)


def retry_after_seconds() -> int:
    return failed_lookups().window_seconds

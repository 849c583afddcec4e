"""Failed join-code lookups are limited per client address (code guessing); successful joins
never are, so a hall of 200 people behind one address joins within a minute."""

from workshop_site.core.ratelimit import Limiter

FAILED_LOOKUPS_PER_WINDOW = 20
WINDOW_SECONDS = 60
failed_lookups = Limiter("join-fail", FAILED_LOOKUPS_PER_WINDOW, WINDOW_SECONDS)


def lookups_blocked(address: str | None) -> bool:
    return failed_lookups.blocked(address)


def lookup_failed(address: str | None) -> None:
    failed_lookups.hit(address)

"""Failed join-code lookups are limited per client address (code guessing); successful joins
never are, so a hall of 200 people behind one address joins within a minute."""

from django.core.cache import cache

FAILED_LOOKUPS_PER_WINDOW = 20
WINDOW_SECONDS = 60


def _key(address: str | None) -> str:
    return f"atelier:join-fail:{address or 'unknown'}"


def lookups_blocked(address: str | None) -> bool:
    return (cache.get(_key(address)) or 0) >= FAILED_LOOKUPS_PER_WINDOW


def lookup_failed(address: str | None) -> None:
    key = _key(address)
    if not cache.add(key, 1, WINDOW_SECONDS):
        try:
            cache.incr(key)
        except ValueError:  # expired between add and incr
            cache.add(key, 1, WINDOW_SECONDS)

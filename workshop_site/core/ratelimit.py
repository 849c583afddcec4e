"""Counting requests per key in the cache (Redis when there are several processes, so every
process counts together): the one limiter of every door.

The limits are named in `settings.ATELIER_RATE_LIMITS` (COUNT/SECONDS, overridable from the
environment). HTTP requests are counted by `core.middleware.RateLimitMiddleware`, live socket
messages by `socket_message_allowed`, both per session and per client address (`client_ip`);
failed join codes, failed admin logins and anonymous feedback have limits of their own.
If the cache is unreachable (Redis down), requests are let through: pages keep serving.
"""

import logging
from dataclasses import dataclass

from asgiref.sync import sync_to_async
from django.conf import settings
from django.core.cache import cache
from redis.exceptions import RedisError  # installed with channels_redis

from .client_ip import request_client_ip, scope_client_ip

logger = logging.getLogger(__name__)
# What an unreachable cache raises (Redis stopped, a cut connection, a timeout).
CACHE_ERRORS = (OSError, RedisError)


@dataclass(frozen=True)
class Limiter:
    name: str
    limit: int
    window_seconds: int

    def _key(self, who: str | None) -> str:
        return f"atelier:rl:{self.name}:{who or 'unknown'}"

    def count(self, who: str | None) -> int:
        try:
            return cache.get(self._key(who)) or 0
        except CACHE_ERRORS:  # the cache is down: limiting waits, serving does not
            logger.warning("Rate limit %s not checked: the cache is unreachable.", self.name)
            return 0

    def blocked(self, who: str | None) -> bool:
        return self.count(who) >= self.limit

    def hit(self, who: str | None) -> int:
        """Count one more; returns the count in the current window (0 if it cannot be counted)."""
        try:
            return self._hit(who)
        except CACHE_ERRORS:  # the cache is down: limiting waits, serving does not
            logger.warning("Rate limit %s not counted: the cache is unreachable.", self.name)
            return 0

    def over(self, who: str | None) -> bool:
        """Count one more; True when that one is past the limit."""
        return self.hit(who) > self.limit

    def _hit(self, who: str | None) -> int:
        key = self._key(who)
        if cache.add(key, 1, self.window_seconds):
            return 1
        try:
            return cache.incr(key)
        except ValueError:  # expired between add and incr
            cache.add(key, 1, self.window_seconds)
            return 1


def named(name: str) -> Limiter:
    """The limit called `name` in settings.ATELIER_RATE_LIMITS."""
    limit, window_seconds = settings.ATELIER_RATE_LIMITS[name]
    return Limiter(name, limit, window_seconds)


def first_exceeded(counts: list[tuple[str, str | None]]) -> Limiter | None:
    """Count one more under each (limit name, key); the first limit now past, else None.
    A missing session key is not counted (the address still is)."""
    exceeded = None
    for name, key in counts:
        if key is None and name.endswith("_session"):
            continue
        limiter = named(name)
        if limiter.over(key) and exceeded is None:
            exceeded = limiter
    return exceeded


def request_exceeded(request) -> Limiter | None:
    """An HTTP request, per session and per address."""
    session = getattr(request, "session", None)
    return first_exceeded([
        ("http_session", getattr(session, "session_key", None)),
        ("http_ip", request_client_ip(request)),
    ])


async def socket_message_allowed(scope) -> bool:
    """A message on a live socket, per session and per address (the same limiter as HTTP)."""
    session = scope.get("session")
    counts = [
        ("socket_message_session", getattr(session, "session_key", None) if session is not None else None),
        ("socket_message_ip", scope_client_ip(scope)),
    ]
    if settings.CACHES["default"]["BACKEND"].endswith("LocMemCache"):
        return first_exceeded(counts) is None  # in-process: no I/O to wait for
    # A network cache is asked from a worker thread, so the event loop never waits on it.
    return await sync_to_async(first_exceeded, thread_sensitive=False)(counts) is None

"""Counting requests per key in the cache (Redis when there are several processes, so every
process counts together). Used for failed join codes and anonymous feedback."""

from dataclasses import dataclass

from django.core.cache import cache


@dataclass(frozen=True)
class Limiter:
    name: str
    limit: int
    window_seconds: int

    def _key(self, who: str | None) -> str:
        return f"atelier:rl:{self.name}:{who or 'unknown'}"

    def count(self, who: str | None) -> int:
        return cache.get(self._key(who)) or 0

    def blocked(self, who: str | None) -> bool:
        return self.count(who) >= self.limit

    def hit(self, who: str | None) -> int:
        """Count one more; returns the count in the current window."""
        key = self._key(who)
        if cache.add(key, 1, self.window_seconds):
            return 1
        try:
            return cache.incr(key)
        except ValueError:  # expired between add and incr
            cache.add(key, 1, self.window_seconds)
            return 1

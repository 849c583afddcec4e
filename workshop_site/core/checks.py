"""Start-up checks of the live infrastructure, with one clear line instead of a traceback storm.

`manage.py check` (and runserver) run them as Django system checks; asgi.py runs
`report_channel_layer()` once when daphne loads the application.
"""

import logging
import os
from urllib.parse import urlsplit

from django.conf import settings
from django.core import checks

logger = logging.getLogger("atelier.startup")


def redis_url() -> str | None:
    return os.environ.get("REDIS_URL", "").strip() or None


def redis_unreachable_reason(url: str, timeout: float = 2.0) -> str | None:
    """Why Redis at `url` does not answer a PING, or None when it does."""
    import redis

    try:
        client = redis.Redis.from_url(url, socket_connect_timeout=timeout, socket_timeout=timeout)
        try:
            client.ping()
        finally:
            client.close()
    except (redis.RedisError, OSError, ValueError) as exc:
        return str(exc) or exc.__class__.__name__
    return None


def _safe_url(url: str) -> str:
    """The URL without its password, for logs."""
    parts = urlsplit(url)
    if parts.password:
        netloc = parts.netloc.replace(f":{parts.password}@", ":***@")
        return parts._replace(netloc=netloc).geturl()
    return url


@checks.register("atelier")
def check_channel_layer(app_configs=None, **kwargs):
    url = redis_url()
    backend = settings.CHANNEL_LAYERS["default"]["BACKEND"]
    if not url or "Redis" not in backend:
        return []
    reason = redis_unreachable_reason(url)
    if reason is None:
        return []
    return [
        checks.Error(
            f"Redis at REDIS_URL={_safe_url(url)} is unreachable: {reason}",
            hint="Start Redis (see README, 'Scale-out') or unset REDIS_URL for the "
            "one-process in-memory channel layer.",
            id="atelier.E001",
        )
    ]


def report_channel_layer() -> bool:
    """Log which channel layer serves live workshops; one error line if Redis is down."""
    url = redis_url()
    if not url:
        logger.info("Live workshops use the in-memory channel layer (one process).")
        return claim_in_memory_layer()
    reason = redis_unreachable_reason(url)
    if reason is None:
        logger.info("Live workshops use Redis at %s.", _safe_url(url))
        return True
    logger.error(
        "Redis at REDIS_URL=%s is unreachable (%s): pages still serve, live voting will "
        "fail until Redis is back.",
        _safe_url(url),
        reason,
    )
    return False


_claim = None  # the open lock file, held for the life of the process


def claim_in_memory_layer() -> bool:
    """The in-memory channel layer lives inside one process: a second server process on the
    same database would take votes whose broadcasts never reach the first one's sockets.
    Each server process on it takes an exclusive lock named after its database (in VAR_DIR);
    one that finds the lock taken logs an error at start. (Per machine: processes on other
    machines need Redis anyway.)"""
    import fcntl
    import hashlib

    global _claim
    if _claim is not None:
        return True
    database = settings.DATABASES["default"]
    identity = "|".join(str(database.get(k, "")) for k in ("ENGINE", "HOST", "PORT", "NAME"))
    path = settings.VAR_DIR / f"live-in-memory-{hashlib.sha256(identity.encode()).hexdigest()[:16]}.lock"
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        handle = open(path, "a+")  # held open: the lock lasts as long as the process
    except OSError:
        return True  # no place for the lock: nothing to compare with
    try:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        handle.seek(0)
        other = handle.read().strip() or "?"
        handle.close()
        logger.error(
            "Another process (pid %s) already serves live workshops of this database on the "
            "in-memory channel layer: votes cast through one process never reach the sockets "
            "of the other. Run a single daphne process, or set REDIS_URL to run several "
            "(see docs/operations.md, 'Faults').",
            other,
        )
        return False
    handle.seek(0)
    handle.truncate()
    handle.write(str(os.getpid()))
    handle.flush()
    _claim = handle
    return True

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
        return True
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

"""Reading configuration from the environment, with errors that name the variable.

Kept apart from the settings modules so the parsing rules (and their error messages)
are tested directly, without reloading Django settings.
"""

import os
from pathlib import Path
from urllib.parse import urlsplit

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

TRUE_VALUES = {"1", "true", "yes", "on"}
FALSE_VALUES = {"0", "false", "no", "off", ""}


def env_bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None:
        return default
    value = raw.strip().lower()
    if value in TRUE_VALUES:
        return True
    if value in FALSE_VALUES:
        return False
    raise ImproperlyConfigured(f"{name}={raw!r} is not a boolean: use 1/0, true/false, yes/no or on/off.")


def env_required(name: str) -> str:
    value = os.environ.get(name, "").strip()
    if not value:
        raise ImproperlyConfigured(f"{name} must be set in production (see README, 'Configuration').")
    return value


def env_list(name: str, default: list[str]) -> list[str]:
    raw = os.environ.get(name)
    if raw is None:
        return default
    return [item.strip() for item in raw.split(",") if item.strip()]


def sqlite_database(path: Path) -> dict:
    """The embedded default: one SQLite file, tuned so concurrent voters wait instead of failing.

    WAL lets readers run beside the writer; IMMEDIATE makes every transaction take the write
    lock at BEGIN, so two writers queue on the busy timeout instead of one of them failing
    with "database is locked" when it upgrades a read lock (select_for_update is a no-op here).
    Connections persist: opening one (and running the PRAGMAs) cost ~3 ms per live message,
    measured in bench/RESULTS.md, more than the vote itself.
    """
    return {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": str(path),
        "CONN_MAX_AGE": None,
        "OPTIONS": {
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        },
    }


def database_from_env(default_sqlite_path: Path) -> dict:
    """`DATABASE_URL` when set (PostgreSQL or SQLite), else the SQLite file under var/."""
    url = os.environ.get("DATABASE_URL", "").strip()
    if not url:
        return sqlite_database(default_sqlite_path)
    scheme = urlsplit(url).scheme
    try:
        config = dj_database_url.parse(url, conn_max_age=60, conn_health_checks=True)
    except Exception as exc:
        raise ImproperlyConfigured(
            f"DATABASE_URL could not be parsed ({exc}). "
            "Expected e.g. postgres://user:password@127.0.0.1:5432/atelier or sqlite:////path/db.sqlite3"
        ) from exc
    engine = config.get("ENGINE", "")
    if engine == "django.db.backends.sqlite3":
        if not config.get("NAME") or config["NAME"] == ":memory:":
            raise ImproperlyConfigured("DATABASE_URL names SQLite without a file path.")
        return sqlite_database(Path(config["NAME"]))
    if engine not in {"django.db.backends.postgresql"}:
        raise ImproperlyConfigured(
            f"DATABASE_URL uses {scheme!r}; Atelier runs on SQLite (embedded) or PostgreSQL (scale-out)."
        )
    if not config.get("NAME"):
        raise ImproperlyConfigured("DATABASE_URL names no database (postgres://…/<name>).")
    return config


def channel_layers_from_env() -> dict:
    """channels_redis when `REDIS_URL` is set (several daphne processes), else in-memory (one)."""
    url = os.environ.get("REDIS_URL", "").strip()
    if not url:
        return {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}
    if urlsplit(url).scheme not in {"redis", "rediss", "unix"}:
        raise ImproperlyConfigured(f"REDIS_URL={url!r} is not a redis:// URL.")
    return {
        "default": {
            "BACKEND": "channels_redis.core.RedisChannelLayer",
            "CONFIG": {
                "hosts": [{"address": url, "max_connections": 50, "socket_connect_timeout": 3,
                           # Above channels_redis's 5 s BZPOPMIN (redis-py 8 defaults to 5 s,
                           # which turns every idle receive into a timeout error).
                           "socket_timeout": 10}],
                # Room relays get few, large messages; the default of 100 drops silently.
                "capacity": 1500,
                "expiry": 30,
                "prefix": os.environ.get("CHANNELS_PREFIX", "atelier"),
            },
        }
    }


def cache_from_env() -> dict:
    """A cache shared by every process when Redis is there (rate limits need one)."""
    url = os.environ.get("REDIS_URL", "").strip()
    if not url:
        return {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    return {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": url,
            "KEY_PREFIX": os.environ.get("CHANNELS_PREFIX", "atelier"),
            "OPTIONS": {"socket_connect_timeout": 3, "socket_timeout": 3},
        }
    }


def parse_rate(name: str, value: str) -> tuple[int, int]:
    """`"30/3"`: at most 30 per 3-second window (both whole numbers above zero)."""
    count, _slash, seconds = value.partition("/")
    try:
        parsed = (int(count), int(seconds))
    except ValueError:
        parsed = (0, 0)
    if parsed[0] < 1 or parsed[1] < 1:
        raise ImproperlyConfigured(
            f"Rate limit {name}={value!r} is not COUNT/SECONDS (e.g. {name}=30/3)."
        )
    return parsed


def env_rate_limits(name: str, defaults: dict[str, str]) -> dict[str, tuple[int, int]]:
    """The named limits, each `COUNT/SECONDS`; the variable overrides some of them:
    `ATELIER_RATE_LIMITS="socket_message_ip=2000/3,login_failed_ip=50/900"`."""
    limits = {key: parse_rate(key, value) for key, value in defaults.items()}
    for item in env_list(name, []):
        key, equals, value = item.partition("=")
        key = key.strip()
        if not equals or key not in defaults:
            raise ImproperlyConfigured(
                f"{name}: {item!r} names no known limit; the limits are {', '.join(sorted(defaults))}."
            )
        limits[key] = parse_rate(key, value.strip())
    return limits

"""Tests: fast hashing, a file-backed SQLite test database (the live daphne server of the
browser tests runs in another process and must see it), and whatever DATABASE_URL /
REDIS_URL say, so `.ci/run` repeats the suite on PostgreSQL + Redis."""

import os
from urllib.parse import urlsplit, urlunsplit

# Parallel test processes (pytest-xdist's gw0, gw1, ...) each have their own test database, and
# each gets its own Redis database too (the next numbers after REDIS_URL's): a test's
# `cache.clear()` flushes its whole Redis database, channel groups included, and must not empty
# another process's in the middle of a test. Set before the settings read it, so this process's
# checks and the servers it starts use the same one.
_WORKER = os.environ.get("PYTEST_XDIST_WORKER", "")
if _WORKER.startswith("gw") and os.environ.get("REDIS_URL", "").strip():
    _url = urlsplit(os.environ["REDIS_URL"].strip())
    _base = int(_url.path.strip("/") or 0)
    os.environ["REDIS_URL"] = urlunsplit(_url._replace(path=f"/{(_base + 1 + int(_WORKER[2:])) % 16}"))

from .base import *  # noqa: E402

DEBUG = False
VAR_DIR.mkdir(parents=True, exist_ok=True)  # the SQLite file and media live here
SECRET_KEY = "test-secret-key-only-for-the-test-suite-0123456789abcdef"
ALLOWED_HOSTS = ["testserver", "localhost", "127.0.0.1"]
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
MEDIA_ROOT = VAR_DIR / "test-media"
SERVE_MEDIA = True  # the browser tests' live server shows the uploaded pictures
WAGTAILADMIN_BASE_URL = "http://testserver"
# Static files come from the finders; no collectstatic before the tests.
WHITENOISE_AUTOREFRESH = True

if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["TEST"] = {"NAME": str(VAR_DIR / "test-atelier.sqlite3")}
if CACHES["default"]["BACKEND"].endswith("RedisCache"):
    # Keep test keys apart from a running demo's.
    CACHES["default"]["KEY_PREFIX"] = "atelier-test"

LOGGING["root"]["level"] = "WARNING"

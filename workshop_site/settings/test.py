"""Tests: fast hashing, a file-backed SQLite test database (the live daphne server of the
browser tests runs in another process and must see it), and whatever DATABASE_URL /
REDIS_URL say, so `.ci/run` repeats the suite on PostgreSQL + Redis."""

import os

from .base import *

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
# Parallel test processes (pytest-xdist's gw0, gw1, ...) each have their own database, so each
# gets its own keys and channel groups on a shared Redis too: room 1 of one process is not
# room 1 of the other, and one's rate limits are not the other's.
_WORKER = os.environ.get("PYTEST_XDIST_WORKER", "")
if CACHES["default"]["BACKEND"].endswith("RedisCache"):
    # Keep test keys apart from a running demo's.
    CACHES["default"]["KEY_PREFIX"] = f"atelier-test{_WORKER}"
if "CONFIG" in CHANNEL_LAYERS["default"] and _WORKER:
    CHANNEL_LAYERS["default"]["CONFIG"]["prefix"] += f"-{_WORKER}"

LOGGING["root"]["level"] = "WARNING"

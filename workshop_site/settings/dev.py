"""Development: `make run`. Debug on, a fixed dev secret, loopback hosts only (never "*":
the WebSocket origin check trusts whatever ALLOWED_HOSTS trusts)."""

from .base import *
from .env import env_bool, env_list

DEBUG = env_bool("DJANGO_DEBUG", True)
VAR_DIR.mkdir(parents=True, exist_ok=True)  # the SQLite file and media live here
SECRET_KEY = SECRET_KEY or "dev-only-secret-not-for-production-7f3a9c2e4b1d8e6f0a5c"
ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]"])
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS", [])
EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
WHITENOISE_AUTOREFRESH = True

try:
    from .local import *
except ImportError:
    pass

"""Settings shared by every environment; each value that differs per deployment comes from
the environment as README 'Configuration' describes (see env.py for the parsing rules)."""

import os
from pathlib import Path

from django.utils.translation import gettext_lazy as _

from .env import (
    cache_from_env,
    channel_layers_from_env,
    database_from_env,
    env_bool,
    env_list,
    env_rate_limits,
)

BASE_DIR = Path(__file__).resolve().parent.parent.parent
VAR_DIR = Path(os.environ.get("ATELIER_VAR_DIR", BASE_DIR / "var"))

DEBUG = env_bool("DJANGO_DEBUG", False)
SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "")
ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", [])

INSTALLED_APPS = [
    # daphne first, so `runserver` serves ASGI (WebSockets included).
    "daphne",
    "workshop_site.core",
    "workshop_site.users",
    "workshop_site.home",
    "workshop_site.offices",
    "workshop_site.workshops",
    "ideas",
    "prototypes",
    "feedback",
    "plans",
    # The composition root's commands: the demo's order, workshop export and import.
    "workshop_site.composition",
    "wagtail.contrib.simple_translation",
    "wagtail.locales",
    "wagtail.contrib.forms",
    "wagtail.contrib.redirects",
    "wagtail.contrib.settings",
    "wagtail.embeds",
    "wagtail.sites",
    "wagtail.users",
    "wagtail.snippets",
    "wagtail.documents",
    "wagtail.images",
    "wagtail.search",
    "wagtail.admin",
    "wagtail",
    "modelcluster",
    "taggit",
    "channels",
    # /api/docs: django-ninja's Swagger UI from our own static files (the CSP allows no CDN).
    "ninja",
    "rules.apps.AutodiscoverRulesConfig",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "workshop_site.core.middleware.AtelierLocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "workshop_site.core.api.api_json_errors",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "workshop_site.core.middleware.RateLimitMiddleware",
    "workshop_site.users.middleware.remember_login_device",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "wagtail.contrib.redirects.middleware.RedirectMiddleware",
]

ROOT_URLCONF = "workshop_site.urls"
ASGI_APPLICATION = "workshop_site.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.debug",
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "wagtail.contrib.settings.context_processors.settings",
            ],
        },
    },
]

DATABASES = {"default": database_from_env(VAR_DIR / "atelier.sqlite3")}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

CHANNEL_LAYERS = channel_layers_from_env()
CACHES = cache_from_env()

AUTH_USER_MODEL = "users.User"
AUTHENTICATION_BACKENDS = [
    # Object-level rules (who may edit which office's things) answer first...
    "rules.permissions.ObjectPermissionBackend",
    # ...model-level permissions of groups (Wagtail admin access, snippets) after.
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "wagtailadmin_login"

# Romanian first; Russian and English beside it.
LANGUAGE_CODE = "ro"
LANGUAGES = [
    ("ro", _("Romanian")),
    ("ru", _("Russian")),
    ("en", _("English")),
]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Europe/Chisinau"
USE_I18N = True
USE_TZ = True
WAGTAILADMIN_PERMITTED_LANGUAGES = [
    ("ro", "Română"),
    ("ru", "Русский"),
    ("en", "English"),
]
# Page content (offices, workshops) is translated with Wagtail's own localisation: a
# translation is a page of its own under /ru/… or /en/…; facts stay on the Romanian page
# (see workshop_site/core/i18n.py).
WAGTAIL_I18N_ENABLED = True
WAGTAIL_CONTENT_LANGUAGES = LANGUAGES
LANGUAGE_COOKIE_NAME = "atelier_language"
LANGUAGE_COOKIE_SAMESITE = "Lax"

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", VAR_DIR / "media"))
# Django serves MEDIA_ROOT itself only in development and tests; production's proxy does it.
SERVE_MEDIA = False
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

# Database sessions without the `exists` query before each new one (workshop_site/core/sessions.py).
SESSION_ENGINE = "workshop_site.core.sessions"
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_HTTPONLY = True
# Participants join without an account; a workshop cycle lasts weeks, not hours.
SESSION_COOKIE_AGE = 60 * 60 * 24 * 60
X_FRAME_OPTIONS = "DENY"
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CONTENT_TYPE_NOSNIFF = True

# The addresses of the reverse proxies in front of daphne (IPs or CIDRs). Only a request that
# comes from one of them has its X-Forwarded-For believed (the rightmost address that is not
# a trusted proxy is the client); otherwise the client is the connection's own address.
ATELIER_TRUSTED_PROXIES = env_list("ATELIER_TRUSTED_PROXIES", [])

# One limiter for every door (workshop_site/core/ratelimit.py): COUNT/SECONDS per fixed
# window, counted in the shared cache. Override any of them with ATELIER_RATE_LIMITS
# (see docs/operations.md). Sized for a hall of 2,000 people behind one address.
ATELIER_RATE_LIMITS = env_rate_limits("ATELIER_RATE_LIMITS", {
    # Every HTTP request that reaches Django (static files are served before).
    "http_session": "120/10",
    # A village hall's phones often share one address (the hall's Wi-Fi or a mobile NAT):
    # 2,000 people joining within 20 s make ~4 requests each.
    "http_ip": "6000/10",
    # Every message on a live socket: a burst of 30, about 10 a second.
    "socket_message_session": "30/3",
    # The same hall voting in a burst (bench/: ~450 votes/s at the peak) stays under this.
    "socket_message_ip": "3000/3",
    # Guessing: unknown join codes, failed admin logins (no permanent lockout).
    "join_failed_ip": "20/60",
    "login_failed_username": "10/900",
    "login_failed_ip": "30/900",
    # Anonymous writes of play mode.
    "feedback_session": "30/600",
    "feedback_ip": "300/600",
    "taps_session": "1500/600",
})

# Public pages get a strict policy; Wagtail's admin still uses inline scripts and styles.
CONTENT_SECURITY_POLICY = {
    "EXCLUDE_URL_PREFIXES": ["/admin/", "/django-admin/"],
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'none'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
    },
}

# Wagtail
WAGTAIL_SITE_NAME = "Atelier"
WAGTAILADMIN_BASE_URL = os.environ.get("WAGTAILADMIN_BASE_URL", "http://127.0.0.1:8000")
WAGTAILSEARCH_BACKENDS = {"default": {"BACKEND": "wagtail.search.backends.database"}}
WAGTAILIMAGES_EXTENSIONS = ["png", "jpg", "jpeg", "webp"]
WAGTAILIMAGES_MAX_UPLOAD_SIZE = 10 * 1024 * 1024
WAGTAILIMAGES_MAX_IMAGE_PIXELS = 40_000_000
# Decodes every upload in full (a damaged file is a form error) and strips EXIF/XMP (GPS).
WAGTAILIMAGES_IMAGE_FORM_BASE = "workshop_site.core.images.AtelierImageForm"
WAGTAILDOCS_EXTENSIONS = ["pdf", "docx", "xlsx", "odt", "ods", "csv", "txt"]
WAGTAIL_ENABLE_UPDATE_CHECK = False
# Failed logins are limited per user name and per address (Django does not throttle them).
WAGTAILADMIN_USER_LOGIN_FORM = "workshop_site.users.forms.LimitedLoginForm"
# No third-party requests from the admin (avatars would otherwise come from Gravatar).
WAGTAIL_GRAVATAR_PROVIDER_URL = None
WAGTAIL_ALLOW_UNICODE_SLUGS = False
TAGGIT_CASE_INSENSITIVE = True

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    "filters": {
        "require_debug_false": {"()": "django.utils.log.RequireDebugFalse"},
        # A 4xx answer (a 403, a 404, a bad Host) is one line, without the traceback of the
        # exception that refused it; a 500 keeps its traceback.
        "refusals_without_traceback": {"()": "workshop_site.core.log.RefusalsWithoutTraceback"},
    },
    "handlers": {
        "console": {"class": "logging.StreamHandler", "formatter": "plain", "filters": ["refusals_without_traceback"]},
        # Django's own: mails server errors to ADMINS, when any are set.
        "mail_admins": {"class": "django.utils.log.AdminEmailHandler", "level": "ERROR",
                        "filters": ["require_debug_false"]},
    },
    "root": {"handlers": ["console"], "level": "INFO"},
    "loggers": {
        # Django's default logging gives `django` a console handler of its own (with DEBUG on),
        # besides the root's it propagates to: every warning was printed twice. The root's only.
        "django": {"handlers": ["mail_admins"], "level": "INFO"},
        "django.channels.server": {"level": "WARNING"},
        "daphne": {"level": "WARNING"},
        # One line per background task and page save drowns what matters in `make run`.
        "django_tasks": {"level": "WARNING"},
        "wagtail": {"level": "WARNING"},
    },
}

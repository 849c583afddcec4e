"""The one django-ninja API of Atelier (`/api/`): each app adds its router in urls.py.

Writes are protected by the session's CSRF token whether or not the caller is logged in:
anonymous participants write too (joining, posting feedback), and ninja checks CSRF only
for cookie-authenticated calls. Every error is JSON `{"code", "message"}` with a 4xx status.
"""

from django.conf import settings
from django.db import connection
from django.http import Http404, JsonResponse
from django.utils.translation import gettext as _
from ninja import NinjaAPI, Router, Schema
from ninja.errors import AuthenticationError, HttpError, ValidationError
from ninja.security import APIKeyCookie

from .errors import DomainError


class ApiError(Exception):
    """A refusal to send back as `{"code", "message"}` with `status`."""

    def __init__(self, code: str, message: str, status: int = 400):
        super().__init__(message)
        self.code, self.message, self.status = code, message, status


class SessionWithCsrf(APIKeyCookie):
    """The Django session as identity (user or anonymous participant), CSRF checked on writes."""

    param_name = settings.SESSION_COOKIE_NAME

    def authenticate(self, request, key):
        # Anonymous callers are allowed through; each endpoint asks the rules what they may do.
        return request.user


api = NinjaAPI(
    title="Atelier API",
    version="1",
    description="Workshops, live results, prototypes, feedback and action plans.",
    urls_namespace="api",
    auth=SessionWithCsrf(),
)


def error_response(request, code: str, message: str, status: int):
    return api.create_response(request, {"code": code, "message": message}, status=status)


@api.exception_handler(ApiError)
def on_api_error(request, exc: ApiError):
    return error_response(request, exc.code, exc.message, exc.status)


@api.exception_handler(DomainError)
def on_domain_error(request, exc: DomainError):
    return error_response(request, exc.code, exc.message, exc.status)


@api.exception_handler(ValidationError)
def on_validation_error(request, exc: ValidationError):
    details = "; ".join(
        f"{'.'.join(str(p) for p in err.get('loc', [])[1:]) or 'body'}: {err.get('msg', '')}"
        for err in exc.errors
    )
    return error_response(request, "invalid", details or _("The request is not valid."), 400)


@api.exception_handler(AuthenticationError)
def on_authentication_error(request, exc):
    return error_response(request, "forbidden", _("Not allowed."), 403)


@api.exception_handler(HttpError)
def on_http_error(request, exc: HttpError):
    code = "forbidden" if exc.status_code == 403 else "invalid"
    if "CSRF" in str(exc):
        return error_response(request, "csrf_failed", _("The CSRF token is missing or wrong."), 403)
    return error_response(request, code, str(exc), exc.status_code)


@api.exception_handler(Http404)
def on_not_found(request, exc):
    return error_response(request, "not_found", _("Not found."), 404)


class HealthOut(Schema):
    status: str
    database: str
    channel_layer: str


health_router = Router(tags=["health"])


@health_router.get("/health", response=HealthOut, auth=None)
def health(request):
    """Liveness for load balancers: answers without touching Redis."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return {
        "status": "ok",
        "database": connection.vendor,
        "channel_layer": settings.CHANNEL_LAYERS["default"]["BACKEND"].rsplit(".", 1)[-1],
    }


api.add_router("", health_router)


def api_not_found(request, rest: str):
    """Unknown paths under /api/ answer in the API's own error format, not an HTML page."""
    return JsonResponse({"code": "not_found", "message": _("No such API endpoint.")}, status=404)

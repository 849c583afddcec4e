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


@api.exception_handler(DomainError)
def on_domain_error(request, exc: DomainError):
    """The one place the API turns a service's refusal into its answer."""
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


API_ERROR_CODES = {400: "invalid", 403: "forbidden", 404: "not_found", 405: "method_not_allowed",
                   413: "too_large", 429: "rate_limited"}


def api_json_errors(get_response):
    """Middleware: refusals made before the API's exception handlers run come back as HTML
    from Django (a body Django cannot parse, e.g. multipart without a boundary; 405 from
    django-ninja for a method a path does not have). Under /api/ they get the API's JSON shape."""

    def middleware(request):
        response = get_response(request)
        if (
            400 <= response.status_code < 500
            and request.path.startswith("/api/")
            and not response.get("Content-Type", "").startswith("application/json")
        ):
            status = response.status_code
            allowed = response.get("Allow")
            if status == 405:
                message = _("This endpoint does not answer to %(method)s. Allowed: %(allowed)s.") % {
                    "method": request.method, "allowed": allowed or "",
                }
            else:
                message = _("The request could not be read or is not allowed.")
            response = JsonResponse({"code": API_ERROR_CODES.get(status, "invalid"), "message": message}, status=status)
            if allowed:
                response["Allow"] = allowed
        return response

    return middleware


def api_not_found(request, rest: str):
    """Unknown paths under /api/ answer in the API's own error format, not an HTML page."""
    return JsonResponse({"code": "not_found", "message": _("No such API endpoint.")}, status=404)

"""The one django-ninja API of Atelier (`/api/`): each app adds its router in urls.py.

Identity is the Django session: a logged-in user, or an anonymous participant kept in it.
Every write carries the session's CSRF token in `X-CSRFToken` (the `csrftoken` cookie's
value), logged in or not: anonymous participants write too (joining, posting feedback), so the
check cannot hang on a session cookie as ninja's own cookie auth does. The schema at
`/api/openapi.json` says so per operation: security `csrf` on the writes anyone may make,
`session` + `csrf` on those only a logged-in staff user may make (`session` alone on their
reads), none on the reads anyone may make. Every error is JSON `{"code", "message"}` with a 4xx status, or 503
while the database cannot be reached; the schema lists them (docs/protocol.md, "HTTP mirrors").
"""

import logging
import unicodedata
from typing import Annotated, Any, Literal

from django.conf import settings
from django.core.exceptions import BadRequest, RequestDataTooBig, SuspiciousOperation
from django.db import connection
from django.http import Http404, JsonResponse, RawPostDataException, UnreadablePostError
from django.http.multipartparser import MultiPartParserError
from django.utils.translation import gettext as _
from ninja import NinjaAPI, Router
from ninja.errors import AuthenticationError, HttpError, ValidationError
from ninja.security import APIKeyCookie, APIKeyHeader
from ninja.utils import check_csrf
from pydantic import BaseModel, BeforeValidator, ConfigDict, Field

from .errors import DomainError
from .views import RETRY_AFTER_SECONDS

logger = logging.getLogger(__name__)

# Every `code` an error may carry, on the API and on the live socket (docs/protocol.md).
ERROR_CODES = (
    "invalid", "invalid_json", "too_large", "unknown_type", "csrf_failed", "forbidden", "not_joined",
    "not_found", "method_not_allowed", "conflict", "phase_closed", "no_dots_left", "rate_limited",
    "unavailable",
)
# Seconds a client should wait after a 429 whose limiter did not say (the limits' windows are
# 10 s to 15 min).
RETRY_AFTER_DEFAULT = 60


# --- schemas: what goes in and out -------------------------------------------------------------

class In(BaseModel):
    """A request body, checked as its schema says: strict types (no "3" for 3, no true for 1),
    so what the schema calls valid is exactly what the API accepts."""

    model_config = ConfigDict(strict=True)


def _whole_number(value):
    """JSON's 3.0 is the integer 3 (JSON Schema says so too); 3.5, "3" and true stay refused."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def Int(**field: Any) -> Any:
    """A request body's integer (a plain `int` in a strict body would refuse 3.0), with its
    bounds (`ge`, `le`) given here so that the schema shows them."""
    return Annotated[int, Field(**field), BeforeValidator(_whole_number)]


class Out(BaseModel):
    """A response body: the documented fields; a field added later passes through unchanged."""

    model_config = ConfigDict(extra="allow")


class ErrorOut(BaseModel):
    """Every refusal: a stable `code` to act on and a `message` in the session's language."""

    model_config = ConfigDict(extra="forbid")

    code: Literal[ERROR_CODES]
    message: str = Field(min_length=1)


def errors(*statuses: int) -> dict[int, type[ErrorOut]]:
    """The refusals an operation may answer, for its `response=` (429 and 503 may answer any
    operation: every schema lists them, see `AtelierAPI`)."""
    return dict.fromkeys(statuses, ErrorOut)


def links(status: int, **targets: tuple[str, dict[str, str]]) -> dict:
    """`openapi_extra` of an operation whose answer leads to others (OpenAPI links): each
    target is (its operationId, its parameters as runtime expressions such as
    `$response.body#/id`). Clients and the fuzzer's stateful phase follow them."""
    return {"responses": {status: {"links": {
        name: {"operationId": operation_id, "parameters": parameters}
        for name, (operation_id, parameters) in targets.items()
    }}}}


def _visible_characters() -> str:
    """A regex class of characters that survive the services' text cleaning (no control or
    format character, no blank): the scripts people here write, digits, signs and symbols.
    Spelled as `\\uXXXX` ranges, which JSON Schema (ECMA-262), Python and Rust read alike."""
    blocks = [
        (0x0021, 0x007E), (0x00A1, 0x02FF), (0x0370, 0x03FF), (0x0400, 0x052F), (0x1E00, 0x1EFF),
        (0x2010, 0x2027), (0x2030, 0x205E), (0x20A0, 0x20C0), (0x2100, 0x214F), (0x2190, 0x23FF),
        (0x2500, 0x27BF), (0x4E00, 0x9FFF), (0xAC00, 0xD7A3),
    ]
    ranges: list[list[int]] = []
    for low, high in blocks:
        for point in range(low, high + 1):
            char = chr(point)
            if unicodedata.category(char).startswith("C") or char.isspace():
                continue
            if ranges and ranges[-1][1] == point - 1:
                ranges[-1][1] = point
            else:
                ranges.append([point, point])
    return "[" + "".join(f"\\u{a:04x}" if a == b else f"\\u{a:04x}-\\u{b:04x}" for a, b in ranges) + "]"


# At least one letter, digit or sign: a text that is not blank once cleaned (`pattern` matches
# anywhere in the string).
VISIBLE = _visible_characters()


def Text(max_length: int, **field: Any) -> Any:
    """A typed text of 1 to `max_length` characters with something visible in it."""
    return Annotated[str, Field(min_length=1, max_length=max_length, pattern=VISIBLE, **field)]


def Choice(values, **field: Any) -> Any:
    """An answer's choice field: documented as an enum, passed through as a string."""
    return Annotated[str, Field(json_schema_extra={"enum": list(values)}, **field)]


def omitted_unless_sent(schema: dict) -> None:
    """`json_schema_extra` of an optional field that may not be null: no `"default": null`."""
    schema.pop("default", None)


# --- who may call: the session, and its CSRF token on writes ----------------------------------

class CsrfToken(APIKeyHeader):
    """A write: the `csrftoken` cookie (every page and `GET /api/docs` set it) and its value in
    the `X-CSRFToken` header. Anyone may call; each endpoint asks the rules what they may do."""

    param_name = "X-CSRFToken"
    csrf = True  # ninja's docs page then adds the header to "Try it out"
    requirement = {"csrf": []}

    def _get_key(self, request):
        if check_csrf(request):
            raise HttpError(403, "CSRF check Failed")
        return request.headers.get(self.param_name)

    def authenticate(self, request, key):
        return request.user  # the anonymous user too: a participant is kept in the session


class SessionWithCsrf(CsrfToken):
    """A write only a logged-in user may make: the CSRF token as above, and the session of a
    logged-in user (anyone else gets 403 `forbidden` from the rules)."""

    requirement = {"session": [], "csrf": []}


class StaffSession(APIKeyCookie):
    """A read only a logged-in user may make: the session cookie (anyone else gets 403)."""

    param_name = settings.SESSION_COOKIE_NAME
    requirement = {"session": []}

    def __init__(self):
        super().__init__(csrf=False)

    def authenticate(self, request, key):
        return request.user


SECURITY_SCHEMES = {
    "session": {
        "type": "apiKey", "in": "cookie", "name": settings.SESSION_COOKIE_NAME,
        "description": "The session of a logged-in user (log in at /admin/login/).",
    },
    "csrf": {
        "type": "apiKey", "in": "header", "name": "X-CSRFToken",
        "description": f"The value of the `{settings.CSRF_COOKIE_NAME}` cookie, which every page "
                       "(and GET /api/docs) sets; needed on every write, logged in or not.",
    },
}
_REQUIREMENTS = {cls.__name__: cls.requirement for cls in (CsrfToken, SessionWithCsrf, StaffSession)}
_RETRY_AFTER = {"Retry-After": {
    "description": "Seconds to wait before trying again.", "required": True,
    "schema": {"type": "string", "pattern": "^[0-9]+$"},
}}


class AtelierAPI(NinjaAPI):
    def get_openapi_schema(self, *, path_prefix=None, path_params=None):
        """ninja's schema, with what it cannot say itself: a write's security is two things at
        once (the session and its CSRF token), and every operation may answer 429 (too many
        requests from here) or 503 (the database is unreachable), both with Retry-After."""
        schema = super().get_openapi_schema(path_prefix=path_prefix, path_params=path_params)
        error_ref = {"$ref": "#/components/schemas/ErrorOut"}
        schema["components"]["schemas"].setdefault("ErrorOut", ErrorOut.model_json_schema())
        for operations in schema["paths"].values():
            for operation in operations.values():
                if "security" in operation:
                    operation["security"] = [
                        _REQUIREMENTS.get(name, {name: scopes})
                        for requirement in operation["security"] for name, scopes in requirement.items()
                    ]
                responses = operation["responses"]
                if any(p.get("schema", {}).get("type") != "string" for p in operation.get("parameters", [])):
                    # A number in the path or the query that is no number.
                    responses.setdefault(400, {"description": "Bad Request",
                                               "content": {"application/json": {"schema": error_ref}}})
                for status, description in ((429, "Too many requests from here; wait Retry-After seconds."),
                                            (503, "The database cannot be reached for a moment; nothing was changed.")):
                    responses.setdefault(status, {"content": {"application/json": {"schema": error_ref}}})
                    responses[status].update(description=description, headers=_RETRY_AFTER)
        schema["components"]["securitySchemes"] = SECURITY_SCHEMES
        return schema


api = AtelierAPI(
    title="Atelier API",
    version="1",
    description=(
        "Workshops, live results, prototypes, feedback and action plans. Reads need nothing; "
        "every write sends the `csrftoken` cookie's value in `X-CSRFToken`; staff operations "
        "need a logged-in session. Errors are `{\"code\", \"message\"}`."
    ),
    urls_namespace="api",
    auth=CsrfToken(),
)


def error_response(request, code: str, message: str, status: int, retry_after: int | None = None):
    response = api.create_response(request, {"code": code, "message": message}, status=status)
    if retry_after is not None:
        response["Retry-After"] = str(retry_after)
    return response


@api.exception_handler(DomainError)
def on_domain_error(request, exc: DomainError):
    """The one place the API turns a service's refusal into its answer."""
    retry_after = None
    if exc.status == 429:
        retry_after = getattr(exc, "retry_after", None) or RETRY_AFTER_DEFAULT
    elif exc.status == 503:
        retry_after = RETRY_AFTER_SECONDS
    return error_response(request, exc.code, exc.message, exc.status, retry_after)


def _refusal(error: dict) -> str:
    """One of pydantic's findings as a person reads it, in the session's language: the schema
    checks what the services used to (a blank text, a rating out of range), and play mode shows
    the message to the person who typed it."""
    loc = [str(part) for part in error.get("loc", ())]
    # ("body", "payload", "text"), ("path", "run_id"), ("query", "version"): the field after the param.
    field = ".".join(loc[2:] if loc[:1] == ["body"] else loc[1:]) or "body"
    kind, ctx = error.get("type", ""), error.get("ctx") or {}
    if kind == "missing":
        return _("%(field)s is required.") % {"field": field}
    if kind in {"string_too_short", "too_short"} or (kind == "string_pattern_mismatch" and "[key]" not in loc):
        return _("%(field)s cannot be empty.") % {"field": field}
    if kind == "string_too_long":
        return _("%(field)s is too long (at most %(max)d characters).") % {"field": field, "max": ctx["max_length"]}
    if kind == "too_long":
        return _("%(field)s has too many items (at most %(max)d).") % {"field": field, "max": ctx["max_length"]}
    if kind == "greater_than_equal":
        return _("%(field)s must be at least %(limit)s.") % {"field": field, "limit": ctx["ge"]}
    if kind == "less_than_equal":
        return _("%(field)s must be at most %(limit)s.") % {"field": field, "limit": ctx["le"]}
    if kind in {"literal_error", "enum"}:
        return _("%(field)s must be one of: %(values)s.") % {"field": field, "values": ctx.get("expected", "")}
    if kind.endswith(("_type", "_parsing")) or kind == "int_from_float":
        return _("%(field)s has the wrong type.") % {"field": field}
    return _("%(field)s is not valid.") % {"field": field}


@api.exception_handler(ValidationError)
def on_validation_error(request, exc: ValidationError):
    details = " ".join(dict.fromkeys(_refusal(error) for error in exc.errors))
    return error_response(request, "invalid", details or _("The request is not valid."), 400)


@api.exception_handler(AuthenticationError)
def on_authentication_error(request, exc):
    return error_response(request, "forbidden", _("Not allowed."), 403)


API_ERROR_CODES = {400: "invalid", 403: "forbidden", 404: "not_found", 405: "method_not_allowed",
                   409: "conflict", 413: "too_large", 429: "rate_limited"}


@api.exception_handler(HttpError)
def on_http_error(request, exc: HttpError):
    if exc.status_code == 403 and "CSRF" in str(exc):
        return error_response(request, "csrf_failed", _("The CSRF token is missing or wrong."), 403)
    if exc.status_code == 400:  # ninja's "Cannot parse request body"
        return error_response(request, "invalid", _("The request body is not valid JSON."), 400)
    return error_response(request, API_ERROR_CODES.get(exc.status_code, "invalid"), str(exc), exc.status_code)


@api.exception_handler(Http404)
def on_not_found(request, exc):
    return error_response(request, "not_found", _("Not found."), 404)


@api.exception_handler(MultiPartParserError)
@api.exception_handler(RawPostDataException)
@api.exception_handler(UnreadablePostError)
@api.exception_handler(BadRequest)
@api.exception_handler(SuspiciousOperation)
def on_unreadable_request(request, exc):
    """A body Django cannot read (multipart without a boundary, a form where JSON is expected, a
    body over the size limit), met by the CSRF check or the body parser: outside any view, so
    the API answers here, in its own shape, in dev settings too (ninja answers what it does not
    handle with a 500 and the traceback when DEBUG is on)."""
    logger.warning("Unreadable request to %s: %s: %s", request.path, type(exc).__name__, exc)
    if isinstance(exc, RequestDataTooBig):
        return error_response(request, "too_large", _("The request body is too large."), 400)
    return error_response(
        request, "invalid", _("The request body could not be read: send JSON with Content-Type: application/json."), 400
    )


class HealthOut(Out):
    status: Literal["ok"]
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

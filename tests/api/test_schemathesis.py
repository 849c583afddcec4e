"""Every JSON API endpoint fuzzed from its own OpenAPI schema (`/api/openapi.json`) with
Schemathesis, against the real WSGI application (middleware, sessions, CSRF included), as an
anonymous visitor and as a logged-in facilitator: no input yields a 5xx, and every 4xx is the
documented error shape `{"code": ..., "message": ...}` (docs/protocol.md, "HTTP mirrors")."""

import pytest
import schemathesis
from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.core.cache import cache
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from django.middleware.csrf import _get_new_csrf_string
from hypothesis import HealthCheck
from hypothesis import settings as hypothesis_settings
from schemathesis.specs.openapi.checks import response_schema_conformance

from tests.api.rooms import answered_room
from tests.factories import WorkshopPageFactory
from workshop_site.core.api import ERROR_CODES

# Loaded once, at collection: the schema view touches no database.
schema = schemathesis.openapi.from_wsgi("/api/openapi.json", get_wsgi_application())
pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _keep_the_test_connection():
    """As Django's test client does: a request must not close the test's own connection."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def room(tree):
    """Something for the fuzzer to find: a live workshop in the voting phase, and DEMO29 (the
    code the schema gives as its example) running a run of show with every kind answered."""
    answered_room(WorkshopPageFactory(parent=tree["workshop_index"], join_code="DEMO29", phase="ideas",
                                      dots_per_participant=3), phase="open", current="poll")
    return WorkshopPageFactory(parent=tree["workshop_index"], join_code="FUZZ42", phase="voting")


def session_for(user) -> dict:
    """Cookies of a logged-in browser (session) plus a CSRF cookie, and the matching header."""
    from importlib import import_module

    store = import_module(settings.SESSION_ENGINE).SessionStore()
    if user is not None:
        store[SESSION_KEY] = str(user.pk)
        store[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
        store[HASH_SESSION_KEY] = user.get_session_auth_hash()
    store.save()
    token = _get_new_csrf_string()
    cookies = {settings.SESSION_COOKIE_NAME: store.session_key, settings.CSRF_COOKIE_NAME: token}
    return {"cookies": cookies, "headers": {"X-CSRFToken": token}}


def header(response, name: str) -> str:
    value = {key.lower(): v for key, v in response.headers.items()}.get(name.lower(), "")
    return value[0] if isinstance(value, list) else value


def check_answer(case, response) -> None:
    where = f"{case.method} {case.formatted_path}"
    assert response.status_code < 500, f"{where}: {response.status_code} {response.text[:500]}"
    if 400 <= response.status_code < 500:
        assert header(response, "Content-Type").startswith("application/json"), f"{where}: {response.status_code} is not JSON: {response.text[:200]!r} for {case.body!r} {case.headers!r} {case.media_type}"
        body = response.json()
        assert isinstance(body, dict) and set(body) == {"code", "message"}, (where, body)
        assert body["code"] in ERROR_CODES, (where, body)
        assert isinstance(body["message"], str) and body["message"], (where, body)


FUZZ_SETTINGS = hypothesis_settings(
    max_examples=25, deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.filter_too_much],
)


def fuzz(case, identity) -> None:
    cache.clear()  # the limiter's counters: each example starts fresh, so answers are not all 429
    response = case.call(headers={**(case.headers or {}), **identity["headers"]}, cookies=identity["cookies"])
    check_answer(case, response)
    if case.method == "GET" and response.status_code == 200:
        # What a read answers is what its schema says (the run of show's typed results too).
        case.validate_response(response, checks=[response_schema_conformance])


@schema.parametrize()
@FUZZ_SETTINGS
def test_an_anonymous_visitor_gets_no_5xx_and_only_documented_errors(case, room):
    fuzz(case, session_for(None))


@schema.parametrize()
@FUZZ_SETTINGS
def test_a_facilitator_gets_no_5xx_and_only_documented_errors(case, room, facilitator):
    fuzz(case, session_for(facilitator))


def test_a_body_django_cannot_parse_and_an_unknown_method_get_the_json_error_shape(client):
    unreadable = client.generic("POST", "/api/workshops/FUZZ42/participants", b'{"display_name": "Ana"}',
                                content_type="multipart/form-data")
    assert unreadable.status_code == 400
    assert unreadable.json()["code"] == "invalid"
    traced = client.generic("TRACE", "/api/health")
    assert traced.status_code == 405
    assert traced.json()["code"] == "method_not_allowed" and "GET" in traced["Allow"]

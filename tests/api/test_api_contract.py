"""What the JSON API promises in its own schema (`/api/openapi.json`) and keeps at runtime:
unreadable bodies are a 400 in the API's shape (not a 500), the documentation UI comes from our
own static files under the site's CSP, every operation documents its refusals, inputs are as
strict as the schema says, reads need no credentials, and messages are translated (issue #16)."""

import re
from html.parser import HTMLParser

import pytest
from django.conf import settings
from django.contrib.staticfiles import finders
from django.middleware.csrf import _get_new_csrf_string
from django.test import Client

from ideas.models import ParticipantRole
from ideas.services import clean_text
from tests.factories import WorkshopPageFactory
from workshop_site.core.errors import DomainError

pytestmark = pytest.mark.django_db

WRITES_NAMED_IN_THE_ISSUE = [
    "/api/workshops/LIVE23/participants",
    "/api/prototypes/maternitate-online/feedback",
    "/api/tasks/1/runs",
    "/api/task-runs/1/give-up",
    "/api/task-runs/1/restart",
]


@pytest.fixture
def schema(client):
    return client.get("/api/openapi.json").json()


def operations(schema):
    for path, methods in schema["paths"].items():
        for method, operation in methods.items():
            yield method.upper(), path, operation


def csrf_client(**extra) -> tuple[Client, str]:
    """A browser holding the CSRF cookie every page hands out."""
    client = Client(enforce_csrf_checks=True, **extra)
    token = _get_new_csrf_string()
    client.cookies["csrftoken"] = token
    return client, token


# --- 1. a body Django cannot read is a 400 in the API's shape, never a 500 -----------------------

@pytest.mark.parametrize("path", WRITES_NAMED_IN_THE_ISSUE)
@pytest.mark.parametrize("with_header", [True, False])
def test_multipart_without_a_boundary_is_a_400_not_a_500_in_dev_settings_too(settings, tree, path, with_header):
    settings.DEBUG = True  # dev settings: what escapes the API is a 500 with the traceback as its body
    client, token = csrf_client()
    headers = {"X-CSRFToken": token} if with_header else {}
    # (Django's test client sends no Content-Type with an empty body; daphne does: one byte suffices.)
    response = client.generic("POST", path, b"-", content_type="multipart/form-data", headers=headers)
    assert response.status_code == 400, response.content[:300]
    assert response["Content-Type"].startswith("application/json")
    assert response.json()["code"] == "invalid" and response.json()["message"]


def test_a_form_body_where_json_is_expected_is_a_400_not_a_500(settings, tree):
    """With a boundary the CSRF check parses the form; the JSON parser then cannot read the body."""
    settings.DEBUG = True
    WorkshopPageFactory(parent=tree["workshop_index"], join_code="LIVE23", phase="ideas")
    client, token = csrf_client()
    response = client.post("/api/workshops/LIVE23/participants", {"display_name": "Ana", "role": "citizen"},
                           headers={"X-CSRFToken": token})  # multipart/form-data with a boundary
    assert response.status_code == 400, response.content[:300]
    assert response.json()["code"] == "invalid"


# --- 3. /api/docs: Swagger UI from our own static files, under the site's CSP ------------------

class _Assets(HTMLParser):
    def __init__(self):
        super().__init__()
        self.urls: list[str] = []
        self.inline_scripts: list[dict] = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "script":
            if attrs.get("src"):
                self.urls.append(attrs["src"])
            else:
                self.inline_scripts.append(attrs)
        elif tag == "link" and attrs.get("href"):
            self.urls.append(attrs["href"])
        elif tag == "img" and attrs.get("src"):
            self.urls.append(attrs["src"])


def test_the_api_docs_load_every_asset_from_our_own_static_files_under_the_csp(client):
    response = client.get("/api/docs")
    assert response.status_code == 200
    html = response.content.decode()
    policy = response["Content-Security-Policy"]
    directives = dict((part.split(" ", 1) + [""])[:2] for part in (p.strip() for p in policy.split(";")) if part)
    # The site's own policy: nothing but 'self' for scripts, styles and connections.
    assert directives["default-src"] == "'self'"
    for name in ("script-src", "style-src", "connect-src"):
        assert "http" not in directives.get(name, "") and "unsafe" not in directives.get(name, "")
    assets = _Assets()
    assets.feed(html)
    assert any(url.endswith(".js") for url in assets.urls) and any(url.endswith(".css") for url in assets.urls)
    for url in assets.urls:
        assert url.startswith(settings.STATIC_URL), f"{url} is not one of our static files"
        # WhiteNoise serves it (from STATIC_ROOT after collectstatic, or the finders in development).
        assert finders.find(url.removeprefix(settings.STATIC_URL)), url
    # No inline code for the CSP to block: only JSON data islands.
    assert all(script.get("type") == "application/json" for script in assets.inline_scripts)
    assert not re.search(r"https?://", " ".join(assets.urls))
    assert "cdn" not in html.lower()


# --- 4. the schema documents the refusals, the inputs as they are checked, and who may call ----

def test_every_operation_documents_its_refusals_in_the_error_shape(schema):
    error = schema["components"]["schemas"]["ErrorOut"]
    assert set(error["required"]) == {"code", "message"} and error["additionalProperties"] is False
    assert {"invalid", "csrf_failed", "forbidden", "not_found", "method_not_allowed", "conflict", "rate_limited",
            "unavailable"} <= set(error["properties"]["code"]["enum"])
    for method, path, operation in operations(schema):
        responses = operation["responses"]
        refusals = {int(status) for status in responses if int(status) >= 400}
        assert {429, 503} <= refusals, (method, path)
        for status in refusals:
            body = responses[str(status)]["content"]["application/json"]["schema"]
            assert body == {"$ref": "#/components/schemas/ErrorOut"}, (method, path, status)
        for status in (429, 503):
            assert responses[str(status)]["headers"]["Retry-After"]["required"] is True
        if "{" in path:
            assert 404 in refusals, (method, path)
        if method != "GET":
            assert {400, 403} & refusals, (method, path)
        if method in {"POST", "PATCH"} and "requestBody" in operation:
            assert 400 in refusals, (method, path)


def test_every_code_a_service_may_refuse_with_is_in_the_documented_enum(schema):
    def subclasses(cls):
        for sub in cls.__subclasses__():
            yield sub
            yield from subclasses(sub)

    documented = set(schema["components"]["schemas"]["ErrorOut"]["properties"]["code"]["enum"])
    assert {cls.code for cls in subclasses(DomainError)} <= documented


def test_joining_documents_the_roles_as_an_enum_and_a_name_that_cannot_be_blank(schema):
    join = schema["components"]["schemas"]["JoinIn"]
    assert join["properties"]["role"]["enum"] == list(ParticipantRole.values)
    name = join["properties"]["display_name"]
    assert name["minLength"] == 1 and name["maxLength"] == 60
    # Something visible: blanks and control characters alone are refused, as the service would.
    assert re.search(name["pattern"], "Ana Țurcanu") and re.search(name["pattern"], "Иван")
    assert not re.search(name["pattern"], " \t\n\x00\u200b\u00a0")


def test_reads_anyone_may_make_declare_no_security_and_writes_declare_the_csrf_token(schema):
    assert "security" not in schema
    public_reads = {
        "/api/health", "/api/workshops/{code}/state", "/api/workshops/{code}/results",
        "/api/workshops/{code}/activities", "/api/workshops/{code}/paper-tallies", "/api/prototypes/{slug}", "/api/services/{slug}/maps",
        "/api/offices/{slug}/plan", "/api/prototypes/{slug}/feedback",
    }
    for method, path, operation in operations(schema):
        if method == "GET" and path in public_reads:
            assert "security" not in operation, path
        elif method != "GET":
            assert all("csrf" in requirement for requirement in operation["security"]), (method, path)
    assert schema["paths"]["/api/workshops/{code}/proxy-participants"]["get"]["security"] == [{"session": []}]
    assert schema["paths"]["/api/plan-items/{item_id}"]["patch"]["security"] == [{"session": [], "csrf": []}]
    assert schema["paths"]["/api/workshops/{code}/participants"]["post"]["security"] == [{"csrf": []}]
    schemes = schema["components"]["securitySchemes"]
    assert schemes["csrf"] == {**schemes["csrf"], "type": "apiKey", "in": "header", "name": "X-CSRFToken"}
    assert schemes["session"] == {**schemes["session"], "type": "apiKey", "in": "cookie", "name": "sessionid"}


def test_public_reads_answer_without_any_cookie(client, tree):
    WorkshopPageFactory(parent=tree["workshop_index"], join_code="LIVE23", phase="ideas")
    for path in ("/api/health", "/api/workshops/LIVE23/state", "/api/workshops/LIVE23/results",
                 "/api/workshops/LIVE23/activities", "/api/workshops/LIVE23/paper-tallies",
                 "/api/offices/rezina/plan"):
        assert Client().get(path).status_code == 200, path


def test_every_character_the_text_pattern_allows_survives_the_services_cleaning(schema):
    """What makes the schema exact: a text the pattern accepts is never blank once cleaned."""
    pattern = schema["components"]["schemas"]["JoinIn"]["properties"]["display_name"]["pattern"]
    ranges = re.findall(r"\\u([0-9a-f]{4})(?:-\\u([0-9a-f]{4}))?", pattern)
    assert ranges and pattern == "[" + "".join(re.findall(r"\\u[0-9a-f]{4}(?:-\\u[0-9a-f]{4})?", pattern)) + "]"
    for low, high in ranges:
        for point in range(int(low, 16), int(high or low, 16) + 1):
            assert clean_text(chr(point), field="x", max_length=1) == chr(point), hex(point)


def test_inputs_are_as_strict_as_the_schema_says(tree):
    WorkshopPageFactory(parent=tree["workshop_index"], join_code="LIVE23", phase="ideas")
    client, token = csrf_client()
    for body in ({"display_name": " \t", "role": "citizen"}, {"display_name": "\u200b\x00", "role": "citizen"},
                 {"display_name": "Ana", "role": "mayor"}, {"display_name": 5, "role": "citizen"}):
        response = client.post("/api/workshops/LIVE23/participants", body, content_type="application/json",
                               headers={"X-CSRFToken": token})
        assert (response.status_code, response.json()["code"]) == (400, "invalid"), body
    response = client.post("/api/workshops/LIVE23/participants", {"display_name": "Ana", "role": "citizen"},
                           content_type="application/json", headers={"X-CSRFToken": token})
    assert response.status_code == 201


# --- 9. the plan's refusal in the session's language --------------------------------------------

@pytest.mark.parametrize(("language", "message"), [
    ("ro", "Autentificați-vă pentru a modifica planul."),
    ("ru", "Войдите в систему, чтобы изменить план."),
])
def test_the_plan_refuses_an_anonymous_change_in_the_sessions_language(tree, language, message):
    client, token = csrf_client()
    client.cookies["atelier_language"] = language
    response = client.patch("/api/plan-items/1", {"progress": 50}, content_type="application/json",
                            headers={"X-CSRFToken": token})
    assert response.status_code == 403
    assert response.json() == {"code": "forbidden", "message": message}


def test_a_refusal_for_too_many_requests_says_when_to_try_again(settings, tree):
    """The schema promises Retry-After on every 429, the services' own limits included."""
    settings.ATELIER_RATE_LIMITS = {**settings.ATELIER_RATE_LIMITS, "join_failed_ip": (1, 60)}
    client, token = csrf_client()
    for _ in range(2):
        response = client.post("/api/workshops/NOPE98/participants", {"display_name": "Ana", "role": "citizen"},
                               content_type="application/json", headers={"X-CSRFToken": token})
    assert (response.status_code, response.json()["code"]) == (429, "rate_limited")
    assert int(response["Retry-After"]) > 0

"""Security headers on every public page of the demo site: a Content-Security-Policy without
'unsafe-inline' or 'unsafe-eval' for scripts (and no inline script or event handler that it
would block), no framing, no sniffing, a strict referrer policy. Production's HTTPS-only
cookies and HSTS are proven by `check --deploy` (tests/workshop_site/test_settings_env.py)."""

import io
import re
from html.parser import HTMLParser

import pytest
from django.core.management import call_command
from django.test import Client, override_settings
from wagtail.models import Page

from feedback.models import TestTask
from plans.models import ActionItem
from prototypes.models import Screen

pytestmark = pytest.mark.django_db


class InlineCode(HTMLParser):
    """Collects what a CSP without 'unsafe-inline' would block: inline scripts (data blocks
    such as json_script are fine), on* handlers and javascript: URLs."""

    def __init__(self):
        super().__init__()
        self.found, self._in_script = [], False

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        for name, value in attrs:
            if name.startswith("on"):
                self.found.append(f"<{tag} {name}=…>")
            if name in ("href", "src", "action", "formaction") and (value or "").strip().lower().startswith("javascript:"):
                self.found.append(f"<{tag} {name}=javascript:…>")
        executable = attributes.get("type", "text/javascript") in ("text/javascript", "module", "application/javascript")
        self._in_script = tag == "script" and "src" not in attributes and executable

    def handle_data(self, data):
        if self._in_script and data.strip():
            self.found.append(f"<script>{data.strip()[:60]}…")

    def handle_endtag(self, tag):
        self._in_script = False


def test_the_inline_code_finder_finds_what_the_policy_blocks():
    parser = InlineCode()
    parser.feed('<script>alert(1)</script><script type="application/json">{"a": 1}</script>'
                '<script src="/static/a.js"></script><button onclick="x()">b</button><a href="javascript:x()">c</a>')
    assert len(parser.found) == 3


def directives(header: str) -> dict[str, list[str]]:
    parts = (part.strip().split() for part in header.split(";") if part.strip())
    return {part[0]: part[1:] for part in parts}


@pytest.fixture
def demo(bare_site):
    with override_settings(DEBUG=True):
        call_command("seed_demo", stdout=io.StringIO())


def public_urls() -> list[str]:
    pages = [page.url for page in Page.objects.live().specific() if page.depth > 1 and page.url]
    screen = Screen.objects.filter(version__published=True, version__prototype__slug="maternitate-online").first()
    item = ActionItem.objects.filter(plan__published=True).first()
    task = TestTask.objects.filter(active=True, version__published=True).first()
    urls = pages + [
        "/join/", "/w/DEMO29/", "/w/DEMO29/results/", "/w/DEMO29/poster/", "/w/DEMO29/summary/",
        "/p/maternitate-online/", f"/p/maternitate-online/v{screen.version.number}/s{screen.pk}/",
        f"/p/maternitate-online/v{screen.version.number}/s{screen.pk}/feedback/",
        "/services/indemnizatia-de-maternitate/", "/plans/overview/", f"/plans/items/{item.pk}/",
        "/no-such-page/",
    ]
    if task is not None:
        urls.append(f"/p/maternitate-online/v{task.version.number}/tasks/{task.pk}/")
    return urls


def assert_safe_headers(url, response):
    assert response.status_code < 500, url
    assert response["X-Content-Type-Options"] == "nosniff", url
    assert response["Referrer-Policy"] == "same-origin", url
    if response["Content-Type"].startswith("text/html"):
        assert response["X-Frame-Options"] == "DENY", url
        policy = directives(response["Content-Security-Policy"])
        scripts = policy.get("script-src", policy["default-src"])
        assert "'unsafe-inline'" not in scripts and "'unsafe-eval'" not in scripts, url
        assert policy["object-src"] == ["'none'"] and policy["base-uri"] == ["'none'"], url
        assert policy["frame-ancestors"] == ["'none'"], url
        parser = InlineCode()
        parser.feed(response.content.decode())
        assert parser.found == [], (url, parser.found)


def test_every_public_page_has_the_headers_and_no_inline_script(demo):
    anonymous = Client()
    urls = public_urls()
    assert len(urls) > 15
    for url in urls:
        assert_safe_headers(url, anonymous.get(url))


def test_the_live_screens_of_participants_and_facilitators_too(demo):
    participant = Client()
    participant.post("/w/DEMO29/", {"display_name": "Ion", "role": "citizen"})
    facilitator = Client()
    facilitator.login(username="facilitator", password="atelier-demo")
    for client, url in ((participant, "/w/DEMO29/"), (facilitator, "/w/DEMO29/present/"),
                        (facilitator, "/w/DEMO29/assist/"), (facilitator, "/plans/overview/")):
        response = client.get(url)
        assert response.status_code == 200, url
        assert_safe_headers(url, response)


def test_the_api_answers_json_with_nosniff(demo):
    response = Client().get("/api/workshops/DEMO29/state")
    assert response.status_code == 200 and response["X-Content-Type-Options"] == "nosniff"
    assert re.match(r"application/json", response["Content-Type"])

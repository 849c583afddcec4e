"""The service worker that keeps the participant page for a phone offline (issue #19) is served
at /w/sw.js so that its scope covers every /w/<code>/ page; the joined page registers it, and
the page's Content-Security-Policy lets it. The browser side is tests/browser/test_offline.py."""

import re
from types import SimpleNamespace

import pytest

from ideas import views

pytestmark = pytest.mark.django_db


def test_the_worker_is_javascript_allowed_to_control_the_workshop_pages_and_never_stale(client):
    response = client.get("/w/sw.js")
    assert response.status_code == 200
    assert response["Content-Type"].split(";")[0] == "application/javascript"
    assert response["Service-Worker-Allowed"] == "/w/"
    assert "no-cache" in response["Cache-Control"]
    body = response.content.decode()
    assert "var CACHE = 'atelier-dev';" in body  # the tests' static files have no manifest
    assert "var STATIC = '/static/';" in body


def test_the_worker_is_only_read(client):
    assert client.post("/w/sw.js").status_code == 405


def test_a_deploy_that_changes_the_static_files_renames_the_cache(client, monkeypatch):
    monkeypatch.setattr(views, "staticfiles_storage", SimpleNamespace(manifest_hash="3f2a1b4c", base_url="/static/"))
    assert "var CACHE = 'atelier-3f2a1b4c';" in client.get("/w/sw.js").content.decode()


def test_the_joined_page_registers_the_worker_and_its_policy_allows_it(joined):
    response = joined.get("/w/LIVE23/")
    page = response.content.decode()
    assert re.search(r'<div id="queue-report"[^>]* data-worker="/w/sw\.js"', page)
    assert re.search(r'<script src="/static/ideas/offline\.js">', page)
    # worker-src falls back to script-src, then to default-src: the first one present decides.
    policy = {words[0]: words[1:] for words in (part.split() for part in response["Content-Security-Policy"].split(";")) if words}
    allowed = next(policy[name] for name in ("worker-src", "script-src", "default-src") if name in policy)
    assert "'self'" in allowed


def test_the_join_form_does_not_register_it(client, workshop):
    assert "offline.js" not in client.get("/w/LIVE23/").content.decode()

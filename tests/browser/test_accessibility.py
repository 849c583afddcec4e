"""The public and participant pages pass axe-core's WCAG 2.1 A/AA rules in Chromium, in
Romanian and Russian, and stay light: HTML, CSS and JS under 100 KB compressed per page."""

import gzip
import re

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.core.management import call_command
from django.test import override_settings

WCAG = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]}}
BUDGET_BYTES = 100 * 1024


@override_settings(DEBUG=True)
def _seed():
    call_command("seed_demo")


PAGE_TREE = ["/", "/birouri/rezina/", "/ateliere/echipa-mobila/"]


def _pages(language: str):
    """Wagtail pages carry the language in the URL (/ru/…, Romanian unprefixed); the other
    screens follow the language cookie the switcher sets."""
    from plans.models import ActionItem

    item = ActionItem.objects.filter(plan__office__slug="rezina").order_by("pk").first()
    prefix = "" if language == "ro" else f"/{language}"
    return [prefix + path for path in PAGE_TREE] + [
        "/join/", "/w/DEMO29/", "/w/DEMO29/present/",
        "/w/KICK16/results/", "/p/maternitate-online/", "/services/indemnizatia-de-maternitate/",
        f"/plans/items/{item.pk}/", "/p/maternitate-online/v1/summary/",
        "/w/DEMO29/poster/", "/w/DEMO29/handout/", "/w/KICK16/summary/",
    ]


def _violations(page) -> list[str]:
    result = Axe().run(page, options=WCAG)
    return [f"{v['id']} ({len(v['nodes'])}): {v['help']}" for v in result.response["violations"]]


@pytest.mark.parametrize("language", ["ro", "ru"])
def test_pages_have_no_wcag_violations(live_server_url, browser, language):
    _seed()
    context = browser.new_context(viewport={"width": 390, "height": 844})
    context.add_cookies([{"name": "atelier_language", "value": language, "url": live_server_url}])
    page = context.new_page()
    found = {}
    for path in _pages(language):
        page.goto(live_server_url + path)
        assert page.locator("html").get_attribute("lang") == language, path
        violations = _violations(page)
        if violations:
            found[path] = violations
    # A participant who has joined sees the phone screen; check it too.
    page.goto(live_server_url + "/w/DEMO29/")
    page.locator("#id_display_name").fill("Maria")
    page.locator("#id_role_0").check()
    page.locator("#id_table").select_option("rezina")  # DEMO29 seats people at its offices' tables
    page.locator("#participant-join-submit").click()
    page.wait_for_selector("#idea-list li.idea")
    if violations := _violations(page):
        found["/w/DEMO29/ (joined)"] = violations
    context.close()
    assert found == {}


def test_pages_stay_under_the_byte_budget(live_server_url, browser):
    _seed()
    page = browser.new_page(viewport={"width": 390, "height": 844})
    sizes: dict[str, int] = {}

    def count(response):
        kind = response.request.resource_type
        if kind in {"document", "stylesheet", "script"} and response.status == 200:
            # What a gzip-compressing proxy or WhiteNoise would send.
            sizes[response.url] = len(gzip.compress(response.body(), 6))

    page.on("response", count)
    for path in ["/w/DEMO29/", "/p/maternitate-online/", "/birouri/rezina/"]:
        sizes.clear()
        page.goto(live_server_url + path)
        page.wait_for_load_state("networkidle")
        total = sum(sizes.values())
        assert total < BUDGET_BYTES, (path, total, sizes)
        assert not [url for url in sizes if not re.match(re.escape(live_server_url), url)], "no third-party files"
    page.close()

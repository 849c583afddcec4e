"""A facilitator's start, in Chromium on the demo: from the public site's login link to the
admin dashboard; from there DEMO29's console in at most two clicks and the new-workshop form in
one (the dashboard's button and the menu's item). axe checks the dashboard's workshops panel in
Romanian and Russian; a screenshot of the dashboard is saved under var/screenshots/admin-start/."""

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.conf import settings
from django.core.management import call_command
from django.test import override_settings

from workshop_site.workshops.models import WorkshopIndexPage

WCAG = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]}}
SHOTS = settings.VAR_DIR / "screenshots" / "admin-start"


@override_settings(DEBUG=True)
def _seed():
    call_command("seed_demo")


class Clicks:
    """Counts the clicks a facilitator makes, each one a real click in the page."""

    def __init__(self, page):
        self.page, self.count = page, 0

    def click(self, locator):
        locator.click()
        self.count += 1


def _logged_in_dashboard(browser, url, language):
    context = browser.new_context(viewport={"width": 1366, "height": 768})
    context.add_cookies([{"name": "atelier_language", "value": language, "url": url}])
    page = context.new_page()
    page.set_default_timeout(10_000)
    home = "/" if language == "ro" else f"/{language}/"
    page.goto(url + home)
    page.locator("header.site-header .nav-staff a").click()
    page.locator("#id_username").fill("facilitator")
    page.locator("#id_password").fill("atelier-demo")
    page.locator("button[type=submit]").click()
    page.wait_for_url(url + "/admin/")
    return page


@pytest.mark.parametrize("language", ["ro", "ru"])
def test_a_facilitator_reaches_the_console_and_the_new_workshop_form_from_the_dashboard(
        live_server_url, browser, language):
    _seed()
    url = live_server_url
    index = WorkshopIndexPage.objects.get(locale__language_code="ro")
    add_url = f"{url}/admin/pages/add/workshops/workshoppage/{index.pk}/"
    page = _logged_in_dashboard(browser, url, language)
    dashboard = page.url

    panel = page.locator("#workshops-section")
    assert panel.locator("table[data-workshops=live] tr[data-code=DEMO29]").is_visible()
    assert panel.locator("table[data-workshops=past] tr[data-code=KICK16]").is_visible()
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"dashboard-{language}.png"), full_page=True)
    result = Axe().run(page, context="#workshops-section", options=WCAG)
    violations = [f"{v['id']} ({len(v['nodes'])}): {v['help']}" for v in result.response["violations"]]
    assert not violations, violations

    # DEMO29's console: one click, and the facilitator's controls are there.
    clicks = Clicks(page)
    clicks.click(panel.locator("tr[data-code=DEMO29] a[data-link=console]"))
    page.wait_for_url(f"{url}/w/DEMO29/present/")
    page.locator(".phase-btn").first.wait_for()
    assert clicks.count <= 2

    # The new-workshop form: one click from the dashboard's button…
    page.goto(dashboard)
    clicks = Clicks(page)
    clicks.click(page.locator("#new-workshop"))
    page.wait_for_url(add_url)
    page.locator("#id_join_code").wait_for()
    assert page.locator("#id_title").is_visible() and clicks.count == 1

    # …and one from the menu, on any admin page.
    page.goto(f"{url}/admin/pages/")
    clicks = Clicks(page)
    clicks.click(page.locator(f"nav a[href='/admin/pages/add/workshops/workshoppage/{index.pk}/']"))
    page.wait_for_url(add_url)
    assert page.locator("#id_join_code").is_visible() and clicks.count == 1
    page.context.close()

"""The service page of the demo's maternity allowance in Chromium, from a phone to a wide
screen: the page is never wider than the window; the swim lanes scroll in their own box with
the actor column kept in view, and a phone reads each lane as a list of steps instead."""

import pytest
from django.core.management import call_command
from django.test import override_settings
from playwright.sync_api import Expect

URL = "/services/indemnizatia-de-maternitate/"
SIZES = [(360, 640), (768, 1024), (1366, 768), (1920, 1080)]

expect = Expect()  # this module's own, so the timeout does not leak into other tests
expect.set_options(timeout=10_000)


@override_settings(DEBUG=True)
def _seed():
    call_command("seed_demo")


@pytest.fixture
def demo_url(live_server_url):
    _seed()
    return live_server_url + URL


def _open(browser, url: str, width: int, height: int):
    context = browser.new_context(locale="ro-MD", viewport={"width": width, "height": height})
    page = context.new_page()
    page.set_default_timeout(10_000)
    page.goto(url)
    return page


def test_the_page_is_never_wider_than_the_window(demo_url, browser):
    for width, height in SIZES:
        page = _open(browser, demo_url, width, height)
        try:
            scroll_width, client_width = page.evaluate(
                "[document.documentElement.scrollWidth, document.documentElement.clientWidth]"
            )
            assert scroll_width <= client_width, (width, scroll_width, client_width)
            # The header spans the page, which is the window.
            assert page.locator(".site-header").bounding_box()["width"] <= client_width
        finally:
            page.context.close()


def test_a_phone_reads_each_lane_as_a_list_of_steps(demo_url, browser):
    page = _open(browser, demo_url, 360, 640)
    try:
        as_is = page.locator(".blueprint-as_is")
        expect(as_is.locator(".lanes-scroll")).to_be_hidden()
        lists = as_is.locator(".lane-list")
        expect(lists.first).to_be_visible()
        # Every step of the 26 is in one lane's list, numbered as in the map.
        expect(as_is.locator(".lane-list li.step")).to_have_count(26)
        citizen = as_is.locator(".lane-list.lane-citizen")
        expect(citizen.locator("h3")).to_have_text("cetățean")
        first = citizen.locator("li.step").first
        expect(first).to_have_attribute("value", "1")
        expect(first.locator(".step-title")).to_have_text("Obține certificatul de concediu medical la medicul de familie")
        # The list fits the phone: nothing in it reaches past the window.
        assert lists.evaluate_all("els => els.every(e => e.getBoundingClientRect().right <= innerWidth)")
    finally:
        page.context.close()


def test_on_a_laptop_the_lanes_scroll_in_their_box_and_the_actors_stay_in_view(demo_url, browser):
    page = _open(browser, demo_url, 1366, 768)
    try:
        box = page.locator(".blueprint-as_is .lanes-scroll")
        expect(box).to_be_visible()
        expect(page.locator(".blueprint-as_is .lane-list").first).to_be_hidden()
        # A region a keyboard can reach and a screen reader can name.
        expect(box).to_have_attribute("tabindex", "0")
        expect(box).to_have_attribute("role", "region")
        expect(box).to_have_attribute("aria-label", "Culoare pe actori: Indemnizația de maternitate: azi (26 de pași)")
        scroll_width, client_width = box.evaluate("b => [b.scrollWidth, b.clientWidth]")
        assert scroll_width > client_width * 2, (scroll_width, client_width)

        actor = box.locator("tr.lane-citizen th[scope=row]")
        actor.scroll_into_view_if_needed()  # the page scrolls down to it; the box stays at its start
        box.evaluate("b => { b.scrollLeft = b.scrollWidth; }")
        page.wait_for_function(
            "() => { const b = document.querySelector('.blueprint-as_is .lanes-scroll'); return b.scrollLeft > 0; }"
        )
        assert box.evaluate("b => b.scrollLeft") > client_width
        after = actor.bounding_box()
        frame = box.bounding_box()
        # The actor's cell has not moved with the steps: still at the box's left edge, in view.
        assert frame["x"] <= after["x"] < frame["x"] + 10, (frame, after)
        # And it is what is drawn there, not hidden under a step that scrolled beneath it.
        drawn = page.evaluate(
            "([x, y]) => document.elementFromPoint(x, y).closest('th')?.textContent.trim()",
            [after["x"] + after["width"] / 2, after["y"] + 10],
        )
        assert drawn == "cetățean"
        # The last step's column came into view, beside the actors' column.
        last = box.locator("thead th").last
        expect(last).to_have_text("26")
        last_box = last.bounding_box()
        assert last_box["x"] >= after["x"] + after["width"] - 1
        assert last_box["x"] + last_box["width"] <= frame["x"] + frame["width"] + 1
    finally:
        page.context.close()

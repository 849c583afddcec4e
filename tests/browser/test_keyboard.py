"""Keyboard only, in Chromium: a participant joins, posts and votes; the facilitator runs the
room; a citizen walks through the prototype and switches language. Every step reaches its
control with Tab (in the page's focus order) and works it with Enter or Space: no mouse."""

import re

from django.core.management import call_command
from django.test import override_settings
from playwright.sync_api import Expect

PHONE = {"locale": "ro-MD", "viewport": {"width": 390, "height": 844}}
PROJECTOR = {"locale": "ro-MD", "viewport": {"width": 1280, "height": 800}}
IDEA = "Scaner portabil în mașina echipei mobile"

expect = Expect()
expect.set_options(timeout=10_000)


@override_settings(DEBUG=True)
def _seed():
    call_command("seed_demo")


def tab_to(page, selector: str, *, limit: int = 60, backwards: bool = False) -> None:
    """Press Tab until the focused element matches `selector`; fail if it is never reached."""
    for _ in range(limit):
        if page.evaluate("(s) => !!document.activeElement && document.activeElement.matches(s)", selector):
            return
        page.keyboard.press("Shift+Tab" if backwards else "Tab")
    raise AssertionError(f"{selector} is not reachable with the keyboard")


def test_a_participant_and_the_facilitator_run_the_room_by_keyboard(live_server_url, browser):
    _seed()
    projector = browser.new_context(**PROJECTOR).new_page()
    projector.goto(f"{live_server_url}/admin/login/?next=/w/DEMO29/present/")
    tab_to(projector, "#id_username")
    projector.keyboard.type("facilitator")
    tab_to(projector, "#id_password")
    projector.keyboard.type("atelier-demo")
    projector.keyboard.press("Enter")
    projector.wait_for_url(re.compile(r"/w/DEMO29/present/$"))

    phone = browser.new_context(**PHONE).new_page()
    phone.goto(f"{live_server_url}/w/DEMO29/")
    # The skip link comes first and leads to the content.
    phone.keyboard.press("Tab")
    expect(phone.locator(":focus")).to_have_class(re.compile(r"\bskip-link\b"))
    tab_to(phone, "#id_display_name")
    phone.keyboard.type("Ion")
    tab_to(phone, "#id_role_0")
    phone.keyboard.press("Space")
    expect(phone.locator("#id_role_0")).to_be_checked()
    tab_to(phone, "#id_table")  # DEMO29 seats people at its offices' tables: the first is Călărași
    phone.keyboard.press("ArrowDown")
    expect(phone.locator("#id_table")).to_have_value("calarasi")
    tab_to(phone, "#participant-join-submit")
    phone.keyboard.press("Enter")
    expect(phone.locator("#idea-text")).to_be_visible()
    # The form shows while the page is still read; its script (which sends the idea over the
    # socket) runs before `load`. Typing sooner submits the bare form (seen once on a busy CI).
    phone.wait_for_load_state("load")

    tab_to(phone, "#idea-text")
    phone.keyboard.type(IDEA)
    tab_to(phone, "#idea-submit")
    phone.keyboard.press("Enter")
    expect(phone.locator("#idea-list li.idea", has_text=IDEA)).to_have_count(1)
    expect(projector.locator("#chart")).to_contain_text(IDEA)

    # The facilitator opens the vote from the controls, by keyboard.
    tab_to(projector, '.phase-btn[data-phase="voting"]')
    projector.keyboard.press("Enter")
    expect(projector.locator('.phase-btn[data-phase="voting"]')).to_have_attribute("aria-pressed", "true")

    # The participant casts a dot with Space on the idea's "+" (its name says which idea).
    idea = phone.locator("#idea-list li.idea", has_text=IDEA)
    expect(idea.locator(".vote-cast")).to_be_visible()
    expect(idea.locator(".vote-cast")).to_have_attribute("aria-label", re.compile(re.escape(IDEA[:20])))
    tab_to(phone, f'#idea-list li.idea[data-idea-id="{idea.get_attribute("data-idea-id")}"] .vote-cast')
    phone.keyboard.press("Space")
    expect(idea.locator(".my-dots")).to_contain_text("1")
    expect(phone.locator("#dots-left-text")).to_contain_text("2")
    phone.context.close()
    projector.context.close()


def test_a_citizen_walks_the_prototype_and_switches_to_russian_by_keyboard(live_server_url, browser):
    _seed()
    page = browser.new_context(**PHONE).new_page()
    page.goto(f"{live_server_url}/p/maternitate-online/")
    expect(page.locator("#screen-title")).to_have_text("Start")
    # The hotspot is a link named after its label and the screen it leads to.
    tab_to(page, 'a.hotspot[aria-label^="Începe cererea"]')
    expect(page.locator(":focus")).to_have_attribute("aria-label", "Începe cererea (duce la: Formular)")
    page.keyboard.press("Enter")
    expect(page.locator("#screen-title")).to_have_text("Formular")

    # The office page, then the language switcher: choose Russian and submit, keys only.
    page.goto(f"{live_server_url}/birouri/rezina/")
    tab_to(page, "#language-select")
    page.keyboard.press("ArrowDown")  # ro → ru, the next option
    expect(page.locator("#language-select")).to_have_value("ru")
    tab_to(page, ".language-switcher button")
    page.keyboard.press("Enter")
    page.wait_for_url(f"{live_server_url}/ru/birouri/rezina/")
    expect(page.locator("html")).to_have_attribute("lang", "ru")
    expect(page.locator("h1")).to_have_text("СБИУ Резина")
    page.context.close()

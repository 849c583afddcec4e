"""Themes in Chromium (issue #18), on the demo's DEMO29: the facilitator's console (a phone)
shows the demo's two themes, accepts the suggested "Cererea online" as "Online", puts an idea
into "Acte" with the keyboard (its "Theme" select) and another with the mouse, renames a theme
inline and dissolves another; the wall (1920×1080) follows live and, the brainstorm voting
blind, adds up the themes' dots only at the results. axe checks the console and the wall; screenshots go to
var/screenshots/themes/ (ATELIER_VAR_DIR)."""

import re

from axe_playwright_python.sync_playwright import Axe
from django.conf import settings
from playwright.sync_api import Expect

from ideas.models import Activity, Idea, Theme
from workshop_site.workshops.models import WorkshopPage

from .test_run_of_show import PHONE, _facilitator, _go, _join, _seed

WCAG = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]}}
SHOTS = settings.VAR_DIR / "screenshots" / "themes"
WALL = {"locale": "ro-MD", "viewport": {"width": 1920, "height": 1080}}

expect = Expect()  # this module's own, so the timeout does not leak into other tests
expect.set_options(timeout=10_000)


def _theme(console, title: str):
    return console.locator("#theme-list > li.theme").filter(
        has=console.locator(".theme-title", has_text=re.compile(f"^{re.escape(title)}$")))


def _violations(page) -> list[str]:
    result = Axe().run(page, options=WCAG)
    return [f"{v['id']} ({len(v['nodes'])}): {v['help']}" for v in result.response["violations"]]


def _row(console, idea: Idea):
    return console.locator(f'#chart li.bar-row[data-idea-id="{idea.pk}"]')


def test_a_facilitator_groups_the_ideas_into_themes_and_the_wall_adds_up_their_dots(live_server_url, browser):
    _seed()
    room = WorkshopPage.find_by_code("DEMO29")
    brainstorm = Activity.objects.get(workshop=room, kind="brainstorm")
    Activity.objects.filter(pk=brainstorm.pk).update(blind=True)

    def idea(start: str) -> Idea:
        return Idea.objects.get(workshop=room, text__startswith=start)

    scanner, seat, visits = idea("Un scaner portabil"), idea("Un loc în mașina"), idea("Programarea vizitelor")
    checklist, papers, registers = idea("O listă unică de acte"), idea("Actele cerute"), idea("Acces la registrele")
    claim, status = idea("Cererea de indemnizație"), idea("Statutul cererii online")
    errors = []

    wall_context = browser.new_context(**WALL)
    wall = wall_context.new_page()
    wall.on("pageerror", lambda error: errors.append(str(error)))
    wall.goto(live_server_url + "/w/DEMO29/screen/")
    wall_titles = wall.locator("#screen-theme-list .screen-theme-title")
    expect(wall_titles).to_have_text(["Echipa mobilă", "Acte"])

    console = _facilitator(browser, live_server_url, "ro")
    console.on("pageerror", lambda error: errors.append(str(error)))
    said = console.locator("#themes-status")
    expect(console.locator("#theme-list .theme-title")).to_have_text(["Echipa mobilă", "Acte"])
    expect(_theme(console, "Acte").locator(".theme-idea-text")).to_have_text([checklist.text, papers.text])

    # The suggestion groups the two online ideas no theme holds; accepted under another title.
    console.locator("#theme-suggest").click()
    suggestion = console.locator("#theme-suggestions > li.suggestion")
    expect(suggestion).to_have_count(1)
    expect(suggestion.locator("input")).to_have_value("Cererea online")
    expect(suggestion.locator(".suggestion-ideas li")).to_have_text([claim.text, status.text])
    assert _violations(console) == []
    suggestion.locator("input").fill("Online")
    suggestion.locator("button[data-action=accept]").click()
    expect(suggestion).to_have_count(0)
    expect(said).to_contain_text("Online")
    expect(console.locator("#theme-list .theme-title")).to_have_text(["Echipa mobilă", "Acte", "Online"])
    expect(_theme(console, "Online").locator(".theme-idea-text")).to_have_text([claim.text, status.text])
    expect(_row(console, claim).locator("select.theme-select")).to_have_value(
        str(Theme.objects.get(workshop=room, title="Online").pk))

    # The keyboard's way: the idea row's "Theme" select, typed to "Acte".
    acte = Theme.objects.get(workshop=room, title="Acte")
    pick = _row(console, registers).locator("select.theme-select")
    expect(pick).to_have_value("")
    pick.focus()
    console.keyboard.type("Acte")
    expect(pick).to_have_value(str(acte.pk))
    expect(_theme(console, "Acte").locator(".theme-idea-text")).to_have_count(3)
    expect(_theme(console, "Acte")).to_contain_text(registers.text)
    expect(said).to_contain_text(registers.text[:40])

    # Renamed inline: Enter saves, and the focus comes back to "Rename".
    mobile = _theme(console, "Echipa mobilă")
    mobile.locator("button[data-action=theme-rename]").click()
    title = mobile.locator(".theme-rename input")
    expect(title).to_be_focused()
    expect(title).to_have_value("Echipa mobilă")
    title.fill("Echipa mobilă pe teren")
    title.press("Enter")
    renamed = _theme(console, "Echipa mobilă pe teren")
    expect(renamed.locator("button[data-action=theme-rename]")).to_be_focused()
    expect(renamed.locator(".theme-rename")).to_be_hidden()

    # Dissolved with two presses: its ideas stay, in no theme.
    online = _theme(console, "Online")
    online.locator("button[data-action=theme-dissolve]").click()
    expect(online.locator("button.is-armed")).to_be_visible()
    online.locator("button[data-action=theme-dissolve]").click()
    expect(console.locator("#theme-list .theme-title")).to_have_text(["Echipa mobilă pe teren", "Acte"])
    expect(_row(console, claim).locator("select.theme-select")).to_have_value("")
    expect(_row(console, claim)).to_be_visible()

    # The mouse's way, on a laptop-sized console where the row and the theme are both in view:
    # an idea's row dragged (by its text) onto a theme.
    console.set_viewport_size({"width": 1280, "height": 3000})
    _row(console, claim).drag_to(_theme(console, "Acte"), source_position={"x": 20, "y": 10})
    expect(_theme(console, "Acte").locator(".theme-idea-text")).to_have_count(4)
    expect(_row(console, claim).locator("select.theme-select")).to_have_value(str(acte.pk))
    console.set_viewport_size(PHONE)
    assert console.evaluate("document.documentElement.scrollWidth <= document.documentElement.clientWidth")

    # The wall followed every change without a reload.
    expect(wall_titles).to_have_text(["Echipa mobilă pe teren", "Acte"])
    SHOTS.mkdir(parents=True, exist_ok=True)
    console.screenshot(path=SHOTS / "console.png", full_page=True)
    strings = wall.locator("#live-strings")
    votes, counted = strings.get_attribute("data-votes"), strings.get_attribute("data-theme-ideas")

    # Blind voting: while the room votes the wall shows no sums; at the results, the sums.
    phone = _join(browser, live_server_url, "ro", "Maria", "citizen")  # at Rezina's table
    _go(console, brainstorm, "voting")
    for idea in (scanner, seat, registers):
        phone.locator(f'#idea-list > li.idea[data-idea-id="{idea.pk}"] button.vote-cast').click()
    expect(phone.locator("#dots-left-dots .dot.is-free")).to_have_count(0)
    expect(wall.locator("#live-root")).to_have_attribute("data-phase", "voting")
    expect(wall.locator(".screen-theme .bar-track")).to_have_count(2)
    for track in wall.locator(".screen-theme .bar-track").all():
        expect(track).to_be_hidden()
    expect(wall.locator(".screen-theme-votes")).to_have_text([counted.replace("{n}", "3"), counted.replace("{n}", "4")])
    expect(console.locator("#theme-list .theme-votes").first).to_be_hidden()

    console.locator(".phase-btn[data-phase=results]").click()
    expect(wall.locator(".screen-theme-votes")).to_have_text([votes.replace("{n}", "2"), votes.replace("{n}", "1")])
    expect(wall_titles).to_have_text(["Echipa mobilă pe teren", "Acte"])
    expect(_theme(console, "Echipa mobilă pe teren")).to_have_attribute("data-votes", "2")
    expect(_theme(console, "Acte")).to_have_attribute("data-votes", "1")
    wall.screenshot(path=SHOTS / "wall-results.png", animations="disabled")
    assert _violations(wall) == []
    assert _violations(console) == []

    # A wall opened now reads the same from its snapshot; each idea is on it once.
    wall.reload()
    expect(wall_titles).to_have_text(["Echipa mobilă pe teren", "Acte"])
    expect(wall.locator(".screen-theme-votes")).to_have_text([votes.replace("{n}", "2"), votes.replace("{n}", "1")])
    expect(wall.locator("#board-list > li", has_text=registers.text)).to_have_count(1)
    assert errors == []

    themes = {theme.title: set(theme.ideas.values_list("pk", flat=True)) for theme in Theme.objects.filter(workshop=room)}
    assert themes == {"Echipa mobilă pe teren": {scanner.pk, seat.pk, visits.pk},
                      "Acte": {checklist.pk, papers.pk, registers.pk, claim.pk}}
    assert Idea.objects.filter(pk=status.pk, theme=None, hidden=False).exists()
    for context in (wall_context, console.context, phone.context):
        context.close()

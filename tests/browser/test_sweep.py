"""Every public and live screen, at a phone's, a tablet's, a laptop's and a large screen's
size, in Romanian and Russian (#20): the document is never wider than the window and axe-core
finds nothing against WCAG 2.1 A/AA. Screenshots of each screen at each size are saved under
var/screenshots/sweep/<language>/ (ATELIER_VAR_DIR) for a person to look at."""

from dataclasses import dataclass

import pytest
from django.conf import settings
from wagtail.models import Locale

from feedback.models import TestTask
from plans.models import ActionItem
from prototypes.demo import PROTOTYPE
from tests.browser.test_accessibility import _violations
from tests.browser.test_run_of_show import _seed
from workshop_site.workshops.models import WorkshopPage

SHOTS = settings.VAR_DIR / "screenshots" / "sweep"
SIZES = [(360, 640), (768, 1024), (1366, 768), (1920, 1080)]
BROWSER_LOCALE = {"ro": "ro-MD", "ru": "ru-RU"}

# The outermost elements that reach past the window (not counting those a scrolling box
# holds): what made the document wider.
WIDE_ELEMENTS = """() => {
    const limit = document.documentElement.clientWidth + 1;
    const scrolls = e => e !== document.body && getComputedStyle(e).overflowX !== 'visible';
    const held = e => { for (let a = e.parentElement; a && a !== document.body; a = a.parentElement) if (scrolls(a)) return true; return false; };
    const wide = [...document.body.querySelectorAll('*')].filter(e => e.getBoundingClientRect().right > limit && !held(e));
    const describe = e => e.tagName.toLowerCase() + (e.id ? '#' + e.id : '')
        + [...e.classList].map(c => '.' + c).join('') + ' ' + Math.round(e.getBoundingClientRect().right) + 'px';
    return wide.filter(e => !wide.includes(e.parentElement)).slice(0, 3).map(describe);
}"""

# Tables wider than the column they stand in, with no box of their own to scroll in: on a
# wide window they spill over the column's edge without widening the document.
SPILLING_TABLES = """() => [...document.querySelectorAll('table')].flatMap(table => {
    const box = table.parentElement;
    for (let a = box; a && a !== document.body; a = a.parentElement)
        if (getComputedStyle(a).overflowX !== 'visible') return [];
    const width = table.getBoundingClientRect().width;
    if (width <= box.clientWidth + 1) return [];
    const name = 'table' + (table.id ? '#' + table.id : '') + [...table.classList].map(c => '.' + c).join('');
    return [`${name} is ${Math.round(width)}px wide in a ${box.clientWidth}px column`];
})"""


@dataclass(frozen=True)
class Screen:
    name: str
    path: str
    who: str = "visitor"  # visitor, participant (joined DEMO29 at the rezina table) or facilitator


def _in(language: str, page) -> str:
    """A page of the tree in this language: Russian pages live under /ru/."""
    if language == "ro":
        return page.url
    return page.get_translation(Locale.objects.get(language_code=language)).url


def _screens(language: str) -> list[Screen]:
    demo29 = WorkshopPage.find_by_code("DEMO29")
    prefix = "" if language == "ro" else f"/{language}"
    task = TestTask.objects.filter(version__prototype__slug=PROTOTYPE).select_related("version").order_by("pk").first()
    item = ActionItem.objects.filter(plan__office__slug="rezina").order_by("pk").first()
    return [
        Screen("home", prefix + "/"),
        Screen("office", prefix + "/birouri/rezina/"),
        Screen("workshops", _in(language, demo29.get_parent().specific)),
        Screen("workshop", _in(language, demo29)),
        Screen("join", "/join/"),
        Screen("participant", "/w/DEMO29/", who="participant"),
        Screen("screen", "/w/DEMO29/screen/"),
        Screen("console", "/w/DEMO29/present/", who="facilitator"),
        Screen("results-demo29", "/w/DEMO29/results/"),
        Screen("results-kick16", "/w/KICK16/results/"),
        # A facilitator's results carry a column more (send an idea to an office's plan).
        Screen("results-kick16-facilitator", "/w/KICK16/results/", who="facilitator"),
        Screen("service", "/services/indemnizatia-de-maternitate/"),
        Screen("play", f"/p/{PROTOTYPE}/"),
        Screen("task", f"/p/{PROTOTYPE}/v{task.version.number}/tasks/{task.pk}/"),
        Screen("summary", "/w/KICK16/summary/"),
        Screen("poster", "/w/DEMO29/poster/"),
        Screen("plans-overview", "/plans/overview/", who="facilitator"),
        Screen("item", f"/plans/items/{item.pk}/"),
    ]


def _pages(browser, url: str, language: str) -> dict:
    """A window for each kind of reader, in the language's locale (the screens outside the
    page tree follow Accept-Language)."""
    pages = {}
    for who in ("visitor", "participant", "facilitator"):
        context = browser.new_context(locale=BROWSER_LOCALE[language], viewport=dict(zip(("width", "height"), SIZES[0], strict=True)))
        page = context.new_page()
        page.set_default_timeout(15_000)
        pages[who] = page
    participant = pages["participant"]
    participant.goto(url + "/w/DEMO29/")
    participant.locator("#id_display_name").fill("Maria")
    participant.locator("input[name=role][value=citizen]").check()
    participant.locator("#id_table").select_option("rezina")
    participant.locator("#participant-join-submit").click()
    participant.wait_for_selector("#live-root[data-joined=true]")
    facilitator = pages["facilitator"]
    facilitator.goto(url + "/admin/login/?next=/w/DEMO29/present/")
    facilitator.locator("#id_username").fill("facilitator")
    facilitator.locator("#id_password").fill("atelier-demo")
    facilitator.locator("#id_password").press("Enter")
    facilitator.wait_for_url(url + "/w/DEMO29/present/")
    return pages


@pytest.mark.parametrize("language", ["ro", "ru"])
def test_every_screen_fits_the_window_and_passes_axe_at_four_sizes(live_server_url, browser, language):
    _seed()
    screens = _screens(language)
    shots = SHOTS / language
    shots.mkdir(parents=True, exist_ok=True)
    pages = _pages(browser, live_server_url, language)
    problems = []
    try:
        for width, height in SIZES:
            for page in pages.values():
                page.set_viewport_size({"width": width, "height": height})
            for screen in screens:
                page = pages[screen.who]
                where = f"{screen.name} ({screen.path}) at {width}×{height} in {language}"
                response = page.goto(live_server_url + screen.path)
                page.wait_for_load_state("networkidle")
                if response is None or response.status != 200:
                    problems.append(f"{where}: HTTP {response and response.status}")
                    continue
                if (lang := page.locator("html").get_attribute("lang")) != language:
                    problems.append(f"{where}: <html lang={lang!r}>")
                document, window = page.evaluate(
                    "[document.documentElement.scrollWidth, document.documentElement.clientWidth]")
                if document > window:
                    wide = ", ".join(page.evaluate(WIDE_ELEMENTS))
                    problems.append(f"{where}: the document is {document}px wide in a {window}px window ({wide})")
                if spilling := page.evaluate(SPILLING_TABLES):
                    problems.append(f"{where}: {', '.join(spilling)}")
                if violations := _violations(page):
                    problems.append(f"{where}: axe: {'; '.join(violations)}")
                page.screenshot(path=shots / f"{screen.name}-{width}x{height}.png", full_page=True)
    finally:
        for page in pages.values():
            page.context.close()
    assert not problems, f"{len(problems)} problems:\n" + "\n".join(problems)

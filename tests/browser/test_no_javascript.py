"""A phone without JavaScript takes part in DEMO29's whole run of show (issue #19, progressive
enhancement): Chromium with scripts off, 360×640, joins at Rezina's table, posts an idea, places
and takes back dots, answers the poll, the scale and the word cloud, each form a plain POST
whose answer (after a reload) shows what it did and the room's counts. A second phone, with
scripts, sees the same results live; its screen (HTML, CSS, JS) stays within the pages' budget
with the brainstorm current and with the poll current. Screenshots of the phone without scripts
are saved under var/screenshots/no-javascript/ (ATELIER_VAR_DIR)."""

import gzip

from axe_playwright_python.sync_playwright import Axe
from django.conf import settings
from django.core.management import call_command
from django.test import override_settings
from django.utils import translation
from playwright.sync_api import Expect

from ideas.models import Activity, Idea, PollAnswer, ScaleRating, Vote, WordEntry
from workshop_site.workshops.models import WorkshopPage

from .test_accessibility import BUDGET_BYTES, WCAG
from .test_layout_shift import MAX_CLS, OBSERVE_SHIFTS
from .test_run_of_show import _facilitator, _go

expect = Expect()
expect.set_options(timeout=10_000)
SMALL_PHONE = {"width": 360, "height": 640}
SHOTS = settings.VAR_DIR / "screenshots" / "no-javascript"
IDEA = "Programare la echipa mobilă prin SMS, fără drum la raion"
PAINTED = "new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)))"


@override_settings(DEBUG=True)
def _seed():
    call_command("seed_demo")


def ro(text: str, **values) -> str:
    """A string of the screen in Romanian (the phones' language), `{name}`s filled in."""
    with translation.override("ro"):
        text = translation.gettext(text)
    for name, value in values.items():
        text = text.replace("{" + name + "}", str(value))
    return text


def _violations(page) -> list[str]:
    result = Axe().run(page, options=WCAG)
    return [f"{v['id']} ({len(v['nodes'])}): {v['help']}" for v in result.response["violations"]]


def _axe_of(browser, plain):
    """axe checks the phone's screen as the server draws it: in a browser with the same session
    whose page scripts never load (axe itself needs scripts, which the phone has turned off)."""
    context = browser.new_context(viewport=SMALL_PHONE)
    context.add_cookies(plain.context.cookies())
    context.route("**/*.js", lambda route: route.abort())
    page = context.new_page()
    page.set_default_timeout(10_000)

    def violations() -> list[str]:
        page.goto(plain.url.split("#")[0])
        return _violations(page)

    violations.page = page
    return violations


def _phone(browser, url: str, name: str, **options):
    page = browser.new_context(viewport=SMALL_PHONE, **options).new_page()
    page.set_default_timeout(10_000)
    page.goto(url + "/w/DEMO29/")
    page.locator("#id_display_name").fill(name)
    page.locator("input[name=role][value=citizen]").check()
    page.locator("#id_table").select_option("rezina")
    page.locator("#participant-join-submit").click()
    expect(page.locator("#live-root")).to_have_attribute("data-joined", "true")
    return page


def _send(page, button, anchor: str) -> None:
    """Click a form's button: the page posts, and comes back at the element it was about."""
    with page.expect_navigation():
        button.click()
    assert page.url.endswith(f"/w/DEMO29/#{anchor}"), page.url


def _weigh(page, url: str) -> tuple[int, dict]:
    """The screen as a phone with scripts downloads it: HTML, CSS and JS, gzip-compressed."""
    sizes: dict[str, int] = {}

    def count(response):
        if response.request.resource_type in {"document", "stylesheet", "script"} and response.status == 200:
            sizes[response.url] = len(gzip.compress(response.body(), 6))

    page.on("response", count)
    page.goto(url + "/w/DEMO29/")
    page.wait_for_load_state("networkidle")
    page.remove_listener("response", count)
    return sum(sizes.values()), sizes


def test_a_phone_without_javascript_takes_part_in_the_whole_run_of_show(live_server_url, browser):
    _seed()
    room = WorkshopPage.find_by_code("DEMO29")
    poll, scale, brainstorm, words = Activity.objects.filter(workshop=room).order_by("position")
    url = live_server_url
    found: dict[str, list[str]] = {}
    SHOTS.mkdir(parents=True, exist_ok=True)

    plain = _phone(browser, url, "Maria", java_script_enabled=False)
    # The live phone keeps no service worker's copy: it is weighed as it downloads the screen.
    live = _phone(browser, url, "Ion", service_workers="block")
    weights = {"brainstorm": _weigh(live, url)}
    drawn_violations = _axe_of(browser, plain)

    # 1. The brainstorm collects ideas: the table's ideas are in the HTML; the form posts one.
    expect(plain.locator("noscript")).to_have_count(1)
    expect(plain.locator("#idea-list li.idea")).to_have_count(3)  # Rezina's three starter ideas
    plain.locator("#idea-text").fill(IDEA)
    plain.locator("label.chip", has_text="online").click()
    _send(plain, plain.locator("#idea-submit"), "compose")
    expect(plain.locator("#idea-status")).to_have_text(ro("Idea posted. Thank you!"))
    mine = plain.locator("#idea-list li.idea", has_text=IDEA)
    expect(mine.locator(".idea-tags")).to_have_text("online")
    idea = Idea.objects.get(text=IDEA)
    assert list(idea.tags.names()) == ["online"] and idea.table.slug == "rezina"
    expect(live.locator(f"#idea-list li.idea[data-idea-id='{idea.pk}']")).to_contain_text(IDEA)
    plain.screenshot(path=str(SHOTS / "phone-ideas.png"), full_page=True)
    if violations := drawn_violations():
        found["ideas"] = violations

    # 2. The facilitator opens the vote: the phone without scripts sees it when it reloads.
    console = _facilitator(browser, url, "ro")
    _go(console, brainstorm, "voting")
    plain.reload()
    mine = plain.locator(f"#idea-{idea.pk}")
    cast, retract = mine.locator("button.vote-cast"), mine.locator("button.vote-retract")
    expect(cast).to_have_accessible_name(ro("Add a dot to: {idea}", idea=IDEA))
    for n, left in ((1, 2), (2, 1)):
        _send(plain, cast, f"idea-{idea.pk}")
        expect(mine).to_have_attribute("data-my-dots", str(n))
        expect(mine.locator(".idea-tally")).to_have_text(ro("Votes: {n}", n=n))
        expect(mine.locator(".my-dots")).to_have_text(ro("Your dots: {n}", n=n))
        expect(plain.locator("#dots-left-text")).to_have_text(ro("Dots left: {left} of {total}", left=left, total=3))
        expect(live.locator(f"#idea-list li.idea[data-idea-id='{idea.pk}']")).to_have_attribute("data-votes", str(n))
    _send(plain, retract, f"idea-{idea.pk}")
    expect(mine.locator(".idea-tally")).to_have_text(ro("Votes: {n}", n=1))
    with translation.override("ro"):
        taken_back = translation.gettext("One dot taken back; dots left: %(left)d.") % {"left": 2}
    expect(mine.locator(".idea-error")).to_have_text(taken_back)
    expect(plain.locator("#dots-left-text")).to_have_text(ro("Dots left: {left} of {total}", left=2, total=3))
    expect(live.locator(f"#idea-list li.idea[data-idea-id='{idea.pk}']")).to_have_attribute("data-votes", "1")
    assert Vote.objects.filter(idea=idea).count() == 1
    plain.screenshot(path=str(SHOTS / "phone-voting.png"), full_page=True)
    if violations := drawn_violations():
        found["voting"] = violations

    # 3. The poll: a radio and the form's button; the room's answers under it.
    _go(console, poll, "open")
    weights["poll"] = _weigh(live, url)  # the live phone reloads once here, to be weighed
    plain.reload()
    option = poll.options.order_by("sort_order")[2]
    plain.locator(f"label[for='opt-{poll.pk}-{option.pk}']").click()
    _send(plain, plain.locator("#activity button[type=submit]"), "activity")
    expect(plain.locator("#activity .form-status")).to_have_text(
        ro("Answer saved. You can change it while the poll is open."))
    bar = f"#activity .act-bar[data-key='{option.pk}'][data-value='1']"
    expect(plain.locator(bar)).to_contain_text(ro("{n} ({share}%)", n=1, share=100))
    expect(plain.locator("#activity .bar-track").first).to_be_hidden()  # no bar drawn to scale without scripts
    expect(plain.locator(f"#opt-{poll.pk}-{option.pk}")).to_be_checked()
    expect(live.locator(bar)).to_be_visible()
    assert list(PollAnswer.objects.get(activity=poll).options.all()) == [option]
    plain.screenshot(path=str(SHOTS / "phone-poll.png"), full_page=True)
    if violations := drawn_violations():
        found["poll"] = violations

    # 4. The scale: a rating for two statements, sent together with the button shown without scripts.
    _go(console, scale, "open")
    plain.reload()
    first, second, _third = scale.statements.order_by("sort_order")
    plain.locator(f"label[for='rate-{first.pk}-4']").click()
    plain.locator(f"label[for='rate-{second.pk}-2']").click()
    _send(plain, plain.locator("#activity button[type=submit]"), "activity")
    row = f"#activity .act-scale[data-key='{first.pk}'][data-ratings='1']"
    expect(plain.locator(row)).to_be_visible()
    expect(plain.locator(row).locator(".scale-split")).to_have_text(
        ro("1: {a}, 2: {b}, 3: {c}, 4: {d}, 5: {e}", a=0, b=0, c=0, d=1, e=0))
    expect(plain.locator(f"#rate-{first.pk}-4")).to_be_checked()
    expect(live.locator(row)).to_be_visible()
    assert dict(ScaleRating.objects.filter(activity=scale).values_list("statement_id", "value")) == {
        first.pk: 4, second.pk: 2}
    plain.screenshot(path=str(SHOTS / "phone-scale.png"), full_page=True)
    if violations := drawn_violations():
        found["scale"] = violations

    # 5. The word cloud.
    _go(console, words, "open")
    plain.reload()
    plain.locator("#activity .word-input").fill("Acte")
    _send(plain, plain.locator("#activity button[type=submit]"), "activity")
    expect(plain.locator("#activity .my-words li")).to_have_text(["Acte"])
    expect(plain.locator("#activity .counter")).to_have_text(ro("Words left: {n}", n=2))
    expect(plain.locator("#activity .cloud-word[data-count='1']")).to_contain_text("Acte")
    expect(live.locator("#activity .cloud-word[data-count='1']")).to_contain_text("Acte")
    assert list(WordEntry.objects.filter(activity=words).values_list("text", flat=True)) == ["Acte"]
    plain.screenshot(path=str(SHOTS / "phone-words.png"), full_page=True)
    if violations := drawn_violations():
        found["words"] = violations

    assert plain.evaluate("document.documentElement.scrollWidth <= innerWidth")
    for name, (total, sizes) in weights.items():
        print(f"joined phone screen, {name} current: {total} bytes gzip-compressed {sizes}")  # noqa: T201
        assert total < BUDGET_BYTES, (name, total, sizes)
    for page in (plain, live, console, drawn_violations.page):
        page.context.close()
    assert found == {}


# What the server draws on the phone's screen, measured before and after the scripts take over.
DRAWN = [".site-header", "#live-banner", "#queue-report", "#live-title", "#dots-left", "#activity",
         "#activity .act-title", "#activity .act-form", "#activity .act-figures", "#activity .act-bar", "#compose",
         "#ideas-heading", "#idea-list li.idea", "#idea-list .idea-vote", "#idea-list .idea-tally", "#past-activities"]


def _boxes(page) -> dict[str, list]:
    """Each element's box in the document (a reload may restore the scroll later or sooner)."""
    return page.evaluate("""selectors => Object.fromEntries(selectors.map(selector => [selector,
      [...document.querySelectorAll(selector)].map(el => {
        const box = el.getBoundingClientRect();
        return box.width || box.height ? [box.x + scrollX, box.y + scrollY, box.width, box.height] : null;
      })]))""", DRAWN)


def _reload_with_scripts_held(page) -> tuple[dict, dict, float]:
    """The screen the server drew (its scripts held back, as a slow network does), then the
    same screen once the scripts ran and the socket's snapshot came: their boxes, and the
    layout shifts Chromium saw meanwhile."""
    held, holding = [], [True]

    def hold(route):
        if holding[0]:
            held.append(route)
        else:
            route.continue_()

    page.route("**/*.js", hold)
    page.add_init_script(OBSERVE_SHIFTS)
    # At the top: the browser restores a scrolled page's position when it likes (a click scrolls).
    page.evaluate("scrollTo(0, 0)")
    with page.expect_websocket() as socket_opened:
        page.goto(page.url.split("#")[0], wait_until="commit")
        page.wait_for_selector("#initial-state", state="attached")
        page.evaluate(PAINTED)
        drawn = _boxes(page)
        page.evaluate("document.querySelectorAll('#idea-list li.idea').forEach(li => { li.drawnByServer = true; })")
        holding[0] = False
        for route in held:
            route.continue_()
    socket_opened.value.wait_for_event("framereceived")  # the snapshot
    page.wait_for_load_state("load")
    page.evaluate(PAINTED)
    page.unroute("**/*.js")
    return drawn, _boxes(page), sum(shift["value"] for shift in page.evaluate("window.__shifts"))


def test_the_scripts_take_over_the_screen_the_server_drew(live_server_url, browser):
    """A phone with scripts is first the screen the server drew: when the scripts and the
    snapshot come, nothing on it moves (the ideas the server listed are the very elements the
    script keeps, with the brainstorm voting and with the poll open and answered), and a dot
    sent from a button the server drew goes over the socket, without a reload."""
    _seed()
    room = WorkshopPage.find_by_code("DEMO29")
    poll, _scale, brainstorm, _words = Activity.objects.filter(workshop=room).order_by("position")
    console = _facilitator(browser, live_server_url, "ro")
    _go(console, brainstorm, "voting")
    phone = _phone(browser, live_server_url, "Elena", service_workers="block")
    phone.wait_for_load_state("load")  # its script sends the first dot, not the form
    first = phone.locator("#idea-list li.idea").first
    idea = phone.locator(f"#idea-{first.get_attribute('data-idea-id')}")
    idea.locator("button.vote-cast").click()  # the script's own, over the socket
    expect(idea).to_have_attribute("data-my-dots", "1")

    drawn, taken_over, shifts = _reload_with_scripts_held(phone)
    assert drawn["#idea-list li.idea"] and drawn["#idea-list .idea-tally"]
    assert taken_over == drawn
    assert shifts <= MAX_CLS
    assert phone.evaluate("[...document.querySelectorAll('#idea-list li.idea')].every(li => li.drawnByServer)")
    phone.evaluate("window.notReloaded = true")
    idea.locator("button.vote-cast").click()  # a button the server drew
    expect(idea).to_have_attribute("data-my-dots", "2")
    expect(idea.locator(".idea-tally")).to_have_text(ro("Votes: {n}", n=2))
    assert phone.evaluate("window.notReloaded") is True

    _go(console, poll, "open")
    option = poll.options.order_by("sort_order").first()
    phone.locator(f"#opt-{poll.pk}-{option.pk}").check()
    phone.locator("#activity button[type=submit]").click()
    expect(phone.locator(f"#activity .act-bar[data-key='{option.pk}'][data-value='1']")).to_be_visible()
    drawn, taken_over, shifts = _reload_with_scripts_held(phone)
    assert drawn["#activity .act-form"] and len(drawn["#activity .act-bar"]) == 4
    assert taken_over == drawn
    assert shifts <= MAX_CLS
    expect(phone.locator(f"#opt-{poll.pk}-{option.pk}")).to_be_checked()
    phone.context.close()
    console.context.close()

"""Clickable prototypes in a real browser: a citizen taps through the demo on a phone (with and
without JavaScript), and a facilitator draws a new hotspot in the admin that then works in play mode."""

import re

from django.core.management import call_command
from django.test import override_settings
from playwright.sync_api import Expect

from prototypes.models import Hotspot, Screen

SLUG = "maternitate-online"
PHONE = {"locale": "ro-MD", "viewport": {"width": 390, "height": 844}}
DESKTOP = {"locale": "ro-MD", "viewport": {"width": 1280, "height": 1000}}

expect = Expect()  # this module's own, so the timeout does not leak into other tests
expect.set_options(timeout=10_000)


@override_settings(DEBUG=True)
def _seed():
    call_command("seed_demo")


def _screen(title: str) -> Screen:
    return Screen.objects.get(title=title, version__prototype__slug=SLUG)


def _on_screen(page, title: str) -> None:
    expect(page.locator("#screen-title")).to_have_text(title)
    expect(page).to_have_title(re.compile(rf"^{title} · "))


def _tap_through(page, start_url: str, tap) -> str:
    """Start → Formular → Acte → Statut by hotspots only; returns the URL of Acte."""
    page.goto(start_url)
    _on_screen(page, "Start")
    # Screen readers hear where each hotspot leads: its label and the target screen's title.
    tap(page.get_by_role("link", name="Începe cererea (duce la: Formular)", exact=True))
    _on_screen(page, "Formular")
    tap(page.get_by_role("link", name="Continuă"))
    _on_screen(page, "Acte")
    acte_url = page.url
    tap(page.get_by_role("link", name="Trimite cererea"))
    _on_screen(page, "Statut")
    tap(page.get_by_role("link", name="Înapoi (înapoi la: Acte)", exact=True))
    _on_screen(page, "Acte")
    return acte_url


def test_citizen_taps_through_the_prototype_on_a_phone(live_server_url, browser):
    _seed()
    start_url = f"{live_server_url}/p/{SLUG}/"
    acte = _screen("Acte")

    # With JavaScript, on a touch screen: "back" is the browser's history.
    context = browser.new_context(**PHONE, has_touch=True, is_mobile=True)
    try:
        page = context.new_page()
        acte_url = _tap_through(page, start_url, lambda link: link.tap())
        assert page.url == acte_url  # history.back(): the very page we came from, ?from= and all
        # A tap outside every hotspot shows briefly where they are. The class lasts under a
        # second, so an observer records it rather than a check racing the timer.
        svg = page.locator("#play-screen")
        expect(svg).not_to_have_class(re.compile(r"\bshow-hotspots\b"))
        svg.evaluate("""svg => {
            window.hotspotsShown = false;
            new MutationObserver(() => { window.hotspotsShown ||= svg.classList.contains('show-hotspots'); })
                .observe(svg, {attributes: true, attributeFilter: ['class']});
        }""")
        box = svg.bounding_box()
        svg.tap(position={"x": box["width"] / 2, "y": box["height"] * 0.4})  # the text, above the buttons
        page.wait_for_function("() => window.hotspotsShown === true")
        expect(svg).not_to_have_class(re.compile(r"\bshow-hotspots\b"))  # briefly
        _on_screen(page, "Acte")  # and it went nowhere
    finally:
        context.close()

    # Without JavaScript: the same path; "back" is a real link to the screen we came from.
    context = browser.new_context(**PHONE, java_script_enabled=False)
    try:
        page = context.new_page()
        _tap_through(page, start_url, lambda link: link.click())
        assert page.url.endswith(f"/p/{SLUG}/v1/s{acte.pk}/")
    finally:
        context.close()


def test_facilitator_draws_a_hotspot_that_works_in_play_mode(live_server_url, browser):
    _seed()
    start, status = _screen("Start"), _screen("Statut")
    assert start.hotspots.count() == 2
    context = browser.new_context(**DESKTOP)
    try:
        page = context.new_page()
        page.goto(f"{live_server_url}/admin/login/")
        page.locator("#id_username").fill("facilitator")
        page.locator("#id_password").fill("atelier-demo")
        page.locator("#id_password").press("Enter")
        page.wait_for_url(re.compile(r"/admin/$"))

        page.goto(f"{live_server_url}/admin/prototypes/screens/{start.pk}/hotspots/")
        canvas = page.locator("#hotspot-canvas")
        # Box names come from a translated format ("Hotspot %s" in English, Romanian by default).
        name_format = canvas.get_attribute("data-box-label")

        def box_name(number):
            return name_format.replace("%s", str(number))

        any_box = re.compile("^" + re.escape(name_format).replace("%s", r"\d"))
        # The demo's two hotspots are drawn as boxes, focusable buttons named after their row.
        expect(canvas.get_by_role("button", name=any_box)).to_have_count(2)

        # Draw on the empty middle of the picture: from (0.1, 0.45) to (0.6, 0.6).
        canvas.scroll_into_view_if_needed()
        frame = canvas.bounding_box()

        def at(fx, fy):  # a point of the picture, in page pixels (asked afresh: focus may scroll)
            now = canvas.bounding_box()
            return now["x"] + fx * now["width"], now["y"] + fy * now["height"]

        page.mouse.move(*at(0.1, 0.45))
        page.mouse.down()
        page.mouse.move(*at(0.35, 0.5), steps=5)
        page.mouse.move(*at(0.6, 0.6), steps=5)
        page.mouse.up()

        # It filled the blank extra row (the third form), rather than adding one.
        row = page.locator('tr[data-prefix="hotspots-2"]')
        expect(page.locator("#id_hotspots-TOTAL_FORMS")).to_have_value("3")
        expect(row).to_have_class(re.compile(r"\bis-selected\b"))
        expect(row.locator('[name="hotspots-2-target_kind"]')).to_be_focused()
        drawn = {side: float(row.locator(f'[name="hotspots-2-{side}"]').input_value()) for side in "xywh"}
        for side, value in {"x": 0.1, "y": 0.45, "w": 0.5, "h": 0.15}.items():
            assert abs(drawn[side] - value) < 0.01, (side, drawn)
            assert re.fullmatch(r"\d(\.\d{1,3})?", row.locator(f'[name="hotspots-2-{side}"]').input_value())
        box = canvas.get_by_role("button", name=box_name(3))
        expect(box).to_be_visible()
        shown = box.bounding_box()
        assert abs(shown["x"] - at(drawn["x"], 0)[0]) < 2
        assert abs(shown["width"] - drawn["w"] * frame["width"]) < 2

        # The number fields move the box.
        row.locator('[name="hotspots-2-y"]').fill("0.3")
        expect(box).to_have_attribute("style", re.compile(r"top: 30%"))
        assert abs(box.bounding_box()["y"] - at(0, 0.3)[1]) < 2

        # Arrow keys move it, shift+arrows resize it, by 0.01; the fields follow.
        box.focus()
        expect(box).to_have_class(re.compile(r"\bis-selected\b"))
        box.press("ArrowDown")
        box.press("Shift+ArrowRight")
        expect(row.locator('[name="hotspots-2-y"]')).to_have_value("0.31")
        expect(row.locator('[name="hotspots-2-w"]')).to_have_value(str(round(drawn["w"] + 0.01, 3)))

        # Dragging the box moves it; dragging its corner handle resizes it.
        shown = box.bounding_box()
        page.mouse.move(shown["x"] + 20, shown["y"] + 20)
        page.mouse.down()
        page.mouse.move(shown["x"] + 20, shown["y"] + 20 + 0.1 * frame["height"], steps=5)
        page.mouse.up()
        moved_y = float(row.locator('[name="hotspots-2-y"]').input_value())
        assert abs(moved_y - 0.41) < 0.005, moved_y
        handle = box.locator(".hotspot-box-handle").bounding_box()
        grab = handle["x"] + handle["width"] / 2, handle["y"] + handle["height"] / 2
        page.mouse.move(*grab)
        page.mouse.down()
        page.mouse.move(grab[0] - 0.1 * frame["width"], grab[1], steps=5)
        page.mouse.up()
        resized_w = float(row.locator('[name="hotspots-2-w"]').input_value())
        assert abs(resized_w - (drawn["w"] + 0.01 - 0.1)) < 0.005, resized_w

        # A second drawing, with the blank row now used, adds a row from the template; ticking
        # its DELETE hides its box (and the formset then ignores the row).
        page.mouse.move(*at(0.6, 0.1))
        page.mouse.down()
        page.mouse.move(*at(0.9, 0.2), steps=5)
        page.mouse.up()
        expect(page.locator("#id_hotspots-TOTAL_FORMS")).to_have_value("4")
        extra = page.locator('tr[data-prefix="hotspots-3"]')
        expect(extra.locator("th")).to_have_text("4")
        assert abs(float(extra.locator('[name="hotspots-3-x"]').input_value()) - 0.6) < 0.01
        extra_box = canvas.locator(f'.hotspot-box[aria-label="{box_name(4)}"]')
        expect(extra_box).to_be_visible()
        extra.locator('[name="hotspots-3-DELETE"]').check()
        expect(extra_box).to_be_hidden()

        # Where it leads, and its name for screen readers; then save.
        row.locator('[name="hotspots-2-target_kind"]').select_option("screen")
        row.locator('[name="hotspots-2-target_screen"]').select_option(label="Statut")
        row.locator('[name="hotspots-2-label"]').fill("Vezi statutul")
        expect(box).to_have_attribute("aria-label", f"{box_name(3)}: Vezi statutul")
        with page.expect_navigation():
            page.locator("#hotspots-save").click()
        expect(page.locator(".messages li.success")).to_have_count(1)
        expect(page.locator("#id_hotspots-TOTAL_FORMS")).to_have_value("4")  # 3 saved + the blank row
        expect(canvas.get_by_role("button", name=any_box)).to_have_count(3)

        saved = Hotspot.objects.get(screen=start, label="Vezi statutul")
        assert saved.target_screen == status and not saved.back and not saved.target_url
        assert (saved.x, saved.y, saved.w) == (drawn["x"], moved_y, resized_w)
        assert start.hotspots.count() == 3

        # In play mode the new hotspot leads to the status screen.
        page.goto(f"{live_server_url}/p/{SLUG}/")
        expect(page.locator("#screen-title")).to_have_text("Start")
        page.get_by_role("link", name="Vezi statutul").click()
        expect(page.locator("#screen-title")).to_have_text("Statut")
    finally:
        context.close()

"""Play mode on a small phone (360 × 640) in Chromium, with the demo prototype: the whole
screen shows without scrolling and its main button with it, during a task too; the back
arrow drawn on screen 2 takes the tester back; a finished task says what comes next and that
works; and there is one way to comment on a screen."""

import re

import pytest
from django.core.management import call_command
from django.test import override_settings
from playwright.sync_api import Expect

from feedback.models import TestTask
from prototypes.demo import BACK, PROTOTYPE
from prototypes.models import Screen

SMALL_PHONE = {"locale": "ro-MD", "viewport": {"width": 360, "height": 640}, "has_touch": True, "is_mobile": True}
LAPTOP = {"locale": "ro-MD", "viewport": {"width": 1366, "height": 768}}
BUTTON = (0.5, 0.855)  # the middle of the big button of every screen (prototypes.demo.BUTTON)
ARROW = (BACK[0] + BACK[2] / 2, BACK[1] + BACK[3] / 2)  # the middle of the drawn back arrow

expect = Expect()  # this module's own, so the timeout does not leak into other tests
expect.set_options(timeout=10_000)


@override_settings(DEBUG=True)
def _seed():
    call_command("seed_demo")


@pytest.fixture
def demo(live_server_url):
    _seed()
    return live_server_url


@pytest.fixture
def phone(browser):
    context = browser.new_context(**SMALL_PHONE)
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    context.close()


def _screens() -> dict[str, Screen]:
    return {s.title: s for s in Screen.objects.filter(version__prototype__slug=PROTOTYPE, version__number=1)}


def _on_screen(page, title: str) -> None:
    expect(page.locator("#screen-title")).to_have_text(title)


def _picture(page) -> dict:
    return page.locator("#play-screen image").bounding_box()


def _tap_picture(page, fx: float, fy: float) -> None:
    """A tap where the point (fx, fy) of the picture is drawn, as a finger would: on the page."""
    box = _picture(page)
    page.touchscreen.tap(box["x"] + fx * box["width"], box["y"] + fy * box["height"])


def _fits(page) -> None:
    """The whole picture in the window, and nothing to scroll to."""
    box, height = _picture(page), page.viewport_size["height"]
    assert box["y"] >= 0 and box["y"] + box["height"] <= height, (box, height)
    assert box["x"] >= 0 and box["x"] + box["width"] <= page.viewport_size["width"], box
    assert page.evaluate("document.documentElement.scrollHeight <= innerHeight"), page.evaluate(
        "[document.documentElement.scrollHeight, innerHeight]"
    )


def _in_view(page, locator) -> None:
    box, size = locator.bounding_box(), page.viewport_size
    assert box["y"] >= 0 and box["y"] + box["height"] <= size["height"], (box, size)
    assert box["x"] >= 0 and box["x"] + box["width"] <= size["width"], (box, size)


def test_the_screen_and_its_main_button_fit_a_small_phone(demo, phone):
    phone.goto(f"{demo}/p/{PROTOTYPE}/")
    _on_screen(phone, "Start")
    _fits(phone)
    main = phone.get_by_role("link", name="Începe cererea (duce la: Formular)", exact=True)
    _in_view(phone, main)
    # The picture is scaled, not cropped: the hotspot is still over the button drawn on it.
    picture, hotspot = _picture(phone), main.bounding_box()
    assert abs(hotspot["y"] - (picture["y"] + 0.82 * picture["height"])) < 2
    main.tap()
    _on_screen(phone, "Formular")
    _fits(phone)
    _in_view(phone, phone.get_by_role("link", name="Continuă (duce la: Acte)", exact=True))


def test_during_a_task_the_screen_still_fits_with_the_task_above_it(demo, phone):
    task = TestTask.objects.get(version__prototype__slug=PROTOTYPE, version__number=1)
    phone.goto(f"{demo}/p/{PROTOTYPE}/v1/tasks/{task.pk}/")
    phone.locator("#task-start").tap()
    expect(phone.locator("#task-bar")).to_have_attribute("data-outcome", "running")
    _on_screen(phone, "Start")
    phone.wait_for_load_state("load")  # the picture and the styles that size it (a busy machine lags)
    _fits(phone)
    _in_view(phone, phone.locator("#task-bar"))
    _in_view(phone, phone.get_by_role("link", name="Începe cererea (duce la: Formular)", exact=True))


def test_the_back_arrow_drawn_on_screen_2_goes_back(demo, phone):
    phone.goto(f"{demo}/p/{PROTOTYPE}/")
    _on_screen(phone, "Start")
    phone.get_by_role("link", name="Începe cererea (duce la: Formular)", exact=True).tap()
    _on_screen(phone, "Formular")
    phone.wait_for_load_state("load")  # play.js listens: "back" is the browser's history
    _tap_picture(phone, *ARROW)  # where the arrow is drawn, not where a test knows a link is
    _on_screen(phone, "Start")

    # In a test task too: the server, which knows the hotspots, sends the tester back.
    task = TestTask.objects.get(version__prototype__slug=PROTOTYPE, version__number=1)
    screens = _screens()
    phone.goto(f"{demo}/p/{PROTOTYPE}/v1/tasks/{task.pk}/")
    phone.locator("#task-start").tap()
    phone.wait_for_url(re.compile(rf"/s{screens['Start'].pk}/\?run=\d+$"))
    _tap_picture(phone, *BUTTON)
    phone.wait_for_url(re.compile(rf"/s{screens['Formular'].pk}/\?run=\d+$"))
    _tap_picture(phone, *ARROW)
    phone.wait_for_url(re.compile(rf"/s{screens['Start'].pk}/\?run=\d+$"))
    _on_screen(phone, "Start")


def _take_the_task(page, base: str, task: TestTask, path: list[str]) -> None:
    screens = _screens()
    page.goto(f"{base}/p/{PROTOTYPE}/v1/tasks/{task.pk}/")
    expect(page.locator("#task-instruction")).to_have_text(task.instruction)
    page.locator("#task-start").tap()
    for here, there in zip(path, path[1:], strict=False):
        page.wait_for_url(re.compile(rf"/s{screens[here].pk}/\?run=\d+$"))
        _tap_picture(page, *BUTTON)
        page.wait_for_url(re.compile(rf"/s{screens[there].pk}/\?run=\d+$"))
    expect(page.locator("#task-bar")).to_have_attribute("data-outcome", "completed")


def test_a_finished_task_shows_the_next_step_and_it_works(demo, phone):
    task = TestTask.objects.get(version__prototype__slug=PROTOTYPE, version__number=1)
    screens = _screens()
    second = TestTask.objects.create(
        version=task.version, instruction="Ajungeți la lista actelor cerute.", start_screen=screens["Start"],
    )
    second.goal_screens.set([screens["Acte"]])

    _take_the_task(phone, demo, task, ["Start", "Formular", "Acte", "Statut"])
    expect(phone.locator("#task-done")).to_be_visible()
    following = phone.locator("#task-next")
    expect(following).to_be_visible()
    _in_view(phone, following)
    following.tap()
    # The next task of the same version: its instruction, ready to start.
    expect(phone.locator("#task-instruction")).to_have_text(second.instruction)

    _take_the_task(phone, demo, second, ["Start", "Formular", "Acte"])
    following = phone.locator("#task-next")
    expect(following).to_be_visible()
    following.tap()  # no task left: what testers said
    phone.wait_for_url(re.compile(rf"/p/{PROTOTYPE}/v1/summary/$"))
    expect(phone.locator("#summary-tasks")).to_contain_text(second.instruction)

    # Or back to the prototype, to look around without a task.
    phone.go_back()
    phone.locator("#task-leave").tap()
    _on_screen(phone, "Start")
    expect(phone.locator("#task-bar")).to_have_count(0)


def test_there_is_one_way_to_comment_on_a_screen(demo, phone, browser):
    for page in (phone, browser.new_context(**LAPTOP).new_page()):
        page.goto(f"{demo}/p/{PROTOTYPE}/")
        _on_screen(page, "Start")
        tools = page.locator(".play-tools")
        control = page.locator("#comment-toggle")
        expect(control).to_have_attribute("aria-pressed", "false")  # play.js made the link a toggle
        expect(tools.get_by_role("button")).to_have_count(1)
        expect(tools.get_by_role("link")).to_have_count(0)
        expect(tools.get_by_role("button", name="Comentează acest ecran")).to_be_visible()
        _in_view(page, control)
        _fits(page)
        control.click()
        expect(control).to_have_attribute("aria-pressed", "true")
        expect(page.locator("#comment-hint")).to_be_visible()
        if page is not phone:
            page.context.close()

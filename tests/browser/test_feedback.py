"""Feedback and test tasks in a real browser: on a phone a citizen pins a comment on a screen of
the demo prototype and takes its test task by tapping the picture (one tap missing every
hotspot); a facilitator then finds the comment and the run in the admin's figures."""

import re

from django.core.management import call_command
from django.test import override_settings
from playwright.sync_api import Expect

from feedback.models import Feedback, RunOutcome, TaskRun, TestTask
from prototypes.models import Screen

SLUG = "maternitate-online"
PHONE = {"locale": "ro-MD", "viewport": {"width": 390, "height": 844}, "has_touch": True, "is_mobile": True}
DESKTOP = {"locale": "ro-MD", "viewport": {"width": 1280, "height": 1000}}
COMMENT = "Nu găsesc unde se scrie IDNP-ul copilului."
IDNP_FIELD = (0.5, 0.37)  # the middle of the IDNP box drawn on Formular (prototypes.drawing)
BUTTON = (0.5, 0.855)  # the middle of the big button of every screen (prototypes.demo.BUTTON)
EMPTY = (0.5, 0.5)  # below the Formular fields, outside every hotspot

expect = Expect()  # this module's own, so the timeout does not leak into other tests
expect.set_options(timeout=10_000)


@override_settings(DEBUG=True)
def _seed():
    call_command("seed_demo")


def _screens() -> dict[str, Screen]:
    return {s.title: s for s in Screen.objects.filter(version__prototype__slug=SLUG, version__number=1)}


def _on_screen(page, title: str) -> None:
    expect(page.locator("#screen-title")).to_have_text(title)


def _picture_point(page, fx: float, fy: float) -> dict:
    """Where the point (fx, fy) of the picture is in #play-screen, in the element's pixels: the
    SVG keeps the picture's aspect ratio (xMidYMin meet), so a box wider than the scaled
    picture centres it, and a taller one leaves the space below it."""
    svg = page.locator("#play-screen")
    view_width, view_height = (float(n) for n in svg.get_attribute("viewBox").split()[2:])
    box = svg.bounding_box()
    scale = min(box["width"] / view_width, box["height"] / view_height)
    left = (box["width"] - view_width * scale) / 2
    return {"x": left + fx * view_width * scale, "y": fy * view_height * scale}


def _tap_picture(page, fx: float, fy: float) -> None:
    page.locator("#play-screen").tap(position=_picture_point(page, fx, fy))


def _tap_in_task(page, run_id: str, fx: float, fy: float):
    """One tap during the task; waits for the server's answer (a hit's body is gone once the
    page has moved on, so only a miss's can be read)."""
    with page.expect_response(lambda r: r.url.endswith(f"/api/task-runs/{run_id}/taps")) as answer:
        _tap_picture(page, fx, fy)
    assert answer.value.status == 200, answer.value.status
    return answer.value


def test_citizen_pins_feedback_and_takes_the_task_then_the_facilitator_sees_both(live_server_url, browser):
    _seed()
    screens = _screens()
    task = TestTask.objects.get(version__prototype__slug=SLUG, version__number=1, instruction__startswith="Depuneți cererea")
    assert TaskRun.objects.filter(task=task).count() == 4

    context = browser.new_context(**PHONE)
    try:
        page = context.new_page()
        page.set_default_timeout(10_000)  # actions too, as the `page` fixture does

        # (1) A pin on Formular, where the IDNP field is.
        page.goto(f"{live_server_url}/p/{SLUG}/")
        _on_screen(page, "Start")
        page.get_by_role("link", name="Începe cererea").tap()
        _on_screen(page, "Formular")
        toggle = page.locator("#comment-toggle")
        # Without JavaScript a link to the feedback form; play.js makes it a toggle, and is then ready.
        expect(toggle).to_have_attribute("aria-pressed", "false")
        expect(toggle).to_have_attribute("role", "button")
        expect(page.locator(".pin-mine")).to_have_count(0)
        toggle.tap()
        expect(toggle).to_have_attribute("aria-pressed", "true")
        expect(page.locator("#comment-hint")).to_be_visible()
        form = page.locator("#comment-form")
        # The form opens with the tap on the picture.
        expect(form).to_be_hidden()

        _tap_picture(page, *IDNP_FIELD)
        expect(form).to_be_visible()
        expect(page.locator("#comment-text")).to_be_focused()
        expect(page.locator(".pin-mine")).to_have_count(1)  # the marker, before sending
        page.locator("#comment-text").fill(COMMENT)
        page.locator("#comment-rating").select_option("2")
        page.locator("#comment-role").select_option("citizen")
        with page.expect_response(lambda r: r.url.endswith(f"/api/prototypes/{SLUG}/feedback")
                                  and r.request.method == "POST") as sent:
            form.locator('button[type="submit"]').tap()
        assert sent.value.status == 201, sent.value.text()
        feedback_id = sent.value.json()["id"]
        expect(form).to_be_hidden()
        expect(toggle).to_have_attribute("aria-pressed", "false")
        expect(page.locator(".pin-mine")).to_have_count(1)  # it stays on the screen

        feedback = Feedback.objects.get(pk=feedback_id)
        assert (feedback.text, feedback.rating, feedback.author_role) == (COMMENT, 2, "citizen")
        assert feedback.screen == screens["Formular"] and feedback.version.number == 1
        # The fractions the browser computed are those of the point tapped.
        assert abs(feedback.x - IDNP_FIELD[0]) < 0.01 and abs(feedback.y - IDNP_FIELD[1]) < 0.01, (feedback.x, feedback.y)
        assert feedback.session_key

        page.reload()
        _on_screen(page, "Formular")
        mine = page.locator(".pin-mine")
        expect(mine).to_have_count(1)
        expect(mine.locator("title")).to_have_text(f"{COMMENT} (2/5)")
        # Drawn where it was tapped (viewBox units).
        view_width, view_height = (float(n) for n in page.locator("#play-screen").get_attribute("viewBox").split()[2:])
        x, y = (float(n) for n in re.fullmatch(r"translate\(([\d.]+) ([\d.]+)\)", mine.get_attribute("transform")).groups())
        assert abs(x - IDNP_FIELD[0] * view_width) < 0.01 * view_width
        assert abs(y - IDNP_FIELD[1] * view_height) < 0.01 * view_height

        # (2) The test task, by tapping where the buttons are drawn, with one miss.
        page.goto(f"{live_server_url}/p/{SLUG}/v1/tasks/{task.pk}/")
        expect(page.locator("#task-instruction")).to_have_text(task.instruction)
        page.locator("#task-start").tap()
        page.wait_for_url(re.compile(rf"/p/{SLUG}/v1/s{screens['Start'].pk}/\?run=\d+$"))
        bar = page.locator("#task-bar")
        expect(bar).to_have_attribute("data-outcome", "running")
        expect(bar.locator(".task-instruction")).to_have_text(task.instruction)
        expect(page.locator("#comment-toggle")).to_have_count(0)  # no commenting during a task
        run_id = bar.get_attribute("data-run")

        path = [("Start", "Formular"), ("Formular", "Acte"), ("Acte", "Statut")]
        for here, there in path:
            _on_screen(page, here)
            if here == "Formular":  # the deliberate miss: recorded, and it goes nowhere
                answer = _tap_in_task(page, run_id, *EMPTY).json()
                assert answer == {"hit": False, "led_to": None, "completed": False, "url": None}, answer
                _on_screen(page, "Formular")
                expect(bar).to_have_attribute("data-outcome", "running")
            _tap_in_task(page, run_id, *BUTTON)
            # The page goes where the server says; wait_for_url also waits for the load event,
            # so play.js is listening before the next tap.
            page.wait_for_url(re.compile(rf"/p/{SLUG}/v1/s{screens[there].pk}/\?run={run_id}$"))
        _on_screen(page, "Statut")
        expect(bar).to_have_attribute("data-outcome", "completed")
        expect(page.locator("#task-done")).to_be_visible()
        expect(page.locator("#task-give-up")).to_have_count(0)

        run = TaskRun.objects.get(pk=int(run_id))
        assert run.task == task and run.outcome == RunOutcome.COMPLETED and run.ended_at is not None
        assert run.session_key == feedback.session_key  # the same browser
        taps = list(run.taps.order_by("ms_since_start", "pk"))
        assert [(t.screen.title, t.hit, t.led_to.title if t.led_to else None) for t in taps] == [
            ("Start", True, "Formular"),
            ("Formular", False, None),
            ("Formular", True, "Acte"),
            ("Acte", True, "Statut"),
        ]
        miss = taps[1]
        assert abs(miss.x - EMPTY[0]) < 0.01 and abs(miss.y - EMPTY[1]) < 0.01, (miss.x, miss.y)
    finally:
        context.close()

    # (3) The facilitator, in another browser, sees the comment and the run in the figures.
    context = browser.new_context(**DESKTOP)
    try:
        page = context.new_page()
        page.set_default_timeout(10_000)
        page.goto(f"{live_server_url}/admin/login/")
        page.locator("#id_username").fill("facilitator")
        page.locator("#id_password").fill("atelier-demo")
        page.locator("#id_password").press("Enter")
        page.wait_for_url(re.compile(r"/admin/$"))

        page.goto(f"{live_server_url}/admin/feedback/")
        rows = page.locator("#feedback-list tr[data-feedback-id]")
        expect(rows).to_have_count(4)  # the demo's three pins and the citizen's
        row = page.locator(f'#feedback-list tr[data-feedback-id="{feedback_id}"]')
        expect(row).to_contain_text(COMMENT)
        expect(row.locator("td").nth(2)).to_have_text("Formular")
        expect(row.locator("td").nth(3)).to_have_text("2")
        expect(rows.first).to_have_attribute("data-feedback-id", str(feedback_id))  # newest first

        page.goto(f"{live_server_url}/admin/feedback/tasks/{task.pk}/")
        expect(page.locator("#runs")).to_have_text("5")
        expect(page.locator("#completion-rate")).to_have_text("80%")  # 4 of 5 finished runs reached the goal
        expect(page.locator("#task-score")).to_have_text(re.compile(r"^\s*\d{1,3}\s*$"))
    finally:
        context.close()

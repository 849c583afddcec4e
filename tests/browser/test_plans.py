"""Action plans in a real browser: an office team closes one of its items with a note, the
office page shows the new progress, and another office's team can neither see the form nor
post it."""

import re

from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.test import override_settings
from playwright.sync_api import Expect

from plans.models import ActionItem, ItemStatus, ItemUpdate
from plans.selectors import plan_progress

PHONE = {"locale": "ro-MD", "viewport": {"width": 390, "height": 844}}
NOTE = "Orarul a fost afișat în toate primăriile."

expect = Expect()  # this module's own, so the timeout does not leak into other tests
expect.set_options(timeout=10_000)


@override_settings(DEBUG=True)
def _seed():
    call_command("seed_demo")


def _log_in(page, base_url: str, username: str, then: str) -> None:
    """Wagtail's login form, sending the user on to `then` (a path)."""
    page.goto(f"{base_url}/admin/login/?next={then}")
    page.locator("#id_username").fill(username)
    page.locator("#id_password").fill("atelier-demo")
    page.locator("#id_password").press("Enter")
    page.wait_for_url(base_url + then)


def _percent(locator) -> int:
    text = locator.inner_text().strip()
    assert re.fullmatch(r"\d{1,3}%", text), text
    return int(text[:-1])


def test_team_closes_its_item_and_another_team_cannot(live_server_url, page, browser):
    _seed()
    item = ActionItem.objects.select_related("plan").get(plan__office__slug="rezina", title__startswith="Orar comun")
    assert (item.status, item.progress) == (ItemStatus.IN_PROGRESS, 50)
    rezina = get_user_model().objects.get(username="rezina")
    item_path = f"/plans/items/{item.pk}/"
    item_url = live_server_url + item_path
    office_url = f"{live_server_url}/birouri/rezina/"
    plan = page.locator(f"section.plan[data-plan-id='{item.plan_id}']")
    row = plan.locator(f"tr[data-item-id='{item.pk}']")

    # The Rezina team logs in and reads its plan's progress on the office page.
    _log_in(page, live_server_url, "rezina", then="/birouri/rezina/")
    expect(row.locator(".item-progress")).to_have_text("50%")
    expect(row.locator(".badge")).to_have_class(re.compile(r"\bstatus-in_progress\b"))
    before = _percent(plan.locator(".plan-progress-value"))

    # On the item's page it moves the item to "done" with a note (progress left as it is).
    page.goto(item_url)
    form = page.locator("#item-update-form")
    history = page.locator("#item-history > li")
    expect(form).to_have_count(1)
    expect(page.locator("#item-progress")).to_have_text("50%")
    expect(page.locator("#id_status")).to_have_value("in_progress")
    expect(page.locator("#id_progress")).to_have_value("50")
    entries_before = history.count()
    page.locator("#id_status").select_option("done")
    page.locator("#id_note").fill(NOTE)
    with page.expect_response(lambda r: r.url == item_url and r.request.method == "POST") as posted:
        page.locator("#item-update-submit").click()
    assert posted.value.status == 302  # saved and redirected; a refused form answers 400
    page.wait_for_url(item_url)
    expect(page.locator("#item-progress")).to_have_text("100%")
    expect(page.locator("#id_status")).to_have_value("done")
    # The newest history entry (first) has the note and who made the change.
    expect(history).to_have_count(entries_before + 1)
    expect(history.first).to_contain_text(NOTE)
    expect(history.first.locator(".meta")).to_contain_text(str(rezina))

    item.refresh_from_db()
    assert item.status == ItemStatus.DONE
    update = item.updates.order_by("-pk").first()
    assert (update.user, update.note) == (rezina, NOTE)
    assert update.changes["status"] == [ItemStatus.IN_PROGRESS, ItemStatus.DONE]

    # The office page shows the item at 100% and a higher plan progress.
    page.goto(office_url)
    expect(row.locator(".item-progress")).to_have_text("100%")
    expect(row.locator(".badge")).to_have_class(re.compile(r"\bstatus-done\b"))
    after = _percent(plan.locator(".plan-progress-value"))
    assert after > before, (before, after)
    assert after == plan_progress(list(item.plan.items.all())), after

    # Another office's team, in a fresh browser: it may read the item but gets no form,
    # and posting the form anyway is refused and changes nothing.
    revision, updates = item.revision, ItemUpdate.objects.filter(item=item).count()
    context = browser.new_context(**PHONE)
    try:
        other = context.new_page()
        other.set_default_timeout(10_000)
        _log_in(other, live_server_url, "calarasi", then=item_path)
        expect(other.locator("h1")).to_have_text(item.title)
        expect(other.locator("#item-history > li").first).to_contain_text(NOTE)
        expect(other.locator("#item-update-form")).to_have_count(0)
        expect(other.locator("#id_status")).to_have_count(0)

        token = next(c["value"] for c in context.cookies(live_server_url) if c["name"] == "csrftoken")
        response = other.request.post(item_url, form={
            "csrfmiddlewaretoken": token, "status": "in_progress", "progress": "10",
            "note": "Nu ar trebui să treacă.", "revision": str(revision),
        }, max_redirects=0)
        assert response.status == 403, response.status
        # Refused by the view, not by the CSRF check (whose page says so).
        assert "CSRF" not in response.text()
    finally:
        context.close()

    item.refresh_from_db()
    assert (item.status, item.revision) == (ItemStatus.DONE, revision)
    assert ItemUpdate.objects.filter(item=item).count() == updates

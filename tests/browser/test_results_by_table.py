"""The results by table in Chromium on a phone (issue #18): a facilitator reads each table's
ranking under its heading, with no WCAG 2.1 A/AA violation and nothing wider than the screen,
then sends Rezina's table's top two ideas to Rezina's plan and lands back on that table with
the news. Screenshots go to var/screenshots/tables/."""

import re

from axe_playwright_python.sync_playwright import Axe
from django.conf import settings
from playwright.sync_api import Expect

from ideas.models import Table, Vote
from plans.models import ActionPlan
from tests.factories import WorkshopPageFactory
from tests.ideas.factories import IdeaFactory, ParticipantFactory

CODE = "MESE19"
PHONE = {"locale": "ro-MD", "viewport": {"width": 390, "height": 844}}
WCAG = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]}}
SHOTS = settings.VAR_DIR / "screenshots" / "tables"

expect = Expect()  # this module's own, so the timeout does not leak into other tests
expect.set_options(timeout=10_000)


def test_a_facilitator_sends_a_table_s_top_ideas_to_its_office_plan_from_a_phone(live_server_url, browser, tree,
                                                                                 facilitator):
    workshop = WorkshopPageFactory(parent=tree["workshop_index"], title="Echipa mobilă", join_code=CODE,
                                   phase="results")
    workshop.offices.set([tree["rezina"], tree["calarasi"]])
    workshop.save()
    voters = [ParticipantFactory(workshop=workshop) for _ in range(4)]
    for position, (slug, name, office) in enumerate((("rezina", "Rezina", tree["rezina"]),
                                                      ("calarasi", "Călărași", tree["calarasi"]),
                                                      ("primaria", "Primăria", None))):
        table = Table.objects.create(workshop=workshop, slug=slug, name=name, office=office, position=position)
        for k in range(3):
            idea = IdeaFactory(workshop=workshop, table=table,
                               text=f"{name}: o idee destul de lungă ca să se rupă pe un telefon îngust, nr. {k}")
            Vote.objects.bulk_create(Vote(participant=voters[v], idea=idea) for v in range(3 - k))
    plan = ActionPlan.objects.create(office=tree["rezina"], title="Planul Rezina 2026")
    ActionPlan.objects.create(office=tree["calarasi"], title="Planul Călărași 2026")
    SHOTS.mkdir(parents=True, exist_ok=True)

    context = browser.new_context(**PHONE)
    page = context.new_page()
    page.set_default_timeout(10_000)
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    try:
        page.goto(f"{live_server_url}/admin/login/")
        page.locator("#id_username").fill("facilitator")
        page.locator("#id_password").fill("pw")
        page.locator("#id_password").press("Enter")
        page.wait_for_url(re.compile(r"/admin/$"))
        page.goto(f"{live_server_url}/w/{CODE}/results/")

        rezina = page.locator("#table-rezina")
        expect(rezina.locator("h3")).to_have_text("Rezina")
        expect(page.locator("#table-calarasi form.table-to-plan")).to_be_visible()
        expect(page.locator("#table-primaria form")).to_have_count(0)  # a table of no office
        assert page.evaluate("document.documentElement.scrollWidth <= document.documentElement.clientWidth")
        result = Axe().run(page, options=WCAG)
        assert [f"{v['id']}: {v['help']}" for v in result.response["violations"]] == []
        rezina.scroll_into_view_if_needed()
        page.screenshot(path=str(SHOTS / "results-by-table-phone.png"), full_page=True)

        rezina.locator("input[name=n]").fill("2")
        rezina.get_by_role("button").click()
        page.wait_for_url(re.compile(rf"/w/{CODE}/results/#table-rezina$"))
        expect(rezina.locator(".table-messages")).to_contain_text("Planul Rezina 2026")
        expect(rezina.locator(".table-messages")).to_be_in_viewport()
        assert list(plan.items.values_list("title", flat=True)) == [
            "Rezina: o idee destul de lungă ca să se rupă pe un telefon îngust, nr. 0",
            "Rezina: o idee destul de lungă ca să se rupă pe un telefon îngust, nr. 1",
        ]
        expect(page.locator("#results-table .idea-actions")).to_have_count(2)
        page.screenshot(path=str(SHOTS / "results-by-table-sent.png"))
        assert errors == []
    finally:
        context.close()

"""Tables in Chromium (issue #18), set up as in the demo: three tables (Dubăsari, Călărași,
Rezina) and a brainstorm run by table collecting ideas. Three phones join, each at another
table, and post an idea: each phone reads its own table's idea alone, the wall (1920×1080) and
the facilitator's console (a phone) show a column per table without scrolling sideways; at the
results every phone reads all three, the facilitator sends Rezina's top idea to Rezina's plan
from the results page, and Rezina's team finds it there. Screenshots go to
var/screenshots/tables/."""

import re

from django.conf import settings
from playwright.sync_api import Expect

from ideas.models import Activity, Idea, Table
from plans.models import ActionPlan
from tests.factories import WorkshopPageFactory

CODE = "MESE18"
TIMEOUT = 10_000
PHONE = {"locale": "ro-MD", "viewport": {"width": 390, "height": 844}}
WALL = {"locale": "ro-MD", "viewport": {"width": 1920, "height": 1080}}
SHOTS = settings.VAR_DIR / "screenshots" / "tables"
# (slug, name, who sits there, their idea)
SEATS = (
    ("dubasari", "Dubăsari", "Maria", "Scaner portabil în mașina echipei mobile"),
    ("calarasi", "Călărași", "Ion", "Programare online, cu SMS de confirmare"),
    ("rezina", "Rezina", "Elena", "Formular tipărit la ghișeul primăriei"),
)

expect = Expect()  # this module's own, so the timeout does not leak into other tests
expect.set_options(timeout=TIMEOUT)


def no_sideways_scroll(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= document.documentElement.clientWidth")


def test_three_tables_brainstorm_apart_and_read_each_other_at_the_results(
    live_server_url, browser, tree, facilitator, rezina_member
):
    workshop = WorkshopPageFactory(parent=tree["workshop_index"], title="Echipa mobilă", join_code=CODE, phase="ideas",
                                   dots_per_participant=3)
    for position, (slug, name, _who, _idea) in enumerate(SEATS):
        Table.objects.create(workshop=workshop, slug=slug, name=name, position=position, office=tree.get(slug))
    plan = ActionPlan.objects.create(office=tree["rezina"], title="Planul Rezina 2026", published=True)
    Activity.objects.create(workshop=workshop, position=1, kind="brainstorm", title="Ce ar ajuta echipa mobilă?",
                            dots_per_participant=3, by_table=True, is_current=True, phase="ideas")
    SHOTS.mkdir(parents=True, exist_ok=True)
    url = f"{live_server_url}/w/{CODE}/"
    contexts, errors = [], []

    def open_page(options):
        context = browser.new_context(**options)
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(TIMEOUT)
        page.on("pageerror", lambda error: errors.append(str(error)))
        return page

    try:
        wall = open_page(WALL)
        wall.goto(url + "screen/")
        console = open_page(PHONE)
        console.goto(f"{live_server_url}/admin/login/")
        console.locator("#id_username").fill("facilitator")
        console.locator("#id_password").fill("pw")
        console.locator("#id_password").press("Enter")
        console.wait_for_url(re.compile(r"/admin/$"))
        console.goto(url + "present/")
        expect(console.locator("#facilitator-controls")).to_be_visible()

        phones = {}
        for slug, name, who, idea in SEATS:
            phone = phones[slug] = open_page(PHONE)
            phone.goto(url)
            phone.locator("#id_display_name").fill(who)
            phone.locator("input[name=role][value=citizen]").check()
            phone.locator("#id_table").select_option(slug)
            phone.locator("#participant-join-submit").click()
            expect(phone.locator("#live-root")).to_have_attribute("data-joined", "true")
            expect(phone.locator("#my-table")).to_be_visible()
            expect(phone.locator("#my-table-name")).to_have_text(name)
            # The server draws the joined screen: its scripts (the socket) come by `load`; a form
            # sent sooner posts without them, and reloads the page.
            phone.wait_for_load_state("load")
            phone.evaluate("window.__notReloaded = true")  # gone if the page ever reloads
            phone.locator("#idea-text").fill(idea)
            phone.locator("#idea-submit").click()
            expect(phone.locator("#idea-list > li.idea").first).to_contain_text(idea)
        assert sorted(Idea.objects.filter(workshop=workshop).values_list("table__slug", flat=True)) == sorted(phones)

        # The wall: a column per table, side by side in the room's order, one idea in each.
        columns = wall.locator("#board-tables > .screen-table")
        expect(columns).to_have_count(3)
        for n, (_slug, name, _who, idea) in enumerate(SEATS):
            expect(columns.nth(n).locator(".screen-table-name")).to_have_text(name)
            expect(columns.nth(n).locator(".screen-idea")).to_have_count(1)
            expect(columns.nth(n).locator(".screen-idea")).to_contain_text(idea)
        expect(wall.locator("#board-list > li")).to_have_count(0)
        tops = {round(columns.nth(n).bounding_box()["y"]) for n in range(3)}
        assert len(tops) == 1, "the columns stand side by side"
        assert no_sideways_scroll(wall)
        wall.screenshot(path=str(SHOTS / "screen-ideas.png"))

        # The console, on a phone: the same columns, one under the other.
        groups = console.locator("#chart.is-tables > .chart-group")
        expect(groups).to_have_count(3)
        for n, (_slug, name, _who, idea) in enumerate(SEATS):
            expect(groups.nth(n).locator(".chart-group-title")).to_have_text(name)
            expect(groups.nth(n).locator(".bar-row")).to_have_count(1)
            expect(groups.nth(n).locator(".bar-label")).to_have_text(idea)
        assert no_sideways_scroll(console)
        console.screenshot(path=str(SHOTS / "console-ideas.png"), full_page=True)

        # Every idea reached the wall, so any that went to the wrong phone would be there by now.
        for slug, _name, _who, idea in SEATS:
            expect(phones[slug].locator("#idea-list > li.idea")).to_have_count(1)
            expect(phones[slug].locator("#idea-list > li.idea")).to_contain_text(idea)
        phones["dubasari"].screenshot(path=str(SHOTS / "phone-ideas.png"), full_page=True)

        # The results: every phone reads every table's idea, without a reload.
        console.locator(".phase-btn[data-phase=results]").click()
        expect(console.locator(".phase-btn[data-phase=results]")).to_have_attribute("aria-pressed", "true")
        for phone in phones.values():
            expect(phone.locator("#live-root")).to_have_attribute("data-phase", "results")
            expect(phone.locator("#idea-list > li.idea")).to_have_count(3)
            for _slug, _name, _who, idea in SEATS:
                expect(phone.locator("#idea-list")).to_contain_text(idea)
            assert phone.evaluate("window.__notReloaded") is True
        phones["rezina"].screenshot(path=str(SHOTS / "phone-results.png"), full_page=True)
        # The wall ranks the whole room again; the console groups by topic.
        expect(wall.locator("#board-list > li")).to_have_count(3)
        expect(wall.locator("#board-tables")).to_be_hidden()
        expect(console.locator("#chart.is-tables")).to_have_count(0)
        wall.screenshot(path=str(SHOTS / "screen-results.png"))

        # From Rezina's table to Rezina's plan, in one step on the results page.
        console.goto(url + "results/")
        rezina = console.locator("#table-rezina")
        expect(rezina.locator("h3")).to_have_text("Rezina")
        rezina.locator("input[name=n]").fill("1")
        rezina.get_by_role("button").click()
        expect(rezina.locator(".table-messages")).to_contain_text("Planul Rezina 2026")
        assert list(plan.items.values_list("title", flat=True)) == [SEATS[2][3]]
        # Rezina's team logs in and finds the item in its office's plan.
        team = open_page(PHONE)
        office = tree["rezina"].get_url()
        team.goto(f"{live_server_url}/admin/login/?next={office}")
        team.locator("#id_username").fill("rezina")
        team.locator("#id_password").fill("pw")
        team.locator("#id_password").press("Enter")
        team.wait_for_url(live_server_url + office)
        expect(team.locator(f"section.plan[data-plan-id='{plan.pk}']")).to_contain_text(SEATS[2][3])
        assert errors == []
    finally:
        for context in contexts:
            context.close()

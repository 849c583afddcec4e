"""Paper participation in real browsers: a helper types in two people without a phone (their
ideas and dots) and a paper tally sheet, from the keyboard; the projector's chart follows live
and the results page shows the split by channel. Then the poster and the one-page summary are
printed to PDF in Chromium (A4), and the PDF text (read with pypdf) holds every idea."""

import io
import os
import re
from pathlib import Path

from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Expect
from pypdf import PdfReader

from ideas import services
from ideas.models import Participant, TallySheet, Vote
from tests.factories import WorkshopPageFactory
from tests.ideas.factories import IdeaFactory, ParticipantFactory

CODE = "HART12"
TIMEOUT = 10_000
IDEA_ANA = "Formular tipărit la ghișeu, cu ajutor"
IDEA_P2 = "Echipa mobilă vine și în satul nostru"
PROJECTOR = {"locale": "ro-MD", "viewport": {"width": 1280, "height": 800}}
LAPTOP = {"locale": "ro-MD", "viewport": {"width": 1100, "height": 900}}

# Set ATELIER_SAVE_PRINTS=/some/dir to keep the PDFs (and a screenshot) for a look by eye.
SAVE_TO = (
    Path(os.environ["ATELIER_SAVE_PRINTS"])
    if os.environ.get("ATELIER_SAVE_PRINTS")
    else None
)

WCAG = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]}}

expect = Expect()
expect.set_options(timeout=TIMEOUT)


def log_in(page, base_url: str, username: str) -> None:
    page.goto(f"{base_url}/admin/login/")
    page.locator("#id_username").fill(username)
    page.locator("#id_password").fill("pw")
    page.locator("#id_password").press("Enter")
    page.wait_for_url(re.compile(r"/admin/$"))


def bar_row(page, idea_id: int):
    return page.locator(f'#chart li.bar-row[data-idea-id="{idea_id}"]')


def test_a_helper_enters_paper_participants_and_a_tally_sheet_live(
    live_server_url, browser, tree, facilitator, rezina_member
):
    workshop = WorkshopPageFactory(
        parent=tree["workshop_index"],
        join_code=CODE,
        phase="ideas",
        dots_per_participant=3,
    )
    services.helper_grant(user=facilitator, workshop=workshop, helper=rezina_member)
    contexts, errors = [], []

    def open_page(options):
        context = browser.new_context(**options)
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(TIMEOUT)
        page.on("pageerror", lambda error: errors.append(str(error)))
        return page

    try:
        presenter = open_page(PROJECTOR)
        log_in(presenter, live_server_url, "facilitator")
        presenter.goto(f"{live_server_url}/w/{CODE}/present/")
        expect(presenter.locator("#facilitator-controls")).to_be_visible()
        presenter.evaluate("window.__notReloaded = true")

        helper = open_page(LAPTOP)
        log_in(helper, live_server_url, "rezina")
        helper.goto(f"{live_server_url}/w/{CODE}/assist/")

        # Keyboard first: the name field has the focus; Enter adds the person and selects them,
        # and the idea field has the focus next.
        expect(helper.locator("#id_display_name")).to_be_focused()
        helper.keyboard.type("Ana")
        helper.keyboard.press("Enter")
        expect(helper.locator("#for-heading")).to_contain_text("Ana")
        expect(helper.locator("#id_text")).to_be_focused()
        helper.keyboard.type(IDEA_ANA)
        helper.locator("#proxy-idea-submit").press("Enter")
        expect(helper.locator("#assist-ideas")).to_contain_text(IDEA_ANA)

        # The second person has no name to give: "Participant 2".
        helper.locator("#id_display_name").focus()
        helper.keyboard.press("Enter")
        expect(helper.locator("#for-heading")).to_contain_text("2")
        helper.keyboard.type(IDEA_P2)
        helper.locator("#proxy-idea-submit").press("Enter")
        expect(helper.locator("#assist-ideas > li")).to_have_count(2)

        # Both ideas are on the projector without a reload.
        expect(presenter.locator("#chart li.bar-row")).to_have_count(2)
        ana, second = Participant.objects.filter(is_proxy=True).order_by("pk")
        assert second.display_name.endswith("2")
        id_ana = ana.ideas.get().pk
        id_p2 = second.ideas.get().pk

        # The facilitator opens voting; the helper types each person's dots by idea number.
        presenter.locator(
            '#facilitator-controls .phase-btn[data-phase="voting"]'
        ).click()
        expect(presenter.locator("#live-root")).to_have_attribute(
            "data-phase", "voting"
        )
        helper.goto(f"{live_server_url}/w/{CODE}/assist/?p={ana.pk}")
        expect(helper.locator("#id_numbers")).to_be_focused()
        helper.keyboard.type("1 2 2")
        helper.keyboard.press("Enter")
        expect(helper.locator("#selected-dots")).to_contain_text("0")
        helper.locator(f'#proxy-people a[data-participant-id="{second.pk}"]').click()
        expect(helper.locator("#id_numbers")).to_be_focused()
        helper.keyboard.type(
            "1 1 1 1"
        )  # one more than the budget: refused, nothing placed
        helper.keyboard.press("Enter")
        expect(helper.locator("#paper-error")).to_be_visible()
        assert Vote.objects.filter(participant=second).count() == 0
        helper.locator("#id_numbers").fill("1")
        helper.locator("#id_numbers").press("Enter")
        expect(helper.locator("#paper-status")).to_contain_text(re.compile(r"\d"))

        expect(bar_row(presenter, id_ana)).to_have_attribute("data-votes", "2")
        expect(bar_row(presenter, id_p2)).to_have_attribute("data-votes", "2")
        expect(bar_row(presenter, id_ana)).to_have_attribute("data-proxy", "2")

        # The paper poster's stickers: 10 people voted on paper.
        helper.goto(f"{live_server_url}/w/{CODE}/tally/")
        expect(helper.locator("#tally-voters")).to_be_focused()
        helper.keyboard.type("10")
        helper.locator(f"#tally-count-{id_ana}").fill("5")
        helper.locator(f"#tally-count-{id_p2}").fill("1")
        helper.locator(f"#tally-count-{id_p2}").press("Enter")
        expect(helper.locator('#tally-sheets tr[data-current="true"]')).to_have_count(1)
        assert TallySheet.objects.get().entered_by == rezina_member

        # The projector's chart follows the paper dots live, and says which part is paper.
        expect(bar_row(presenter, id_ana)).to_have_attribute("data-votes", "7")
        expect(bar_row(presenter, id_ana)).to_have_attribute("data-paper", "5")
        expect(bar_row(presenter, id_p2)).to_have_attribute("data-votes", "3")
        expect(bar_row(presenter, id_ana).locator(".bar-split")).to_be_visible()
        expect(bar_row(presenter, id_ana).locator(".bar-split")).to_contain_text("5")

        # The results page shows the split by channel.
        helper.goto(f"{live_server_url}/w/{CODE}/results/")
        row = helper.locator(f'#results-table tr[data-idea-id="{id_ana}"]')
        expect(row.locator('[data-channel="phone"]')).to_have_text("0")
        expect(row.locator('[data-channel="proxy"]')).to_have_text("2")
        expect(row.locator('[data-channel="paper"]')).to_have_text("5")
        expect(helper.locator("#votes-by-channel")).to_contain_text("6")
        expect(helper.locator("#paper-sheets tbody tr")).to_have_count(1)
        expect(row.locator(".entered-by")).to_be_visible()

        # The helper's screens pass axe-core's WCAG 2.1 A/AA rules.
        for path in (f"assist/?p={ana.pk}", "tally/", "results/"):
            helper.goto(f"{live_server_url}/w/{CODE}/{path}")
            violations = Axe().run(helper, options=WCAG).response["violations"]
            assert [v["id"] for v in violations] == [], path

        assert presenter.evaluate("window.__notReloaded") is True
        assert errors == []
    finally:
        for context in contexts:
            context.close()


def pdf_of(browser, url: str) -> PdfReader:
    context = browser.new_context(locale="ro-MD")
    try:
        page = context.new_page()
        page.goto(url)
        page.emulate_media(media="print")
        pdf = page.pdf(format="A4")
        if SAVE_TO:
            (SAVE_TO / (url.rstrip("/").rsplit("/", 1)[-1] + ".pdf")).write_bytes(pdf)
            page.screenshot(
                path=str(SAVE_TO / (url.rstrip("/").rsplit("/", 1)[-1] + ".png")),
                full_page=True,
            )
        return PdfReader(io.BytesIO(pdf))
    finally:
        context.close()


def squeeze(text: str) -> str:
    """Text without any whitespace: a PDF breaks lines where the page did."""
    return re.sub(r"\s+", "", text)


def test_the_poster_and_the_summary_print_on_a4_with_every_idea(
    live_server_url, browser, tree
):
    workshop = WorkshopPageFactory(
        parent=tree["workshop_index"],
        join_code=CODE,
        phase="ideas",
        dots_per_participant=3,
    )
    texts = [
        "Scaner în mașina echipei mobile",
        "Programare online la BCIS",
        "Formular mai scurt pentru indemnizație",
        "Ghișeu unic pentru prestatori",
        "Plata la ghișeu cu cardul",
        "Orar prelungit joia",
    ]
    ideas = [IdeaFactory(workshop=workshop, text=text) for text in texts]
    Vote.objects.create(
        participant=ParticipantFactory(workshop=workshop), idea=ideas[1]
    )
    type(workshop).objects.filter(pk=workshop.pk).update(phase="results")

    poster = pdf_of(browser, f"{live_server_url}/w/{CODE}/poster/")
    poster_text = squeeze(" ".join(page.extract_text() for page in poster.pages))
    assert len(poster.pages) == 1
    for text in texts:
        assert squeeze(text) in poster_text, text
    assert CODE in poster_text
    width, height = (
        float(poster.pages[0].mediabox.width),
        float(poster.pages[0].mediabox.height),
    )
    assert (
        abs(width - 595) < 2 and abs(height - 842) < 2
    )  # A4 in points (Chromium: 8.27 × 11.7 in)

    summary = pdf_of(browser, f"{live_server_url}/w/{CODE}/summary/")
    assert len(summary.pages) == 1
    summary_text = squeeze(summary.pages[0].extract_text())
    for text in texts:
        assert squeeze(text) in summary_text, text

"""The results page and the exports of a run of show (issue #17, "Results everywhere, split by
role"): every activity in run-of-show order, each of everyone and then citizens beside
providers and office staff, the note where citizens and providers disagree, a blind activity
kept from participants until its results; one CSV section and one XLSX sheet per activity.

Expected sentences are looked up in the catalogue the page uses (gettext), so the tests hold in
whichever state the translations are."""

import csv
import html
import io
import re

import pytest
from django.core.cache import cache
from django.test import Client
from django.utils import translation
from django.utils.translation import gettext, ngettext
from openpyxl import load_workbook

from ideas.kinds import KINDS
from ideas.kinds.words import word_key
from ideas.models import Activity, WordEntry
from tests.api.rooms import answered_room, set_activity_phase
from tests.ideas.factories import ParticipantFactory

pytestmark = pytest.mark.django_db

SECTIONS = ("poll", "scale", "brainstorm", "words")


@pytest.fixture(autouse=True)
def _clear_cache():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def room(workshop):
    return answered_room(workshop)


def visible_text(markup: str) -> str:
    """What a reader sees: tags dropped, entities decoded, blanks collapsed."""
    markup = re.sub(r"<(script|style)\b.*?</\1>", " ", markup, flags=re.S)
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", markup)).split())


def section(page: str, element_id: str) -> str:
    """The markup of the <section id=…> (sections nest, so count them)."""
    start = page.index(f'<section id="{element_id}"')
    depth, position = 0, start
    for match in re.finditer(r"<section\b|</section>", page[start:]):
        depth += 1 if match.group() == "<section" else -1
        if depth == 0:
            position = start + match.end()
            break
    return page[start:position]


def panels(markup: str) -> dict[str, str]:
    """The role panels of an activity, in page order: role → visible text."""
    found = {}
    for role in re.findall(r'<section class="role-panel" data-role="(\w+)"', markup):
        start = markup.index(">", markup.index(f'data-role="{role}"')) + 1
        found[role] = visible_text(markup[start: markup.index("</section>", start)])
    return found


def panels_markup(markup: str, role: str) -> str:
    """The markup of one role's panel."""
    start = markup.index(f'data-role="{role}"')
    return markup[start: markup.index("</section>", start)]


def ro(message: str, **values) -> str:
    with translation.override("ro"):
        return gettext(message) % values if values else gettext(message)


def results_page(client=None) -> str:
    response = (client or Client()).get("/w/LIVE23/results/")
    assert response.status_code == 200
    return response.content.decode()


def test_the_page_shows_every_activity_in_run_of_show_order(room):
    page = results_page()
    ids = [int(n) for n in re.findall(r'<section id="activity-(\d+)" class="activity-results"', page)]
    assert ids == [room[kind].pk for kind in SECTIONS]
    for number, kind in enumerate(SECTIONS, start=1):
        assert visible_text(section(page, f"activity-{room[kind].pk}")).startswith(f"{number}. {room[kind].title}")
    assert re.search(r"1\. Din ce raion veniți\?.*2\. Cât de ușor este azi….*3\. Echipa mobilă.*"
                     r"4\. Un cuvânt pentru BCIS-ul ideal", visible_text(page))


def test_a_poll_shows_each_option_with_its_count_and_share_for_everyone_and_by_role(room):
    markup = section(results_page(), f"activity-{room['poll'].pk}")
    everyone = visible_text(section(markup, f"activity-{room['poll'].pk}").split('<div class="role-grid">')[0])
    for option, count, share in (("Dubăsari", 3, 60), ("Călărași", 1, 20), ("Rezina", 1, 20), ("alt raion", 0, 0)):
        assert f"{option} {ro('%(count)s (%(share)s%%)', count=count, share=share)}" in everyone
    with translation.override("ro"):
        assert ngettext("%(n)s person answered", "%(n)s people answered", 5) % {"n": 5} in everyone
    # Citizens beside providers and office staff; nobody of another role answered.
    by_role = panels(markup)
    assert list(by_role) == ["citizen", "provider", "office_staff"]
    assert by_role["citizen"].startswith(ro("Citizens"))
    assert f"Dubăsari {ro('%(count)s (%(share)s%%)', count=2, share=100)}" in by_role["citizen"]
    assert f"Rezina {ro('%(count)s (%(share)s%%)', count=1, share=50)}" in by_role["provider"]
    assert f"Călărași {ro('%(count)s (%(share)s%%)', count=1, share=100)}" in by_role["office_staff"]
    # Each bar's width is a class (no style attribute under the CSP), its number is text.
    assert 'class="chart-fill pct-60"' in markup and "style=" not in markup


def test_the_page_says_where_citizens_and_providers_disagree(room):
    page = results_page()
    poll = visible_text(section(page, f"activity-{room['poll'].pk}"))
    scale = visible_text(section(page, f"activity-{room['scale'].pk}"))
    words = visible_text(section(page, f"activity-{room['words'].pk}"))
    lead = ro("Citizens and providers see it differently:")
    assert lead in poll and lead in scale and lead not in words
    statement = room["scale"].statements.first()
    with translation.override("ro"):
        scale_sentence = KINDS["scale"].disagreement_text(
            {"text": statement.text, "citizen": 0.0, "provider": 100.0, "points": 100.0})
        poll_sentence = KINDS["poll"].disagreement_text(
            {"text": "Rezina", "citizen": 0.0, "provider": 50.0, "points": 50.0})
    assert visible_text(scale_sentence) in scale and "100" in scale_sentence and statement.text in scale_sentence
    assert visible_text(poll_sentence) in poll
    # The note comes before the figures it is about.
    assert scale.index(lead) < scale.index(ro("Everyone"))


def test_a_scale_shows_each_statements_distribution_and_mean(room):
    markup = section(results_page(), f"activity-{room['scale'].pk}")
    text = visible_text(markup)
    assert "1 = foarte greu" in text and "5 = foarte ușor" in text
    with translation.override("ro"):
        first = re.search(re.escape("să aflu ce acte trebuie") + r" (.*?) să depun cererea", text).group(1)
        assert gettext("mean %(mean)s") % {"mean": "3,0"} in first
        assert "1: 1 2: 1 3: 0 4: 1 5: 1" in first
        # The stacked bar: one part per rating, a quarter each here, drawn by classes.
    assert markup.count('class="stack-part rate-1 pct-25"') == 1
    by_role = panels(markup)
    with translation.override("ro"):
        assert gettext("mean %(mean)s") % {"mean": "1,5"} in by_role["citizen"]
        assert gettext("mean %(mean)s") % {"mean": "4,5"} in by_role["provider"]
        assert gettext("No ratings yet.") in by_role["office_staff"]


BAR = re.compile(r'<span class="chart-label">([^<]+)</span>\s*<span class="chart-figure">([^<]+)</span>\s*'
                 r'<span class="chart-track" aria-hidden="true"><span class="chart-fill pct-(\d+)"></span>')


def test_a_word_cloud_draws_its_words_as_bars_for_everyone_and_by_role(room):
    """Four people answered: "acte" from three, "rapid" from two (a citizen and the office's
    staff member), "online" from one; each bar as wide as its share of those four, its count
    and share written beside it."""
    markup = section(results_page(), f"activity-{room['words'].pk}")
    everyone, roles = markup.split('<div class="role-grid">')

    def bars(html: str) -> list[tuple]:
        return [(label.casefold(), figure, int(width)) for label, figure, width in BAR.findall(html)]

    def figure(count, share):
        return ro("%(count)s (%(share)s%%)", count=count, share=share)

    assert bars(everyone) == [("acte", figure(3, 75), 75), ("rapid", figure(2, 50), 50), ("online", figure(1, 25), 25)]
    by_role = panels(markup)
    assert f"rapid {figure(1, 100)}" in by_role["office_staff"]
    assert f"{figure(2, 100)}" in by_role["citizen"] and f"rapid {figure(1, 50)}" in by_role["citizen"]
    assert "rapid" not in by_role["provider"]
    # The bars are drawn by classes, their numbers are text.
    assert "pct-100" in roles and "style=" not in markup


def test_a_word_cloud_lists_the_words_past_its_bars_in_a_line(workshop):
    """Ten bars for everyone, five in a role's panel; the others follow as text, with counts."""
    room = answered_room(workshop)
    for n in range(12):  # twelve more citizens, a word each (given while the cloud was open)
        WordEntry.objects.create(participant=ParticipantFactory(workshop=workshop, role="citizen"),
                                 activity=room["words"], text=f"cuvânt{n:02}", key=word_key(f"cuvânt{n:02}"))
    markup = section(results_page(), f"activity-{room['words'].pk}")
    everyone, _roles = markup.split('<div class="role-grid">')
    assert len(BAR.findall(everyone)) == 10
    assert len(BAR.findall(panels_markup(markup, "citizen"))) == 5
    rest = visible_text(re.search(r'<p class="word-rest">(.*?)</p>', everyone, re.S).group(1))
    # 15 words, ten of them in bars: "acte", "rapid", then the ones given once by their text
    # ("Online" before "cuvânt00", as written).
    assert rest == f"{ro('Also said:')} cuvânt07 (1), cuvânt08 (1), cuvânt09 (1), cuvânt10 (1), cuvânt11 (1)"


def test_the_brainstorm_shows_its_ranking_and_the_ideas_each_role_voted_for(room):
    page = results_page()
    markup = section(page, f"activity-{room['brainstorm'].pk}")
    ours, theirs = room["ideas"]
    assert '<table id="results-table"' in markup
    ranking = re.findall(r'<tr[^>]* data-idea-id="(\d+)"[^>]*>', markup)
    assert ranking == [str(ours.pk), str(theirs.pk)]
    by_role = panels(markup)
    with translation.override("ro"):
        two, one = (ngettext("%(n)s vote", "%(n)s votes", n) % {"n": n} for n in (2, 1))
        assert f"{ours.text} {two}" in by_role["citizen"] and f"{theirs.text} {one}" in by_role["citizen"]
        assert f"{ours.text} {one}" in by_role["provider"] and theirs.text not in by_role["provider"]
        assert gettext("No votes from them yet.") in by_role["office_staff"]
    assert page.count('id="results-table"') == 1


def test_a_blind_activity_is_kept_from_participants_until_its_results(room, facilitator):
    poll = room["poll"]
    Activity.objects.filter(pk=poll.pk).update(blind=True)
    set_activity_phase(poll, "open")
    hidden = section(results_page(), f"activity-{poll.pk}")
    note = ro("Blind until revealed: the results appear here once the facilitator shows them.")
    assert note in visible_text(hidden)
    assert "Dubăsari" not in hidden and "role-panel" not in hidden
    staff = Client()
    staff.force_login(facilitator)
    seen = section(results_page(staff), f"activity-{poll.pk}")
    assert "Dubăsari" in seen and note not in visible_text(seen)
    set_activity_phase(poll, "results")
    assert "Dubăsari" in section(results_page(), f"activity-{poll.pk}")


def test_the_page_renders_in_russian_too(room):
    client = Client()
    client.cookies["atelier_language"] = "ru"
    page = results_page(client)
    assert page.count('class="activity-results"') == 4


# --- exports -------------------------------------------------------------------------------------

def test_the_csv_has_the_ideas_then_one_section_per_activity_with_role_columns(room):
    response = Client().get("/w/LIVE23/results.csv")
    assert response.status_code == 200
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    # The ideas first, as always: header then one row per idea.
    assert rows[1][1] == room["ideas"][0].text and rows[2][1] == room["ideas"][1].text
    titles = [row[0] for n, row in enumerate(rows) if n and rows[n - 1] == []]
    assert titles == ["1. Din ce raion veniți?", "2. Cât de ușor este azi…", "3. Echipa mobilă",
                      "4. Un cuvânt pentru BCIS-ul ideal"]
    start = rows.index(next(row for row in rows if row and row[0] == "1. Din ce raion veniți?"))
    header, dubasari = rows[start + 1], rows[start + 2]
    with translation.override("ro"):
        answers = gettext("answers")
        assert header == [gettext("Option"), *(f"{gettext(group)}: {measure}" for group in (
            "Everyone", "Citizens", "Service providers", "Office staff", "Other participants") for measure in (answers, "%"))]
    assert dubasari == ["Dubăsari", "3", "60.0", "2", "100.0", "1", "50.0", "0", "0.0", "0", "0.0"]
    assert any(row and row[0] == ro("Citizens and providers see it differently:") for row in rows[start:])


def test_a_blind_activity_is_kept_out_of_the_public_csv(room):
    Activity.objects.filter(pk=room["poll"].pk).update(blind=True)
    set_activity_phase(room["poll"], "open")
    rows = list(csv.reader(io.StringIO(Client().get("/w/LIVE23/results.csv").content.decode("utf-8-sig"))))
    start = rows.index(next(row for row in rows if row and row[0] == "1. Din ce raion veniți?"))
    assert rows[start + 1] == [ro("Blind until revealed: the results appear here once the facilitator shows them.")]
    assert rows[start + 2] == []


def test_the_xlsx_has_one_sheet_per_activity_after_the_ideas(room, facilitator):
    client = Client()
    client.force_login(facilitator)
    response = client.get("/w/LIVE23/results.xlsx")
    assert response.status_code == 200
    book = load_workbook(io.BytesIO(response.content))
    # Named as Excel allows (no "?", at most 31 characters); the first row has the whole title.
    assert book.sheetnames[5:] == ["1. Din ce raion veniți-", "2. Cât de ușor este azi…", "3. Echipa mobilă",
                                   "4. Un cuvânt pentru BCIS-ul ide"]
    assert len(book.sheetnames) == 9
    poll = [list(row) for row in book["1. Din ce raion veniți-"].iter_rows(values_only=True)]
    assert poll[0][0] == "1. Din ce raion veniți?"
    assert book["4. Un cuvânt pentru BCIS-ul ide"]["A1"].value == "4. Un cuvânt pentru BCIS-ul ideal"
    assert poll[2] == ["Dubăsari", 3, 60, 2, 100, 1, 50, 0, 0, 0, 0]
    scale = [list(row) for row in book["2. Cât de ușor este azi…"].iter_rows(values_only=True)]
    # Everyone: ratings, mean, 1..5, % 4 or 5; then citizens the same.
    assert scale[2][:17] == ["să aflu ce acte trebuie", 4, 3, 1, 1, 0, 1, 1, 50, 2, 1.5, 1, 1, 0, 0, 0, 0]
    words = [list(row) for row in book["4. Un cuvânt pentru BCIS-ul ide"].iter_rows(values_only=True)]
    assert [(str(row[0]).casefold(), *row[1:]) for row in words[2:5]] == [
        ("acte", 3, 2, 1, 0, 0), ("rapid", 2, 1, 0, 1, 0), ("online", 1, 0, 1, 0, 0)]
    brainstorm = [list(row) for row in book["3. Echipa mobilă"].iter_rows(values_only=True)]
    assert brainstorm[2] == [1, room["ideas"][0].text, 3, 2, 1, 0, 0]


def test_a_sheet_name_excel_would_refuse_is_made_safe(room, facilitator):
    Activity.objects.filter(pk=room["poll"].pk).update(title="Ce? De ce: [acte] / * \\ un titlu foarte lung'")
    client = Client()
    client.force_login(facilitator)
    book = load_workbook(io.BytesIO(client.get("/w/LIVE23/results.xlsx").content))
    name = book.sheetnames[5]
    assert len(name) <= 31 and not set(name) & set("?:[]/*\\") and name.startswith("1. Ce- De ce- -acte-")
    assert book[name]["A1"].value == "1. Ce? De ce: [acte] / * \\ un titlu foarte lung'"


# --- one blind rule for every door -----------------------------------------------------------------

def test_blind_voting_follows_the_brainstorm_not_the_room_on_every_results_door(workshop, facilitator):
    """A poll's results phase reveals no dots: while the blind brainstorm still votes, the room
    on the poll's results keeps the ranking, the summary, the CSV, the API's results and its
    paper tallies from participants alike; the brainstorm's own results open them all."""
    room = answered_room(workshop, phase="results", current="poll")
    Activity.objects.filter(pk=room["brainstorm"].pk).update(blind=True)
    set_activity_phase(room["brainstorm"], "voting")
    doors = ["/w/LIVE23/results/", "/w/LIVE23/summary/", "/w/LIVE23/results.csv",
             "/api/workshops/LIVE23/results", "/api/workshops/LIVE23/paper-tallies"]
    participant = Client()
    assert {door: participant.get(door).status_code for door in doors} == dict.fromkeys(doors, 403)
    staff = Client()
    staff.force_login(facilitator)
    assert {door: staff.get(door).status_code for door in doors} == dict.fromkeys(doors, 200)
    set_activity_phase(room["brainstorm"], "results")
    assert {door: participant.get(door).status_code for door in doors} == dict.fromkeys(doors, 200)

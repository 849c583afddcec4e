"""The joined phone's screen is drawn by the server as participant.js draws it, so nothing
moves when the scripts and the socket's snapshot arrive (issue #16, finding 6: CLS). The
browser side is tests/browser/test_layout_shift.py."""

import json
import re
from html import unescape

import pytest

pytestmark = pytest.mark.django_db


def dots(page: str) -> list[str]:
    """The classes of the dots drawn in #dots-left-dots."""
    found = re.search(r'<span id="dots-left-dots"[^>]*>((?:<span class="[^"]*"></span>)*)</span>', page)
    assert found, "#dots-left-dots"
    return re.findall(r'class="([^"]*)"', found.group(1))


def element(page: str, element_id: str) -> str:
    found = re.search(rf'<(\w+) id="{element_id}"[^>]*>(.*?)</\1>', page, re.S)
    assert found, element_id
    return found.group(0)


def test_the_joined_page_is_served_in_the_joined_state(joined):
    page = joined.get("/w/LIVE23/").content.decode()
    state = json.loads(unescape(re.search(r'<script id="initial-state" type="application/json">(.*?)</script>', page, re.S).group(1)))
    assert state["me"]["participant"] is not None
    assert 'data-joined="true"' in page
    assert 'id="compose"' in page and 'id="participant-join-form"' not in page


def test_the_dots_left_are_drawn_in_the_html_as_the_script_draws_them(joined):
    page = joined.get("/w/LIVE23/").content.decode()
    # The script's words, from the strings it is given, for 3 dots left of 3.
    template = unescape(re.search(r'data-dots-left="([^"]*)"', page).group(1))
    text = unescape(re.sub(r"<[^>]+>", "", element(page, "dots-left-text")))
    assert text == template.replace("{left}", "3").replace("{total}", "3")
    assert dots(page) == ["dot is-free"] * 3


def test_placed_dots_are_drawn_as_placed(joined, workshop):
    from ideas.models import Participant

    Participant.objects.filter(workshop=workshop, display_name="Maria").update(dots_left=1)
    # As participant.js draws them: the free ones first.
    assert dots(joined.get("/w/LIVE23/").content.decode()) == ["dot is-free", "dot", "dot"]


def test_the_ideas_count_and_empty_note_match_the_ideas_in_the_snapshot(joined, workshop):
    page = joined.get("/w/LIVE23/").content.decode()
    assert ">(2)</span>" in element(page, "ideas-count")
    assert re.search(r'<p id="ideas-empty" class="empty" hidden>', page)


def test_an_empty_room_shows_its_empty_note(joined, workshop):
    from ideas.models import Idea

    Idea.objects.filter(workshop=workshop).delete()
    page = joined.get("/w/LIVE23/").content.decode()
    assert re.search(r'<p id="ideas-empty" class="empty">', page)
    assert element(page, "ideas-count").endswith('class="count"></span>')


def test_the_russian_page_draws_the_russian_words(joined):
    joined.cookies["atelier_language"] = "ru"
    page = joined.get("/w/LIVE23/").content.decode()
    template = unescape(re.search(r'data-dots-left="([^"]*)"', page).group(1))
    assert "{left}" in template and template != "Dots left: {left} of {total}"
    assert template.replace("{left}", "3").replace("{total}", "3") in page

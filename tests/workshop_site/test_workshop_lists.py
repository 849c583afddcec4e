"""The home page and the workshop list group the workshops as a reader expects: happening now
(the room in use, whatever its date), upcoming (not started, soonest first) and past."""

import datetime as dt

import pytest
from bs4 import BeautifulSoup
from django.utils import timezone

from tests.factories import WorkshopPageFactory

pytestmark = pytest.mark.django_db


def listed(html: str) -> dict[str, list[str]]:
    """The workshop titles under each heading, as the page shows them."""
    soup = BeautifulSoup(html, "html.parser")
    found = {}
    for heading in ("live-heading", "upcoming-heading", "past-heading"):
        section = soup.find(id=heading)
        cards = section.find_parent("section").select(".card h3") if section else []
        found[heading.removesuffix("-heading")] = [card.get_text(strip=True) for card in cards]
    return found


@pytest.fixture
def workshops(tree):
    now = timezone.now()

    def workshop(title, phase, starts, hours=3):
        return WorkshopPageFactory(
            parent=tree["workshop_index"], title=title, phase=phase,
            starts_at=now + starts, ends_at=now + starts + dt.timedelta(hours=hours),
        )

    day = dt.timedelta(days=1)
    workshop("Sondaj deschis", "open", 2 * day)  # opened ahead of its date: in use now
    workshop("Idei acum", "ideas", -dt.timedelta(hours=1))
    workshop("Vot acum", "voting", -dt.timedelta(hours=2))
    workshop("Rezultate arătate", "results", 9 * day)  # the finding: it was listed as upcoming
    workshop("Sondaj închis, atelierul continuă", "closed", -dt.timedelta(minutes=90))  # in its hours
    workshop("Peste o lună", "draft", 30 * day)
    workshop("Săptămâna viitoare", "draft", 7 * day)
    workshop("Închis ieri", "closed", -day)
    workshop("Neînceput, dar trecut", "draft", -300 * day)
    workshop("Lansare 2016", "closed", -3000 * day)


EXPECTED = {
    "live": ["Vot acum", "Sondaj închis, atelierul continuă", "Idei acum", "Sondaj deschis", "Rezultate arătate"],
    "upcoming": ["Săptămâna viitoare", "Peste o lună"],
    "past": ["Închis ieri", "Neînceput, dar trecut", "Lansare 2016"],
}


def test_home_lists_workshops_happening_now_upcoming_and_past(client, workshops):
    assert listed(client.get("/").content.decode()) == EXPECTED


def test_the_workshop_list_groups_them_the_same_way(client, tree, workshops):
    assert listed(client.get(tree["workshop_index"].url).content.decode()) == EXPECTED


def test_a_workshop_happening_now_shows_its_join_code(client, tree):
    WorkshopPageFactory(parent=tree["workshop_index"], title="Rezultate", phase="results", join_code="RES123")
    html = client.get("/").content.decode()
    assert listed(html)["live"] == ["Rezultate"]
    card = BeautifulSoup(html, "html.parser").find(id="live-heading").find_parent("section")
    assert card.select_one(".join-code").get_text() == "RES123"

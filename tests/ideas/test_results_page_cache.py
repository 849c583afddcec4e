"""The results page keeps its ranking's rows rendered in the cache: whatever changes a row
shows on the very next request, in any language, and a viewer never sees another's forms."""

import re

import pytest
from django.test import Client

from ideas import services
from ideas.models import Idea
from plans.models import ActionPlan

from .conftest import set_phase
from .factories import IdeaFactory, ParticipantFactory

pytestmark = pytest.mark.django_db

ROWS = "ideas/includes/results_rows.html"


def table_of(response) -> str:
    assert response.status_code == 200
    return response.content.decode().split('<table id="results-table"', 1)[1].split("</table>", 1)[0]


def rows_of(response) -> dict[int, dict]:
    """The ranking as a visitor reads it: per idea, its rank, text, tags, votes and channels."""
    rows = {}
    for idea_id, cells in re.findall(r'<tr[^>]* data-idea-id="(\d+)"[^>]*>(.*?)</tr>', table_of(response), re.S):
        channel = dict(re.findall(r'data-channel="(\w+)">(\d+)<', cells))
        rows[int(idea_id)] = {
            "rank": int(re.search(r'<td class="num"[^>]*>(\d+)</td>', cells).group(1)),
            "text": re.search(r'<td class="idea-cell">(.*?)</td>', cells, re.S).group(1),
            "tags": re.findall(r'<span class="tag">([^<]*)</span>', cells),
            "votes": int(re.search(r'<span class="bar-num">(\d+)</span>', cells).group(1)),
            "channels": {name: int(n) for name, n in channel.items()},
            "forms": cells.count("<form"),
        }
    return rows


def rendered_rows(response) -> bool:
    return ROWS in [t.name for t in response.templates]


@pytest.fixture
def room(workshop):
    ideas = [IdeaFactory(workshop=workshop, text=f"Idee {n}") for n in range(3)]
    set_phase(workshop, "voting")
    voter = ParticipantFactory(workshop=workshop, dots_left=10)
    return workshop, ideas, voter


def test_the_rows_are_rendered_once_and_then_served_from_the_cache(client, room):
    first = client.get("/w/LIVE23/results/")
    again = client.get("/w/LIVE23/results/")
    assert rendered_rows(first) and not rendered_rows(again)
    assert rows_of(again) == rows_of(first) and len(rows_of(again)) == 3


def test_a_vote_and_a_retracted_vote_show_at_once(client, room):
    _workshop, ideas, voter = room
    assert rows_of(client.get("/w/LIVE23/results/"))[ideas[1].pk]["votes"] == 0
    services.vote_cast(participant_id=voter.pk, idea_id=ideas[1].pk)
    services.vote_cast(participant_id=voter.pk, idea_id=ideas[1].pk)
    after_votes = rows_of(client.get("/w/LIVE23/results/"))
    assert after_votes[ideas[1].pk] | {"text": None} == {
        "rank": 1, "text": None, "tags": [], "votes": 2, "channels": {"phone": 2, "proxy": 0, "paper": 0}, "forms": 0,
    }
    services.vote_retract(participant_id=voter.pk, idea_id=ideas[1].pk)
    assert rows_of(client.get("/w/LIVE23/results/"))[ideas[1].pk]["votes"] == 1


def test_a_vote_moved_to_another_idea_keeps_no_stale_row(client, room):
    """Same number of votes before and after: only the rows' contents tell them apart."""
    _workshop, ideas, voter = room
    services.vote_cast(participant_id=voter.pk, idea_id=ideas[0].pk)
    assert rows_of(client.get("/w/LIVE23/results/"))[ideas[0].pk]["votes"] == 1
    services.vote_retract(participant_id=voter.pk, idea_id=ideas[0].pk)
    services.vote_cast(participant_id=voter.pk, idea_id=ideas[2].pk)
    rows = rows_of(client.get("/w/LIVE23/results/"))
    assert (rows[ideas[0].pk]["votes"], rows[ideas[2].pk]["votes"]) == (0, 1)
    assert rows[ideas[2].pk]["rank"] == 1


def test_a_hidden_idea_leaves_the_ranking_at_once(client, room, facilitator):
    _workshop, ideas, voter = room
    services.vote_cast(participant_id=voter.pk, idea_id=ideas[0].pk)
    assert ideas[0].pk in rows_of(client.get("/w/LIVE23/results/"))
    services.idea_hide(user=facilitator, idea_id=ideas[0].pk)
    rows = rows_of(client.get("/w/LIVE23/results/"))
    assert ideas[0].pk not in rows and set(rows) == {ideas[1].pk, ideas[2].pk}


def test_a_merge_moves_the_votes_and_the_tags_at_once(client, room, facilitator):
    _workshop, ideas, voter = room
    ideas[2].tags.add("scaner")
    services.vote_cast(participant_id=voter.pk, idea_id=ideas[2].pk)
    services.vote_cast(participant_id=voter.pk, idea_id=ideas[0].pk)
    before = rows_of(client.get("/w/LIVE23/results/"))
    assert (before[ideas[0].pk]["votes"], before[ideas[2].pk]["votes"]) == (1, 1)
    services.idea_merge(user=facilitator, keep_id=ideas[0].pk, duplicate_id=ideas[2].pk)
    after = rows_of(client.get("/w/LIVE23/results/"))
    assert ideas[2].pk not in after
    assert (after[ideas[0].pk]["votes"], after[ideas[0].pk]["tags"]) == (2, ["scaner"])


def test_a_paper_sheet_and_its_correction_show_at_once(client, room, facilitator):
    workshop, ideas, _voter = room
    client.get("/w/LIVE23/results/")
    sheet = services.paper_tally_submit(
        user=facilitator, workshop_id=workshop.pk, voters=3, counts={ideas[1].pk: 4}
    )
    assert rows_of(client.get("/w/LIVE23/results/"))[ideas[1].pk]["channels"]["paper"] == 4
    services.paper_tally_submit(
        user=facilitator, workshop_id=workshop.pk, voters=3, counts={ideas[1].pk: 2},
        corrects_id=sheet.pk, note="Recounted",
    )
    row = rows_of(client.get("/w/LIVE23/results/"))[ideas[1].pk]
    assert (row["votes"], row["channels"]["paper"]) == (2, 2)


def test_an_edited_text_and_new_tags_show_at_once(client, room):
    """Edits made outside the services (the admin, a shell) are seen too: nothing to invalidate."""
    _workshop, ideas, _voter = room
    client.get("/w/LIVE23/results/")
    Idea.objects.filter(pk=ideas[0].pk).update(text="Un scaner în fiecare mașină")
    ideas[0].tags.add("echipa mobilă")
    row = rows_of(client.get("/w/LIVE23/results/"))[ideas[0].pk]
    assert "Un scaner în fiecare mașină" in row["text"] and row["tags"] == ["echipa mobilă"]


def test_each_language_gets_its_own_rows(client, workshop):
    """Even when the rows hold the same data (here none), their words are the page's language."""
    assert "Încă nu sunt idei." in table_of(client.get("/w/LIVE23/results/"))
    client.cookies["atelier_language"] = "ru"
    assert "Идей пока нет." in table_of(client.get("/w/LIVE23/results/"))
    client.cookies["atelier_language"] = "ro"
    assert "Încă nu sunt idei." in table_of(client.get("/w/LIVE23/results/"))


def test_rows_with_plan_forms_are_the_viewers_own_and_never_shared(client, room, tree, rezina_member):
    workshop, ideas, _voter = room
    workshop.offices.set([tree["rezina"]])
    workshop.save()  # parental relations are stored with the page
    ActionPlan.objects.create(office=tree["rezina"], title="Planul Rezina")
    anonymous = rows_of(client.get("/w/LIVE23/results/"))
    team = Client()
    team.force_login(rezina_member)
    first = team.get("/w/LIVE23/results/")
    assert rendered_rows(first) and {row["forms"] for row in rows_of(first).values()} == {1}
    assert table_of(first).count('name="csrfmiddlewaretoken"') == len(ideas)
    assert rendered_rows(team.get("/w/LIVE23/results/"))  # rendered afresh for its token
    after = client.get("/w/LIVE23/results/")
    assert rows_of(after) == anonymous and "csrfmiddlewaretoken" not in table_of(after)

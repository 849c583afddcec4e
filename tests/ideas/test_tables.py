"""Tables per office (issue #18): joining at a table, the one rule of who sees which ideas in a
table round (asked by every door), dots at one's own table, moving people, keeping tables."""

import csv
import io

import pytest
from django.test import Client

from ideas import selectors, services
from ideas.models import Activity, Idea, Participant, Table, WorkshopHelper
from ideas.rules import Audience, idea_audience, sees_idea
from ideas.sessions import remember_participant
from tests.factories import UserFactory, WorkshopPageFactory
from workshop_site.core.errors import Conflict, Forbidden, Invalid, NotFound

from .conftest import set_phase
from .factories import IdeaFactory, ParticipantFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def room(workshop, tree):
    """LIVE23 with a brainstorm run by table and two tables, Rezina and Călărași, each with a
    person and an idea; Ion sits at no table."""
    brainstorm = Activity.objects.create(workshop=workshop, kind="brainstorm", title="Probleme", is_current=True,
                                         phase=workshop.phase, by_table=True, dots_per_participant=3)
    rezina = Table.objects.create(workshop=workshop, name="Rezina", slug="rezina", office=tree["rezina"])
    calarasi = Table.objects.create(workshop=workshop, name="Călărași", slug="calarasi", office=tree["calarasi"],
                                    position=1)
    ana = ParticipantFactory(workshop=workshop, display_name="Ana", table=rezina)
    vera = ParticipantFactory(workshop=workshop, display_name="Vera", table=calarasi)
    ion = ParticipantFactory(workshop=workshop, display_name="Ion")
    ideas = {
        "rezina": services.idea_create(participant_id=ana.pk, text="Scaner în mașina echipei"),
        "calarasi": services.idea_create(participant_id=vera.pk, text="Lista unică de acte"),
    }
    return {"workshop": workshop, "brainstorm": brainstorm, "rezina": rezina, "calarasi": calarasi,
            "ana": ana, "vera": vera, "ion": ion, "ideas": ideas}


def _phase(room, phase):
    """The room and its brainstorm (the current activity) in `phase`, as phase.set leaves them."""
    set_phase(room["workshop"], phase)
    Activity.objects.filter(pk=room["brainstorm"].pk).update(phase=phase)


def _client_of(participant) -> Client:
    client = Client()
    session = client.session
    remember_participant(session, participant)
    session.save()
    client.cookies["sessionid"] = session.session_key
    return client


def _seen_texts(body_ideas) -> set[str]:
    return {idea["text"] for idea in body_ideas}


# --- joining --------------------------------------------------------------------------------

def test_joining_at_a_table_seats_the_person_and_the_snapshot_says_where(room):
    joined = services.participant_join(workshop=room["workshop"], display_name="Maria", role="citizen",
                                       table="calarasi")
    assert joined.table == room["calarasi"]
    state = selectors.snapshot(room["workshop"], participant_id=joined.pk, sees_tallies=False)
    assert state["me"]["table"] == "calarasi"
    assert state["tables"] == [{"slug": "rezina", "name": "Rezina"}, {"slug": "calarasi", "name": "Călărași"}]
    assert state["workshop"]["by_table"] is True


@pytest.mark.parametrize("table, error", [("nicio-masa", NotFound), (7, Invalid), (["rezina"], Invalid)])
def test_a_table_that_is_not_the_rooms_is_refused_and_nobody_joins(room, table, error):
    before = Participant.objects.count()
    with pytest.raises(error):
        services.participant_join(workshop=room["workshop"], display_name="Maria", role="citizen", table=table)
    assert Participant.objects.count() == before


def test_a_table_of_another_workshop_is_not_found(room, tree):
    other = WorkshopPageFactory(parent=tree["workshop_index"], title="Alt atelier", join_code="OTHER9", phase="ideas")
    Table.objects.create(workshop=other, name="Dubăsari", slug="dubasari")
    with pytest.raises(NotFound):
        services.participant_join(workshop=room["workshop"], display_name="Maria", role="citizen", table="dubasari")


def test_the_api_join_takes_the_tables_slug_and_refuses_an_unknown_one(room):
    client = Client()
    answer = client.post("/api/workshops/LIVE23/participants",
                         {"display_name": "Maria", "role": "citizen", "table": "rezina"}, content_type="application/json")
    assert answer.status_code == 201
    assert answer.json()["table"] == "rezina"
    assert client.get("/api/workshops/LIVE23/state").json()["me"]["table"] == "rezina"
    before = Participant.objects.count()
    refused = Client().post("/api/workshops/LIVE23/participants",
                            {"display_name": "Dan", "role": "citizen", "table": "luna"}, content_type="application/json")
    assert refused.status_code == 404
    assert refused.json()["code"] == "not_found"
    assert Participant.objects.count() == before


def test_a_client_that_predates_tables_joins_at_no_table_and_sees_the_whole_room(room):
    client = Client()
    answer = client.post("/api/workshops/LIVE23/participants", {"display_name": "Dan", "role": "citizen"},
                         content_type="application/json")
    assert answer.status_code == 201 and answer.json()["table"] is None
    state = client.get("/api/workshops/LIVE23/state").json()
    assert _seen_texts(state["ideas"]) == {"Scaner în mașina echipei", "Lista unică de acte"}


def test_the_join_form_asks_for_the_table_when_the_room_has_tables(room):
    client = Client()
    page = client.get("/w/LIVE23/")
    assert b'<select name="table" id="id_table"' in page.content
    assert b'<option value="calarasi">' in page.content
    missing = client.post("/w/LIVE23/", {"display_name": "Maria", "role": "citizen"})
    assert missing.status_code == 400
    joined = client.post("/w/LIVE23/", {"display_name": "Maria", "role": "citizen", "table": "calarasi"})
    assert joined.status_code == 302
    assert Participant.objects.get(display_name="Maria").table == room["calarasi"]


def test_a_room_without_tables_offers_no_choice(workshop):
    page = Client().get("/w/LIVE23/")
    assert b'id="id_table"' not in page.content


# --- the one rule, at every door ---------------------------------------------------------------

class _Board:
    def __init__(self, phase, *, by_table=False, private=""):
        self.phase, self.by_table, self.private = phase, by_table, private


def test_the_rule_keeps_tables_apart_only_while_a_brainstorm_by_table_collects_and_votes():
    for phase in ("ideas", "voting"):
        audience = idea_audience(_Board(phase, by_table=True), 4)
        assert audience == Audience(table=4, tableless=True)
        assert sees_idea(audience, viewer_table=4, is_author=False, sees_all=False)
        assert not sees_idea(audience, viewer_table=5, is_author=False, sees_all=False)
        assert sees_idea(audience, viewer_table=None, is_author=False, sees_all=False)  # at no table, the wall
        assert sees_idea(audience, viewer_table=5, is_author=False, sees_all=True)  # a facilitator
        assert sees_idea(audience, viewer_table=5, is_author=True, sees_all=False)  # its author, moved since
        assert idea_audience(_Board(phase), 4) is None
    for phase in ("draft", "results", "closed"):
        assert idea_audience(_Board(phase, by_table=True), 4) is None


def test_private_writing_shows_an_idea_to_its_table_or_its_author_until_the_vote():
    table = idea_audience(_Board("ideas", private="table"), 4)
    assert table == Audience(table=4, tableless=False)
    assert sees_idea(table, viewer_table=4, is_author=False, sees_all=False)
    assert not sees_idea(table, viewer_table=None, is_author=False, sees_all=False)  # nor the wall
    own = idea_audience(_Board("ideas", private="own"), 4)
    assert not sees_idea(own, viewer_table=4, is_author=False, sees_all=False)
    assert sees_idea(own, viewer_table=None, is_author=True, sees_all=False)
    assert idea_audience(_Board("voting", private="own"), 4) is None  # the vote reveals them


EVERYTHING = {"Scaner în mașina echipei", "Lista unică de acte"}
# viewer → what they see in a table round (ideas, voting), by door; at results everyone sees all.
IN_THE_ROUND = {
    "ana": {"Scaner în mașina echipei"},
    "vera": {"Lista unică de acte"},
    "ion": EVERYTHING,
    "observer": EVERYTHING,
    "facilitator": EVERYTHING,
}


def _viewer_client(room, viewer, facilitator) -> Client:
    if viewer == "observer":
        return Client()
    if viewer == "facilitator":
        client = Client()
        client.force_login(facilitator)
        return client
    return _client_of(room[viewer])


def _seen_at_doors(client) -> dict[str, set[str]]:
    state = client.get("/api/workshops/LIVE23/state").json()
    api = client.get("/api/workshops/LIVE23/results").json()
    brainstorm = next(activity for activity in api["activities"] if activity["kind"] == "brainstorm")
    page = client.get("/w/LIVE23/results/").content.decode()
    rows = list(csv.reader(io.StringIO(client.get("/w/LIVE23/results.csv").content.decode("utf-8-sig"))))
    return {
        "snapshot": _seen_texts(state["ideas"]),
        "results api": _seen_texts(api["ideas"]),
        "results api by activity": _seen_texts(brainstorm["results"]["ideas"]),
        "results page": {text for text in EVERYTHING if text in page},
        "csv": {text for text in EVERYTHING if any(text in cell for row in rows for cell in row)},
    }


@pytest.mark.parametrize("phase", ["ideas", "voting", "results"])
@pytest.mark.parametrize("viewer", list(IN_THE_ROUND))
def test_who_sees_which_ideas_is_one_rule_at_every_door(room, facilitator, viewer, phase):
    _phase(room, phase)
    expected = IN_THE_ROUND[viewer] if phase in ("ideas", "voting") else EVERYTHING
    seen = _seen_at_doors(_viewer_client(room, viewer, facilitator))
    assert seen == dict.fromkeys(seen, expected)


def test_a_brainstorm_not_run_by_table_shows_everyone_everything(room):
    Activity.objects.filter(pk=room["brainstorm"].pk).update(by_table=False)
    state = selectors.snapshot(room["workshop"], participant_id=room["ana"].pk, sees_tallies=False)
    assert _seen_texts(state["ideas"]) == EVERYTHING
    assert {idea["table"] for idea in state["ideas"]} == {"rezina", "calarasi"}


def test_an_idea_is_posted_at_its_authors_table(room):
    idea = room["ideas"]["calarasi"]
    assert idea.table == room["calarasi"]
    assert selectors.idea_payload(idea, tag_names=[], votes=0)["table"] == "calarasi"
    nobody = services.idea_create(participant_id=room["ion"].pk, text="Orar comun")
    assert nobody.table is None


# --- dots at one's own table --------------------------------------------------------------

def test_a_dot_goes_only_to_ones_own_tables_ideas_in_the_round(room):
    _phase(room, "voting")
    with pytest.raises(NotFound):
        services.vote_cast(participant_id=room["ana"].pk, idea_id=room["ideas"]["calarasi"].pk)
    assert selectors.dots_left(selectors.board(room["workshop"].pk), [room["ana"].pk]) == {room["ana"].pk: 3}
    assert services.vote_cast(participant_id=room["ana"].pk, idea_id=room["ideas"]["rezina"].pk) == 2
    # At no table, the whole room: Ion may vote on either table's ideas.
    assert services.vote_cast(participant_id=room["ion"].pk, idea_id=room["ideas"]["calarasi"].pk) == 2
    # The tallies cover the whole room.
    assert selectors.tallies(room["workshop"].pk) == {str(room["ideas"]["rezina"].pk): 1,
                                                      str(room["ideas"]["calarasi"].pk): 1}


def test_each_table_votes_with_each_persons_own_budget(room):
    _phase(room, "voting")
    for _ in range(3):
        services.vote_cast(participant_id=room["vera"].pk, idea_id=room["ideas"]["calarasi"].pk)
    with pytest.raises(Exception) as refused:
        services.vote_cast(participant_id=room["vera"].pk, idea_id=room["ideas"]["calarasi"].pk)
    assert refused.value.code == "no_dots_left"
    assert services.vote_cast(participant_id=room["ana"].pk, idea_id=room["ideas"]["rezina"].pk) == 2


# --- moving people ----------------------------------------------------------------------------

def test_a_facilitator_or_a_helper_moves_someone_to_another_table(room, facilitator):
    moved = services.participant_move(user=facilitator, workshop_id=room["workshop"].pk,
                                      participant_id=room["ana"].pk, table="calarasi")
    assert moved.table == room["calarasi"]
    helper = UserFactory(username="ajutor")
    WorkshopHelper.objects.create(workshop=room["workshop"], user=helper)
    services.participant_move(user=helper, workshop_id=room["workshop"].pk, participant_id=room["ana"].pk,
                              table=None)
    room["ana"].refresh_from_db()
    assert room["ana"].table is None
    # The idea stays at the table it was posted at.
    assert Idea.objects.get(pk=room["ideas"]["rezina"].pk).table == room["rezina"]


@pytest.mark.parametrize("who", ["nobody", "stranger"])
def test_a_move_by_someone_who_is_neither_facilitator_nor_helper_changes_nothing(room, who):
    user = None if who == "nobody" else UserFactory(username="strain")
    with pytest.raises(Forbidden):
        services.participant_move(user=user, workshop_id=room["workshop"].pk, participant_id=room["ana"].pk,
                                  table="calarasi")
    room["ana"].refresh_from_db()
    assert room["ana"].table == room["rezina"]


def test_a_move_to_another_workshops_table_is_not_found(room, facilitator, tree):
    other = WorkshopPageFactory(parent=tree["workshop_index"], title="Alt atelier", join_code="OTHER9", phase="ideas")
    Table.objects.create(workshop=other, name="Dubăsari", slug="dubasari")
    with pytest.raises(NotFound):
        services.participant_move(user=facilitator, workshop_id=room["workshop"].pk, participant_id=room["ana"].pk,
                                  table="dubasari")
    room["ana"].refresh_from_db()
    assert room["ana"].table == room["rezina"]


# --- keeping tables ------------------------------------------------------------------------

def test_a_workshop_gets_one_table_per_office_it_serves_once(tree):
    page = WorkshopPageFactory(parent=tree["workshop_index"], title="Atelier", join_code="TABL3S", phase="draft")
    page.offices.set([tree["rezina"], tree["calarasi"]])
    page.save()
    made = services.tables_for_offices(page)
    assert sorted((table.name, table.office_id) for table in made) == sorted(
        (office.district or office.title, office.pk) for office in (tree["rezina"], tree["calarasi"]))
    assert services.tables_for_offices(page) == []
    assert Table.objects.filter(workshop=page).count() == 2


def test_facilitators_add_rename_and_remove_an_empty_table(room, facilitator):
    added = services.table_create(user=facilitator, workshop=room["workshop"], name="Administrația raională")
    assert added.slug == "administratia-raionala"
    again = services.table_create(user=facilitator, workshop=room["workshop"], name="Administrația raională")
    assert again.slug == "administratia-raionala-2"
    renamed = services.table_rename(user=facilitator, workshop=room["workshop"], table_id=added.pk, name="Consiliul")
    assert (renamed.name, renamed.slug) == ("Consiliul", "administratia-raionala")
    services.table_delete(user=facilitator, workshop=room["workshop"], table_id=again.pk)
    assert not Table.objects.filter(pk=again.pk).exists()


def test_a_table_with_people_or_ideas_is_not_removed(room, facilitator):
    with pytest.raises(Conflict):
        services.table_delete(user=facilitator, workshop=room["workshop"], table_id=room["rezina"].pk)
    assert Table.objects.filter(pk=room["rezina"].pk).exists()


def test_only_facilitators_keep_tables(room):
    stranger = UserFactory(username="strain")
    with pytest.raises(Forbidden):
        services.table_create(user=stranger, workshop=room["workshop"], name="Alta")
    with pytest.raises(Forbidden):
        services.table_rename(user=stranger, workshop=room["workshop"], table_id=room["rezina"].pk, name="X")
    assert Table.objects.get(pk=room["rezina"].pk).name == "Rezina"


def test_the_snapshot_reads_the_tables_in_a_fixed_number_of_queries(room, django_assert_num_queries):
    for n in range(6):
        Table.objects.create(workshop=room["workshop"], name=f"Masa {n}", slug=f"masa-{n}", position=2 + n)
        IdeaFactory(workshop=room["workshop"], activity=room["brainstorm"], table=room["rezina"])
    with django_assert_num_queries(8):  # as selectors.room_state says: six, eight for a participant
        state = selectors.snapshot(room["workshop"], participant_id=room["ana"].pk, sees_tallies=False)
    assert len(state["tables"]) == 8 and len(state["ideas"]) == 7
    with django_assert_num_queries(6):
        selectors.snapshot(room["workshop"], participant_id=None, sees_tallies=False)


# --- private writing ---------------------------------------------------------------------------

@pytest.mark.parametrize("viewer, expected", [
    ("ana", {"Scaner în mașina echipei"}), ("vera", {"Lista unică de acte"}), ("ion", set()),
    ("observer", set()), ("facilitator", EVERYTHING),
])
def test_in_private_writing_each_person_sees_their_own_ideas_at_every_door_until_the_vote(
    room, facilitator, viewer, expected
):
    Activity.objects.filter(pk=room["brainstorm"].pk).update(by_table=False, private="own")
    seen = _seen_at_doors(_viewer_client(room, viewer, facilitator))
    assert seen == dict.fromkeys(seen, expected)
    _phase(room, "voting")
    seen = _seen_at_doors(_viewer_client(room, viewer, facilitator))
    assert seen == dict.fromkeys(seen, EVERYTHING)


def test_private_writing_by_table_shows_a_table_its_own_ideas(room):
    Activity.objects.filter(pk=room["brainstorm"].pk).update(by_table=False, private="table")
    mate = ParticipantFactory(workshop=room["workshop"], table=room["rezina"])
    state = selectors.snapshot(room["workshop"], participant_id=mate.pk, sees_tallies=False)
    assert _seen_texts(state["ideas"]) == {"Scaner în mașina echipei"}
    assert state["workshop"]["private"] == "table"


def test_a_person_of_another_workshop_is_not_moved_from_this_room(room, facilitator, tree):
    other = WorkshopPageFactory(parent=tree["workshop_index"], title="Alt atelier", join_code="OTHER9", phase="ideas")
    Table.objects.create(workshop=other, name="Rezina", slug="rezina")
    stranger = ParticipantFactory(workshop=other)
    with pytest.raises(NotFound):
        services.participant_move(user=facilitator, workshop_id=room["workshop"].pk, participant_id=stranger.pk,
                                  table="rezina")
    stranger.refresh_from_db()
    assert stranger.table is None

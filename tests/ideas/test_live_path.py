"""What makes the live path cheap (bench/RESULTS.md) without changing what anyone sees:
reads with SQL built once, a snapshot that needs no second read while only tallies move, one
database thread for HTTP on SQLite, and no reference-index rows for participants and ideas."""

import json
import threading
import time

import pytest
from channels.db import database_sync_to_async
from channels.testing import HttpCommunicator
from django.db.backends.signals import connection_created
from wagtail.models import ReferenceIndex

from ideas import realtime, selectors, services
from ideas.models import Idea, Participant
from tests.factories import WorkshopPageFactory
from workshop_site.core.compiled import CompiledRead
from workshop_site.core.errors import NotFound
from workshop_site.workshops.models import WorkshopPage

from .conftest import set_phase
from .factories import IdeaFactory
from .live import Socket, joined_cookie

pytestmark = pytest.mark.django_db(transaction=True)


# --- CompiledRead ----------------------------------------------------------------------------


def test_a_compiled_read_answers_like_the_queryset_each_time(workshop, participant):
    read = CompiledRead(
        lambda pk: Participant.objects.filter(pk=pk).order_by().values_list("display_name", "is_proxy", "created")
    )
    other = services.participant_join(workshop=workshop, display_name="Ion", role="provider")
    for person in (participant, other):  # the second call runs the SQL built by the first
        expected = Participant.objects.filter(pk=person.pk).values_list("display_name", "is_proxy", "created").get()
        assert read.first(person.pk) == expected
        assert isinstance(read.first(person.pk)[1], bool)  # converted, as the ORM does (SQLite: 0/1)
    assert read.first(10**9) is None
    assert read.all(other.pk) == [("Ion", False, other.created)]


def test_a_compiled_read_refuses_a_build_whose_parameters_differ():
    # `hidden=False` is no parameter of the SQL, so the build's SQL would not take the call's.
    read = CompiledRead(lambda pk, hidden: Idea.objects.filter(pk=pk, hidden=hidden).values_list("pk"))
    with pytest.raises(ValueError, match="not the parameters it was built with"):
        read.first(1, False)


def test_a_room_found_by_its_code_is_the_page_the_orm_loads(workshop, tree, django_assert_num_queries):
    """Contract of `CompiledInstances` (the join code lookup every phone's first request and
    socket make): the instance is the ORM's, field by field, with its locale cached; should an
    upgrade of Django or Wagtail change how a page is made from its row, this fails."""
    workshop.agenda = [("item", {"title": "Deschidere", "duration_minutes": 30})]
    workshop.save_revision().publish()
    orm = WorkshopPage.objects.select_related("locale").get(pk=workshop.pk)
    with django_assert_num_queries(1):
        found = WorkshopPage.find_by_code(workshop.join_code.lower())
        assert found.locale.language_code == orm.locale.language_code  # no second query
        assert found.room is found  # a page in the default language is its own room: no query
    assert type(found) is WorkshopPage and not found._state.adding and found._state.db == "default"
    for field in WorkshopPage._meta.concrete_fields:
        ours, theirs = getattr(found, field.attname), getattr(orm, field.attname)
        if field.name == "agenda":
            assert ours.get_prep_value() == theirs.get_prep_value() and ours[0].value["title"] == "Deschidere"
        else:
            assert ours == theirs, field.name
    assert found.specific is found and found.url == orm.url
    # A second workshop: the second call runs the SQL the first built, with its own code.
    other = WorkshopPageFactory(parent=tree["workshop_index"], join_code="OTHER2", slug="alt")
    assert WorkshopPage.find_by_code("OTHER2").pk == other.pk
    assert WorkshopPage.find_by_code("0THER2").pk == other.pk  # 0 typed for O
    other.unpublish()
    assert WorkshopPage.find_by_code("OTHER2") is None


def test_a_vote_on_an_id_no_column_can_hold_is_not_found(workshop, participant):
    set_phase(workshop, "voting")
    with pytest.raises(NotFound):
        services.vote_cast(participant_id=participant.pk, idea_id=str(2**64))
    assert Participant.objects.get(pk=participant.pk).dots_left == 3


# --- the snapshot while the room moves --------------------------------------------------------


def _during_the_read(monkeypatch, action):
    """Run `action(relay)` on the event loop while the consumer's snapshot read is under way
    (the read waits until the action's frame went out); returns the list of reads made."""
    reads = []
    real = selectors.room_state
    loop_holder = {}

    def room_state(workshop, **kwargs):
        reads.append(workshop.pk)
        if len(reads) == 1:
            relay = realtime._relays[loop_holder["loop"]][workshop.pk]
            before = relay.seq
            loop_holder["loop"].call_soon_threadsafe(action, relay)
            deadline = time.monotonic() + 5
            while relay.seq == before and time.monotonic() < deadline:
                time.sleep(0.01)
        return real(workshop, **kwargs)

    monkeypatch.setattr(selectors, "room_state", room_state)
    return reads, loop_holder


async def test_a_tally_sent_during_the_snapshot_read_needs_no_second_read(monkeypatch, workshop):
    import asyncio

    idea = await database_sync_to_async(IdeaFactory)(workshop=workshop, text="Scaner")
    await database_sync_to_async(set_phase)(workshop, "voting")
    wall = Socket("LIVE23")
    await wall.open()  # the room's relay runs
    cookie = await database_sync_to_async(joined_cookie)("LIVE23", "Ana")
    reads, holder = _during_the_read(monkeypatch, lambda relay: (
        setattr(relay, "pending_tally", {"type": "room.tally", "votes": {str(idea.pk): 7}, "channels": {},
                                         "participants_with_dots": 1}),
        relay.wakeup.set(),
    ))
    holder["loop"] = asyncio.get_running_loop()
    phone = Socket("LIVE23", cookie)
    snapshot = await phone.open()
    tally = await wall.until(lambda f: f["type"] == "tally")
    # One read; the phone holds what the wall holds at that seq, and nothing before it is missing.
    assert len(reads) == 1
    assert snapshot["seq"] == tally["seq"]
    assert snapshot["ideas"][0]["votes"] == tally["votes"][str(idea.pk)] == 7
    await phone.close()
    await wall.close()


async def test_an_idea_posted_during_the_snapshot_read_is_read_again(monkeypatch, workshop):
    import asyncio

    wall = Socket("LIVE23")
    await wall.open()
    cookie = await database_sync_to_async(joined_cookie)("LIVE23", "Ana")
    posted = {}

    def post(relay):
        # Stored from another thread (as another process would), its frame then sent here.
        from django.db import connection as own

        idea = Idea.objects.create(workshop_id=workshop.pk, text="Nouă", author_role="citizen")
        own.close()
        posted["id"] = idea.pk
        event = {"type": "idea.posted", "idea": {"id": idea.pk, "text": "Nouă", "tags": [], "votes": 0}}
        holder["loop"].call_soon_threadsafe(lambda: (relay.events.append(event), relay.wakeup.set()))

    reads, holder = _during_the_read(monkeypatch, lambda relay: threading.Thread(target=post, args=(relay,)).start())
    holder["loop"] = asyncio.get_running_loop()
    phone = Socket("LIVE23", cookie)
    snapshot = await phone.open()
    frame = await wall.until(lambda f: f["type"] == "idea.posted")
    assert len(reads) == 2  # the first read may have missed the idea: read again
    assert snapshot["seq"] >= frame["seq"]
    assert [i["id"] for i in snapshot["ideas"]] == [posted["id"]]
    await phone.close()
    await wall.close()


# --- HTTP on the embedded default -------------------------------------------------------------


async def test_http_requests_share_one_database_connection(tree):
    from workshop_site import asgi
    from workshop_site.core.asgi import OneDatabaseThreadASGIHandler

    opened = []

    def count(sender, connection, **kwargs):
        opened.append(threading.get_ident())

    connection_created.connect(count)
    try:
        for _ in range(4):
            communicator = HttpCommunicator(asgi.application, "GET", "/", headers=[(b"host", b"localhost")])
            assert (await communicator.get_response())["status"] == 200
    finally:
        connection_created.disconnect(count)
    assert isinstance(asgi.django_asgi_app, OneDatabaseThreadASGIHandler)
    # Django's own handler opens one per request (a thread each); on PostgreSQL with
    # persistent connections they stayed open until the server refused new clients.
    assert len(opened) <= 1


# --- Wagtail's reference index ------------------------------------------------------------------


def test_joining_posting_and_voting_write_no_reference_index_rows(workshop):
    before = ReferenceIndex.objects.count()
    person = services.participant_join(workshop=workshop, display_name="Ion", role="citizen")
    idea = services.idea_create(participant_id=person.pk, text="Program prelungit")
    set_phase(workshop, "voting")
    services.vote_cast(participant_id=person.pk, idea_id=idea.pk)
    assert ReferenceIndex.objects.count() == before


# --- several processes' tallies -----------------------------------------------------------------


class _Screen(realtime.RoomSocket):
    """A socket as the relay sees one: it records the frames written to it."""

    def __init__(self):
        self.frames = []

    async def send_frame(self, frame: str, encoded: bytes) -> None:
        self.frames.append(json.loads(frame))

    def is_participant(self, participant_id: int) -> bool:
        return False

    @classmethod
    def still_allowed_all(cls, sockets) -> list[bool]:
        return [True] * len(sockets)

    async def close_signed_out(self) -> None:
        pass


async def test_a_relay_fans_out_one_tally_per_interval_however_many_processes_send(monkeypatch):
    import asyncio

    # A long interval, so the five sends (round trips on Redis) surely fall within one.
    monkeypatch.setattr(realtime, "TALLY_INTERVAL", 1.0)
    relay = await realtime.relay_for(987_655, tallies_visible=True)
    screen = _Screen()
    relay.register(screen, full=False)
    try:
        # Five processes' coalescers send their (absolute) tallies one after the other.
        for n in range(1, 6):
            await relay.layer.group_send(relay.group, {
                "type": "room.tally", "votes": {"1": n}, "channels": {}, "participants_with_dots": 0})
        await asyncio.sleep(0.3)
        tallies = [f for f in screen.frames if f["type"] == "tally"]
        assert len(tallies) == 1  # the first, at once; the rest wait for the interval
        await asyncio.sleep(1.2)
        tallies = [f for f in screen.frames if f["type"] == "tally"]
        assert len(tallies) == 2 and tallies[-1]["votes"] == {"1": 5}  # then only the latest
        assert tallies[1]["seq"] > tallies[0]["seq"]
    finally:
        relay.stop()
        realtime._relays.get(asyncio.get_running_loop(), {}).pop(987_655, None)


async def test_a_full_room_gets_its_online_count_less_often_but_always_the_latest(monkeypatch):
    import asyncio

    # 4 sockets and at most 2 presence writes a second: one presence frame every 2 s.
    monkeypatch.setattr(realtime, "PRESENCE_WRITES_PER_SECOND", 2)
    relay = await realtime.relay_for(987_656, tallies_visible=True)
    screens = [_Screen() for _ in range(4)]
    for screen in screens:
        relay.register(screen, full=False)
    assert relay.presence_gap() == 2.0

    def presence(screen):
        return [f for f in screen.frames if f["type"] == "presence"]

    try:
        # Three other processes' relays say how many sockets each holds, one after the other.
        for n, channel in enumerate(("a", "b", "c"), start=1):
            await relay.layer.group_send(relay.group, {"type": "room.presence", "relay": channel, "count": n})
            await asyncio.sleep(0.2)
        first = presence(screens[0])
        assert len(first) == 1  # the first at once; the others wait for the room's turn
        await asyncio.sleep(2.2)
        for screen in screens:
            frames = presence(screen)
            assert len(frames) == 2  # then one frame with the count as it is then: 4 + 1 + 2 + 3
            assert frames[-1]["online"] == 10 and frames[-1]["seq"] > frames[0]["seq"]
        relay.unregister(screens[3])
        assert relay.presence_gap() == 1.5
    finally:
        relay.stop()
        realtime._relays.get(asyncio.get_running_loop(), {}).pop(987_656, None)

"""The dot budget holds when one participant fires votes at once: from three sockets over the
protocol, and from ten threads with their own database connections straight at the service
(so the database, not Python, is what refuses the fourth dot). Runs on SQLite and PostgreSQL."""

import asyncio
import threading

import pytest
from channels.db import database_sync_to_async
from django.db import close_old_connections, connection

from ideas import services
from ideas.errors import NoDotsLeft
from ideas.models import Participant, Vote
from ideas.selectors import tallies

from .conftest import set_phase
from .factories import IdeaFactory
from .live import Socket, joined_cookie, logged_in_cookie

pytestmark = pytest.mark.django_db(transaction=True)


async def test_ten_votes_from_three_sockets_of_one_participant_spend_exactly_three_dots(workshop, facilitator):
    ideas = [await database_sync_to_async(IdeaFactory)(workshop=workshop) for _ in range(2)]
    await database_sync_to_async(set_phase)(workshop, "voting")
    cookie = await database_sync_to_async(joined_cookie)("LIVE23")
    wall = Socket("LIVE23", await database_sync_to_async(logged_in_cookie)(facilitator))
    await wall.open()
    sockets = [Socket("LIVE23", cookie) for _ in range(3)]
    for socket in sockets:
        await socket.open()

    sent = []
    for n in range(10):
        socket = sockets[n % 3]
        sent.append((socket, await socket.send("vote.cast", idea=ideas[n % 2].pk)))
    answered = await asyncio.gather(
        *(socket.replies([ref for s, ref in sent if s is socket], timeout=20) for socket in sockets)
    )
    replies = [frame for per_socket in answered for frame in per_socket.values()]
    assert len(replies) == 10

    acks = [r for r in replies if r["type"] == "ack"]
    refused = [r for r in replies if r["type"] == "error"]
    assert len(acks) == 3
    assert [r["code"] for r in refused] == ["no_dots_left"] * 7
    assert sorted(a["dots_left"] for a in acks) == [0, 1, 2]

    stored = await database_sync_to_async(lambda: list(Vote.objects.values_list("idea_id", flat=True)))()
    assert len(stored) == 3
    assert await database_sync_to_async(lambda: Participant.objects.get().dots_left)() == 0
    acked_per_idea = {}
    for ack in acks:
        acked_per_idea[str(ack["idea"])] = acked_per_idea.get(str(ack["idea"]), 0) + 1
    expected = {str(i.pk): acked_per_idea.get(str(i.pk), 0) for i in ideas}
    assert expected == {str(i.pk): stored.count(i.pk) for i in ideas}
    # The room's broadcast tallies converge to the same numbers.
    await wall.until(lambda f: f["type"] == "tally" and f["votes"] == expected, timeout=10)
    for socket in [*sockets, wall]:
        await socket.close()


def test_ten_threads_racing_for_three_dots_in_the_database(workshop, participant):
    idea = IdeaFactory(workshop=workshop)
    set_phase(workshop, "voting")
    barrier = threading.Barrier(10)
    outcomes: list[str] = []
    lock = threading.Lock()

    def vote():
        try:
            barrier.wait(timeout=10)
            services.vote_cast(participant_id=participant.pk, idea_id=idea.pk)
            result = "ack"
        except NoDotsLeft:
            result = "no_dots_left"
        except Exception as exc:  # noqa: BLE001 - any other outcome fails the test below
            result = f"{type(exc).__name__}: {exc}"
        finally:
            connection.close()
        with lock:
            outcomes.append(result)

    threads = [threading.Thread(target=vote) for _ in range(10)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    close_old_connections()

    assert sorted(outcomes) == ["ack"] * 3 + ["no_dots_left"] * 7
    assert Vote.objects.filter(participant=participant).count() == 3
    assert Participant.objects.get(pk=participant.pk).dots_left == 0
    assert tallies(workshop.pk) == {str(idea.pk): 3}

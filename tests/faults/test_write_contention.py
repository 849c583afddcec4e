"""Many writers at once (threads with their own database connections through the services,
and sockets through the consumer, at the same time) never show "database is locked": every
write is acknowledged or refused by a domain rule, and the tallies equal the stored votes.
On SQLite, IMMEDIATE transactions queue writers on the busy timeout; on PostgreSQL, row locks."""

import asyncio
import random
import threading

import pytest
from django.db import connection

from ideas import services
from ideas.models import Participant, Vote
from ideas.selectors import tallies
from tests.ideas.live import Socket, joined_cookie
from workshop_site.core.errors import DomainError

pytestmark = pytest.mark.django_db(transaction=True)

THREADS, WRITES_PER_THREAD, SOCKETS, MESSAGES_PER_SOCKET = 12, 15, 6, 15
DOMAIN_CODES = {"no_dots_left", "not_found", "invalid", "phase_closed"}


def test_concurrent_writers_never_see_a_locked_database(voting_room):
    workshop, ideas = voting_room
    participants = [
        Participant.objects.create(workshop=workshop, display_name=f"Scris {n}", role="citizen", dots_left=20)
        for n in range(THREADS)
    ]
    cookies = [joined_cookie("FAULT1", f"Priză {n}") for n in range(SOCKETS)]
    outcomes: list[str] = []
    lock = threading.Lock()
    barrier = threading.Barrier(THREADS + 1)

    def writer(participant, seed):
        rng = random.Random(seed)  # noqa: S311
        barrier.wait(timeout=30)
        for n in range(WRITES_PER_THREAD):
            idea = rng.choice(ideas).pk
            cast = rng.random() < 0.75
            try:
                services.write_once(
                    participant_id=participant.pk, ref=f"t{seed}-{n}",
                    message={"type": "vote.cast" if cast else "vote.retract", "idea": idea},
                    perform=lambda idea=idea, cast=cast: {"dots_left": (services.vote_cast if cast else services.vote_retract)(
                        participant_id=participant.pk, idea_id=idea)},
                )
                result = "ack"
            except DomainError as error:
                result = error.code
            except Exception as exc:  # noqa: BLE001 - anything else fails the test below
                result = f"{type(exc).__name__}: {exc}"
            with lock:
                outcomes.append(result)
        connection.close()

    async def sockets_voting():
        sockets = [Socket("FAULT1", cookie) for cookie in cookies]
        for socket in sockets:
            await socket.open()
        await asyncio.to_thread(barrier.wait, 30)
        rng = random.Random(99)  # noqa: S311

        async def storm(socket):
            refs = [await socket.send("vote.cast", idea=rng.choice(ideas).pk) for _ in range(MESSAGES_PER_SOCKET)]
            return list((await socket.replies(refs, timeout=60)).values())

        replies = [r for per in await asyncio.gather(*(storm(s) for s in sockets)) for r in per]
        for socket in sockets:
            await socket.close()
        return replies

    threads = [threading.Thread(target=writer, args=(p, n)) for n, p in enumerate(participants)]
    for thread in threads:
        thread.start()
    replies = asyncio.run(sockets_voting())
    for thread in threads:
        thread.join(timeout=120)

    assert len(outcomes) == THREADS * WRITES_PER_THREAD
    assert set(outcomes) <= {"ack"} | DOMAIN_CODES, {o for o in outcomes if o != "ack"}
    assert len(replies) == SOCKETS * MESSAGES_PER_SOCKET
    for reply in replies:
        assert reply["type"] == "ack" or reply["code"] in DOMAIN_CODES, reply
        assert "locked" not in str(reply.get("message", ""))
    assert outcomes.count("ack") > 0 and any(r["type"] == "ack" for r in replies)
    stored = Vote.objects.count()
    assert sum(tallies(workshop.pk).values()) == stored
    for participant in Participant.objects.filter(workshop=workshop):
        assert participant.dots_left + participant.votes.count() == workshop.dots_per_participant

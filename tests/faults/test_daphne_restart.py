"""A daphne restart in the middle of voting: every acknowledged vote is in the database once,
the clients reconnect by themselves and converge to the database's tallies."""

import asyncio
import random
from collections import Counter

import pytest

from ideas.models import Participant, Vote
from ideas.selectors import tallies
from tests.ideas.live import joined_cookie

from .servers import Daphne, ResilientClient

pytestmark = pytest.mark.django_db(transaction=True)

CLIENTS = 6
MESSAGES_PER_CLIENT = 20
CONVERGE_SECONDS = 30


def effect_of_acks(client: ResilientClient, sent: dict[str, dict]) -> Counter:
    """Dots per idea this client's acknowledged writes add up to (each ref counted once)."""
    dots: Counter = Counter()
    for ref in client.acks:
        message = sent[ref]
        dots[str(message["idea"])] += 1 if message["type"] == "vote.cast" else -1
    return dots


def test_a_restart_mid_vote_loses_no_acknowledged_vote_and_clients_converge(voting_room):
    workshop, ideas = voting_room
    cookies = [joined_cookie("FAULT1", name=f"Votant {n}") for n in range(CLIENTS)]
    server = Daphne()
    sent: dict[str, dict] = {}

    async def vote_for_a_while(client: ResilientClient, rng: random.Random):
        for _ in range(MESSAGES_PER_CLIENT):
            kind = "vote.cast" if rng.random() < 0.8 else "vote.retract"
            idea = rng.choice(ideas).pk
            ref = await client.send(kind, idea=idea)
            sent[ref] = {"type": kind, "idea": idea}
            await asyncio.sleep(rng.uniform(0.05, 0.15))

    async def scenario():
        phones = [ResilientClient(server.ws_url, server.url, "FAULT1", cookie) for cookie in cookies]
        wall = ResilientClient(server.ws_url, server.url, "FAULT1")
        for client in [*phones, wall]:
            await client.start()
        voting = [asyncio.ensure_future(vote_for_a_while(p, random.Random(n))) for n, p in enumerate(phones)]  # noqa: S311
        await asyncio.sleep(1.0)
        server.restart()  # SIGKILL in the middle of the votes, then a new process on the same port
        await asyncio.gather(*voting)
        # Every write is answered in the end (resent after the reconnect if need be).
        for _ in range(300):
            if not any(p.pending for p in phones):
                break
            await asyncio.sleep(0.1)
        assert not any(p.pending for p in phones)
        expected = Counter()
        for phone in phones:
            expected.update(effect_of_acks(phone, sent))
        expected_tallies = {str(i.pk): expected[str(i.pk)] for i in ideas}
        # Every screen converges to the acknowledged totals; a client that missed frames asks
        # for a snapshot (as live.js does on a gap in `seq`).
        converged = False
        for tick in range(CONVERGE_SECONDS * 10):
            if all(c.tallies == expected_tallies for c in [*phones, wall]):
                converged = True
                break
            if tick % 30 == 29:
                for client in [*phones, wall]:
                    await client.sync()
            await asyncio.sleep(0.1)
        for client in [*phones, wall]:
            await client.stop()
        return phones, expected_tallies, converged

    try:
        phones, expected_tallies, converged = asyncio.run(scenario())
    finally:
        server.stop()

    assert all(p.reconnects >= 1 for p in phones), "every client lost its socket and came back"
    assert sum(len(p.acks) for p in phones) > CLIENTS * MESSAGES_PER_CLIENT // 2
    # The database holds exactly what was acknowledged: per participant and idea, once each.
    for phone in phones:
        participant = Participant.objects.get(pk=phone.snapshot["me"]["participant"])
        stored = Counter(str(i) for i in Vote.objects.filter(participant=participant).values_list("idea_id", flat=True))
        assert +effect_of_acks(phone, sent) == stored
        assert participant.dots_left == workshop.dots_per_participant - sum(stored.values())
    assert tallies(workshop.pk) == expected_tallies
    assert converged, "the screens did not converge to the database's tallies within 30 s"

"""Retried writes carrying the same `ref` are applied once; after a dropped connection the
resent write's ack says whether the first copy was stored (`replayed: true`) or not."""

import asyncio
import json
import threading

import pytest
from channels.db import database_sync_to_async
from django.db import connection

from ideas import services
from ideas.models import MessageReceipt, Participant, Vote
from tests.ideas.live import Socket, joined_cookie

pytestmark = pytest.mark.django_db(transaction=True)


def stored_votes() -> int:
    return Vote.objects.count()


async def test_a_vote_resent_with_its_ref_after_a_reconnect_is_applied_once(voting_room):
    workshop, ideas = voting_room
    cookie = await database_sync_to_async(joined_cookie)("FAULT1")
    first = Socket("FAULT1", cookie)
    await first.open()
    message = {"type": "vote.cast", "ref": "phone-7f3a-1", "idea": ideas[0].pk}
    await first.send_raw(json.dumps(message))
    ack = await first.reply("phone-7f3a-1")
    assert (ack["type"], ack["dots_left"]) == ("ack", 19) and "replayed" not in ack
    await first.close()

    # The phone never saw that ack (its connection dropped): it resends the same message.
    again = Socket("FAULT1", cookie)
    snapshot = await again.open()
    assert snapshot["me"]["votes"] == {str(ideas[0].pk): 1}
    await again.send_raw(json.dumps(message))
    replay = await again.reply("phone-7f3a-1")
    assert replay == {"type": "ack", "ref": "phone-7f3a-1", "idea": ideas[0].pk, "dots_left": 19, "replayed": True}
    assert await database_sync_to_async(stored_votes)() == 1
    await again.close()


async def test_a_write_cut_off_before_its_ack_is_applied_once_or_not_at_all(voting_room):
    """The socket closes right after sending: whichever happened, the resend settles it and
    the `replayed` flag agrees with what the reconnect's snapshot showed."""
    workshop, ideas = voting_room
    cookie = await database_sync_to_async(joined_cookie)("FAULT1")
    for n in range(5):
        cut = Socket("FAULT1", cookie)
        await cut.open()
        message = f'{{"type": "vote.cast", "ref": "cut-{n}", "idea": {ideas[1].pk}}}'
        await cut.send_raw(message)
        await cut.comm.disconnect()
        back = Socket("FAULT1", cookie)
        snapshot = await back.open()
        applied_before = snapshot["me"]["votes"].get(str(ideas[1].pk), 0) == n + 1
        await back.send_raw(message)
        ack = await back.reply(f"cut-{n}")
        assert ack["type"] == "ack"
        assert ack.get("replayed", False) == applied_before
        assert await database_sync_to_async(stored_votes)() == n + 1
        await back.close()


async def test_the_same_ref_on_another_message_is_refused_and_changes_nothing(voting_room):
    workshop, ideas = voting_room
    socket = Socket("FAULT1", await database_sync_to_async(joined_cookie)("FAULT1"))
    await socket.open()
    await socket.send_raw(f'{{"type": "vote.cast", "ref": 42, "idea": {ideas[0].pk}}}')
    assert (await socket.reply(42))["type"] == "ack"
    await socket.send_raw(f'{{"type": "vote.cast", "ref": 42, "idea": {ideas[1].pk}}}')
    refused = await socket.reply(42)
    assert refused["type"] == "error" and refused["code"] == "invalid"
    assert await database_sync_to_async(stored_votes)() == 1
    await socket.close()


async def test_the_same_write_racing_on_two_tabs_is_applied_once(voting_room):
    workshop, ideas = voting_room
    cookie = await database_sync_to_async(joined_cookie)("FAULT1")
    tabs = [Socket("FAULT1", cookie), Socket("FAULT1", cookie)]
    for tab in tabs:
        await tab.open()
    message = '{"type": "idea.post", "ref": "twin", "text": "Scaner în mașină"}'
    await database_sync_to_async(lambda: type(workshop).objects.filter(pk=workshop.pk).update(phase="ideas"))()
    await asyncio.gather(*(tab.send_raw(message) for tab in tabs))
    acks = await asyncio.gather(*(tab.reply("twin") for tab in tabs))
    assert [a["type"] for a in acks] == ["ack", "ack"]
    assert sorted(bool(a.get("replayed")) for a in acks) == [False, True]
    assert acks[0]["idea"] == acks[1]["idea"]
    from ideas.models import Idea

    assert await database_sync_to_async(Idea.objects.filter(text="Scaner în mașină").count)() == 1
    for tab in tabs:
        await tab.close()


def test_one_ref_from_eight_threads_at_once_is_stored_once(voting_room):
    """Straight at the service with eight database connections (PostgreSQL really races here;
    the unique receipt and the dot's row lock referee)."""
    workshop, ideas = voting_room
    participant = Participant.objects.create(workshop=workshop, display_name="Ion", role="citizen", dots_left=20)
    barrier = threading.Barrier(8)
    answers, lock = [], threading.Lock()

    def cast():
        try:
            barrier.wait(timeout=10)
            answer = services.write_once(
                participant_id=participant.pk, ref="same", message={"type": "vote.cast", "idea": ideas[2].pk},
                perform=lambda: {"dots_left": services.vote_cast(participant_id=participant.pk, idea_id=ideas[2].pk)},
            )
        except Exception as exc:  # noqa: BLE001 - any other outcome fails below
            answer = {"error": f"{type(exc).__name__}: {exc}"}
        finally:
            connection.close()
        with lock:
            answers.append(answer)

    threads = [threading.Thread(target=cast) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert sorted(bool(a.get("replayed")) for a in answers) == [False] + [True] * 7, answers
    assert {a["dots_left"] for a in answers} == {19}
    assert Vote.objects.filter(participant=participant).count() == 1
    assert MessageReceipt.objects.filter(participant=participant).count() == 1

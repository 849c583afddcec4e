"""Logging out, a deactivated account, or a facilitator removing a participant closes that
person's open sockets: a removal at once, the others at the relay's next check (at most
`REVALIDATE_INTERVAL`, well within a minute; the tests shorten it)."""

import pytest
from channels.db import database_sync_to_async
from django.test import Client

from ideas import realtime
from ideas.models import Participant, Vote
from tests.ideas.live import Socket, joined_cookie

pytestmark = pytest.mark.django_db(transaction=True)


REVALIDATE_DEFAULT = realtime.REVALIDATE_INTERVAL


def test_the_check_runs_well_within_a_minute():
    assert REVALIDATE_DEFAULT <= 30


@pytest.fixture(autouse=True)
def _quick_checks(monkeypatch):
    monkeypatch.setattr(realtime, "REVALIDATE_INTERVAL", 0.2)


def logged_in(user) -> tuple[Client, str]:
    client = Client()
    client.force_login(user)
    return client, f"sessionid={client.cookies['sessionid'].value}"


async def closed_with(socket: Socket, timeout: float = 10) -> int:
    """Read until the server closes the socket; returns the close code."""
    while True:
        output = await socket.comm.receive_output(timeout=timeout)
        if output["type"] == "websocket.close":
            return output["code"]


async def test_logging_out_closes_the_facilitators_sockets(voting_room, facilitator):
    client, cookie = await database_sync_to_async(logged_in)(facilitator)
    presenter, wall = Socket("FAULT1", cookie), Socket("FAULT1")
    await presenter.open()
    await wall.open()
    await database_sync_to_async(client.logout)()
    assert await closed_with(presenter) == 4401
    # The observer's socket stays: it was nobody's.
    assert (await wall.request("sync"))["type"] == "snapshot"
    await wall.close()


async def test_a_deactivated_account_loses_its_sockets(voting_room, facilitator):
    _, cookie = await database_sync_to_async(logged_in)(facilitator)
    presenter = Socket("FAULT1", cookie)
    await presenter.open()
    facilitator.is_active = False
    await database_sync_to_async(facilitator.save)(update_fields=["is_active"])
    assert await closed_with(presenter) == 4401


async def test_a_facilitator_removes_a_participant_whose_sockets_close_at_once(voting_room, facilitator, monkeypatch):
    monkeypatch.setattr(realtime, "REVALIDATE_INTERVAL", 3600)  # the removal itself closes them
    workshop, ideas = voting_room
    _, facilitator_cookie = await database_sync_to_async(logged_in)(facilitator)
    presenter = Socket("FAULT1", facilitator_cookie)
    await presenter.open()
    troll_cookie = await database_sync_to_async(joined_cookie)("FAULT1", "Troll")
    phone, other_tab = Socket("FAULT1", troll_cookie), Socket("FAULT1", troll_cookie)
    troll_id = (await phone.open())["me"]["participant"]
    await other_tab.open()
    assert (await phone.request("vote.cast", idea=ideas[0].pk))["type"] == "ack"

    neighbour = Socket("FAULT1", await database_sync_to_async(joined_cookie)("FAULT1", "Vecin"))
    await neighbour.open()
    refused = await neighbour.request("participant.remove", participant=troll_id)
    assert refused["code"] == "forbidden"

    ack = await presenter.request("participant.remove", participant=troll_id)
    assert (ack["type"], ack["participant"]) == ("ack", troll_id)
    assert await closed_with(phone) == 4401
    assert await closed_with(other_tab) == 4401
    assert not await database_sync_to_async(Participant.objects.filter(pk=troll_id).exists)()
    assert await database_sync_to_async(Vote.objects.count)() == 0
    # The room's tallies lose the removed dot.
    await presenter.until(lambda f: f["type"] == "tally" and f["votes"][str(ideas[0].pk)] == 0)
    # Coming back with the same browser, the socket is an observer that may not vote.
    back = Socket("FAULT1", troll_cookie)
    assert (await back.open())["me"]["participant"] is None
    assert (await back.request("vote.cast", idea=ideas[0].pk))["code"] == "not_joined"
    for socket in (presenter, neighbour, back):
        await socket.close()

"""Two daphne processes on the Redis channel layer: a vote cast on one reaches a socket on
the other. Needs REDIS_URL (and a database both processes share): it runs in the
PostgreSQL + Redis pass of `.ci/run`."""

import asyncio
import json
import os

import pytest
import websockets
from django.test import Client

from tests.factories import WorkshopPageFactory
from tests.live_server import LiveServer

from .factories import IdeaFactory

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(not os.environ.get("REDIS_URL"), reason="needs REDIS_URL: runs in the Redis pass of .ci/run"),
]


@pytest.fixture
def two_servers():
    servers = [LiveServer(), LiveServer()]
    yield servers
    for server in servers:
        server.stop()


async def open_socket(server: LiveServer, code: str, cookie: str | None = None):
    headers = {"Cookie": cookie} if cookie else {}
    socket = await websockets.connect(
        f"{server.ws_url}/ws/workshops/{code}/", origin=server.url, additional_headers=headers, open_timeout=10
    )
    snapshot = json.loads(await asyncio.wait_for(socket.recv(), 10))
    assert snapshot["type"] == "snapshot"
    return socket, snapshot


async def frame_where(socket, predicate, timeout=10):
    async def wait():
        while True:
            frame = json.loads(await socket.recv())
            if predicate(frame):
                return frame
    return await asyncio.wait_for(wait(), timeout)


def test_a_vote_on_one_process_reaches_a_socket_on_the_other(tree, two_servers):
    workshop = WorkshopPageFactory(parent=tree["workshop_index"], join_code="SCALE2", phase="ideas")
    idea = IdeaFactory(workshop=workshop, text="Scaner portabil")
    client = Client()
    joined = client.post("/api/workshops/SCALE2/participants", {"display_name": "Ana", "role": "citizen"},
                         content_type="application/json")
    assert joined.status_code == 201
    cookie = f"sessionid={client.cookies['sessionid'].value}"
    type(workshop).objects.filter(pk=workshop.pk).update(phase="voting")
    server_a, server_b = two_servers

    async def scenario():
        wall, _ = await open_socket(server_b, "SCALE2")
        phone, snapshot = await open_socket(server_a, "SCALE2", cookie)
        assert snapshot["me"]["name"] == "Ana"
        # Presence crosses processes too: the wall on B learns of the phone on A.
        await frame_where(wall, lambda f: f["type"] == "presence" and f["online"] == 2)
        await phone.send(json.dumps({"type": "vote.cast", "ref": "v1", "idea": idea.pk}))
        ack = await frame_where(phone, lambda f: f.get("ref") == "v1")
        assert (ack["type"], ack["dots_left"]) == ("ack", 2)
        tally = await frame_where(wall, lambda f: f["type"] == "tally")
        assert tally["votes"] == {str(idea.pk): 1}
        await phone.send(json.dumps({"type": "idea.post", "ref": "p1", "text": "nu în faza de vot"}))
        refused = await frame_where(phone, lambda f: f.get("ref") == "p1")
        assert refused["code"] == "phase_closed"
        await phone.close()
        await wall.close()

    asyncio.run(scenario())

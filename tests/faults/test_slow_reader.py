"""A reader that stops reading cannot grow the server's memory without bound: once its
backlog passes the bound, the server drops its socket (the room sees it leave), and when it
comes back it starts again from a snapshot."""

import asyncio
import json
import socket

import pytest
import websockets

from ideas import consumers
from tests.ideas.factories import IdeaFactory

from .servers import Daphne

pytestmark = pytest.mark.django_db(transaction=True)


async def frame_where(sock, predicate, timeout=15):
    async def wait():
        while True:
            frame = json.loads(await sock.recv())
            if predicate(frame):
                return frame
    return await asyncio.wait_for(wait(), timeout)


def test_a_stuck_reader_is_dropped_and_resyncs_when_it_returns(voting_room, monkeypatch, settings):
    workshop, ideas = voting_room
    for n in range(120):  # a snapshot of about 70 KB
        IdeaFactory(workshop=workshop, text=f"{n} " + "Echipa mobilă are nevoie de un scaner portabil. " * 10)
    # Set before the fork, so the server process has it: a small bound shows the behaviour
    # without megabytes of traffic.
    monkeypatch.setattr(consumers, "MAX_PENDING_BYTES", 64 * 1024)
    # The stuck reader asks for more snapshots than the kernel's socket buffers hold (they
    # grow to megabytes on loopback); the message limiter would refuse most of them first.
    settings.ATELIER_RATE_LIMITS = {
        **settings.ATELIER_RATE_LIMITS, "socket_message_session": (10_000, 3), "socket_message_ip": (10_000, 3),
    }
    server = Daphne()

    async def scenario():
        url = f"{server.ws_url}/ws/workshops/FAULT1/"
        wall = await websockets.connect(url, origin=server.url, max_size=None)
        await frame_where(wall, lambda f: f["type"] == "snapshot")
        # The stuck reader: a tiny receive buffer, and it never reads.
        raw = socket.socket()
        raw.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
        raw.connect(("127.0.0.1", server.port))
        stuck = await websockets.connect(url, origin=server.url, sock=raw, max_queue=1, max_size=None)
        await frame_where(wall, lambda f: f["type"] == "presence" and f["online"] == 2)
        # It keeps asking for snapshots it never reads (writing still works), more than the
        # kernel's socket buffers take.
        for _ in range(150):
            try:
                await stuck.send('{"type":"sync"}')
            except websockets.ConnectionClosed:
                break
            await asyncio.sleep(0.01)
        # The server dropped it: the room counts one socket again, the wall stayed.
        await frame_where(wall, lambda f: f["type"] == "presence" and f["online"] == 1, timeout=20)
        with pytest.raises(websockets.ConnectionClosed):
            while True:
                await asyncio.wait_for(stuck.recv(), 10)
        # Coming back, it starts from a full snapshot.
        again = await websockets.connect(url, origin=server.url, max_size=None)
        snapshot = await frame_where(again, lambda f: f["type"] == "snapshot")
        assert len(snapshot["ideas"]) == 123
        await again.close()
        await wall.close()

    try:
        asyncio.run(scenario())
    finally:
        server.stop()

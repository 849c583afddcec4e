"""The database cannot be reached for a moment: HTTP answers 503 "temporarily unavailable"
(with Retry-After; JSON on the API), socket messages answer an `unavailable` error frame and
the socket stays open; when the database is back, everything works again by itself. Runs on
SQLite and PostgreSQL (connections are made to fail); on PostgreSQL a second test cuts a real
TCP connection to the database under a real daphne."""

import asyncio
import contextlib
import json

import pytest
from channels.db import database_sync_to_async
from django.conf import settings
from django.db import OperationalError, connection
from django.db.backends.base.base import BaseDatabaseWrapper
from django.test import Client

from ideas.models import Vote
from tests.ideas.live import Socket, joined_cookie

from .servers import Daphne, TcpProxy

pytestmark = pytest.mark.django_db(transaction=True)


@contextlib.contextmanager
def database_down(message="database is locked"):
    """Every connection of every thread fails as an unreachable database does (SQLite's own
    "database is locked" by default, so the test also shows it never reaches a user)."""
    original = BaseDatabaseWrapper.ensure_connection

    def fail(self):
        raise OperationalError(message)

    BaseDatabaseWrapper.ensure_connection = fail
    try:
        yield
    finally:
        BaseDatabaseWrapper.ensure_connection = original


def test_pages_and_the_api_answer_503_while_the_database_is_down_then_recover(voting_room):
    client = Client(raise_request_exception=False)
    assert client.get("/w/FAULT1/").status_code == 200
    with database_down():
        page = client.get("/w/FAULT1/")
        api = client.get("/api/workshops/FAULT1/state")
    assert page.status_code == 503 and page["Retry-After"]
    assert "temporar indisponibil" in page.content.decode() and "locked" not in page.content.decode()
    assert api.status_code == 503 and api["Retry-After"]
    assert api.json()["code"] == "unavailable" and "locked" not in api.json()["message"]
    assert client.get("/w/FAULT1/").status_code == 200
    assert client.get("/api/workshops/FAULT1/state").status_code == 200


async def test_socket_messages_answer_unavailable_and_the_socket_stays_open(voting_room):
    workshop, ideas = voting_room
    socket = Socket("FAULT1", await database_sync_to_async(joined_cookie)("FAULT1"))
    await socket.open()
    with database_down():
        refused = await socket.request("vote.cast", idea=ideas[0].pk)
        sync = await socket.request("sync")
    assert (refused["type"], refused["code"]) == ("error", "unavailable")
    assert "locked" not in refused["message"]
    assert (sync["type"], sync["code"]) == ("error", "unavailable")
    assert await database_sync_to_async(Vote.objects.count)() == 0
    # Back: the same socket votes.
    ack = await socket.request("vote.cast", idea=ideas[0].pk)
    assert (ack["type"], ack["dots_left"]) == ("ack", 19)
    await socket.close()


async def test_a_socket_opened_while_the_database_is_down_is_told_then_asked_to_retry(voting_room):
    socket = Socket("FAULT1")
    with database_down():
        assert await socket.connect()
        told = await socket.receive()
        closed = await socket.comm.receive_output(timeout=5)
    assert (told["type"], told["code"]) == ("error", "unavailable")
    assert closed == {"type": "websocket.close", "code": 4013}
    back = Socket("FAULT1")
    assert (await back.open())["workshop"]["code"] == "FAULT1"
    await back.close()


@pytest.mark.skipif(connection.vendor != "postgresql", reason="cuts a TCP connection to PostgreSQL")
def test_a_cut_database_connection_under_daphne_is_503_then_recovers(voting_room):
    """PostgreSQL behind a TCP proxy that the test cuts and restores (never the server itself)."""
    workshop, ideas = voting_room
    cookie = joined_cookie("FAULT1")
    # DATABASES is the very dict the connection handler reads: point it at the proxy only
    # while the server forks (the child keeps its copy), then put it back for this process.
    databases = settings.DATABASES
    database = databases["default"]
    proxy = TcpProxy(database.get("HOST") or "127.0.0.1", int(database.get("PORT") or 5432))
    databases["default"] = {**database, "HOST": "127.0.0.1", "PORT": str(proxy.port)}
    try:
        server = Daphne()  # the child connects through the proxy
    finally:
        databases["default"] = database
    try:
        assert server.get("/w/FAULT1/")[0] == 200
        proxy.cut()
        status, headers, body = server.get("/w/FAULT1/")
        assert status == 503 and headers.get("Retry-After") and "temporar indisponibil" in body
        status, headers, body = server.get("/api/workshops/FAULT1/state")
        assert status == 503 and json.loads(body)["code"] == "unavailable"

        async def vote_while_cut_then_after():
            import websockets

            proxy.restore()
            async with websockets.connect(f"{server.ws_url}/ws/workshops/FAULT1/", origin=server.url,
                                          additional_headers={"Cookie": cookie}) as sock:
                assert json.loads(await asyncio.wait_for(sock.recv(), 10))["type"] == "snapshot"
                proxy.cut()
                await sock.send(json.dumps({"type": "vote.cast", "ref": "down", "idea": ideas[0].pk}))
                refused = json.loads(await asyncio.wait_for(sock.recv(), 15))
                proxy.restore()
                await sock.send(json.dumps({"type": "vote.cast", "ref": "up", "idea": ideas[0].pk}))
                while (ack := json.loads(await asyncio.wait_for(sock.recv(), 15))).get("ref") != "up":
                    pass
                return refused, ack

        refused, ack = asyncio.run(vote_while_cut_then_after())
        assert (refused["ref"], refused["code"]) == ("down", "unavailable")
        assert (ack["type"], ack["dots_left"]) == ("ack", 19)
        assert server.get("/w/FAULT1/")[0] == 200
    finally:
        server.stop()
        proxy.close()
    assert Vote.objects.count() == 1


async def test_a_signed_in_socket_opened_while_the_database_is_down_is_told_too(voting_room):
    """Channels reads the session before the consumer runs: the handshake must not fail."""
    cookie = await database_sync_to_async(joined_cookie)("FAULT1")
    socket = Socket("FAULT1", cookie)
    with database_down():
        assert await socket.connect()
        told = await socket.receive()
        closed = await socket.comm.receive_output(timeout=5)
    assert (told["type"], told["code"]) == ("error", "unavailable")
    assert "locked" not in told["message"]
    assert closed == {"type": "websocket.close", "code": 4013}
    # Back: the same person connects and gets the room.
    socket = Socket("FAULT1", cookie)
    assert await socket.connect()
    assert (await socket.receive())["type"] == "snapshot"
    await socket.close()

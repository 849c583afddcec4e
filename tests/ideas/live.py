"""Helpers to drive the live socket through the real ASGI application (origin check, session)."""

import asyncio
import itertools
import json

from channels.testing import WebsocketCommunicator
from django.test import Client

from workshop_site.asgi import application


def joined_cookie(code: str, name: str = "Maria", role: str = "citizen") -> str:
    """Join over the HTTP API as a new browser; returns its Cookie header."""
    client = Client()
    response = client.post(
        f"/api/workshops/{code}/participants", {"display_name": name, "role": role}, content_type="application/json"
    )
    assert response.status_code == 201, response.content
    return f"sessionid={client.cookies['sessionid'].value}"


def logged_in_cookie(user) -> str:
    client = Client()
    client.force_login(user)
    return f"sessionid={client.cookies['sessionid'].value}"


_clients = itertools.count(1)


class Socket:
    """A WebSocket client on the real application, with helpers for the protocol."""

    def __init__(self, code: str, cookie: str | None = None, origin: str = "http://localhost"):
        headers = [(b"host", b"localhost"), (b"origin", origin.encode())]
        if cookie:
            headers.append((b"cookie", cookie.encode()))
        self.comm = WebsocketCommunicator(application, f"/ws/workshops/{code}/", headers=headers)
        self.refs = 0
        # Refs unique to this client, as live.js makes them: the server applies a write once
        # per (participant, ref), and two tabs of one participant must not share refs.
        self.ref_prefix = f"s{next(_clients)}-"

    async def connect(self):
        connected, _ = await self.comm.connect(timeout=5)
        return connected

    async def open(self) -> dict:
        """Connect and return the first frame (the snapshot)."""
        assert await self.connect()
        snapshot = await self.receive()
        assert snapshot["type"] == "snapshot"
        return snapshot

    async def send(self, type_: str, **fields) -> str:
        self.refs += 1
        ref = f"{self.ref_prefix}r{self.refs}"
        await self.comm.send_to(text_data=json.dumps({"type": type_, "ref": ref, **fields}))
        return ref

    async def send_raw(self, text: str):
        await self.comm.send_to(text_data=text)

    async def receive(self, timeout: float = 5) -> dict:
        return json.loads(await self.comm.receive_from(timeout=timeout))

    async def reply(self, ref: str, timeout: float = 5) -> dict:
        """The ack or error for `ref`, skipping room broadcasts in between."""
        while True:
            frame = await self.receive(timeout)
            if frame.get("ref") == ref and frame["type"] in ("ack", "error", "snapshot"):
                return frame

    async def replies(self, refs: list[str], timeout: float = 10) -> dict[str, dict]:
        """The acks/errors for several refs sent before reading, whatever their order."""
        wanted, found = set(refs), {}
        while wanted:
            frame = await self.receive(timeout)
            if frame.get("ref") in wanted and frame["type"] in ("ack", "error"):
                found[frame["ref"]] = frame
                wanted.discard(frame["ref"])
        return found

    async def request(self, type_: str, **fields) -> dict:
        return await self.reply(await self.send(type_, **fields))

    async def until(self, predicate, timeout: float = 5) -> dict:
        """The first frame that satisfies `predicate`."""
        async def wait():
            while True:
                frame = await self.receive(timeout)
                if predicate(frame):
                    return frame
        return await asyncio.wait_for(wait(), timeout)

    async def close(self):
        await self.comm.disconnect()

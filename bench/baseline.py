"""The bare baseline: the same live-vote protocol and fan-out design as ideas/realtime.py, with
no database, no sessions, no Django views. Served by the same daphne as Atelier
(`daphne bench.baseline:application`), so Atelier's figures can be read as ratios to what
Channels itself carries on this machine.

What it keeps from Atelier's design (docs/architecture.md, "The path of a request"): a Channels
`AsyncWebsocketConsumer` per socket with no channel-layer channel of its own; a vote is checked
against the participant's budget, counted and acked; the room is marked dirty; at most every
100 ms this process sends the absolute tallies as one channel-layer message to the room's group;
one relay per room per process (the group's only member here) numbers the frame, serialises it
once and writes it to its local sockets, taking only the latest tallies while a fan-out is still
going. What it leaves out is exactly Atelier's own work per vote: the transaction, the session,
the phase rule, the SQL reads of the tallies.

The poll scenario's `poll.answer` (one option; a second answer replaces the first) is counted
the same way. Each room has one poll with four options; once it has an answer, the room is "on
the poll" and its tally frames carry `activity` and `counts` as Atelier's do (so the vote
scenario's frames are as before).

HTTP (enough for the load client's join step, same paths as Atelier):
- `GET /w/<code>/` sets a `csrftoken` cookie;
- `POST /api/workshops/<code>/participants` answers 201 and sets a `sessionid` cookie;
- `GET /api/workshops/<code>/results` gives `{"ideas": [{"id", "votes"}], "activities": [the
  poll: {"id", "kind", "results": {"options": [{"id", "count"}]}}]}`.
"""

import asyncio
import json
import os
import secrets
import time
from http.cookies import SimpleCookie

import django
from django.conf import settings

if not settings.configured:
    redis_url = os.environ.get("REDIS_URL", "").strip()
    layer = (
        {
            "BACKEND": "channels_redis.core.RedisChannelLayer",
            "CONFIG": {
                "hosts": [redis_url],
                "capacity": 1500,
                "expiry": 30,
                "prefix": os.environ.get("CHANNELS_PREFIX", "bench") + "-baseline",
            },
        }
        if redis_url
        else {"BACKEND": "channels.layers.InMemoryChannelLayer"}
    )
    settings.configure(
        DEBUG=False,
        SECRET_KEY="bench-baseline",
        ALLOWED_HOSTS=["*"],
        INSTALLED_APPS=["channels"],
        CHANNEL_LAYERS={"default": layer},
        USE_TZ=True,
    )
    django.setup()

from channels.generic.websocket import AsyncWebsocketConsumer
from channels.layers import get_channel_layer
from channels.routing import ProtocolTypeRouter, URLRouter
from django.urls import path

TALLY_INTERVAL = 0.1
IDEAS = 20
POLL = 1
OPTIONS = (101, 102, 103, 104)
DOTS = {"BENCHR": 3, "BENCHS": 1000}


class Room:
    def __init__(self, code: str):
        self.code = code
        self.votes = {str(n): 0 for n in range(1, IDEAS + 1)}
        self.dots: dict[str, int] = {}  # session id → dots left
        self.counts = {str(n): 0 for n in OPTIONS}
        self.answers: dict[str, str] = {}  # session id → the option chosen
        self.on_poll = False

    def poll(self) -> dict:
        """What a tally adds while the room is on its poll (as Atelier's `tally` frames)."""
        return {"activity": POLL, "counts": dict(self.counts)} if self.on_poll else {}

    def snapshot(self, relay, session: str | None, **extra) -> str:
        return json.dumps(
            {
                "type": "snapshot",
                **extra,
                "seq": relay.seq,
                "ideas": [{"id": int(k), "votes": v} for k, v in self.votes.items()],
                "activity": {"id": POLL, "kind": "poll", "counts": dict(self.counts)},
                "me": {
                    "participant": session,
                    "dots_left": self.dots.get(session),
                    "votes": {},
                },
                "online": len(relay.sockets),
            },
            separators=(",", ":"),
        )


rooms: dict[str, Room] = {}


def room_for(code: str) -> Room:
    room = rooms.get(code)
    if room is None:
        room = rooms[code] = Room(code)
    return room


def group_name(code: str) -> str:
    return f"bench.room.{code}"


class Coalescer:
    """Sends a dirty room's tallies at most every TALLY_INTERVAL (realtime.TallyCoalescer)."""

    def __init__(self):
        self.dirty: set[str] = set()
        self.last_sent: dict[str, float] = {}
        self.scheduled = False

    def mark(self, code: str) -> None:
        self.dirty.add(code)
        if not self.scheduled:
            self.scheduled = True
            due = min(self.last_sent.get(c, 0.0) for c in self.dirty) + TALLY_INTERVAL
            asyncio.get_running_loop().call_later(
                max(0.0, due - time.monotonic()),
                lambda: asyncio.ensure_future(self.flush()),
            )

    async def flush(self) -> None:
        codes, self.dirty = self.dirty, set()
        layer = get_channel_layer()
        try:
            for code in codes:
                self.last_sent[code] = time.monotonic()
                await layer.group_send(
                    group_name(code),
                    {
                        "type": "room.tally",
                        "votes": dict(rooms[code].votes),
                        **rooms[code].poll(),
                    },
                )
        finally:
            self.scheduled = False
            if self.dirty:
                self.mark(next(iter(self.dirty)))


coalescer = Coalescer()


class Relay:
    """One per room per process: the group's only member here (realtime.RoomRelay, tallies only)."""

    def __init__(self, code: str):
        self.code = code
        self.layer = get_channel_layer()
        self.sockets: set = set()
        self.seq = 0
        self.pending: dict | None = None
        self.wakeup = asyncio.Event()
        self.ready = asyncio.Event()

    async def start(self) -> None:
        self.channel = await self.layer.new_channel(prefix="bench.relay.")
        await self.layer.group_add(group_name(self.code), self.channel)
        self.tasks = [
            asyncio.ensure_future(self._receive()),
            asyncio.ensure_future(self._fan_out()),
        ]
        self.ready.set()

    async def _receive(self) -> None:
        while True:
            message = await self.layer.receive(self.channel)
            if message.get("type") == "room.tally":
                self.pending = message  # latest wins
                self.wakeup.set()

    async def _fan_out(self) -> None:
        while True:
            await self.wakeup.wait()
            self.wakeup.clear()
            while self.pending is not None:
                tally, self.pending = self.pending, None
                self.seq += 1
                poll = {k: tally[k] for k in ("activity", "counts") if k in tally}
                frame = json.dumps(
                    {"type": "tally", "seq": self.seq, "votes": tally["votes"], **poll},
                    separators=(",", ":"),
                )
                for socket in list(self.sockets):
                    try:
                        await socket.send(text_data=frame)
                    except Exception:
                        self.sockets.discard(socket)


relays: dict[str, Relay] = {}


async def relay_for(code: str) -> Relay:
    relay = relays.get(code)
    if relay is None:
        relay = relays[code] = Relay(code)
        await relay.start()
    await relay.ready.wait()
    return relay


def cookies_of(scope) -> dict[str, str]:
    for name, value in scope.get("headers", []):
        if name == b"cookie":
            return {
                key: morsel.value
                for key, morsel in SimpleCookie(value.decode("latin-1")).items()
            }
    return {}


class BareConsumer(AsyncWebsocketConsumer):
    channel_layer_alias = "bench.no-per-socket-channel"

    async def connect(self):
        self.code = self.scope["url_route"]["kwargs"]["code"]
        self.room = room_for(self.code)
        self.session = cookies_of(self.scope).get("sessionid")
        await self.accept()
        self.relay = await relay_for(self.code)
        self.relay.sockets.add(self)
        await self.send(text_data=self.room.snapshot(self.relay, self.session))

    async def disconnect(self, code):
        relay = relays.get(getattr(self, "code", ""))
        if relay is not None:
            relay.sockets.discard(self)

    async def receive(self, text_data=None, bytes_data=None):
        message = json.loads(text_data)
        ref = message.get("ref")
        if message.get("type") == "sync":
            await self.send(
                text_data=self.room.snapshot(self.relay, self.session, ref=ref)
            )
            return
        if message.get("type") == "poll.answer":
            await self.answer(message, ref)
            return
        if message.get("type") != "vote.cast":
            await self.send(
                text_data=json.dumps(
                    {"type": "error", "ref": ref, "code": "unknown_type", "message": ""}
                )
            )
            return
        idea = str(message.get("idea"))
        left = self.room.dots.get(self.session, 0)
        if idea not in self.room.votes or left <= 0:
            await self.send(
                text_data=json.dumps(
                    {"type": "error", "ref": ref, "code": "no_dots_left", "message": ""}
                )
            )
            return
        self.room.dots[self.session] = left - 1
        self.room.votes[idea] += 1
        await self.send(
            text_data=json.dumps(
                {
                    "type": "ack",
                    "ref": ref,
                    "idea": message.get("idea"),
                    "dots_left": left - 1,
                },
                separators=(",", ":"),
            )
        )
        coalescer.mark(self.code)

    async def answer(self, message: dict, ref) -> None:
        options = message.get("options")
        room = self.room
        if (
            message.get("activity") != POLL
            or not isinstance(options, list)
            or len(options) != 1
            or str(options[0]) not in room.counts
            or self.session not in room.dots
        ):
            await self.send(
                text_data=json.dumps(
                    {"type": "error", "ref": ref, "code": "invalid", "message": ""}
                )
            )
            return
        before = room.answers.get(self.session)
        if before is not None:
            room.counts[before] -= 1
        room.answers[self.session] = str(options[0])
        room.counts[str(options[0])] += 1
        room.on_poll = True
        await self.send(
            text_data=json.dumps(
                {"type": "ack", "ref": ref, "activity": POLL, "options": options},
                separators=(",", ":"),
            )
        )
        coalescer.mark(self.code)


async def http_app(scope, receive, send):
    if scope["type"] == "lifespan":
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                await send({"type": "lifespan.shutdown.complete"})
                return
    while (await receive()).get("more_body"):
        pass
    parts = scope["path"].strip("/").split("/")
    headers = [(b"content-type", b"application/json")]
    status, body = 404, {"code": "not_found"}
    if len(parts) == 2 and parts[0] == "w" and scope["method"] == "GET":
        status, body = 200, {}
        headers.append(
            (b"set-cookie", f"csrftoken={secrets.token_hex(16)}; Path=/".encode())
        )
    elif (
        len(parts) == 4
        and parts[:2] == ["api", "workshops"]
        and parts[3] == "participants"
        and scope["method"] == "POST"
    ):
        room, session = room_for(parts[2]), secrets.token_hex(16)
        room.dots[session] = DOTS.get(room.code, 3)
        status, body = 201, {"id": session, "dots_left": room.dots[session]}
        headers.append(
            (b"set-cookie", f"sessionid={session}; Path=/; HttpOnly".encode())
        )
    elif (
        len(parts) == 4 and parts[:2] == ["api", "workshops"] and parts[3] == "results"
    ):
        room = room_for(parts[2])
        status, body = (
            200,
            {
                "ideas": [{"id": int(k), "votes": v} for k, v in room.votes.items()],
                "activities": [
                    {
                        "id": POLL,
                        "kind": "poll",
                        "results": {
                            "options": [
                                {"id": int(k), "count": v}
                                for k, v in room.counts.items()
                            ]
                        },
                    }
                ],
            },
        )
    payload = json.dumps(body).encode()
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": payload})


application = ProtocolTypeRouter(
    {
        "http": http_app,
        "websocket": URLRouter(
            [path("ws/workshops/<str:code>/", BareConsumer.as_asgi())]
        ),
    }
)

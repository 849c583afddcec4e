"""Getting changes of a live room to every screen (docs/architecture.md, "The path of a
request"; the frames and their `seq` are docs/protocol.md's).

- `publish(workshop_id, event)`: after a commit, one channel-layer message to the room's group.
- `tallies_changed(workshop_id)`: marks the room's tallies dirty; this process sends the latest
  absolute tallies at most every `TALLY_INTERVAL` seconds, one message however many votes.
- `RoomRelay`: one per room per process. It is the only member of the room's group from this
  process; it numbers the frames (`seq`), serialises each once and writes it to the local
  sockets (`RoomSocket`). While a fan-out is under way, newer tallies replace older ones
  ("latest wins").

So N voters never cause N×N channel-layer messages: votes cause at most 10 tally messages a
second per process, and each reaches one relay per process.
"""

import asyncio
import contextlib
import contextvars
import json
import logging
import threading
import time
from abc import abstractmethod
from collections import deque
from collections.abc import Awaitable, Callable
from typing import Protocol

from asgiref.sync import async_to_sync
from channels.db import database_sync_to_async
from channels.layers import get_channel_layer
from django.utils.translation import gettext as _

from workshop_site.core.errors import DomainError, Unavailable

logger = logging.getLogger(__name__)

TALLY_INTERVAL = 0.1
# What a tally carries of the room's current activity besides the brainstorm's `votes`: its id
# and, by kind, its figures (docs/protocol.md, "Run of show").
ACTIVITY_TALLY_FIELDS = ("activity", "counts", "distribution", "words")
# Keys of an event the relay reads and no client sees: who an idea posted in a table round or
# in private writing is for (`rules.idea_audience`: its author, the people of `table`, and if
# `tableless` those at no table and observers; facilitators always); a moved participant's
# sockets sit at their new table from then on.
AUDIENCE = "_audience"
MOVED_TO = "_moved_to"
PRESENCE_INTERVAL = 1.0
PRESENCE_TTL = 90.0
# Presence frames a relay writes a second at most, over all its sockets: a room of 2,000 gets
# its online count every 4 s, not every second. Every socket gets each presence frame (it
# carries a seq) though only the screens show it; while a room filled, writing it every second
# to each phone was a fifth of a join's cost (bench/RESULTS.md, session 10).
PRESENCE_WRITES_PER_SECOND = 500
# How often each relay asks whether its sockets' people are still signed in / in the room
# (a logout, a deactivated account or a removal closes their sockets within this time).
REVALIDATE_INTERVAL = 30.0
# Sockets written before the fan-out lets other work of the event loop run (see _write).
FANOUT_SLICE = 50
# How long a relay waits before trying the channel layer again after losing it (Redis down).
LAYER_RETRY_SECONDS = 1.0


def live_paused() -> Unavailable:
    return Unavailable(_("Live updates are paused: the server lost its live connection. "
                         "Nothing was changed; try again in a moment."))


def error_frame(ref, error: DomainError) -> dict:
    """A refusal as the protocol's `error` frame (the consumer's answers, the relay's notice)."""
    return {"type": "error", "ref": ref, "code": error.code, "message": error.message}


def group_name(workshop_id: int) -> str:
    # ASCII, short, built from the primary key only (never from user text).
    return f"atelier.room.{int(workshop_id)}"


# --- the publishing side -----------------------------------------------------------------

_loop_lock = threading.Lock()
_server_loop: asyncio.AbstractEventLoop | None = None


def _running_server_loop() -> asyncio.AbstractEventLoop | None:
    loop = _server_loop
    if loop is None or loop.is_closed() or not loop.is_running():
        return None
    return loop


def publish(workshop_id: int, event: dict) -> None:
    """Send an event to every process's relay of the room. Called after commit, from sync code."""
    layer = get_channel_layer()
    if layer is None:
        return
    message = {"type": "room.event", "event": event}
    try:
        async_to_sync(layer.group_send)(group_name(workshop_id), message)
    except Exception:
        logger.warning("Could not publish %s to room %s", event.get("type"), workshop_id, exc_info=True)


def tallies_changed(workshop_id: int) -> None:
    """Mark the room's tallies dirty (from any thread). Without a running server loop in this
    process (a management command), publish the tallies at once."""
    loop = _running_server_loop()
    if loop is None:
        _publish_tallies_now(workshop_id)
        return
    # A fresh context: the caller's (a database_sync_to_async thread) marks asgiref's
    # single-thread executor as busy, and the flush must be free to use it.
    loop.call_soon_threadsafe(_coalescer_for(loop).mark, workshop_id, context=contextvars.Context())


def _tally_message(workshop_id: int) -> dict:
    from .kinds.base import activity_rows
    from .selectors import (
        current_activity_tally,
        participants_with_dots,
        room_brainstorm,
        room_tallies,
    )

    rows = activity_rows(workshop_id)
    votes, channels, sealed = room_tallies(workshop_id, rows)
    brainstorm = room_brainstorm(rows)
    return {
        "type": "room.tally",
        "votes": votes,
        "channels": channels,  # the helpers' and paper part of `votes` (frames carry it if any)
        "sealed": sealed,  # ideas of a blind brainstorm before its results: not in public frames
        "participants_with_dots": participants_with_dots(workshop_id, brainstorm.id if brainstorm else None),
        # the current activity and its figures (`counts`, `distribution`, `words`), if any
        **current_activity_tally(workshop_id, rows=rows),
    }


def _publish_tallies_now(workshop_id: int) -> None:
    layer = get_channel_layer()
    if layer is None:
        return
    try:
        async_to_sync(layer.group_send)(group_name(workshop_id), _tally_message(workshop_id))
    except Exception:
        logger.warning("Could not publish tallies of room %s", workshop_id, exc_info=True)


class TallyCoalescer:
    """Per process (per event loop): sends each dirty room's tallies at most every interval."""

    def __init__(self, loop: asyncio.AbstractEventLoop):
        self.loop = loop
        self.dirty: set[int] = set()
        self.last_sent: dict[int, float] = {}
        self.scheduled = False
        self.failing = False

    def mark(self, workshop_id: int) -> None:
        self.dirty.add(workshop_id)
        if not self.scheduled:
            self.scheduled = True
            due = min(self.last_sent.get(w, 0.0) for w in self.dirty) + TALLY_INTERVAL
            delay = max(0.0, due - time.monotonic())
            self.loop.call_later(delay, lambda: asyncio.ensure_future(self.flush()))

    async def flush(self) -> None:
        rooms, self.dirty = self.dirty, set()
        layer = get_channel_layer()
        unsent = set(rooms)
        try:
            for workshop_id in rooms:
                self.last_sent[workshop_id] = time.monotonic()
                message = await database_sync_to_async(_tally_message)(workshop_id)
                await layer.group_send(group_name(workshop_id), message)
                unsent.discard(workshop_id)
            self.failing = False
        except Exception:
            # The channel layer (Redis) or the database failed: the tallies are absolute, so
            # the rooms stay dirty and are sent again a moment later, once it answers.
            if not self.failing:
                logger.warning("Could not publish tallies; retrying", exc_info=True)
            self.failing = True
            self.dirty |= unsent
        finally:
            if self.dirty and self.failing:
                self.loop.call_later(LAYER_RETRY_SECONDS, lambda: asyncio.ensure_future(self.flush()))
            else:
                self.scheduled = False
                if self.dirty:
                    self.mark(next(iter(self.dirty)))


_coalescers: dict[asyncio.AbstractEventLoop, TallyCoalescer] = {}


def _coalescer_for(loop: asyncio.AbstractEventLoop) -> TallyCoalescer:
    coalescer = _coalescers.get(loop)
    if coalescer is None:
        for stale in [lp for lp in _coalescers if lp.is_closed()]:
            del _coalescers[stale]
        coalescer = _coalescers[loop] = TallyCoalescer(loop)
    return coalescer


# --- the receiving side: one relay per room per process ------------------------------------


class RoomSocket(Protocol):
    """What a relay asks of a local socket: the link between the relay and the consumer
    (`ideas.consumers.WorkshopConsumer`, which declares it fulfils it). Sockets are keys of the
    relay's dicts, so they compare and hash by identity."""

    @abstractmethod
    async def send_frame(self, frame: str, encoded: bytes) -> None:
        """Write a room frame: `frame` serialised once for the room, `encoded` its UTF-8 bytes
        (shared by every socket). Never waits on the reader: one too far behind is dropped."""

    @abstractmethod
    def is_participant(self, participant_id: int) -> bool:
        """Is this a socket of that participant (closed when they are removed)?"""

    @classmethod
    @abstractmethod
    def still_allowed_all(cls, sockets: list["RoomSocket"]) -> list[bool]:
        """For each of these sockets (all of this kind): is the person behind it still signed
        in and in the room? Asked every REVALIDATE_INTERVAL from the database thread, for all
        of a relay's sockets at once, so it can read the database once for them all."""

    @abstractmethod
    async def close_signed_out(self) -> None:
        """Close the socket: its person logged out, was deactivated or removed."""


class RoomRelay:
    """This process's member of a room's group, fanning frames out to the local sockets.

    Each socket registers with a `full` flag: facilitators always get tallies; others get a
    redacted tally frame while blind voting hides them (same `seq`, so nobody sees a gap).
    """

    def __init__(self, workshop_id: int, tallies_visible: bool):
        self.workshop_id = workshop_id
        self.tallies_visible = tallies_visible
        self.group = group_name(workshop_id)
        self.layer = get_channel_layer()
        self.channel: str | None = None
        self.sockets: dict[RoomSocket, bool] = {}
        self.tables: dict[RoomSocket, int | None] = {}  # each socket's table (None: sees them all)
        self.seq = 0
        # The seq of the last frame that changed more than tallies or presence (an idea, the
        # phase, the timer, a gap), and the last tally fanned out: a snapshot read while only
        # tallies and presence moved needs no second read (see the consumer's send_snapshot).
        self.event_seq = 0
        self.last_tally: dict | None = None
        self.last_tally_seq = 0
        self.last_tally_at = 0.0
        self.events: deque[dict] = deque()
        self.pending_tally: dict | None = None
        self.wakeup = asyncio.Event()
        self.ready = asyncio.Event()
        self.presence: dict[str, tuple[int, float]] = {}
        self.presence_dirty = False
        self.presence_due = False  # a presence frame waits for its turn (presence_gap)
        self.presence_woken = False
        self.last_presence_at = 0.0
        self.tasks: list[asyncio.Task] = []
        self.stopped = False
        # True while the channel layer cannot be reached: writes are refused (see the consumer)
        # and the relay keeps trying to join the room's group again.
        self.layer_down = False

    # lifecycle
    async def start(self) -> None:
        self.channel = await self.layer.new_channel(prefix="atelier.relay.")
        try:
            await self.layer.group_add(self.group, self.channel)
        except Exception:
            # Redis is down: serve the sockets from the database and keep trying to join.
            logger.warning("Room %s relay could not join its group; retrying", self.workshop_id, exc_info=True)
            self.layer_down = True
        self.tasks = [
            asyncio.ensure_future(self._receive_loop()),
            asyncio.ensure_future(self._fanout_loop()),
            asyncio.ensure_future(self._presence_loop()),
            asyncio.ensure_future(self._revalidate_loop()),
        ]
        self.ready.set()

    def stop(self) -> None:
        """Stop listening; the group is left in the background so a closing socket never waits
        on the channel layer (a blocked Redis read can take seconds to cancel)."""
        self.stopped = True
        for task in self.tasks:
            task.cancel()
        cleanup = asyncio.ensure_future(self._leave_group())
        _background.add(cleanup)
        cleanup.add_done_callback(_background.discard)

    async def _leave_group(self) -> None:
        await asyncio.wait(self.tasks, timeout=10)
        with contextlib.suppress(Exception):
            async with asyncio.timeout(5):
                await self._send_presence(0)
            async with asyncio.timeout(5):
                await self.layer.group_discard(self.group, self.channel)

    # sockets
    def register(self, socket: RoomSocket, *, full: bool, table: int | None = None) -> int:
        """Add a socket (`full`: it sees every dot and every table; `table`: the table whose
        ideas alone it gets in a table round); returns the seq its snapshot carries (frames
        after it follow in order)."""
        self.sockets[socket] = full
        self.tables[socket] = table
        self.presence_dirty = True
        return self.seq

    def seat(self, socket: RoomSocket, table: int | None) -> int:
        """A registered socket's snapshot was read again, at `table`; returns the seq."""
        if socket in self.sockets:
            self.tables[socket] = table
        return self.seq

    def unregister(self, socket: RoomSocket) -> None:
        self.sockets.pop(socket, None)
        self.tables.pop(socket, None)
        self.presence_dirty = True

    def tallies_since(self, seq: int) -> dict | None:
        """The last tally message fanned out after frame `seq`, if any."""
        return self.last_tally if self.last_tally_seq > seq else None

    @property
    def online(self) -> int:
        now = time.monotonic()
        others = sum(n for ch, (n, at) in self.presence.items() if ch != self.channel and now - at < PRESENCE_TTL)
        return others + len(self.sockets)

    # channel layer → queue
    async def _receive_loop(self) -> None:
        while not self.stopped:
            if self.layer_down:
                await self._rejoin()
            try:
                message = await self.layer.receive(self.channel)
            except asyncio.CancelledError:
                raise
            except Exception:
                logger.warning("Room %s relay lost its channel layer; retrying", self.workshop_id, exc_info=True)
                await self._lost_layer()
                continue
            kind = message.get("type")
            if kind == "room.tally":
                self.pending_tally = message  # latest wins
            elif kind == "room.event" and message["event"].get("type") == "participant.removed":
                removed = message["event"].get("participant")
                await self._close_where([s for s in self.sockets if s.is_participant(removed)])
                continue
            elif kind == "room.event":
                event = message["event"]
                if MOVED_TO in event:
                    for socket in self.sockets:
                        if socket.is_participant(event["participant"]):
                            self.tables[socket] = event[MOVED_TO]
                self.events.append(event)
            elif kind == "room.presence":
                self.presence[message["relay"]] = (int(message["count"]), time.monotonic())
                self.events.append({"type": "presence"})
            self.wakeup.set()

    async def _lost_layer(self) -> None:
        """A receive failed. If the layer still takes writes, it was a hiccup of this read:
        wait a moment and read again. If not (Redis down), refuse writes from now on, tell the
        local sockets once, and wait a moment."""
        if not self.layer_down:
            try:
                async with asyncio.timeout(5):
                    await self.layer.group_add(self.group, self.channel)
                await asyncio.sleep(LAYER_RETRY_SECONDS)
                return
            except asyncio.CancelledError:
                raise
            except Exception:
                logger.debug("Room %s relay cannot write to its channel layer", self.workshop_id, exc_info=True)
            self.layer_down = True
            paused = live_paused()
            frame = json.dumps(error_frame(None, paused), separators=(",", ":"))
            await self._write(dict.fromkeys(self.sockets, frame))
        await asyncio.sleep(LAYER_RETRY_SECONDS)

    async def _rejoin(self) -> None:
        """Join the room's group again until the layer answers (a restarted Redis has forgotten
        every group), then make every local socket resync: frames sent meanwhile are lost, so
        the relay skips one `seq`, and each client, seeing the gap, asks for a snapshot."""
        while True:
            try:
                await self.layer.group_add(self.group, self.channel)
                break
            except asyncio.CancelledError:
                raise
            except Exception:
                logger.debug("Room %s relay still has no channel layer", self.workshop_id, exc_info=True)
                await asyncio.sleep(LAYER_RETRY_SECONDS)
        logger.warning("Room %s relay is back on its channel layer", self.workshop_id)
        self.layer_down = False
        self.seq += 1  # the gap
        self.event_seq = self.seq
        self.events.append({"type": "presence"})
        self.last_presence_at = 0.0  # this presence frame shows the gap: now, not in its turn
        self.presence_dirty = True
        self.wakeup.set()

    # queue → sockets
    async def _fanout_loop(self) -> None:
        while not self.stopped:
            await self.wakeup.wait()
            self.wakeup.clear()
            while self.events or self.pending_tally is not None:
                if self.events:
                    event = self.events.popleft()
                    if event.get("type") == "phase":  # (an `activity` frame is followed by one)
                        self.tallies_visible = bool(event.get("tallies_visible", self.tallies_visible))
                    if event.get("type") == "presence":
                        self.presence_due = True  # one frame for all, below
                        continue
                    await self._fan_out(event)
                else:
                    # At most one tally fan-out per TALLY_INTERVAL, whichever process's
                    # coalescer sent it: with N processes N tally messages come every interval,
                    # and each would cost a write to every local socket. Latest wins meanwhile.
                    wait = self.last_tally_at + TALLY_INTERVAL - time.monotonic()
                    if wait > 0:
                        asyncio.get_running_loop().call_later(wait, self.wakeup.set)
                        break
                    tally, self.pending_tally = self.pending_tally, None
                    self.last_tally_at = time.monotonic()
                    await self._fan_out_tally(tally)
            if self.presence_due:
                await self._fan_out_presence()

    def presence_gap(self) -> float:
        return PRESENCE_INTERVAL * max(1.0, len(self.sockets) / PRESENCE_WRITES_PER_SECOND)

    async def _fan_out_presence(self) -> None:
        """The online count, at most once per presence_gap(), whichever relays' presence
        messages asked for it meanwhile (it is counted when written)."""
        wait = self.last_presence_at + self.presence_gap() - time.monotonic()
        if wait > 0:
            if not self.presence_woken:
                self.presence_woken = True
                asyncio.get_running_loop().call_later(wait, self._presence_turn)
            return
        self.presence_due = False
        self.last_presence_at = time.monotonic()
        await self._fan_out({"type": "presence", "online": self.online})

    def _presence_turn(self) -> None:
        self.presence_woken = False
        self.wakeup.set()

    async def _fan_out(self, event: dict) -> None:
        self.seq += 1
        if event.get("type") != "presence":
            self.event_seq = self.seq
        frame = json.dumps({key: value for key, value in event.items() if not key.startswith("_")} | {"seq": self.seq},
                           separators=(",", ":"))
        audience = event.get(AUDIENCE)
        if audience is None:
            await self._write(dict.fromkeys(self.sockets, frame))
            return
        # An idea not everyone sees now: the others get its seq alone (no gap).
        elsewhere = json.dumps({"type": "idea.elsewhere", "seq": self.seq}, separators=(",", ":"))
        await self._write({socket: frame if full or self._sees(socket, audience) else elsewhere
                           for socket, full in self.sockets.items()})

    def _sees(self, socket: RoomSocket, audience: dict) -> bool:
        """`rules.sees_idea` for a socket that is no facilitator's."""
        table = self.tables.get(socket)
        return (socket.is_participant(audience["author"])
                or (audience["table"] is not None and table == audience["table"])
                or (audience["tableless"] and table is None))

    async def _fan_out_tally(self, tally: dict) -> None:
        self.seq += 1
        self.last_tally, self.last_tally_seq = tally, self.seq
        channels = tally.get("channels") or {}
        split = {"channels": channels} if any(channels.values()) else {}
        figures = {key: tally[key] for key in ACTIVITY_TALLY_FIELDS if key in tally}
        shown = figures if tally.get("activity_visible", True) else {"activity": figures.get("activity")}
        full = json.dumps(
            {"type": "tally", "seq": self.seq, "votes": tally["votes"], **split,
             "participants_with_dots": tally["participants_with_dots"], **figures},
            separators=(",", ":"),
        )
        if self.tallies_visible:
            votes, sealed = tally["votes"], set(tally.get("sealed") or ())
            if sealed:  # another brainstorm of the room, still blind while the room shows this one
                votes = {key: n for key, n in votes.items() if key not in sealed}
                channels = {name: {key: n for key, n in part.items() if key not in sealed}
                            for name, part in channels.items()}
                split = {"channels": channels} if any(channels.values()) else {}
            public = json.dumps(
                {"type": "tally", "seq": self.seq, "votes": votes, **split, **shown}, separators=(",", ":")
            )
        else:
            public = json.dumps({"type": "tally", "seq": self.seq, "hidden": True, **shown}, separators=(",", ":"))
        await self._write({socket: (full if is_full else public) for socket, is_full in self.sockets.items()})

    async def _write(self, frames: dict[RoomSocket, str]) -> None:
        encoded: dict[str, bytes] = {}  # each distinct frame encoded once, not per socket
        for n, (socket, frame) in enumerate(frames.items(), start=1):
            if n % FANOUT_SLICE == 0:
                # Writing to a socket never suspends, so without this a frame to a full room
                # would hold the event loop for its whole fan-out (~50 ms for 1,000 phones
                # here), and every vote's receive, database hop and ack would wait behind it.
                await asyncio.sleep(0)
            data = encoded.get(frame)
            if data is None:
                data = encoded[frame] = frame.encode()
            try:
                await socket.send_frame(frame, data)
            except Exception:
                logger.debug("Dropping a socket of room %s", self.workshop_id, exc_info=True)
                self.unregister(socket)

    # who may stay
    async def _revalidate_loop(self) -> None:
        while not self.stopped:
            await asyncio.sleep(REVALIDATE_INTERVAL)
            sockets = list(self.sockets)
            try:
                allowed = await database_sync_to_async(_still_allowed)(sockets)
            except Exception:
                logger.warning("Room %s could not check its sockets' sessions", self.workshop_id, exc_info=True)
                continue
            await self._close_where([socket for socket, ok in zip(sockets, allowed, strict=True) if not ok])

    async def _close_where(self, sockets: list[RoomSocket]) -> None:
        """Close the local sockets whose person left (logged out, deactivated, removed)."""
        for socket in sockets:
            self.unregister(socket)
            with contextlib.suppress(Exception):
                await socket.close_signed_out()

    # presence across processes
    async def _presence_loop(self) -> None:
        last_beat = 0.0
        while not self.stopped:
            await asyncio.sleep(PRESENCE_INTERVAL)
            now = time.monotonic()
            if self.presence_dirty or now - last_beat > PRESENCE_TTL / 3:
                if now - last_beat > PRESENCE_TTL / 3:
                    await self._membership_renew()
                self.presence_dirty = False
                last_beat = now
                await self._send_presence(len(self.sockets))

    async def _membership_renew(self) -> None:
        """Join the room's group again (idempotent). channels_redis forgets a group after its
        `group_expiry`, and a Redis that lost its keys (a flush, a restart without persistence
        that the receive loop did not notice) forgets it at once: without this the relay would
        stay deaf while its votes are still acknowledged (found by bench/)."""
        if self.layer_down:
            return
        # asyncio.timeout, never wait_for: Python 3.11's wait_for swallows a cancellation that
        # comes as the call answers, and the stopped relay's loop would run on for ever.
        try:
            async with asyncio.timeout(5):
                await self.layer.group_add(self.group, self.channel)
        except asyncio.CancelledError:
            raise
        except Exception:
            logger.debug("Room %s relay could not renew its group membership", self.workshop_id, exc_info=True)

    async def _send_presence(self, count: int) -> None:
        try:
            await self.layer.group_send(
                self.group, {"type": "room.presence", "relay": self.channel, "count": count}
            )
        except Exception:
            logger.debug("Could not publish presence of room %s", self.workshop_id, exc_info=True)


def _still_allowed(sockets: list[RoomSocket]) -> list[bool]:
    by_kind: dict[type, list[RoomSocket]] = {}
    for socket in sockets:
        by_kind.setdefault(type(socket), []).append(socket)
    allowed: dict[RoomSocket, bool] = {}
    for kind, group in by_kind.items():
        allowed.update(zip(group, kind.still_allowed_all(group), strict=True))
    return [allowed[socket] for socket in sockets]


_relays: dict[asyncio.AbstractEventLoop, dict[int, RoomRelay]] = {}
_background: set[asyncio.Task] = set()


async def relay_for(
    workshop_id: int, *, tallies_visible: bool | Callable[[], Awaitable[bool]]
) -> RoomRelay:
    """The room's relay in this process (started on first use; `tallies_visible`, or what it
    answers, says whether phones see the dots then). Register before the next await: a relay
    whose last socket left is stopped (`relay.stopped`); ask again then."""
    global _server_loop
    loop = asyncio.get_running_loop()
    with _loop_lock:
        _server_loop = loop
    relays = _relays.setdefault(loop, {})
    relay = relays.get(workshop_id)
    if relay is None and callable(tallies_visible):
        tallies_visible = await tallies_visible()  # asked only by a socket that starts the relay
        relay = relays.get(workshop_id)  # another socket may have started it meanwhile
    if relay is None:
        relay = relays[workshop_id] = RoomRelay(workshop_id, tallies_visible)
        try:
            await relay.start()
        except Exception:
            relays.pop(workshop_id, None)
            raise
    await relay.ready.wait()
    return relay


async def relay_leave(relay: RoomRelay, socket: RoomSocket) -> None:
    relay.unregister(socket)
    if not relay.sockets and not relay.stopped:
        loop = asyncio.get_running_loop()
        relays = _relays.get(loop, {})
        if relays.get(relay.workshop_id) is relay:
            del relays[relay.workshop_id]
            relay.stop()


def local_relay(workshop_id: int) -> RoomRelay | None:
    """This process's relay of a room, if it has one (for the HTTP state endpoint)."""
    loop = _running_server_loop()
    return _relays.get(loop, {}).get(workshop_id) if loop is not None else None

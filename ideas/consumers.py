"""The live workshop socket: `/ws/workshops/<code>/` (protocol in docs/protocol.md).

Thin by design: it parses and validates each message, calls the `ideas.services` function
that the HTTP doors call too, acks after the commit, and answers every refusal with an
`error` frame while the connection stays open. Broadcasts come from the room's relay
(`ideas.realtime`), to which each socket is a `realtime.RoomSocket`; under daphne, the room's
frames go straight to the socket's WebSocket protocol (`ideas.daphne_transport`).
"""

import json
import logging
import math
from importlib import import_module

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncWebsocketConsumer
from django.conf import settings
from django.db import InterfaceError, OperationalError
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from workshop_site.core.errors import (
    CLOSE_TRY_AGAIN,
    DomainError,
    Invalid,
    NotFound,
    RateLimited,
    Unavailable,
)
from workshop_site.core.i18n import language_of_scope
from workshop_site.core.ratelimit import socket_message_allowed
from workshop_site.workshops.models import WorkshopPage

from . import daphne_transport, kinds, realtime, selectors, services
from .errors import NotJoined
from .rules import tallies_visible_to_participants
from .sessions import participant_id_for

logger = logging.getLogger(__name__)
SessionStore = import_module(settings.SESSION_ENGINE).SessionStore
MAX_MESSAGE_BYTES = 64 * 1024
# A reader that lets more than this wait in the server's write buffer (beyond what the
# kernel's socket buffers hold) is stuck or too slow: its connection is dropped (it resyncs
# with a snapshot when it comes back), so it cannot grow the server's memory without bound.
MAX_PENDING_BYTES = 1024 * 1024
# What a database that cannot be reached raises (a cut connection, a restart, a lock wait
# that ran out): answered `unavailable`, never a closed socket or a raw database message.
DATABASE_DOWN = (OperationalError, InterfaceError)
# Close codes: the server is not ready, try again later; the person behind the socket is
# gone (logout, deactivation, removal). A reader far behind is dropped without a close frame.
CLOSE_SIGNED_OUT = 4401
MAX_REF_LENGTH = 64
# How deep a message may nest (a protocol message needs 2: the object, its `tags`).
MAX_DEPTH = 8


# Refusals of the socket itself, before any service is asked (docs/protocol.md, "Error codes").
class TooLarge(DomainError):
    code, status = "too_large", 413
    default_message = gettext_lazy("The message is too large (at most 64 KiB).")


class InvalidJson(DomainError):
    code, status = "invalid_json", 400
    default_message = gettext_lazy("The message is not valid JSON.")


class UnknownType(DomainError):
    code, status = "unknown_type", 400
    default_message = gettext_lazy("Unknown message type.")


class WorkshopConsumer(AsyncWebsocketConsumer, realtime.RoomSocket):
    # No channel-layer channel per socket: the room's relay is this process's only listener
    # (an alias that is not configured makes Channels skip the per-consumer channel).
    channel_layer_alias = "atelier.no-per-socket-channel"

    workshop: WorkshopPage
    relay: realtime.RoomRelay | None = None
    # The room's brainstorm as the last snapshot read it (its blind mode and phase decide what
    # the relay shows phones).
    board: "selectors.Board | None" = None
    # The viewer's table as the last snapshot read it (the relay shows it that table's ideas
    # during a table round).
    table: int | None = None
    # This socket's WebSocket protocol when daphne serves it (None elsewhere: tests, other servers).
    wire: daphne_transport.DaphneSocketWire | None = None

    async def connect(self):
        self.relay = None
        self.joined_id = None
        self.closing = False
        self.wire = daphne_transport.wire_for(self.base_send)
        if self.wire is not None:
            # A frame daphne refuses (over 1 MiB, text not UTF-8) gets a close frame with its
            # code, logged in disconnect(), instead of a silently dropped connection.
            self.wire.close_on_refusal()
        # Until the room is read: the default language (a refusal before that is in Romanian).
        self.language = settings.LANGUAGE_CODE
        try:
            found = await database_sync_to_async(self._open)(self.scope["url_route"]["kwargs"]["code"])
        except DATABASE_DOWN:
            # Say why, then close with "try again later": the client reconnects with backoff.
            logger.warning("A live socket was refused: the database is unreachable", exc_info=True)
            await self.accept()
            await self.send_error(None, Unavailable())
            await self.close(code=CLOSE_TRY_AGAIN)
            return
        if not found:
            await self.close(code=4404)
            return
        await self.accept()
        try:
            with translation.override(self.language):
                await self.send_snapshot(ref=None, register=True)
        except DATABASE_DOWN:
            logger.warning("A live socket got no snapshot: the database is unreachable", exc_info=True)
            await self.send_error(None, Unavailable())
            await self.close(code=CLOSE_TRY_AGAIN)
            return
        except DomainError:  # the workshop was deleted meanwhile (NotFound)
            await self.close(code=4404)
            return
        if self.relay is not None and self.relay.layer_down:
            await self.send_error(None, realtime.live_paused())

    async def disconnect(self, code):
        refusal = self.wire.refusal() if self.wire is not None else None
        if refusal is not None:
            logger.warning("Closed a live socket of room %s with close code %d: %s",
                           getattr(getattr(self, "workshop", None), "pk", None), *refusal)
        if self.relay is not None:
            await realtime.relay_leave(self.relay, self)
            self.relay = None

    # identity ---------------------------------------------------------------------------
    def _open(self, code: str) -> bool:
        """Connect's reads, in one hop to the database thread: the room, whether this is its
        facilitator, and who this browser joined as (from the session Channels loaded)."""
        workshop = WorkshopPage.find_by_code(code)
        if workshop is None:
            return False
        self.workshop = workshop
        self.language = language_of_scope(self.scope)
        self.user = self.scope.get("user")
        self.signed_in_as = getattr(self.user, "pk", None) if getattr(self.user, "is_authenticated", False) else None
        self.is_facilitator = bool(self.user and self.user.has_perm("ideas.run_workshop", workshop))
        session = self.scope.get("session")
        if session is not None and getattr(session, "session_key", None):
            self.joined_id = participant_id_for(session, workshop.pk)
        return True

    def _participant_id(self) -> int | None:
        """The participant this browser joined as. Re-read from the session store until found:
        the browser may join over HTTP after its socket opened (an observer who then joins)."""
        if self.joined_id is None:
            session = self.scope.get("session")
            key = getattr(session, "session_key", None) if session is not None else None
            if key:
                self.joined_id = participant_id_for(SessionStore(key), self.workshop.pk)
        return self.joined_id

    @classmethod
    def still_allowed_all(cls, sockets: list["WorkshopConsumer"]) -> list[bool]:
        """Is the person behind each socket still who they were at connect? (Asked by the relay
        about once every half minute, from its database thread, for all its sockets.) A logout
        deletes the session, a deactivated account is inactive, a removed participant is gone:
        then it is closed. The participants are read in one query for the lot: one each, a room
        of 2,000 held the database thread, and every vote behind it, for a second or more."""
        from .models import Participant

        joined = sorted({socket.joined_id for socket in sockets if socket.joined_id is not None})
        present = set()
        for start in range(0, len(joined), 500):
            present.update(Participant.objects.filter(pk__in=joined[start:start + 500]).values_list("pk", flat=True))
        return [(socket.joined_id is None or socket.joined_id in present) and socket._still_signed_in()
                for socket in sockets]

    def _still_signed_in(self) -> bool:
        if self.signed_in_as is None:
            return True
        session = self.scope.get("session")
        key = getattr(session, "session_key", None)
        if not key or str(SessionStore(key).load().get("_auth_user_id")) != str(self.signed_in_as):
            return False
        from django.contrib.auth import get_user_model

        return get_user_model().objects.filter(pk=self.signed_in_as, is_active=True).exists()

    def is_participant(self, participant_id: int) -> bool:
        return self.joined_id == participant_id

    async def close_signed_out(self) -> None:
        await self.close(code=CLOSE_SIGNED_OUT)

    # frames -------------------------------------------------------------------------------
    async def send_frame(self, frame: str, encoded: bytes) -> None:
        """Called by the relay with a room frame serialised and encoded once for all sockets.

        Under daphne it goes straight to this socket's WebSocket protocol (the wire): a room
        frame needs nothing of the ASGI send chain (session and outage middleware, daphne's
        reply dispatch, the text encoding per socket), which made each frame cost a third more
        CPU than the bare baseline's in bench/, at 10 frames a second to every phone of the
        room. Elsewhere, or once the protocol is no longer open, it takes the ASGI send."""
        wire = self.wire
        if wire is None or not wire.is_open():
            await self._send_text(frame)
        elif not self.closing and not self._reader_stuck():
            wire.write(encoded)

    async def send_json(self, payload: dict) -> None:
        await self._send_text(json.dumps(payload, separators=(",", ":")))

    async def _send_text(self, text: str) -> None:
        if self.closing or self._reader_stuck():
            return
        await self.send(text_data=text)

    def _reader_stuck(self) -> bool:
        """Has the reader left more than MAX_PENDING_BYTES unread? Then it is dropped at once
        (a polite close would queue behind the same backlog); the browser reconnects and
        starts from a snapshot."""
        wire = self.wire
        if wire is None or wire.pending_bytes() <= MAX_PENDING_BYTES:
            return False
        self.closing = True
        logger.warning("Closed a live socket of room %s: its reader fell %d bytes behind",
                       self.workshop.pk, wire.pending_bytes())
        if self.relay is not None:
            self.relay.unregister(self)
        wire.abort()
        return True

    async def send_error(self, ref, error: DomainError) -> None:
        """The one place a refusal becomes this socket's `error` frame; nothing has changed."""
        await self.send_json(realtime.error_frame(ref, error))

    async def _tallies_visible(self) -> bool:
        """For a relay this socket starts: blind voting hides the room's brainstorm's dots until
        that brainstorm's results, not the room's (a poll's results phase reveals none)."""
        board = await database_sync_to_async(selectors.board)(self.workshop.pk)
        return board is not None and tallies_visible_to_participants(board)

    async def send_snapshot(self, *, ref, register: bool = False) -> None:
        def build():
            if not selectors.refresh_live_fields(self.workshop):
                raise NotFound(_("This workshop does not exist."))
            state, self.board, self.table = selectors.room_state(
                self.workshop, participant_id=self._participant_id(), sees_tallies=self.is_facilitator
            )
            return state

        while True:
            if self.relay is None or self.relay.stopped:
                self.relay = await realtime.relay_for(self.workshop.pk, tallies_visible=self._tallies_visible)
            seq_before, event_seq_before = self.relay.seq, self.relay.event_seq
            state = await database_sync_to_async(build)()
            # An idea, phase or timer frame sent while the state was read may not be in it:
            # read again. Presence and tally frames need no second read (a busy room sends a
            # tally every 0.1 s, often sooner than a read under load returns): the snapshot
            # takes the last tally the room was sent, so this screen shows what every other
            # screen shows at this seq, and later tallies follow.
            if self.relay.stopped or self.relay.event_seq != event_seq_before:
                continue
            tally = self.relay.tallies_since(seq_before)
            if tally is not None and state["workshop"]["tallies_visible"]:
                _take_tally(state, tally)
            break
        if register:
            seq = self.relay.register(self, full=self.is_facilitator, table=self.table)
        else:  # a sync: this person may have joined or moved to another table since
            seq = self.relay.seat(self, self.table)
        state.update(type="snapshot", seq=seq, online=self.relay.online)
        if ref is not None:
            state["ref"] = ref
        await self.send_json(state)

    # messages -----------------------------------------------------------------------------
    async def receive(self, text_data=None, bytes_data=None):
        # Refusals and the snapshot's words in the phone's language (the cookie, else
        # Accept-Language); the override follows into the database thread (asgiref's Local).
        with translation.override(self.language):
            await self._receive(text_data, bytes_data)

    async def _receive(self, text_data, bytes_data):
        ref = None  # until the message is read: a refusal before that answers `ref: null`
        try:
            message = _message(text_data if text_data is not None else bytes_data)
            ref = _ref(message)
            if not await socket_message_allowed(self.scope):
                raise RateLimited()
            handler = self.HANDLERS.get(message.get("type")) if isinstance(message.get("type"), str) else None
            if handler is None:
                raise UnknownType()
            await handler(self, message, ref)
        except DomainError as error:
            await self.send_error(ref, error)
        except DATABASE_DOWN:
            logger.warning("A live message was refused: the database is unreachable", exc_info=True)
            await self.send_error(ref, Unavailable())

    def _require_live(self) -> None:
        """Writes wait while this process's relay has lost the channel layer (Redis down): a
        change nobody else would see is refused at once instead of acknowledged."""
        if self.relay is not None and self.relay.layer_down:
            raise realtime.live_paused()

    async def _call(self, service, **kwargs):
        self._require_live()
        return await database_sync_to_async(service)(**kwargs)

    async def _participant_write(self, message: dict, ref, perform) -> None:
        """A participant's write, applied at most once per `ref` (services.write_once); the
        ack carries `replayed: true` when it answers a retry of a stored write. One hop to the
        database thread: who this is, and the write."""
        def write():
            participant_id = self._participant_id()
            if participant_id is None:
                raise NotJoined()
            self._require_live()
            return services.write_once(
                participant_id=participant_id, ref=ref, message=message, perform=lambda: perform(participant_id)
            )

        answer = await database_sync_to_async(write)()
        await self.send_json({"type": "ack", "ref": ref, **answer})

    async def on_idea_post(self, message, ref):
        def perform(participant_id):
            idea = services.idea_create(participant_id=participant_id, text=message.get("text"), tags=message.get("tags"),
                                        activity=message.get("activity"))
            return {"idea": selectors.idea_payload(idea, tag_names=sorted(idea.tags.names()), votes=0)}

        await self._participant_write(message, ref, perform)

    async def on_vote_cast(self, message, ref):
        idea_id = _required(message, "idea")
        await self._participant_write(message, ref, lambda participant_id: {
            "idea": idea_id, "dots_left": services.vote_cast(
                participant_id=participant_id, idea_id=idea_id, activity=message.get("activity"))})

    async def on_vote_retract(self, message, ref):
        idea_id = _required(message, "idea")
        await self._participant_write(message, ref, lambda participant_id: {
            "idea": idea_id, "dots_left": services.vote_retract(
                participant_id=participant_id, idea_id=idea_id, activity=message.get("activity"))})

    async def on_participant_move(self, message, ref):
        moved = await self._call(services.participant_move, user=self.user, workshop_id=self.workshop.pk,
                                 participant_id=_id(message, "participant", _("This participant does not exist.")),
                                 table=message.get("table"))
        await self.send_json({"type": "ack", "ref": ref, "participant": moved.pk,
                              "table": message.get("table") or None})

    async def on_theme_create(self, message, ref):
        theme = await self._call(services.theme_create, user=self.user, workshop_id=self.workshop.pk,
                                 title=message.get("title"), activity=message.get("activity"),
                                 ideas=message.get("ideas") or ())
        await self.send_json({"type": "ack", "ref": ref, "theme": theme.pk})

    async def on_theme_rename(self, message, ref):
        theme = await self._call(services.theme_rename, user=self.user, workshop_id=self.workshop.pk,
                                 theme_id=_id(message, "theme", _("This theme does not exist in this workshop.")),
                                 title=message.get("title"))
        await self.send_json({"type": "ack", "ref": ref, "theme": theme.pk})

    async def on_theme_dissolve(self, message, ref):
        await self._call(services.theme_dissolve, user=self.user, workshop_id=self.workshop.pk,
                         theme_id=_id(message, "theme", _("This theme does not exist in this workshop.")))
        await self.send_json({"type": "ack", "ref": ref, "theme": message["theme"]})

    async def on_theme_assign(self, message, ref):
        theme = message.get("theme")
        if theme is not None:
            theme = _id(message, "theme", _("This theme does not exist in this workshop."))
        idea = await self._call(services.idea_theme_set, user=self.user, workshop_id=self.workshop.pk,
                                idea_id=_id(message, "idea", _("This idea does not exist.")), theme_id=theme)
        await self.send_json({"type": "ack", "ref": ref, "idea": idea.pk, "theme": idea.theme_id})

    async def on_participant_remove(self, message, ref):
        participant_id = _id(message, "participant", _("This participant does not exist."))
        await self._call(services.participant_remove, user=self.user, participant_id=participant_id)
        await self.send_json({"type": "ack", "ref": ref, "participant": message["participant"]})

    async def on_phase_set(self, message, ref):
        phase = await self._call(services.phase_set, user=self.user, workshop_id=self.workshop.pk,
                                 phase=_required(message, "phase"))
        await self.send_json({"type": "ack", "ref": ref, "phase": phase})

    async def on_idea_hide(self, message, ref):
        idea = await self._call(services.idea_hide, user=self.user,
                                idea_id=_id(message, "idea", _("This idea does not exist.")))
        await self.send_json({"type": "ack", "ref": ref, "idea": idea.pk})

    async def on_idea_merge(self, message, ref):
        missing = _("Both ideas must be visible ideas of the same workshop.")
        kept = await self._call(services.idea_merge, user=self.user, keep_id=_id(message, "into", missing),
                                duplicate_id=_id(message, "idea", missing))
        await self.send_json({"type": "ack", "ref": ref, "idea": message["idea"], "into": kept.pk})

    async def on_timer_start(self, message, ref):
        ends_at = await self._call(services.timer_start, user=self.user, workshop_id=self.workshop.pk,
                                   seconds=_required(message, "seconds"))
        await self.send_json({"type": "ack", "ref": ref, "ends_at": ends_at.isoformat()})

    async def on_timer_stop(self, message, ref):
        await self._call(services.timer_stop, user=self.user, workshop_id=self.workshop.pk)
        await self.send_json({"type": "ack", "ref": ref, "ends_at": None})

    async def on_sync(self, message, ref):
        await self.send_snapshot(ref=ref)

    async def on_activity_set(self, message, ref):
        view = await self._call(services.activity_set, user=self.user, workshop_id=self.workshop.pk,
                                activity_id=_id(message, "activity", _("This activity does not exist in this workshop.")))
        await self.send_json({"type": "ack", "ref": ref, "activity": view["id"], "phase": view["phase"]})

    async def on_kind_message(self, message, ref):
        """A message an activity kind declares (`ideas.kinds`): a participant's answer, applied
        at most once per `ref`, or a facilitator's action. The kinds' own services check it."""
        _id(message, "activity", _("This activity does not exist in this workshop."))
        spec = kinds.message_types()[message["type"]]
        if isinstance(spec, kinds.FacilitatorMessage):
            answer = await self._call(spec.perform, user=self.user, workshop_id=self.workshop.pk, message=message)
            await self.send_json({"type": "ack", "ref": ref, **answer})
            return
        await self._participant_write(message, ref, lambda participant_id: spec.perform(participant_id, message))

    HANDLERS = {
        "idea.post": on_idea_post,
        "vote.cast": on_vote_cast,
        "vote.retract": on_vote_retract,
        "phase.set": on_phase_set,
        "idea.hide": on_idea_hide,
        "idea.merge": on_idea_merge,
        "timer.start": on_timer_start,
        "timer.stop": on_timer_stop,
        "participant.remove": on_participant_remove,
        "participant.move": on_participant_move,
        "theme.create": on_theme_create,
        "theme.rename": on_theme_rename,
        "theme.dissolve": on_theme_dissolve,
        "theme.assign": on_theme_assign,
        "sync": on_sync,
        "activity.set": on_activity_set,
    }
    # Every kind's messages go through one handler: a new kind adds none here.
    HANDLERS.update(dict.fromkeys(kinds.message_types(), on_kind_message))


def _message(raw: str | bytes | None) -> dict:
    """A client message read: a JSON object of at most MAX_MESSAGE_BYTES, nested at most
    MAX_DEPTH deep (`json.loads` recurses: ~1,000 brackets in a few KB raise RecursionError,
    which is no ValueError)."""
    if raw is None or len(raw if isinstance(raw, bytes) else raw.encode()) > MAX_MESSAGE_BYTES:
        raise TooLarge()
    try:
        # Bytes (a binary frame) are UTF-8 JSON, strictly: json.loads would let an encoded
        # lone surrogate through ("surrogatepass"), and guess UTF-16 or UTF-32.
        message = json.loads(raw.decode() if isinstance(raw, bytes) else raw)
    except (ValueError, UnicodeDecodeError):
        raise InvalidJson() from None
    except RecursionError:
        raise InvalidJson(_("The message is nested too deeply.")) from None
    if not isinstance(message, dict):
        raise Invalid(_("A message must be a JSON object."))
    if _too_deep(message):
        raise InvalidJson(_("The message is nested too deeply."))
    return message


def _too_deep(value) -> bool:
    """Is a container nested more than MAX_DEPTH deep in `value`? (No recursion: what follows
    the parse, a receipt's fingerprint for one, must not meet the limit `json.loads` met.)"""
    pending = [(value, 1)]
    while pending:
        item, depth = pending.pop()
        children = item.values() if isinstance(item, dict) else item if isinstance(item, list) else None
        if children is None:
            continue
        if depth > MAX_DEPTH:
            return True
        pending.extend((child, depth + 1) for child in children)
    return False


def _ref(message: dict):
    """The message's `ref` (echoed by the answer): None, or a short string or number. A
    string must be text: an escaped lone surrogate (`"\\ud800"`) is no text any database stores."""
    ref = message.get("ref")
    if ref is not None and not (
        isinstance(ref, str | int) and not isinstance(ref, bool) and len(str(ref)) <= MAX_REF_LENGTH
        and (not isinstance(ref, str) or _is_text(ref))
    ):
        raise Invalid(_("`ref` must be a short string or number."))
    return ref


def _is_text(value: str) -> bool:
    """Unicode text: no lone surrogates (the only code points UTF-8 cannot encode)."""
    try:
        value.encode()
    except UnicodeEncodeError:
        return False
    return True


def _take_tally(state: dict, tally: dict) -> None:
    """Put a tally message's absolute counts into a snapshot."""
    votes = tally["votes"]
    for idea in state["ideas"]:
        idea["votes"] = votes.get(str(idea["id"]), 0)
    # The shown ideas' only: the tally's hold every brainstorm's, and another may be blind.
    channels, shown = tally.get("channels") or {}, {str(idea["id"]) for idea in state["ideas"]}
    state["channels"] = {name: {key: n for key, n in channels.get(name, {}).items() if key in shown}
                         for name in ("proxy", "paper")}
    activity = state.get("activity")
    if activity is not None and tally.get("activity") == activity["id"] and "hidden" not in activity:
        activity.update({key: tally[key] for key in realtime.ACTIVITY_TALLY_FIELDS[1:] if key in tally})


def _required(message: dict, field: str):
    if field not in message or message[field] is None:
        raise Invalid(_("`%(field)s` is required.") % {"field": field})
    return message[field]


def _id(message: dict, field: str, not_found: str):
    """An id field, passed on as sent (the service reads it), except what no database column
    holds: infinity is no id, a number beyond 64 bits names nothing (the database would fail
    on it instead of answering)."""
    value = _required(message, field)
    if isinstance(value, float) and not math.isfinite(value):
        raise Invalid(_("An id must be a number."))
    if isinstance(value, int | float | str) and not isinstance(value, bool):
        try:
            number = int(value)
        except ValueError:
            return value  # not a number: the service says so
        if not -(2**63) <= number < 2**63:
            raise NotFound(not_found)
    return value

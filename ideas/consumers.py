"""The live workshop socket: `/ws/workshops/<code>/` (protocol in docs/protocol.md).

Thin by design: it parses and validates each message, calls the `ideas.services` function
that the HTTP doors call too, acks after the commit, and answers every refusal with an
`error` frame while the connection stays open. Broadcasts come from the room's relay.
"""

import json
import time
from importlib import import_module

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncWebsocketConsumer
from django.conf import settings
from django.utils.translation import gettext as _

from workshop_site.workshops.models import WorkshopPage

from . import realtime, selectors, services
from .errors import Invalid, LiveError, NotJoined, RateLimited
from .rules import tallies_visible_to_participants
from .sessions import participant_id_for

SessionStore = import_module(settings.SESSION_ENGINE).SessionStore
MAX_MESSAGE_BYTES = 64 * 1024
MAX_REF_LENGTH = 64
# A token bucket per socket: a burst of 30 messages, then 10 a second.
RATE_BURST, RATE_PER_SECOND = 30, 10.0


class WorkshopConsumer(AsyncWebsocketConsumer):
    # No channel-layer channel per socket: the room's relay is this process's only listener
    # (an alias that is not configured makes Channels skip the per-consumer channel).
    channel_layer_alias = "atelier.no-per-socket-channel"

    workshop: WorkshopPage
    relay: realtime.RoomRelay | None = None

    async def connect(self):
        self.relay = None
        self.joined_id = None
        workshop = await database_sync_to_async(WorkshopPage.find_by_code)(self.scope["url_route"]["kwargs"]["code"])
        if workshop is None:
            await self.close(code=4404)
            return
        self.workshop = workshop
        self.user = self.scope.get("user")
        self.is_facilitator = await database_sync_to_async(self._is_facilitator)()
        self.tokens, self.tokens_at = float(RATE_BURST), time.monotonic()
        await self.accept()
        await self.send_snapshot(ref=None, register=True)

    async def disconnect(self, code):
        if self.relay is not None:
            await realtime.relay_leave(self.relay, self)
            self.relay = None

    # identity ---------------------------------------------------------------------------
    def _is_facilitator(self) -> bool:
        user = self.scope.get("user")
        return bool(user and user.has_perm("ideas.run_workshop", self.workshop))

    def _participant_id(self) -> int | None:
        """The participant this browser joined as. Re-read from the session store until found:
        the browser may join over HTTP after its socket opened (an observer who then joins)."""
        if self.joined_id is None:
            session = self.scope.get("session")
            key = getattr(session, "session_key", None) if session is not None else None
            if key:
                self.joined_id = participant_id_for(SessionStore(key), self.workshop.pk)
        return self.joined_id

    # frames -------------------------------------------------------------------------------
    async def send_frame(self, frame: str) -> None:
        """Called by the relay with a pre-serialised room frame."""
        await self.send(text_data=frame)

    async def send_json(self, payload: dict) -> None:
        await self.send(text_data=json.dumps(payload, separators=(",", ":")))

    async def send_error(self, ref, error: LiveError) -> None:
        await self.send_json({"type": "error", "ref": ref, "code": error.code, "message": error.message})

    async def send_snapshot(self, *, ref, register: bool = False) -> None:
        def build():
            workshop = WorkshopPage.objects.get(pk=self.workshop.pk)
            self.workshop = workshop
            return selectors.snapshot(
                workshop, participant_id=self._participant_id(), sees_tallies=self.is_facilitator
            )

        while True:
            if self.relay is None or self.relay.stopped:
                self.relay = await realtime.relay_for(
                    self.workshop.pk, tallies_visible=tallies_visible_to_participants(self.workshop)
                )
            seq_before = self.relay.seq
            state = await database_sync_to_async(build)()
            # Frames sent while the state was read may not be in it: read again.
            if self.relay.stopped or self.relay.seq != seq_before:
                continue
            break
        seq = self.relay.register(self, full=self.is_facilitator) if register else self.relay.seq
        state.update(type="snapshot", seq=seq, online=self.relay.online)
        if ref is not None:
            state["ref"] = ref
        await self.send_json(state)

    # messages -----------------------------------------------------------------------------
    async def receive(self, text_data=None, bytes_data=None):
        raw = text_data if text_data is not None else bytes_data
        if raw is None or len(raw if isinstance(raw, bytes) else raw.encode()) > MAX_MESSAGE_BYTES:
            await self.send_json({"type": "error", "ref": None, "code": "too_large",
                                  "message": _("The message is too large (at most 64 KiB).")})
            return
        try:
            message = json.loads(raw)
        except (ValueError, UnicodeDecodeError):
            await self.send_json({"type": "error", "ref": None, "code": "invalid_json",
                                  "message": _("The message is not valid JSON.")})
            return
        if not isinstance(message, dict):
            await self.send_error(None, Invalid(_("A message must be a JSON object.")))
            return
        ref = message.get("ref")
        if ref is not None and not (isinstance(ref, str | int) and not isinstance(ref, bool) and len(str(ref)) <= MAX_REF_LENGTH):
            await self.send_error(None, Invalid(_("`ref` must be a short string or number.")))
            return
        if not self._take_token():
            await self.send_error(ref, RateLimited())
            return
        handler = self.HANDLERS.get(message.get("type")) if isinstance(message.get("type"), str) else None
        if handler is None:
            await self.send_json({"type": "error", "ref": ref, "code": "unknown_type",
                                  "message": _("Unknown message type.")})
            return
        try:
            await handler(self, message, ref)
        except LiveError as error:
            await self.send_error(ref, error)

    def _take_token(self) -> bool:
        now = time.monotonic()
        self.tokens = min(RATE_BURST, self.tokens + (now - self.tokens_at) * RATE_PER_SECOND)
        self.tokens_at = now
        if self.tokens < 1:
            return False
        self.tokens -= 1
        return True

    async def _call(self, service, **kwargs):
        return await database_sync_to_async(service)(**kwargs)

    async def _participant_call(self, service, **kwargs):
        participant_id = await database_sync_to_async(self._participant_id)()
        if participant_id is None:
            raise NotJoined()
        return await self._call(service, participant_id=participant_id, **kwargs)

    async def on_idea_post(self, message, ref):
        idea = await self._participant_call(services.idea_create, text=message.get("text"), tags=message.get("tags"))
        tags = await database_sync_to_async(lambda: sorted(idea.tags.names()))()
        await self.send_json({"type": "ack", "ref": ref, "idea": selectors.idea_payload(idea, tag_names=tags, votes=0)})

    async def on_vote_cast(self, message, ref):
        dots_left = await self._participant_call(services.vote_cast, idea_id=_required(message, "idea"))
        await self.send_json({"type": "ack", "ref": ref, "idea": message["idea"], "dots_left": dots_left})

    async def on_vote_retract(self, message, ref):
        dots_left = await self._participant_call(services.vote_retract, idea_id=_required(message, "idea"))
        await self.send_json({"type": "ack", "ref": ref, "idea": message["idea"], "dots_left": dots_left})

    async def on_phase_set(self, message, ref):
        phase = await self._call(services.phase_set, user=self.user, workshop_id=self.workshop.pk,
                                 phase=_required(message, "phase"))
        await self.send_json({"type": "ack", "ref": ref, "phase": phase})

    async def on_idea_hide(self, message, ref):
        idea = await self._call(services.idea_hide, user=self.user, idea_id=_required(message, "idea"))
        await self.send_json({"type": "ack", "ref": ref, "idea": idea.pk})

    async def on_idea_merge(self, message, ref):
        kept = await self._call(services.idea_merge, user=self.user, keep_id=_required(message, "into"),
                                duplicate_id=_required(message, "idea"))
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

    HANDLERS = {
        "idea.post": on_idea_post,
        "vote.cast": on_vote_cast,
        "vote.retract": on_vote_retract,
        "phase.set": on_phase_set,
        "idea.hide": on_idea_hide,
        "idea.merge": on_idea_merge,
        "timer.start": on_timer_start,
        "timer.stop": on_timer_stop,
        "sync": on_sync,
    }


def _required(message: dict, field: str):
    if field not in message or message[field] is None:
        raise Invalid(_("`%(field)s` is required.") % {"field": field})
    return message[field]

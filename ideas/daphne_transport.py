"""The one place that knows daphne's, autobahn's and Twisted's insides: a room frame written
straight to a socket's WebSocket protocol, and how far behind that socket's reader is.

Why: a room frame (a tally to every phone of the room, up to 10 a second) needs nothing of the
ASGI send chain (the session and outage middleware, daphne's reply dispatch, a text encoding
per socket). Written here, encoded once for the whole room, a sweep at 1,000 phones took 57 %
of a core at 25 votes/s instead of 67 %, and its capacity went from 50 to 100 votes/s
(bench/RESULTS.md, "Room frames written straight to daphne's WebSocket protocol"). And only
the server's write buffer says how far behind a reader is, which the consumer needs to drop a
stuck one before it grows the server's memory (`ideas.consumers.MAX_PENDING_BYTES`).

What it relies on (written against daphne 4.2.3, autobahn 26.10.2 and Twisted 26.10.0; none of
it is public API, so tests/ideas/test_daphne_transport_contract.py checks each point against
the installed versions, and the consumer falls back to the ASGI send when a point fails):

- daphne, `daphne.server.Server.create_application`: a connection's ASGI `send` is
  `functools.partial(Server.handle_reply, protocol)`, its first argument the connection's
  `daphne.ws_protocol.WebSocketProtocol`. Middleware that wraps `send` (Channels'
  `InstanceSessionWrapper`, `workshop_site.core.middleware.SocketDatabaseOutageGuard`) passes
  a bound method whose object keeps the wrapped send as `real_send`; `wire_for` follows them.
- autobahn, `autobahn.websocket.protocol.WebSocketProtocol` (daphne's protocol's base):
  `sendMessage(payload: bytes, isBinary: bool)` writes one frame, and raises unless `state`
  equals the class's `STATE_OPEN`.
- autobahn, the same class: a frame it refuses before daphne sees it (over daphne's
  `--websocket-max-message-size` / `--websocket-max-frame-size`, 1 MiB by default; text that
  is not UTF-8; a protocol violation) fails the connection in `_fail_connection`, which drops
  the TCP connection when the protocol's `failByDrop` is true (the server factory's default)
  and otherwise sends a close frame with the reason's code (1009, 1007, 1002). Either way it
  sets `failedByMe`, and a sent close frame's code and UTF-8 reason are `localCloseCode` and
  `localCloseReason`. Its own log line goes to Twisted's log, which daphne discards unless
  started with `-v 2`.
- Twisted, `twisted.internet.abstract.FileDescriptor` (base of `tcp.Server`, the protocol's
  `transport` on plain TCP or a UNIX socket): the bytes not yet taken by the kernel are
  `dataBuffer[offset:]` plus `_tempDataLen` (writes not yet moved into `dataBuffer`), and
  `abortConnection()` (`tcp._AbortingMixin`) drops the connection without flushing them.
  Under TLS the transport is Twisted's TLS wrapper, which keeps no such buffer: frames still
  take the short path, but the backlog is not measured (`measures_backlog` is False).

- Twisted, the same class and `tcp.Connection`: the kernel socket is `socket`, and a transport
  is writable while `connected` and neither `disconnecting` nor `_writeDisconnected`.
- autobahn, the protocol: it has nothing of its own queued while `send_queue` is empty and
  `send_state` is `SEND_STATE_GROUND` (not inside a message), and it compresses nothing while
  `_perMessageCompress` is None (daphne offers no permessage-deflate).

The short path (`write` with the frame built): a room frame is one unmasked WebSocket text frame
whose bytes are the same for every socket, so they are built once per frame (`text_frame`) and
handed to the kernel with one `send` when nothing is queued before them. Through autobahn and
Twisted each socket cost a frame built again, a write buffered, the socket registered with epoll,
a later writable event with Twisted's logging context around it, the send, and the socket
unregistered: three system calls and some twenty Python calls where one call does.
A frame the kernel does not take whole goes, the rest of it, to Twisted's buffer as before, and
so does every frame while anything is queued there (order kept); the backlog measure and the
stuck-reader drop are unchanged. bench/RESULTS.md, session 10, has what it bought.

Anywhere else (Channels' test communicator, another ASGI server) `wire_for` answers None.
"""

import functools

from daphne.ws_protocol import WebSocketProtocol

# Channels' middleware stack is a few wrappers deep; a chain longer than this is not daphne's.
_MAX_WRAPPERS = 5
# Twisted's write buffer (FileDescriptor) and its abort (tcp._AbortingMixin).
_BUFFER_ATTRIBUTES = ("dataBuffer", "offset", "_tempDataLen", "abortConnection")
# What the short path reads of Twisted's TCP transport and of autobahn's protocol.
_SOCKET_ATTRIBUTES = ("socket", "connected", "disconnecting", "_writeDisconnected")
_PROTOCOL_ATTRIBUTES = ("send_queue", "send_state", "SEND_STATE_GROUND", "_perMessageCompress")


@functools.lru_cache(maxsize=8)
def text_frame(payload: bytes) -> bytes:
    """`payload` as one final, unmasked WebSocket text frame (RFC 6455 5.2), as a server sends
    it. Cached: a room's frame is the same bytes object for each of its sockets."""
    length = len(payload)
    if length < 126:
        return bytes((0x81, length)) + payload
    if length < 1 << 16:
        return b"\x81\x7e" + length.to_bytes(2, "big") + payload
    return b"\x81\x7f" + length.to_bytes(8, "big") + payload


class DaphneSocketWire:
    """One socket's WebSocket protocol under daphne, written to directly.

    The consumer asks `is_open()` before each `write()` (autobahn raises on a closed protocol)
    and `pending_bytes()` to tell a reader that fell too far behind, then `abort()`s it. Each
    is a couple of attribute reads: they run once per frame per socket."""

    __slots__ = ("_direct", "_ground", "_open", "_protocol", "_transport")

    def __init__(self, protocol: WebSocketProtocol):
        self._protocol = protocol
        self._open = protocol.STATE_OPEN
        transport = protocol.transport
        measurable = all(hasattr(transport, name) for name in _BUFFER_ATTRIBUTES)
        self._transport = transport if measurable else None
        direct = (measurable and all(hasattr(transport, name) for name in _SOCKET_ATTRIBUTES)
                  and all(hasattr(protocol, name) for name in _PROTOCOL_ATTRIBUTES))
        self._direct = transport if direct else None
        self._ground = getattr(protocol, "SEND_STATE_GROUND", None)

    @property
    def measures_backlog(self) -> bool:
        """Whether `pending_bytes()` measures anything (False under TLS: it answers 0)."""
        return self._transport is not None

    def is_open(self) -> bool:
        return self._protocol.state == self._open

    @property
    def writes_directly(self) -> bool:
        """Whether `write` can take the short path (False under TLS or when a piece it relies
        on is missing: then every frame goes through autobahn's sendMessage)."""
        return self._direct is not None

    def write(self, encoded: bytes) -> None:
        """One text frame of UTF-8 `encoded` bytes; only while `is_open()`."""
        transport, protocol = self._direct, self._protocol
        if (transport is None or protocol.send_queue or protocol.send_state != self._ground
                or protocol._perMessageCompress is not None):
            protocol.sendMessage(encoded, False)
            return
        frame = text_frame(encoded)
        if (transport._tempDataLen or len(transport.dataBuffer) != transport.offset or not transport.connected
                or transport.disconnecting or transport._writeDisconnected):
            transport.write(frame)  # behind what is queued, in order
            return
        try:
            sent = transport.socket.send(frame)
        except (BlockingIOError, InterruptedError):
            sent = 0
        except OSError:
            # A lost connection: Twisted's own write meets the same error and closes it.
            transport.write(frame)
            return
        if sent < len(frame):
            transport.write(frame[sent:])

    def pending_bytes(self) -> int:
        """Bytes written to the socket that the kernel has not taken yet."""
        transport = self._transport
        if transport is None:
            return 0
        return len(transport.dataBuffer) - transport.offset + transport._tempDataLen

    def close_on_refusal(self) -> None:
        """Answer a frame autobahn refuses with a close frame carrying the reason's code
        (1009 message too big, 1007 not UTF-8, 1002 protocol error) instead of a dropped TCP
        connection, which leaves the client with 1006 and no reason."""
        self._protocol.failByDrop = False

    def refusal(self) -> tuple[int, str] | None:
        """The close code and reason autobahn failed this connection with, or None."""
        protocol = self._protocol
        if not protocol.failedByMe or protocol.localCloseCode is None:
            return None
        reason = protocol.localCloseReason or b""
        return protocol.localCloseCode, reason.decode(errors="replace") if isinstance(reason, bytes) else str(reason)

    def abort(self) -> None:
        """Drop the connection now, without flushing what is buffered (a polite close would
        wait behind the same backlog)."""
        self._protocol.transport.abortConnection()


def wire_for(send) -> DaphneSocketWire | None:
    """The wire under a socket's ASGI `send` when daphne serves it, else None. Called once per
    connection."""
    for _depth in range(_MAX_WRAPPERS):
        wrapper = getattr(send, "__self__", None)
        if isinstance(send, functools.partial) or not hasattr(wrapper, "real_send"):
            break
        send = wrapper.real_send
    protocol = send.args[0] if isinstance(send, functools.partial) and send.args else None
    return DaphneSocketWire(protocol) if isinstance(protocol, WebSocketProtocol) else None

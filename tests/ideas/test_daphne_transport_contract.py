"""The contract of `ideas/daphne_transport.py` with the daphne, autobahn and Twisted installed.

The module writes room frames straight to daphne's WebSocket protocol and reads Twisted's write
buffer to drop stuck readers: none of that is public API. After an upgrade that changes it,
the consumer would quietly fall back to the slower ASGI send (bench/RESULTS.md) or stop
dropping stuck readers; these tests fail instead, naming what changed and the versions.

- the classes and attributes, checked on the classes themselves;
- one connection built in this process the way daphne builds one (daphne's server and
  factory, autobahn's handshake, Twisted's TCP transport over a real loopback socket, the ASGI
  send under Channels' session middleware and the project's outage guard), with the reactor
  not running so the test decides when bytes move;
- a real daphne process with a `websockets` client: a room frame arrives through the wire.
"""

import asyncio
import contextlib
import functools
import inspect
import json
import socket
from importlib.metadata import version

import pytest
import websockets

INSTALLED = ", ".join(f"{name} {version(name)}" for name in ("daphne", "autobahn", "Twisted"))


def broken(what: str) -> str:
    return (f"{what}. ideas/daphne_transport.py relies on it (installed: {INSTALLED}); its "
            "docstring says what and why: adapt it to this version, or keep the previous one.")


def describe(send) -> str:
    """A socket's ASGI send, wrapper by wrapper (for the failure messages)."""
    steps = []
    for _depth in range(8):
        if isinstance(send, functools.partial):
            args = ", ".join(f"{type(arg).__module__}.{type(arg).__qualname__}" for arg in send.args)
            steps.append(f"functools.partial({getattr(send.func, '__qualname__', send.func)}, {args})")
            return " → ".join(steps)
        steps.append(str(getattr(send, "__qualname__", type(send).__qualname__)))
        send = getattr(getattr(send, "__self__", None), "real_send", None)
        if send is None:
            break
    return " → ".join(steps) + " (and no real_send under it)"


# --- the classes ----------------------------------------------------------------------------------


def test_daphne_serves_websockets_with_a_subclass_of_autobahns_protocol():
    try:
        from daphne.ws_protocol import WebSocketFactory, WebSocketProtocol
    except ImportError as error:
        pytest.fail(broken(f"daphne.ws_protocol.WebSocketProtocol cannot be imported ({error})"))
    from autobahn.twisted.websocket import WebSocketServerProtocol

    assert issubclass(WebSocketProtocol, WebSocketServerProtocol), broken(
        "daphne's WebSocketProtocol is no longer a subclass of autobahn's WebSocketServerProtocol")
    assert WebSocketFactory.protocol is WebSocketProtocol, broken(
        f"daphne's WebSocketFactory builds {WebSocketFactory.protocol!r}, not daphne.ws_protocol.WebSocketProtocol")


def test_autobahn_sends_a_message_only_while_the_state_is_open():
    from autobahn.websocket.protocol import WebSocketProtocol

    states = {name: getattr(WebSocketProtocol, name, None)
              for name in ("STATE_CLOSED", "STATE_CONNECTING", "STATE_CLOSING", "STATE_OPEN")}
    assert isinstance(states["STATE_OPEN"], int) and list(states.values()).count(states["STATE_OPEN"]) == 1, broken(
        f"autobahn's WebSocketProtocol.STATE_OPEN is no longer one distinct state ({states})")
    send_message = getattr(WebSocketProtocol, "sendMessage", None)
    assert callable(send_message), broken("autobahn's WebSocketProtocol.sendMessage is gone")
    parameters = list(inspect.signature(send_message).parameters)
    assert parameters[:3] == ["self", "payload", "isBinary"], broken(
        f"autobahn's WebSocketProtocol.sendMessage no longer takes (payload, isBinary): {parameters}")


def test_twisted_tcp_transports_keep_a_write_buffer_and_can_abort():
    from twisted.internet import abstract, tcp

    assert issubclass(tcp.Server, abstract.FileDescriptor), broken(
        "Twisted's tcp.Server is no longer an abstract.FileDescriptor")
    for name in ("dataBuffer", "offset"):
        assert hasattr(tcp.Server, name), broken(f"Twisted's tcp.Server has no `{name}` (FileDescriptor's write buffer)")
    descriptor = abstract.FileDescriptor(reactor=_Reactor())
    assert getattr(descriptor, "_tempDataLen", None) == 0, broken(
        "Twisted's FileDescriptor no longer counts unsent writes in `_tempDataLen`")
    assert callable(getattr(tcp.Server, "abortConnection", None)), broken("Twisted's tcp.Server has no abortConnection()")


def test_there_is_no_wire_without_daphne():
    from daphne.ws_protocol import WebSocketProtocol

    from ideas.daphne_transport import wire_for

    assert wire_for(asyncio.Queue().put) is None  # Channels' test communicator
    assert wire_for(functools.partial(print, object())) is None  # another server's partial
    assert wire_for(functools.partial(print)) is None
    # Under TLS the protocol's transport is Twisted's TLS wrapper, which keeps no write buffer.
    protocol = WebSocketProtocol()
    protocol.transport = object()
    wire = wire_for(functools.partial(print, protocol))
    assert wire is not None and not wire.measures_backlog and wire.pending_bytes() == 0


# --- one connection, made in this process as daphne makes it ----------------------------------------


class _Reactor:
    """A reactor as a Twisted transport sees it, never running: the test moves the bytes with
    `transport.doWrite()`, and what the transport schedules is kept in `later`."""

    def __init__(self):
        self.later = []
        self.writers = []  # every addWriter: a transport asking to be told when it may write

    def addReader(self, reader):
        pass

    removeReader = removeWriter = addReader

    def addWriter(self, writer):
        self.writers.append(writer)

    def callLater(self, delay, call, *args, **kwargs):
        self.later.append((call, args, kwargs))


class _Connection:
    def __init__(self, server, protocol, transport, reactor, peer, send):
        self.server, self.protocol, self.transport, self.reactor = server, protocol, transport, reactor
        self.peer, self.send = peer, send

    def receive(self, expected: int) -> bytes:
        """What the client side receives: `expected` bytes (waiting up to 5 s for them), and any
        more that come within 50 ms (then more than expected were sent)."""
        data = b""
        self.peer.settimeout(5)
        with contextlib.suppress(TimeoutError):
            while len(data) < expected and (chunk := self.peer.recv(1 << 20)):
                data += chunk
        self.peer.settimeout(0.05)
        with contextlib.suppress(TimeoutError):
            while chunk := self.peer.recv(1 << 20):
                data += chunk
        return data

    def flush(self, expected: int) -> bytes:
        """Let Twisted write all it holds, `expected` bytes; returns what the client received."""
        data = b""
        self.peer.settimeout(0.01)
        while self.transport.dataBuffer[self.transport.offset:] or self.transport._tempDataLen:
            self.transport.doWrite()  # what the reactor does when the socket is writable
            with contextlib.suppress(TimeoutError):
                while chunk := self.peer.recv(1 << 20):
                    data += chunk
        return data + self.receive(expected - len(data))


HANDSHAKE = (b"GET /ws/workshops/LIVE23/ HTTP/1.1\r\nHost: localhost\r\nUpgrade: websocket\r\n"
             b"Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n")


@pytest.fixture
async def daphne_socket():
    """An accepted WebSocket connection, made in this process the way daphne makes one."""
    from channels.sessions import SessionMiddlewareStack
    from daphne.server import Server
    from daphne.ws_protocol import WebSocketFactory
    from twisted.internet import tcp

    from workshop_site.core.middleware import SocketDatabaseOutageGuard

    accepted = asyncio.get_running_loop().create_future()

    async def application(scope, receive, send):
        assert (await receive())["type"] == "websocket.connect"
        await send({"type": "websocket.accept"})
        accepted.set_result(send)
        await asyncio.Event().wait()

    server = Server(SocketDatabaseOutageGuard(SessionMiddlewareStack(application)), endpoints=["tcp:port=0"])
    listener = socket.create_server(("127.0.0.1", 0))
    peer = socket.socket()
    peer.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    peer.connect(listener.getsockname())
    own, address = listener.accept()
    own.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, 4096)
    reactor = _Reactor()
    # What the test itself borrows from daphne, not the module: Server.run() makes
    # `connections`, and daphne's HTTP protocol hands `_raw_query_string` over on upgrade.
    server.connections = {}
    factory = WebSocketFactory(server, server="daphne")
    factory.setProtocolOptions(allowNullOrigin=True)
    protocol = factory.buildProtocol(address)
    protocol._raw_query_string = b""
    transport = tcp.Server(own, protocol, address, _Port(), 1, reactor)
    protocol.makeConnection(transport)
    protocol.dataReceived(HANDSHAKE)
    try:
        send = await asyncio.wait_for(accepted, 5)
    except TimeoutError:
        pytest.fail(f"The in-process daphne connection was not accepted (installed: {INSTALLED}): "
                    "this test's harness needs adapting; the real-server test below says whether the module works")
    connection = _Connection(server, protocol, transport, reactor, peer, send)
    yield connection
    application_instance = server.connections.get(protocol, {}).get("application_instance")
    if application_instance is not None:
        application_instance.cancel()
    for s in (peer, own, listener):
        s.close()


class _Port:
    _realPortNumber = 0


def _frames(data: bytes) -> list[bytes]:
    """The payloads of the unmasked text frames after the HTTP 101 answer."""
    head, _, data = data.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 101"), head
    payloads = []
    while data:
        assert data[0] == 0x81, f"not a final text frame: {data[:2]!r}"
        length, start = data[1] & 0x7F, 2
        if length == 126:
            length, start = int.from_bytes(data[2:4], "big"), 4
        elif length == 127:
            length, start = int.from_bytes(data[2:10], "big"), 10
        payloads.append(data[start:start + length])
        data = data[start + length:]
    return payloads


async def test_daphnes_send_leads_to_a_wire_that_writes_a_text_frame(daphne_socket):
    from ideas.daphne_transport import _BUFFER_ATTRIBUTES, wire_for

    connection = daphne_socket
    innermost = connection.send
    while not isinstance(innermost, functools.partial) and hasattr(getattr(innermost, "__self__", None), "real_send"):
        innermost = innermost.__self__.real_send
    shape = describe(connection.send)
    assert isinstance(innermost, functools.partial), broken(
        f"daphne's ASGI send is no longer a functools.partial under Channels' `real_send` wrappers: {shape}")
    assert innermost.func == connection.server.handle_reply and innermost.args[:1] == (connection.protocol,), broken(
        f"daphne's ASGI send is no longer functools.partial(Server.handle_reply, protocol): {shape}")
    wire = wire_for(connection.send)
    assert wire is not None, broken(f"wire_for found no daphne WebSocketProtocol under {shape}")
    assert wire.is_open(), broken(
        f"autobahn's protocol `state` is {getattr(connection.protocol, 'state', 'missing')} once daphne accepted, "
        f"not STATE_OPEN ({connection.protocol.STATE_OPEN})")
    missing = [name for name in _BUFFER_ATTRIBUTES if not hasattr(connection.transport, name)]
    assert wire.measures_backlog, broken(
        f"daphne's transport {type(connection.transport).__module__}.{type(connection.transport).__qualname__} "
        f"lacks Twisted's {', '.join(missing) or ', '.join(_BUFFER_ATTRIBUTES)}")

    frame = '{"type":"presence","seq":1,"online":1}'
    wire.write(frame.encode())
    written = connection.flush(wire.pending_bytes())
    assert _frames(written) == [frame.encode()], broken("autobahn's sendMessage(payload, False) wrote no text frame")


async def test_pending_bytes_are_what_the_kernel_has_not_taken_yet(daphne_socket):
    from ideas.daphne_transport import wire_for

    connection = daphne_socket
    wire = wire_for(connection.send)
    payloads = [b'"' + bytes([97 + n]) * 16382 + b'"' for n in range(8)]  # more than the socket buffers hold
    for payload in payloads:
        wire.write(payload)
    before = wire.pending_bytes()  # the 101 answer and 8 frames, all still in Twisted's hands
    assert before > 8 * 16384, broken(f"pending_bytes() counts {before} bytes of 8 unsent 16 KiB frames (`_tempDataLen`)")
    connection.transport.doWrite()  # moves them into `dataBuffer` and sends what the kernel takes
    taken = before - wire.pending_bytes()
    assert 0 < taken < before, broken(f"pending_bytes() went from {before} to {wire.pending_bytes()} in one write")
    received = connection.receive(taken)
    assert len(received) == taken, broken(
        f"pending_bytes() says the kernel took {taken} of {before} bytes, the client got {len(received)} "
        "(len(dataBuffer) - offset + _tempDataLen)")
    received += connection.flush(before - taken)
    assert wire.pending_bytes() == 0 and len(received) == before
    assert _frames(received) == payloads


async def test_abort_drops_the_connection_without_writing_what_is_buffered(daphne_socket):
    from twisted.internet.error import ConnectionAborted

    from ideas.daphne_transport import wire_for

    connection = daphne_socket
    wire = wire_for(connection.send)
    wire.write(b'"never read"')
    wire.abort()
    scheduled = [(call, args) for call, args, _kwargs in connection.reactor.later if call == connection.transport.connectionLost]
    assert len(scheduled) == 1 and scheduled[0][1][0].check(ConnectionAborted), broken(
        f"Twisted's abortConnection() no longer schedules connectionLost(ConnectionAborted): {connection.reactor.later}")
    call, args = scheduled[0]
    call(*args)  # what the reactor does on its next turn
    assert not wire.is_open()
    try:
        received = connection.receive(0)
    except ConnectionResetError:
        received = b""
    assert received == b""  # not even the 101 answer: the buffer was dropped


async def test_a_room_frame_goes_to_the_kernel_at_once_when_nothing_is_queued(daphne_socket):
    from ideas.daphne_transport import wire_for

    connection = daphne_socket
    wire = wire_for(connection.send)
    assert wire.writes_directly, broken(
        "the short path is off: Twisted's transport lacks socket, connected, disconnecting or _writeDisconnected, "
        "or autobahn's protocol lacks send_queue, send_state, SEND_STATE_GROUND or _perMessageCompress")
    assert connection.flush(0).startswith(b"HTTP/1.1 101")  # the handshake's answer, queued before
    connection.reactor.writers.clear()
    frame = b'{"type":"tally","seq":2,"votes":{"7":3}}'
    wire.write(frame)
    assert wire.pending_bytes() == 0 and connection.reactor.writers == [], (
        "the frame was queued for the reactor, not sent: the short path did not run")
    received = connection.receive(len(frame) + 2)  # no doWrite: the reactor was never asked
    assert _frames(b"HTTP/1.1 101\r\n\r\n" + received) == [frame]


async def test_what_the_kernel_does_not_take_is_queued_and_later_frames_keep_their_order(daphne_socket):
    from ideas.daphne_transport import wire_for

    connection = daphne_socket
    wire = wire_for(connection.send)
    connection.flush(0)
    payloads = [b'"' + bytes([97 + n]) * 16382 + b'"' for n in range(6)]  # more than the socket buffers hold
    wire.write(payloads[0])
    queued = wire.pending_bytes()
    framed = 16384 + 4  # a 16 KiB payload's frame: 4 bytes of header
    assert 0 < queued < framed, broken(f"a frame the kernel took in part left {queued} bytes in Twisted's buffer")
    for payload in payloads[1:]:
        wire.write(payload)  # behind the queued rest: Twisted's buffer, in order
    assert wire.pending_bytes() == queued + 5 * framed
    received = connection.flush(queued + 5 * framed)
    assert _frames(b"HTTP/1.1 101\r\n\r\n" + received) == payloads


@pytest.mark.parametrize("size", [0, 125, 126, 65535, 65536, 70000])
async def test_the_short_paths_frame_is_the_frame_autobahn_writes(daphne_socket, size):
    from ideas.daphne_transport import text_frame

    connection = daphne_socket
    connection.flush(0)
    payload = b'"' + b"x" * max(0, size - 2) + b'"' if size else b""
    connection.protocol.sendMessage(payload, False)
    assert connection.flush(len(payload) + 10) == text_frame(payload), broken(
        f"autobahn's sendMessage writes a {size}-byte text frame differently from text_frame()")


# --- a real daphne process ------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_under_a_real_daphne_a_room_frame_reaches_the_client_through_the_wire(workshop, monkeypatch, tmp_path):
    from ideas import daphne_transport
    from tests.faults.servers import Daphne

    # Recorded in the server process (forked with these patches): what each connect found
    # under the socket's send, and every frame written through the wire.
    record_file = tmp_path / "wire.jsonl"
    real_wire_for, real_write = daphne_transport.wire_for, daphne_transport.DaphneSocketWire.write

    def record(entry: dict) -> None:
        with record_file.open("a") as out:
            out.write(json.dumps(entry) + "\n")

    def wire_for(send):
        wire = real_wire_for(send)
        record({"send": describe(send), "wire": wire is not None, "measures_backlog": bool(wire and wire.measures_backlog),
                "writes_directly": bool(wire and wire.writes_directly)})
        return wire

    def write(self, encoded: bytes) -> None:
        record({"write": encoded.decode()})
        real_write(self, encoded)

    monkeypatch.setattr(daphne_transport, "wire_for", wire_for)
    monkeypatch.setattr(daphne_transport.DaphneSocketWire, "write", write)
    server = Daphne()

    async def until(sock, predicate) -> str:
        while True:
            raw = await asyncio.wait_for(sock.recv(), 15)
            if predicate(json.loads(raw)):
                return raw

    async def scenario() -> tuple[str, str]:
        url = f"{server.ws_url}/ws/workshops/LIVE23/"
        async with websockets.connect(url, origin=server.url) as wall:
            snapshot = await until(wall, lambda f: f["type"] == "snapshot")
            async with websockets.connect(url, origin=server.url) as phone:
                await until(phone, lambda f: f["type"] == "snapshot")
                presence = await until(wall, lambda f: f["type"] == "presence" and f["online"] == 2)
        return snapshot, presence

    try:
        snapshot, presence = asyncio.run(scenario())
    finally:
        server.stop()
    records = [json.loads(line) for line in record_file.read_text().splitlines()]
    connects = [r for r in records if "send" in r]
    assert len(connects) == 2
    for connect in connects:
        assert connect["wire"], broken(f"under daphne, wire_for found no WebSocket protocol under {connect['send']}")
        assert connect["measures_backlog"], broken(
            "under daphne on TCP, the protocol's transport lacks Twisted's dataBuffer, offset, _tempDataLen or abortConnection")
        assert connect["writes_directly"], broken("under daphne on TCP, the wire's short path is off")
    written = [r["write"] for r in records if "write" in r]
    assert presence in written  # the relay's frame went over the wire, and arrived as written
    assert snapshot not in written  # the snapshot took the ASGI send: the record tells them apart


async def test_daphne_sends_the_try_again_close_code(daphne_socket):
    """The close code a socket opened during a database outage gets (docs/protocol.md) is one
    daphne can send: autobahn sends only 1000 and 3000–4999, and raised on RFC 6455's 1013."""
    from workshop_site.core.errors import CLOSE_TRY_AGAIN

    connection = daphne_socket
    await connection.send({"type": "websocket.close", "code": CLOSE_TRY_AGAIN})
    written = connection.flush(4)
    head, _, frame = written.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 101"), head
    assert frame[:1] == b"\x88", f"no close frame was written: {frame[:8]!r} (installed: {INSTALLED})"
    assert int.from_bytes(frame[2:4], "big") == CLOSE_TRY_AGAIN

"""Real processes the fault tests start, stop and cut: daphne on a port that survives a
restart, a private redis-server, a TCP proxy in front of a database, and a protocol client
that behaves like live.js (reconnects with backoff and jitter, resends unanswered writes
with the same ref)."""

import asyncio
import contextlib
import itertools
import json
import os
import random
import shutil
import signal
import socket
import subprocess
import threading
import time
import urllib.error
import urllib.request
from functools import partial

import websockets
from channels.testing.live import make_application
from daphne.testing import DaphneProcess
from django.contrib.staticfiles.handlers import ASGIStaticFilesHandler

from tests.live_server import prepare_for_fork


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Daphne:
    """One daphne process serving the real application on the test database; `restart()`
    kills it without warning and starts a new one on the same port."""

    def __init__(self):
        self.port = 0
        self.process = None
        self.start()

    def start(self) -> None:
        prepare_for_fork()
        self.process = DaphneProcess(
            "127.0.0.1", partial(make_application, static_wrapper=ASGIStaticFilesHandler), port=self.port
        )
        self.process.start()
        if not self.process.ready.wait(timeout=20):
            self.process.terminate()
            raise RuntimeError("daphne did not start")
        self.port = self.process.port.value
        self.url = f"http://127.0.0.1:{self.port}"
        self.ws_url = f"ws://127.0.0.1:{self.port}"

    def kill(self) -> None:
        os.kill(self.process.pid, signal.SIGKILL)
        self.process.join(timeout=10)

    def restart(self) -> None:
        self.kill()
        self.start()

    def stop(self) -> None:
        self.process.terminate()
        self.process.join(timeout=10)
        if self.process.is_alive():
            self.kill()

    def get(self, path: str, headers: dict | None = None) -> tuple[int, dict, str]:
        request = urllib.request.Request(self.url + path, headers=headers or {})  # noqa: S310 - our own server
        try:
            with urllib.request.urlopen(request, timeout=15) as response:  # noqa: S310 - our own server
                return response.status, dict(response.headers), response.read().decode()
        except urllib.error.HTTPError as error:
            return error.code, dict(error.headers), error.read().decode()


class RedisServer:
    """A private redis-server on a free port (never the shared 6379), stopped and started
    again on the same port by the test."""

    def __init__(self):
        self.binary = shutil.which("redis-server") or "/usr/bin/redis-server"
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.process = None
        self.start()

    def start(self) -> None:
        self.process = subprocess.Popen(
            [self.binary, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", self.port), timeout=1) as s:
                s.sendall(b"PING\r\n")
                if s.recv(16).startswith(b"+PONG"):
                    return
            time.sleep(0.1)
        raise RuntimeError("redis-server did not start")

    def stop(self) -> None:
        if self.process is not None:
            self.process.kill()
            self.process.wait(timeout=10)
            self.process = None


class TcpProxy:
    """Forwards 127.0.0.1:<port> to a target; `cut()` drops every connection and refuses new
    ones (a database that went away), `restore()` lets them through again."""

    def __init__(self, target_host: str, target_port: int):
        self.target = (target_host, target_port)
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self.open = True
        self.pairs: list[tuple[socket.socket, socket.socket]] = []
        self.lock = threading.Lock()
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return
            if not self.open:
                client.close()
                continue
            try:
                upstream = socket.create_connection(self.target, timeout=5)
            except OSError:
                client.close()
                continue
            with self.lock:
                self.pairs.append((client, upstream))
            for a, b in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pipe, args=(a, b), daemon=True).start()

    @staticmethod
    def _pipe(source: socket.socket, sink: socket.socket) -> None:
        with contextlib.suppress(OSError):
            while data := source.recv(65536):
                sink.sendall(data)
        for s in (source, sink):
            with contextlib.suppress(OSError):
                s.shutdown(socket.SHUT_RDWR)

    def cut(self) -> None:
        self.open = False
        with self.lock:
            pairs, self.pairs = self.pairs, []
        for pair in pairs:
            for s in pair:
                with contextlib.suppress(OSError):
                    s.shutdown(socket.SHUT_RDWR)
                s.close()

    def restore(self) -> None:
        self.open = True

    def close(self) -> None:
        self.cut()
        self.listener.close()


_refs = itertools.count(1)


class ResilientClient:
    """A participant's phone driven like live.js: one socket, reconnect with capped
    exponential backoff and full jitter, unanswered writes resent with the same ref after the
    reconnect's snapshot. It records which refs were acknowledged (and whether replayed)."""

    BASE, CAP = 0.25, 2.0

    def __init__(self, ws_url: str, origin: str, code: str, cookie: str | None = None):
        self.url, self.origin, self.code, self.cookie = ws_url, origin, code, cookie
        self.socket = None
        self.pending: dict[str, dict] = {}
        self.acks: dict[str, dict] = {}
        self.errors: dict[str, dict] = {}
        self.snapshot: dict | None = None
        self.tallies: dict | None = None
        self.reconnects = 0
        self.prefix = f"c{next(_refs)}-{random.getrandbits(32):x}-"
        self.n = 0
        self.reader = None
        self.connected = asyncio.Event()

    async def start(self) -> None:
        self.reader = asyncio.ensure_future(self._run())
        await asyncio.wait_for(self.connected.wait(), 20)

    async def _run(self) -> None:
        attempt = 0
        while True:
            try:
                headers = {"Cookie": self.cookie} if self.cookie else {}
                async with websockets.connect(f"{self.url}/ws/workshops/{self.code}/", origin=self.origin,
                                              additional_headers=headers, open_timeout=5) as sock:
                    async for raw in sock:
                        frame = json.loads(raw)
                        if frame["type"] == "snapshot" and frame.get("ref") is None:
                            attempt = 0
                            self.socket = sock
                            self.snapshot = frame
                            self.tallies = {str(i["id"]): i["votes"] for i in frame["ideas"]}
                            for message in list(self.pending.values()):
                                await sock.send(json.dumps(message))
                            self.connected.set()
                        elif frame["type"] == "snapshot":
                            self.tallies = {str(i["id"]): i["votes"] for i in frame["ideas"]}
                        elif frame["type"] == "tally" and "votes" in frame:
                            self.tallies = frame["votes"]
                        elif frame["type"] in ("ack", "error") and frame.get("ref") in self.pending:
                            self.pending.pop(frame["ref"])
                            (self.acks if frame["type"] == "ack" else self.errors)[frame["ref"]] = frame
            except asyncio.CancelledError:
                raise
            except (TimeoutError, OSError, websockets.WebSocketException):
                pass
            self.socket = None
            self.reconnects += 1
            await asyncio.sleep(random.uniform(0, min(self.CAP, self.BASE * 2**attempt)))  # noqa: S311
            attempt += 1

    async def send(self, type_: str, **fields) -> str:
        self.n += 1
        ref = f"{self.prefix}{self.n}"
        message = {"type": type_, "ref": ref, **fields}
        self.pending[ref] = message
        if self.socket is not None:
            with contextlib.suppress(websockets.WebSocketException, OSError):
                await self.socket.send(json.dumps(message))
        return ref

    async def sync(self) -> None:
        if self.socket is not None:
            with contextlib.suppress(websockets.WebSocketException, OSError):
                await self.socket.send('{"type":"sync"}')

    async def stop(self) -> None:
        self.reader.cancel()
        with contextlib.suppress(asyncio.CancelledError, Exception):
            await self.reader

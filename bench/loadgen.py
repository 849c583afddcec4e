"""The load client: simulated phones that speak the real protocol (docs/protocol.md).

Each phone joins over HTTP like a browser (GET the join page for its `csrftoken` cookie, then
`POST /api/workshops/<code>/participants` with the `X-CSRFToken` header, which answers 201 and
sets the session cookie), opens `/ws/workshops/<code>/` with that cookie, reads the snapshot,
then follows the room: every broadcast's `seq` is checked, a gap is answered with `sync` as the
protocol says, and each `vote.cast` (or, in the poll scenario, `poll.answer`: a `Ballot`)
carries a `ref` whose `ack` (or `error`) is timed.

The phones are spread over several worker processes (`Fleet`), so the client is never limited
by one Python process; each worker reports its own CPU time. The parent sends each worker its
part of the vote schedule against one clock (CLOCK_MONOTONIC is system-wide on Linux), and at
the end each worker sends back what the analysis needs, small enough to pickle:

- every vote: send time, ack time (or error code), idea (or poll option), the server port it
  went through;
- per server port, the absolute tallies of each `tally` frame by `seq` (a relay serialises a
  frame once for all its sockets, so one copy per seq is the truth for every phone on that port;
  a phone seeing different counts under the same seq is counted as `tally_mismatches`);
- per port, for each seq, the time at which the *last* of this worker's phones had seen that seq
  or a later one (→ last-receiver delivery), and the same per phone for a sample of phones
  (→ per-receiver delivery);
- per phone, its final seq and tallies (→ did every phone end with the results API's counts?).

The tallies are the `tally` frames' `votes` for votes, their `counts` (the current poll's, by
option) for poll answers.
"""

import asyncio
import http.client
import json
import multiprocessing
import random
import resource
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

from websockets.asyncio.client import connect
from websockets.exceptions import InvalidHandshake

TALLY_PREFIX = '{"type":"tally","seq":'
SAMPLED_PHONES_PER_WORKER = 48
CONNECT_ATTEMPTS = 8


@dataclass(frozen=True)
class Ballot:
    """What the phones send and follow: a dot on an idea (`vote.cast`; the tallies' `votes`),
    or, with `activity`, an answer to that poll, the room's current activity (`poll.answer`
    with one option; the tallies' `counts`). Each phone answers the poll once, so an answer
    adds one to its option's count as a vote adds one to its idea's, and the analysis of
    bench/run.py is the same for both."""

    activity: int | None = None

    @property
    def field(self) -> str:
        return "votes" if self.activity is None else "counts"

    def message(self, ref: str, item: int) -> dict:
        if self.activity is None:
            return {"type": "vote.cast", "ref": ref, "idea": item}
        return {
            "type": "poll.answer",
            "ref": ref,
            "activity": self.activity,
            "options": [item],
        }

    def counts_in(self, snapshot: dict) -> dict | None:
        """The snapshot's counts: the ideas' votes, or the current poll's counts (None if the
        room is not on it or the phone may not see them)."""
        if self.activity is None:
            return {str(i["id"]): i["votes"] for i in snapshot["ideas"]}
        activity = snapshot.get("activity") or {}
        return activity.get("counts") if activity.get("id") == self.activity else None


VOTE = Ballot()


@dataclass
class Phone:
    index: int
    port: int
    code: str
    cookie: str = ""
    ws: object = None
    seq: int = -1
    received_seqs: list = field(default_factory=list)  # (time, seq), in arrival order
    final_votes: dict | None = None
    join_s: float = 0.0
    connect_s: float = 0.0
    connect_retries: int = 0
    frames: int = 0
    gaps: int = 0
    duplicates: int = 0  # a room frame whose seq this phone had already received
    stale: int = 0  # a frame older than the snapshot it already holds (ignored, as the protocol says)
    seen: set = field(default_factory=set)
    snapshot_seq: int = -1
    errors: dict = field(default_factory=dict)


def join_over_http(port: int, code: str, name: str) -> tuple[str, float]:
    """A browser's join: the join page (for the CSRF cookie), then the API. Returns the Cookie
    header the socket will send and the time it took."""
    started = time.monotonic()
    cookies: dict[str, str] = {}

    def keep(response):
        for header, value in response.getheaders():
            if header.lower() == "set-cookie":
                pair = value.split(";", 1)[0]
                key, _, val = pair.partition("=")
                cookies[key.strip()] = val.strip()

    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    try:
        connection.request("GET", f"/w/{code}/")
        response = connection.getresponse()
        response.read()
        keep(response)
        if response.status != 200 or "csrftoken" not in cookies:
            raise RuntimeError(
                f"join page answered {response.status} without a csrftoken cookie"
            )
        body = json.dumps({"display_name": name, "role": "citizen"})
        connection.request(
            "POST",
            f"/api/workshops/{code}/participants",
            body=body,
            headers={
                "Content-Type": "application/json",
                "X-CSRFToken": cookies["csrftoken"],
                "Cookie": "; ".join(f"{k}={v}" for k, v in cookies.items()),
            },
        )
        response = connection.getresponse()
        answer = response.read()
        keep(response)
        if response.status != 201:
            raise RuntimeError(f"join answered {response.status}: {answer[:200]!r}")
    finally:
        connection.close()
    return "; ".join(f"{k}={v}" for k, v in cookies.items()), time.monotonic() - started


class Worker:
    def __init__(
        self, conn, phones: list[Phone], join_threads: int, ballot: Ballot = VOTE
    ):
        self.conn = conn
        self.phones = phones
        self.join_threads = join_threads
        self.ballot = ballot
        self.votes: dict[str, dict] = {}  # ref → vote record
        self.tallies: dict[int, dict[int, dict]] = {}  # port → seq → the frame's text
        self.tally_mismatches = 0
        self.pending: set[str] = set()
        self.answered = asyncio.Event()
        self.frames_total = 0

    # --- joining ------------------------------------------------------------------------
    async def join_all(self) -> None:
        loop = asyncio.get_running_loop()
        pool = ThreadPoolExecutor(self.join_threads)
        gate = asyncio.Semaphore(self.join_threads)

        async def one(phone: Phone):
            async with gate:
                phone.cookie, phone.join_s = await loop.run_in_executor(
                    pool,
                    join_over_http,
                    phone.port,
                    phone.code,
                    f"Telefon {phone.index}",
                )
                started = time.monotonic()
                # As ideas/static/ideas/live.js does: a refused or timed-out handshake is tried
                # again after a capped exponential backoff with full jitter (counted).
                for attempt in range(CONNECT_ATTEMPTS):
                    try:
                        phone.ws = await connect(
                            f"ws://127.0.0.1:{phone.port}/ws/workshops/{phone.code}/",
                            origin=f"http://127.0.0.1:{phone.port}",
                            additional_headers={"Cookie": phone.cookie},
                            compression=None,
                            open_timeout=60,
                            ping_interval=None,
                            max_queue=None,
                        )
                        break
                    except (OSError, InvalidHandshake, TimeoutError):
                        if attempt == CONNECT_ATTEMPTS - 1:
                            raise
                        phone.connect_retries += 1
                        await asyncio.sleep(
                            random.uniform(0, min(10.0, 0.5 * 2**attempt))
                        )
                snapshot = json.loads(await phone.ws.recv())
                phone.connect_s = time.monotonic() - started
                self.take_snapshot(phone, snapshot, time.monotonic())
                phone.reader = asyncio.ensure_future(self.read(phone))

        await asyncio.gather(*(one(p) for p in self.phones))
        pool.shutdown()

    # --- receiving ----------------------------------------------------------------------
    def take_snapshot(self, phone: Phone, snapshot: dict, now: float) -> None:
        if snapshot.get("type") != "snapshot":
            raise RuntimeError(f"expected a snapshot, got {snapshot.get('type')}")
        phone.seq = phone.snapshot_seq = snapshot["seq"]
        phone.final_votes = self.ballot.counts_in(snapshot)
        phone.received_seqs.append((now, phone.seq))

    async def read(self, phone: Phone) -> None:
        tallies = self.tallies.setdefault(phone.port, {})
        try:
            async for text in phone.ws:
                now = time.monotonic()
                phone.frames += 1
                if text.startswith(TALLY_PREFIX):
                    # The hot path: read the seq without parsing; parse a seq's counts once.
                    end = text.index(",", len(TALLY_PREFIX))
                    seq = int(text[len(TALLY_PREFIX) : end])
                    known = tallies.get(seq)
                    if known is None:
                        tallies[seq] = known = {"text": text}
                    elif known["text"] != text:
                        self.tally_mismatches += 1
                    self.room_frame(phone, seq, now)
                    continue
                frame = json.loads(text)
                kind = frame.get("type")
                if kind in ("ack", "error") and frame.get("ref") in self.votes:
                    self.answer(frame, now)
                elif kind == "snapshot":
                    self.take_snapshot(phone, frame, now)
                elif "seq" in frame:
                    self.room_frame(phone, frame["seq"], now)
        except (
            Exception
        ) as exc:  # a closed socket ends the phone's reading; counted below
            phone.errors[type(exc).__name__] = (
                phone.errors.get(type(exc).__name__, 0) + 1
            )

    def room_frame(self, phone: Phone, seq: int, now: float) -> None:
        if seq in phone.seen:
            phone.duplicates += 1
            return
        phone.seen.add(seq)
        if seq <= phone.seq:
            phone.stale += 1
            return
        if seq > phone.seq + 1:
            phone.gaps += 1
            asyncio.ensure_future(
                phone.ws.send(json.dumps({"type": "sync", "ref": f"sync{phone.index}"}))
            )
        phone.seq = seq
        phone.received_seqs.append((now, seq))

    def answer(self, frame: dict, now: float) -> None:
        vote = self.votes[frame["ref"]]
        if vote["answered_at"] is not None:
            vote["duplicate_answers"] += 1
            return
        vote["answered_at"] = now
        if frame["type"] == "ack":
            vote["ack_at"] = now
            vote["dots_left"] = frame.get("dots_left")
        else:
            vote["error"] = frame.get("code")
        self.pending.discard(frame["ref"])
        if not self.pending:
            self.answered.set()

    # --- sending ------------------------------------------------------------------------
    async def run_schedule(self, schedule: list, t0: float, step: int) -> None:
        """`schedule`: (offset s, phone position in this worker, idea or option id), sorted
        by offset."""
        for offset, position, idea in schedule:
            delay = t0 + offset - time.monotonic()
            if delay > 0:
                await asyncio.sleep(delay)
            phone = self.phones[position]
            ref = f"v{phone.index}.{len(self.votes)}"
            self.votes[ref] = {
                "ref": ref,
                "port": phone.port,
                "idea": idea,
                "step": step,
                "planned_at": t0 + offset,
                "sent_at": time.monotonic(),
                "ack_at": None,
                "answered_at": None,
                "error": None,
                "dots_left": None,
                "duplicate_answers": 0,
            }
            self.pending.add(ref)
            self.answered.clear()
            await phone.ws.send(json.dumps(self.ballot.message(ref, idea)))

    async def wait_answers(self, timeout: float) -> None:
        if self.pending:
            try:
                await asyncio.wait_for(self.answered.wait(), timeout)
            except TimeoutError:
                pass

    # --- the report -----------------------------------------------------------------------
    def report(self) -> dict:
        ports = sorted({p.port for p in self.phones})
        tallies = {port: {} for port in ports}
        for port in ports:
            for seq, entry in self.tallies.get(port, {}).items():
                frame = json.loads(entry["text"])
                if (
                    self.ballot.field in frame
                ):  # (a tally without them: not this ballot's)
                    tallies[port][seq] = frame[self.ballot.field]
        reached_last: dict[int, dict[int, float]] = {}
        sampled = random.Random(len(self.phones)).sample(
            self.phones, min(SAMPLED_PHONES_PER_WORKER, len(self.phones))
        )
        samples = []
        for port in ports:
            phones = [p for p in self.phones if p.port == port]
            top = max((s for p in phones for _, s in p.received_seqs), default=0)
            last = [0.0] * (top + 1)
            for phone in phones:
                reached = first_reach(phone.received_seqs, top)
                for s in range(top + 1):
                    if reached[s] > last[s]:
                        last[s] = reached[s]
                if phone in sampled:
                    samples.append({"port": port, "reached": reached})
            reached_last[port] = dict(enumerate(last))
        usage = resource.getrusage(resource.RUSAGE_SELF)
        return {
            "votes": list(self.votes.values()),
            "tallies": tallies,
            "tally_mismatches": self.tally_mismatches,
            "reached_last": reached_last,
            "samples": samples,
            "phones": [
                {
                    "port": p.port,
                    "seq": p.seq,
                    "final_votes": self.final_votes(p, tallies[p.port]),
                    "join_s": p.join_s,
                    "connect_s": p.connect_s,
                    "connect_retries": p.connect_retries,
                    "frames": p.frames,
                    "gaps": p.gaps,
                    "duplicates": p.duplicates,
                    "stale": p.stale,
                    "errors": p.errors,
                }
                for p in self.phones
            ],
            "cpu_s": usage.ru_utime + usage.ru_stime,
        }

    @staticmethod
    def final_votes(phone: Phone, tallies: dict[int, dict]) -> dict | None:
        """What the phone's screen shows at the end: its last tally, unless a later snapshot."""
        later = [seq for seq in tallies if phone.snapshot_seq < seq <= phone.seq]
        return tallies[max(later)] if later else phone.final_votes


def first_reach(received: list[tuple[float, int]], top: int) -> list[float]:
    """For each seq 0..top, when this phone first held that seq or a later one (inf: never)."""
    reached = [float("inf")] * (top + 1)
    best = float("inf")
    by_seq = {}
    for at, seq in received:
        if seq not in by_seq:
            by_seq[seq] = at
    for s in range(top, -1, -1):
        at = by_seq.get(s)
        if at is not None and at < best:
            best = at
        reached[s] = best
    return reached


def worker_main(conn, phones: list[Phone], join_threads: int, ballot: Ballot) -> None:
    asyncio.run(_worker(conn, phones, join_threads, ballot))


async def _worker(conn, phones, join_threads, ballot):
    loop = asyncio.get_running_loop()
    worker = Worker(conn, phones, join_threads, ballot)
    try:
        await worker.join_all()
    except Exception as exc:
        conn.send(("failed", f"{type(exc).__name__}: {exc}"))
        return
    conn.send(("connected", None))
    while True:
        command, payload = await loop.run_in_executor(None, conn.recv)
        if command == "run":
            await worker.run_schedule(
                payload["schedule"], payload["t0"], payload["step"]
            )
            await worker.wait_answers(payload["answer_timeout"])
            step_votes = [
                v for v in worker.votes.values() if v["step"] == payload["step"]
            ]
            conn.send(
                (
                    "ran",
                    {
                        "unanswered": sum(
                            1 for v in step_votes if v["answered_at"] is None
                        ),
                        "errors": sum(1 for v in step_votes if v["error"]),
                        "ack_ms": sorted(
                            1000 * (v["ack_at"] - v["sent_at"])
                            for v in step_votes
                            if v["ack_at"]
                        ),
                    },
                )
            )
        elif command == "finish":
            await asyncio.sleep(payload["idle"])
            await worker.wait_answers(1.0)
            for phone in phones:
                phone.reader.cancel()
            await asyncio.gather(
                *(p.ws.close() for p in phones), return_exceptions=True
            )
            conn.send(("report", worker.report()))
            return


class Fleet:
    """Worker processes holding the phones; the parent drives them in lock step."""

    def __init__(
        self,
        ports: list[int],
        code: str,
        clients: int,
        workers: int,
        join_threads: int = 8,
        ballot: Ballot = VOTE,
    ):
        ctx = multiprocessing.get_context("spawn")
        self.workers = []
        self.positions: dict[
            int, tuple[int, int]
        ] = {}  # phone index → (worker, position)
        per_worker: list[list[Phone]] = [[] for _ in range(workers)]
        for index in range(clients):
            w = index % workers
            self.positions[index] = (w, len(per_worker[w]))
            per_worker[w].append(
                Phone(
                    index=index, port=ports[(index // workers) % len(ports)], code=code
                )
            )
        self.started = time.monotonic()
        for phones in per_worker:
            parent, child = ctx.Pipe()
            process = ctx.Process(
                target=worker_main,
                args=(child, phones, join_threads, ballot),
                daemon=True,
            )
            process.start()
            self.workers.append((process, parent))

    def wait_connected(self, timeout: float = 300) -> float:
        for _process, conn in self.workers:
            left = timeout - (time.monotonic() - self.started)
            if not conn.poll(max(0.0, left)):
                raise RuntimeError(
                    f"the phones were not all joined and connected within {timeout:.0f} s"
                )
            kind, detail = conn.recv()
            if kind != "connected":
                raise RuntimeError(f"a load worker failed to join: {detail}")
        return time.monotonic() - self.started

    def run(
        self,
        schedule: list[tuple[float, int, int]],
        step: int,
        lead: float = 0.5,
        answer_timeout: float = 15,
    ) -> tuple[float, dict]:
        """Send (offset, phone index, idea or option) votes or answers from t0 = now + lead;
        returns t0 and the step's quick figures (for deciding whether the sweep goes on)."""
        t0 = time.monotonic() + lead
        parts: list[list] = [[] for _ in self.workers]
        for offset, index, idea in schedule:
            w, position = self.positions[index]
            parts[w].append((offset, position, idea))
        for (_, conn), part in zip(self.workers, parts, strict=True):
            conn.send(
                (
                    "run",
                    {
                        "schedule": sorted(part),
                        "t0": t0,
                        "step": step,
                        "answer_timeout": answer_timeout,
                    },
                )
            )
        quick = {"unanswered": 0, "errors": 0, "ack_ms": []}
        for _, conn in self.workers:
            kind, figures = conn.recv()
            quick["unanswered"] += figures["unanswered"]
            quick["errors"] += figures["errors"]
            quick["ack_ms"] += figures["ack_ms"]
        quick["ack_ms"].sort()
        return t0, quick

    def finish(self, idle: float) -> list[dict]:
        for _, conn in self.workers:
            conn.send(("finish", {"idle": idle}))
        reports = [conn.recv()[1] for _, conn in self.workers]
        for process, _ in self.workers:
            process.join(timeout=10)
        return reports

    def stop(self) -> None:
        for process, _ in self.workers:
            if process.is_alive():
                process.terminate()

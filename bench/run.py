"""`make bench` / `make bench-scaleout`: Atelier's live room under load, beside a bare baseline.

    python -m bench.run                      # embedded default: the room (2,000: votes, then a poll) and the sweep (1,000)
    python -m bench.run --scaleout           # PostgreSQL + Redis, two daphne processes
    python -m bench.run --room 200 --sweep 100 --out /tmp/x.json   # a quick try

The run builds its own data in a temporary ATELIER_VAR_DIR (SQLite) or its own PostgreSQL
database (`--scaleout`), starts daphne itself (a fresh process per measured run, so memory per
connection is measured from a clean start), drives it with bench/loadgen.py's worker processes,
compares every phone's final tallies and every ack with the results API, times the heavy pages
(bench/pages.py), writes a JSON report and prints a table. Nothing of the demo's `var/` is used.

Scenarios: `room`, the room of N phones voting (3 dots each within 30 s); `poll`, the same
room (fresh phones, after the facilitator moved the room to its poll) where every phone answers
the poll once within 10 s; `sweep`, votes at stepped-up rates. The poll scenario is measured
exactly as the room: its answers are its "votes" (an answer adds one to its option's count,
as a vote to its idea's), the `tally` frames' `counts` its tallies and the results API's
`activities[].results` its results.

Definitions (the figures in bench/RESULTS.md):
- ack latency: `vote.cast` sent → its `ack` received, per vote;
- delivery latency: `vote.cast` sent → a phone holds tallies that include that vote (a tally
  frame whose count for the idea reached the vote's rank among that idea's acks); per receiver
  (every phone × every vote, from a sample of phones) and last receiver (the slowest phone of
  all, per vote); a phone that never got the vote counts as undelivered;
- converged within: the last ack → the moment the last phone held exactly the results API's counts;
- lost: acked votes the results API does not count, plus votes never answered, plus phones whose
  final tallies differ from the results API; double counted: counts beyond the acked votes;
  duplicated: a vote answered twice, or a room frame delivered twice to the same phone;
- capacity (the sweep): the highest offered rate at which p99 last-receiver delivery ≤ 500 ms
  and nothing is lost, every lower step passing too.
"""

import argparse
import bisect
import json
import os
import platform
import random
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

import psutil

from .loadgen import VOTE, Ballot, Fleet

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
DAPHNE = str(Path(sys.executable).with_name("daphne"))
JOIN_CONCURRENCY = 16
JOIN_TIMEOUT = 300.0
SWEEP_RATES = [
    25,
    50,
    100,
    150,
    200,
    300,
    400,
    500,
    650,
    800,
    1000,
    1250,
    1500,
    2000,
    2500,
    3000,
]


# --- small helpers --------------------------------------------------------------------------


def pct(values: list[float], q: float) -> float | None:
    if not values:
        return None
    values = sorted(values)
    return values[min(len(values) - 1, int(q * len(values)))]


def rounded(value, digits=1):
    if value is None or value == float("inf"):
        return value if value is None else "inf"
    return round(value, digits)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def log(message: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {message}", flush=True)


class Server:
    """One daphne process serving `app` on a free port."""

    def __init__(
        self, app: str, env: dict, logdir: Path, name: str, profile: bool = False
    ):
        self.port = free_port()
        self.log = open(logdir / f"{name}-{self.port}.log", "w")  # closed in stop()
        command = [DAPHNE, "-b", "127.0.0.1", "-p", str(self.port), app]
        if profile:
            command = [
                PYTHON,
                "-m",
                "bench.profiled_daphne",
                str(logdir / f"{name}-{self.port}.profile"),
                *command[1:],
            ]
        self.process = subprocess.Popen(
            command, cwd=ROOT, env=env, stdout=self.log, stderr=subprocess.STDOUT
        )
        self.ps = psutil.Process(self.process.pid)
        deadline = time.monotonic() + 60
        while True:
            try:
                urllib.request.urlopen(
                    f"http://127.0.0.1:{self.port}/w/WARMUP/", timeout=5
                ).read()
                break
            except urllib.error.HTTPError:
                break  # it answers (404 for an unknown code): ready
            except OSError:
                if self.process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(
                        f"daphne did not start; see {self.log.name}"
                    ) from None
                time.sleep(0.3)

    def cpu(self) -> float:
        times = self.ps.cpu_times()
        return times.user + times.system

    def threads(self) -> dict[int, float]:
        return {t.id: t.user_time + t.system_time for t in self.ps.threads()}

    def rss(self) -> int:
        return self.ps.memory_info().rss

    def stop(self) -> None:
        self.process.send_signal(
            2
        )  # SIGINT: a profiled server writes its profile on the way out
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self.log.close()


def http_json(port: int, path: str) -> dict:
    # Generous: after an overload the server may still be working through queued votes.
    with urllib.request.urlopen(
        f"http://127.0.0.1:{port}{path}", timeout=180
    ) as response:
        return json.loads(response.read())


def results_counts(port: int, code: str, ballot: Ballot = VOTE) -> dict[str, int]:
    """The results API's counts: the ideas' votes, or the poll's answers by option."""
    results = http_json(port, f"/api/workshops/{code}/results")
    if ballot.activity is None:
        return {str(i["id"]): i["votes"] for i in results["ideas"]}
    poll = next(a for a in results["activities"] if a["id"] == ballot.activity)
    return {str(o["id"]): o["count"] for o in poll["results"]["options"]}


def room_poll(port: int, code: str) -> Ballot:
    """The room's poll (the results API lists the run of show's activities)."""
    results = http_json(port, f"/api/workshops/{code}/results")
    return Ballot(
        activity=next(a["id"] for a in results["activities"] if a["kind"] == "poll")
    )


def warm_up(server: Server, code: str) -> None:
    """Load the code paths once (a page, the results API) so memory per connection is measured
    from a warm process."""
    for path in (f"/w/{code}/", f"/api/workshops/{code}/results"):
        urllib.request.urlopen(
            f"http://127.0.0.1:{server.port}{path}", timeout=30
        ).read()


def idea_ids(port: int, code: str, ballot: Ballot = VOTE) -> list[int]:
    """The ideas, or the poll's options."""
    return sorted(int(k) for k in results_counts(port, code, ballot))


def popular(rng: random.Random, ideas: list[int]) -> int:
    """Ideas are not equally liked: a Zipf-like choice."""
    weights = [1 / (n + 1) ** 0.8 for n in range(len(ideas))]
    return rng.choices(ideas, weights)[0]


# --- scenarios ------------------------------------------------------------------------------


def room_schedule(
    clients: int, ideas: list[int], rng: random.Random
) -> list[tuple[float, int, int]]:
    """Each participant casts 3 dots within 30 s: in one of three waves (the facilitator says
    "vote now" three times), most people answer in the first seconds of a wave, and each person
    taps 3 times about half a second apart. Peak ≈ 2× the mean rate."""
    schedule = []
    for index in range(clients):
        wave = rng.randrange(3)
        start = 10 * wave + min(rng.triangular(0, 10, 1), 8.5)
        for tap in range(3):
            schedule.append(
                (start + tap * rng.uniform(0.3, 0.6), index, popular(rng, ideas))
            )
    return schedule


def poll_schedule(
    clients: int, options: list[int], rng: random.Random
) -> list[tuple[float, int, int]]:
    """Each participant answers the poll once within 10 s of the facilitator's "answer now",
    most in the first seconds (as in one wave of the room's votes): peak ≈ 2× the mean rate."""
    return [
        (min(rng.triangular(0, 10, 1), 9.5), index, popular(rng, options))
        for index in range(clients)
    ]


def sweep_schedule(
    clients: int, ideas: list[int], rate: int, seconds: float, rng: random.Random
):
    count = int(rate * seconds)
    return [
        (rng.uniform(0, seconds), rng.randrange(clients), popular(rng, ideas))
        for _ in range(count)
    ]


def run_room(
    kind: str,
    servers: list[Server],
    code: str,
    clients: int,
    workers: int,
    rng,
    scenario: str = "room",
) -> dict:
    """The room scenario (votes), or with `scenario="poll"` the poll scenario (answers)."""
    ports = [s.port for s in servers]
    for server in servers:
        warm_up(server, code)
    ballot = room_poll(ports[0], code) if scenario == "poll" else VOTE
    before = {
        "rss": [s.rss() for s in servers],
        "cpu": [s.cpu() for s in servers],
        "at": time.monotonic(),
    }
    log(f"{kind} {scenario}: {clients} participants join and connect")
    fleet = Fleet(
        ports,
        code,
        clients,
        workers,
        join_threads=max(1, JOIN_CONCURRENCY // workers),
        ballot=ballot,
    )
    try:
        connected_s = fleet.wait_connected(JOIN_TIMEOUT)
        connected = {
            "rss": [s.rss() for s in servers],
            "cpu": [s.cpu() for s in servers],
            "at": time.monotonic(),
        }
        ideas = idea_ids(ports[0], code, ballot)
        base = results_counts(ports[0], code, ballot)
        if scenario == "poll":
            schedule = poll_schedule(clients, ideas, rng)
            doing = f"answering the poll ({len(ideas)} options) within 10 s"
        else:
            schedule = room_schedule(clients, ideas, rng)
            doing = "voting (3 dots each within 30 s)"
        log(f"{kind} {scenario}: connected in {connected_s:.1f} s; {doing}")
        load_before = os.getloadavg()
        threads_before = [s.threads() for s in servers]
        t0, quick = fleet.run(schedule, step=0, answer_timeout=60)
        voted = {
            "cpu": [s.cpu() for s in servers],
            "at": time.monotonic(),
            "rss": [s.rss() for s in servers],
        }
        threads_after = [s.threads() for s in servers]
        load_during = os.getloadavg()
        reports = fleet.finish(idle=3.0)
    finally:
        fleet.stop()
    final = results_counts(ports[0], code, ballot)
    figures = analyse(reports, base, final, steps={0: None})
    span = voted["at"] - t0
    server_cpu = sum(b - a for a, b in zip(connected["cpu"], voted["cpu"], strict=True))
    return {
        "scenario": scenario,
        "target": kind,
        # What the phones sent: the "votes" of the figures below are these messages.
        "message": "poll.answer" if scenario == "poll" else "vote.cast",
        "clients": clients,
        "servers": len(servers),
        "joined_and_connected_s": rounded(connected_s, 2),
        **figures["all"],
        "server_cpu_percent_voting": rounded(100 * server_cpu / span),
        # Server CPU per vote while voting (the relay's fan-out included): robust to a busy
        # machine, where latency is not.
        "server_cpu_ms_per_vote": rounded(
            1000 * server_cpu / max(1, figures["all"]["votes_acked"]), 2
        ),
        "server_cpu_percent_joining": rounded(
            100
            * sum(b - a for a, b in zip(before["cpu"], connected["cpu"], strict=True))
            / (connected["at"] - before["at"])
        ),
        "server_threads_cpu_s_voting": [
            busiest_threads(a, b)
            for a, b in zip(threads_before, threads_after, strict=True)
        ],
        "server_rss_mb": [rounded(r / 2**20) for r in voted["rss"]],
        "rss_per_connection_kb": rounded(
            sum(b - a for a, b in zip(before["rss"], connected["rss"], strict=True))
            / clients
            / 1024
        ),
        "client_cpu_percent_of_one_core": rounded(
            100 * figures["client_cpu_s"] / (voted["at"] - fleet.started)
        ),
        "load_average_before": [round(x, 2) for x in load_before],
        "load_average_after": [round(x, 2) for x in load_during],
        "voting_seconds": rounded(span, 1),
    }


def run_sweep(
    kind: str,
    servers: list[Server],
    code: str,
    clients: int,
    workers: int,
    rng,
    rates: list[int],
    step_seconds: float,
) -> dict:
    ports = [s.port for s in servers]
    for server in servers:
        warm_up(server, code)
    log(f"{kind} sweep: {clients} participants join and connect")
    fleet = Fleet(
        ports, code, clients, workers, join_threads=max(1, JOIN_CONCURRENCY // workers)
    )
    steps: dict[int, int] = {}
    cpu: dict[int, float] = {}
    try:
        fleet.wait_connected(JOIN_TIMEOUT)
        ideas = idea_ids(ports[0], code)
        base = results_counts(ports[0], code)
        for step, rate in enumerate(rates):
            steps[step] = rate
            cpu_before, at_before = sum(s.cpu() for s in servers), time.monotonic()
            _, quick = fleet.run(
                sweep_schedule(clients, ideas, rate, step_seconds, rng),
                step=step,
                answer_timeout=10,
            )
            cpu[step] = (
                100
                * (sum(s.cpu() for s in servers) - cpu_before)
                / (time.monotonic() - at_before)
            )
            ack_p99 = pct(quick["ack_ms"], 0.99)
            log(
                f"{kind} sweep: {rate} votes/s offered, ack p99 {rounded(ack_p99)} ms, "
                f"unanswered {quick['unanswered']}, errors {quick['errors']}, server CPU {cpu[step]:.0f}%"
            )
            if quick["unanswered"] or quick["errors"] or (ack_p99 or 0) > 1000:
                break
            time.sleep(1.0)  # let the last tallies of the step go out
        load = os.getloadavg()
        reports = fleet.finish(idle=2.0)
    finally:
        fleet.stop()
    final = results_counts(ports[0], code)
    figures = analyse(reports, base, final, steps=steps, step_wise=True)
    # 0 when even the first (lowest) step fails: the capacity is below it.
    table, capacity, at_capacity, failing = [], 0, {}, False
    for step, rate in steps.items():
        row = figures["steps"][step]
        good = (
            row["delivery_last_p99_ms"] not in (None, "inf")
            and row["delivery_last_p99_ms"] <= 500
            and row["undelivered"] == 0
            and row["unanswered"] == 0
            and row["errors"] == 0
        )
        table.append(
            {
                "offered_votes_per_s": rate,
                "good": good,
                "server_cpu_percent": rounded(cpu.get(step)),
                "server_cpu_ms_per_vote": rounded(10 * cpu[step] / rate, 2)
                if step in cpu
                else None,
                **row,
            }
        )
        failing = failing or not good
        if not failing:
            capacity, at_capacity = rate, row
    return {
        "scenario": "sweep",
        "target": kind,
        "clients": clients,
        "servers": len(servers),
        "capacity_votes_per_s": capacity,
        "steps": table,
        "step_seconds": step_seconds,
        # The figures of the last good step (the capacity), for the summary.
        **{
            k: at_capacity.get(k)
            for k in ("ack_p95_ms", "delivery_p99_ms", "delivery_last_p99_ms")
        },
        "converged_within_s": figures["all"]["converged_within_s"],
        "lost": figures["all"]["lost"],
        "double_counted": figures["all"]["double_counted"],
        "duplicated": figures["all"]["duplicated"],
        "clients_not_converged": figures["all"]["clients_not_converged"],
        "example_not_converged": figures["all"]["example_not_converged"],
        "client_cpu_s": rounded(figures["client_cpu_s"]),
        "load_average_after": [round(x, 2) for x in load],
    }


def busiest_threads(before: dict[int, float], after: dict[int, float]) -> list[float]:
    used = sorted((after[t] - before.get(t, 0.0) for t in after), reverse=True)
    return [round(u, 2) for u in used[:3]]


# --- analysis -------------------------------------------------------------------------------


def analyse(
    reports: list[dict],
    base: dict[str, int],
    final: dict[str, int],
    steps: dict[int, int | None],
    step_wise: bool = False,
) -> dict:
    votes = [v for r in reports for v in r["votes"]]
    acked = [v for v in votes if v["ack_at"] is not None]
    # The rank of each acked vote among its idea's votes (acks follow commits, in order).
    by_idea: dict[int, list[dict]] = {}
    for vote in sorted(acked, key=lambda v: v["ack_at"]):
        by_idea.setdefault(vote["idea"], []).append(vote)
    for idea, idea_votes in by_idea.items():
        for rank, vote in enumerate(idea_votes, start=1):
            vote["rank"] = base.get(str(idea), 0) + rank

    # Per port: for each idea, the seqs at which its count grew (tallies are absolute and, with
    # casts only, never go down), so "first seq whose count ≥ rank" is a bisection.
    ports = sorted({p for r in reports for p in r["tallies"]})
    growth: dict[int, dict[str, tuple[list[int], list[int]]]] = {}
    for port in ports:
        frames = {}
        for r in reports:
            frames.update(r["tallies"].get(port, {}))
        per_idea: dict[str, tuple[list[int], list[int]]] = {}
        for seq in sorted(frames):
            for idea, count in frames[seq].items():
                seqs, counts = per_idea.setdefault(idea, ([], []))
                if not counts or count > counts[-1]:
                    seqs.append(seq)
                    counts.append(count)
        growth[port] = per_idea
    last_reached: dict[int, dict[int, float]] = {}
    for port in ports:
        merged: dict[int, float] = {}
        tops = []
        for r in reports:
            reached = r["reached_last"].get(port)
            if reached is None:
                continue
            tops.append(max(reached, default=-1))
            for seq, at in reached.items():
                merged[seq] = max(merged.get(seq, 0.0), at)
        # A worker whose phones never reached a seq makes it unreached for the room.
        for seq in list(merged):
            if seq > min(tops):
                merged[seq] = float("inf")
        last_reached[port] = merged

    def first_seq(port: int, idea: int, rank: int) -> int | None:
        seqs, counts = growth[port].get(str(idea), ([], []))
        i = bisect.bisect_left(counts, rank)
        return seqs[i] if i < len(seqs) else None

    for vote in acked:
        worst = 0.0
        for port in ports:
            seq = first_seq(port, vote["idea"], vote["rank"])
            at = (
                last_reached[port].get(seq, float("inf"))
                if seq is not None
                else float("inf")
            )
            worst = max(worst, at - vote["sent_at"])
            vote.setdefault("first_seq", {})[port] = seq
        vote["last_ms"] = 1000 * worst

    samples = [s for r in reports for s in r["samples"]]

    def per_receiver(subset: list[dict]) -> list[float]:
        # Every sampled phone × up to 5,000 votes: enough for a p99, fast enough in Python.
        if len(subset) > 5000:
            subset = random.Random(5).sample(subset, 5000)
        found = []
        for sample in samples:
            reached = sample["reached"]
            for vote in subset:
                seq = vote["first_seq"].get(sample["port"])
                at = (
                    reached[seq]
                    if seq is not None and seq < len(reached)
                    else float("inf")
                )
                found.append(1000 * (at - vote["sent_at"]))
        return found

    phones = [p for r in reports for p in r["phones"]]
    not_converged = sum(1 for p in phones if (p["final_votes"] or {}) != final)
    mismatch = next(
        (
            {"results_api": final, "phone": p["final_votes"], "phone_seq": p["seq"]}
            for p in phones
            if (p["final_votes"] or {}) != final
        ),
        None,
    )
    # When did the last phone hold exactly the final counts?
    converged_at = 0.0
    for port in ports:
        frames = {}
        for r in reports:
            frames.update(r["tallies"].get(port, {}))
        final_seq = next((seq for seq in sorted(frames) if frames[seq] == final), None)
        converged_at = max(
            converged_at,
            last_reached[port].get(final_seq, float("inf"))
            if final_seq is not None
            else float("inf"),
        )

    def figures(subset: list[dict]) -> dict:
        sub_acked = [v for v in subset if v["ack_at"] is not None]
        ack_ms = [1000 * (v["ack_at"] - v["sent_at"]) for v in sub_acked]
        last_ms = [v["last_ms"] for v in sub_acked]
        receiver_ms = per_receiver(sub_acked)
        sends = sorted(v["sent_at"] for v in subset)
        span = (sends[-1] - sends[0]) if len(sends) > 1 else 0.0
        peak = 0
        j = 0
        for i, at in enumerate(sends):
            while sends[j] < at - 1.0:
                j += 1
            peak = max(peak, i - j + 1)
        return {
            "votes_sent": len(subset),
            "votes_acked": len(sub_acked),
            "errors": sum(1 for v in subset if v["error"]),
            "unanswered": sum(1 for v in subset if v["answered_at"] is None),
            "mean_votes_per_s": rounded(len(subset) / span if span else None),
            "peak_votes_per_s_1s": peak,
            "ack_p50_ms": rounded(pct(ack_ms, 0.50)),
            "ack_p95_ms": rounded(pct(ack_ms, 0.95)),
            "ack_p99_ms": rounded(pct(ack_ms, 0.99)),
            "delivery_p50_ms": rounded(pct(receiver_ms, 0.50)),
            "delivery_p95_ms": rounded(pct(receiver_ms, 0.95)),
            "delivery_p99_ms": rounded(pct(receiver_ms, 0.99)),
            "delivery_last_p50_ms": rounded(pct(last_ms, 0.50)),
            "delivery_last_p95_ms": rounded(pct(last_ms, 0.95)),
            "delivery_last_p99_ms": rounded(pct(last_ms, 0.99)),
            "undelivered": sum(1 for x in last_ms if x == float("inf")),
        }

    # Per idea: acked votes the results do not count are lost; counts beyond the acked votes
    # and those still unanswered (which may have committed after the wait) are double counted.
    acked_per_idea: dict[str, int] = {}
    pending_per_idea: dict[str, int] = {}
    for vote in votes:
        if vote["ack_at"] is not None:
            acked_per_idea[str(vote["idea"])] = (
                acked_per_idea.get(str(vote["idea"]), 0) + 1
            )
        elif vote["answered_at"] is None:
            pending_per_idea[str(vote["idea"])] = (
                pending_per_idea.get(str(vote["idea"]), 0) + 1
            )
    gained = {idea: final.get(idea, 0) - base.get(idea, 0) for idea in final}
    missing = sum(
        max(0, acked_per_idea.get(i, 0) - gained.get(i, 0))
        for i in set(gained) | set(acked_per_idea)
    )
    extra = sum(
        max(0, gained.get(i, 0) - acked_per_idea.get(i, 0) - pending_per_idea.get(i, 0))
        for i in gained
    )
    unanswered_uncounted = sum(
        max(
            0,
            min(
                pending_per_idea.get(i, 0),
                acked_per_idea.get(i, 0)
                + pending_per_idea.get(i, 0)
                - gained.get(i, 0),
            ),
        )
        for i in pending_per_idea
    )
    all_figures = figures(votes)
    frames = sum(p["frames"] for p in phones)
    sends = [v["sent_at"] for v in votes] or [0.0]
    window = max(sends) - min(sends) + 1.0
    all_figures.update(
        {
            # Lost: acked but not counted, or never answered and not counted either.
            "lost": missing + unanswered_uncounted,
            "acked_not_counted": missing,
            "double_counted": extra,
            "duplicated": sum(v["duplicate_answers"] for v in votes)
            + sum(p["duplicates"] for p in phones),
            "clients_not_converged": not_converged,
            "example_not_converged": mismatch,
            "converged_within_s": rounded(
                converged_at - max((v["ack_at"] for v in acked), default=converged_at),
                3,
            ),
            "seq_gaps": sum(p["gaps"] for p in phones),
            "tally_mismatches": sum(r["tally_mismatches"] for r in reports),
            "socket_errors": sum(sum(p["errors"].values()) for p in phones),
            "error_codes": sorted({v["error"] for v in votes if v["error"]}),
            "frames_received": frames,
            "frames_per_s": rounded(frames / window),
            "join_p50_ms": rounded(1000 * pct([p["join_s"] for p in phones], 0.5)),
            "join_p95_ms": rounded(1000 * pct([p["join_s"] for p in phones], 0.95)),
            "connect_p50_ms": rounded(
                1000 * pct([p["connect_s"] for p in phones], 0.5)
            ),
            "connect_p95_ms": rounded(
                1000 * pct([p["connect_s"] for p in phones], 0.95)
            ),
            "connect_retries": sum(p["connect_retries"] for p in phones),
        }
    )
    step_figures = {
        step: figures([v for v in votes if v["step"] == step])
        for step in steps
        if step_wise
    }
    return {
        "all": all_figures,
        "steps": step_figures,
        "client_cpu_s": sum(r["cpu_s"] for r in reports),
    }


# --- the whole run ----------------------------------------------------------------------------


def machine() -> dict:
    import daphne

    return {
        "nproc": os.cpu_count(),
        "memory_mb": psutil.virtual_memory().total // 2**20,
        "python": platform.python_version(),
        "daphne": daphne.__version__,
        "platform": platform.platform(),
        "load_average_at_start": [round(x, 2) for x in os.getloadavg()],
    }


def prepare(env: dict, scaleout: bool, logdir: Path) -> dict:
    log("migrating the bench database")
    subprocess.run(
        [PYTHON, "manage.py", "migrate", "--no-input", "-v0"],
        cwd=ROOT,
        env=env,
        check=True,
    )
    log("creating the bench data (demo + rooms + a 500-idea workshop + a 50-item plan)")
    seeded = subprocess.run(
        [PYTHON, "-m", "bench.setup_data"],
        cwd=ROOT,
        env={**env, "DJANGO_DEBUG": "1"},
        check=True,
        capture_output=True,
        text=True,
    )
    return json.loads(seeded.stdout.strip().splitlines()[-1])


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--room", type=int, default=2000, help="participants in the room (0: skip)"
    )
    parser.add_argument(
        "--poll",
        type=int,
        default=None,
        help="participants answering the room's poll (default: as many as --room; 0: skip)",
    )
    parser.add_argument(
        "--sweep", type=int, default=1000, help="participants in the sweep (0: skip)"
    )
    parser.add_argument("--workers", type=int, default=4, help="load client processes")
    parser.add_argument(
        "--join-concurrency",
        type=int,
        default=16,
        help="phones joining at once, over all workers (a hall: many, not all)",
    )
    parser.add_argument(
        "--join-timeout",
        type=float,
        default=300.0,
        help="seconds for all phones to join and connect before the scenario is recorded as failed",
    )
    parser.add_argument("--step-seconds", type=float, default=4.0)
    parser.add_argument("--rates", default=",".join(map(str, SWEEP_RATES)))
    parser.add_argument(
        "--scaleout",
        action="store_true",
        help="PostgreSQL + Redis, two daphne processes",
    )
    parser.add_argument("--no-baseline", action="store_true")
    parser.add_argument("--no-pages", action="store_true")
    parser.add_argument(
        "--profile",
        action="store_true",
        help="profile Atelier's daphne with pyinstrument",
    )
    parser.add_argument(
        "--settings",
        default="workshop_site.settings.dev",
        help="Django settings of Atelier's server (DEBUG is off whichever)",
    )
    parser.add_argument(
        "--out", default=str(ROOT / "bench" / "results" / "latest.json")
    )
    parser.add_argument(
        "--keep",
        action="store_true",
        help="keep the temporary directory (logs, database)",
    )
    args = parser.parse_args(argv)
    # A stopped run still stops its daphne processes and load workers (the `finally` blocks).
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    rates = [int(r) for r in args.rates.split(",")]
    global JOIN_CONCURRENCY, JOIN_TIMEOUT
    JOIN_CONCURRENCY, JOIN_TIMEOUT = args.join_concurrency, args.join_timeout
    rng = random.Random(2016)
    started = time.monotonic()

    workdir = Path(tempfile.mkdtemp(prefix="atelier-bench-"))
    env = {
        **os.environ,
        "ATELIER_VAR_DIR": str(workdir),
        "DJANGO_SETTINGS_MODULE": args.settings,
        "DJANGO_DEBUG": "0",
        "PYTHONUNBUFFERED": "1",
    }
    for name in ("DATABASE_URL", "REDIS_URL", "CHANNELS_PREFIX"):
        env.pop(name, None)
    database = None
    if args.scaleout:
        database = f"atelier_bench_{os.getpid()}"
        # BENCH_REDIS: a database nobody flushes (test runs on a shared Redis may FLUSHDB theirs).
        pg = os.environ.get("BENCH_PG", "postgres://postgres@127.0.0.1:5432")
        subprocess.run(
            ["createdb", "-h", "127.0.0.1", "-U", "postgres", database], check=True
        )
        env.update(
            DATABASE_URL=f"{pg}/{database}",
            REDIS_URL=os.environ.get("BENCH_REDIS", "redis://127.0.0.1:6379/1"),
            CHANNELS_PREFIX=f"bench{os.getpid()}",
        )
    report = {
        "machine": machine(),
        "scaleout": args.scaleout,
        "settings": args.settings,
        "join_concurrency": args.join_concurrency,
        "workers": args.workers,
        "runs": [],
        "pages": None,
    }
    try:
        info = prepare(env, args.scaleout, workdir)
        if not args.no_pages:
            log("timing the pages (server time, Django test client, DEBUG off)")
            timed = subprocess.run(
                [PYTHON, "-m", "bench.pages", json.dumps(info)],
                cwd=ROOT,
                env=env,
                check=True,
                capture_output=True,
                text=True,
            )
            report["pages"] = json.loads(timed.stdout.strip().splitlines()[-1])
        count = 2 if args.scaleout else 1
        targets = [("atelier", "workshop_site.asgi:application")]
        # The bare baseline keeps its counts in its process's memory: one process only, so it
        # runs in the embedded pass (the scale-out pass reports Atelier's capacity alone).
        if not args.no_baseline and not args.scaleout:
            targets.append(("baseline", "bench.baseline:application"))
        poll = args.room if args.poll is None else args.poll
        for scenario, clients in (
            ("room", args.room),
            ("poll", poll),
            ("sweep", args.sweep),
        ):
            if not clients:
                continue
            if scenario == "poll":
                # The room scenario is done with the room's brainstorm: the facilitator moves
                # the room to its poll (the baseline's room simply has one).
                log("the facilitator moves the room to its poll")
                subprocess.run(
                    [PYTHON, "-m", "bench.setup_data", "--room-on-poll"],
                    cwd=ROOT,
                    env=env,
                    check=True,
                    capture_output=True,
                )
            for kind, app in targets:
                servers = [
                    Server(
                        app,
                        env,
                        workdir,
                        f"{kind}-{scenario}",
                        profile=args.profile and kind == "atelier",
                    )
                    for _ in range(count)
                ]
                try:
                    if scenario in ("room", "poll"):
                        run = run_room(
                            kind,
                            servers,
                            info["room"],
                            clients,
                            args.workers,
                            rng,
                            scenario=scenario,
                        )
                    else:
                        run = run_sweep(
                            kind,
                            servers,
                            info["sweep"],
                            clients,
                            args.workers,
                            rng,
                            rates,
                            args.step_seconds,
                        )
                except (
                    RuntimeError
                ) as exc:  # e.g. the phones could not all join in time
                    log(f"{kind} {scenario} failed: {exc}")
                    run = {
                        "scenario": scenario,
                        "target": kind,
                        "clients": clients,
                        "servers": count,
                        "failed": str(exc),
                        "lost": None,
                        "double_counted": None,
                        "duplicated": None,
                    }
                finally:
                    for server in servers:
                        server.stop()
                report["runs"].append(run)
                time.sleep(2)
    finally:
        if database:
            # The run's own keys in the shared Redis (channel layer and cache), by its prefix.
            import redis

            client = redis.Redis.from_url(env["REDIS_URL"])
            for key in client.scan_iter(f"{env['CHANNELS_PREFIX']}*"):
                client.delete(key)
            subprocess.run(
                [
                    "dropdb",
                    "-h",
                    "127.0.0.1",
                    "-U",
                    "postgres",
                    "--if-exists",
                    database,
                ],
                check=False,
            )
        if args.keep or args.profile:
            log(f"kept {workdir}")
        else:
            shutil.rmtree(workdir, ignore_errors=True)
    report["summary"] = summarise(report)
    report["wall_time_s"] = round(time.monotonic() - started, 1)
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    Path(args.out).write_text(json.dumps(report, indent=2, default=str) + "\n")
    print_table(report)
    log(f"wrote {args.out} in {report['wall_time_s']} s")
    return 0


def summarise(report: dict) -> list[dict]:
    """The issue's headline fields, one row per scenario (Atelier, with the baseline beside it).
    The poll row's "votes" are the poll's answers; its memory and joining figures are its own."""
    runs = {(r["scenario"], r["target"]): r for r in report["runs"]}
    rows = []
    for scenario in ("room", "poll", "sweep"):
        mine, bare = runs.get((scenario, "atelier")), runs.get((scenario, "baseline"))
        if mine is None:
            continue
        sweep_mine = runs.get(("sweep", "atelier"), {})
        sweep_bare = runs.get(("sweep", "baseline"), {})
        capacity = sweep_mine.get("capacity_votes_per_s")
        bare_capacity = sweep_bare.get("capacity_votes_per_s")
        room = mine if scenario == "poll" else runs.get(("room", "atelier"), {})
        rows.append(
            {
                "scenario": scenario,
                "message": mine.get("message", "vote.cast"),
                "clients": mine["clients"],
                "servers": mine["servers"],
                "capacity_votes_per_s": capacity,
                "baseline_capacity_votes_per_s": bare_capacity,
                "capacity_ratio": round(capacity / bare_capacity, 2)
                if capacity is not None and bare_capacity
                else None,
                "ack_p95_ms": mine.get("ack_p95_ms"),
                "delivery_p99_ms": mine.get("delivery_p99_ms"),
                "delivery_last_p99_ms": mine.get("delivery_last_p99_ms"),
                "converged_within_s": mine.get("converged_within_s"),
                "lost": mine["lost"],
                "double_counted": mine["double_counted"],
                "duplicated": mine["duplicated"],
                "rss_per_connection_kb": room.get("rss_per_connection_kb"),
                "joined_and_connected_s": room.get("joined_and_connected_s"),
                "baseline": {
                    k: bare.get(k)
                    for k in (
                        "ack_p95_ms",
                        "delivery_p99_ms",
                        "delivery_last_p99_ms",
                        "rss_per_connection_kb",
                        "capacity_votes_per_s",
                    )
                }
                if bare
                else None,
            }
        )
    return rows


def print_table(report: dict) -> None:
    print()
    print(
        "scenario  target    clients  ack p95  deliv p99  last p99  converged  lost  dbl  dup  KB/conn  join+conn"
        "  cpu ms/msg  capacity"
    )
    # A poll's "votes" are its answers: `cpu ms/msg` is the server's CPU per vote or answer.
    for run in report["runs"]:
        print(
            f"{run['scenario']:<9} {run['target']:<9} {run['clients']:>7}  "
            f"{str(run.get('ack_p95_ms', '')):>7}  {str(run.get('delivery_p99_ms', '')):>9}  "
            f"{str(run.get('delivery_last_p99_ms', '')):>8}  {str(run.get('converged_within_s', '')):>9}  "
            f"{str(run['lost']):>4}  {str(run['double_counted']):>3}  {str(run['duplicated']):>3}  "
            f"{str(run.get('rss_per_connection_kb', '')):>7}  {str(run.get('joined_and_connected_s', '')):>9}  "
            f"{str(run.get('server_cpu_ms_per_vote', '')):>10}  "
            f"{str(run.get('capacity_votes_per_s', '')):>8}  {run.get('failed', '')}"
        )
    for row in report["summary"]:
        if row["scenario"] == "sweep" and row["capacity_ratio"] is not None:
            print(
                f"capacity at {row['clients']}: "
                f"Atelier {row['capacity_votes_per_s']} votes/s, baseline {row['baseline_capacity_votes_per_s']} "
                f"votes/s, ratio {row['capacity_ratio']}"
            )
            break
    if report["pages"]:
        print()
        print("page          queries  median ms  p95 ms")
        for name, page in report["pages"].items():
            print(
                f"{name:<13} {page['queries']:>7}  {page['median_ms']:>9}  {page['p95_ms']:>6}"
            )
    print(f"\nmachine: {report['machine']}")


if __name__ == "__main__":
    sys.exit(main())

"""CPU per step of the live path, in process, with no server and no network: what one join
(the join page and the join API call, through Django's middleware: `join_ms`), one vote, one
poll answer (a changed one, `answer_ms`; a first one, `first_answer_ms`), one socket connect and
one tally frame cost the server's single database thread.

    python -m bench.vote_cost                 # SQLite, as `make run`
    python -m bench.vote_cost --scaleout      # PostgreSQL (createdb must work)

Thread CPU time (`time.thread_time`), so the figure holds on a busy machine too, where the
room's latencies do not: the sync thread's CPU per vote bounds the votes per second one daphne
process can take (bench/RESULTS.md). Each step is run `--repeat` times after a warm-up; the
median of five batches is reported.
"""

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def batches(step, repeat: int, rounds: int = 5) -> float:
    """Median over `rounds` batches of the thread CPU per call, in ms."""
    step()
    per_call = []
    for _ in range(rounds):
        started = time.thread_time()
        for _ in range(repeat):
            step()
        per_call.append((time.thread_time() - started) / repeat * 1000)
    return statistics.median(per_call)


def measure(repeat: int) -> dict:
    import django

    django.setup()
    from django.contrib.auth.models import AnonymousUser
    from django.contrib.sessions.backends.db import SessionStore

    from ideas import realtime, selectors, services
    from ideas.models import Participant
    from ideas.sessions import participant_id_for, remember_participant
    from workshop_site.workshops.models import WorkshopPage

    realtime.tallies_changed = lambda workshop_id: None  # no server loop here: measure the write only
    room = WorkshopPage.objects.get(join_code="BENCHS")
    ideas = list(room.ideas.values_list("pk", flat=True))
    people = [
        services.participant_join(workshop=room, display_name=f"P{n}", role="citizen") for n in range(50)
    ]
    Participant.objects.filter(workshop=room).update(dots_left=30000)
    counter = iter(range(10**9))

    def vote():
        n = next(counter)
        person = people[n % len(people)]
        message = {"type": "vote.cast", "idea": ideas[n % len(ideas)], "ref": f"v{n}"}
        services.write_once(
            participant_id=person.pk, ref=message["ref"], message=message,
            perform=lambda: {"idea": message["idea"],
                             "dots_left": services.vote_cast(participant_id=person.pk, idea_id=message["idea"])},
        )

    # A poll open beside the board (not the room's current activity, so the board keeps voting):
    # an answer is the run of show's hottest write, and must cost no more than a vote.
    from ideas.kinds.poll import poll_answer
    from ideas.models import Activity, PollOption

    poll = Activity(workshop=room, kind="poll", title="Din ce raion veniți?", phase="open", position=1)
    poll.options = [PollOption(text=text) for text in ("Dubăsari", "Călărași", "Rezina", "alt raion")]
    poll.save()
    options = list(poll.options.values_list("pk", flat=True))

    def answer(person_id=None, poll=poll, options=options):
        # By default one of 50 people changing their answer; `first_answer` below: a person
        # answering for the first time (the poll scenario's case).
        n = next(counter)
        person_id = person_id or people[n % len(people)].pk
        message = {"type": "poll.answer", "activity": poll.pk, "options": [options[n % len(options)]], "ref": f"a{n}"}
        services.write_once(
            participant_id=person_id, ref=message["ref"], message=message,
            perform=lambda: {"activity": poll.pk, "options": poll_answer(
                participant_id=person_id, activity_id=poll.pk, option_ids=message["options"])},
        )

    # First answers: one newcomer per answer measured, in the room workshop, whose poll waits
    # open (bench/setup_data.py), so that the tally frame measured below reads the same room.
    benchr = WorkshopPage.objects.get(join_code="BENCHR")
    first_poll = Activity.objects.get(workshop=benchr, kind="poll")
    first_options = list(first_poll.options.values_list("pk", flat=True))
    newcomers = iter(Participant.objects.bulk_create(
        Participant(workshop=benchr, display_name=f"N{n}", role="citizen", dots_left=3) for n in range(5 * repeat + 1)
    ))

    def first_answer():
        answer(next(newcomers).pk, first_poll, first_options)

    session = SessionStore()
    remember_participant(session, people[0])
    session.create()

    def connect():
        # What a phone's socket connect reads: the room, the facilitator check, who this
        # browser joined as, and the snapshot.
        workshop = WorkshopPage.find_by_code("BENCHS")
        AnonymousUser().has_perm("ideas.run_workshop", workshop)
        participant_id = participant_id_for(SessionStore(session.session_key), workshop.pk)
        selectors.snapshot(workshop, participant_id=participant_id, sees_tallies=False)

    from django.test import Client

    phone = Client(enforce_csrf_checks=True, HTTP_HOST="localhost")  # one handler, as one daphne has

    def join():
        # A phone joining through Django's whole request path, middleware included: the join
        # page (for its CSRF cookie), then `POST /api/workshops/<code>/participants`, as
        # bench/loadgen.py's phones do before they open their socket. Each a new browser.
        phone.cookies.clear()
        assert phone.get("/w/BENCHR/").status_code == 200
        joined = phone.post("/api/workshops/BENCHR/participants", {"display_name": "Ana", "role": "citizen"},
                            content_type="application/json", HTTP_X_CSRFTOKEN=phone.cookies["csrftoken"].value)
        assert joined.status_code == 201, joined.content[:300]

    return {
        "join_ms": round(batches(join, max(repeat // 3, 10)), 3),
        "vote_ms": round(batches(vote, repeat), 3),
        "answer_ms": round(batches(answer, repeat), 3),
        "first_answer_ms": round(batches(first_answer, repeat), 3),
        "connect_ms": round(batches(connect, max(repeat // 3, 10)), 3),
        "tally_frame_ms": round(batches(lambda: realtime._tally_message(room.pk), max(repeat // 3, 10)), 3),
    }


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--scaleout", action="store_true", help="PostgreSQL instead of SQLite")
    parser.add_argument("--repeat", type=int, default=300)
    parser.add_argument("--measure", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.measure:
        print(json.dumps(measure(args.repeat)))
        return 0
    from .run import prepare

    workdir = Path(tempfile.mkdtemp(prefix="atelier-vote-cost-"))
    env = {**os.environ, "ATELIER_VAR_DIR": str(workdir), "DJANGO_SETTINGS_MODULE": "workshop_site.settings.dev",
           "DJANGO_DEBUG": "0"}
    for name in ("DATABASE_URL", "REDIS_URL", "CHANNELS_PREFIX"):
        env.pop(name, None)
    database = None
    if args.scaleout:
        database = f"atelier_vote_cost_{os.getpid()}"
        subprocess.run(["createdb", "-h", "127.0.0.1", "-U", "postgres", database], check=True)
        env["DATABASE_URL"] = f"{os.environ.get('BENCH_PG', 'postgres://postgres@127.0.0.1:5432')}/{database}"
    try:
        prepare(env, args.scaleout, workdir)
        out = subprocess.run([sys.executable, "-m", "bench.vote_cost", "--measure", "--repeat", str(args.repeat)],
                             cwd=ROOT, env=env, check=False, capture_output=True, text=True)
        if out.returncode:
            sys.exit(out.stderr)
        figures = json.loads(out.stdout.strip().splitlines()[-1])
    finally:
        shutil.rmtree(workdir, ignore_errors=True)  # its SQLite file and media, as bench/run.py does
        if database:
            subprocess.run(["dropdb", "-h", "127.0.0.1", "-U", "postgres", "--if-exists", database], check=False)
    figures["database"] = "postgresql" if args.scaleout else "sqlite"
    print(json.dumps(figures))
    return 0


if __name__ == "__main__":
    sys.exit(main())

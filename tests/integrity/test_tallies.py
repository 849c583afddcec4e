"""Tallies always equal the stored votes, whatever mix of casts, retracts, hides, merges and
phase changes happens, one after another or racing (Hypothesis).

What is checked is what clients see: `ideas.selectors.tallies` (the room's `tally` frames) and
`GET /api/workshops/<code>/results`, against COUNT(votes) in the database and against a plain
Python model of the room; and for every participant dots_left + their votes == the budget,
never negative.
"""

import itertools
import threading

import pytest
from django.db import connection
from django.db.models import Count
from django.test import Client
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    Bundle,
    RuleBasedStateMachine,
    invariant,
    rule,
    run_state_machine_as_test,
)

from ideas import services
from ideas.errors import NoDotsLeft, PhaseClosed
from ideas.models import Idea, Participant, Vote
from ideas.selectors import tallies
from tests.factories import WorkshopPageFactory
from workshop_site.core.errors import DomainError, NotFound

BUDGET = 3
PHASES = ["ideas", "voting", "results", "voting", "closed", "draft"]
codes = (f"HY{n:04d}" for n in itertools.count(1))


def new_workshop(tree):
    return WorkshopPageFactory(parent=tree["workshop_index"], join_code=next(codes), phase="ideas",
                               dots_per_participant=BUDGET)


def check_integrity(workshop) -> None:
    """The invariants every client relies on, read the way clients read them."""
    counted = dict(
        Idea.objects.filter(workshop=workshop, hidden=False).annotate(n=Count("votes")).values_list("pk", "n")
    )
    assert tallies(workshop.pk) == {str(pk): n for pk, n in counted.items()}
    # Every stored dot is on a visible idea: nothing is spent on a hidden or merged one.
    assert Vote.objects.filter(idea__workshop=workshop).count() == sum(counted.values())
    assert not Vote.objects.filter(idea__workshop=workshop, idea__hidden=True).exists()
    for participant in Participant.objects.filter(workshop=workshop).annotate(n=Count("votes")):
        assert participant.dots_left >= 0
        assert participant.dots_left + participant.n == BUDGET, participant
    results = Client().get(f"/api/workshops/{workshop.join_code}/results")
    assert results.status_code == 200, results.content
    assert {str(row["id"]): row["votes"] for row in results.json()["ideas"]} == tallies(workshop.pk)


# --- one step at a time: a state machine over the real services ---------------------------------


class Room(RuleBasedStateMachine):
    """A facilitator and three participants; the model says what each step must do."""

    ideas = Bundle("ideas")

    def __init__(self):
        super().__init__()
        self.workshop = new_workshop(Room.tree)
        self.facilitator = Room.facilitator
        self.people = [services.participant_join(workshop=self.workshop, display_name=f"P{n}", role="citizen").pk
                       for n in range(3)]
        self.phase = "ideas"
        self.votes: dict[tuple[int, int], int] = {}  # (participant, idea) → dots
        self.hidden: set[int] = set()

    def dots_left(self, person: int) -> int:
        return BUDGET - sum(n for (p, _i), n in self.votes.items() if p == person)

    @rule(target=ideas, author=st.integers(0, 2), text=st.sampled_from(["Scaner", "Registre electronice", "Mașină cu 9 locuri"]))
    def post(self, author, text):
        self.set_phase("ideas")
        idea = services.idea_create(participant_id=self.people[author], text=text)
        return idea.pk

    @rule(phase=st.sampled_from(PHASES))
    def set_phase(self, phase):
        services.phase_set(user=self.facilitator, workshop_id=self.workshop.pk, phase=phase)
        self.phase = phase

    @rule(person=st.integers(0, 2), idea=ideas)
    def cast(self, person, idea):
        who = self.people[person]
        expected = (PhaseClosed if self.phase != "voting" else NotFound if idea in self.hidden
                    else NoDotsLeft if self.dots_left(who) == 0 else None)
        try:
            left = services.vote_cast(participant_id=who, idea_id=idea)
        except DomainError as exc:
            assert type(exc) is expected, (exc, expected)
            return
        assert expected is None
        self.votes[who, idea] = self.votes.get((who, idea), 0) + 1
        assert left == self.dots_left(who)

    @rule(person=st.integers(0, 2), idea=ideas)
    def retract(self, person, idea):
        who = self.people[person]
        expected = (PhaseClosed if self.phase != "voting" else NotFound
                    if idea in self.hidden or not self.votes.get((who, idea)) else None)
        try:
            left = services.vote_retract(participant_id=who, idea_id=idea)
        except DomainError as exc:
            assert type(exc) is expected, (exc, expected)
            return
        assert expected is None
        self.votes[who, idea] -= 1
        assert left == self.dots_left(who)

    @rule(idea=ideas)
    def hide(self, idea):
        services.idea_hide(user=self.facilitator, idea_id=idea)
        self.hidden.add(idea)
        for key in [k for k in self.votes if k[1] == idea]:
            del self.votes[key]  # refunded

    @rule(keep=ideas, duplicate=ideas)
    def merge(self, keep, duplicate):
        try:
            services.idea_merge(user=self.facilitator, keep_id=keep, duplicate_id=duplicate)
        except DomainError:
            assert keep == duplicate or {keep, duplicate} & self.hidden
            return
        self.hidden.add(duplicate)
        for (who, idea), n in list(self.votes.items()):
            if idea == duplicate:
                del self.votes[who, idea]
                self.votes[who, keep] = self.votes.get((who, keep), 0) + n

    @invariant()
    def tallies_match_the_model_and_the_database(self):
        expected: dict[str, int] = {}
        for pk in Idea.objects.filter(workshop=self.workshop, hidden=False).values_list("pk", flat=True):
            expected[str(pk)] = sum(n for (_p, i), n in self.votes.items() if i == pk)
        assert tallies(self.workshop.pk) == expected
        check_integrity(self.workshop)


@pytest.mark.django_db
def test_tallies_follow_every_sequence_of_room_actions(tree, facilitator):
    Room.tree, Room.facilitator = tree, facilitator
    run_state_machine_as_test(
        Room, settings=settings(max_examples=25, stateful_step_count=25, deadline=None,
                                suppress_health_check=[HealthCheck.too_slow]),
    )


# --- racing: several threads, each with its own database connection ------------------------------

participant_step = st.tuples(st.sampled_from(["cast", "retract"]), st.integers(0, 3))
facilitator_step = st.one_of(
    st.tuples(st.just("phase"), st.sampled_from(["voting", "results", "voting", "ideas"])),
    st.tuples(st.just("hide"), st.integers(0, 3)),
    st.tuples(st.just("merge"), st.tuples(st.integers(0, 3), st.integers(0, 3))),
)


@pytest.mark.django_db(transaction=True)
@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                 HealthCheck.too_slow])
@given(
    participant_scripts=st.lists(st.lists(participant_step, min_size=2, max_size=8), min_size=3, max_size=3),
    facilitator_script=st.lists(facilitator_step, min_size=1, max_size=4),
)
def test_tallies_hold_when_votes_and_moderation_race(tree, facilitator, participant_scripts, facilitator_script):
    workshop = new_workshop(tree)
    people = [services.participant_join(workshop=workshop, display_name=f"P{n}", role="citizen").pk for n in range(3)]
    idea_ids = [services.idea_create(participant_id=people[n % 3], text=f"Idee {n}").pk for n in range(4)]
    services.phase_set(user=facilitator, workshop_id=workshop.pk, phase="voting")

    def act(kind, arg, who):
        if kind == "cast":
            services.vote_cast(participant_id=who, idea_id=idea_ids[arg])
        elif kind == "retract":
            services.vote_retract(participant_id=who, idea_id=idea_ids[arg])
        elif kind == "phase":
            services.phase_set(user=facilitator, workshop_id=workshop.pk, phase=arg)
        elif kind == "hide":
            services.idea_hide(user=facilitator, idea_id=idea_ids[arg])
        else:
            services.idea_merge(user=facilitator, keep_id=idea_ids[arg[0]], duplicate_id=idea_ids[arg[1]])

    scripts = [(script, who) for script, who in zip(participant_scripts, people, strict=True)]
    scripts.append((facilitator_script, None))
    barrier = threading.Barrier(len(scripts))
    failures: list[BaseException] = []

    def run(script, who):
        try:
            barrier.wait(timeout=10)
            for kind, arg in script:
                try:
                    act(kind, arg, who)
                except DomainError:
                    pass  # a refusal (no dots, hidden idea, phase) is a normal answer
        except BaseException as exc:  # noqa: BLE001 - "database is locked", deadlocks…: the test fails
            failures.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=script) for script in scripts]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not failures, failures
    check_integrity(workshop)


"""Several brainstorms in one run of show (issue #17, DESIGN.md "Run of show"): each has its own
dots per person, cap per idea and blind mode; an `idea.post` or `vote.cast` without `activity`
goes to the room's brainstorm (the current one, or the most recent); the snapshot shows that
brainstorm's ideas and budget; moderation gives dots back to the budget they came from."""

import pytest
from django.test import Client

from ideas import selectors, services
from ideas.errors import NoDotsLeft, PhaseClosed
from ideas.models import Activity, DotBudget, Idea, Vote
from workshop_site.core.errors import Invalid, NotFound

from .conftest import set_phase
from .factories import IdeaFactory, ParticipantFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def show(workshop):
    """A problem brainstorm (2 dots, blind), a poll, then a solution brainstorm (3 dots, at
    most 1 per idea); the room on the problems, collecting ideas."""
    problems = Activity.objects.create(workshop=workshop, position=1, kind="brainstorm", title="Probleme",
                                       dots_per_participant=2, blind=True, is_current=True, phase="ideas")
    poll = Activity(workshop=workshop, position=2, kind="poll", title="Din ce raion veniți?", phase="open")
    from ideas.models import PollOption

    poll.options = [PollOption(text="Rezina"), PollOption(text="Călărași")]
    poll.save()
    solutions = Activity.objects.create(workshop=workshop, position=3, kind="brainstorm", title="Soluții",
                                        dots_per_participant=3, max_dots_per_idea=1, phase="ideas")
    set_phase(workshop, "ideas")
    return {"problems": problems, "poll": poll, "solutions": solutions}


def move(facilitator, workshop, activity, phase=None):
    services.activity_set(user=facilitator, workshop_id=workshop.pk, activity_id=activity.pk)
    if phase is not None:
        services.phase_set(user=facilitator, workshop_id=workshop.pk, phase=phase)
    workshop.refresh_from_db()


def snapshot(workshop, participant):
    workshop.refresh_from_db()
    return selectors.snapshot(workshop, participant_id=participant.pk, sees_tallies=False)


def test_an_idea_goes_to_the_current_brainstorm_then_to_the_most_recent(workshop, show, participant, facilitator):
    problem = services.idea_create(participant_id=participant.pk, text="Cozi lungi")
    assert problem.activity_id == show["problems"].pk
    move(facilitator, workshop, show["solutions"], "ideas")
    solution = services.idea_create(participant_id=participant.pk, text="Programare online")
    assert solution.activity_id == show["solutions"].pk
    # On the poll, which comes before the solutions in the run of show, the room's brainstorm
    # is the one before it: the problems, still in the `ideas` phase the room left them in.
    move(facilitator, workshop, show["poll"])
    assert selectors.board(workshop.pk).activity_id == show["problems"].pk
    late = services.idea_create(participant_id=participant.pk, text="Lipsa actelor")
    assert late.activity_id == show["problems"].pk
    # Naming a brainstorm posts there; naming anything else is no brainstorm of this room.
    named = services.idea_create(participant_id=participant.pk, text="Chioșc", activity=show["solutions"].pk)
    assert named.activity_id == show["solutions"].pk
    for wrong in (show["poll"].pk, 999_999):
        with pytest.raises(NotFound):
            services.idea_create(participant_id=participant.pk, text="Nimic", activity=wrong)
    with pytest.raises(Invalid):
        services.idea_create(participant_id=participant.pk, text="Nimic", activity="multe")
    assert Idea.objects.filter(text="Nimic").count() == 0


def test_each_brainstorm_spends_its_own_budget_with_its_own_cap(workshop, show, participant, facilitator):
    problems = [IdeaFactory(workshop=workshop, activity=show["problems"], text=f"P{n}") for n in range(2)]
    solutions = [IdeaFactory(workshop=workshop, activity=show["solutions"], text=f"S{n}") for n in range(3)]
    move(facilitator, workshop, show["problems"], "voting")
    assert services.vote_cast(participant_id=participant.pk, idea_id=problems[0].pk) == 1
    assert services.vote_cast(participant_id=participant.pk, idea_id=problems[0].pk) == 0  # no cap here
    with pytest.raises(NoDotsLeft):
        services.vote_cast(participant_id=participant.pk, idea_id=problems[1].pk)
    # The solutions do not vote yet.
    with pytest.raises(PhaseClosed):
        services.vote_cast(participant_id=participant.pk, idea_id=solutions[0].pk)
    move(facilitator, workshop, show["solutions"], "voting")
    state = snapshot(workshop, participant)
    assert (state["workshop"]["dots_per_participant"], state["workshop"]["max_dots_per_idea"]) == (3, 1)
    assert state["me"]["dots_left"] == 3  # nothing spent here yet: the problems' dots are theirs
    assert services.vote_cast(participant_id=participant.pk, idea_id=solutions[0].pk) == 2
    with pytest.raises(Invalid):  # at most one dot per idea, and the refused dot is not spent
        services.vote_cast(participant_id=participant.pk, idea_id=solutions[0].pk)
    assert services.vote_cast(participant_id=participant.pk, idea_id=solutions[1].pk, activity=show["solutions"].pk) == 1
    # A dot names the brainstorm of its idea, or none.
    with pytest.raises(NotFound):
        services.vote_cast(participant_id=participant.pk, idea_id=solutions[2].pk, activity=show["problems"].pk)
    assert services.vote_retract(participant_id=participant.pk, idea_id=solutions[0].pk) == 2
    assert dict(DotBudget.objects.filter(participant=participant).values_list("activity_id", "dots_left")) == {
        show["problems"].pk: 0, show["solutions"].pk: 2}
    assert snapshot(workshop, participant)["me"]["dots_left"] == 2


def test_the_snapshot_shows_the_rooms_brainstorm_its_ideas_and_its_blind_mode(workshop, show, participant, facilitator):
    problem = IdeaFactory(workshop=workshop, activity=show["problems"], text="Cozi lungi")
    solution = IdeaFactory(workshop=workshop, activity=show["solutions"], text="Programare online")
    voter = ParticipantFactory(workshop=workshop)
    move(facilitator, workshop, show["problems"], "voting")
    services.vote_cast(participant_id=voter.pk, idea_id=problem.pk)
    state = snapshot(workshop, participant)
    assert [idea["text"] for idea in state["ideas"]] == ["Cozi lungi"]
    assert state["workshop"]["blind_voting"] is True and state["ideas"][0]["votes"] is None  # blind: no dots yet
    assert state["workshop"]["dots_per_participant"] == 2
    move(facilitator, workshop, show["solutions"], "voting")
    state = snapshot(workshop, participant)
    assert [idea["text"] for idea in state["ideas"]] == ["Programare online"]
    assert state["workshop"]["blind_voting"] is False and state["ideas"][0]["votes"] == 0
    assert solution.pk != problem.pk


def test_hiding_an_idea_gives_its_dots_back_to_its_own_brainstorm(workshop, show, participant, facilitator):
    problem = IdeaFactory(workshop=workshop, activity=show["problems"], text="Cozi lungi")
    solution = IdeaFactory(workshop=workshop, activity=show["solutions"], text="Programare online")
    move(facilitator, workshop, show["problems"], "voting")
    services.vote_cast(participant_id=participant.pk, idea_id=problem.pk)
    move(facilitator, workshop, show["solutions"], "voting")
    services.vote_cast(participant_id=participant.pk, idea_id=solution.pk)
    services.idea_hide(user=facilitator, idea_id=problem.pk)
    assert dict(DotBudget.objects.filter(participant=participant).values_list("activity_id", "dots_left")) == {
        show["problems"].pk: 2, show["solutions"].pk: 2}
    assert participant.__class__.objects.get(pk=participant.pk).dots_left == 3  # the page's board is untouched


def test_ideas_of_two_brainstorms_are_not_merged(workshop, show, facilitator):
    problem = IdeaFactory(workshop=workshop, activity=show["problems"], text="Cozi lungi")
    solution = IdeaFactory(workshop=workshop, activity=show["solutions"], text="Programare online")
    with pytest.raises(Invalid):
        services.idea_merge(user=facilitator, keep_id=problem.pk, duplicate_id=solution.pk)
    assert not Idea.objects.filter(hidden=True).exists()


def test_the_results_rank_each_brainstorm_apart(workshop, show, participant, facilitator):
    problems = [IdeaFactory(workshop=workshop, activity=show["problems"], text=f"P{n}") for n in range(2)]
    for n in range(2):
        IdeaFactory(workshop=workshop, activity=show["solutions"], text=f"S{n}")
    move(facilitator, workshop, show["problems"], "voting")
    services.vote_cast(participant_id=participant.pk, idea_id=problems[1].pk)
    move(facilitator, workshop, show["solutions"], "results")
    Activity.objects.filter(pk=show["problems"].pk).update(phase="results")
    answer = Client().get("/api/workshops/LIVE23/results").json()
    by_id = {activity["id"]: activity for activity in answer["activities"]}
    assert [idea["text"] for idea in by_id[show["problems"].pk]["results"]["ideas"]] == ["P1", "P0"]
    assert [idea["text"] for idea in by_id[show["solutions"].pk]["results"]["ideas"]] == ["S0", "S1"]
    assert {idea["text"]: idea["activity"] for idea in answer["ideas"]} == {
        "P0": show["problems"].pk, "P1": show["problems"].pk, "S0": show["solutions"].pk, "S1": show["solutions"].pk}


def test_a_board_that_gets_its_first_brainstorm_hands_it_its_ideas_and_the_dots_placed(workshop, participant):
    """A workshop run as a board (no brainstorm yet) whose facilitator then adds one: the
    board's ideas are the brainstorm's, and dots already placed count against its budget."""
    ideas = [IdeaFactory(workshop=workshop, text=f"Idee {n}") for n in range(2)]
    set_phase(workshop, "voting")
    services.vote_cast(participant_id=participant.pk, idea_id=ideas[0].pk)
    brainstorm = Activity.objects.create(workshop=workshop, position=1, kind="brainstorm", title="Probleme",
                                         dots_per_participant=2)
    assert services.brainstorm_adopts_board(brainstorm) == 2
    assert set(Idea.objects.values_list("activity_id", flat=True)) == {brainstorm.pk}
    assert DotBudget.objects.get(participant=participant).dots_left == 1
    assert services.vote_cast(participant_id=participant.pk, idea_id=ideas[1].pk) == 0
    assert Vote.objects.count() == 2
    second = Activity.objects.create(workshop=workshop, position=2, kind="brainstorm", title="Soluții")
    assert services.brainstorm_adopts_board(second) == 0  # only the first brainstorm takes the board

"""The rules of the live room, tested directly on the service functions."""

import pytest
from django.contrib.auth.models import AnonymousUser

from ideas import services
from ideas.errors import NoDotsLeft, NotJoined, PhaseClosed
from ideas.models import Idea, Participant, Vote
from ideas.selectors import results, snapshot, tallies
from workshop_site.core.errors import Forbidden, Invalid, NotFound

from .conftest import set_phase
from .factories import IdeaFactory, ParticipantFactory

pytestmark = pytest.mark.django_db(transaction=True)


def test_join_gives_the_workshops_dots(workshop):
    p = services.participant_join(workshop=workshop, display_name="  Maria  ", role="citizen")
    assert (p.display_name, p.role, p.dots_left) == ("Maria", "citizen", 3)


@pytest.mark.parametrize(
    ("name", "role", "error"),
    [("", "citizen", Invalid), ("x" * 61, "citizen", Invalid), ("Ion", "mayor", Invalid), (None, "citizen", Invalid),
     ("\u0000\u0007", "citizen", Invalid)],
)
def test_join_refuses_bad_input_and_creates_nobody(workshop, name, role, error):
    with pytest.raises(error):
        services.participant_join(workshop=workshop, display_name=name, role=role)
    assert not Participant.objects.exists()


def test_join_is_refused_once_the_workshop_is_closed(workshop):
    set_phase(workshop, "closed")
    with pytest.raises(PhaseClosed):
        services.participant_join(workshop=workshop, display_name="Ion", role="citizen")


def test_idea_only_in_phase_ideas(workshop, participant):
    idea = services.idea_create(participant_id=participant.pk, text=" Scaner în mașină ", tags=["Echipa mobilă", "online"])
    assert idea.text == "Scaner în mașină"
    assert sorted(idea.tags.names()) == ["echipa mobilă", "online"]
    assert idea.author_role == "citizen"
    set_phase(workshop, "voting")
    with pytest.raises(PhaseClosed):
        services.idea_create(participant_id=participant.pk, text="Prea târziu")
    assert Idea.objects.count() == 1


@pytest.mark.parametrize(
    ("text", "tags"),
    [("", None), ("   ", None), ("x" * 501, None), (42, None), ("ok", "not-a-list"), ("ok", ["a"] * 1 + ["b", "c", "d", "e", "f"]),
     ("ok", ["x" * 41]), ("ok", [None])],
)
def test_bad_ideas_are_refused_and_nothing_is_stored(participant, text, tags):
    with pytest.raises(Invalid):
        services.idea_create(participant_id=participant.pk, text=text, tags=tags)
    assert not Idea.objects.exists()


def test_an_unjoined_browser_cannot_post(workshop):
    with pytest.raises(NotJoined):
        services.idea_create(participant_id=None, text="Idee")
    with pytest.raises(NotJoined):
        services.idea_create(participant_id=999999, text="Idee")


def test_dot_budget_several_dots_on_one_idea_and_retract(workshop, participant, ideas):
    set_phase(workshop, "voting")
    assert services.vote_cast(participant_id=participant.pk, idea_id=ideas[0].pk) == 2
    assert services.vote_cast(participant_id=participant.pk, idea_id=ideas[0].pk) == 1
    assert services.vote_cast(participant_id=participant.pk, idea_id=str(ideas[1].pk)) == 0
    with pytest.raises(NoDotsLeft):
        services.vote_cast(participant_id=participant.pk, idea_id=ideas[2].pk)
    assert tallies(workshop.pk) == {str(ideas[0].pk): 2, str(ideas[1].pk): 1, str(ideas[2].pk): 0}
    assert services.vote_retract(participant_id=participant.pk, idea_id=ideas[0].pk) == 1
    with pytest.raises(NotFound):
        services.vote_retract(participant_id=participant.pk, idea_id=ideas[2].pk)
    assert Vote.objects.count() == 2
    assert Participant.objects.get(pk=participant.pk).dots_left == 1


def test_voting_outside_phase_voting_is_refused(workshop, participant, ideas):
    for phase in ("draft", "ideas", "results", "closed"):
        set_phase(workshop, phase)
        with pytest.raises(PhaseClosed):
            services.vote_cast(participant_id=participant.pk, idea_id=ideas[0].pk)
        with pytest.raises(PhaseClosed):
            services.vote_retract(participant_id=participant.pk, idea_id=ideas[0].pk)
    assert not Vote.objects.exists()


def test_cap_per_idea_is_enforced_and_rolls_the_dot_back(workshop, participant, ideas):
    type(workshop).objects.filter(pk=workshop.pk).update(max_dots_per_idea=1)
    set_phase(workshop, "voting")
    services.vote_cast(participant_id=participant.pk, idea_id=ideas[0].pk)
    with pytest.raises(Invalid) as refused:
        services.vote_cast(participant_id=participant.pk, idea_id=ideas[0].pk)
    assert "1" in refused.value.message
    assert Participant.objects.get(pk=participant.pk).dots_left == 2
    assert Vote.objects.count() == 1


@pytest.mark.parametrize("idea_id", [None, True, "abc", [], {"x": 1}, 10**12, 2**70, -(2**70)])
def test_vote_on_a_bad_or_missing_idea(workshop, participant, idea_id):
    set_phase(workshop, "voting")
    with pytest.raises((Invalid, NotFound)):
        services.vote_cast(participant_id=participant.pk, idea_id=idea_id)
    assert Participant.objects.get(pk=participant.pk).dots_left == 3


def test_a_vote_cannot_reach_another_workshops_idea(tree, workshop, participant):
    from tests.factories import WorkshopPageFactory

    other = WorkshopPageFactory(parent=tree["workshop_index"], phase="voting")
    foreign = IdeaFactory(workshop=other)
    set_phase(workshop, "voting")
    with pytest.raises(NotFound):
        services.vote_cast(participant_id=participant.pk, idea_id=foreign.pk)


def test_facilitator_actions_need_the_facilitator(workshop, ideas, facilitator, rezina_member):
    for user in (None, AnonymousUser(), rezina_member):
        with pytest.raises(Forbidden):
            services.phase_set(user=user, workshop_id=workshop.pk, phase="voting")
        with pytest.raises(Forbidden):
            services.idea_hide(user=user, idea_id=ideas[0].pk)
        with pytest.raises(Forbidden):
            services.timer_start(user=user, workshop_id=workshop.pk, seconds=60)
    assert services.phase_set(user=facilitator, workshop_id=workshop.pk, phase="voting") == "voting"
    workshop.refresh_from_db()
    assert workshop.phase == "voting"
    with pytest.raises(Invalid):
        services.phase_set(user=facilitator, workshop_id=workshop.pk, phase="party")


@pytest.mark.parametrize("seconds", [0, -5, 4 * 3600 + 1, "60", 1.5, True, None])
def test_timer_refuses_bad_durations(workshop, facilitator, seconds):
    with pytest.raises(Invalid):
        services.timer_start(user=facilitator, workshop_id=workshop.pk, seconds=seconds)
    workshop.refresh_from_db()
    assert workshop.timer_ends_at is None


def test_timer_start_and_stop(workshop, facilitator):
    ends_at = services.timer_start(user=facilitator, workshop_id=workshop.pk, seconds=300)
    workshop.refresh_from_db()
    assert workshop.timer_ends_at == ends_at
    services.timer_stop(user=facilitator, workshop_id=workshop.pk)
    workshop.refresh_from_db()
    assert workshop.timer_ends_at is None


def test_hiding_keeps_who_and_when_and_gives_the_dots_back(workshop, participant, ideas, facilitator):
    set_phase(workshop, "voting")
    services.vote_cast(participant_id=participant.pk, idea_id=ideas[0].pk)
    services.vote_cast(participant_id=participant.pk, idea_id=ideas[0].pk)
    services.idea_hide(user=facilitator, idea_id=ideas[0].pk)
    hidden = Idea.objects.get(pk=ideas[0].pk)
    assert hidden.hidden and hidden.hidden_by == facilitator and hidden.hidden_at is not None
    assert Participant.objects.get(pk=participant.pk).dots_left == 3
    assert str(ideas[0].pk) not in tallies(workshop.pk)
    with pytest.raises(NotFound):
        services.vote_cast(participant_id=participant.pk, idea_id=ideas[0].pk)


def test_merging_moves_the_votes_to_the_kept_idea(workshop, ideas, facilitator):
    set_phase(workshop, "voting")
    a, b = ParticipantFactory(workshop=workshop), ParticipantFactory(workshop=workshop)
    ideas[1].tags.add("online")
    services.vote_cast(participant_id=a.pk, idea_id=ideas[0].pk)
    services.vote_cast(participant_id=b.pk, idea_id=ideas[1].pk)
    services.vote_cast(participant_id=b.pk, idea_id=ideas[1].pk)
    kept = services.idea_merge(user=facilitator, keep_id=ideas[0].pk, duplicate_id=ideas[1].pk)
    assert tallies(workshop.pk)[str(kept.pk)] == 3
    duplicate = Idea.objects.get(pk=ideas[1].pk)
    assert duplicate.hidden and duplicate.merged_into_id == kept.pk
    assert "online" in kept.tags.names()
    with pytest.raises(Invalid):
        services.idea_merge(user=facilitator, keep_id=ideas[2].pk, duplicate_id=ideas[2].pk)


def test_blind_voting_hides_tallies_from_participants_until_results(workshop, participant, ideas, facilitator):
    type(workshop).objects.filter(pk=workshop.pk).update(blind_voting=True)
    workshop.refresh_from_db()
    set_phase(workshop, "voting")
    services.vote_cast(participant_id=participant.pk, idea_id=ideas[0].pk)
    seen_by_participant = snapshot(workshop, participant_id=participant.pk, sees_tallies=False)
    assert all(i["votes"] is None for i in seen_by_participant["ideas"])
    assert seen_by_participant["me"]["votes"] == {str(ideas[0].pk): 1}
    seen_by_facilitator = snapshot(workshop, participant_id=None, sees_tallies=True)
    assert {i["id"]: i["votes"] for i in seen_by_facilitator["ideas"]}[ideas[0].pk] == 1
    set_phase(workshop, "results")
    assert {i["id"]: i["votes"] for i in snapshot(workshop, participant_id=None, sees_tallies=False)["ideas"]}[ideas[0].pk] == 1


def test_results_rank_and_split_by_tag_role_and_channel(workshop, ideas):
    set_phase(workshop, "voting")
    ideas[0].tags.add("online")
    citizen = ParticipantFactory(workshop=workshop, role="citizen")
    provider = ParticipantFactory(workshop=workshop, role="provider")
    services.vote_cast(participant_id=citizen.pk, idea_id=ideas[1].pk)
    services.vote_cast(participant_id=citizen.pk, idea_id=ideas[1].pk)
    services.vote_cast(participant_id=provider.pk, idea_id=ideas[0].pk)
    data = results(workshop)
    assert [(i["id"], i["votes"], i["rank"]) for i in data["ideas"]] == [
        (ideas[1].pk, 2, 1), (ideas[0].pk, 1, 2), (ideas[2].pk, 0, 3)
    ]
    assert data["ideas"][0]["votes_by_channel"] == {"phone": 2, "proxy": 0, "paper": 0}
    assert {r["role"]: r["votes"] for r in data["by_role"]} == {"citizen": 2, "provider": 1}
    assert {t["tag"]: t["votes"] for t in data["by_tag"]} == {"online": 1, "": 2}
    assert data["total_votes"] == 3


@pytest.mark.parametrize("idea_id, error", [
    (float("inf"), Invalid), (0.5, Invalid), ("1e400", Invalid), (True, Invalid),
    (2**70, NotFound), (-(2**70), NotFound),
])
def test_a_facilitator_action_with_an_id_that_names_nothing_is_refused(workshop, ideas, facilitator, idea_id, error):
    """Ids too large for the database, fractions and infinity never reach a query."""
    with pytest.raises(error):
        services.idea_hide(user=facilitator, idea_id=idea_id)
    assert not Idea.objects.filter(hidden=True).exists()

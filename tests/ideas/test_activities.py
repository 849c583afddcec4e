"""The run of show at the service level: each kind of activity (poll, scale, word cloud), moving
the room between activities, the brainstorm's board while the room is elsewhere, and the
results split by role. Every refusal changes nothing in the database."""

import threading

import pytest
from django.contrib.auth.models import AnonymousUser
from django.db import close_old_connections, connection
from django.test.utils import CaptureQueriesContext

from ideas import selectors, services
from ideas.errors import NotJoined, PhaseClosed
from ideas.kinds.poll import poll_answer
from ideas.kinds.scale import scale_rate
from ideas.kinds.words import word_hide, words_add
from ideas.models import (
    Activity,
    HiddenWord,
    Idea,
    Participant,
    PollAnswer,
    PollOption,
    ScaleRating,
    ScaleStatement,
    Vote,
    WordEntry,
)
from tests.factories import WorkshopPageFactory
from workshop_site.core.errors import Forbidden, Invalid, NotFound
from workshop_site.workshops.models import WorkshopPage

from .conftest import set_phase
from .factories import IdeaFactory, ParticipantFactory, run_of_show

pytestmark = pytest.mark.django_db


def room_on(workshop, kind: str, phase: str = "open") -> dict:
    """DEMO29's run of show on `workshop`, the room on its `kind` activity in `phase`."""
    set_phase(workshop, phase)
    return run_of_show(workshop, current=kind)


def stored() -> dict:
    """Everything an answer, a word or a move of the room could change."""
    return {
        "poll_answers": PollAnswer.objects.count(),
        "chosen_options": sorted(PollAnswer.options.through.objects.values_list("pollanswer_id", "polloption_id")),
        "ratings": sorted(ScaleRating.objects.values_list("participant_id", "statement_id", "value")),
        "words": sorted(WordEntry.objects.values_list("participant_id", "text")),
        "hidden_words": HiddenWord.objects.count(),
        "activities": sorted(Activity.objects.values_list("pk", "phase", "is_current")),
        "room_phases": sorted(WorkshopPage.objects.values_list("pk", "phase")),
        "ideas": Idea.objects.count(),
        "votes": Vote.objects.count(),
    }


def option_ids(activity) -> list[int]:
    return list(PollOption.objects.filter(activity=activity).order_by("sort_order", "pk").values_list("pk", flat=True))


def statement_ids(activity) -> list[int]:
    return list(ScaleStatement.objects.filter(activity=activity).order_by("sort_order", "pk").values_list("pk", flat=True))


def room_tally(workshop) -> dict:
    """What the room's next `tally` frame carries of the current activity."""
    return selectors.current_activity_tally(workshop.pk)


@pytest.fixture
def other_workshop(tree):
    other = WorkshopPageFactory(parent=tree["workshop_index"], title="Alt atelier", join_code="ALT777", phase="open")
    return other, run_of_show(other, current="poll")


# --- poll -----------------------------------------------------------------------------------------


@pytest.fixture
def poll(workshop):
    return room_on(workshop, "poll")["poll"]


def test_a_single_choice_answer_counts_for_its_option(workshop, poll, participant):
    dubasari, calarasi, rezina, elsewhere = option_ids(poll)
    assert poll_answer(participant_id=participant.pk, activity_id=poll.pk, option_ids=[calarasi]) == [calarasi]
    tally = room_tally(workshop)
    assert tally["activity"] == poll.pk
    assert tally["counts"] == {str(dubasari): 0, str(calarasi): 1, str(rezina): 0, str(elsewhere): 0}


def test_a_second_answer_replaces_the_first(workshop, poll, participant):
    dubasari, calarasi, *_ = option_ids(poll)
    poll_answer(participant_id=participant.pk, activity_id=poll.pk, option_ids=[dubasari])
    poll_answer(participant_id=participant.pk, activity_id=poll.pk, option_ids=[calarasi])
    assert PollAnswer.objects.count() == 1
    counts = room_tally(workshop)["counts"]
    assert (counts[str(dubasari)], counts[str(calarasi)]) == (0, 1)


def test_a_multiple_choice_poll_takes_up_to_max_choices_and_refuses_more(workshop, poll, participant):
    Activity.objects.filter(pk=poll.pk).update(max_choices=2)
    dubasari, calarasi, rezina, _elsewhere = option_ids(poll)
    assert poll_answer(participant_id=participant.pk, activity_id=poll.pk, option_ids=[rezina, dubasari]) == [
        rezina, dubasari]
    before = stored()
    with pytest.raises(Invalid):
        poll_answer(participant_id=participant.pk, activity_id=poll.pk, option_ids=[dubasari, calarasi, rezina])
    assert stored() == before
    counts = room_tally(workshop)["counts"]
    assert (counts[str(dubasari)], counts[str(calarasi)], counts[str(rezina)]) == (1, 0, 1)


def test_the_same_option_twice_is_one_choice(poll, participant):
    dubasari = option_ids(poll)[0]
    assert poll_answer(participant_id=participant.pk, activity_id=poll.pk, option_ids=[dubasari, str(dubasari)]) == [
        dubasari]


def test_an_option_of_another_poll_is_not_found(workshop, poll, participant):
    second = Activity.objects.create(workshop=workshop, position=9, kind="poll", title="Al doilea", phase="open")
    foreign = PollOption.objects.create(activity=second, text="Da")
    before = stored()
    with pytest.raises(NotFound):
        poll_answer(participant_id=participant.pk, activity_id=poll.pk, option_ids=[foreign.pk])
    Activity.objects.filter(pk=poll.pk).update(max_choices=2)
    with pytest.raises(NotFound):  # one good option does not carry a foreign one
        poll_answer(participant_id=participant.pk, activity_id=poll.pk, option_ids=[option_ids(poll)[0], foreign.pk])
    assert stored() == before


def test_an_option_or_a_poll_of_another_workshop_is_not_found(poll, participant, other_workshop):
    _other, theirs = other_workshop
    before = stored()
    with pytest.raises(NotFound):
        poll_answer(participant_id=participant.pk, activity_id=poll.pk, option_ids=[option_ids(theirs["poll"])[0]])
    with pytest.raises(NotFound):  # their poll is open, but not this participant's room
        poll_answer(participant_id=participant.pk, activity_id=theirs["poll"].pk,
                    option_ids=[option_ids(theirs["poll"])[0]])
    assert stored() == before


def test_an_activity_of_another_kind_is_no_poll(workshop, poll, participant):
    scale = Activity.objects.get(workshop=workshop, kind="scale")
    Activity.objects.filter(pk=scale.pk).update(phase="open")
    with pytest.raises(NotFound):
        poll_answer(participant_id=participant.pk, activity_id=scale.pk, option_ids=[option_ids(poll)[0]])
    assert not PollAnswer.objects.exists()


@pytest.mark.parametrize(
    "options",
    [[], "1", 1, None, {"option": 1}, ["Rezina"], [1.5], [True], [[1]], "too many"],
    ids=["empty", "a string", "a number", "null", "an object", "a name", "a fraction", "a bool", "nested", "too many"],
)
def test_bad_option_lists_are_invalid_and_store_nothing(poll, participant, options):
    if options == "too many":
        options = option_ids(poll)[:2]  # a single choice poll
    before = stored()
    with pytest.raises(Invalid):
        poll_answer(participant_id=participant.pk, activity_id=poll.pk, option_ids=options)
    assert stored() == before


@pytest.mark.parametrize("phase", ["draft", "results", "closed"])
def test_a_poll_that_is_not_open_takes_no_answer(workshop, poll, participant, phase):
    set_phase(workshop, phase)
    before = stored()
    with pytest.raises(PhaseClosed):
        poll_answer(participant_id=participant.pk, activity_id=poll.pk, option_ids=[option_ids(poll)[0]])
    assert stored() == before


def test_a_poll_the_room_left_in_draft_takes_no_answer(workshop, participant):
    made = room_on(workshop, "brainstorm", "ideas")  # the poll keeps its own phase: draft
    with pytest.raises(PhaseClosed):
        poll_answer(participant_id=participant.pk, activity_id=made["poll"].pk, option_ids=option_ids(made["poll"])[:1])
    assert not PollAnswer.objects.exists()


@pytest.mark.parametrize("who", ["nobody", "a removed participant"])
def test_someone_who_has_not_joined_cannot_answer(poll, participant, who):
    participant_id = None
    if who == "a removed participant":
        participant_id = participant.pk
        participant.delete()
    before = stored()
    with pytest.raises(NotJoined):
        poll_answer(participant_id=participant_id, activity_id=poll.pk, option_ids=[option_ids(poll)[0]])
    assert stored() == before


# --- scale ----------------------------------------------------------------------------------------


@pytest.fixture
def scale(workshop):
    return room_on(workshop, "scale")["scale"]


def test_every_value_from_1_to_5_is_a_rating(workshop, scale):
    first = statement_ids(scale)[0]
    for value in range(1, 6):
        person = ParticipantFactory(workshop=workshop)
        assert scale_rate(participant_id=person.pk, activity_id=scale.pk, statement_id=first, value=value) == value
    assert room_tally(workshop)["distribution"] == {str(first): [1, 1, 1, 1, 1]}


@pytest.mark.parametrize("value", [0, 6, 2.5, "3", True, None, -1, [3]])
def test_a_rating_outside_1_to_5_is_invalid(scale, participant, value):
    before = stored()
    with pytest.raises(Invalid):
        scale_rate(participant_id=participant.pk, activity_id=scale.pk, statement_id=statement_ids(scale)[0], value=value)
    assert stored() == before


def test_a_statement_of_another_scale_is_not_found(workshop, scale, participant, other_workshop):
    second = Activity.objects.create(workshop=workshop, position=9, kind="scale", title="A doua", phase="open")
    ours_elsewhere = ScaleStatement.objects.create(activity=second, text="să plătesc")
    _other, theirs = other_workshop
    before = stored()
    for statement in (ours_elsewhere.pk, statement_ids(theirs["scale"])[0], 10**9):
        with pytest.raises(NotFound):
            scale_rate(participant_id=participant.pk, activity_id=scale.pk, statement_id=statement, value=3)
    assert stored() == before


def test_rating_again_replaces_the_rating(workshop, scale, participant):
    first = statement_ids(scale)[0]
    scale_rate(participant_id=participant.pk, activity_id=scale.pk, statement_id=first, value=2)
    scale_rate(participant_id=participant.pk, activity_id=scale.pk, statement_id=first, value=5)
    assert list(ScaleRating.objects.values_list("value", flat=True)) == [5]
    assert room_tally(workshop)["distribution"] == {str(first): [0, 0, 0, 0, 1]}


def test_a_scale_that_is_not_open_takes_no_rating(workshop, scale, participant):
    set_phase(workshop, "closed")
    with pytest.raises(PhaseClosed):
        scale_rate(participant_id=participant.pk, activity_id=scale.pk, statement_id=statement_ids(scale)[0], value=3)
    assert not ScaleRating.objects.exists()


def test_the_scale_shows_the_distribution_and_mean_of_each_statement(workshop, scale):
    first, second, third = statement_ids(scale)
    for values in ((1, 5), (2, 5), (2, 4)):
        person = ParticipantFactory(workshop=workshop)
        for statement, value in zip((first, second), values, strict=True):
            scale_rate(participant_id=person.pk, activity_id=scale.pk, statement_id=statement, value=value)
    assert room_tally(workshop)["distribution"] == {str(first): [1, 2, 0, 0, 0], str(second): [0, 0, 0, 1, 2]}
    row = Activity.objects.get(pk=scale.pk)
    results = selectors.activities_results(row.workshop)
    shown = next(a for a in results if a["id"] == scale.pk)["results"]
    assert shown["respondents"] == 3
    assert [(s["id"], s["distribution"], s["mean"]) for s in shown["statements"]] == [
        (first, [1, 2, 0, 0, 0], 1.67), (second, [0, 0, 0, 1, 2], 4.67), (third, [0, 0, 0, 0, 0], None),
    ]
    assert shown["labels"] == {"low": "foarte greu", "high": "foarte ușor"}


# --- words ----------------------------------------------------------------------------------------


@pytest.fixture
def cloud(workshop):
    return room_on(workshop, "words")["words"]


def add(participant, cloud, text):
    return words_add(participant_id=participant.pk, activity_id=cloud.pk, text=text)


def test_a_person_gives_up_to_three_words_and_a_fourth_is_invalid(workshop, cloud, participant):
    for text in ("acte", "coadă", "internet"):
        assert add(participant, cloud, text) == {"text": text, "already": False}
    before = stored()
    with pytest.raises(Invalid):
        add(participant, cloud, "rapid")
    assert stored() == before
    # A word already given is no fourth word: it is taken as given, not counted again.
    assert add(participant, cloud, "ACTE") == {"text": "ACTE", "already": True}
    assert stored() == before


def test_the_same_word_counts_once_per_person_whatever_its_case(workshop, cloud, participant):
    for text in ("Acte", "acte", "ACTE"):
        add(participant, cloud, text)
    assert WordEntry.objects.count() == 1
    assert room_tally(workshop)["words"] == [{"text": "Acte", "count": 1}]
    other = ParticipantFactory(workshop=workshop)
    add(other, cloud, "acte")
    third = ParticipantFactory(workshop=workshop)
    add(third, cloud, "acte")
    # The cloud counts people, and shows the word as most of them wrote it.
    assert room_tally(workshop)["words"] == [{"text": "acte", "count": 3}]


def test_romanian_diacritics_with_comma_or_cedilla_or_none_are_one_word(workshop, cloud, participant):
    add(participant, cloud, "școală")  # s with comma below
    assert add(participant, cloud, "scoala")["already"]
    assert add(participant, cloud, "şcoală")["already"]  # s with cedilla
    other = ParticipantFactory(workshop=workshop)
    add(other, cloud, "ȘCOALĂ")
    assert WordEntry.objects.count() == 2
    assert [w["count"] for w in room_tally(workshop)["words"]] == [2]


@pytest.mark.parametrize(
    "text", ["", "   ", "\t\n", "\u3000", "\u200b\u200b", "x" * 26, "cuvânt foarte foarte lung", None, 7, ["acte"]]
)
def test_an_empty_blank_or_too_long_word_is_invalid(cloud, participant, text):
    if text == "cuvânt foarte foarte lung":
        text += "!"  # 26 characters
    before = stored()
    with pytest.raises(Invalid):
        add(participant, cloud, text)
    assert stored() == before


def test_a_word_of_25_characters_is_taken(cloud, participant):
    assert add(participant, cloud, "x" * 25)["text"] == "x" * 25


def test_a_word_cloud_that_is_not_open_takes_no_word(workshop, cloud, participant):
    set_phase(workshop, "results")
    with pytest.raises(PhaseClosed):
        add(participant, cloud, "acte")
    assert not WordEntry.objects.exists()


def test_a_hidden_word_leaves_the_cloud_also_for_later_entries(workshop, cloud, participant, facilitator):
    add(participant, cloud, "prostie")
    add(participant, cloud, "acte")
    assert word_hide(user=facilitator, workshop_id=workshop.pk, activity_id=cloud.pk, text="PROSTIE") == "prostie"
    assert room_tally(workshop)["words"] == [{"text": "acte", "count": 1}]
    later = ParticipantFactory(workshop=workshop)
    add(later, cloud, "Prostie")
    assert room_tally(workshop)["words"] == [{"text": "acte", "count": 1}]
    results = next(a for a in selectors.activities_results(workshop) if a["id"] == cloud.pk)["results"]
    assert results["words"] == [{"text": "acte", "count": 1}]


@pytest.mark.parametrize("who", ["office staff", "anonymous", "nobody"])
def test_only_a_facilitator_hides_a_word(workshop, cloud, participant, rezina_member, who):
    user = {"office staff": rezina_member, "anonymous": AnonymousUser(), "nobody": None}[who]
    add(participant, cloud, "prostie")
    before = stored()
    with pytest.raises(Forbidden):
        word_hide(user=user, workshop_id=workshop.pk, activity_id=cloud.pk, text="prostie")
    assert stored() == before
    assert room_tally(workshop)["words"] == [{"text": "prostie", "count": 1}]


def test_a_word_cloud_of_another_workshop_cannot_be_hidden_from_this_one(workshop, cloud, facilitator, tree):
    other = WorkshopPageFactory(parent=tree["workshop_index"], title="Alt atelier", join_code="ALT778", phase="open")
    theirs = run_of_show(other, current="words")["words"]
    with pytest.raises(NotFound):
        word_hide(user=facilitator, workshop_id=workshop.pk, activity_id=theirs.pk, text="acte")
    assert not HiddenWord.objects.exists()


# --- moving the room ------------------------------------------------------------------------------


@pytest.fixture
def run(workshop):
    """The room on the brainstorm, collecting ideas; the other activities in draft."""
    return room_on(workshop, "brainstorm", "ideas")


def room(workshop) -> tuple[str, int | None]:
    """The room's phase and its current activity."""
    phase = WorkshopPage.objects.values_list("phase", flat=True).get(pk=workshop.pk)
    current = Activity.objects.filter(workshop=workshop, is_current=True).values_list("pk", flat=True).first()
    return phase, current


@pytest.mark.parametrize("who", ["office staff", "anonymous", "nobody"])
def test_only_a_facilitator_moves_the_room(workshop, run, rezina_member, who):
    user = {"office staff": rezina_member, "anonymous": AnonymousUser(), "nobody": None}[who]
    before = stored()
    with pytest.raises(Forbidden):
        services.activity_set(user=user, workshop_id=workshop.pk, activity_id=run["poll"].pk)
    assert stored() == before
    assert room(workshop) == ("ideas", run["brainstorm"].pk)


def test_an_activity_of_another_workshop_is_not_found(workshop, run, facilitator, other_workshop):
    _other, theirs = other_workshop
    before = stored()
    for activity in (theirs["poll"].pk, 10**9, 2**70):
        with pytest.raises(NotFound):
            services.activity_set(user=facilitator, workshop_id=workshop.pk, activity_id=activity)
    for activity in ("sondaj", None, True, 1.5):
        with pytest.raises(Invalid):
            services.activity_set(user=facilitator, workshop_id=workshop.pk, activity_id=activity)
    assert stored() == before


def test_the_room_takes_the_phase_of_the_activity_it_moves_to_and_gets_it_back(workshop, run, facilitator):
    poll, brainstorm = run["poll"], run["brainstorm"]
    view = services.activity_set(user=facilitator, workshop_id=workshop.pk, activity_id=poll.pk)
    assert (view["id"], view["kind"], view["phase"]) == (poll.pk, "poll", "draft")
    assert [o["text"] for o in view["options"]] == ["Dubăsari", "Călărași", "Rezina", "alt raion"]
    assert room(workshop) == ("draft", poll.pk)
    assert selectors.board(workshop.pk).phase == "ideas"  # the brainstorm keeps its phase

    services.phase_set(user=facilitator, workshop_id=workshop.pk, phase="open")
    assert room(workshop) == ("open", poll.pk)

    # Back to the brainstorm: the room collects ideas again; the poll stays open meanwhile.
    view = services.activity_set(user=facilitator, workshop_id=workshop.pk, activity_id=brainstorm.pk)
    assert (view["kind"], view["phase"]) == ("brainstorm", "ideas")
    assert room(workshop) == ("ideas", brainstorm.pk)
    assert Activity.objects.get(pk=poll.pk).phase == "open"
    summaries = {a["id"]: a["phase"] for a in selectors.run_of_show(workshop, participant_id=None,
                                                                     sees_tallies=False)["activities"]}
    assert summaries == {poll.pk: "open", run["scale"].pk: "draft", brainstorm.pk: "ideas", run["words"].pk: "draft"}

    view = services.activity_set(user=facilitator, workshop_id=workshop.pk, activity_id=poll.pk)
    assert view["phase"] == "open"
    assert room(workshop) == ("open", poll.pk)


def test_moving_the_room_to_the_activity_it_is_on_changes_nothing(workshop, run, facilitator):
    before = stored()
    view = services.activity_set(user=facilitator, workshop_id=workshop.pk, activity_id=run["brainstorm"].pk)
    assert (view["id"], view["phase"]) == (run["brainstorm"].pk, "ideas")
    assert stored() == before


@pytest.mark.parametrize(("kind", "room_phase", "foreign"), [
    ("poll", "open", "ideas"), ("poll", "open", "voting"), ("scale", "open", "ideas"), ("words", "open", "voting"),
    ("brainstorm", "ideas", "open"),
])
def test_a_phase_of_another_kind_is_invalid(workshop, facilitator, kind, room_phase, foreign):
    room_on(workshop, kind, room_phase)
    before = stored()
    with pytest.raises(Invalid):
        services.phase_set(user=facilitator, workshop_id=workshop.pk, phase=foreign)
    assert stored() == before


def test_a_workshop_without_activities_keeps_the_boards_phases(workshop, facilitator):
    with pytest.raises(Invalid):
        services.phase_set(user=facilitator, workshop_id=workshop.pk, phase="open")
    assert services.phase_set(user=facilitator, workshop_id=workshop.pk, phase="voting") == "voting"
    assert room(workshop) == ("voting", None)


def test_a_poll_walks_its_own_phases(workshop, facilitator):
    made = room_on(workshop, "poll", "draft")
    for phase in ("open", "results", "closed", "open"):
        assert services.phase_set(user=facilitator, workshop_id=workshop.pk, phase=phase) == phase
        assert room(workshop) == (phase, made["poll"].pk)
        assert Activity.objects.get(pk=made["poll"].pk).phase == phase


# --- the brainstorm while the room is elsewhere ------------------------------------------------------


def test_ideas_still_post_while_the_room_is_on_a_poll_if_the_brainstorm_collects_ideas(workshop, participant):
    made = room_on(workshop, "poll")
    Activity.objects.filter(pk=made["brainstorm"].pk).update(phase="ideas")
    idea = services.idea_create(participant_id=participant.pk, text="Scaner în mașină")
    assert idea.activity_id == made["brainstorm"].pk


def test_dots_still_go_while_the_room_is_on_a_poll_if_the_brainstorm_is_voting(workshop, participant):
    made = room_on(workshop, "poll")
    Activity.objects.filter(pk=made["brainstorm"].pk).update(phase="voting")
    idea = IdeaFactory(workshop=workshop, activity=made["brainstorm"])
    assert services.vote_cast(participant_id=participant.pk, idea_id=idea.pk) == 2
    assert services.vote_retract(participant_id=participant.pk, idea_id=idea.pk) == 3


@pytest.mark.parametrize("board", ["draft", "results", "closed"])
def test_no_idea_and_no_dot_while_the_brainstorm_is_not_in_its_phase(workshop, participant, board):
    """The room's own phase is `open` (the poll's): it is never the brainstorm's."""
    made = room_on(workshop, "poll")
    Activity.objects.filter(pk=made["brainstorm"].pk).update(phase=board)
    idea = IdeaFactory(workshop=workshop, activity=made["brainstorm"])
    before = stored()
    with pytest.raises(PhaseClosed):
        services.idea_create(participant_id=participant.pk, text="Prea târziu")
    with pytest.raises(PhaseClosed):
        services.vote_cast(participant_id=participant.pk, idea_id=idea.pk)
    assert stored() == before


def test_ideas_wait_while_the_brainstorm_votes_and_the_room_is_on_a_poll(workshop, participant):
    made = room_on(workshop, "poll")
    Activity.objects.filter(pk=made["brainstorm"].pk).update(phase="voting")
    with pytest.raises(PhaseClosed):
        services.idea_create(participant_id=participant.pk, text="Prea târziu")
    assert not Idea.objects.exists()


# --- results by role ------------------------------------------------------------------------------


def people(workshop, role: str, n: int) -> list:
    return [ParticipantFactory(workshop=workshop, role=role) for _ in range(n)]


def results_of(workshop, activity) -> dict:
    return next(a for a in selectors.activities_results(workshop) if a["id"] == activity.pk)


@pytest.fixture
def everything_open(workshop):
    """Every activity answerable: the room on the poll, the scale and the cloud left open."""
    made = room_on(workshop, "poll")
    Activity.objects.filter(pk__in=[made["scale"].pk, made["words"].pk]).update(phase="open")
    return made


def test_poll_results_are_split_by_role(workshop, everything_open):
    poll = everything_open["poll"]
    dubasari, calarasi, rezina, _elsewhere = option_ids(poll)
    for person, option in zip(people(workshop, "citizen", 3), (dubasari, dubasari, calarasi), strict=True):
        poll_answer(participant_id=person.pk, activity_id=poll.pk, option_ids=[option])
    for person in people(workshop, "provider", 2):
        poll_answer(participant_id=person.pk, activity_id=poll.pk, option_ids=[rezina])
    found = results_of(workshop, poll)
    assert (found["kind"], found["title"]) == ("poll", "Din ce raion veniți?")

    def counts(results):
        return [(o["text"], o["count"], o["share"]) for o in results["options"]]

    assert found["results"]["respondents"] == 5
    assert counts(found["results"]) == [("Dubăsari", 2, 40.0), ("Călărași", 1, 20.0), ("Rezina", 2, 40.0),
                                        ("alt raion", 0, 0.0)]
    by_role = found["by_role"]
    assert set(by_role) == {"citizen", "provider", "office_staff", "other"}
    assert counts(by_role["citizen"]) == [("Dubăsari", 2, 66.7), ("Călărași", 1, 33.3), ("Rezina", 0, 0.0),
                                          ("alt raion", 0, 0.0)]
    assert counts(by_role["provider"]) == [("Dubăsari", 0, 0.0), ("Călărași", 0, 0.0), ("Rezina", 2, 100.0),
                                           ("alt raion", 0, 0.0)]
    assert by_role["office_staff"]["respondents"] == 0


def test_a_poll_option_where_citizens_and_providers_differ_by_more_than_20_points_is_a_disagreement(
    workshop, everything_open
):
    poll = everything_open["poll"]
    dubasari, calarasi, *_ = option_ids(poll)
    # Citizens 3 of 4 Dubăsari (75 %), providers 1 of 2 (50 %): 25 points apart, both ways.
    for person, option in zip(people(workshop, "citizen", 4), (dubasari, dubasari, dubasari, calarasi), strict=True):
        poll_answer(participant_id=person.pk, activity_id=poll.pk, option_ids=[option])
    for person, option in zip(people(workshop, "provider", 2), (dubasari, calarasi), strict=True):
        poll_answer(participant_id=person.pk, activity_id=poll.pk, option_ids=[option])
    assert results_of(workshop, poll)["disagreements"] == [
        {"item": dubasari, "text": "Dubăsari", "citizen": 75.0, "provider": 50.0, "points": 25.0},
        {"item": calarasi, "text": "Călărași", "citizen": 25.0, "provider": 50.0, "points": 25.0},
    ]


def test_a_poll_gap_of_exactly_20_points_is_no_disagreement(workshop, everything_open):
    poll = everything_open["poll"]
    dubasari, calarasi, *_ = option_ids(poll)
    # 60 % / 40 % of citizens against 40 % / 60 % of providers; office staff answer otherwise.
    for person, option in zip(people(workshop, "citizen", 5), [dubasari] * 3 + [calarasi] * 2, strict=True):
        poll_answer(participant_id=person.pk, activity_id=poll.pk, option_ids=[option])
    for person, option in zip(people(workshop, "provider", 5), [dubasari] * 2 + [calarasi] * 3, strict=True):
        poll_answer(participant_id=person.pk, activity_id=poll.pk, option_ids=[option])
    for person in people(workshop, "office_staff", 3):
        poll_answer(participant_id=person.pk, activity_id=poll.pk, option_ids=[option_ids(poll)[3]])
    assert results_of(workshop, poll)["disagreements"] == []


def test_no_disagreement_without_answers_of_both_roles(workshop, everything_open):
    poll = everything_open["poll"]
    for person in people(workshop, "citizen", 2):
        poll_answer(participant_id=person.pk, activity_id=poll.pk, option_ids=option_ids(poll)[:1])
    assert results_of(workshop, poll)["disagreements"] == []


def test_scale_results_by_role_and_the_statements_citizens_and_providers_see_apart(workshop, everything_open):
    scale = everything_open["scale"]
    agreed, apart, _third = statement_ids(scale)
    # `agreed`: 3 of 5 citizens rate 4 or 5 (60 %), 2 of 5 providers (40 %): 20 points, not reported.
    # `apart`: every citizen rates it 1 or 2 (0 %), every provider 4 or 5 (100 %).
    for person, (first, second) in zip(people(workshop, "citizen", 5),
                                       [(5, 1), (4, 2), (4, 1), (2, 1), (1, 2)], strict=True):
        scale_rate(participant_id=person.pk, activity_id=scale.pk, statement_id=agreed, value=first)
        scale_rate(participant_id=person.pk, activity_id=scale.pk, statement_id=apart, value=second)
    for person, (first, second) in zip(people(workshop, "provider", 5),
                                       [(4, 5), (5, 4), (1, 5), (1, 5), (3, 4)], strict=True):
        scale_rate(participant_id=person.pk, activity_id=scale.pk, statement_id=agreed, value=first)
        scale_rate(participant_id=person.pk, activity_id=scale.pk, statement_id=apart, value=second)
    found = results_of(workshop, scale)
    citizens = {s["id"]: (s["distribution"], s["mean"]) for s in found["by_role"]["citizen"]["statements"]}
    providers = {s["id"]: (s["distribution"], s["mean"]) for s in found["by_role"]["provider"]["statements"]}
    assert citizens[agreed] == ([1, 1, 0, 2, 1], 3.2) and citizens[apart] == ([3, 2, 0, 0, 0], 1.4)
    assert providers[agreed] == ([2, 0, 1, 1, 1], 2.8) and providers[apart] == ([0, 0, 0, 2, 3], 4.6)
    assert found["by_role"]["citizen"]["respondents"] == 5 and found["by_role"]["other"]["respondents"] == 0
    assert found["results"]["respondents"] == 10
    assert found["disagreements"] == [
        {"item": apart, "text": "să depun cererea", "citizen": 0.0, "provider": 100.0, "points": 100.0},
    ]


def test_word_cloud_results_by_role(workshop, everything_open):
    cloud = everything_open["words"]
    for person in people(workshop, "citizen", 2):
        add(person, cloud, "Acte")
    provider, = people(workshop, "provider", 1)
    add(provider, cloud, "coadă")
    add(provider, cloud, "acte")
    found = results_of(workshop, cloud)
    assert found["results"]["words"] == [{"text": "Acte", "count": 3}, {"text": "coadă", "count": 1}]
    assert found["by_role"]["citizen"] == {"respondents": 2, "words": [{"text": "Acte", "count": 2}]}
    # Every group spells a word as the whole room does, so the lists line up.
    assert found["by_role"]["provider"] == {"respondents": 1, "words": [{"text": "Acte", "count": 1},
                                                                        {"text": "coadă", "count": 1}]}
    assert found["by_role"]["office_staff"] == {"respondents": 0, "words": []}
    assert found["disagreements"] == []


def test_brainstorm_dots_by_role(workshop):
    made = room_on(workshop, "brainstorm", "voting")
    scanner, kiosk = (IdeaFactory(workshop=workshop, activity=made["brainstorm"], text=t) for t in ("Scaner", "Chioșc"))
    citizen, = people(workshop, "citizen", 1)
    provider, = people(workshop, "provider", 1)
    services.vote_cast(participant_id=citizen.pk, idea_id=scanner.pk)
    services.vote_cast(participant_id=citizen.pk, idea_id=scanner.pk)
    services.vote_cast(participant_id=provider.pk, idea_id=kiosk.pk)
    found = results_of(workshop, made["brainstorm"])
    assert found["results"]["ideas"] == [{"id": scanner.pk, "text": "Scaner", "votes": 2},
                                         {"id": kiosk.pk, "text": "Chioșc", "votes": 1}]
    assert found["by_role"]["citizen"]["ideas"][0] == {"id": scanner.pk, "text": "Scaner", "votes": 2}
    assert {i["text"]: i["votes"] for i in found["by_role"]["provider"]["ideas"]} == {"Scaner": 0, "Chioșc": 1}
    assert found["by_role"]["citizen"]["voters"] == 1


# --- the snapshot's cost ------------------------------------------------------------------------------


def many_activities(workshop, participant, rounds: int) -> None:
    """`rounds` copies of DEMO29's four activities, every poll, scale and cloud answered."""
    for n in range(rounds):
        made = run_of_show(workshop, current="poll" if n == 0 else "none")
        for kind, activity in made.items():
            Activity.objects.filter(pk=activity.pk).update(position=4 * n + activity.position)
            if kind == "poll":
                answer = PollAnswer.objects.create(participant=participant, activity=activity)
                answer.options.set(option_ids(activity)[:1])
            elif kind == "scale":
                for statement in statement_ids(activity):
                    ScaleRating.objects.create(participant=participant, activity=activity, statement_id=statement,
                                               value=3)
            elif kind == "words":
                WordEntry.objects.create(participant=participant, activity=activity, text="acte", key="acte")


def snapshot_queries(workshop, participant) -> tuple[int, dict]:
    page = WorkshopPage.objects.get(pk=workshop.pk)
    selectors.snapshot(page, participant_id=participant.pk, sees_tallies=False)  # SQL built once (CompiledRead)
    with CaptureQueriesContext(connection) as queries:
        state = selectors.snapshot(page, participant_id=participant.pk, sees_tallies=False)
    return len(queries), state


def test_the_snapshot_costs_as_many_queries_with_40_activities_as_with_4(tree):
    counted = []
    for rounds, code in ((1, "FEW444"), (10, "MANY40")):
        room_page = WorkshopPageFactory(parent=tree["workshop_index"], join_code=code, phase="open",
                                        dots_per_participant=3)
        person = ParticipantFactory(workshop=room_page)
        many_activities(room_page, person, rounds)
        n, state = snapshot_queries(room_page, person)
        assert len(state["activities"]) == 4 * rounds
        assert len(state["me"]["answers"]) == 3 * rounds  # a brainstorm's dots are `me.votes`
        counted.append(n)
    assert counted[0] == counted[1], f"{counted[0]} queries with 4 activities, {counted[1]} with 40"


# --- one person, two answers at once ---------------------------------------------------------------


def race(*calls) -> list[str]:
    """Run each call in its own thread with its own database connection, all at once."""
    barrier = threading.Barrier(len(calls))
    outcomes: list[str] = []
    lock = threading.Lock()

    def run(call):
        try:
            barrier.wait(timeout=10)
            call()
            result = "ok"
        except Exception as exc:  # noqa: BLE001 - any outcome but "ok" fails the tests below
            result = f"{type(exc).__name__}: {exc}"
        finally:
            connection.close()
        with lock:
            outcomes.append(result)

    threads = [threading.Thread(target=run, args=(call,)) for call in calls]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    close_old_connections()
    return outcomes


@pytest.mark.django_db(transaction=True)
def test_answers_of_one_person_racing_from_two_connections_leave_one_answer_one_rating_one_word(workshop, participant):
    made = room_on(workshop, "poll")
    Activity.objects.filter(pk__in=[made["scale"].pk, made["words"].pk]).update(phase="open")
    poll, scale, cloud = made["poll"], made["scale"], made["words"]
    options, statement = option_ids(poll), statement_ids(scale)[0]
    outcomes = race(
        *(lambda option=option: poll_answer(participant_id=participant.pk, activity_id=poll.pk, option_ids=[option])
          for option in options),
        *(lambda value=value: scale_rate(participant_id=participant.pk, activity_id=scale.pk, statement_id=statement,
                                         value=value) for value in (1, 5)),
        *(lambda text=text: words_add(participant_id=participant.pk, activity_id=cloud.pk, text=text)
          for text in ("Acte", "acte", "ACTE", "școală", "scoala")),
    )
    assert outcomes == ["ok"] * 11
    assert PollAnswer.objects.count() == 1 and PollAnswer.options.through.objects.count() == 1
    assert list(ScaleRating.objects.values_list("value", flat=True)) in ([1], [5])
    assert sorted(WordEntry.objects.values_list("key", flat=True)) == ["acte", "scoala"]


def test_a_room_on_no_activity_yet_is_a_board_in_the_rooms_phase(workshop, participant, facilitator):
    """Activities added to a running workshop (none current yet): ideas and the room's phase
    keep working as a board's until the facilitator moves the room, and the brainstorm then
    keeps the board's phase for when the room comes back to it."""
    activities = run_of_show(workshop, current="none")
    assert not Activity.objects.filter(is_current=True).exists()
    idea = services.idea_create(participant_id=participant.pk, text="Un scaner portabil")
    assert idea.activity_id == activities["brainstorm"].pk
    services.phase_set(user=facilitator, workshop_id=workshop.pk, phase="voting")
    assert services.vote_cast(participant_id=participant.pk, idea_id=idea.pk) == 2
    services.activity_set(user=facilitator, workshop_id=workshop.pk, activity_id=activities["poll"].pk)
    assert selectors.board(workshop.pk).phase == "voting"
    assert services.vote_cast(participant_id=participant.pk, idea_id=idea.pk) == 1


# --- joining while the show goes on ------------------------------------------------------------

def test_a_closed_activity_holding_the_room_ends_nothing_joining_stays_open(workshop, client):
    """The room on a closed poll, the brainstorm still to come: people still join, by the page
    and by the API; once every activity is closed, the workshop is over and both refuse."""
    room = room_on(workshop, "poll", "closed")
    page = client.get("/w/LIVE23/")
    assert 'id="participant-join-form"' in page.content.decode()
    joined = client.post("/api/workshops/LIVE23/participants", {"display_name": "Ana", "role": "citizen"},
                         content_type="application/json")
    assert joined.status_code == 201
    Activity.objects.filter(workshop=workshop).update(phase="closed")
    late = type(client)()
    assert 'id="participant-join-form"' not in late.get("/w/LIVE23/").content.decode()
    refused = late.post("/api/workshops/LIVE23/participants", {"display_name": "Ion", "role": "citizen"},
                        content_type="application/json")
    assert (refused.status_code, refused.json()["code"]) == (409, "phase_closed")
    assert Participant.objects.filter(workshop=workshop).count() == 1
    assert room["poll"].pk in {a.pk for a in Activity.objects.filter(is_current=True)}

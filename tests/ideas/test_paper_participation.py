"""Assisted and paper participation through the services: people without a phone entered by a
helper (same budget as a phone), paper tally sheets (once per round, corrections visible),
the channel split in results and exports, and every bad input refused with nothing changed."""

import csv
import io

import pytest
from django.core.cache import cache
from django.utils import translation
from openpyxl import load_workbook

from ideas import exports, selectors, services
from ideas.errors import NoDotsLeft, PhaseClosed
from ideas.models import Idea, Participant, TallySheet, Vote, WorkshopHelper
from tests.factories import UserFactory
from workshop_site.core.errors import Conflict, Forbidden, Invalid, NotFound

from .conftest import set_phase
from .factories import IdeaFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _clear_throttle():
    cache.clear()
    # The messages are checked in English (Romanian is the default language).
    with translation.override("en"):
        yield
    cache.clear()


@pytest.fixture
def helper(workshop, facilitator, rezina_member):
    services.helper_grant(user=facilitator, workshop=workshop, helper=rezina_member)
    return rezina_member


def proxy(workshop, helper, name="Ana", role="citizen"):
    return services.participant_join(
        workshop=workshop, display_name=name, role=role, entered_by=helper
    )


def snapshot_of_counts():
    return (
        Participant.objects.count(),
        Idea.objects.count(),
        Vote.objects.count(),
        TallySheet.objects.count(),
    )


# --- the helper role ------------------------------------------------------------------------


def test_a_facilitator_grants_and_takes_back_the_helper_role(
    workshop, facilitator, rezina_member
):
    assert not rezina_member.has_perm("ideas.assist_workshop", workshop)
    grant = services.helper_grant(
        user=facilitator, workshop=workshop, helper=rezina_member
    )
    assert grant.granted_by == facilitator
    assert rezina_member.has_perm("ideas.assist_workshop", workshop)
    # Granting twice changes nothing; a helper cannot run the room.
    services.helper_grant(user=facilitator, workshop=workshop, helper=rezina_member)
    assert WorkshopHelper.objects.count() == 1
    assert not rezina_member.has_perm("ideas.run_workshop", workshop)
    services.helper_revoke(
        user=facilitator, workshop=workshop, helper_id=rezina_member.pk
    )
    assert not rezina_member.has_perm("ideas.assist_workshop", workshop)


def test_only_a_facilitator_grants_the_helper_role(workshop, helper, calarasi_member):
    with pytest.raises(Forbidden):
        services.helper_grant(user=helper, workshop=workshop, helper=calarasi_member)
    assert not calarasi_member.has_perm("ideas.assist_workshop", workshop)


def test_the_helper_role_is_per_workshop(workshop, helper, tree):
    from tests.factories import WorkshopPageFactory

    other = WorkshopPageFactory(
        parent=tree["workshop_index"], join_code="OTHER7", phase="ideas"
    )
    assert helper.has_perm("ideas.assist_workshop", workshop)
    assert not helper.has_perm("ideas.assist_workshop", other)
    with pytest.raises(Forbidden):
        proxy(other, helper)


def test_someone_without_the_helper_role_enters_nothing(
    workshop, helper, calarasi_member
):
    before = snapshot_of_counts()
    with pytest.raises(Forbidden):
        proxy(workshop, calarasi_member)
    person = proxy(workshop, helper)
    with pytest.raises(Forbidden):
        services.idea_create(
            participant_id=person.pk, text="Scaner", entered_by=calarasi_member
        )
    set_phase(workshop, "voting")
    idea = IdeaFactory(workshop=workshop)
    with pytest.raises(Forbidden):
        services.vote_cast(
            participant_id=person.pk, idea_id=idea.pk, entered_by=calarasi_member
        )
    with pytest.raises(Forbidden):
        services.paper_tally_submit(
            user=calarasi_member, workshop_id=workshop.pk, voters=5, counts={idea.pk: 3}
        )
    assert snapshot_of_counts() == (before[0] + 1, before[1] + 1, before[2], before[3])


# --- proxy participants -----------------------------------------------------------------------


def test_a_helper_adds_people_without_a_phone_marked_as_such(workshop, helper):
    ana = proxy(workshop, helper, name="Ana")
    second = proxy(workshop, helper, name="  ")
    assert (ana.is_proxy, ana.entered_by, ana.user, ana.dots_left) == (
        True,
        helper,
        None,
        3,
    )
    assert second.display_name == "Participant 2"


def test_a_helper_posts_and_votes_for_them_under_the_same_budget(workshop, helper):
    ana = proxy(workshop, helper)
    idea = services.idea_create(
        participant_id=ana.pk,
        text="Un scaner în mașina echipei mobile",
        entered_by=helper,
    )
    assert (idea.entered_by, idea.participant, idea.author_role) == (
        helper,
        ana,
        "citizen",
    )
    other = IdeaFactory(workshop=workshop)
    set_phase(workshop, "voting")
    assert (
        services.proxy_dots_cast(
            entered_by=helper, participant_id=ana.pk, idea_ids=[idea.pk, idea.pk]
        )
        == 1
    )
    with pytest.raises(NoDotsLeft):  # two more than the one left: all or none
        services.proxy_dots_cast(
            entered_by=helper, participant_id=ana.pk, idea_ids=[other.pk, other.pk]
        )
    assert Vote.objects.filter(participant=ana).count() == 2
    assert (
        services.vote_cast(participant_id=ana.pk, idea_id=other.pk, entered_by=helper)
        == 0
    )
    with pytest.raises(NoDotsLeft):
        services.vote_cast(participant_id=ana.pk, idea_id=other.pk, entered_by=helper)
    votes = Vote.objects.filter(participant=ana)
    assert {v.channel for v in votes} == {"proxy"} and {
        v.entered_by for v in votes
    } == {helper}
    assert (
        services.vote_retract(participant_id=ana.pk, idea_id=idea.pk, entered_by=helper)
        == 1
    )


def test_the_cap_per_idea_applies_to_proxy_dots(workshop, helper):
    type(workshop).objects.filter(pk=workshop.pk).update(max_dots_per_idea=1)
    ana = proxy(workshop, helper)
    idea = IdeaFactory(workshop=workshop)
    set_phase(workshop, "voting")
    with pytest.raises(Invalid):
        services.proxy_dots_cast(
            entered_by=helper, participant_id=ana.pk, idea_ids=[idea.pk, idea.pk]
        )
    assert (
        Participant.objects.get(pk=ana.pk).dots_left == 3 and not Vote.objects.exists()
    )


def test_a_helper_never_acts_for_a_phone_and_a_phone_never_for_a_proxy(
    workshop, helper, participant
):
    ana = proxy(workshop, helper)
    with pytest.raises(Forbidden):
        services.idea_create(
            participant_id=participant.pk, text="Nu a mea", entered_by=helper
        )
    with pytest.raises(Forbidden):
        services.idea_create(participant_id=ana.pk, text="Fără helper")
    assert not Idea.objects.exists()


def test_proxy_dots_respect_the_phase(workshop, helper):
    ana = proxy(workshop, helper)
    idea = IdeaFactory(workshop=workshop)
    with pytest.raises(PhaseClosed):
        services.proxy_dots_cast(
            entered_by=helper, participant_id=ana.pk, idea_ids=[idea.pk]
        )
    with pytest.raises(Invalid):
        services.proxy_dots_cast(entered_by=helper, participant_id=ana.pk, idea_ids=[])


# --- paper tally sheets --------------------------------------------------------------------


@pytest.fixture
def voting(workshop, ideas):
    return set_phase(workshop, "voting")


def test_a_tally_sheet_counts_beside_live_dots_split_by_channel(
    voting, ideas, helper, participant
):
    first, second, _third = ideas
    services.vote_cast(participant_id=participant.pk, idea_id=second.pk)
    ana = proxy(voting, helper)
    services.vote_cast(participant_id=ana.pk, idea_id=second.pk, entered_by=helper)
    sheet = services.paper_tally_submit(
        user=helper,
        workshop_id=voting.pk,
        voters=4,
        counts={str(first.pk): "5", second.pk: 2, _third.pk: 0},
    )
    assert (
        sheet.round,
        sheet.voters,
        sheet.current,
        sheet.entered_by,
        sheet.total,
    ) == (1, 4, True, helper, 7)
    assert selectors.tallies(voting.pk) == {
        str(first.pk): 5,
        str(second.pk): 4,
        str(_third.pk): 0,
    }
    data = selectors.results(voting)
    assert [
        (i["id"], i["votes"], i["votes_by_channel"]) for i in data["ideas"][:2]
    ] == [
        (first.pk, 5, {"phone": 0, "proxy": 0, "paper": 5}),
        (second.pk, 4, {"phone": 1, "proxy": 1, "paper": 2}),
    ]
    assert data["votes_by_channel"] == {"phone": 1, "proxy": 1, "paper": 7}
    assert selectors.tallies_with_channels(voting.pk)[1] == {
        "proxy": {str(second.pk): 1},
        "paper": {str(first.pk): 5, str(second.pk): 2},
    }


def test_a_sheet_is_submitted_once_per_round(voting, ideas, helper, facilitator):
    services.paper_tally_submit(
        user=helper, workshop_id=voting.pk, voters=4, counts={ideas[0].pk: 3}
    )
    with pytest.raises(Conflict) as refused:
        services.paper_tally_submit(
            user=facilitator, workshop_id=voting.pk, voters=4, counts={ideas[0].pk: 3}
        )
    assert "correction" in refused.value.message
    assert (
        TallySheet.objects.count() == 1
        and selectors.tallies(voting.pk)[str(ideas[0].pk)] == 3
    )
    # Another poster is another round.
    services.paper_tally_submit(
        user=helper,
        workshop_id=voting.pk,
        round_number=2,
        voters=2,
        counts={ideas[0].pk: 1},
    )
    assert selectors.tallies(voting.pk)[str(ideas[0].pk)] == 4


def test_a_correction_is_a_new_visible_sheet_and_only_the_latest_counts(
    voting, ideas, helper, facilitator
):
    original = services.paper_tally_submit(
        user=helper, workshop_id=voting.pk, voters=4, counts={ideas[0].pk: 3}
    )
    with pytest.raises(Invalid):  # a correction says why
        services.paper_tally_submit(
            user=facilitator,
            workshop_id=voting.pk,
            voters=4,
            counts={ideas[0].pk: 2},
            corrects_id=original.pk,
        )
    fixed = services.paper_tally_submit(
        user=facilitator,
        workshop_id=voting.pk,
        voters=4,
        counts={ideas[0].pk: 2, ideas[1].pk: 1},
        corrects_id=original.pk,
        note="Recounted: two dots were on idea 2",
    )
    original.refresh_from_db()
    assert (original.current, fixed.current, fixed.corrects, fixed.round) == (
        False,
        True,
        original,
        1,
    )
    assert selectors.tallies(voting.pk) == {
        str(ideas[0].pk): 2,
        str(ideas[1].pk): 1,
        str(ideas[2].pk): 0,
    }
    sheets = selectors.tally_sheets(voting.pk)
    assert [(s["id"], s["current"], s["total"]) for s in sheets] == [
        (original.pk, False, 3),
        (fixed.pk, True, 3),
    ]
    with pytest.raises(Conflict):  # correcting a corrected sheet again
        services.paper_tally_submit(
            user=facilitator,
            workshop_id=voting.pk,
            voters=4,
            counts={ideas[0].pk: 9},
            corrects_id=original.pk,
            note="again",
        )
    assert TallySheet.objects.count() == 2


def test_the_database_refuses_a_second_current_sheet_of_a_round(voting, ideas, helper):
    from django.db import IntegrityError, transaction

    services.paper_tally_submit(
        user=helper, workshop_id=voting.pk, voters=4, counts={ideas[0].pk: 3}
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        TallySheet.objects.create(workshop=voting, round=1, voters=4, entered_by=helper)


@pytest.mark.parametrize(
    ("voters", "counts", "message"),
    [
        (4, {"first": -1}, "negative"),
        (4, {"first": "-3"}, "negative"),
        (4, {"first": 13}, "more than"),  # 4 people × 3 dots: at most 12 on one idea
        (
            4,
            {"first": 7, "second": 6},
            "more than",
        ),  # 13 dots on a sheet that can hold 12
        (4, {"first": 2.5}, "whole number"),
        (4, {"first": "abc"}, "whole number"),
        (4, {"first": True}, "whole number"),
        (0, {"first": 1}, "from 1"),
        (-2, {"first": 1}, "from 1"),
        (10**9, {"first": 1}, "from 1"),
        ("many", {"first": 1}, "whole number"),
        (4, {}, "no dots"),
        (4, {"first": 0}, "no dots"),
        (4, ["first"], "counts"),
    ],
)
def test_bad_paper_counts_are_refused_and_change_nothing(
    voting, ideas, helper, voters, counts, message
):
    names = {"first": ideas[0].pk, "second": ideas[1].pk}
    if isinstance(counts, dict):
        counts = {names[k]: v for k, v in counts.items()}
    with pytest.raises(Invalid) as refused:
        services.paper_tally_submit(
            user=helper, workshop_id=voting.pk, voters=voters, counts=counts
        )
    assert message in refused.value.message
    assert not TallySheet.objects.exists()


def test_the_cap_per_idea_bounds_paper_dots_too(voting, ideas, helper):
    type(voting).objects.filter(pk=voting.pk).update(max_dots_per_idea=1)
    with pytest.raises(Invalid):
        services.paper_tally_submit(
            user=helper, workshop_id=voting.pk, voters=4, counts={ideas[0].pk: 5}
        )
    services.paper_tally_submit(
        user=helper, workshop_id=voting.pk, voters=4, counts={ideas[0].pk: 4}
    )


def test_unknown_or_hidden_ideas_and_bad_rounds_are_refused(
    voting, ideas, helper, facilitator
):
    services.idea_hide(user=facilitator, idea_id=ideas[2].pk)
    for counts in ({999999: 1}, {ideas[2].pk: 1}):
        with pytest.raises(NotFound):
            services.paper_tally_submit(
                user=helper, workshop_id=voting.pk, voters=4, counts=counts
            )
    for round_number in (0, 21, "x"):
        with pytest.raises(Invalid):
            services.paper_tally_submit(
                user=helper,
                workshop_id=voting.pk,
                voters=4,
                counts={ideas[0].pk: 1},
                round_number=round_number,
            )
    assert not TallySheet.objects.exists()


@pytest.mark.parametrize("phase", ["draft", "ideas", "closed"])
def test_a_closed_round_takes_no_tally_sheet(workshop, ideas, helper, phase):
    set_phase(workshop, phase)
    with pytest.raises(PhaseClosed):
        services.paper_tally_submit(
            user=helper, workshop_id=workshop.pk, voters=4, counts={ideas[0].pk: 1}
        )
    assert not TallySheet.objects.exists()


def test_tallies_are_taken_while_the_results_are_shown(workshop, ideas, helper):
    set_phase(workshop, "results")
    services.paper_tally_submit(
        user=helper, workshop_id=workshop.pk, voters=4, counts={ideas[0].pk: 1}
    )
    assert selectors.tallies(workshop.pk)[str(ideas[0].pk)] == 1


def test_paper_dots_follow_a_merged_idea(voting, ideas, helper, facilitator):
    services.paper_tally_submit(
        user=helper,
        workshop_id=voting.pk,
        voters=4,
        counts={ideas[0].pk: 2, ideas[1].pk: 3},
    )
    services.idea_merge(user=facilitator, keep_id=ideas[0].pk, duplicate_id=ideas[1].pk)
    assert selectors.tallies(voting.pk) == {str(ideas[0].pk): 5, str(ideas[2].pk): 0}


# --- numbers, results and exports -------------------------------------------------------------


def test_idea_numbers_never_change_once_printed(workshop, ideas, facilitator):
    numbers = selectors.idea_numbers(workshop.pk)
    assert sorted(numbers.values()) == [1, 2, 3]
    services.idea_hide(user=facilitator, idea_id=ideas[0].pk)
    assert selectors.idea_numbers(workshop.pk) == numbers


def test_exports_show_the_channel_split_and_who_entered_what(
    client, voting, ideas, helper, facilitator
):
    ana = proxy(voting, helper, name="Ana")
    services.vote_cast(participant_id=ana.pk, idea_id=ideas[1].pk, entered_by=helper)
    set_phase(voting, "ideas")
    proxied = services.idea_create(
        participant_id=ana.pk, text="Formular pe hârtie", entered_by=helper
    )
    set_phase(voting, "voting")
    sheet = services.paper_tally_submit(
        user=helper, workshop_id=voting.pk, voters=4, counts={ideas[0].pk: 5}
    )
    services.paper_tally_submit(
        user=facilitator,
        workshop_id=voting.pk,
        voters=4,
        counts={ideas[0].pk: 4},
        corrects_id=sheet.pk,
        note="=recount",
    )

    rows = list(
        csv.reader(
            io.StringIO(client.get("/w/LIVE23/results.csv").content.decode("utf-8-sig"))
        )
    )
    # Columns: rank, idea, tags, author's role, votes, phone, proxy, paper, idea no., entered by, entered at.
    by_text = {row[1]: row for row in rows[1:]}
    assert by_text[ideas[0].text][4:8] == ["4", "0", "0", "4"]
    assert by_text[ideas[1].text][4:8] == ["1", "0", "1", "0"]
    assert by_text["Formular pe hârtie"][8:10] == [
        str(selectors.idea_numbers(voting.pk)[proxied.pk]),
        helper.get_full_name(),
    ]
    assert by_text["Formular pe hârtie"][10]  # when

    workbook = load_workbook(io.BytesIO(exports.results_xlsx(voting)))
    assert (
        len(workbook.sheetnames) == 5
    )  # results, by role, by tag, paper sheets, helpers' dots
    paper = list(workbook.worksheets[3].values)
    assert [(row[1], row[3]) for row in paper[1:]] == [(1, 5), (1, 4)]
    assert paper[2][6] == "'=recount"  # formula-safe
    helpers = list(workbook.worksheets[4].values)
    assert helpers[1][0] == "Ana" and helpers[1][3] == helper.get_full_name()


def test_the_snapshot_carries_the_split_only_when_votes_are_shown(
    voting, ideas, helper
):
    services.paper_tally_submit(
        user=helper, workshop_id=voting.pk, voters=4, counts={ideas[0].pk: 2}
    )
    shown = selectors.snapshot(voting, participant_id=None, sees_tallies=False)
    assert shown["channels"]["paper"] == {str(ideas[0].pk): 2}
    assert next(i for i in shown["ideas"] if i["id"] == ideas[0].pk)["votes"] == 2
    type(voting).objects.filter(pk=voting.pk).update(blind_voting=True)
    voting.blind_voting = True
    hidden = selectors.snapshot(voting, participant_id=None, sees_tallies=False)
    assert hidden["channels"] is None and {i["votes"] for i in hidden["ideas"]} == {
        None
    }


def test_a_user_without_staff_groups_cannot_be_made_a_helper_through_the_page(
    client, workshop, facilitator
):
    outsider = UserFactory(username="outsider")
    client.force_login(facilitator)
    client.post("/w/LIVE23/assist/helpers/", {"user": outsider.pk})
    assert not WorkshopHelper.objects.exists()

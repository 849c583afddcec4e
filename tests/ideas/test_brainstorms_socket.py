"""Several brainstorms in one room over the live socket, through the real ASGI application: a
phone spends one brainstorm's dots, follows the room to the next and finds that one's ideas
and its whole budget there; a dot or an idea naming the wrong activity is refused with nothing
changed; two tabs of one person never spend more than a brainstorm's budget; a blind
brainstorm's dots reach no phone before its results, whichever brainstorm the room is on.
Runs on SQLite and PostgreSQL."""

import asyncio
import threading

import pytest
from channels.db import database_sync_to_async
from django.db import close_old_connections, connection

from ideas import services
from ideas.errors import NoDotsLeft
from ideas.models import Activity, DotBudget, Idea, Participant, PollOption, Vote

from .conftest import set_phase
from .factories import ParticipantFactory
from .live import Socket, logged_in_cookie
from .test_activities_socket import joined, move

pytestmark = pytest.mark.django_db(transaction=True)

PROBLEMS = ("Cozi lungi la ghișeu", "Lipsa actelor în sat")
SOLUTIONS = ("Programare online", "Echipa mobilă lunar")


def _build_show(workshop, *, problems_blind: bool = False, solutions_cap: int | None = None) -> dict:
    """Two brainstorms with a poll between them, the room on the first (the problems: 2 dots
    each) in voting; the solutions (3 dots each) collect ideas. Two ideas in each."""
    set_phase(workshop, "voting")
    problems = Activity.objects.create(workshop=workshop, position=1, kind="brainstorm", title="Probleme",
                                       dots_per_participant=2, blind=problems_blind, is_current=True, phase="voting")
    poll = Activity(workshop=workshop, position=2, kind="poll", title="Din ce raion veniți?", phase="draft")
    poll.options = [PollOption(text="Rezina"), PollOption(text="Călărași")]
    poll.save()
    solutions = Activity.objects.create(workshop=workshop, position=3, kind="brainstorm", title="Soluții",
                                        dots_per_participant=3, max_dots_per_idea=solutions_cap, phase="ideas")
    ideas = {
        name: [Idea.objects.create(workshop=workshop, activity=activity, text=text).pk for text in texts]
        for name, activity, texts in (("problems", problems, PROBLEMS), ("solutions", solutions, SOLUTIONS))
    }
    return {"problems": problems, "poll": poll, "solutions": solutions, "ideas": ideas}


build_show = database_sync_to_async(_build_show)


@database_sync_to_async
def stored() -> dict:
    return {
        "ideas": sorted(Idea.objects.values_list("pk", "activity_id", "text")),
        "votes": sorted(Vote.objects.values_list("participant_id", "idea_id")),
        "budgets": sorted(DotBudget.objects.values_list("participant_id", "activity_id", "dots_left")),
        "participants": sorted(Participant.objects.values_list("pk", "dots_left")),
    }


@pytest.fixture
async def host(facilitator):
    socket = Socket("LIVE23", await database_sync_to_async(logged_in_cookie)(facilitator))
    yield socket
    await socket.close()


@database_sync_to_async
def helper_dot(helper, workshop, idea_id: int) -> None:
    """A helper adds a person without a phone and places a dot for them."""
    person = services.participant_join(workshop=workshop, display_name="", role="citizen", entered_by=helper)
    services.vote_cast(participant_id=person.pk, idea_id=idea_id, entered_by=helper)


def texts(snapshot: dict) -> list[str]:
    return [idea["text"] for idea in snapshot["ideas"]]


def refused(reply: dict, code: str) -> bool:
    return reply["type"] == "error" and reply["code"] == code and bool(reply["message"])


async def test_a_phone_follows_the_room_to_the_next_brainstorm_and_finds_its_ideas_and_whole_budget(workshop, host):
    show = await build_show(workshop)
    problems, solutions = show["ideas"]["problems"], show["ideas"]["solutions"]
    await host.open()
    phone = Socket("LIVE23", await joined())
    first = await phone.open()
    assert texts(first) == list(PROBLEMS)
    assert (first["me"]["dots_left"], first["workshop"]["dots_per_participant"]) == (2, 2)

    assert [(await phone.request("vote.cast", idea=problems[0]))["dots_left"] for _ in range(2)] == [1, 0]
    assert refused(await phone.request("vote.cast", idea=problems[1]), "no_dots_left")

    await move(host, show["solutions"], "voting")
    moved = await phone.until(lambda f: f["type"] == "activity")
    assert (moved["activity"]["id"], moved["activity"]["dots_per_participant"]) == (show["solutions"].pk, 3)
    await phone.until(lambda f: f["type"] == "phase" and f["phase"] == "voting")
    # What live.js does on an `activity` frame that changes the room's brainstorm.
    state = await phone.request("sync")
    assert texts(state) == list(SOLUTIONS)
    assert (state["me"]["dots_left"], state["workshop"]["dots_per_participant"]) == (3, 3)
    assert state["workshop"]["phase"] == "voting" and state["current_activity"] == show["solutions"].pk

    # A dot naming another brainstorm than its idea's, an idea posted to a poll: not found,
    # nothing stored, the socket still answers.
    before = await stored()
    assert refused(await phone.request("vote.cast", idea=solutions[0], activity=show["problems"].pk), "not_found")
    assert refused(await phone.request("vote.retract", idea=problems[0], activity=show["solutions"].pk), "not_found")
    assert refused(await phone.request("idea.post", text="Ghișeu unic", activity=show["poll"].pk), "not_found")
    assert await stored() == before
    assert texts(await phone.request("sync")) == list(SOLUTIONS)

    ack = await phone.request("vote.cast", idea=solutions[0], activity=show["solutions"].pk)
    assert (ack["type"], ack["dots_left"]) == ("ack", 2)
    assert (await phone.request("vote.cast", idea=solutions[1]))["dots_left"] == 1
    tally = await phone.until(lambda f: f["type"] == "tally" and f.get("votes", {}).get(str(solutions[1])) == 1)
    assert tally["votes"][str(solutions[0])] == 1
    assert (await phone.request("sync"))["me"]["dots_left"] == 1
    budgets = await database_sync_to_async(
        lambda: dict(DotBudget.objects.values_list("activity_id", "dots_left")))()
    assert budgets == {show["problems"].pk: 0, show["solutions"].pk: 1}
    await phone.close()


async def test_two_tabs_of_one_person_voting_at_once_spend_no_more_than_the_brainstorms_budget(workshop, host):
    """The second brainstorm's budget is made by its first dot: both tabs fire before any
    exists. At most 2 dots on one idea there."""
    show = await build_show(workshop, solutions_cap=2)
    solutions = show["ideas"]["solutions"]
    await host.open()
    await move(host, show["solutions"], "voting")
    cookie = await joined()
    tabs = [Socket("LIVE23", cookie), Socket("LIVE23", cookie)]
    for tab in tabs:
        await tab.open()
    sent: list[list[str]] = [[], []]
    for n in range(8):  # 4 dots on each idea, alternating tabs: at most 2 + 2 could fit the cap
        sent[n % 2].append(await tabs[n % 2].send("vote.cast", idea=solutions[n // 2 % 2]))
    answered = await asyncio.gather(*(tab.replies(refs, timeout=20) for tab, refs in zip(tabs, sent, strict=True)))
    replies = [frame for per_tab in answered for frame in per_tab.values()]
    acks = [r for r in replies if r["type"] == "ack"]
    assert len(replies) == 8 and len(acks) == 3
    assert sorted(a["dots_left"] for a in acks) == [0, 1, 2]
    assert {r["code"] for r in replies if r["type"] == "error"} <= {"no_dots_left", "invalid"}

    votes = await database_sync_to_async(lambda: list(Vote.objects.values_list("idea_id", flat=True)))()
    assert len(votes) == 3 and all(votes.count(pk) <= 2 for pk in solutions)
    assert await database_sync_to_async(lambda: list(DotBudget.objects.values_list("activity_id", "dots_left")))() == [
        (show["solutions"].pk, 0)]
    expected = {str(pk): votes.count(pk) for pk in solutions}
    await host.until(lambda f: f["type"] == "tally" and all(f["votes"].get(k) == n for k, n in expected.items()),
                     timeout=10)
    for tab in tabs:
        await tab.close()


def test_ten_threads_racing_for_the_first_dots_of_a_brainstorm(workshop, facilitator):
    """Straight at the service, each thread with its own database connection: the budget's row
    does not exist when they start, so the INSERT … ON CONFLICT itself must refuse the fourth."""
    show = _build_show(workshop)
    services.activity_set(user=facilitator, workshop_id=workshop.pk, activity_id=show["solutions"].pk)
    services.phase_set(user=facilitator, workshop_id=workshop.pk, phase="voting")
    voter = ParticipantFactory(workshop=workshop)
    idea = show["ideas"]["solutions"][0]
    barrier = threading.Barrier(10)
    outcomes: list[str] = []
    lock = threading.Lock()

    def vote():
        try:
            barrier.wait(timeout=10)
            services.vote_cast(participant_id=voter.pk, idea_id=idea)
            result = "ack"
        except NoDotsLeft:
            result = "no_dots_left"
        except Exception as exc:  # noqa: BLE001 - any other outcome fails the test below
            result = f"{type(exc).__name__}: {exc}"
        finally:
            connection.close()
        with lock:
            outcomes.append(result)

    threads = [threading.Thread(target=vote) for _ in range(10)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    close_old_connections()

    assert sorted(outcomes) == ["ack"] * 3 + ["no_dots_left"] * 7
    assert Vote.objects.filter(participant=voter, idea_id=idea).count() == 3
    assert list(DotBudget.objects.filter(participant=voter).values_list("activity_id", "dots_left")) == [
        (show["solutions"].pk, 0)]


async def test_a_blind_brainstorms_dots_reach_no_phone_before_its_results(workshop, host, facilitator):
    """The problems are blind, the solutions are not. On the problems (voting) phones' tallies
    carry no dots at all; on the solutions (voting) they carry the solutions' dots, and still
    none of the problems' (which keep voting while the room is elsewhere)."""
    show = await build_show(workshop, problems_blind=True)
    problems, solutions = show["ideas"]["problems"], show["ideas"]["solutions"]
    await database_sync_to_async(  # the solutions vote too, by their own phase, while the room is away
        lambda: Activity.objects.filter(pk=show["solutions"].pk).update(phase="voting"))()
    await host.open()
    maria, ion = Socket("LIVE23", await joined("Maria")), Socket("LIVE23", await joined("Ion", "provider"))
    for phone in (maria, ion):
        state = await phone.open()
        assert state["workshop"]["blind_voting"] is True and [i["votes"] for i in state["ideas"]] == [None, None]

    assert (await maria.request("vote.cast", idea=problems[0]))["type"] == "ack"
    assert (await ion.request("vote.cast", idea=solutions[0], activity=show["solutions"].pk))["type"] == "ack"
    await helper_dot(facilitator, workshop, problems[1])  # a dot a helper places: `channels.proxy`
    seen = await host.until(lambda f: f["type"] == "tally" and f["votes"].get(str(problems[0])) == 1
                            and f["votes"].get(str(solutions[0])) == 1 and f["votes"].get(str(problems[1])) == 1)
    assert seen["channels"]["proxy"] == {str(problems[1]): 1}
    for phone in (maria, ion):
        theirs = await phone.until(lambda f, seq=seen["seq"]: f["type"] == "tally" and f["seq"] >= seq)
        assert theirs.get("hidden") is True and "votes" not in theirs, theirs

    await move(host, show["solutions"], "voting")
    for phone in (maria, ion):
        phase = await phone.until(lambda f: f["type"] == "phase")
        assert (phase["phase"], phase["tallies_visible"]) == ("voting", True)
    assert (await maria.request("vote.cast", idea=solutions[1]))["type"] == "ack"
    seen = await host.until(lambda f: f["type"] == "tally" and f["votes"].get(str(solutions[1])) == 1)
    for phone in (maria, ion):
        theirs = await phone.until(lambda f, seq=seen["seq"]: f["type"] == "tally" and f["seq"] >= seq)
        assert {k: theirs["votes"].get(k) for k in map(str, solutions)} == {str(solutions[0]): 1,
                                                                           str(solutions[1]): 1}
        # Nothing of the blind brainstorm's dots: not in `votes`, not in the helpers' share.
        assert not {str(pk) for pk in problems} & set(theirs["votes"]), theirs
        assert not any(theirs.get("channels", {}).values()), theirs
        state = await phone.request("sync")
        assert [i["votes"] for i in state["ideas"]] == [1, 1] and state["workshop"]["blind_voting"] is False
        assert not any(state["channels"].values()), state["channels"]

    # Back on the problems, still voting: blind again.
    await move(host, show["problems"], "voting")
    assert (await ion.request("vote.cast", idea=problems[1]))["type"] == "ack"
    seen = await host.until(lambda f: f["type"] == "tally" and f["votes"].get(str(problems[1])) == 2)
    for phone in (maria, ion):
        theirs = await phone.until(lambda f, seq=seen["seq"]: f["type"] == "tally" and f["seq"] >= seq)
        assert theirs.get("hidden") is True and "votes" not in theirs, theirs
        assert [i["votes"] for i in (await phone.request("sync"))["ideas"]] == [None, None]
    for phone in (maria, ion):
        await phone.close()

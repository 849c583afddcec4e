"""The run of show over the live socket, through the real ASGI application: the facilitator
moves the room, phones follow and answer each kind, the room gets the tallies, and every
refusal is an error frame with the socket still open and nothing stored."""

import asyncio
import json

import pytest
from channels.db import database_sync_to_async

from ideas.models import (
    Activity,
    Idea,
    PollAnswer,
    PollOption,
    ScaleRating,
    ScaleStatement,
    Vote,
    WordEntry,
)
from tests.factories import WorkshopPageFactory

from .conftest import set_phase
from .factories import run_of_show
from .live import Socket, joined_cookie, logged_in_cookie

pytestmark = pytest.mark.django_db(transaction=True)


@database_sync_to_async
def build_run(workshop, kind: str = "brainstorm", phase: str = "ideas") -> dict:
    """DEMO29's run of show on LIVE23, the room on its `kind` activity in `phase`."""
    set_phase(workshop, phase)
    made = run_of_show(workshop, current=kind)
    return {
        "activities": made,
        "options": list(PollOption.objects.filter(activity=made["poll"]).order_by("sort_order", "pk")
                        .values_list("pk", flat=True)),
        "statements": list(ScaleStatement.objects.filter(activity=made["scale"]).order_by("sort_order", "pk")
                           .values_list("pk", flat=True)),
    }


@database_sync_to_async
def set_activity(activity, **fields):
    Activity.objects.filter(pk=activity.pk).update(**fields)


@database_sync_to_async
def stored() -> dict:
    return {
        "poll_answers": sorted(PollAnswer.options.through.objects.values_list("pollanswer_id", "polloption_id")),
        "ratings": sorted(ScaleRating.objects.values_list("participant_id", "statement_id", "value")),
        "words": sorted(WordEntry.objects.values_list("participant_id", "text")),
        "activities": sorted(Activity.objects.values_list("pk", "phase", "is_current")),
        "ideas": Idea.objects.count(),
        "votes": Vote.objects.count(),
    }


async def joined(name: str = "Maria", role: str = "citizen") -> str:
    return await database_sync_to_async(joined_cookie)("LIVE23", name, role)


@pytest.fixture
async def host(facilitator):
    socket = Socket("LIVE23", await database_sync_to_async(logged_in_cookie)(facilitator))
    yield socket
    await socket.close()


async def move(host: Socket, activity, phase: str) -> None:
    """The facilitator moves the room to `activity` and sets its phase."""
    ack = await host.request("activity.set", activity=activity.pk)
    assert (ack["type"], ack["activity"]) == ("ack", activity.pk), ack
    ack = await host.request("phase.set", phase=phase)
    assert (ack["type"], ack["phase"]) == ("ack", phase), ack


def tally_of(activity, key: str, expected):
    return lambda f: f["type"] == "tally" and f.get("activity") == activity.pk and f.get(key) == expected


# --- the room moves, phones follow -------------------------------------------------------------------


async def test_moving_the_room_sends_every_phone_the_activity_then_its_phase(workshop, host):
    run = await build_run(workshop)
    poll, scale = run["activities"]["poll"], run["activities"]["scale"]
    await host.open()
    phones = [Socket("LIVE23", await joined("Maria", "citizen")), Socket("LIVE23", await joined("Ion", "provider")),
              Socket("LIVE23")]  # the wall: an observer
    for phone in phones:
        await phone.open()

    ack = await host.request("activity.set", activity=scale.pk)
    assert ack == {"type": "ack", "ref": ack["ref"], "activity": scale.pk, "phase": "draft"}
    for phone in phones:
        moved = await phone.until(lambda f: f["type"] == "activity")
        phase = await phone.until(lambda f: f["type"] == "phase")
        view = moved["activity"]
        assert (view["id"], view["kind"], view["title"], view["phase"]) == (scale.pk, "scale", scale.title, "draft")
        assert view["statements"] == [
            {"id": pk, "text": text} for pk, text in zip(run["statements"], (
                "să aflu ce acte trebuie", "să depun cererea", "să aflu în ce stadiu este"), strict=True)
        ]
        assert view["labels"] == {"low": "foarte greu", "high": "foarte ușor"}
        assert phase["phase"] == "draft" and phase["seq"] > moved["seq"]

    await host.request("activity.set", activity=poll.pk)
    for phone in phones:
        view = (await phone.until(lambda f: f["type"] == "activity"))["activity"]
        assert (view["kind"], view["max_choices"]) == ("poll", 1)
        assert view["options"] == [
            {"id": pk, "text": text}
            for pk, text in zip(run["options"], ("Dubăsari", "Călărași", "Rezina", "alt raion"), strict=True)
        ]
        assert (await phone.until(lambda f: f["type"] == "phase"))["phase"] == "draft"
        await phone.close()


async def test_a_phone_joins_and_answers_while_the_room_is_on_an_open_poll(workshop, host):
    run = await build_run(workshop, "poll", "open")
    await host.open()
    phone = Socket("LIVE23", await joined())
    snapshot = await phone.open()
    assert snapshot["workshop"]["phase"] == "open"
    ack = await phone.request("poll.answer", activity=run["activities"]["poll"].pk, options=[run["options"][2]])
    assert ack == {"type": "ack", "ref": ack["ref"], "activity": run["activities"]["poll"].pk,
                   "options": [run["options"][2]]}
    await phone.close()


async def test_phones_answer_each_kind_and_the_room_gets_its_tallies(workshop, host):
    run = await build_run(workshop)
    poll, scale, words = (run["activities"][kind] for kind in ("poll", "scale", "words"))
    await host.open()
    maria, ion = Socket("LIVE23", await joined("Maria")), Socket("LIVE23", await joined("Ion", "provider"))
    await maria.open()
    await ion.open()

    await move(host, poll, "open")
    dubasari, calarasi = run["options"][:2]
    assert (await maria.request("poll.answer", activity=poll.pk, options=[dubasari]))["options"] == [dubasari]
    assert (await ion.request("poll.answer", activity=poll.pk, options=[str(calarasi)]))["options"] == [calarasi]
    expected = {str(pk): 0 for pk in run["options"]} | {str(dubasari): 1, str(calarasi): 1}
    for socket in (host, maria, ion):
        await socket.until(tally_of(poll, "counts", expected))

    await move(host, scale, "open")
    first = run["statements"][0]
    ack = await maria.request("scale.rate", activity=scale.pk, statement=first, value=4)
    assert ack == {"type": "ack", "ref": ack["ref"], "activity": scale.pk, "statement": first, "value": 4}
    await ion.request("scale.rate", activity=scale.pk, statement=first, value=1)
    for socket in (host, maria, ion):
        await socket.until(tally_of(scale, "distribution", {str(first): [1, 0, 0, 1, 0]}))

    await move(host, words, "open")
    ack = await maria.request("words.add", activity=words.pk, text="Acte")
    assert ack == {"type": "ack", "ref": ack["ref"], "activity": words.pk, "text": "Acte", "already": False}
    assert (await maria.request("words.add", activity=words.pk, text="ACTE"))["already"] is True
    await ion.request("words.add", activity=words.pk, text="acte")
    await ion.request("words.add", activity=words.pk, text="coadă")
    cloud = [{"text": "Acte", "count": 2}, {"text": "coadă", "count": 1}]
    for socket in (host, maria, ion):
        await socket.until(tally_of(words, "words", cloud))

    # The facilitator takes a word off the cloud: every screen's next tally is without it.
    ack = await host.request("words.hide", activity=words.pk, text="coada")
    assert (ack["type"], ack["activity"]) == ("ack", words.pk)
    for socket in (host, maria, ion):
        await socket.until(tally_of(words, "words", [{"text": "Acte", "count": 2}]))
    await maria.close()
    await ion.close()


async def test_a_blind_poll_is_hidden_from_phones_but_not_from_the_facilitator_until_its_results(workshop, host):
    run = await build_run(workshop, "poll", "open")
    poll = run["activities"]["poll"]
    await set_activity(poll, blind=True)
    host_snapshot = await host.open()
    phone = Socket("LIVE23", await joined())
    snapshot = await phone.open()
    assert snapshot["activity"]["hidden"] is True and "counts" not in snapshot["activity"]
    assert "hidden" not in host_snapshot["activity"] and "counts" in host_snapshot["activity"]

    await phone.request("poll.answer", activity=poll.pk, options=[run["options"][0]])
    counted = {str(pk): 0 for pk in run["options"]} | {str(run["options"][0]): 1}
    seen = await host.until(tally_of(poll, "counts", counted))
    # The same frame (same seq) reaches the phone naming the poll, without its counts.
    theirs = await phone.until(lambda f: f["type"] == "tally" and f["seq"] == seen["seq"])
    assert theirs["activity"] == poll.pk and "counts" not in theirs
    resynced = await phone.request("sync")
    assert resynced["activity"]["hidden"] is True and "counts" not in resynced["activity"]

    await host.request("phase.set", phase="results")
    await phone.until(tally_of(poll, "counts", counted))
    revealed = await phone.request("sync")
    assert revealed["activity"]["counts"] == counted and "hidden" not in revealed["activity"]
    await phone.close()


# --- refusals ------------------------------------------------------------------------------------------


@pytest.fixture
async def open_room(workshop, tree):
    """The room on the open poll; the scale and the word cloud left open; a second poll in
    draft; a poll of another workshop."""
    run = await build_run(workshop, "poll", "open")

    @database_sync_to_async
    def more():
        Activity.objects.filter(pk__in=[run["activities"]["scale"].pk, run["activities"]["words"].pk]).update(
            phase="open")
        draft = Activity.objects.create(workshop=workshop, position=9, kind="poll", title="Ciornă")
        other = WorkshopPageFactory(parent=tree["workshop_index"], title="Alt atelier", join_code="ALT777",
                                    phase="open")
        theirs = run_of_show(other, current="poll")
        return {
            "draft_poll": draft.pk,
            "draft_option": PollOption.objects.create(activity=draft, text="Da").pk,
            "their_poll": theirs["poll"].pk,
            "their_option": theirs["poll"].options.first().pk,
            "their_statement": theirs["scale"].statements.first().pk,
        }

    run.update(await more())
    return run


def _poll(run, **fields):
    return {"activity": run["activities"]["poll"].pk, "options": [run["options"][0]], **fields}


def _scale(run, **fields):
    return {"activity": run["activities"]["scale"].pk, "statement": run["statements"][0], "value": 3, **fields}


def _words(run, **fields):
    return {"activity": run["activities"]["words"].pk, "text": "acte", **fields}


BAD_INPUT = {
    # an option, statement or activity of another poll, scale or workshop
    "option of another poll": ("phone", "poll.answer", lambda r: _poll(r, options=[r["draft_option"]]), "not_found"),
    "option of another workshop": ("phone", "poll.answer", lambda r: _poll(r, options=[r["their_option"]]),
                                   "not_found"),
    "poll of another workshop": ("phone", "poll.answer",
                                 lambda r: _poll(r, activity=r["their_poll"], options=[r["their_option"]]),
                                 "not_found"),
    "statement of another workshop": ("phone", "scale.rate", lambda r: _scale(r, statement=r["their_statement"]),
                                      "not_found"),
    "a scale is no poll": ("phone", "poll.answer", lambda r: _poll(r, activity=r["activities"]["scale"].pk),
                           "not_found"),
    "activity of another workshop": ("host", "activity.set", lambda r: {"activity": r["their_poll"]}, "not_found"),
    # a closed activity
    "a poll in draft": ("phone", "poll.answer", lambda r: _poll(r, activity=r["draft_poll"],
                                                               options=[r["draft_option"]]), "phase_closed"),
    "a poll is no word cloud": ("phone", "words.add", lambda r: _words(r, activity=r["draft_poll"]), "not_found"),
    # zero or too many options, a value outside 1-5, a bad word
    "no option": ("phone", "poll.answer", lambda r: _poll(r, options=[]), "invalid"),
    "options not a list": ("phone", "poll.answer", lambda r: _poll(r, options=r["options"][0]), "invalid"),
    "too many options": ("phone", "poll.answer", lambda r: _poll(r, options=r["options"][:2]), "invalid"),
    "a rating of 0": ("phone", "scale.rate", lambda r: _scale(r, value=0), "invalid"),
    "a rating of 6": ("phone", "scale.rate", lambda r: _scale(r, value=6), "invalid"),
    "a rating of 2.5": ("phone", "scale.rate", lambda r: _scale(r, value=2.5), "invalid"),
    "a rating as text": ("phone", "scale.rate", lambda r: _scale(r, value="3"), "invalid"),
    "a rating of true": ("phone", "scale.rate", lambda r: _scale(r, value=True), "invalid"),
    "an empty word": ("phone", "words.add", lambda r: _words(r, text=""), "invalid"),
    "a blank word": ("phone", "words.add", lambda r: _words(r, text="   "), "invalid"),
    "a word too long": ("phone", "words.add", lambda r: _words(r, text="x" * 26), "invalid"),
    "no activity": ("phone", "poll.answer", lambda r: {"options": [r["options"][0]]}, "invalid"),
    "activity not a number": ("phone", "scale.rate", lambda r: _scale(r, activity="sondaj"), "invalid"),
    # a non-facilitator moving the room or hiding a word; someone who has not joined
    "a phone moves the room": ("phone", "activity.set", lambda r: {"activity": r["activities"]["scale"].pk},
                               "forbidden"),
    "a phone hides a word": ("phone", "words.hide", lambda r: _words(r), "forbidden"),
    "an observer answers": ("observer", "poll.answer", lambda r: _poll(r), "not_joined"),
    "an observer rates": ("observer", "scale.rate", lambda r: _scale(r), "not_joined"),
    "an observer adds a word": ("observer", "words.add", lambda r: _words(r), "not_joined"),
}


@pytest.mark.parametrize("case", list(BAD_INPUT))
async def test_bad_input_gets_its_error_code_changes_nothing_and_the_socket_stays_open(
    workshop, open_room, host, case
):
    sender, message_type, fields, code = BAD_INPUT[case]
    await host.open()
    socket = {"host": host, "phone": Socket("LIVE23", await joined()), "observer": Socket("LIVE23")}[sender]
    if socket is not host:
        await socket.open()
    before = await stored()
    reply = await socket.request(message_type, **fields(open_room))
    assert (reply["type"], reply["code"]) == ("error", code), reply
    assert reply["message"]
    assert await stored() == before
    assert (await socket.request("sync"))["type"] == "snapshot"
    if socket is not host:
        await socket.close()


async def test_a_fourth_word_is_invalid_and_the_first_three_stay(workshop, open_room):
    words = open_room["activities"]["words"]
    phone = Socket("LIVE23", await joined())
    await phone.open()
    for text in ("acte", "coadă", "internet"):
        assert (await phone.request("words.add", activity=words.pk, text=text))["type"] == "ack"
    before = await stored()
    reply = await phone.request("words.add", activity=words.pk, text="rapid")
    assert (reply["type"], reply["code"]) == ("error", "invalid")
    assert await stored() == before
    assert (await phone.request("sync"))["me"]["answers"][str(words.pk)] == ["acte", "coadă", "internet"]
    await phone.close()


async def test_a_retried_ref_is_applied_once(workshop, open_room):
    poll, words = open_room["activities"]["poll"], open_room["activities"]["words"]
    cookie = await joined()
    first = Socket("LIVE23", cookie)
    await first.open()
    answer = {"type": "poll.answer", "ref": "phone-1", "activity": poll.pk, "options": [open_room["options"][1]]}
    word = {"type": "words.add", "ref": "phone-2", "activity": words.pk, "text": "Acte"}
    for message in (answer, word):
        await first.send_raw(json.dumps(message))
        ack = await first.reply(message["ref"])
        assert ack["type"] == "ack" and "replayed" not in ack
    await first.close()

    # The phone never saw those acks: it reconnects and sends both again with their refs.
    again = Socket("LIVE23", cookie)
    await again.open()
    await again.send_raw(json.dumps(answer))
    assert await again.reply("phone-1") == {"type": "ack", "ref": "phone-1", "activity": poll.pk,
                                            "options": [open_room["options"][1]], "replayed": True}
    await again.send_raw(json.dumps(word))
    assert await again.reply("phone-2") == {"type": "ack", "ref": "phone-2", "activity": words.pk, "text": "Acte",
                                            "already": False, "replayed": True}
    assert await database_sync_to_async(PollAnswer.objects.count)() == 1
    assert await database_sync_to_async(WordEntry.objects.count)() == 1
    # The same ref on another answer is refused.
    await again.send_raw(json.dumps({**answer, "options": [open_room["options"][2]]}))
    assert (await again.reply("phone-1"))["code"] == "invalid"
    await again.close()


async def test_two_sockets_of_one_person_answering_at_once_leave_one_answer(workshop, open_room):
    poll, scale = open_room["activities"]["poll"], open_room["activities"]["scale"]
    cookie = await joined()
    tabs = [Socket("LIVE23", cookie), Socket("LIVE23", cookie)]
    for tab in tabs:
        await tab.open()
    options = open_room["options"]
    # Each tab sends its answer and its rating before reading (one reader per socket), and the
    # two tabs read their acks at once: the server gets the four writes interleaved.
    sent = []
    for tab, option, value in zip(tabs, options[:2], (2, 5), strict=True):
        sent.append([
            await tab.send("poll.answer", activity=poll.pk, options=[option]),
            await tab.send("scale.rate", activity=scale.pk, statement=open_room["statements"][0], value=value),
        ])
    found = await asyncio.gather(*(tab.replies(refs) for tab, refs in zip(tabs, sent, strict=True)))
    assert [reply["type"] for replies in found for reply in replies.values()] == ["ack"] * 4

    @database_sync_to_async
    def answers():
        return (list(PollAnswer.objects.values_list("participant_id", flat=True)),
                list(PollAnswer.options.through.objects.values_list("polloption_id", flat=True)),
                list(ScaleRating.objects.values_list("value", flat=True)))

    people, chosen, ratings = await answers()
    assert len(people) == 1 and len(chosen) == 1 and chosen[0] in options[:2]
    assert len(ratings) == 1 and ratings[0] in (2, 5)
    for tab in tabs:
        await tab.close()


# --- what a screen gets on connect ------------------------------------------------------------------


async def test_an_observers_snapshot_has_the_run_of_show_and_the_current_activity(workshop, open_room):
    made = open_room["activities"]
    wall = Socket("LIVE23")
    snapshot = await wall.open()
    assert snapshot["activities"] == [
        {"id": made[kind].pk, "kind": kind, "title": made[kind].title, "phase": phase, "position": position,
         "translations": {}}
        for kind, phase, position in (("poll", "open", 1), ("scale", "open", 2), ("brainstorm", "draft", 3),
                                      ("words", "open", 4))
    ] + [{"id": open_room["draft_poll"], "kind": "poll", "title": "Ciornă", "phase": "draft", "position": 9,
            "translations": {}}]
    assert snapshot["current_activity"] == made["poll"].pk
    view = snapshot["activity"]
    assert (view["id"], view["kind"], view["phase"]) == (made["poll"].pk, "poll", "open")
    assert [o["text"] for o in view["options"]] == ["Dubăsari", "Călărași", "Rezina", "alt raion"]
    assert view["counts"] == {str(pk): 0 for pk in open_room["options"]}
    assert snapshot["me"]["participant"] is None and snapshot["me"]["answers"] == {}
    await wall.close()


async def test_my_answers_come_back_after_a_reconnect(workshop, open_room):
    made = open_room["activities"]
    cookie = await joined()
    phone = Socket("LIVE23", cookie)
    await phone.open()
    await phone.request("poll.answer", activity=made["poll"].pk, options=[open_room["options"][3]])
    first, second, _third = open_room["statements"]
    await phone.request("scale.rate", activity=made["scale"].pk, statement=first, value=4)
    await phone.request("scale.rate", activity=made["scale"].pk, statement=second, value=2)
    await phone.request("words.add", activity=made["words"].pk, text="Acte")
    await phone.request("words.add", activity=made["words"].pk, text="coadă")
    await phone.close()

    back = Socket("LIVE23", cookie)
    snapshot = await back.open()
    assert snapshot["me"]["answers"] == {
        str(made["poll"].pk): [open_room["options"][3]],
        str(made["scale"].pk): {str(first): 4, str(second): 2},
        str(made["words"].pk): ["Acte", "coadă"],
    }
    other = Socket("LIVE23", await joined("Ion"))
    assert (await other.open())["me"]["answers"] == {}
    await back.close()
    await other.close()


# --- clients that know nothing of activities ---------------------------------------------------------


async def test_old_clients_post_and_vote_in_the_brainstorm_without_naming_it(workshop, host):
    run = await build_run(workshop)
    brainstorm = run["activities"]["brainstorm"]
    await host.open()
    phone = Socket("LIVE23", await joined())
    await phone.open()
    ack = await phone.request("idea.post", text="Scaner în mașină", tags=["echipa mobilă"])
    assert ack["type"] == "ack"
    idea_id = ack["idea"]["id"]
    assert await database_sync_to_async(Idea.objects.filter(pk=idea_id, activity=brainstorm).exists)()
    assert (await host.request("phase.set", phase="voting"))["phase"] == "voting"
    assert (await phone.until(lambda f: f["type"] == "phase"))["phase"] == "voting"
    assert (await phone.request("vote.cast", idea=idea_id))["dots_left"] == 2
    await phone.until(lambda f: f["type"] == "tally" and f["votes"] == {str(idea_id): 1})
    await phone.close()


async def test_old_clients_still_post_ideas_while_the_room_is_on_a_poll(workshop, host):
    run = await build_run(workshop)
    await host.open()
    phone = Socket("LIVE23", await joined())
    await phone.open()
    await move(host, run["activities"]["poll"], "open")
    ack = await phone.request("idea.post", text="Ghișeu unic")
    assert ack["type"] == "ack"
    reply = await phone.request("vote.cast", idea=ack["idea"]["id"])
    assert (reply["type"], reply["code"]) == ("error", "phase_closed")
    await phone.close()


async def test_a_blind_brainstorm_stays_blind_while_the_room_shows_a_polls_results(workshop, facilitator):
    """A blind brainstorm stays blind while the room is elsewhere: revealing a poll reveals no dots."""
    run = await build_run(workshop, "brainstorm", "voting")
    await database_sync_to_async(
        lambda: Activity.objects.filter(pk=run["activities"]["brainstorm"].pk).update(blind=True))()
    idea, spare = [await database_sync_to_async(Idea.objects.create)(
        workshop=workshop, activity=run["activities"]["brainstorm"], text=text) for text in ("Scaner", "Chioșc")]
    host_cookie = await database_sync_to_async(logged_in_cookie)(facilitator)
    host = Socket("LIVE23", host_cookie)
    await host.open()
    phone = Socket("LIVE23", await joined())
    await phone.open()
    assert (await phone.request("vote.cast", idea=idea.pk))["type"] == "ack"
    await move(host, run["activities"]["poll"], "open")
    await host.request("phase.set", phase="results")
    phase = await phone.until(lambda f: f["type"] == "phase" and f["phase"] == "results")
    assert phase["tallies_visible"] is False
    seen = await host.until(lambda f: f["type"] == "tally" and f["votes"].get(str(idea.pk)) == 1)
    theirs = await phone.until(lambda f: f["type"] == "tally" and f["seq"] >= seen["seq"])
    assert theirs.get("hidden") is True and "votes" not in theirs
    snapshot = await phone.request("sync")
    assert snapshot["workshop"]["tallies_visible"] is False
    assert [i["votes"] for i in snapshot["ideas"]] == [None, None]

    # Everyone leaves; the first screen back opens the room's relay again, blind as before.
    await phone.close()
    await host.close()
    late = Socket("LIVE23", await joined("Ion"))
    assert [i["votes"] for i in (await late.open())["ideas"]] == [None, None]
    again = Socket("LIVE23", host_cookie)
    await again.open()
    assert (await again.request("idea.hide", idea=spare.pk))["type"] == "ack"
    seen = await again.until(lambda f: f["type"] == "tally" and str(spare.pk) not in f["votes"])
    theirs = await late.until(lambda f: f["type"] == "tally" and f["seq"] >= seen["seq"])
    assert theirs.get("hidden") is True and "votes" not in theirs
    await late.close()
    await again.close()

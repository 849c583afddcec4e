"""The live protocol, driven through the real ASGI application with WebsocketCommunicator:
every message type and every error code, and the connection stays open after each error."""

import json

import pytest
from channels.db import database_sync_to_async

from ideas.models import Idea, Participant, Vote

from .conftest import set_phase
from .factories import IdeaFactory
from .live import Socket, joined_cookie, logged_in_cookie

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def citizen_cookie(workshop):
    return joined_cookie("LIVE23", "Maria", "citizen")


@pytest.fixture
def facilitator_cookie(facilitator):
    return logged_in_cookie(facilitator)


async def test_snapshot_on_connect_describes_the_room_and_me(workshop, citizen_cookie):
    await database_sync_to_async(IdeaFactory)(workshop=workshop, text="Scaner")
    socket = Socket("LIVE23", citizen_cookie)
    snapshot = await socket.open()
    assert snapshot["workshop"]["code"] == "LIVE23"
    assert snapshot["workshop"]["phase"] == "ideas"
    assert snapshot["workshop"]["dots_per_participant"] == 3
    assert [i["text"] for i in snapshot["ideas"]] == ["Scaner"]
    assert snapshot["me"]["name"] == "Maria" and snapshot["me"]["dots_left"] == 3
    assert snapshot["me"]["participant"] is not None
    assert isinstance(snapshot["seq"], int) and snapshot["online"] >= 1
    await socket.close()


async def test_an_observer_gets_the_snapshot_and_not_joined_for_changes(workshop):
    socket = Socket("lIvE23")  # codes forgive case
    snapshot = await socket.open()
    assert snapshot["me"]["participant"] is None
    reply = await socket.request("idea.post", text="Hello")
    assert (reply["type"], reply["code"]) == ("error", "not_joined")
    reply = await socket.request("vote.cast", idea=1)
    assert reply["code"] == "not_joined"
    # Still open: sync answers.
    assert (await socket.request("sync"))["type"] == "snapshot"
    await socket.close()


async def test_post_idea_acks_after_commit_and_reaches_every_screen(workshop, citizen_cookie):
    poster, wall = Socket("LIVE23", citizen_cookie), Socket("LIVE23")
    await poster.open()
    await wall.open()
    ref = await poster.send("idea.post", text="<script>alert(1)</script> Scaner", tags=["online"])
    ack = await poster.reply(ref)
    assert ack["type"] == "ack"
    assert ack["idea"]["text"] == "<script>alert(1)</script> Scaner"
    assert ack["idea"]["tags"] == ["online"]
    posted = await wall.until(lambda f: f["type"] == "idea.posted")
    assert posted["idea"]["id"] == ack["idea"]["id"] and isinstance(posted["seq"], int)
    assert await database_sync_to_async(Idea.objects.filter(pk=ack["idea"]["id"]).exists)()
    await poster.close()
    await wall.close()


@pytest.mark.parametrize(
    ("fields", "code"),
    [({"text": ""}, "invalid"), ({"text": "   "}, "invalid"), ({"text": "x" * 501}, "invalid"), ({}, "invalid"),
     ({"text": 5}, "invalid"), ({"text": "ok", "tags": "a,b"}, "invalid")],
)
async def test_bad_ideas_get_invalid_and_store_nothing(workshop, citizen_cookie, fields, code):
    socket = Socket("LIVE23", citizen_cookie)
    await socket.open()
    reply = await socket.request("idea.post", **fields)
    assert (reply["type"], reply["code"]) == ("error", code)
    assert reply["message"]
    assert not await database_sync_to_async(Idea.objects.exists)()
    assert (await socket.request("sync"))["type"] == "snapshot"
    await socket.close()


async def test_voting_flow_with_budget_retract_and_tallies(workshop, citizen_cookie, facilitator_cookie):
    idea = await database_sync_to_async(IdeaFactory)(workshop=workshop)
    voter, host = Socket("LIVE23", citizen_cookie), Socket("LIVE23", facilitator_cookie)
    await voter.open()
    await host.open()

    reply = await voter.request("vote.cast", idea=idea.pk)
    assert (reply["type"], reply["code"]) == ("error", "phase_closed")

    reply = await host.request("phase.set", phase="voting")
    assert reply == {"type": "ack", "ref": reply["ref"], "phase": "voting"}
    phase = await voter.until(lambda f: f["type"] == "phase")
    assert phase["phase"] == "voting"

    for expected in (2, 1, 0):
        reply = await voter.request("vote.cast", idea=idea.pk)
        assert (reply["type"], reply["dots_left"]) == ("ack", expected)
    reply = await voter.request("vote.cast", idea=idea.pk)
    assert (reply["type"], reply["code"]) == ("error", "no_dots_left")

    tally = await host.until(lambda f: f["type"] == "tally" and f["votes"].get(str(idea.pk)) == 3)
    assert tally["participants_with_dots"] == 0

    reply = await voter.request("vote.retract", idea=idea.pk)
    assert (reply["type"], reply["dots_left"]) == ("ack", 1)
    await voter.until(lambda f: f["type"] == "tally" and f["votes"].get(str(idea.pk)) == 2)
    assert await database_sync_to_async(Vote.objects.count)() == 2
    await voter.close()
    await host.close()


async def test_missing_idea_is_not_found(workshop, citizen_cookie):
    await database_sync_to_async(set_phase)(workshop, "voting")
    socket = Socket("LIVE23", citizen_cookie)
    await socket.open()
    reply = await socket.request("vote.cast", idea=987654)
    assert reply["code"] == "not_found"
    reply = await socket.request("vote.cast")
    assert reply["code"] == "invalid"
    reply = await socket.request("vote.retract", idea="abc")
    assert reply["code"] == "invalid"
    await socket.close()


async def test_a_citizen_cannot_run_the_room(workshop, citizen_cookie):
    idea = await database_sync_to_async(IdeaFactory)(workshop=workshop)
    socket = Socket("LIVE23", citizen_cookie)
    await socket.open()
    for type_, fields in [("phase.set", {"phase": "voting"}), ("idea.hide", {"idea": idea.pk}),
                          ("timer.start", {"seconds": 60}), ("timer.stop", {})]:
        reply = await socket.request(type_, **fields)
        assert (reply["type"], reply["code"]) == ("error", "forbidden"), type_
    workshop_phase = await database_sync_to_async(lambda: type(workshop).objects.get(pk=workshop.pk).phase)()
    assert workshop_phase == "ideas"
    await socket.close()


async def test_facilitator_hides_ideas_and_runs_the_timer(workshop, facilitator_cookie, citizen_cookie):
    idea = await database_sync_to_async(IdeaFactory)(workshop=workshop)
    host, phone = Socket("LIVE23", facilitator_cookie), Socket("LIVE23", citizen_cookie)
    host_snapshot = await host.open()
    assert host_snapshot["me"]["participant"] is None
    await phone.open()
    assert (await host.request("idea.hide", idea=idea.pk))["type"] == "ack"
    hidden = await phone.until(lambda f: f["type"] == "idea.hidden")
    assert hidden["idea"] == idea.pk
    ack = await host.request("timer.start", seconds=90)
    timer = await phone.until(lambda f: f["type"] == "timer")
    assert timer["ends_at"] == ack["ends_at"]
    await host.request("timer.stop")
    timer = await phone.until(lambda f: f["type"] == "timer")
    assert timer["ends_at"] is None
    reply = await host.request("phase.set", phase="lunch")
    assert reply["code"] == "invalid"
    reply = await host.request("timer.start", seconds=-1)
    assert reply["code"] == "invalid"
    await host.close()
    await phone.close()


async def test_unreadable_frames_get_errors_with_null_ref_and_the_socket_stays(workshop, citizen_cookie):
    socket = Socket("LIVE23", citizen_cookie)
    await socket.open()
    await socket.send_raw("{not json")
    reply = await socket.receive()
    assert (reply["type"], reply["code"], reply["ref"]) == ("error", "invalid_json", None)
    await socket.send_raw(json.dumps({"type": "idea.post", "text": "x" * (70 * 1024)}))
    reply = await socket.receive()
    assert (reply["code"], reply["ref"]) == ("too_large", None)
    await socket.send_raw("[1, 2]")
    assert (await socket.receive())["code"] == "invalid"
    await socket.send_raw(json.dumps({"type": "dance", "ref": "z"}))
    reply = await socket.receive()
    assert (reply["code"], reply["ref"]) == ("unknown_type", "z")
    await socket.send_raw(json.dumps({"ref": "n"}))
    assert (await socket.receive())["code"] == "unknown_type"
    await socket.send_raw(json.dumps({"type": "sync", "ref": {"a": 1}}))
    assert (await socket.receive())["code"] == "invalid"
    await socket.comm.send_to(bytes_data=b"\xff\xfe")
    assert (await socket.receive())["code"] == "invalid_json"
    reply = await socket.request("sync")
    assert reply["type"] == "snapshot" and reply["ref"] == f"{socket.ref_prefix}r{socket.refs}"
    await socket.close()


async def test_floods_are_rate_limited_without_closing(workshop, citizen_cookie):
    socket = Socket("LIVE23", citizen_cookie)
    await socket.open()
    codes = []
    for _ in range(45):
        await socket.send_raw(json.dumps({"type": "vote.cast", "idea": 1}))
    for _ in range(45):
        codes.append((await socket.receive())["code"])
    assert "rate_limited" in codes
    assert codes.count("phase_closed") >= 30
    await socket.close()


async def test_a_foreign_origin_is_refused(workshop):
    socket = Socket("LIVE23", origin="https://evil.example")
    assert await socket.connect() is False


async def test_an_unknown_code_is_refused(workshop):
    socket = Socket("NOPE99")
    assert await socket.connect() is False


async def test_a_participant_who_comes_back_keeps_name_and_dots(workshop, citizen_cookie):
    idea = await database_sync_to_async(IdeaFactory)(workshop=workshop)
    await database_sync_to_async(set_phase)(workshop, "voting")
    first = Socket("LIVE23", citizen_cookie)
    await first.open()
    await first.request("vote.cast", idea=idea.pk)
    await first.close()
    again = Socket("LIVE23", citizen_cookie)
    snapshot = await again.open()
    assert snapshot["me"]["name"] == "Maria"
    assert snapshot["me"]["dots_left"] == 2
    assert snapshot["me"]["votes"] == {str(idea.pk): 1}
    assert await database_sync_to_async(Participant.objects.count)() == 1
    await again.close()


async def test_blind_voting_redacts_tallies_for_participants_not_for_facilitators(workshop, citizen_cookie, facilitator_cookie):
    idea = await database_sync_to_async(IdeaFactory)(workshop=workshop)
    await database_sync_to_async(lambda: type(workshop).objects.filter(pk=workshop.pk).update(blind_voting=True, phase="voting"))()
    phone, host = Socket("LIVE23", citizen_cookie), Socket("LIVE23", facilitator_cookie)
    phone_snapshot = await phone.open()
    assert phone_snapshot["ideas"][0]["votes"] is None
    await host.open()
    await phone.request("vote.cast", idea=idea.pk)
    redacted = await phone.until(lambda f: f["type"] == "tally")
    assert redacted.get("hidden") is True and "votes" not in redacted
    full = await host.until(lambda f: f["type"] == "tally")
    assert full["votes"][str(idea.pk)] == 1 and full["seq"] == redacted["seq"]
    await host.request("phase.set", phase="results")
    shown = await phone.until(lambda f: f["type"] == "tally" and "votes" in f)
    assert shown["votes"][str(idea.pk)] == 1
    await phone.close()
    await host.close()


async def test_room_frames_carry_growing_seq(workshop, citizen_cookie):
    phone = Socket("LIVE23", citizen_cookie)
    snapshot = await phone.open()
    seqs = [snapshot["seq"]]
    for n in range(3):
        await phone.send("idea.post", text=f"Idee {n}")
    while len(seqs) < 4:
        frame = await phone.receive()
        if frame["type"] == "idea.posted":
            seqs.append(frame["seq"])
    assert seqs == sorted(seqs) and len(set(seqs)) == 4
    assert seqs[-1] - seqs[0] >= 3
    await phone.close()


async def test_facilitator_merges_a_duplicate_and_its_dots_follow(workshop, facilitator_cookie, citizen_cookie):
    keep = await database_sync_to_async(IdeaFactory)(workshop=workshop, text="Scaner")
    duplicate = await database_sync_to_async(IdeaFactory)(workshop=workshop, text="Un scaner")
    await database_sync_to_async(set_phase)(workshop, "voting")
    host, phone = Socket("LIVE23", facilitator_cookie), Socket("LIVE23", citizen_cookie)
    await host.open()
    await phone.open()
    await phone.request("vote.cast", idea=duplicate.pk)
    reply = await phone.request("idea.merge", idea=duplicate.pk, into=keep.pk)
    assert reply["code"] == "forbidden"
    reply = await host.request("idea.merge", idea=duplicate.pk, into=keep.pk)
    assert (reply["type"], reply["into"]) == ("ack", keep.pk)
    await phone.until(lambda f: f["type"] == "idea.hidden" and f["idea"] == duplicate.pk)
    await phone.until(lambda f: f["type"] == "tally" and f["votes"] == {str(keep.pk): 1})
    reply = await host.request("idea.merge", idea=keep.pk, into=keep.pk)
    assert reply["code"] in ("invalid", "not_found")
    reply = await host.request("idea.merge", idea=keep.pk)
    assert reply["code"] == "invalid"
    await host.close()
    await phone.close()

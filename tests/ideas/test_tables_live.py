"""Tables over the live socket, through the real ASGI application (issue #18): in a brainstorm
run by table, a phone gets its own table's ideas and only the `seq` of the others' (no gap);
the wall and the facilitator get every idea; a facilitator moves a person to another table
and that person's phone is told; a participant can move nobody, nor vote on another table's
idea."""

import pytest
from channels.db import database_sync_to_async
from django.test import Client

from ideas.models import Activity, DotBudget, Idea, Participant, Table, Vote

from .conftest import set_phase
from .live import Socket, logged_in_cookie

pytestmark = pytest.mark.django_db(transaction=True)

TABLES = (("dubasari", "Dubăsari"), ("calarasi", "Călărași"), ("rezina", "Rezina"))


@database_sync_to_async
def build_round(workshop, phase: str = "ideas") -> Activity:
    """LIVE23 with three tables and one brainstorm run by table, current, in `phase`."""
    set_phase(workshop, phase)
    for position, (slug, name) in enumerate(TABLES):
        Table.objects.create(workshop=workshop, slug=slug, name=name, position=position)
    return Activity.objects.create(workshop=workshop, position=1, kind="brainstorm", title="Echipa mobilă",
                                   dots_per_participant=3, by_table=True, is_current=True, phase=phase)


@database_sync_to_async
def seated_cookie(name: str, table: str | None) -> str:
    """Join LIVE23 over the HTTP API as a new browser sitting at `table`; its Cookie header."""
    client = Client()
    response = client.post("/api/workshops/LIVE23/participants",
                           {"display_name": name, "role": "citizen", "table": table}, content_type="application/json")
    assert response.status_code == 201, response.content
    assert response.json()["table"] == table
    return f"sessionid={client.cookies['sessionid'].value}"


@database_sync_to_async
def seat(name: str) -> str | None:
    return Participant.objects.filter(display_name=name).values_list("table__slug", flat=True).get()


@database_sync_to_async
def idea_at(text: str, table: str, activity: Activity) -> Idea:
    author = Participant.objects.filter(table__slug=table).first()
    return Idea.objects.create(workshop_id=activity.workshop_id, activity=activity, text=text, participant=author,
                               table=Table.objects.get(slug=table))


@pytest.fixture
async def host(facilitator):
    socket = Socket("LIVE23", await database_sync_to_async(logged_in_cookie)(facilitator))
    yield socket
    await socket.close()


async def test_a_table_gets_its_ideas_and_the_seq_of_the_others_while_wall_and_host_get_all(workshop, host):
    await build_round(workshop)
    maria, ion = Socket("LIVE23", await seated_cookie("Maria", "dubasari")), Socket("LIVE23", await seated_cookie("Ion", "calarasi"))
    wall = Socket("LIVE23")
    first = await maria.open()
    assert first["workshop"]["by_table"] is True
    assert first["me"]["table"] == "dubasari"
    assert first["tables"] == [{"slug": slug, "name": name} for slug, name in TABLES]
    await ion.open()
    await wall.open()
    await host.open()

    # Maria's socket: every frame from her snapshot on, one seq after the other.
    seqs, frames, mine = [first["seq"]], [], None

    async def read_maria(until):
        nonlocal mine
        while not until():
            frame = await maria.receive()
            if frame["type"] == "ack":
                mine = frame
            elif "seq" in frame:
                seqs.append(frame["seq"])
                if frame["type"] in ("idea.posted", "idea.elsewhere"):
                    frames.append(frame)

    await maria.send("idea.post", text="Scaner portabil")
    await read_maria(lambda: mine is not None and frames)
    assert mine["idea"]["table"] == "dubasari"
    theirs = await ion.request("idea.post", text="Programare prin SMS")
    assert theirs["idea"]["table"] == "calarasi"
    await read_maria(lambda: len(frames) == 2)
    assert seqs == list(range(seqs[0], seqs[0] + len(seqs))), seqs
    assert frames[0]["type"] == "idea.posted" and frames[0]["idea"]["id"] == mine["idea"]["id"]
    assert frames[1] == {"type": "idea.elsewhere", "seq": frames[1]["seq"]}  # nothing of the idea itself

    for socket in (wall, host):
        posted = [await socket.until(lambda f: f["type"] == "idea.posted") for _ in range(2)]
        assert [(f["idea"]["text"], f["idea"]["table"]) for f in posted] == [
            ("Scaner portabil", "dubasari"), ("Programare prin SMS", "calarasi")]
        assert posted[1]["seq"] == frames[1]["seq"]  # the same frame as Maria's `idea.elsewhere`

    # A fresh snapshot: Maria's table's idea alone; the wall's and the host's hold both.
    assert [i["text"] for i in (await maria.request("sync"))["ideas"]] == ["Scaner portabil"]
    assert [i["table"] for i in (await wall.request("sync"))["ideas"]] == ["dubasari", "calarasi"]
    assert len((await host.request("sync"))["ideas"]) == 2
    for socket in (maria, ion, wall):
        await socket.close()


async def test_at_the_results_every_phone_reads_every_table(workshop, host):
    brainstorm = await build_round(workshop, "voting")
    maria = Socket("LIVE23", await seated_cookie("Maria", "dubasari"))
    await seated_cookie("Ion", "calarasi")
    await idea_at("Scaner portabil", "dubasari", brainstorm)
    await idea_at("Programare prin SMS", "calarasi", brainstorm)
    assert [i["text"] for i in (await maria.open())["ideas"]] == ["Scaner portabil"]
    await host.open()
    assert (await host.request("phase.set", phase="results"))["type"] == "ack"
    await maria.until(lambda f: f["type"] == "phase" and f["phase"] == "results")
    assert [i["text"] for i in (await maria.request("sync"))["ideas"]] == ["Scaner portabil", "Programare prin SMS"]
    await maria.close()


async def test_a_facilitator_moves_a_person_and_their_phone_follows_the_new_table(workshop, host):
    brainstorm = await build_round(workshop)
    maria, ion = Socket("LIVE23", await seated_cookie("Maria", "dubasari")), Socket("LIVE23", await seated_cookie("Ion", "rezina"))
    me = (await maria.open())["me"]["participant"]
    await ion.open()
    await host.open()
    await idea_at("Programare prin SMS", "rezina", brainstorm)

    ack = await host.request("participant.move", participant=me, table="rezina")
    assert (ack["type"], ack["participant"], ack["table"]) == ("ack", me, "rezina")
    assert await seat("Maria") == "rezina"
    moved = await maria.until(lambda f: f["type"] == "participant.moved")
    assert (moved["participant"], moved["table"]) == (me, "rezina")
    # What the page does on that frame: read the room again, now at Rezina's table.
    snapshot = await maria.request("sync")
    assert snapshot["me"]["table"] == "rezina"
    assert [i["text"] for i in snapshot["ideas"]] == ["Programare prin SMS"]
    # The relay seats her socket there too: Rezina's next idea reaches her in full.
    await ion.request("idea.post", text="Ghișeu mobil")
    posted = await maria.until(lambda f: f["type"] in ("idea.posted", "idea.elsewhere"))
    assert posted["type"] == "idea.posted" and posted["idea"]["text"] == "Ghișeu mobil"
    await maria.close()
    await ion.close()


async def test_a_participant_may_move_nobody(workshop):
    await build_round(workshop)
    maria, ion = Socket("LIVE23", await seated_cookie("Maria", "dubasari")), Socket("LIVE23", await seated_cookie("Ion", "rezina"))
    await maria.open()
    other = (await ion.open())["me"]["participant"]
    for who in (other, (await maria.request("sync"))["me"]["participant"]):
        reply = await maria.request("participant.move", participant=who, table="calarasi")
        assert (reply["type"], reply["code"]) == ("error", "forbidden") and reply["message"]
    assert (await seat("Maria"), await seat("Ion")) == ("dubasari", "rezina")
    await maria.close()
    await ion.close()


async def test_a_dot_on_another_tables_idea_is_not_found_and_spends_nothing(workshop):
    brainstorm = await build_round(workshop, "voting")
    maria = Socket("LIVE23", await seated_cookie("Maria", "dubasari"))
    await seated_cookie("Ion", "calarasi")
    theirs = await idea_at("Programare prin SMS", "calarasi", brainstorm)
    ours = await idea_at("Scaner portabil", "dubasari", brainstorm)
    snapshot = await maria.open()
    assert snapshot["me"]["dots_left"] == 3

    reply = await maria.request("vote.cast", idea=theirs.pk)
    assert (reply["type"], reply["code"]) == ("error", "not_found") and reply["message"]
    assert not await database_sync_to_async(Vote.objects.exists)()
    assert not await database_sync_to_async(DotBudget.objects.filter(dots_left__lt=3).exists)()
    assert (await maria.request("sync"))["me"]["dots_left"] == 3
    # Her own table's idea takes the dot.
    reply = await maria.request("vote.cast", idea=ours.pk)
    assert (reply["type"], reply["dots_left"]) == ("ack", 2)
    await maria.close()


async def test_in_private_writing_a_phone_gets_only_its_own_ideas_and_the_wall_none_until_the_vote(workshop, host):
    brainstorm = await build_round(workshop)
    await database_sync_to_async(Activity.objects.filter(pk=brainstorm.pk).update)(by_table=False, private="own")
    maria, ion = Socket("LIVE23", await seated_cookie("Maria", "dubasari")), Socket("LIVE23", await seated_cookie("Ion", "dubasari"))
    wall = Socket("LIVE23")
    assert (await maria.open())["workshop"]["private"] == "own"
    await ion.open()
    await wall.open()
    await host.open()
    ref = await maria.send("idea.post", text="Scaner portabil")
    ack = await maria.reply(ref)
    posted = ack["idea"]["id"]

    async def next_idea_frame(socket):
        while True:
            frame = await socket.receive()
            if frame["type"] in ("idea.posted", "idea.elsewhere"):
                return frame

    # Ion sits at the same table: private writing is each person's own.
    assert (await next_idea_frame(ion))["type"] == "idea.elsewhere"
    assert (await next_idea_frame(wall))["type"] == "idea.elsewhere"
    assert (await next_idea_frame(host))["idea"]["id"] == posted
    assert [idea["id"] for idea in (await maria.reply(await maria.send("sync")))["ideas"]] == [posted]
    assert (await ion.reply(await ion.send("sync")))["ideas"] == []
    # Opening the vote reveals every idea to everyone.
    assert (await host.reply(await host.send("phase.set", phase="voting")))["type"] == "ack"
    assert [idea["id"] for idea in (await ion.reply(await ion.send("sync")))["ideas"]] == [posted]
    assert [idea["id"] for idea in (await wall.reply(await wall.send("sync")))["ideas"]] == [posted]
    for socket in (maria, ion, wall):
        await socket.close()

"""Hostile frames over a real socket (a daphne process, a plain `websockets` client): every
frame the application reads is answered with a documented error code and the socket stays
open (a `sync` afterwards still gets a snapshot); a frame daphne refuses before the
application sees it (over its 1 MiB limit, or text that is not UTF-8) closes the socket with a
documented close code and exactly one log line (docs/protocol.md)."""

import asyncio
import json

import pytest
import websockets
from django.utils import translation
from django.utils.translation import gettext as _
from websockets.frames import Close

from ideas.models import Idea, MessageReceipt, Vote
from tests.ideas.live import joined_cookie, logged_in_cookie

pytestmark = pytest.mark.django_db(transaction=True)

ERROR_CODES = {
    "invalid_json", "unknown_type", "invalid", "too_large", "not_joined", "phase_closed", "no_dots_left",
    "not_found", "forbidden", "rate_limited", "unavailable",
}
KIB, MIB = 1024, 1024 * 1024
ROOM_FRAMES = {"tally", "presence", "idea.posted", "idea.hidden", "phase", "timer", "participant.removed"}


def nested(depth: int) -> str:
    return "[" * depth + "]" * depth


def post(text_json: str, extra: str = "") -> str:
    """An idea.post whose `text` is the given JSON value, written by hand (escapes kept)."""
    return f'{{"type":"idea.post","text":{text_json}{extra}}}'


def exactly(size: int, prefix: str = '{"type":"idea.post","text":"', suffix: str = '"}') -> str:
    return prefix + "a" * (size - len(prefix) - len(suffix)) + suffix


BIG = "1" + "0" * 30  # an id no database column holds
ANY = ERROR_CODES

# (what, the frame, the codes that answer it). A str goes as a text frame, bytes as binary.
ANYWHERE = [
    ("an array nested 10,000 deep", nested(10_000), {"invalid_json"}),
    ("an object nested 10,000 deep", '{"a":' * 10_000 + "1" + "}" * 10_000, {"invalid_json"}),
    ("a nested array inside a message", post('"x"', ',"tags":' + nested(10_000)), {"invalid_json"}),
    ("tags nested just under the parser's limit", post('"x"', ',"tags":' + nested(900)), {"invalid", "invalid_json"}),
    ("a ref nested just under the parser's limit", '{"type":"sync","ref":' + nested(900) + "}", {"invalid", "invalid_json"}),
    ("64 KiB + 1 bytes", exactly(64 * KIB + 1), {"too_large"}),
    ("64 KiB + 1 bytes, binary", exactly(64 * KIB + 1).encode(), {"too_large"}),
    ("fewer than 64 Ki characters but more bytes", post('"' + "ă" * 40_000 + '"'), {"too_large"}),
    ("invalid UTF-8, binary", b"\xff\xfe\xfd{", {"invalid_json"}),
    ("a continuation byte, binary", b'{"type":"sync","ref":"\x80"}', {"invalid_json"}),
    ("an encoded surrogate, binary", b'{"type":"idea.post","text":"\xed\xa0\x80"}', {"invalid_json"}),
    ("an empty frame", "", {"invalid_json"}),
    ("an empty binary frame", b"", {"invalid_json"}),
    ("a truncated object", '{"type":"sync"', {"invalid_json"}),
    ("a byte order mark", '\ufeff{"type":"sync"}', {"invalid_json"}),
    ("an integer of 5,000 digits", '{"type":"sync","ref":' + "9" * 5000 + "}", {"invalid_json"}),
    ("null", "null", {"invalid"}),
    ("an array", "[]", {"invalid"}),
    ("a string", '"sync"', {"invalid"}),
    ("NaN", "NaN", {"invalid"}),
    ("no type", "{}", {"unknown_type"}),
    ("a number as type", '{"type":5}', {"unknown_type"}),
    ("a list as type", '{"type":["sync"]}', {"unknown_type"}),
    ("a lone surrogate as type", '{"type":"\\ud800"}', {"unknown_type"}),
    ("a lone surrogate as ref", '{"type":"sync","ref":"\\ud800"}', {"invalid"}),
    ("a lone surrogate as ref of a write", '{"type":"idea.post","text":"bună","ref":"\\udc00x"}', {"invalid"}),
    ("a lone surrogate as ref of a bad write", '{"type":"idea.post","text":"\\ud800","ref":"\\udc00"}', {"invalid"}),
    ("a float as ref", '{"type":"sync","ref":1.5}', {"invalid"}),
    ("infinity as ref", '{"type":"sync","ref":1e999}', {"invalid"}),
    ("a long number as ref", '{"type":"sync","ref":' + "9" * 70 + "}", {"invalid"}),
    ("true as ref", '{"type":"sync","ref":true}', {"invalid"}),
    ("an object as ref", '{"type":"sync","ref":{}}', {"invalid"}),
]

PARTICIPANT_IDEAS_PHASE = [
    ("a lone high surrogate as idea text", post('"\\ud800"'), {"invalid"}),
    ("a lone low surrogate in idea text", post('"Ideea \\udfff bună"'), {"invalid"}),
    ("a reversed pair in idea text", post('"\\ude00\\ud83d"'), {"invalid"}),
    ("a lone surrogate as a tag", post('"bună"', ',"tags":["\\ud800"]'), {"invalid"}),
    ("a lone surrogate in a tag", post('"bună"', ',"tags":["ok","a\\udbffb"]'), {"invalid"}),
    ("a number as text", post("123"), {"invalid"}),
    ("infinity as text", post("1e999"), {"invalid"}),
    ("null as text", post("null"), {"invalid"}),
    ("a list as text", post('["a"]'), {"invalid"}),
    ("numbers as tags", post('"bună"', ',"tags":[1,2]'), {"invalid"}),
    ("a number as tags", post('"bună"', ',"tags":5'), {"invalid"}),
    ("a string as tags", post('"bună"', ',"tags":"a,b"'), {"invalid"}),
    ("an object as tags", post('"bună"', ',"tags":{"a":1}'), {"invalid"}),
    ("a vote before voting", '{"type":"vote.cast","idea":"abc"}', {"phase_closed", "invalid"}),
    ("a facilitator's message", '{"type":"phase.set","phase":"voting"}', {"forbidden"}),
    ("a removal by a participant", '{"type":"participant.remove","participant":"x"}', {"forbidden", "invalid"}),
]

ID_VALUES = ['"abc"', '"\\ud800"', "1e999", "-1e999", BIG, "-" + BIG, '"' + BIG + '"', "true", "null", "[1]",
             '{"id":1}', '"' + "9" * 5000 + '"', "0.5"]

FACILITATOR = [
    *[(f"phase {value}", f'{{"type":"phase.set","phase":{value}}}', {"invalid"})
      for value in ("1", '["voting"]', '"\\ud800"', "null", '{"a":1}', '"VOTING"')],
    *[(f"seconds {value}", f'{{"type":"timer.start","seconds":{value}}}', {"invalid"})
      for value in ('"60"', "1e999", BIG, "-1", "0", "1.5", "null", "true", '"\\ud800"', "[60]")],
    *[(f"idea.hide {value}", f'{{"type":"idea.hide","idea":{value}}}', {"invalid", "not_found"}) for value in ID_VALUES],
    *[(f"idea.merge {value}", f'{{"type":"idea.merge","idea":{value},"into":{value}}}', {"invalid", "not_found"})
      for value in ID_VALUES],
    *[(f"participant.remove {value}", f'{{"type":"participant.remove","participant":{value}}}',
       {"invalid", "not_found"}) for value in ID_VALUES],
]

PARTICIPANT_VOTING_PHASE = [
    *[(f"{kind} {value}", f'{{"type":"{kind}","idea":{value}}}', {"invalid", "not_found"})
      for kind in ("vote.cast", "vote.retract") for value in ID_VALUES],
    ("a vote with a lone surrogate as ref", '{"type":"vote.cast","idea":"abc","ref":"\\ud800"}', {"invalid"}),
]

OBSERVER = [
    ("an observer's idea", post('"bună"'), {"not_joined"}),
    ("an observer's lone surrogate", post('"\\ud800"'), {"not_joined", "invalid"}),
    ("an observer's vote", '{"type":"vote.cast","idea":"x"}', {"not_joined", "invalid", "phase_closed"}),
]


async def answer(sock, what: str) -> dict:
    """The answer to the last frame (room broadcasts skipped); fails if the socket closed."""
    async def read():
        while True:
            frame = json.loads(await sock.recv())
            if frame["type"] not in ROOM_FRAMES:
                return frame
    try:
        return await asyncio.wait_for(read(), 15)
    except websockets.ConnectionClosed as closed:
        pytest.fail(f"{what}: the socket closed ({closed.rcvd})")


async def connect(server, cookie: str | None = None):
    headers = {"Cookie": cookie} if cookie else {}
    sock = await websockets.connect(f"{server.ws_url}/ws/workshops/HOST1/", origin=server.url,
                                    additional_headers=headers, max_size=None, open_timeout=10)
    snapshot = await answer(sock, "connect")
    assert snapshot["type"] == "snapshot"
    return sock


async def hurl(sock, frames) -> list[str]:
    """Send each frame, read its answer; the frames not answered as documented."""
    wrong = []
    for what, frame, codes in frames:
        await sock.send(frame)
        reply = await answer(sock, what)
        if reply["type"] != "error" or reply["code"] not in codes or reply["code"] not in ERROR_CODES:
            wrong.append(f"{what}: {reply}")
        elif not reply.get("message") or "\\u" in reply["message"]:
            wrong.append(f"{what}: no readable message: {reply}")
    return wrong


async def still_open(sock, ref: str) -> None:
    await sock.send(json.dumps({"type": "sync", "ref": ref}))
    snapshot = await answer(sock, "the sync afterwards")
    assert (snapshot["type"], snapshot["ref"]) == ("snapshot", ref)


def test_every_hostile_frame_is_answered_and_the_socket_stays_open(hostile_room, hostile_server, server_log,
                                                                   facilitator):
    workshop, ideas = hostile_room
    participant_cookie = joined_cookie("HOST1")
    with translation.override("ro"):  # the session's language
        surrogate_message = _("%(field)s is not valid text (it contains an invalid Unicode character).") % {
            "field": _("The idea")}
    facilitator_cookie = logged_in_cookie(facilitator)

    async def scenario():
        phone = await connect(hostile_server, participant_cookie)
        lead = await connect(hostile_server, facilitator_cookie)
        wall = await connect(hostile_server)
        wrong = await hurl(phone, ANYWHERE + PARTICIPANT_IDEAS_PHASE)
        wrong += await hurl(lead, ANYWHERE + FACILITATOR)
        wrong += await hurl(wall, OBSERVER)
        # A lone surrogate is not "empty": the answer says the text is not valid text.
        await phone.send(post('"\\ud800"', ',"ref":"lone"'))
        lone = await answer(phone, "a lone surrogate")
        assert (lone["type"], lone["code"], lone["message"]) == ("error", "invalid", surrogate_message), lone
        # A valid surrogate pair (an emoji) is text: it is stored.
        await phone.send(post('"Rampă \\ud83d\\ude00"', ',"ref":"pair"'))
        ack = await answer(phone, "a surrogate pair")
        assert (ack["type"], ack["idea"]["text"]) == ("ack", "Rampă 😀"), ack
        # A binary frame holding a UTF-8 message is read like a text frame.
        await phone.send(b'{"type":"sync","ref":"binary"}')
        assert (await answer(phone, "a binary sync"))["ref"] == "binary"
        await lead.send('{"type":"phase.set","phase":"voting","ref":"go"}')
        assert (await answer(lead, "phase.set voting"))["type"] == "ack"
        wrong += await hurl(phone, PARTICIPANT_VOTING_PHASE)
        for n, sock in enumerate((phone, lead, wall)):
            await still_open(sock, f"after-{n}")
        for sock in (phone, lead, wall):
            await sock.close()
        return wrong

    wrong = asyncio.run(scenario())
    assert not wrong, "\n".join(wrong)
    # Nothing but the emoji was stored; no dot moved, no receipt kept a refused write.
    assert sorted(Idea.objects.values_list("text", flat=True)) == ["Ideea 0", "Ideea 1", "Rampă 😀"]
    assert not Vote.objects.exists()
    assert list(MessageReceipt.objects.values_list("ref", flat=True)) == ["pair"]
    # Answered frames are not the server's trouble: no warning, no traceback.
    assert server_log.read() == []


async def refused_by_daphne(server, send) -> Close | None:
    """Open a socket, let `send` send what daphne refuses; the close frame the server sent
    (None when the connection was dropped without one)."""
    sock = await connect(server)
    await send(sock)
    with pytest.raises(websockets.ConnectionClosed) as closed:
        while True:
            await asyncio.wait_for(sock.recv(), 15)
    return closed.value.rcvd


async def raw(sock, data: bytes) -> None:
    """Bytes written to the connection as they are, past the client's framing."""
    sock.transport.write(data)


@pytest.mark.parametrize(("what", "send", "code"), [
    ("1 MiB + 1 bytes of text", lambda sock: sock.send(exactly(MIB + 1)), 1009),
    ("1 MiB + 1 bytes, binary", lambda sock: sock.send(exactly(MIB + 1).encode()), 1009),
    ("1 MiB + 1 bytes in fragments", lambda sock: sock.send(iter([exactly(MIB + 1)[:MIB], "a"])), 1009),
    ("text that is not UTF-8", lambda sock: sock.send(b'{"type":"sync","ref":"\xff"}', text=True), 1007),
    ("an encoded surrogate as text", lambda sock: sock.send(b'{"type":"idea.post","text":"\xed\xa0\x80"}', text=True),
     1007),
    ("a reserved opcode", lambda sock: raw(sock, b"\x83\x80\x00\x00\x00\x00"), 1002),
    ("an unmasked frame", lambda sock: raw(sock, b'\x81\x0f{"type":"sync"}'), 1002),
])
def test_what_daphne_refuses_closes_with_a_documented_code_and_one_log_line(hostile_room, hostile_server,
                                                                            server_log, what, send, code):
    async def scenario():
        close = await refused_by_daphne(hostile_server, send)
        # The room is still served.
        other = await connect(hostile_server)
        await still_open(other, "next")
        await other.close()
        return close

    close = asyncio.run(scenario())
    assert close is not None, f"{what}: the connection was dropped without a close frame"
    assert close.code == code
    lines = server_log.read()
    assert len(lines) == 1, lines
    assert lines[0].startswith("LOG WARNING ideas.consumers:") and str(code) in lines[0]
    assert not Idea.objects.exclude(text__startswith="Ideea").exists()

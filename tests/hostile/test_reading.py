"""How the socket reads a frame and how text is cleaned, one rule at a time (the real socket
is tests/hostile/test_hostile_frames.py)."""

import json

import pytest
from django.utils import translation

from ideas import consumers, services
from workshop_site.core.errors import Invalid, NotFound


def nested(depth: int) -> str:
    return "[" * depth + "]" * depth


@pytest.mark.parametrize("depth", [2_000, 10_000, 30_000])
def test_a_deep_frame_is_invalid_json_not_a_recursion_error(depth):
    for frame in (nested(depth), '{"type":"sync","tags":' + nested(depth) + "}"):
        with pytest.raises(consumers.InvalidJson) as refused:
            consumers._message(frame)
        assert refused.value.code == "invalid_json"


def test_a_message_may_nest_as_deep_as_the_limit_and_no_deeper():
    def message(depth: int) -> str:  # the object itself is the first level
        return '{"type":"sync","x":' + nested(depth - 1) + "}"

    assert consumers._message(message(consumers.MAX_DEPTH))["type"] == "sync"
    with pytest.raises(consumers.InvalidJson):
        consumers._message(message(consumers.MAX_DEPTH + 1))
    with pytest.raises(consumers.InvalidJson):
        consumers._message('{"a":' * 20 + "1" + "}" * 20)


@pytest.mark.parametrize("frame", [b"\xff", b'{"type":"sync","ref":"\x80"}', b'{"text":"\xed\xa0\x80"}',
                                   '{"type":"sync"}'.encode("utf-16")])
def test_a_binary_frame_is_strict_utf8_json(frame):
    with pytest.raises(consumers.InvalidJson):
        consumers._message(frame)


def test_a_binary_frame_of_utf8_json_is_read():
    assert consumers._message('{"type":"idea.post","text":"ăîș"}'.encode()) == {"type": "idea.post", "text": "ăîș"}


def test_size_is_counted_in_bytes():
    with pytest.raises(consumers.TooLarge):
        consumers._message(json.dumps({"type": "idea.post", "text": "ă" * 40_000}, ensure_ascii=False))


@pytest.mark.parametrize("ref", ["\ud800", "a\udfffb", "\udc00" * 3])
def test_a_ref_with_a_lone_surrogate_is_invalid(ref):
    with pytest.raises(Invalid):
        consumers._ref({"ref": ref})


@pytest.mark.parametrize("ref", ["phone-1", "ăîșț😀", 42, -7, None])
def test_a_ref_that_is_text_or_a_number_is_kept(ref):
    assert consumers._ref({"ref": ref}) == ref


@pytest.mark.parametrize(("value", "refusal"), [
    (float("inf"), Invalid), (float("-inf"), Invalid), (float("nan"), Invalid), (10**30, NotFound), (-(10**30), NotFound),
    (str(10**30), NotFound), (2**63, NotFound),
])
def test_an_id_no_database_holds_is_refused_before_the_service(value, refusal):
    with pytest.raises(refusal):
        consumers._id({"idea": value}, "idea", "This idea does not exist.")


@pytest.mark.parametrize("value", [1, "12", 2**63 - 1, "abc", [1], {"a": 1}, 0.5, True])
def test_other_ids_go_to_the_service_as_sent(value):
    assert consumers._id({"idea": value}, "idea", "missing") is value


@pytest.mark.parametrize("text", ["\ud800", "Ideea \udfff bună", "\ude00\ud83d", "ok\udbff"])
@translation.override("en")
def test_text_with_a_lone_surrogate_is_invalid_and_says_so(text):
    with pytest.raises(Invalid) as refused:
        services.clean_text(text, field="The idea", max_length=500)
    assert "not valid text" in refused.value.message
    assert "empty" not in refused.value.message


@translation.override("en")
def test_a_tag_with_a_lone_surrogate_is_invalid():
    with pytest.raises(Invalid) as refused:
        services.clean_tags(["ok", "a\ud800"])
    assert "not valid text" in refused.value.message


@translation.override("en")
def test_valid_text_is_cleaned_as_before():
    assert services.clean_text(" Rampă 😀\x00\u200b ", field="x", max_length=500) == "Rampă 😀"
    with pytest.raises(Invalid) as refused:
        services.clean_text(" \x00 ", field="The idea", max_length=500)
    assert "empty" in refused.value.message

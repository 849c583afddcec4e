"""Every message of the Romanian and Russian catalogues is translated: an empty `msgstr` shows
the English text, and so does a fuzzy one (compilemessages leaves fuzzy entries out)."""

import ast
from pathlib import Path

import pytest

LOCALE = Path(__file__).resolve().parents[2] / "locale"


def entries(path: Path):
    """(msgid, [msgstr…], flags) of each entry of a .po file (obsolete `#~` entries skipped)."""
    for block in path.read_text(encoding="utf-8").split("\n\n"):
        flags, fields, current = set(), {}, None
        for line in block.strip().splitlines():
            if line.startswith("#,"):
                flags.update(flag.strip() for flag in line[2:].split(","))
            elif line.startswith("#"):
                continue
            elif line.startswith('"') and current:
                fields[current] += ast.literal_eval(line)
            else:
                current, _, value = line.partition(" ")
                fields[current] = ast.literal_eval(value)
        if "msgid" in fields and fields["msgid"]:
            yield fields["msgid"], [v for k, v in fields.items() if k.startswith("msgstr")], flags


@pytest.mark.parametrize("language", ["ro", "ru"])
def test_every_message_is_translated_and_none_is_fuzzy(language):
    found = list(entries(LOCALE / language / "LC_MESSAGES" / "django.po"))
    assert len(found) > 100
    untranslated = [msgid for msgid, strings, _ in found if not strings or not all(strings)]
    fuzzy = [msgid for msgid, _, flags in found if "fuzzy" in flags]
    assert not untranslated, f"{language}: not translated: {untranslated}"
    assert not fuzzy, f"{language}: fuzzy: {fuzzy}"


@pytest.mark.parametrize("language", ["ro", "ru"])
@pytest.mark.parametrize("msgid", [
    "The message is nested too deeply.",
    "%(field)s is not valid text (it contains an invalid Unicode character).",
    "Log in to continue",
])
def test_the_messages_of_issue_16_are_there(language, msgid):
    found = {msgid: strings for msgid, strings, _ in entries(LOCALE / language / "LC_MESSAGES" / "django.po")}
    assert found.get(msgid), f"{language}: {msgid!r} is missing"

"""Suggested themes: groupings of a brainstorm's ideas by the words they share, for the
facilitator to accept, edit or ignore (issue #18). Small and deterministic on purpose: the same
ideas always give the same suggestions, nothing leaves the server, nothing is downloaded.

Each word is reduced to a stem (Snowball's Romanian or Russian stemmer, by its alphabet), then
folded (Latin diacritics off) and cut to `STEM_LENGTH` letters, so "echipa", "echipei" and
"echipele" meet. A stem shared by at least two ideas, and by no more than `MOST_SHARED` of
them (a word every idea uses groups nothing), gathers the ideas not yet grouped that use it,
most shared stems first; the label is the group's commonest stems, as the first idea wrote them.
"""

import re
import unicodedata
from collections import Counter
from functools import cache
from typing import NamedTuple

import snowballstemmer

STEM_LENGTH = 5
MIN_WORD = 4  # shorter words are mostly prepositions and articles ("de", "la", "în", "для")
MOST_SHARED = 0.6
MAX_SUGGESTIONS = 8
LABEL_WORDS = 2
# Longer function words of Romanian and Russian that would group unrelated ideas.
STOPWORDS = frozenset("""
pentru prin fără fara care este sunt până pana după dupa înainte inainte toate toți toti
foarte poate trebuie fiecare acest această aceasta acolo unde când cand cum mult multe
чтобы через после перед также может нужно очень этот эта это есть были было когда
""".split())
WORD = re.compile(r"[^\W\d_]+", re.UNICODE)


class Suggestion(NamedTuple):
    label: str
    ideas: list[int]  # ids, in the order given


@cache
def _stemmer(language: str):
    return snowballstemmer.stemmer(language)


def _fold(text: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))


def _stems(text: str) -> dict[str, str]:
    """The idea's stems, each with the word it first came from (for the label)."""
    found: dict[str, str] = {}
    for word in WORD.findall(text):
        lower = word.lower()
        if len(lower) < MIN_WORD or lower in STOPWORDS or _fold(lower) in STOPWORDS:
            continue
        language = "russian" if "\u0400" <= lower[0] <= "\u04ff" else "romanian"
        stem = _fold(_stemmer(language).stemWord(lower))[:STEM_LENGTH]
        found.setdefault(stem, word)
    return found


def suggest(ideas: list[tuple[int, str]]) -> list[Suggestion]:
    """Groupings of `ideas` ((id, text), in posting order), at most MAX_SUGGESTIONS, each of at
    least two ideas; an idea is in one suggestion at most."""
    stems = {pk: _stems(text) for pk, text in ideas}
    shared = Counter(stem for found in stems.values() for stem in found)
    ceiling = max(2, int(len(ideas) * MOST_SHARED))
    candidates = sorted((stem for stem, n in shared.items() if 2 <= n <= ceiling), key=lambda s: (-shared[s], s))
    grouped: set[int] = set()
    suggestions = []
    for stem in candidates:
        members = [pk for pk, _text in ideas if stem in stems[pk] and pk not in grouped]
        if len(members) < 2:
            continue
        grouped.update(members)
        suggestions.append(Suggestion(_label(stem, [stems[pk] for pk in members]), members))
        if len(suggestions) == MAX_SUGGESTIONS:
            break
    return suggestions


def _label(stem: str, members: list[dict[str, str]]) -> str:
    """Up to LABEL_WORDS stems that most of the group shares (the grouping one first among
    equals), as the first idea holding them all wrote them, in its order: "Echipei mobile"."""
    common = Counter(s for found in members for s in found)
    best = sorted(common, key=lambda s: (-common[s], s != stem, s))[:LABEL_WORDS]
    best = [s for s in best if s == stem or common[s] * 2 > len(members)]
    first = next((found for found in members if all(s in found for s in best)), members[0])
    return " ".join(word for s, word in first.items() if s in best).capitalize()

"""A word cloud: each person adds up to 3 short answers; the room sees each word sized by
how many people gave it. The same word counts once per person whatever its case and
diacritics ("Acte", "acte", "ACTE"; "școală", "scoala"), and a facilitator can hide a word."""

import unicodedata

from django.db import transaction
from django.db.models import Count, Exists, OuterRef
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from workshop_site.core.compiled import CompiledRead
from workshop_site.core.errors import Invalid, NotFound

from .. import realtime
from ..errors import FacilitatorOnly
from ..inputs import clean_text, int_or_invalid
from ..models import Activity, HiddenWord, WordEntry
from .base import (
    ANSWER_PHASES,
    GROUPS,
    ROLES,
    ActivityRow,
    FacilitatorMessage,
    Kind,
    ParticipantMessage,
    answerable,
    by_group,
    group_columns,
    percent,
    register,
)

# The cloud a frame carries: the most frequent words (a wall shows no more than this).
CLOUD_SIZE = 60


def word_key(text: str) -> str:
    """The word as the cloud counts it: case folded, spaces collapsed, and the diacritics of
    Latin letters dropped (ă â î ș ț, with cedilla or comma). Cyrillic letters keep theirs,
    since й is not и, except ё, commonly written е."""
    folded = " ".join(text.casefold().replace("ё", "е").split())
    kept = []
    for ch in unicodedata.normalize("NFD", folded):
        if unicodedata.combining(ch) and kept and kept[-1].isascii():
            continue
        kept.append(ch)
    return unicodedata.normalize("NFC", "".join(kept))


@transaction.atomic
def words_add(*, participant_id: int | None, activity_id, text) -> dict:
    """Add one of this person's words; a word they already gave (case and diacritics aside)
    is not counted twice. Returns the word and whether it was already there."""
    participant, cloud = answerable(participant_id, activity_id, "words")
    word = " ".join(clean_text(text, field=_("The word"), max_length=WordEntry.MAX_LENGTH).split())
    key = word_key(word)
    mine = WordEntry.objects.filter(participant_id=participant.pk, activity_id=cloud.id)
    if mine.filter(key=key).exists():
        return {"text": word, "already": True}
    if mine.count() >= WordEntry.MAX_PER_PERSON:
        raise Invalid(ngettext("At most %(n)d word per person.", "At most %(n)d words per person.",
                               WordEntry.MAX_PER_PERSON) % {"n": WordEntry.MAX_PER_PERSON})
    WordEntry.objects.create(participant_id=participant.pk, activity_id=cloud.id, text=word, key=key)
    workshop_id = cloud.workshop_id
    transaction.on_commit(lambda: realtime.tallies_changed(workshop_id))
    return {"text": word, "already": False}


@transaction.atomic
def word_hide(*, user, workshop_id: int, activity_id, text) -> str:
    """A facilitator takes a word off the cloud (every entry of it, now and later)."""
    activity = Activity.objects.filter(pk=int_or_invalid(activity_id), workshop_id=workshop_id, kind="words") \
        .select_related("workshop").first()
    if activity is None:
        raise NotFound(_("This activity does not exist in this workshop."))
    if user is None or not user.has_perm("ideas.run_workshop", activity.workshop):
        raise FacilitatorOnly()
    key = word_key(clean_text(text, field=_("The word"), max_length=WordEntry.MAX_LENGTH))
    HiddenWord.objects.get_or_create(activity_id=activity.pk, key=key, defaults={"hidden_by": user})
    transaction.on_commit(lambda: realtime.tallies_changed(workshop_id))
    return key


def _add_message(participant_id: int, message: dict) -> dict:
    return {"activity": message.get("activity"),
            **words_add(participant_id=participant_id, activity_id=message.get("activity"), text=message.get("text"))}


def _hide_message(*, user, workshop_id: int, message: dict) -> dict:
    key = word_hide(user=user, workshop_id=workshop_id, activity_id=message.get("activity"), text=message.get("text"))
    return {"activity": message.get("activity"), "word": key}


def cloud(activity_id: int, role: str | None = None, limit: int | None = CLOUD_SIZE) -> list[dict]:
    """`[{text, count}]`, most given first: each word once per person, hidden words left out,
    shown as most people wrote it. One query."""
    entries = WordEntry.objects.filter(activity_id=activity_id).exclude(
        Exists(HiddenWord.objects.filter(activity_id=activity_id, key=OuterRef("key")))
    )
    if role:
        entries = entries.filter(participant__role=role)
    counts: dict[str, int] = {}
    spellings: dict[str, dict[str, int]] = {}
    for key, text, n in entries.order_by().values("key", "text").annotate(n=Count("pk")).values_list("key", "text", "n"):
        counts[key] = counts.get(key, 0) + n
        spellings.setdefault(key, {})[text] = n
    words = [{"text": _spelling(spellings[key]), "count": n} for key, n in counts.items()]
    words.sort(key=lambda w: (-w["count"], w["text"]))
    return words[:limit] if limit else words


def _spelling(spellings: dict[str, int]) -> str:
    """How most people wrote a word (the first in alphabetical order on a tie)."""
    return max(sorted(spellings), key=lambda text: spellings[text])


# A phone's snapshot reads its words (SQL built once; all of its workshop's, as poll.py's).
_GIVEN_BY = CompiledRead(
    lambda participant_id: WordEntry.objects.filter(participant_id=participant_id).order_by("created", "pk")
    .values_list("activity_id", "text")
)


class Words(Kind):
    def view(self, activity: ActivityRow) -> dict:
        return {"max_words": WordEntry.MAX_PER_PERSON, "max_length": WordEntry.MAX_LENGTH}

    def tally(self, activity_id: int) -> dict:
        return {"words": cloud(activity_id)}

    def answers_of(self, participant_id: int, activity_ids: list[int]) -> dict[int, list[str]]:
        mine: dict[int, list[str]] = {}
        wanted = set(activity_ids)
        for activity_id, text in _GIVEN_BY.all(participant_id):
            if activity_id in wanted:
                mine.setdefault(activity_id, []).append(text)
        return mine

    def results_of(self, activities: list[ActivityRow]) -> dict[int, dict[str | None, dict]]:
        """`{respondents, words: [{text, count}]}`: the whole cloud, most given first, hidden
        words left out; a word is spelled as most of the room wrote it, in every group, so
        the groups' lists line up. Two queries for all the clouds."""
        ids = [activity.id for activity in activities]
        entries = WordEntry.objects.filter(activity_id__in=ids).exclude(
            Exists(HiddenWord.objects.filter(activity_id=OuterRef("activity_id"), key=OuterRef("key")))
        ).order_by().values("activity_id", "key", "text", "participant__role").annotate(n=Count("pk")) \
            .values_list("activity_id", "key", "text", "participant__role", "n")
        respondents = by_group(
            WordEntry.objects.filter(activity_id__in=ids).order_by()
            .values("activity_id", "participant__role").annotate(n=Count("participant_id", distinct=True))
            .values_list("activity_id", "participant__role", "n")
        )
        counts: dict[int, dict[str | None, dict[str, int]]] = {pk: {group: {} for group in GROUPS} for pk in ids}
        spellings: dict[tuple[int, str], dict[str, int]] = {}
        for activity_id, key, text, role, n in entries:
            for group in (role, None):
                if group in counts[activity_id]:
                    counts[activity_id][group][key] = counts[activity_id][group].get(key, 0) + n
            written = spellings.setdefault((activity_id, key), {})
            written[text] = written.get(text, 0) + n
        found = {}
        for pk in ids:
            found[pk] = {}
            for group in GROUPS:
                words = [{"text": _spelling(spellings[pk, key]), "count": n} for key, n in counts[pk][group].items()]
                words.sort(key=lambda word: (-word["count"], word["text"]))
                found[pk][group] = {"respondents": respondents.get((pk, group), 0), "words": words}
        return found

    def table(self, results: dict, by_role: dict[str, dict]) -> list[list]:
        """A word's count in each group (the groups spell a word alike, see `results_of`)."""
        counts = [{word["text"]: word["count"] for word in by_role[role]["words"]} for role in ROLES]
        rows = [[_("Word"), *group_columns([_("people")])]]
        rows += [[word["text"], word["count"], *(mine.get(word["text"], 0) for mine in counts)]
                 for word in results["words"]]
        rows.append([_("People who answered"), results["respondents"],
                     *(by_role[role]["respondents"] for role in ROLES)])
        return rows

    def chart(self, figures: dict) -> dict:
        """Each word with the share of those who answered that gave it (its bar's width)."""
        people = figures["respondents"]
        return {**figures, "words": [
            {**word, "share": 100 * word["count"] / people if people else 0, "width": percent(word["count"], people)}
            for word in figures["words"]
        ]}


register(Words(
    name="words",
    phases=ANSWER_PHASES,
    messages={"words.add": ParticipantMessage(_add_message), "words.hide": FacilitatorMessage(_hide_message)},
    templates={"participant": "ideas/kinds/words_participant.html", "screen": "ideas/kinds/words_screen.html",
               "results": "ideas/kinds/words_results.html"},
))

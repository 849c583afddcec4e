"""A poll: each person picks 1 to `max_choices` of 2–10 options, and may change the answer
while the poll is open (one answer per person per poll, a database constraint)."""

from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from workshop_site.core.compiled import CompiledRead
from workshop_site.core.errors import Invalid, NotFound

from .. import realtime
from ..inputs import int_or_invalid
from ..models import ParticipantRole, PollAnswer, PollOption
from .base import (
    ANSWER_PHASES,
    GROUPS,
    ROLES,
    ActivityRow,
    Kind,
    ParticipantMessage,
    answerable,
    by_group,
    far_apart,
    group_columns,
    percent,
    register,
    share,
)

MIN_OPTIONS, MAX_OPTIONS = 2, 10


_OPTIONS = CompiledRead(
    lambda activity_id: PollOption.objects.filter(activity_id=activity_id).order_by().values_list("pk")
)
_ANSWER = CompiledRead(
    lambda activity_id, participant_id: PollAnswer.objects.filter(activity_id=activity_id, participant_id=participant_id)
    .order_by().values_list("pk")
)
Choice = PollAnswer.options.through


@transaction.atomic
def poll_answer(*, participant_id: int | None, activity_id, option_ids) -> list[int]:
    """Store this person's answer (replacing an earlier one); returns the chosen option ids."""
    participant, poll = answerable(participant_id, activity_id, "poll")
    if not isinstance(option_ids, list) or not option_ids:
        raise Invalid(_("`options` must be a list of one or more option ids."))
    chosen = list(dict.fromkeys(int_or_invalid(option_id) for option_id in option_ids))
    if len(chosen) > poll.max_choices:
        raise Invalid(ngettext("Choose at most %(n)d option.", "Choose at most %(n)d options.", poll.max_choices)
                      % {"n": poll.max_choices})
    if not {pk for (pk,) in _OPTIONS.all(poll.id)}.issuperset(chosen):
        raise NotFound(_("This option does not belong to this poll."))
    # The participant's row is locked (answerable): nobody else writes this answer meanwhile.
    found = _ANSWER.first(poll.id, participant.pk)
    if found is None:
        answer_id = PollAnswer.objects.create(participant_id=participant.pk, activity_id=poll.id).pk
    else:
        answer_id = found[0]
        Choice.objects.filter(pollanswer_id=answer_id).delete()
        PollAnswer.objects.filter(pk=answer_id).update(modified=timezone.now())
    Choice.objects.bulk_create([Choice(pollanswer_id=answer_id, polloption_id=pk) for pk in chosen])
    workshop_id = poll.workshop_id
    transaction.on_commit(lambda: realtime.tallies_changed(workshop_id))
    return chosen


def _answer_message(participant_id: int, message: dict) -> dict:
    chosen = poll_answer(participant_id=participant_id, activity_id=message.get("activity"),
                         option_ids=message.get("options"))
    return {"activity": message.get("activity"), "options": chosen}


class Poll(Kind):
    def view(self, activity: ActivityRow) -> dict:
        options = PollOption.objects.filter(activity_id=activity.id).order_by("sort_order", "pk")
        return {"max_choices": activity.max_choices,
                "options": [{"id": pk, "text": text} for pk, text in options.values_list("pk", "text")]}

    def tally(self, activity_id: int) -> dict:
        return {"counts": self._counts(activity_id)}

    def _counts(self, activity_id: int, role: str | None = None) -> dict[str, int]:
        of_role = Q(answers__participant__role=role) if role else None
        rows = PollOption.objects.filter(activity_id=activity_id).annotate(n=Count("answers", filter=of_role))
        return {str(pk): n for pk, n in rows.order_by().values_list("pk", "n")}

    def answers_of(self, participant_id: int, activity_ids: list[int]) -> dict[int, list[int]]:
        mine: dict[int, list[int]] = {}
        rows = PollAnswer.options.through.objects.filter(
            pollanswer__participant_id=participant_id, pollanswer__activity_id__in=activity_ids
        ).order_by("polloption__sort_order", "polloption_id").values_list("pollanswer__activity_id", "polloption_id")
        for activity_id, option_id in rows:
            mine.setdefault(activity_id, []).append(option_id)
        return mine

    def results_of(self, activities: list[ActivityRow]) -> dict[int, dict[str | None, dict]]:
        """`{respondents, options: [{id, text, count, share}]}`: `share` is the percent of
        the group's respondents who chose the option (a multiple choice adds up to more than
        100). Three queries for all the polls."""
        ids = [activity.id for activity in activities]
        options = PollOption.objects.filter(activity_id__in=ids).order_by("activity_id", "sort_order", "pk") \
            .values_list("pk", "activity_id", "text")
        chosen = by_group(
            PollAnswer.options.through.objects.filter(pollanswer__activity_id__in=ids).order_by()
            .values("polloption_id", "pollanswer__participant__role").annotate(n=Count("pk"))
            .values_list("polloption_id", "pollanswer__participant__role", "n")
        )
        respondents = by_group(
            PollAnswer.objects.filter(activity_id__in=ids).order_by()
            .values("activity_id", "participant__role").annotate(n=Count("pk"))
            .values_list("activity_id", "participant__role", "n")
        )
        found = {
            pk: {group: {"respondents": respondents.get((pk, group), 0), "options": []} for group in GROUPS}
            for pk in ids
        }
        for pk, activity_id, text in options:
            for group, figures in found[activity_id].items():
                count = chosen.get((pk, group), 0)
                figures["options"].append(
                    {"id": pk, "text": text, "count": count, "share": share(count, figures["respondents"])}
                )
        return found

    def disagreements(self, by_role: dict[str, dict]) -> list[dict]:
        """An option chosen by a share of citizens and a share of providers far apart."""
        groups = (by_role.get(ParticipantRole.CITIZEN), by_role.get(ParticipantRole.PROVIDER))
        if not all(group and group["respondents"] for group in groups):
            return []
        return far_apart(by_role, "options", lambda option: option["share"])

    def table(self, results: dict, by_role: dict[str, dict]) -> list[list]:
        groups = [results, *(by_role[role] for role in ROLES)]
        rows = [[_("Option"), *group_columns([_("answers"), "%"])]]
        for n, option in enumerate(results["options"]):
            rows.append([option["text"], *(value for group in groups
                                           for value in (group["options"][n]["count"], group["options"][n]["share"]))])
        rows.append([_("People who answered"), *(value for group in groups for value in (group["respondents"], ""))])
        return rows

    def chart(self, figures: dict) -> dict:
        return {**figures, "options": [{**option, "width": percent(option["share"], 100)}
                                       for option in figures["options"]]}

    def disagreement_text(self, item: dict) -> str:
        return _("“%(text)s”: chosen by %(citizen)s%% of citizens and %(provider)s%% of providers.") % {
            "text": item["text"], "citizen": number_format(item["citizen"], 0),
            "provider": number_format(item["provider"], 0),
        }


register(Poll(
    name="poll",
    phases=ANSWER_PHASES,
    messages={"poll.answer": ParticipantMessage(_answer_message)},
    templates={"participant": "ideas/kinds/poll_participant.html", "screen": "ideas/kinds/poll_screen.html",
               "results": "ideas/kinds/poll_results.html"},
))

"""A poll: each person picks 1 to `max_choices` of 2–10 options, and may change the answer
while the poll is open (one answer per person per poll, a database constraint)."""

from django.db import connection, transaction
from django.db.models import Count, OuterRef, Q, Subquery
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from workshop_site.core.compiled import CompiledRead
from workshop_site.core.errors import Invalid, NotFound

from .. import realtime
from ..inputs import int_or_invalid
from ..models import Activity, ParticipantRole, PollAnswer, PollOption
from .base import (
    ACTIVITY_COLUMNS,
    ANSWER_PHASES,
    GROUPS,
    ROLES,
    ActivityRow,
    Kind,
    ParticipantMessage,
    answering,
    by_group,
    far_apart,
    group_columns,
    open_activity,
    percent,
    register,
    share,
)

MIN_OPTIONS, MAX_OPTIONS = 2, 10


Choice = PollAnswer.options.through
# The poll with this person's answer to it (its id, or None), in one read after their row is
# locked (`answering`): the parameters in the order of the SQL, the subquery's first.
_POLL_AND_ANSWER = CompiledRead(
    lambda participant_id, kind, pk, workshop_id: Activity.objects.filter(kind=kind, pk=pk, workshop_id=workshop_id)
    .order_by().annotate(answer=Subquery(
        PollAnswer.objects.filter(activity_id=OuterRef("pk"), participant_id=participant_id).order_by().values("pk")[:1]
    )).values_list(*ACTIVITY_COLUMNS, "answer")
)


class _Statements:
    """An answer's writes as SQL written once per database, with the ORM's table and column
    names: building each through the ORM cost more CPU than a whole vote (bench/vote_cost.py)."""

    def __init__(self, connection):
        q = connection.ops.quote_name
        answer, choice, option = PollAnswer._meta, Choice._meta, PollOption._meta
        answers, choices, options = q(answer.db_table), q(choice.db_table), q(option.db_table)
        self.answer_id, self.option_id = (q(choice.get_field(name).column) for name in ("pollanswer", "polloption"))
        self.option_pk, self.option_activity = q(option.pk.column), q(option.get_field("activity").column)
        self.options = options
        self.choices = choices
        self.insert_answer = (
            f"INSERT INTO {answers} ({q(answer.get_field('participant').column)}, "  # noqa: S608
            f"{q(answer.get_field('activity').column)}, {q(answer.get_field('modified').column)}) "
            f"VALUES (%s, %s, %s) RETURNING {q(answer.pk.column)}"
        )
        self.touch_answer = (
            f"UPDATE {answers} SET {q(answer.get_field('modified').column)} = %s "  # noqa: S608
            f"WHERE {q(answer.pk.column)} = %s"
        )
        self.clear_choices = f"DELETE FROM {choices} WHERE {self.answer_id} = %s"  # noqa: S608
        self._choose: dict[int, str] = {}

    def choose(self, n: int) -> str:
        """Insert the chosen options that are this poll's: INSERT … SELECT, so one statement
        both stores them and tells (its row count) whether each was an option of the poll."""
        if n not in self._choose:
            self._choose[n] = (
                f"INSERT INTO {self.choices} ({self.answer_id}, {self.option_id}) "  # noqa: S608
                f"SELECT %s, {self.option_pk} FROM {self.options} "
                f"WHERE {self.option_activity} = %s AND {self.option_pk} IN ({', '.join(['%s'] * n)})"
            )
        return self._choose[n]


_statements: dict[str, _Statements] = {}


@transaction.atomic
def poll_answer(*, participant_id: int | None, activity_id, option_ids) -> list[int]:
    """Store this person's answer (replacing an earlier one); returns the chosen option ids.

    Four statements for a first answer (two reads, the answer, its options) and five for a
    changed one (its options cleared and its time updated instead of the answer inserted),
    where the ORM took seven and eight (bench/vote_cost.py, `answer_ms`)."""
    participant, pk = answering(participant_id, activity_id)
    found = _POLL_AND_ANSWER.first(participant.pk, "poll", pk, participant.workshop_id)
    poll = open_activity(found[:-1] if found is not None else None)
    if not isinstance(option_ids, list) or not option_ids:
        raise Invalid(_("`options` must be a list of one or more option ids."))
    chosen = list(dict.fromkeys(int_or_invalid(option_id) for option_id in option_ids))
    if len(chosen) > poll.max_choices:
        raise Invalid(ngettext("Choose at most %(n)d option.", "Choose at most %(n)d options.", poll.max_choices)
                      % {"n": poll.max_choices})
    sql = _statements.get(connection.vendor) or _statements.setdefault(connection.vendor, _Statements(connection))
    modified = connection.ops.adapt_datetimefield_value(timezone.now())
    answer_id = found[-1]
    with connection.cursor() as cursor:
        # The participant's row is locked (answering): nobody else writes this answer meanwhile.
        if answer_id is None:
            cursor.execute(sql.insert_answer, [participant.pk, poll.id, modified])
            answer_id = cursor.fetchone()[0]
        else:
            cursor.execute(sql.clear_choices, [answer_id])
            cursor.execute(sql.touch_answer, [modified, answer_id])
        cursor.execute(sql.choose(len(chosen)), [answer_id, poll.id, *chosen])
        if cursor.rowcount != len(chosen):
            # An option of another poll (or none): the exception rolls the answer back.
            raise NotFound(_("This option does not belong to this poll."))
    workshop_id = poll.workshop_id
    transaction.on_commit(lambda: realtime.tallies_changed(workshop_id))
    return chosen


def _answer_message(participant_id: int, message: dict) -> dict:
    chosen = poll_answer(participant_id=participant_id, activity_id=message.get("activity"),
                         option_ids=message.get("options"))
    return {"activity": message.get("activity"), "options": chosen}


# Every snapshot of a phone reads its answers: SQL built once. A person answers only their own
# workshop's activities, so all of them are read and the ones asked for kept.
_CHOSEN_BY = CompiledRead(
    lambda participant_id: PollAnswer.options.through.objects.filter(pollanswer__participant_id=participant_id)
    .order_by("polloption__sort_order", "polloption_id").values_list("pollanswer__activity_id", "polloption_id")
)


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
        wanted = set(activity_ids)
        for activity_id, option_id in _CHOSEN_BY.all(participant_id):
            if activity_id in wanted:
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

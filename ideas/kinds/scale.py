"""A scale: each person rates each of 1–8 statements from 1 to 5 (one rating per statement;
rating again replaces it). The room sees the distribution and the mean of each statement."""

from django.db import transaction
from django.db.models import Count
from django.utils.formats import number_format
from django.utils.translation import gettext as _

from workshop_site.core.compiled import CompiledRead
from workshop_site.core.errors import NotFound

from .. import realtime
from ..inputs import int_or_invalid
from ..models import ScaleRating, ScaleStatement
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
    whole_number,
)

MIN_STATEMENTS, MAX_STATEMENTS = 1, 8
LOW, HIGH = 1, 5
# A rating of this or more agrees: 4 or 5 (a disagreement compares these shares).
AGREE = 4


@transaction.atomic
def scale_rate(*, participant_id: int | None, activity_id, statement_id, value) -> int:
    """Store this person's rating of a statement (replacing an earlier one); returns it."""
    participant, scale = answerable(participant_id, activity_id, "scale")
    value = whole_number(value, field="value", low=LOW, high=HIGH)
    statement_pk = int_or_invalid(statement_id)
    if not ScaleStatement.objects.filter(pk=statement_pk, activity_id=scale.id).exists():
        raise NotFound(_("This statement does not belong to this scale."))
    updated = ScaleRating.objects.filter(participant_id=participant.pk, statement_id=statement_pk).update(value=value)
    if not updated:  # the participant's row is locked (answerable): no one else inserts it now
        ScaleRating.objects.create(participant_id=participant.pk, activity_id=scale.id,
                                   statement_id=statement_pk, value=value)
    workshop_id = scale.workshop_id
    transaction.on_commit(lambda: realtime.tallies_changed(workshop_id))
    return value


def _rate_message(participant_id: int, message: dict) -> dict:
    value = scale_rate(participant_id=participant_id, activity_id=message.get("activity"),
                       statement_id=message.get("statement"), value=message.get("value"))
    return {"activity": message.get("activity"), "statement": message.get("statement"), "value": value}


def _distributions(activity_id: int, role: str | None = None) -> dict[int, list[int]]:
    """Statement id → [how many rated 1, …, how many rated 5]. One query."""
    ratings = ScaleRating.objects.filter(activity_id=activity_id)
    if role:
        ratings = ratings.filter(participant__role=role)
    found: dict[int, list[int]] = {}
    for statement_id, value, n in ratings.order_by().values("statement_id", "value").annotate(n=Count("pk")) \
            .values_list("statement_id", "value", "n"):
        found.setdefault(statement_id, [0] * HIGH)[value - LOW] = n
    return found


def mean(distribution: list[int]) -> float | None:
    total = sum(distribution)
    if not total:
        return None
    return round(sum((LOW + i) * n for i, n in enumerate(distribution)) / total, 2)


# A phone's snapshot reads its ratings (SQL built once; all of its workshop's, as poll.py's).
_RATED_BY = CompiledRead(
    lambda participant_id: ScaleRating.objects.filter(participant_id=participant_id).order_by()
    .values_list("activity_id", "statement_id", "value")
)


class Scale(Kind):
    def view(self, activity: ActivityRow) -> dict:
        statements = ScaleStatement.objects.filter(activity_id=activity.id).order_by("sort_order", "pk")
        return {
            "labels": {"low": activity.scale_min_label, "high": activity.scale_max_label},
            "statements": [{"id": pk, "text": text} for pk, text in statements.values_list("pk", "text")],
        }

    def tally(self, activity_id: int) -> dict:
        return {"distribution": {str(pk): counts for pk, counts in _distributions(activity_id).items()}}

    def answers_of(self, participant_id: int, activity_ids: list[int]) -> dict[int, dict[str, int]]:
        mine: dict[int, dict[str, int]] = {}
        wanted = set(activity_ids)
        for activity_id, statement_id, value in _RATED_BY.all(participant_id):
            if activity_id in wanted:
                mine.setdefault(activity_id, {})[str(statement_id)] = value
        return mine

    def results_of(self, activities: list[ActivityRow]) -> dict[int, dict[str | None, dict]]:
        """`{respondents, labels: {low, high}, statements: [{id, text, distribution: [n1…n5],
        ratings, mean, agree}]}`: `agree` is the percent of the statement's ratings that are 4
        or 5, `mean` null while nobody rated it. Three queries for all the scales."""
        ids = [activity.id for activity in activities]
        statements = ScaleStatement.objects.filter(activity_id__in=ids) \
            .order_by("activity_id", "sort_order", "pk").values_list("pk", "activity_id", "text")
        ratings = by_group(
            ((statement_id, value), role, n)
            for statement_id, value, role, n in ScaleRating.objects.filter(activity_id__in=ids).order_by()
            .values("statement_id", "value", "participant__role").annotate(n=Count("pk"))
            .values_list("statement_id", "value", "participant__role", "n")
        )
        respondents = by_group(
            ScaleRating.objects.filter(activity_id__in=ids).order_by()
            .values("activity_id", "participant__role").annotate(n=Count("participant_id", distinct=True))
            .values_list("activity_id", "participant__role", "n")
        )
        found = {
            activity.id: {
                group: {"respondents": respondents.get((activity.id, group), 0), "statements": [],
                        "labels": {"low": activity.scale_min_label, "high": activity.scale_max_label}}
                for group in GROUPS
            }
            for activity in activities
        }
        for pk, activity_id, text in statements:
            for group, figures in found[activity_id].items():
                distribution = [ratings.get(((pk, value), group), 0) for value in range(LOW, HIGH + 1)]
                total = sum(distribution)
                figures["statements"].append({
                    "id": pk, "text": text, "distribution": distribution, "ratings": total,
                    "mean": mean(distribution), "agree": share(sum(distribution[AGREE - LOW:]), total),
                })
        return found

    def disagreements(self, by_role: dict[str, dict]) -> list[dict]:
        """A statement whose share of agreement (4 or 5) differs by more than the threshold."""
        return far_apart(by_role, "statements", lambda statement: statement["agree"] if statement["ratings"] else None)

    def table(self, results: dict, by_role: dict[str, dict]) -> list[list]:
        groups = [results, *(by_role[role] for role in ROLES)]
        measures = [_("ratings"), _("mean"), *(str(value) for value in range(LOW, HIGH + 1)), _("% 4 or 5")]
        rows = [[_("Statement"), *group_columns(measures)]]
        for n, statement in enumerate(results["statements"]):
            row = [statement["text"]]
            for group in groups:
                mine = group["statements"][n]
                row += [mine["ratings"], "" if mine["mean"] is None else mine["mean"], *mine["distribution"],
                        mine["agree"]]
            rows.append(row)
        labels = results["labels"]
        rows.append([_("1 = %(low)s, 5 = %(high)s") % {"low": labels["low"] or "—", "high": labels["high"] or "—"}])
        return rows

    def chart(self, figures: dict) -> dict:
        """Each statement's distribution as the parts of one stacked bar, 1 to 5."""
        return {**figures, "statements": [
            {**statement, "parts": [
                {"value": value, "count": count, "width": percent(count, statement["ratings"])}
                for value, count in enumerate(statement["distribution"], start=LOW)
            ]}
            for statement in figures["statements"]
        ]}

    def disagreement_text(self, item: dict) -> str:
        return _("“%(text)s”: %(citizen)s%% of citizens rate it 4 or 5, against %(provider)s%% of providers.") % {
            "text": item["text"], "citizen": number_format(item["citizen"], 0),
            "provider": number_format(item["provider"], 0),
        }


register(Scale(
    name="scale",
    phases=ANSWER_PHASES,
    messages={"scale.rate": ParticipantMessage(_rate_message)},
    templates={"participant": "ideas/kinds/scale_participant.html", "screen": "ideas/kinds/scale_screen.html",
               "results": "ideas/kinds/scale_results.html"},
))


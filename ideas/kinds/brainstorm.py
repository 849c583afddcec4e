"""A brainstorm: the workshop's board. Phones post ideas (with tags), then dot-vote; the room
sees the ideas, the live tallies and the ranking. Its messages are the room's first ones
(`idea.post`, `vote.cast`, `vote.retract`, `idea.hide`, `idea.merge`: `ideas.services`), and
its tallies are the `votes` every `tally` frame has always carried. Each brainstorm has its own
dots per person (`DotBudget`), cap per idea and blind mode; the room's brainstorm, where a
message without `activity` goes, is `selectors.room_brainstorm`."""

from django.db.models import Count, OuterRef, Subquery, Sum
from django.db.models.functions import Coalesce
from django.utils.translation import gettext as _

from workshop_site.workshops.models import Phase

from ..models import Activity, Idea, TallyLine, Vote
from ..rules import results_shown
from .base import GROUPS, ROLES, ActivityRow, Kind, group_columns, percent, register


class Brainstorm(Kind):
    def view(self, activity: ActivityRow) -> dict:
        return {"dots_per_participant": activity.dots_per_participant, "max_dots_per_idea": activity.max_dots_per_idea,
                "by_table": activity.by_table, "private": activity.private}

    def results_of(self, activities: list[ActivityRow]) -> dict[int, dict[str | None, dict]]:
        """`{voters, ideas: [{id, text, votes}]}`: the brainstorm's visible ideas ranked by
        dots (ties in posting order); by role, the dots the people of that role placed (paper
        dots, which have no voter, count only in everyone's). An idea posted before its
        workshop had activities belongs to the workshop's first brainstorm. Three queries for
        all the brainstorms."""
        ids = [activity.id for activity in activities]
        first = Activity.objects.filter(workshop_id=OuterRef("workshop_id"), kind="brainstorm") \
            .order_by("position", "pk").values("pk")[:1]
        ideas = Idea.objects.filter(workshop_id__in={a.workshop_id for a in activities}, hidden=False) \
            .annotate(brainstorm=Coalesce("activity_id", Subquery(first))).filter(brainstorm__in=ids)
        posted = list(ideas.order_by("created", "pk").values_list("pk", "brainstorm", "text"))
        brainstorm_of = {pk: activity_id for pk, activity_id, _text in posted}
        dots: dict[tuple[int, str | None], int] = {}
        voters: dict[tuple[int, str | None], set[int]] = {}
        for idea_id, participant_id, role, n in Vote.objects.filter(idea__in=ideas.values("pk")).order_by() \
                .values("idea_id", "participant_id", "participant__role").annotate(n=Count("pk")) \
                .values_list("idea_id", "participant_id", "participant__role", "n"):
            if idea_id not in brainstorm_of:  # posted since the ideas were read
                continue
            for group in (role, None):
                dots[idea_id, group] = dots.get((idea_id, group), 0) + n
                voters.setdefault((brainstorm_of[idea_id], group), set()).add(participant_id)
        paper = TallyLine.objects.filter(sheet__current=True, idea__in=ideas.values("pk")).order_by() \
            .values("idea_id").annotate(n=Sum("dots")).values_list("idea_id", "n")
        for idea_id, n in paper:
            dots[idea_id, None] = dots.get((idea_id, None), 0) + (n or 0)
        found = {pk: {group: {"voters": len(voters.get((pk, group), ())), "ideas": []} for group in GROUPS}
                 for pk in ids}
        for pk, activity_id, text in posted:
            for group, figures in found[activity_id].items():
                figures["ideas"].append({"id": pk, "text": text, "votes": dots.get((pk, group), 0)})
        for groups in found.values():
            for figures in groups.values():
                figures["ideas"].sort(key=lambda idea: -idea["votes"])  # stable: ties in posting order
        return found

    def table(self, results: dict, by_role: dict[str, dict]) -> list[list]:
        votes = [{idea["id"]: idea["votes"] for idea in by_role[role]["ideas"]} for role in ROLES]
        rows = [[_("Rank"), _("Idea"), *group_columns([_("votes")])]]
        rank, previous = 0, None
        for place, idea in enumerate(results["ideas"], start=1):  # ranked: equal votes, equal rank
            if idea["votes"] != previous:
                rank, previous = place, idea["votes"]
            rows.append([rank, idea["text"], idea["votes"], *(mine.get(idea["id"], 0) for mine in votes)])
        rows.append(["", _("People who voted"), results["voters"], *(by_role[role]["voters"] for role in ROLES)])
        return rows

    def chart(self, figures: dict) -> dict:
        """The ideas with their bar's width (the most voted is full), and those with dots."""
        most = max((idea["votes"] for idea in figures["ideas"]), default=0)
        ideas = [{**idea, "width": percent(idea["votes"], most)} for idea in figures["ideas"]]
        return {**figures, "ideas": ideas, "voted": [idea for idea in ideas if idea["votes"]]}

    def hides_results(self, activity: ActivityRow, workshop) -> bool:
        """A blind brainstorm hides its dots until its results."""
        return not results_shown(blind=activity.blind, phase=activity.phase)


register(Brainstorm(
    name="brainstorm",
    phases=(Phase.DRAFT, Phase.IDEAS, Phase.VOTING, Phase.RESULTS, Phase.CLOSED),
    templates={"screen": "ideas/kinds/brainstorm_screen.html", "results": "ideas/kinds/brainstorm_results.html"},
))

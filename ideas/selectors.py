"""Reads of the live workshop: the snapshot, tallies and results, each in a fixed number of queries."""

from collections import defaultdict

from django.db.models import Count

from workshop_site.workshops.models import WorkshopPage

from .models import Idea, Participant, ParticipantRole, TaggedIdea, Vote
from .rules import tallies_visible_to_participants


def idea_payload(idea: Idea, *, tag_names: list[str], votes: int | None) -> dict:
    return {"id": idea.pk, "text": idea.text, "tags": tag_names, "votes": votes}


def tags_by_idea(idea_ids) -> dict[int, list[str]]:
    tags: dict[int, list[str]] = defaultdict(list)
    rows = (
        TaggedIdea.objects.filter(content_object_id__in=idea_ids)
        .order_by("tag__name")
        .values_list("content_object_id", "tag__name")
    )
    for idea_id, name in rows:
        tags[idea_id].append(name)
    return tags


def tallies(workshop_id: int) -> dict[str, int]:
    """Absolute dot counts of the visible ideas (ideas without dots included, at 0)."""
    counts = dict(
        Idea.objects.filter(workshop_id=workshop_id, hidden=False)
        .annotate(n=Count("votes"))
        .values_list("pk", "n")
    )
    return {str(pk): n for pk, n in counts.items()}


def participants_with_dots(workshop_id: int) -> int:
    return Participant.objects.filter(workshop_id=workshop_id, dots_left__gt=0).count()


def snapshot(workshop: WorkshopPage, *, participant_id: int | None, sees_tallies: bool) -> dict:
    """The state of the room for one viewer (the protocol's `snapshot`, without `seq`/`online`)."""
    show_votes = sees_tallies or tallies_visible_to_participants(workshop)
    ideas = list(
        Idea.objects.filter(workshop=workshop, hidden=False).annotate(n=Count("votes")).order_by("created", "pk")
    )
    tags = tags_by_idea([i.pk for i in ideas])
    me = {"participant": None, "name": None, "role": None, "dots_left": None, "votes": {}}
    if participant_id is not None:
        participant = Participant.objects.filter(pk=participant_id, workshop=workshop).first()
        if participant is not None:
            my_votes = (
                Vote.objects.filter(participant=participant).values("idea_id").annotate(n=Count("pk"))
            )
            me = {
                "participant": participant.pk,
                "name": participant.display_name,
                "role": participant.role,
                "dots_left": participant.dots_left,
                "votes": {str(row["idea_id"]): row["n"] for row in my_votes},
            }
    return {
        "workshop": {
            "code": workshop.join_code,
            "title": workshop.title,
            "phase": workshop.phase,
            "dots_per_participant": workshop.dots_per_participant,
            "max_dots_per_idea": workshop.max_dots_per_idea,
            "blind_voting": workshop.blind_voting,
            "tallies_visible": show_votes,
            "timer_ends_at": workshop.timer_ends_at.isoformat() if workshop.timer_ends_at else None,
        },
        "ideas": [idea_payload(i, tag_names=tags[i.pk], votes=i.n if show_votes else None) for i in ideas],
        "me": me,
    }


def results(workshop: WorkshopPage) -> dict:
    """Ranked visible ideas with their votes, and the votes by tag and by the voters' role."""
    ideas = list(
        Idea.objects.filter(workshop=workshop, hidden=False).annotate(n=Count("votes")).order_by("-n", "created", "pk")
    )
    tags = tags_by_idea([i.pk for i in ideas])
    role_labels = dict(ParticipantRole.choices)
    by_channel: dict[int, dict[str, int]] = defaultdict(lambda: {"phone": 0, "proxy": 0, "paper": 0})
    for row in (
        Vote.objects.filter(idea__in=ideas).values("idea_id", "channel").annotate(n=Count("pk"))
    ):
        by_channel[row["idea_id"]][row["channel"]] = row["n"]
    ranked, rank, previous = [], 0, None
    for position, idea in enumerate(ideas, start=1):
        if idea.n != previous:
            rank, previous = position, idea.n
        ranked.append({
            "rank": rank,
            "id": idea.pk,
            "text": idea.text,
            "tags": tags[idea.pk],
            "author_role": idea.author_role,
            "author_role_label": str(role_labels.get(idea.author_role, "")),
            "votes": idea.n,
            "votes_by_channel": by_channel[idea.pk],
        })
    by_tag: dict[str, dict] = {}
    for item in ranked:
        for tag in item["tags"] or [""]:
            entry = by_tag.setdefault(tag, {"tag": tag, "votes": 0, "ideas": 0})
            entry["votes"] += item["votes"]
            entry["ideas"] += 1
    voter_roles = (
        Vote.objects.filter(idea__in=ideas).values("participant__role").annotate(n=Count("pk"), ideas=Count("idea", distinct=True))
    )
    by_role = sorted(
        (
            {"role": row["participant__role"], "role_label": str(role_labels.get(row["participant__role"], "")),
             "votes": row["n"], "ideas": row["ideas"]}
            for row in voter_roles
        ),
        key=lambda r: -r["votes"],
    )
    return {
        "ideas": ranked,
        "by_tag": sorted(by_tag.values(), key=lambda t: (-t["votes"], t["tag"])),
        "by_role": by_role,
        "total_votes": sum(i["votes"] for i in ranked),
        "participants": Participant.objects.filter(workshop=workshop).count(),
    }

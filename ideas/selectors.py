"""Reads of the live workshop: the snapshot, tallies and results, each in a fixed number of queries."""

from collections import defaultdict

from django.db.models import Count, Q, Sum

from workshop_site.workshops.models import WorkshopPage

from .models import (
    Idea,
    Participant,
    ParticipantRole,
    TaggedIdea,
    TallyLine,
    TallySheet,
    Vote,
    VoteChannel,
)
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
    """Absolute dot counts of the visible ideas (ideas without dots included, at 0), paper
    dots included."""
    return tallies_with_channels(workshop_id)[0]


def paper_dots(workshop_id: int) -> dict[int, int]:
    """Paper dots per visible idea, from the sheets that count (corrected ones do not)."""
    rows = (
        TallyLine.objects.filter(sheet__workshop_id=workshop_id, sheet__current=True, idea__hidden=False)
        .values("idea_id")
        .annotate(n=Sum("dots"))
        .values_list("idea_id", "n")
    )
    return dict(rows)


def tallies_with_channels(workshop_id: int) -> tuple[dict[str, int], dict[str, dict[str, int]]]:
    """The absolute tallies, and the part of them entered by helpers (`proxy`) or counted on
    paper (`paper`), only where not zero: the rest came from phones. Two queries."""
    rows = (
        Idea.objects.filter(workshop_id=workshop_id, hidden=False)
        .annotate(n=Count("votes"), proxy=Count("votes", filter=Q(votes__channel=VoteChannel.PROXY)))
        .values_list("pk", "n", "proxy")
    )
    paper = paper_dots(workshop_id)
    votes: dict[str, int] = {}
    channels: dict[str, dict[str, int]] = {"proxy": {}, "paper": {}}
    for pk, n, proxy in rows:
        votes[str(pk)] = n + paper.get(pk, 0)
        if proxy:
            channels["proxy"][str(pk)] = proxy
        if paper.get(pk):
            channels["paper"][str(pk)] = paper[pk]
    return votes, channels


def idea_numbers(workshop_id: int) -> dict[int, int]:
    """Each idea's number on the poster and handouts: its place in posting order among all the
    workshop's ideas, hidden ones included, so a number never changes once printed."""
    ids = Idea.objects.filter(workshop_id=workshop_id).order_by("created", "pk").values_list("pk", flat=True)
    return {pk: number for number, pk in enumerate(ids, start=1)}


def participants_with_dots(workshop_id: int) -> int:
    return Participant.objects.filter(workshop_id=workshop_id, dots_left__gt=0).count()


def snapshot(workshop: WorkshopPage, *, participant_id: int | None, sees_tallies: bool) -> dict:
    """The state of the room for one viewer (the protocol's `snapshot`, without `seq`/`online`)."""
    show_votes = sees_tallies or tallies_visible_to_participants(workshop)
    ideas = list(
        Idea.objects.filter(workshop=workshop, hidden=False).annotate(n=Count("votes")).order_by("created", "pk")
    )
    tags = tags_by_idea([i.pk for i in ideas])
    votes, channels = tallies_with_channels(workshop.pk) if show_votes else ({}, None)
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
        "ideas": [
            idea_payload(i, tag_names=tags[i.pk], votes=votes.get(str(i.pk), i.n) if show_votes else None)
            for i in ideas
        ],
        "channels": channels,
        "me": me,
    }


def results(workshop: WorkshopPage) -> dict:
    """Ranked visible ideas with their votes (paper dots included, split by channel), and the
    votes by tag and by the voters' role (live dots only: paper dots have no voter)."""
    ideas = list(
        Idea.objects.filter(workshop=workshop, hidden=False).annotate(n=Count("votes"))
        .select_related("entered_by").order_by("created", "pk")
    )
    paper = paper_dots(workshop.pk)
    numbers = idea_numbers(workshop.pk)
    for idea in ideas:
        idea.n += paper.get(idea.pk, 0)
    ideas.sort(key=lambda i: -i.n)  # stable: ties stay in posting order
    tags = tags_by_idea([i.pk for i in ideas])
    role_labels = dict(ParticipantRole.choices)
    by_channel: dict[int, dict[str, int]] = defaultdict(lambda: {"phone": 0, "proxy": 0, "paper": 0})
    for row in (
        Vote.objects.filter(idea__in=ideas).values("idea_id", "channel").annotate(n=Count("pk"))
    ):
        by_channel[row["idea_id"]][row["channel"]] = row["n"]
    for idea_id, n in paper.items():
        by_channel[idea_id]["paper"] = n
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
            "number": numbers.get(idea.pk),
            "entered_by": user_label(idea.entered_by),
            "entered_at": idea.created if idea.entered_by_id else None,
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
        "proxy_participants": Participant.objects.filter(workshop=workshop, is_proxy=True).count(),
        "votes_by_channel": {
            key: sum(i["votes_by_channel"][key] for i in ranked) for key in ("phone", "proxy", "paper")
        },
    }


def user_label(user) -> str:
    """How a staff user is named on results and exports (full name, else username)."""
    if user is None:
        return ""
    return user.get_full_name() or user.get_username()


def tally_sheets(workshop_id: int) -> list[dict]:
    """Every paper tally sheet of the workshop, corrections included, in the order entered."""
    sheets = (
        TallySheet.objects.filter(workshop_id=workshop_id)
        .select_related("entered_by")
        .annotate(total_dots=Sum("lines__dots"))
        .order_by("created", "pk")
    )
    return [
        {
            "id": sheet.pk,
            "round": sheet.round,
            "voters": sheet.voters,
            "total": sheet.total_dots or 0,
            "current": sheet.current,
            "corrects": sheet.corrects_id,
            "note": sheet.note,
            "entered_by": user_label(sheet.entered_by),
            "entered_at": sheet.created,
        }
        for sheet in sheets
    ]


def proxy_votes(workshop_id: int) -> list[dict]:
    """Every dot a helper placed for someone without a phone: who for, on what, by whom, when."""
    numbers = idea_numbers(workshop_id)
    votes = (
        Vote.objects.filter(idea__workshop_id=workshop_id, channel=VoteChannel.PROXY)
        .select_related("participant", "idea", "entered_by")
        .order_by("created", "pk")
    )
    return [
        {
            "participant": vote.participant.display_name,
            "idea": numbers.get(vote.idea_id),
            "idea_text": vote.idea.text,
            "entered_by": user_label(vote.entered_by),
            "entered_at": vote.created,
        }
        for vote in votes
    ]

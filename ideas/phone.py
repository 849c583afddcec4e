"""The participant's phone screen as the server draws it (`/w/<code>/`): the same elements,
classes and words that participant.js and activities.js draw from the same snapshot. A phone
without JavaScript gets the whole screen, forms included; a phone with it sees nothing move
when the scripts take over. Each `{name}` string is one of the page's script strings
(#live-strings), filled in as live.js's `t()` fills it, so both speak with one msgid."""

import math
from decimal import ROUND_HALF_UP, Decimal

from django.utils.translation import gettext as _

from workshop_site.workshops.models import Phase

from .kinds import KINDS

# participant.js: an idea shows its votes, and the ideas are ranked by them, in these phases.
TALLY_PHASES = frozenset({Phase.VOTING, Phase.RESULTS, Phase.CLOSED})
REVEALED = frozenset({Phase.RESULTS, Phase.CLOSED})
FIGURES = ("counts", "distribution", "words")
SCALE_VALUES = range(1, 6)


def fill(template: str, **values) -> str:
    for name, value in values.items():
        template = template.replace("{" + name + "}", str(value))
    return template


def js_round(value: float) -> int:
    """JavaScript's Math.round (a half goes up), not Python's round (a half goes to even)."""
    return math.floor(value + 0.5)


def screen(state: dict, notices: list) -> dict:
    """What participant.html draws from the snapshot `state`: the ideas of the room's brainstorm
    in participant.js's order, the current activity as activities.js draws it on a phone, the
    earlier activities whose results are out, and `notices` (the Django messages of the form
    sent last, each tagged with the id of the element it is about) placed in that element's
    status line if the screen shows it, else at the top of the page."""
    me, room = state["me"], state["workshop"]
    activity = state["activity"]
    kind = activity["kind"] if activity else "brainstorm"
    joined = me["participant"] is not None
    ideas = idea_rows(state)  # drawn, as the script draws them, while another activity hides them
    drawn = activity_view(state) if kind != "brainstorm" else None

    by_anchor: dict[str, list] = {}
    for notice in notices:
        by_anchor.setdefault(notice.extra_tags or "", []).append(notice)
    placed = set()
    if kind == "brainstorm" and joined and room["phase"] == Phase.IDEAS:
        placed.add("compose")
    if drawn is not None and drawn["form"]:
        drawn["notices"] = by_anchor.get("activity", [])
        placed.add("activity")
    for row in ideas:
        row["notices"] = by_anchor.get(f"idea-{row['id']}", []) if kind == "brainstorm" else []
        if kind == "brainstorm":
            placed.add(f"idea-{row['id']}")
    current = activity["id"] if activity else None
    return {
        "phone_ideas": ideas,
        "phone_activity": drawn,
        "compose_notices": by_anchor.get("compose", []) if "compose" in placed else [],
        "page_notices": [notice for anchor, found in by_anchor.items() if anchor not in placed for notice in found],
        "past_activities": [a for a in state["activities"] if a["phase"] in REVEALED and a["id"] != current],
    }


def idea_rows(state: dict) -> list[dict]:
    """The room's ideas as participant.js lists them: newest first, or by votes (then oldest
    first) once the room's tallies show; each with this person's dots and the words of its
    tally, its dot count and its buttons."""
    me, room = state["me"], state["workshop"]
    by_votes = bool(room["tallies_visible"]) and room["phase"] in TALLY_PHASES
    ideas = sorted(state["ideas"], key=lambda idea: -(idea["votes"] or 0)) if by_votes else state["ideas"][::-1]
    left, cap = me["dots_left"] or 0, room["max_dots_per_idea"] or 0
    rows = []
    for idea in ideas:
        mine, votes = me["votes"].get(str(idea["id"]), 0), idea["votes"]
        short = idea["text"] if len(idea["text"]) <= 80 else idea["text"][:78] + "\u2026"
        rows.append({
            "id": idea["id"], "text": idea["text"], "tags": idea["tags"], "votes": votes, "mine": mine,
            "tally": fill(_("Votes: {n}"), n=votes) if votes is not None else "",
            "tally_shown": votes is not None and room["phase"] in TALLY_PHASES,
            "mine_text": fill(_("Your dots: {n}"), n=mine),
            "add_label": fill(_("Add a dot to: {idea}"), idea=short),
            "remove_label": fill(_("Remove a dot from: {idea}"), idea=short),
            "cast_disabled": left <= 0 or (cap > 0 and mine >= cap),
            "retract_disabled": mine <= 0,
        })
    return rows


def activity_view(state: dict) -> dict | None:
    """The current poll, scale or word cloud as activities.js draws it on a phone: its form
    while open (for someone who joined), its notes, and its figures once the room may see them."""
    a = state["activity"]
    if a is None or a["kind"] not in DRAW:
        return None
    joined = state["me"]["participant"] is not None
    mine = state["me"]["answers"].get(str(a["id"]))
    shown = any(a.get(figure) is not None for figure in FIGURES)
    return {
        **a, "form": a["phase"] == Phase.OPEN and joined, "join_first": a["phase"] == Phase.OPEN and not joined,
        "draft": a["phase"] == Phase.DRAFT, "shown": shown, "revealed": a["phase"] in REVEALED,
        "template": KINDS[a["kind"]].templates.get("participant"), **DRAW[a["kind"]](a, mine), "notices": [],
    }


def _poll(a: dict, mine: list | None) -> dict:
    counts = a.get("counts") or {}
    total = sum(counts.get(str(option["id"]), 0) for option in a["options"])
    chosen = set(mine or [])
    multi = a["max_choices"] > 1
    bars = []
    for option in a["options"]:
        n = counts.get(str(option["id"]), 0)
        bars.append({"id": option["id"], "label": option["text"], "value": n,
                     "note": fill(_("{n} ({share}%)"), n=n, share=js_round(100 * n / total) if total else 0)})
    return {
        "multi": multi,
        "legend": fill(_("Choose up to {n} answers"), n=a["max_choices"]) if multi else _("Choose one answer"),
        "submit": _("Change my answer") if mine is not None else _("Send my answer"),
        "choices": [{**option, "checked": option["id"] in chosen} for option in a["options"]],
        "bars": bars,
    }


def _mean(total: int, sum_: int) -> str:
    """`(sum / total).toFixed(1)`: the nearest tenth, a half up."""
    return str(Decimal(sum_ / total).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP))


def _scale(a: dict, mine: dict | None) -> dict:
    rated, labels = mine or {}, a.get("labels") or {}
    low, high = labels.get("low") or "", labels.get("high") or ""
    distribution = a.get("distribution") or {}
    statements, rows = [], []
    for statement in a["statements"]:
        chosen = rated.get(str(statement["id"]))
        statements.append({**statement, "values": [
            {"n": n, "checked": chosen == n,
             "label": f"{n} {low}" if n == 1 and low else f"{n} {high}" if n == 5 and high else ""}
            for n in SCALE_VALUES
        ]})
        counts = distribution.get(str(statement["id"])) or [0] * 5
        total = sum(counts)
        sum_ = sum(n * count for n, count in zip(SCALE_VALUES, counts, strict=True))
        rows.append({
            "id": statement["id"], "text": statement["text"], "ratings": total,
            "mean": fill(_("mean {mean} · {n} answers"), mean=_mean(total, sum_), n=total) if total else _("No answers yet."),
            "split": fill(_("1: {a}, 2: {b}, 3: {c}, 4: {d}, 5: {e}"), **dict(zip("abcde", counts, strict=True))),
            "segments": [{"n": n, "text": count if count and count / total >= 0.08 else ""}
                         for n, count in zip(SCALE_VALUES, counts, strict=True)],
        })
    return {"statements": statements, "low": low, "high": high, "rows": rows}


def _words(a: dict, mine: list | None) -> dict:
    words, cloud = mine or [], a.get("words") or []
    left = max(0, (a.get("max_words") or 3) - len(words))
    most = max([1, *(word["count"] for word in cloud)])
    return {
        "my_words": words, "left": left, "left_text": fill(_("Words left: {n}"), n=left),
        "max_length": a.get("max_length") or 25,
        "cloud": [{**word, "key": word["text"].lower(), "size": max(1, math.ceil(6 * word["count"] / most))}
                  for word in cloud],
    }


# How each kind's phone part is drawn, as activities.js draws it (a brainstorm is the board).
DRAW = {"poll": _poll, "scale": _scale, "words": _words}

"""Reads of plans: rolled-up progress, overdue items and counts, in a fixed number of queries."""

import datetime as dt
from collections import Counter

from django.core.exceptions import FieldDoesNotExist
from django.db.models import Max, Prefetch, Q
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.text import capfirst
from django.utils.translation import gettext as _

from workshop_site.core.i18n import canonical_pages, localized
from workshop_site.offices.models import OfficePage

from .models import ActionItem, ActionPlan, ItemStatus, ItemUpdate, Milestone, Priority
from .rules import editable_plans_filter


def item_progress(item: ActionItem) -> int:
    """From the milestones when the item has them (share done), else as the team set it.
    A done item is 100%."""
    if item.status == ItemStatus.DONE:
        return 100
    milestones = list(item.milestones.all())
    if milestones:
        return round(100 * sum(1 for m in milestones if m.done) / len(milestones))
    return item.progress


def plan_progress(items: list[ActionItem]) -> int:
    """The weighted mean of the items' progress; dropped items do not count."""
    counted = [i for i in items if i.status != ItemStatus.DROPPED]
    total = sum(i.weight for i in counted)
    if not total:
        return 0
    return round(sum(item_progress(i) * i.weight for i in counted) / total)


def plans_for_office(office, *, user, with_origins: bool = True) -> list[ActionPlan]:
    """The office's plans the user may read, with items and milestones prefetched, and the
    items' origins (ideas, prototype versions, feedback) unless `with_origins=False`: the
    office page does not show them, and each prefetched relation costs the ORM a queryset per
    item, which for a 50-item plan is most of the page's time."""
    item_lookups: list = [Prefetch("milestones", queryset=Milestone.objects.order_by("sort_order", "pk"))]
    if with_origins:
        item_lookups += ["ideas", "prototype_versions__prototype", "feedback"]
    plans = (
        ActionPlan.objects.filter(office=office)
        .select_related("office", "workshop")
        .prefetch_related(
            Prefetch("items", queryset=ActionItem.objects.select_related("owner_user").prefetch_related(*item_lookups))
        )
        .order_by("-created")
    )
    return [plan for plan in plans if user.has_perm("plans.view_plan", plan)]


def plans_editable_by(user, offices) -> list[ActionPlan]:
    """The plans of `offices` (a queryset of office pages) this user may add items to: what
    the one-click "make it an action item" of a workshop's results and of the feedback
    triage offers, by office, newest first."""
    if not getattr(user, "is_authenticated", False):
        return []
    plans = ActionPlan.objects.filter(office__in=offices).select_related("office").order_by("office__title", "-created")
    return [plan for plan in plans if user.has_perm("plans.change_plan", plan)]


# A status's badge, in the shared stylesheet's tones (static/css/atelier.css).
STATUS_TONES = {ItemStatus.DONE: "ok", ItemStatus.BLOCKED: "warn", ItemStatus.IN_PROGRESS: "info"}


def status_tone(status: str) -> str:
    return STATUS_TONES.get(status, "")


def plan_summary(plan: ActionPlan, today: dt.date | None = None, changes: dict | None = None) -> dict:
    """A plan as the office page shows it. `changes` are its items' status changes
    (`status_changes`, read once for every plan of the page); without them, read here."""
    today = today or timezone.localdate()
    items = list(plan.items.all())
    if changes is None:
        changes = status_changes([item.pk for item in items])
    counts = Counter(item.status for item in items)
    labels = dict(ItemStatus.choices)  # once, not get_status_display() per item
    return {
        "plan": plan,
        "workshop": localized([plan.workshop])[0] if plan.workshop else None,  # in the reader's language
        "items": [
            {
                "item": item, "progress": item_progress(item), "overdue": item.is_overdue(today),
                "status_label": labels.get(item.status, item.status), "tone": status_tone(item.status),
            }
            for item in items
        ],
        "progress": plan_progress(items),
        "overdue": sum(1 for item in items if item.is_overdue(today)),
        "counts": [(status, label, counts.get(status, 0)) for status, label in ItemStatus.choices],
        "timeline": timeline(items, today),
        "done_chart": done_chart(done_series(items, changes), today),
    }


def timeline(items: list[ActionItem], today: dt.date) -> dict | None:
    """One labelled row per dated item: its bar's x and width in 0–1000 units between the
    earliest start and the latest due date, and the dates it spans."""
    dated = [i for i in items if i.start or i.due]
    if not dated:
        return None
    first = min((i.start or i.due) for i in dated)
    last = max((i.due or i.start) for i in dated)
    span = max((last - first).days, 1)

    def x(day: dt.date) -> float:
        return round(1000 * (day - first).days / span, 1)

    bars = []
    for item in dated:
        start, due = item.start or item.due, item.due or item.start
        bars.append({
            "item": item, "start": start, "due": due, "x": x(start), "width": max(x(due) - x(start), 6),
            "overdue": item.is_overdue(today), "done": item.status == ItemStatus.DONE,
            "status_label": ItemStatus(item.status).label,
        })
    today_x = x(today) if first <= today <= last else None
    return {"bars": bars, "first": first, "last": last, "today_x": today_x}


def status_changes(item_ids=None) -> dict[int, list[tuple[dt.date, str, str]]]:
    """The status changes of these items (of every item when None) from their history, oldest
    first, as (day, before, after) in the local calendar: one query, whatever the number of
    items and updates."""
    found: dict[int, list[tuple[dt.date, str, str]]] = {}
    updates = ItemUpdate.objects.filter(changes__has_key="status")
    if item_ids is not None:
        updates = updates.filter(item_id__in=item_ids)
    updates = updates.order_by("created", "pk").values_list("item_id", "created", "changes")
    for item_id, created, changes in updates:
        before, after = changes["status"]
        found.setdefault(item_id, []).append((timezone.localdate(created), before, after))
    return found


def done_series(items, changes: dict[int, list[tuple[dt.date, str, str]]]) -> list[dict]:
    """How many of the items were done, day by day, from their history: one point for each day
    the figures changed, from the day the first item was created. An item counts from its
    creation with the status it had before its first recorded change (or its status now, when it
    never changed); a dropped item does not count while dropped, as in the plan's progress.
    `items` need `pk`, `created` and `status`; `changes` is `status_changes`' answer."""
    events: list[tuple[dt.date, int, int, str]] = []  # (day, order, item, status)
    for item in items:
        history = changes.get(item.pk, [])
        born = timezone.localdate(item.created)
        if history:
            born = min(born, history[0][0])
        events.append((born, 0, item.pk, history[0][1] if history else item.status))
        events += [(day, 1, item.pk, after) for day, _before, after in history]
    status: dict[int, str] = {}
    points: list[dict] = []
    events.sort(key=lambda event: event[:2])
    for n, (day, _order, pk, after) in enumerate(events):
        status[pk] = after
        if n + 1 < len(events) and events[n + 1][0] == day:
            continue  # the day's figures are those at its end
        counted = sum(1 for value in status.values() if value != ItemStatus.DROPPED)
        done = sum(1 for value in status.values() if value == ItemStatus.DONE)
        if points and (points[-1]["done"], points[-1]["counted"]) == (done, counted):
            continue
        points.append({"day": day, "done": done, "counted": counted,
                       "share": round(100 * done / counted) if counted else 0})
    return points


def done_chart(points: list[dict], today: dt.date) -> dict | None:
    """`done_series` as a step line from its first day to today, in 0–1000 (days) by 0–100
    (100 − share, SVG's y grows downwards) units: the path of the line, the area under it,
    and the points for the chart's table."""
    if not points:
        return None
    first = points[0]["day"]
    last = max(today, points[-1]["day"])
    span = max((last - first).days, 1)

    def x(day: dt.date) -> str:
        return f"{1000 * (day - first).days / span:.1f}".removesuffix(".0")

    path = f"M0 {100 - points[0]['share']}"
    for point in points[1:]:
        path += f"H{x(point['day'])}V{100 - point['share']}"
    path += "H1000"
    return {
        "points": points, "first": first, "last": last, "path": path, "area": f"{path}V100H0Z",
        "now": points[-1],
    }


def origins(item: ActionItem) -> list[dict]:
    """Where the item came from, as links the API and pages show."""
    found = [{"kind": "idea", "id": idea.pk, "text": idea.text} for idea in item.ideas.all()]
    found += [
        {"kind": "prototype_version", "id": version.pk, "prototype": version.prototype.slug, "number": version.number}
        for version in item.prototype_versions.all()
    ]
    found += [{"kind": "feedback", "id": feedback.pk, "text": feedback.text} for feedback in item.feedback.all()]
    return found


def origin_links(item: ActionItem, *, user) -> list[dict]:
    """Where the item came from, as the item page links to it: an idea to its row on its
    workshop's results, a prototype version to its play mode, feedback to its triage (for those
    who triage it; others read its text)."""
    links = []
    for idea in item.ideas.select_related("workshop"):
        # A merged idea lives on in the idea it was merged into; a hidden one is not shown.
        shown = idea.merged_into_id or (None if idea.hidden else idea.pk)
        url = reverse("ideas_results", args=[idea.workshop.join_code]) + f"#idea-{shown}" if shown else None
        links.append({"kind": "idea", "text": idea.text, "url": url})
    for version in item.prototype_versions.select_related("prototype"):
        links.append({
            "kind": "prototype_version", "text": f"{version.prototype.title} v{version.number}",
            "url": reverse("prototypes_play_version", args=[version.prototype.slug, version.number]),
        })
    for feedback in item.feedback.select_related("version__prototype"):
        url = None
        if user.has_perm("feedback.triage_feedback", feedback):
            url = reverse("feedback_admin_detail", args=[feedback.pk])
        links.append({"kind": "feedback", "text": feedback.text, "url": url})
    return links


def items_from_ideas(user, idea_ids) -> dict[int, list[dict]]:
    """The action items made of these ideas (or of ideas merged into them) that the user may
    read, by idea and then by office in the reader's language: the results page links each
    idea to them. One query, and one for the offices' translations."""
    links = ActionItem.ideas.through.objects.filter(Q(idea_id__in=idea_ids) | Q(idea__merged_into__in=idea_ids))
    plan_filter = editable_plans_filter(user)
    if plan_filter is not None:
        readable = Q(actionitem__plan__published=True)
        for key, value in plan_filter.items():
            readable |= Q(**{f"actionitem__plan__{key}": value})
        links = links.filter(readable)
    links = (
        links.annotate(shown_idea=Coalesce("idea__merged_into", "idea_id"))
        .select_related("actionitem__plan__office")
        .order_by("actionitem__plan__office__title", "actionitem__plan", "actionitem__sort_order", "actionitem")
    )
    offices = {}
    found: dict[int, dict[int, list[dict]]] = {}
    for link in links:
        item = link.actionitem
        offices[item.plan.office_id] = item.plan.office
        found.setdefault(link.shown_idea, {}).setdefault(item.plan.office_id, []).append(
            {"title": item.title, "url": reverse("plans_item", args=[item.pk])}
        )
    titles = {office.translation_key: office.title for office in localized(offices.values())}
    return {
        idea_id: [
            {"office": titles.get(offices[office_id].translation_key, offices[office_id].title), "actions": actions}
            for office_id, actions in by_office.items()
        ]
        for idea_id, by_office in found.items()
    }


def history(item: ActionItem) -> list[dict]:
    """The item's updates, newest first, each change as a sentence people read."""
    updates = ItemUpdate.objects.filter(item=item).select_related("user").order_by("-created", "-pk")
    return [{"update": update, "changes": describe_changes(update.changes)} for update in updates]


def _shown(field: str, value) -> str:
    """A stored value (`services._display`: a choice, a number, an ISO date, a name) as read."""
    if value is None or value == "":
        return "—"
    names = {"status": dict(ItemStatus.choices), "priority": dict(Priority.choices)}.get(field)
    if names:
        return str(names.get(value, value))
    if field in ("start", "due"):
        try:
            return date_format(dt.date.fromisoformat(str(value)), "j E Y")
        except ValueError:
            return str(value)
    return str(value)


def describe_changes(changes: dict) -> list[str]:
    """An update's changes as sentences in the reader's language: "Item created: …",
    "Milestone done: …", and for a field "Status: not started → done"."""
    described = []
    # In the order of the item's fields (PostgreSQL's jsonb does not keep the keys' order).
    order = {field.name: n for n, field in enumerate(ActionItem._meta.get_fields())}
    for field, (before, after) in sorted(changes.items(), key=lambda change: order.get(change[0], -1)):
        if field == "created":
            described.append(_("Item created: %(title)s") % {"title": after})
        elif field == "milestone" and before is None:
            described.append(_("Milestone added: %(title)s") % {"title": after})
        elif field == "milestone_done":  # [its title, done or not]
            done = _("Milestone done: %(title)s") if after else _("Milestone not done any more: %(title)s")
            described.append(done % {"title": before})
        elif field == "milestone":
            # Before the history kept facts, a milestone's state was written out: "title: done".
            described.append(_("Milestone: %(change)s") % {"change": after})
        else:
            try:
                label = str(ActionItem._meta.get_field(field).verbose_name)
            except FieldDoesNotExist:  # a field that no longer exists keeps its name
                label = field
            described.append(f"{capfirst(label)}: {_shown(field, before)} → {_shown(field, after)}")
    return described


def offices_overview(today: dt.date | None = None) -> list[dict]:
    """Every office with its plans' progress, overdue items and last update (for ~27 offices,
    a fixed number of queries)."""
    today = today or timezone.localdate()
    items_by_office: dict[int, list[ActionItem]] = {}
    for item in ActionItem.objects.select_related("plan").prefetch_related("milestones"):
        items_by_office.setdefault(item.plan.office_id, []).append(item)
    changes = status_changes()
    last_updates = dict(
        ItemUpdate.objects.values("item__plan__office_id").annotate(last=Max("created")).values_list("item__plan__office_id", "last")
    )
    rows = []
    for office in canonical_pages(OfficePage.objects.live()).order_by("title"):
        items = items_by_office.get(office.pk, [])
        rows.append({
            "office": office,
            "progress": plan_progress(items) if items else None,
            "items": len(items),
            "overdue": sum(1 for i in items if i.is_overdue(today)),
            "done": sum(1 for i in items if i.status == ItemStatus.DONE),
            "last_update": last_updates.get(office.pk),
            "done_chart": done_chart(done_series(items, changes), today),
        })
    return rows

"""Reads of plans: rolled-up progress, overdue items and counts, in a fixed number of queries."""

import datetime as dt
from collections import Counter

from django.db.models import Max, Prefetch
from django.utils import timezone

from workshop_site.core.i18n import canonical_pages
from workshop_site.offices.models import OfficePage

from .models import ActionItem, ActionPlan, ItemStatus, ItemUpdate, Milestone, Priority


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


def plan_summary(plan: ActionPlan, today: dt.date | None = None) -> dict:
    today = today or timezone.localdate()
    items = list(plan.items.all())
    counts = Counter(item.status for item in items)
    labels = dict(ItemStatus.choices)  # once, not get_status_display() per item
    return {
        "plan": plan,
        "items": [
            {
                "item": item, "progress": item_progress(item), "overdue": item.is_overdue(today),
                "status_label": labels.get(item.status, item.status),
            }
            for item in items
        ],
        "progress": plan_progress(items),
        "overdue": sum(1 for item in items if item.is_overdue(today)),
        "counts": [(status, label, counts.get(status, 0)) for status, label in ItemStatus.choices],
        "timeline": timeline(items, today),
    }


def timeline(items: list[ActionItem], today: dt.date) -> dict | None:
    """Bars of a Gantt-like SVG: x and width in 0–1000 units between the earliest start and the
    latest due date."""
    dated = [i for i in items if i.start or i.due]
    if not dated:
        return None
    first = min((i.start or i.due) for i in dated)
    last = max((i.due or i.start) for i in dated)
    span = max((last - first).days, 1)

    def x(day: dt.date) -> float:
        return round(1000 * (day - first).days / span, 1)

    bars = []
    for row, item in enumerate(dated):
        start, due = item.start or item.due, item.due or item.start
        bars.append({
            "item": item, "row": row, "y": 8 + row * 28, "x": x(start), "width": max(x(due) - x(start), 6),
            "overdue": item.is_overdue(today), "done": item.status == ItemStatus.DONE,
        })
    today_x = x(today) if first <= today <= last else None
    return {"bars": bars, "first": first, "last": last, "today_x": today_x, "height": 16 + 28 * len(dated)}


def origins(item: ActionItem) -> list[dict]:
    """Where the item came from, as links the API and pages show."""
    found = [{"kind": "idea", "id": idea.pk, "text": idea.text} for idea in item.ideas.all()]
    found += [
        {"kind": "prototype_version", "id": version.pk, "prototype": version.prototype.slug, "number": version.number}
        for version in item.prototype_versions.all()
    ]
    found += [{"kind": "feedback", "id": feedback.pk, "text": feedback.text} for feedback in item.feedback.all()]
    return found


def history(item: ActionItem) -> list[dict]:
    """The item's updates, newest first, with field names and values as people read them."""
    updates = ItemUpdate.objects.filter(item=item).select_related("user").order_by("-created", "-pk")
    return [{"update": update, "changes": describe_changes(update.changes)} for update in updates]


def describe_changes(changes: dict) -> list[tuple[str, str, str]]:
    from django.utils.translation import gettext as _

    labels = {"created": _("created")}
    choices = {"status": dict(ItemStatus.choices), "priority": dict(Priority.choices)}
    described = []
    for field, (before, after) in changes.items():
        if field not in labels:
            try:
                labels[field] = str(ActionItem._meta.get_field(field).verbose_name)
            except Exception:  # noqa: BLE001 - a field that no longer exists keeps its name
                labels[field] = field
        names = choices.get(field, {})
        described.append((labels[field], str(names.get(before, before) if before is not None else "—"),
                          str(names.get(after, after) if after is not None else "—")))
    return described


def offices_overview(today: dt.date | None = None) -> list[dict]:
    """Every office with its plans' progress, overdue items and last update (for ~27 offices,
    a fixed number of queries)."""
    today = today or timezone.localdate()
    items_by_office: dict[int, list[ActionItem]] = {}
    for item in ActionItem.objects.select_related("plan").prefetch_related("milestones"):
        items_by_office.setdefault(item.plan.office_id, []).append(item)
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
        })
    return rows

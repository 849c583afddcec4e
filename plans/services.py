"""Every change to a plan item goes through here: the rule, the checks, the history entry."""

import datetime as dt

from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import F, Max, Q
from django.db.models.functions import Coalesce
from django.utils.translation import gettext as _

from feedback import selectors as feedback_selectors
from feedback import services as feedback_services
from ideas import selectors as ideas_selectors
from workshop_site.core.errors import Conflict, Forbidden, Invalid, NotFound

from .models import ActionItem, ActionPlan, ItemStatus, ItemUpdate, Milestone, Priority

# Fields an edit may change, and how each is checked and stored.
EDITABLE = ("title", "description", "status", "progress", "priority", "weight", "start", "due",
            "owner_user", "owner_name", "owner_institution")
MAX_NOTE = 2000


def _require_edit(user, obj) -> None:
    if user is None or not getattr(user, "is_authenticated", False):
        raise Forbidden(_("Log in to change the plan."))
    if not user.has_perm("plans.change_plan", obj):
        raise Forbidden(_("Only this office's team or a facilitator may change its plan."))


def _as_date(value, field: str):
    if value in (None, ""):
        return None
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        raise Invalid(_("%(field)s must be a date (YYYY-MM-DD).") % {"field": field}) from None


def _as_int(value, field: str, low: int, high: int) -> int:
    """A whole number in [low, high], given as a number or as digits; refuses 50.5, "abc", True."""
    if isinstance(value, int) and not isinstance(value, bool):
        number = value
    elif isinstance(value, str) and value.strip().lstrip("-").isdigit():
        number = int(value)
    else:
        number = None
    if number is None or not low <= number <= high:
        raise Invalid(
            _("%(field)s must be a whole number from %(low)d to %(high)d.") % {"field": field, "low": low, "high": high}
        )
    return number


def clean_changes(item: ActionItem, changes: dict) -> dict:
    """Check each requested change; returns the values to store. Refuses unknown fields."""
    unknown = set(changes) - set(EDITABLE)
    if unknown:
        raise Invalid(_("These fields cannot be changed: %(fields)s.") % {"fields": ", ".join(sorted(unknown))})
    cleaned = {}
    for field, value in changes.items():
        if field in ("title",):
            if not isinstance(value, str) or not value.strip() or len(value) > 200:
                raise Invalid(_("The title must be 1 to 200 characters."))
            cleaned[field] = value.strip()
        elif field in ("description", "owner_name", "owner_institution"):
            if not isinstance(value, str) or len(value) > (5000 if field == "description" else 200):
                raise Invalid(_("%(field)s is too long.") % {"field": field})
            cleaned[field] = value.strip()
        elif field == "status":
            if value not in ItemStatus.values:
                raise Invalid(_("Unknown status. Use one of: %(values)s.") % {"values": ", ".join(ItemStatus.values)})
            cleaned[field] = value
        elif field == "priority":
            if value not in Priority.values:
                raise Invalid(_("Unknown priority. Use one of: %(values)s.") % {"values": ", ".join(Priority.values)})
            cleaned[field] = value
        elif field == "progress":
            cleaned[field] = _as_int(value, _("Progress"), 0, 100)
        elif field == "weight":
            cleaned[field] = _as_int(value, _("Weight"), 1, 100)
        elif field in ("start", "due"):
            cleaned[field] = _as_date(value, field)
        elif field == "owner_user":
            cleaned[field] = _owner(item, value)
    start = cleaned.get("start", item.start)
    due = cleaned.get("due", item.due)
    if start and due and due < start:
        raise Invalid(_("The due date cannot be before the start date."))
    return cleaned


def _owner(item: ActionItem, value):
    """An owner must be in this office's team (or a facilitator); None clears it."""
    if value in (None, ""):
        return None
    user_id = value.pk if hasattr(value, "pk") else value
    owner = get_user_model().objects.filter(pk=user_id if str(user_id).isdigit() else None, is_active=True).first()
    office = item.plan.office
    if owner is None or not (owner.has_perm("plans.change_plan", item.plan)):
        raise Invalid(_("The owner must be a member of %(office)s's team.") % {"office": office.title})
    return owner


def _display(value):
    if hasattr(value, "pk"):
        return str(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


@transaction.atomic
def item_update(*, user, item_id, changes: dict, note: str = "", expected_revision: int | None = None) -> ActionItem:
    """Apply `changes` to an item and keep them as one history entry.

    `expected_revision` is the revision the editor saw; when someone saved in between, the
    edit is refused with `conflict` instead of silently erasing their change.
    """
    # The row is locked until commit (PostgreSQL; SQLite's IMMEDIATE transactions serialise
    # writers anyway), so the diff, the history's "before" values and the done → 100% rule are
    # computed from the item as it is now, not from what a concurrent editor just replaced.
    item = (
        ActionItem.objects.select_for_update(of=("self",)).select_related("plan__office")
        .filter(pk=_pk(item_id)).first()
    )
    if item is None:
        raise NotFound(_("No such plan item."))
    _require_edit(user, item)
    if expected_revision is not None and item.revision != expected_revision:
        raise Conflict()
    if not isinstance(note, str) or len(note) > MAX_NOTE:
        raise Invalid(_("The note is too long (at most %(max)d characters).") % {"max": MAX_NOTE})
    cleaned = clean_changes(item, changes)
    diff = {}
    for field, value in cleaned.items():
        before = getattr(item, field)
        if before != value:
            diff[field] = [_display(before), _display(value)]
            setattr(item, field, value)
    if item.status == ItemStatus.DONE and item.progress != 100:
        # Done is 100%, whatever progress the form still carried.
        diff["progress"] = [diff.get("progress", [item.progress])[0], 100]
        item.progress = 100
        cleaned["progress"] = 100
    if not diff and not note.strip():
        return item
    # The revision check and bump are one UPDATE: of two concurrent editors, one wins.
    query = ActionItem.objects.filter(pk=item.pk)
    if expected_revision is not None:
        query = query.filter(revision=expected_revision)
    fields = {field: getattr(item, field) for field in cleaned}
    if not query.update(revision=F("revision") + 1, **fields):
        raise Conflict()
    ItemUpdate.objects.create(item=item, user=user, changes=diff, note=note.strip())
    item.refresh_from_db()
    return item


def _pk(value) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


@transaction.atomic
def item_create(*, user, plan: ActionPlan, title: str, ideas=(), prototype_versions=(), feedback=(), **fields) -> ActionItem:
    """A new item in a plan (with where it came from), recorded as the item's first update."""
    _require_edit(user, plan)
    probe = ActionItem(plan=plan)
    cleaned = clean_changes(probe, {"title": title, **fields})
    order = (plan.items.aggregate(n=Max("sort_order"))["n"] or 0) + 1
    item = ActionItem.objects.create(plan=plan, sort_order=order, **cleaned)
    if ideas:
        item.ideas.set(ideas)
    if prototype_versions:
        item.prototype_versions.set(prototype_versions)
    if feedback:
        item.feedback.set(feedback)
    ItemUpdate.objects.create(
        item=item, user=user, changes={"created": [None, item.title]}, note=_("Item created.")
    )
    return item


def item_create_from_idea(*, user, idea, plan: ActionPlan) -> ActionItem:
    """One click from a workshop's results: the idea becomes an item of an office's plan."""
    if not idea.workshop.offices.filter(pk=plan.office_id).exists():
        raise Invalid(_("This idea comes from a workshop that did not serve this office."))
    return item_create(user=user, plan=plan, title=idea.text[:200], description=idea.text, ideas=[idea])


# How many of a table's top ideas one click may send (the form offers 1 to this).
MAX_TABLE_TOP = 10


@transaction.atomic
def items_from_table(*, user, table_id, plan_id, n=3) -> list[ActionItem]:
    """A table's `n` most voted ideas become items of its office's plan, in one click from the
    workshop's results: each a new item linked back to its idea, as "make an action item" of
    one idea does (`item_create_from_idea`). The table's office stands for the workshop's:
    a facilitator may seat a table for an office the workshop does not list.

    Sending again never duplicates: ideas already linked to an item of this plan (themselves,
    or an idea merged into them) are skipped, and when all of them are, `Conflict`. Nothing is
    kept when any check refuses."""
    table = ideas_selectors.table_of(table_id)
    if table is None:
        raise NotFound(_("No such table."))
    if table.office_id is None:
        raise Invalid(_("The table %(table)s is not an office's: choose its office first.") % {"table": table.name})
    # Locked until commit, so two clicks at once cannot both find the ideas not yet sent.
    plan = (
        ActionPlan.objects.select_for_update(of=("self",)).select_related("office")
        .filter(pk=_pk(plan_id)).first()
    )
    if plan is None:
        raise NotFound(_("No such plan."))
    if plan.office_id != table.office_id:
        raise Invalid(_("This plan is not %(office)s's.") % {"office": table.office.title})
    _require_edit(user, plan)
    count = _as_int(n, _("The number of ideas"), 1, MAX_TABLE_TOP)
    ideas = [ideas_selectors.visible_idea(row["id"]) for row in ideas_selectors.table_top_ideas(table, count)]
    ideas = [idea for idea in ideas if idea is not None]
    if not ideas:
        raise Invalid(_("The table %(table)s has no ideas yet.") % {"table": table.name})
    ids = [idea.pk for idea in ideas]
    sent = set(
        ActionItem.ideas.through.objects.filter(actionitem__plan=plan)
        .filter(Q(idea_id__in=ids) | Q(idea__merged_into__in=ids))
        .annotate(shown_idea=Coalesce("idea__merged_into", "idea_id"))
        .values_list("shown_idea", flat=True)
    )
    fresh = [idea for idea in ideas if idea.pk not in sent]
    if not fresh:
        raise Conflict(_("These ideas were already sent to %(plan)s.") % {"plan": plan.title})
    return [
        item_create(user=user, plan=plan, title=idea.text[:200], description=idea.text, ideas=[idea])
        for idea in fresh
    ]


@transaction.atomic
def milestone_add(*, user, item_id, title, due=None) -> Milestone:
    """A new milestone inside an item; from then on the item's progress is the share done."""
    item = ActionItem.objects.select_related("plan__office").filter(pk=_pk(item_id)).first()
    if item is None:
        raise NotFound(_("No such plan item."))
    _require_edit(user, item)
    if not isinstance(title, str) or not title.strip() or len(title) > 200:
        raise Invalid(_("The title must be 1 to 200 characters."))
    due_date = _as_date(due, "due")
    order = (item.milestones.aggregate(n=Max("sort_order"))["n"] or 0) + 1
    milestone = Milestone.objects.create(item=item, title=title.strip(), due=due_date, sort_order=order)
    _record(item, user, {"milestone": [None, milestone.title]})
    return milestone


@transaction.atomic
def milestone_set_done(*, user, milestone_id, done: bool) -> Milestone:
    milestone = Milestone.objects.select_related("item__plan__office").filter(pk=_pk(milestone_id)).first()
    if milestone is None:
        raise NotFound(_("No such milestone."))
    _require_edit(user, milestone.item)
    if milestone.done != bool(done):
        Milestone.objects.filter(pk=milestone.pk).update(done=bool(done))
        milestone.done = bool(done)
        # Kept as facts, not as words: the history speaks each reader's language.
        _record(milestone.item, user, {"milestone_done": [milestone.title, bool(done)]})
    return milestone


def _record(item: ActionItem, user, changes: dict) -> None:
    ActionItem.objects.filter(pk=item.pk).update(revision=F("revision") + 1)
    ItemUpdate.objects.create(item=item, user=user, changes=changes)


def item_create_from_feedback(*, user, feedback, plan: ActionPlan) -> ActionItem:
    """One click in the triage: the feedback becomes an item of an office's plan, linked back to
    it and to the prototype version it was given on."""
    if not feedback.version.prototype.offices.filter(pk=plan.office_id).exists():
        raise Invalid(_("This feedback is on a prototype of another office."))
    return item_create(
        user=user, plan=plan, title=feedback.text[:200], description=feedback.text,
        prototype_versions=[feedback.version], feedback=[feedback],
    )


@transaction.atomic
def item_create_from_triage(*, user, feedback_id, plan_id) -> ActionItem:
    """"Make an action item" on the feedback triage page: the feedback becomes an item of the
    chosen plan and, when it was new, is marked planned. Only those who triage the feedback
    and may change the plan can; nothing is kept when either refuses."""
    feedback = feedback_selectors.feedback_by_id(feedback_id)
    plan = ActionPlan.objects.select_related("office").filter(pk=_pk(plan_id)).first()
    if feedback is None or plan is None:
        raise NotFound()
    feedback_services.feedback_mark_planned(user=user, feedback=feedback)
    return item_create_from_feedback(user=user, feedback=feedback, plan=plan)

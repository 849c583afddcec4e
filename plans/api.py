"""`GET /api/offices/{slug}/plan` and `PATCH /api/plan-items/{id}`: the JSON API of action
plans (their shapes are a contract with outside clients; the schema is at `/api/openapi.json`)."""

from django.shortcuts import get_object_or_404
from ninja import Router, Schema

from workshop_site.core.errors import Forbidden
from workshop_site.core.i18n import canonical_pages
from workshop_site.offices.models import OfficePage

from . import services
from .models import ActionItem
from .selectors import item_progress, origins, plan_progress, plans_for_office

router = Router(tags=["plans"])


def item_payload(item: ActionItem) -> dict:
    return {
        "id": item.pk,
        "title": item.title,
        "owner": item.owner_display,
        "start": item.start.isoformat() if item.start else None,
        "due": item.due.isoformat() if item.due else None,
        "status": item.status,
        "progress": item_progress(item),
        "overdue": item.is_overdue(),
        "priority": item.priority,
        "weight": item.weight,
        "revision": item.revision,
        "origins": origins(item),
    }


@router.get("/offices/{slug}/plan", auth=None)
def office_plan(request, slug: str):
    office = get_object_or_404(canonical_pages(OfficePage.objects.live()), slug=slug)
    plans = plans_for_office(office, user=request.user)
    return {
        "office": office.slug,
        "plans": [
            {
                "id": plan.pk, "title": plan.title, "published": plan.published,
                "progress": plan_progress(list(plan.items.all())),
                "items": [item_payload(item) for item in plan.items.all()],
            }
            for plan in plans
        ],
    }


class ItemPatch(Schema):
    status: str | None = None
    progress: int | None = None
    note: str | None = None
    revision: int | None = None


@router.patch("/plan-items/{item_id}")
def item_patch(request, item_id: int, payload: ItemPatch):
    """Change an item's status and/or progress, with an optional note (kept in its history).
    Send the `revision` you saw to be told (409) when someone changed it in between."""
    if not request.user.is_authenticated:
        raise Forbidden("Log in to change the plan.")
    changes = payload.dict(exclude_unset=True)
    note = changes.pop("note", None) or ""
    revision = changes.pop("revision", None)
    item = services.item_update(user=request.user, item_id=item_id, changes=changes, note=note, expected_revision=revision)
    item = ActionItem.objects.select_related("owner_user").prefetch_related("milestones", "ideas").get(pk=item.pk)
    return item_payload(item)

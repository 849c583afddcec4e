"""`GET /api/offices/{slug}/plan` and `PATCH /api/plan-items/{id}`: the JSON API of action
plans (their shapes are a contract with outside clients; the schema is at `/api/openapi.json`)."""

from typing import Annotated, Literal

from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from ninja import Path, Router
from pydantic import Field

from workshop_site.core.api import (
    Choice,
    In,
    Int,
    Out,
    SessionWithCsrf,
    errors,
    links,
    omitted_unless_sent,
)
from workshop_site.core.errors import Forbidden
from workshop_site.core.i18n import canonical_pages
from workshop_site.offices.models import OfficePage

from . import services
from .models import ActionItem, ItemStatus, Priority
from .selectors import item_progress, origins, plan_progress, plans_for_office

router = Router(tags=["plans"])


class OriginOut(Out):
    """Where an item came from: an idea (`text`), a prototype version (`prototype`, `number`)
    or a piece of feedback (`text`)."""

    kind: Choice(["idea", "prototype_version", "feedback"])
    id: int


class ItemOut(Out):
    id: int
    title: str
    owner: str
    start: str | None = Field(json_schema_extra={"format": "date"})
    due: str | None = Field(json_schema_extra={"format": "date"})
    status: Choice(ItemStatus.values)
    progress: int = Field(description="percent done, 0 to 100")
    overdue: bool
    priority: Choice(Priority.values)
    weight: int
    revision: int = Field(description="send it back with a change to be told (409) if someone changed the item in between")
    origins: list[OriginOut]


class PlanOut(Out):
    id: int
    title: str
    published: bool
    progress: int = Field(description="the items' weighted progress, percent")
    items: list[ItemOut]


class OfficePlanOut(Out):
    office: str
    plans: list[PlanOut] = Field(description="the plans this session may read, newest first")


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


@router.get("/offices/{slug}/plan", response={200: OfficePlanOut, **errors(404)}, auth=None, openapi_extra=links(
    200, change=("plans_api_item_patch", {"item_id": "$response.body#/plans/0/items/0/id"}),
))
def office_plan(request, slug: Annotated[str, Path(example="rezina")]):
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


def _optional(**field):
    """A field that may be left out, but not sent as null."""
    return Field(None, json_schema_extra=omitted_unless_sent, **field)


class ItemPatch(In):
    status: Literal[tuple(ItemStatus.values)] = _optional()
    progress: Int(ge=0, le=100) = _optional(description="percent done")
    note: str | None = Field(None, max_length=services.MAX_NOTE, description="kept in the item's history")
    revision: Int() | None = Field(None, description="the revision you saw (409 if the item changed since)")


@router.patch("/plan-items/{item_id}", response={200: ItemOut, **errors(400, 403, 404, 409)}, auth=SessionWithCsrf())
def item_patch(request, item_id: int, payload: ItemPatch):
    """Change an item's status and/or progress, with an optional note (kept in its history).
    Send the `revision` you saw to be told (409) when someone changed it in between."""
    if not request.user.is_authenticated:
        raise Forbidden(_("Log in to change the plan."))
    changes = payload.model_dump(exclude_unset=True)
    note = changes.pop("note", None) or ""
    revision = changes.pop("revision", None)
    item = services.item_update(user=request.user, item_id=item_id, changes=changes, note=note, expected_revision=revision)
    item = ActionItem.objects.select_related("owner_user").prefetch_related("milestones", "ideas").get(pk=item.pk)
    return item_payload(item)

"""`GET /api/prototypes/{slug}` and `GET /api/services/{slug}/maps`: the public JSON API of
prototypes and service maps (their shapes are a contract with outside clients; the schema is
at `/api/openapi.json`)."""

from typing import Annotated

from django.http import Http404
from django.shortcuts import get_object_or_404
from ninja import Path, Router
from pydantic import Field

from workshop_site.core.api import Choice, Out, errors, links

from .models import Actor, Channel, MapKind, Prototype
from .selectors import (
    hotspot_payload,
    screen_rendition,
    service_by_slug,
    service_maps,
    step_payload,
    versions_with_screens,
)

router = Router(tags=["prototypes"])

# A fraction of the screen (documented, not re-checked: the database holds hotspots inside it).
Fraction = Annotated[float, Field(json_schema_extra={"minimum": 0, "maximum": 1})]


class HotspotOut(Out):
    """A tappable area; x, y, w, h are fractions of the screen. It leads to one of
    `target_screen` (a screen of the same version), `target_url`, or back (`back: true`)."""

    x: Fraction
    y: Fraction
    w: Fraction
    h: Fraction
    target_screen: int | None
    target_url: str | None
    back: bool
    label: str


class ScreenOut(Out):
    id: int
    title: str
    image_url: str
    width: int
    height: int
    hotspots: list[HotspotOut]


class VersionOut(Out):
    number: int
    published: bool
    screens: list[ScreenOut]


class PrototypeOut(Out):
    slug: str
    title: str
    service: str
    offices: list[str]
    versions: list[VersionOut] = Field(description="published ones; drafts too for facilitators and its offices' teams")


class StepOut(Out):
    id: int
    position: int
    title: str
    actor: Choice(Actor.values)
    channel: Choice(Channel.values)
    documents: list[str]
    duration_days: float
    removed: bool
    replaces: list[int]


class MetricsOut(Out):
    steps: int
    steps_removed: int
    citizen_visits_in_person: int
    documents_citizen_brings: int
    paper_steps: int
    estimated_days: float


class MapOut(Out):
    kind: Choice(MapKind.values)
    title: str
    steps: list[StepOut]
    metrics: MetricsOut


class MapsOut(Out):
    service: str
    maps: list[MapOut] = Field(description="the as-is map first, then the to-be maps")


def screen_payload(screen) -> dict:
    rendition = screen_rendition(screen)
    return {
        "id": screen.pk,
        "title": screen.title,
        "image_url": rendition.url,
        "width": rendition.width,
        "height": rendition.height,
        "hotspots": [hotspot_payload(h) for h in screen.hotspots.all()],
    }


@router.get("/prototypes/{slug}", response={200: PrototypeOut, **errors(404)}, auth=None, openapi_extra=links(
    200,
    pins=("feedback_api_pins", {"slug": "$request.path.slug", "version": "$response.body#/versions/0/number"}),
    feedback=("feedback_api_submit", {"slug": "$request.path.slug"}),
))
def prototype_detail(request, slug: Annotated[str, Path(example="maternitate-online")]):
    """The prototype with its versions (drafts only for facilitators and its offices' teams)."""
    prototype = get_object_or_404(Prototype.objects.select_related("service"), slug=slug)
    drafts = request.user.has_perm("prototypes.view_draft", prototype)
    versions = list(versions_with_screens(prototype, published_only=not drafts))
    if not versions and not drafts:
        raise Http404
    return {
        "slug": prototype.slug,
        "title": prototype.title,
        "service": prototype.service.slug,
        "offices": sorted(prototype.offices.values_list("slug", flat=True)),
        "versions": [
            {"number": v.number, "published": v.published, "screens": [screen_payload(s) for s in v.screens.all()]}
            for v in versions
        ],
    }


@router.get("/services/{slug}/maps", response={200: MapsOut, **errors(404)}, auth=None)
def maps(request, slug: Annotated[str, Path(example="indemnizatia-de-maternitate")]):
    service = service_by_slug(slug)
    if service is None:
        raise Http404
    return {
        "service": service.slug,
        "maps": [
            {
                "kind": service_map.kind,
                "title": service_map.title,
                "steps": [step_payload(s) for s in steps],
                "metrics": metrics.as_dict(),
            }
            for service_map, steps, metrics in service_maps(service)
        ],
    }

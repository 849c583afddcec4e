"""`GET /api/prototypes/{slug}` and `GET /api/services/{slug}/maps`: the public JSON API of
prototypes and service maps (their shapes are a contract with outside clients; the schema is
at `/api/openapi.json`)."""

from django.shortcuts import get_object_or_404
from ninja import Router

from workshop_site.offices.models import Service

from .models import Prototype
from .selectors import (
    hotspot_payload,
    screen_rendition,
    service_maps,
    step_payload,
    versions_with_screens,
)

router = Router(tags=["prototypes"])


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


@router.get("/prototypes/{slug}", auth=None)
def prototype_detail(request, slug: str):
    """The prototype with its versions (drafts only for facilitators and its offices' teams)."""
    prototype = get_object_or_404(Prototype.objects.select_related("service"), slug=slug)
    drafts = request.user.has_perm("prototypes.view_draft", prototype)
    versions = list(versions_with_screens(prototype, published_only=not drafts))
    if not versions and not drafts:
        from django.http import Http404

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


@router.get("/services/{slug}/maps", auth=None)
def maps(request, slug: str):
    service = get_object_or_404(Service, slug=slug)
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

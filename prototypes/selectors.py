"""Reads: the prototype as the API and play mode need it, and service-map metrics.

This is also prototypes' door for the apps built on it (feedback, plans): they find
prototypes, versions, screens and hotspots here, never in `prototypes.models`.
"""

from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Prefetch

from workshop_site.core.i18n import canonical_objects, localized_objects
from workshop_site.offices.models import Service

from .models import (
    Actor,
    Channel,
    Hotspot,
    MapKind,
    MapStep,
    Prototype,
    PrototypeVersion,
    Screen,
    ServiceMap,
)

# The one size a screen's picture is shown at: play mode, the API, the hotspot editor, the
# feedback triage and the heatmaps draw on the same rendition, so fractions match pixels.
RENDITION = "max-1080x2400"


def screen_rendition(screen: Screen):
    """The screen's picture at `RENDITION` (Wagtail makes it once and keeps it)."""
    return screen.image.get_rendition(RENDITION)


def prototype_by_slug(slug: str) -> Prototype | None:
    return Prototype.objects.filter(slug=slug).first()


def version_by_number(slug: str, number: int) -> PrototypeVersion | None:
    """Version `number` of the prototype `slug` (published or not: the caller asks the rule)."""
    return PrototypeVersion.objects.select_related("prototype").filter(prototype__slug=slug, number=number).first()


def version_by_id(version_id: int) -> PrototypeVersion | None:
    return PrototypeVersion.objects.select_related("prototype").filter(pk=version_id).first()


def screens_of_versions(version_ids):
    """The screens of these versions (a queryset, so the caller may annotate it)."""
    return Screen.objects.filter(version_id__in=version_ids)


def hotspot_at(screen_id: int, x: float, y: float) -> Hotspot | None:
    """The hotspot a tap at (x, y), fractions of the screen, lands on: the topmost-leftmost
    when hotspots overlap, as play mode draws them."""
    for hotspot in Hotspot.objects.filter(screen_id=screen_id).order_by("y", "x", "pk"):
        if hotspot.x <= x <= hotspot.x + hotspot.w and hotspot.y <= y <= hotspot.y + hotspot.h:
            return hotspot
    return None


def in_prototype_office_team(user, prototype: Prototype | None) -> bool:
    """Whether the user is in the team of one of the prototype's offices (with facilitators,
    they see its drafts, edit it and triage its feedback)."""
    if prototype is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    return prototype.offices.filter(team_group__in=user.groups.all()).exists()


def office_prototypes(office, *, drafts: bool):
    """The office's prototypes: published ones, or all of them for `drafts` (its team).
    Prototypes point at the canonical office; a translation of the page shows the same."""
    prototypes = (
        Prototype.objects.filter(offices__translation_key=office.translation_key)
        .distinct().select_related("service").order_by("title")
    )
    if not drafts:
        prototypes = prototypes.filter(versions__published=True).distinct()
    return prototypes


def office_mapped_services(office) -> list[Service]:
    """The services of the office's prototypes that have service maps, in the reader's language."""
    services = (
        Service.objects.filter(prototypes__offices__translation_key=office.translation_key, maps__isnull=False)
        .distinct().order_by("name")
    )
    return localized_objects(services)


def service_by_slug(slug: str) -> Service | None:
    """The canonical service with this slug (a translation keeps its service's slug)."""
    return canonical_objects(Service.objects.filter(slug=slug)).first()


def versions_with_screens(prototype: Prototype, *, published_only: bool):
    versions = prototype.versions.order_by("number").prefetch_related(
        Prefetch(
            "screens",
            queryset=Screen.objects.order_by("sort_order", "pk")
            .select_related("image")
            .prefetch_related(Prefetch("hotspots", queryset=Hotspot.objects.order_by("y", "x", "pk"))),
        )
    )
    return versions.filter(published=True) if published_only else versions


def hotspot_payload(hotspot: Hotspot) -> dict:
    return {
        "x": hotspot.x, "y": hotspot.y, "w": hotspot.w, "h": hotspot.h,
        "target_screen": hotspot.target_screen_id,
        "target_url": hotspot.target_url or None,
        "back": hotspot.back,
        "label": hotspot.label,
    }


@dataclass
class MapMetrics:
    steps: int
    steps_removed: int
    citizen_visits_in_person: int
    documents_citizen_brings: int
    paper_steps: int
    estimated_days: Decimal

    def as_dict(self) -> dict:
        return {
            "steps": self.steps,
            "steps_removed": self.steps_removed,
            "citizen_visits_in_person": self.citizen_visits_in_person,
            "documents_citizen_brings": self.documents_citizen_brings,
            "paper_steps": self.paper_steps,
            "estimated_days": float(self.estimated_days),
        }


def map_metrics(steps: list[MapStep]) -> MapMetrics:
    """Counted over the map's steps. `steps` counts all the map's steps, `steps_removed` those an
    as-is map marks as gone; the other figures describe the service as the map draws it."""
    documents = set()
    for step in steps:
        if step.actor == Actor.CITIZEN:
            documents.update(d.lower() for d in step.document_list)
    return MapMetrics(
        steps=len(steps),
        steps_removed=sum(1 for s in steps if s.removed),
        citizen_visits_in_person=sum(1 for s in steps if s.actor == Actor.CITIZEN and s.channel == Channel.IN_PERSON),
        documents_citizen_brings=len(documents),
        paper_steps=sum(1 for s in steps if s.channel == Channel.PAPER),
        estimated_days=sum((s.duration_days for s in steps), Decimal("0")),
    )


def service_maps(service) -> list[tuple[ServiceMap, list[MapStep], MapMetrics]]:
    """The service's maps, each once and in the reader's language where it is translated, with
    their steps (in order) and metrics."""
    of_service = ServiceMap.objects.filter(service__translation_key=service.translation_key)
    shown = [m.pk for m in localized_objects(canonical_objects(of_service).only("pk", "translation_key", "locale"))]
    maps = (
        ServiceMap.objects.filter(pk__in=shown)
        .order_by("kind", "sort_order", "pk")
        .prefetch_related(Prefetch("steps", queryset=MapStep.objects.order_by("sort_order", "pk").prefetch_related("replaces")))
    )
    result = []
    for service_map in maps:
        steps = list(service_map.steps.all())
        result.append((service_map, steps, map_metrics(steps)))
    # As-is first, then the to-be maps.
    result.sort(key=lambda item: (item[0].kind != MapKind.AS_IS, item[0].sort_order, item[0].pk))
    return result


def step_payload(step: MapStep) -> dict:
    return {
        "id": step.pk,
        "position": step.sort_order,
        "title": step.title,
        "actor": step.actor,
        "channel": step.channel,
        "documents": step.document_list,
        "duration_days": float(step.duration_days),
        "removed": step.removed,
        "replaces": [s.pk for s in step.replaces.all()],
    }

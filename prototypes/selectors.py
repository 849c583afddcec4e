"""Reads: the prototype as the API and play mode need it, and service-map metrics."""

from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Prefetch

from .models import (
    Actor,
    Channel,
    Hotspot,
    MapKind,
    MapStep,
    Prototype,
    Screen,
    ServiceMap,
)


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
    maps = (
        ServiceMap.objects.filter(service=service)
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



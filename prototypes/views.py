"""Play mode (`/p/<slug>/…`) and the public service page (`/services/<slug>/`).

Play mode draws the screen as an SVG with the picture and one real `<a>` per hotspot, so it
works without JavaScript and on cheap phones; "back" without JavaScript goes to the screen
the player came from (`?from=`), or to the start screen.
"""

from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from workshop_site.offices.models import Service

from .api import RENDITION
from .models import Actor, MapKind, Prototype
from .selectors import service_maps, versions_with_screens


def _version(request, prototype: Prototype, number: int | None):
    drafts = request.user.has_perm("prototypes.view_draft", prototype)
    versions = list(versions_with_screens(prototype, published_only=not drafts))
    if number is None:
        published = [v for v in versions if v.published]
        version = published[-1] if published else None
    else:
        version = next((v for v in versions if v.number == number), None)
    if version is None:
        raise Http404(_("This prototype has no published version yet."))
    return version


def screen_url(prototype: Prototype, version, screen, came_from=None) -> str:
    url = reverse("prototypes_play_screen", args=[prototype.slug, version.number, screen.pk])
    return f"{url}?from={came_from.pk}" if came_from is not None else url


def play(request, slug: str, number: int | None = None, screen_id: int | None = None):
    prototype = get_object_or_404(Prototype.objects.select_related("service"), slug=slug)
    version = _version(request, prototype, number)
    screens = list(version.screens.all())
    if not screens:
        raise Http404(_("This version has no screens yet."))
    by_id = {s.pk: s for s in screens}
    screen = by_id.get(screen_id) if screen_id is not None else screens[0]
    if screen is None:
        raise Http404(_("No such screen in this version."))
    came_from = by_id.get(_int(request.GET.get("from")))
    from feedback.models import RunOutcome
    from feedback.tasks import run_for_play

    run = run_for_play(_int(request.GET.get("run")), session_key=request.session.session_key, version=version)
    if run is not None and run.outcome == RunOutcome.RUNNING and run.current_screen_id and run.current_screen_id != screen.pk:
        # A link followed outside the task's tap handler: show the screen the run is at.
        current = by_id.get(run.current_screen_id, screens[0])
        return redirect(f"{screen_url(prototype, version, current)}?run={run.pk}")
    rendition = screen.image.get_rendition(RENDITION)
    width, height = rendition.width, rendition.height
    hotspots, preload = [], []
    for hotspot in screen.hotspots.all():
        if hotspot.target_screen_id:
            target = by_id.get(hotspot.target_screen_id)
            if target is None:
                continue
            href, kind = screen_url(prototype, version, target, came_from=screen), "screen"
            # A screen reader hears where the link leads, whatever the designer called it.
            if hotspot.label:
                label = _("%(label)s (goes to: %(screen)s)") % {"label": hotspot.label, "screen": target.title}
            else:
                label = _("Go to: %(screen)s") % {"screen": target.title}
            preload.append(target.image.get_rendition(RENDITION).url)
        elif hotspot.back:
            target = came_from or screens[0]
            href, kind = screen_url(prototype, version, target), "back"
            label = _("%(label)s (back to: %(screen)s)") % {"label": hotspot.label or _("Back"), "screen": target.title}
        else:
            href, kind = hotspot.target_url, "url"
            label = hotspot.label or _("Open link: %(url)s") % {"url": hotspot.target_url}
        hotspots.append({
            "href": href, "kind": kind, "label": label,
            "x": round(hotspot.x * width, 1), "y": round(hotspot.y * height, 1),
            "w": round(hotspot.w * width, 1), "h": round(hotspot.h * height, 1),
        })
    from feedback.selectors import pins_for

    pins = [
        {"x": round(pin.x * width, 1), "y": round(pin.y * height, 1), "text": pin.text, "rating": pin.rating,
         "mine": bool(request.session.session_key) and pin.session_key == request.session.session_key}
        for pin in pins_for(user=request.user, session_key=request.session.session_key, version=version, screen=screen)
    ]
    if run is not None:
        # Taking a task: links keep the run, so the next screen knows it.
        for spot in hotspots:
            if spot["kind"] != "url":
                spot["href"] += ("&" if "?" in spot["href"] else "?") + f"run={run.pk}"
    position = screens.index(screen) + 1
    return render(request, "prototypes/play.html", {
        "prototype": prototype,
        "version": version,
        "screen": screen,
        "rendition": rendition,
        "width": width,
        "height": height,
        "hotspots": hotspots,
        "preload": list(dict.fromkeys(preload)),
        "position": position,
        "count": len(screens),
        "start_url": screen_url(prototype, version, screens[0]),
        "pins": [] if run is not None else pins,
        "run": run,
        "feedback_url": reverse("feedback_form", args=[prototype.slug, version.number, screen.pk]),
        "feedback_api": f"/api/prototypes/{prototype.slug}/feedback",
    })


def _int(value) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def service_page(request, slug: str):
    """`/services/<slug>/`: the as-is and to-be maps side by side, with their metrics."""
    service = get_object_or_404(Service, slug=slug)
    maps = service_maps(service)
    as_is = next(((m, s, x) for m, s, x in maps if m.kind == MapKind.AS_IS), None)
    to_be = [(m, s, x) for m, s, x in maps if m.kind == MapKind.TO_BE]
    prototypes = Prototype.objects.filter(service=service, versions__published=True).distinct().order_by("title")
    return render(request, "prototypes/service_page.html", {
        "service": service,
        "actors": Actor.choices,
        "blueprints": [_blueprint(m, steps, metrics) for m, steps, metrics in ([as_is] if as_is else []) + to_be],
        "as_is": as_is,
        "to_be": to_be,
        "prototypes": prototypes,
        "comparisons": [_compare(as_is[2], metrics) for _m, _s, metrics in to_be] if as_is else [],
    })


METRIC_LABELS = [
    ("steps", gettext_lazy("Steps")),
    ("steps_removed", gettext_lazy("Steps removed")),
    ("citizen_visits_in_person", gettext_lazy("Citizen visits in person")),
    ("documents_citizen_brings", gettext_lazy("Documents the citizen brings")),
    ("paper_steps", gettext_lazy("Paper steps")),
    ("estimated_days", gettext_lazy("Estimated days")),
]


def _compare(before, after) -> list[dict]:
    rows = []
    for key, label in METRIC_LABELS:
        old, new = getattr(before, key), getattr(after, key)
        top = max(old, new) or 1
        difference = new - old
        # Fewer steps, visits, documents, paper and days is better; "steps removed" is neither.
        tone = "" if key == "steps_removed" or not difference else ("better" if difference < 0 else "worse")
        rows.append({
            "key": key, "label": label, "as_is": old, "to_be": new, "difference": difference, "tone": tone,
            # Bar lengths for the chart, in the SVG's 0–200 units.
            "as_is_bar": round(200 * float(old) / float(top), 1), "to_be_bar": round(200 * float(new) / float(top), 1),
        })
    return rows


def _blueprint(service_map, steps, metrics) -> dict:
    """A swim-lane table: one row per actor, one column per step, in order."""
    lanes = []
    for actor, label in Actor.choices:
        cells = [step if step.actor == actor else None for step in steps]
        if any(cells):
            lanes.append({"actor": actor, "label": label, "cells": cells})
    numbers = {step.pk: position for position, step in enumerate(steps, start=1)}
    return {"map": service_map, "steps": steps, "metrics": metrics, "lanes": lanes, "numbers": numbers}

"""Play mode (`/p/<slug>/…`) and the public service page (`/services/<slug>/`).

Play mode draws the screen as an SVG with the picture and one real `<a>` per hotspot, so it
works without JavaScript and on cheap phones; "back" without JavaScript goes to the screen
the player came from (`?from=`), or to the start screen.

Apps built on prototypes add layers to play mode through the `PLAY_LAYERS` hook (feedback:
pinned feedback, and test tasks that keep a run through the links); prototypes knows none
of them.
"""

from dataclasses import dataclass
from functools import cached_property
from urllib.parse import urlencode

from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from wagtail import hooks

from .models import Actor, MapKind, Prototype, PrototypeVersion, Screen
from .selectors import (
    screen_rendition,
    service_by_slug,
    service_maps,
    versions_with_screens,
)

# Each function is called as `fn(request, play)` with the `Play` below, and returns None or a
# dict with any of:
#   "redirect": a URL to show instead of this screen (the first layer that says so wins);
#   "link_params": query parameters that every link to another screen of the version keeps;
#   "above", "over", "below": HTML drawn above the screen, over the picture (inside its SVG, in
#   the picture's pixels: `play.width` × `play.height`) and below it; a template's rendering,
#   as anything not marked safe is escaped;
#   "stylesheets", "scripts": static paths the page loads (the scripts before play mode's own,
#   so a layer's click handler on `#play-screen` may keep a tap to itself).
PLAY_LAYERS = "atelier_play_layers"
LAYER_SLOTS = ("above", "over", "below")
LAYER_ASSETS = ("stylesheets", "scripts")


@dataclass
class Play:
    """The screen being played, as the layers see it."""

    prototype: Prototype
    version: PrototypeVersion  # its screens and their hotspots prefetched
    screens: list[Screen]
    screen: Screen
    came_from: Screen | None  # the screen whose link led here (`?from=`), if any

    def url_of(self, screen, came_from=None) -> str:
        return screen_url(self.prototype, self.version, screen, came_from=came_from)

    @cached_property
    def rendition(self):
        return screen_rendition(self.screen)

    @property
    def width(self) -> int:
        return self.rendition.width

    @property
    def height(self) -> int:
        return self.rendition.height

    @cached_property
    def screens_by_id(self) -> dict[int, Screen]:
        return {s.pk: s for s in self.screens}


def screen_url(prototype: Prototype, version, screen, came_from=None) -> str:
    url = reverse("prototypes_play_screen", args=[prototype.slug, version.number, screen.pk])
    return f"{url}?from={came_from.pk}" if came_from is not None else url


def play(request, slug: str, number: int | None = None, screen_id: int | None = None):
    """One screen of a prototype: find it, ask the layers (one may send the player to another
    screen), draw the hotspots' links, render."""
    here = _screen_to_play(request, slug, number, screen_id)
    layers = _layers(request, here)
    elsewhere = next((layer["redirect"] for layer in layers if layer.get("redirect")), None)
    if elsewhere:
        return redirect(elsewhere)
    link_params = {key: value for layer in layers for key, value in (layer.get("link_params") or {}).items()}
    hotspots, preload = _hotspots(here, link_params)
    return _render(request, here, hotspots, preload, layers)


def _screen_to_play(request, slug: str, number: int | None, screen_id: int | None) -> Play:
    """The prototype, the version (the latest published one unless a number is given) and the
    screen (the first unless one is given), or 404."""
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
    return Play(prototype=prototype, version=version, screens=screens, screen=screen, came_from=came_from)


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


def _layers(request, here: Play) -> list[dict]:
    return [layer for add_layer in hooks.get_hooks(PLAY_LAYERS) if (layer := add_layer(request, here))]


def _hotspots(here: Play, link_params: dict) -> tuple[list[dict], list[str]]:
    """One link per hotspot, in the picture's pixels, and the pictures its screens lead to
    (for the browser to fetch ahead)."""
    by_id, width, height = here.screens_by_id, here.width, here.height
    query = urlencode(link_params)
    hotspots, preload = [], []
    for hotspot in here.screen.hotspots.all():
        if hotspot.target_screen_id:
            target = by_id.get(hotspot.target_screen_id)
            if target is None:
                continue
            href, kind = here.url_of(target, came_from=here.screen), "screen"
            # A screen reader hears where the link leads, whatever the designer called it.
            if hotspot.label:
                label = _("%(label)s (goes to: %(screen)s)") % {"label": hotspot.label, "screen": target.title}
            else:
                label = _("Go to: %(screen)s") % {"screen": target.title}
            preload.append(screen_rendition(target).url)
        elif hotspot.back:
            target = here.came_from or here.screens[0]
            href, kind = here.url_of(target), "back"
            label = _("%(label)s (back to: %(screen)s)") % {"label": hotspot.label or _("Back"), "screen": target.title}
        else:
            href, kind = hotspot.target_url, "url"
            label = hotspot.label or _("Open link: %(url)s") % {"url": hotspot.target_url}
        if query and kind != "url":
            href += ("&" if "?" in href else "?") + query
        hotspots.append({
            "href": href, "kind": kind, "label": label,
            "x": round(hotspot.x * width, 1), "y": round(hotspot.y * height, 1),
            "w": round(hotspot.w * width, 1), "h": round(hotspot.h * height, 1),
        })
    return hotspots, list(dict.fromkeys(preload))


def _render(request, here: Play, hotspots: list[dict], preload: list[str], layers: list[dict]):
    return render(request, "prototypes/play.html", {
        "prototype": here.prototype,
        "version": here.version,
        "screen": here.screen,
        "rendition": here.rendition,
        "width": here.width,
        "height": here.height,
        "hotspots": hotspots,
        "preload": preload,
        "position": here.screens.index(here.screen) + 1,
        "count": len(here.screens),
        "start_url": here.url_of(here.screens[0]),
        # What the layers draw, slot by slot, and the files they need, in hook order.
        "layers": {slot: [layer[slot] for layer in layers if layer.get(slot)] for slot in LAYER_SLOTS},
        "layer_assets": {
            kind: list(dict.fromkeys(path for layer in layers for path in layer.get(kind, ()))) for kind in LAYER_ASSETS
        },
    })


def _int(value) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def service_page(request, slug: str):
    """`/services/<slug>/`: the as-is and to-be maps side by side, with their metrics."""
    service = service_by_slug(slug)
    if service is None:
        raise Http404
    maps = service_maps(service)
    as_is = next(((m, s, x) for m, s, x in maps if m.kind == MapKind.AS_IS), None)
    to_be = [(m, s, x) for m, s, x in maps if m.kind == MapKind.TO_BE]
    prototypes = (
        Prototype.objects.filter(service__translation_key=service.translation_key, versions__published=True)
        .distinct().order_by("title")
    )
    return render(request, "prototypes/service_page.html", {
        "service": service.localized,  # its words in the reader's language
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

"""The admin dashboard's "Workshops" panel: a facilitator's start. The workshops live now,
next and past, each with the ways into its live room (console, wall screen, paper
assistance, results) and its page in the admin; and "New workshop".

A facilitator sees every workshop; anyone else sees those they were made a helper of (the
assist screen, the wall and the results), or no panel at all. The queries do not grow with
the number of workshops."""

from dataclasses import dataclass

from django.template.loader import get_template
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from wagtail.admin.ui.components import Component
from wagtail.models import Page
from wagtail.permissions import policy_registry

from workshop_site.core.i18n import canonical_pages, localized
from workshop_site.workshops.admin_links import new_workshop_url
from workshop_site.workshops.models import (
    WorkshopIndexPage,
    WorkshopPage,
    workshops_by_time,
)

from .models import WorkshopHelper
from .permissions import RUN_WORKSHOP

# Past workshops shown; the rest are one click away in the page explorer.
PAST_SHOWN = 8


@dataclass
class WorkshopRow:
    room: WorkshopPage  # the canonical page: code, phase, dates
    page: WorkshopPage  # what the reader sees: its translation in the admin's language, if any
    console_url: str | None
    screen_url: str
    assist_url: str
    results_url: str
    edit_url: str | None


def rooms_for(user) -> list[WorkshopPage]:
    """The workshops this user may run (a facilitator: all) or assist (a helper: theirs)."""
    if user.has_perm(RUN_WORKSHOP):
        rooms = canonical_pages(WorkshopPage.objects.all())
    else:
        rooms = WorkshopPage.objects.filter(pk__in=WorkshopHelper.objects.filter(user=user).values("workshop_id"))
    return list(rooms.order_by("starts_at", "pk"))


def workshop_rows(user, rooms: list[WorkshopPage]) -> list[WorkshopRow]:
    pages = localized(rooms)
    edits = policy_registry.get_by_type(Page)
    rows = []
    for room, page in zip(rooms, pages, strict=True):
        code = room.join_code
        rows.append(WorkshopRow(
            room=room,
            page=page,
            console_url=reverse("ideas_presenter", args=[code]) if user.has_perm(RUN_WORKSHOP, room) else None,
            screen_url=reverse("ideas_screen", args=[code]),
            # Listed: run by this facilitator, or assisted by this helper (`ideas.assist_workshop`).
            assist_url=reverse("ideas_assist", args=[code]),
            results_url=reverse("ideas_results", args=[code]),
            edit_url=(reverse("wagtailadmin_pages:edit", args=[page.pk])
                      if edits.user_has_permission_for_instance(user, "change", page) else None),
        ))
    return rows


class WorkshopsPanel(Component):
    name = "workshops"
    template_name = "ideas/admin/workshops_panel.html"
    order = 50  # above Wagtail's own panels

    def get_context_data(self, parent_context):
        request = parent_context["request"]
        sees_all = request.user.has_perm(RUN_WORKSHOP)
        rooms = rooms_for(request.user)
        by_room = {row.room.pk: row for row in workshop_rows(request.user, rooms)}
        split = workshops_by_time(rooms)
        past = split["past_workshops"]
        groups = [
            ("live", _("Live now"), split["live_workshops"], _("No workshop is live now.")),
            ("next", _("Coming next"), split["upcoming_workshops"], _("No workshop is planned.")),
            ("past", _("Past"), past[:PAST_SHOWN], _("No past workshops yet.")),
        ]
        index = None
        if len(past) > PAST_SHOWN:
            index = canonical_pages(WorkshopIndexPage.objects.all()).order_by("path").first()
        return {
            "new_workshop_url": new_workshop_url(request),
            "groups": [
                {"key": key, "heading": heading, "rows": [by_room[room.pk] for room in found], "empty": empty}
                for key, heading, found, empty in groups
            ],
            "has_rooms": bool(rooms),
            # "No workshop is live now" is news to a facilitator; a helper sees their own only.
            "say_empty": sees_all,
            "more_past": len(past) - PAST_SHOWN if index else 0,
            "all_workshops_url": reverse("wagtailadmin_explore", args=[index.pk]) if index else None,
        }

    def render_html(self, parent_context=None):
        context = self.get_context_data(parent_context)
        if not context["has_rooms"] and not context["new_workshop_url"]:
            return ""  # an office team member who helps at no workshop
        return get_template(self.template_name).render(context)

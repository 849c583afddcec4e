"""Ideas and participants in the Wagtail admin: browse, filter, search, export.

Hiding and merging happen on the presenter screen (services keep who and when); here a
facilitator may correct an idea's text or tags.
"""

import django_filters
from django.utils.translation import gettext_lazy as _
from taggit.models import Tag
from wagtail import hooks
from wagtail.admin.filters import WagtailFilterSet
from wagtail.admin.viewsets.base import ViewSetGroup
from wagtail.admin.viewsets.model import ModelViewSet

from workshop_site.core.sections import WORKSHOP_PAGE_SECTIONS, Section

from .models import Idea, Participant


@hooks.register(WORKSHOP_PAGE_SECTIONS, order=10)
def workshop_live_room(request, room):
    """The workshop page's way into its live room: the join code while it is open, the
    presenter screen and the results."""
    return Section("ideas/includes/workshop_live_room.html", {"room": room})


class IdeaFilterSet(WagtailFilterSet):
    tags = django_filters.ModelMultipleChoiceFilter(
        label=_("tags"), field_name="tags",
        queryset=Tag.objects.filter(ideas_taggedidea_items__isnull=False).distinct().order_by("name"),
    )

    class Meta:
        model = Idea
        fields = ["workshop", "hidden", "author_role"]


class IdeaViewSet(ModelViewSet):
    model = Idea
    filterset_class = IdeaFilterSet
    icon = "comment"
    list_display = ["text", "workshop", "author_role", "hidden", "created"]
    list_export = ["text", "workshop", "author_role", "hidden", "hidden_by", "hidden_at", "created"]
    search_fields = ["text"]
    form_fields = ["text", "tags"]
    inspect_view_enabled = True
    inspect_view_fields = ["workshop", "text", "tags", "author_role", "participant", "hidden", "hidden_by",
                           "hidden_at", "merged_into", "created"]
    export_filename = "atelier-ideas"


class ParticipantViewSet(ModelViewSet):
    model = Participant
    icon = "group"
    list_display = ["display_name", "role", "workshop", "dots_left", "created"]
    list_filter = ["workshop", "role"]
    list_export = ["display_name", "role", "workshop", "dots_left", "created"]
    search_fields = ["display_name"]
    form_fields = ["display_name"]
    inspect_view_enabled = True
    export_filename = "atelier-participants"


class LiveWorkshopGroup(ViewSetGroup):
    menu_label = _("Live workshops")
    menu_icon = "comment"
    menu_order = 250
    items = (IdeaViewSet("ideas"), ParticipantViewSet("participants"))


@hooks.register("register_admin_viewset")
def register_live_workshop_viewsets():
    return LiveWorkshopGroup()

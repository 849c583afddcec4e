"""Ideas and participants in the Wagtail admin: browse, filter, search, export; and the run
of show each workshop is made of, which facilitators write here.

Hiding and merging happen on the presenter screen (services keep who and when); here a
facilitator may correct an idea's text or tags. Moving the room from one activity to the next
happens on the console; here a facilitator writes the activities, their options and statements,
and keeps the room's tables (made one per office served when the workshop page is saved; moving
people between them is the helper's page's).
"""

import django_filters
from django import forms
from django.conf import settings
from django.contrib import messages
from django.db import transaction
from django.db.models import Count
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _
from taggit.models import Tag
from wagtail import hooks
from wagtail.admin.filters import WagtailFilterSet
from wagtail.admin.panels import (
    FieldPanel,
    FieldRowPanel,
    InlinePanel,
    MultiFieldPanel,
    ObjectList,
)
from wagtail.admin.ui.tables import BooleanColumn, Column
from wagtail.admin.views import generic
from wagtail.admin.viewsets.base import ViewSetGroup
from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.log_actions import log
from wagtail.permissions import register_permission_policy

from workshop_site.core.errors import DomainError
from workshop_site.core.i18n import canonical_pages
from workshop_site.core.sections import WORKSHOP_PAGE_SECTIONS, Section
from workshop_site.workshops.models import Phase, WorkshopPage

from . import services
from .admin_forms import WORDED, ActivityAdminForm, TableAdminForm, wording_field
from .admin_panels import WorkshopsPanel
from .models import Activity, Idea, Participant, Table
from .permissions import (
    RUN_WORKSHOP,
    RunOfShowPermissionPolicy,
    TablePermissionPolicy,
    deletion_refusal,
    table_deletion_refusal,
)
from .run_of_show import run_of_show_changed

register_permission_policy(Activity, RunOfShowPermissionPolicy(Activity))
register_permission_policy(Table, TablePermissionPolicy(Table))


@hooks.register("construct_homepage_panels")
def workshops_panel(request, panels):
    """The dashboard starts with the workshops: live now, next, past, and "New workshop"."""
    panels.append(WorkshopsPanel())


@hooks.register(WORKSHOP_PAGE_SECTIONS, order=10)
def workshop_live_room(request, room):
    """The workshop page's way into its live room: the join code while it is open, the
    presenter screen and the results; for a facilitator, the run of show in the admin."""
    run_of_show_url = None
    if request.user.has_perm(RUN_WORKSHOP, room):
        run_of_show_url = f"{reverse('activities:index')}?{urlencode({'workshop': room.pk})}"
    return Section("ideas/includes/workshop_live_room.html", {"room": room, "run_of_show_url": run_of_show_url})


@hooks.register("after_create_page")
@hooks.register("after_publish_page")
def workshop_tables_for_offices(request, page):
    """A workshop's room gets a table for each office it serves as soon as its page is made,
    and for each office added when it is published; tables already there are left alone."""
    if isinstance(page.specific, WorkshopPage):
        services.tables_for_offices(page.specific)


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


def rooms():
    """The workshops that hold activities: originals, never translations (they show their
    original's room)."""
    return canonical_pages(WorkshopPage.objects.all()).order_by("-starts_at", "pk")


class ActivityFilterSet(WagtailFilterSet):
    workshop = django_filters.ModelChoiceFilter(label=_("workshop"), queryset=lambda request: rooms())

    class Meta:
        model = Activity
        fields = ["workshop", "kind"]


def room_phase(activity: Activity) -> str:
    """The activity's phase as the room sees it: the room's own while it is the current one."""
    return Phase(activity.workshop.phase if activity.is_current else activity.phase).label


class WorkshopListingView(generic.IndexView):
    """A listing of one workshop's things (filtered by `?workshop=`), or of every workshop's."""

    def get_base_queryset(self):
        return super().get_base_queryset().select_related("workshop")

    def get_add_url(self):
        # "Add" from one workshop's run of show (or tables) starts one of that workshop.
        url = super().get_add_url()
        workshop = self.request.GET.get("workshop", "")
        if url and workshop.isdigit():
            url += ("&" if "?" in url else "?") + urlencode({"workshop": workshop})
        return url


class ActivityCreateView(generic.CreateView):
    def get_initial(self):
        """With `?workshop=`: that workshop, and the position after its last activity."""
        initial = super().get_initial()
        asked = self.request.GET.get("workshop", "")
        workshop = rooms().filter(pk=asked).first() if asked.isdigit() else None
        if workshop is not None:
            last = Activity.objects.filter(workshop=workshop).order_by("-position").values_list("position", flat=True)
            initial.update(workshop=workshop.pk, position=(last.first() or 0) + 1)
        return initial

    def save_instance(self):
        instance = super().save_instance()
        services.brainstorm_adopts_board(instance)  # a workshop's first brainstorm takes its board
        run_of_show_changed(instance.workshop_id)  # phones, the console and the wall list it
        return instance

    def get_success_url(self):
        return _run_of_show_url(self.object)


class ActivityCopyView(generic.CopyViewMixin, ActivityCreateView):
    """The copy form posts to the add view; a post to this one is told to the room as well."""


class ActivityEditView(generic.EditView):
    def save_instance(self):
        # The room it was in, should the facilitator have moved it to another workshop.
        before = self.form.initial.get("workshop")
        instance = super().save_instance()
        services.brainstorm_adopts_board(instance)
        # The room's run of show, and if the room is on this activity, its new wording.
        run_of_show_changed(instance.workshop_id, edited=instance.pk)
        if before is not None and before != instance.workshop_id:
            run_of_show_changed(before)
        return instance

    def get_success_url(self):
        return _run_of_show_url(self.object)


class ActivityDeleteView(generic.DeleteView):
    def dispatch(self, request, *args, **kwargs):
        if self.user_has_permission("delete"):
            refusal = deletion_refusal(self.object)
            if refusal is not None:
                messages.error(request, refusal)
                return redirect("activities:edit", self.object.pk)
        return super().dispatch(request, *args, **kwargs)

    def delete_action(self):
        workshop_id = self.object.workshop_id
        super().delete_action()
        run_of_show_changed(workshop_id)

    def get_success_url(self):
        return _run_of_show_url(self.object)


def _run_of_show_url(activity: Activity) -> str:
    return f"{reverse('activities:index')}?{urlencode({'workshop': activity.workshop_id})}"


class ActivityViewSet(ModelViewSet):
    """Each workshop's run of show: its polls, scales, word clouds and brainstorm, in order.
    Only whoever may run workshops sees it (`RunOfShowPermissionPolicy`)."""

    model = Activity
    icon = "list-ol"
    menu_label = _("Run of show")
    filterset_class = ActivityFilterSet
    list_display = [
        "title", "kind", "workshop", "position",
        Column("phase", label=capfirst(_("phase")), accessor=room_phase),
        BooleanColumn("is_current", label=capfirst(_("current"))),
    ]
    search_fields = ["title", "prompt"]
    index_view_class = WorkshopListingView
    add_view_class = ActivityCreateView
    copy_view_class = ActivityCopyView
    edit_view_class = ActivityEditView
    delete_view_class = ActivityDeleteView
    edit_handler = ObjectList([
        FieldRowPanel([FieldPanel("workshop", widget=forms.Select), FieldPanel("position")]),
        FieldPanel("kind"),
        FieldPanel("title"),
        FieldPanel("prompt"),
        # The wording in the other languages of the site (the form drops the workshop's own).
        MultiFieldPanel([
            MultiFieldPanel([FieldPanel(wording_field(field, code)) for field in WORDED], heading=name)
            for code, name in settings.LANGUAGES
        ], heading=_("In other languages"), help_text=_(
            "Phones and screens set to that language show this title and prompt; leave empty to show the ones above."
        ), classname="collapsed"),
        # Run by table is the brainstorm's; it sits by blind mode, the other "who sees what".
        FieldRowPanel([FieldPanel("blind"), FieldPanel("by_table"), FieldPanel("private")]),
        MultiFieldPanel([FieldRowPanel([FieldPanel("dots_per_participant"), FieldPanel("max_dots_per_idea")])],
                        heading=_("Brainstorm")),
        MultiFieldPanel([FieldPanel("max_choices"), InlinePanel("options", label=_("options"))], heading=_("Poll")),
        MultiFieldPanel([
            FieldRowPanel([FieldPanel("scale_min_label"), FieldPanel("scale_max_label")]),
            InlinePanel("statements", label=_("statements")),
        ], heading=_("Scale")),
    ], base_form_class=ActivityAdminForm)


class TableFilterSet(WagtailFilterSet):
    workshop = django_filters.ModelChoiceFilter(label=_("workshop"), queryset=lambda request: rooms())

    class Meta:
        model = Table
        fields = ["workshop"]


def _tables_url(workshop_id: int) -> str:
    return f"{reverse('tables:index')}?{urlencode({'workshop': workshop_id})}"


class TableIndexView(WorkshopListingView):
    """Each table with how many people sit at it and how many ideas were posted there (a table
    with either cannot be deleted: `permissions.table_deletion_refusal`)."""

    def get_base_queryset(self):
        return super().get_base_queryset().select_related("office").annotate(
            people_count=Count("participants", distinct=True), ideas_count=Count("ideas", distinct=True),
        ).order_by(*Table._meta.ordering)  # a grouped query drops the model's ordering


class TableCreateView(generic.CreateView):
    def get_initial(self):
        """With `?workshop=` (the "Add" of one workshop's tables): that workshop."""
        initial = super().get_initial()
        asked = self.request.GET.get("workshop", "")
        workshop = rooms().filter(pk=asked).first() if asked.isdigit() else None
        if workshop is not None:
            initial["workshop"] = workshop.pk
        return initial

    def save_instance(self):
        # Through the service that phones' and clients' tables come from: the slug, the place
        # at the end, and the `tables` frame to the room.
        data = self.form.cleaned_data
        table = services.table_create(user=self.request.user, workshop=data["workshop"], name=data["name"],
                                      office=data.get("office"))
        log(instance=table, action="wagtail.create", user=self.request.user, content_changed=True)
        return table

    def form_valid(self, form):
        try:
            return super().form_valid(form)
        except DomainError as refusal:  # the service's last word (the form checked the same)
            form.add_error(None, refusal.message)
            return self.form_invalid(form)

    def get_success_url(self):
        return _tables_url(self.object.workshop_id)


class TableEditView(generic.EditView):
    def save_instance(self):
        instance = super().save_instance()
        services.tables_changed(instance.workshop_id)  # phones' table choices, the wall
        return instance

    def get_success_url(self):
        return _tables_url(self.object.workshop_id)


class TableDeleteView(generic.DeleteView):
    def dispatch(self, request, *args, **kwargs):
        if self.user_has_permission("delete"):
            refusal = table_deletion_refusal(self.object)
            if refusal is not None:
                messages.error(request, refusal)
                return redirect("tables:edit", self.object.pk)
        return super().dispatch(request, *args, **kwargs)

    def delete_action(self):
        # Through the service: it checks again that nobody sits or posted there (someone may
        # have joined at it since the confirmation page) and tells the room.
        with transaction.atomic():
            log(instance=self.object, action="wagtail.delete", user=self.request.user, deleted=True)
            services.table_delete(user=self.request.user, workshop=self.object.workshop, table_id=self.object.pk)

    def form_valid(self, form):
        try:
            return super().form_valid(form)
        except DomainError as refusal:
            messages.error(self.request, refusal.message)
            return redirect("tables:edit", self.object.pk)

    def get_success_url(self):
        return _tables_url(self.object.workshop_id)


class TableViewSet(ModelViewSet):
    """Each workshop's tables: one per office it serves, made with the workshop page, and those
    a facilitator adds ("district administration"). Only whoever may run workshops keeps them
    (`TablePermissionPolicy`); a table's people are moved on the helper's page."""

    model = Table
    icon = "group"
    menu_label = _("Tables")
    filterset_class = TableFilterSet
    list_display = [
        "name", "office", "workshop",
        Column("people_count", label=capfirst(_("people")), accessor="people_count"),
        Column("ideas_count", label=capfirst(_("ideas")), accessor="ideas_count"),
    ]
    search_fields = ["name"]
    index_view_class = TableIndexView
    add_view_class = TableCreateView
    edit_view_class = TableEditView
    delete_view_class = TableDeleteView
    copy_view_enabled = False  # a copy would be a second table with the same name
    edit_handler = ObjectList([
        FieldPanel("workshop", widget=forms.Select),
        FieldPanel("name"),
        FieldPanel("office", widget=forms.Select),
        FieldPanel("position"),
    ], base_form_class=TableAdminForm)


class LiveWorkshopGroup(ViewSetGroup):
    menu_label = _("Live workshops")
    menu_icon = "comment"
    menu_order = 250
    items = (ActivityViewSet("activities"), TableViewSet("tables"), IdeaViewSet("ideas"),
             ParticipantViewSet("participants"))


@hooks.register("register_admin_viewset")
def register_live_workshop_viewsets():
    return LiveWorkshopGroup()

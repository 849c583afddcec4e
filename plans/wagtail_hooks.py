"""Plans and items in the Wagtail admin, filtered and checked by the same rule as everywhere;
and what plans add to other apps' pages through their hooks: the office page's plans, the
action plans a workshop's results offer and the items made of its ideas, and "make an action
item" on the feedback triage."""

from django.http import Http404
from django.urls import path
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.panels import FieldPanel, ObjectList
from wagtail.admin.views import generic
from wagtail.admin.views.generic import history, usage
from wagtail.admin.viewsets.base import ViewSetGroup
from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.permissions import register_permission_policy

from workshop_site.core.i18n import canonical, localized
from workshop_site.core.sections import OFFICE_PAGE_SECTIONS, Section

from . import admin_views
from .admin_forms import ActionItemAdminForm, ActionPlanAdminForm
from .models import ActionItem, ActionPlan
from .permissions import OfficePlanPermissionPolicy
from .rules import editable_plans_filter
from .selectors import (
    items_from_ideas,
    plan_summary,
    plans_editable_by,
    plans_for_office,
    status_changes,
)
from .services import MAX_TABLE_TOP

register_permission_policy(ActionPlan, OfficePlanPermissionPolicy(ActionPlan))
register_permission_policy(ActionItem, OfficePlanPermissionPolicy(ActionItem, plan_path="plan__"))


def editable_only(queryset, request, plan_path=""):
    """What the admin lists: the plans and items this user may edit (the same rule)."""
    plan_filter = editable_plans_filter(request.user)
    if plan_filter is None:
        return queryset
    return queryset.filter(**{plan_path + key: value for key, value in plan_filter.items()}).distinct()


class EditableOnlyMixin:
    """Admin views of plans and items see only what the user may edit: another office's item
    is a 404 here, as it is a 403 in the API."""

    plan_path = ""

    def get_base_queryset(self):
        return editable_only(super().get_base_queryset(), self.request, self.plan_path)

    def get_queryset(self):
        return editable_only(super().get_queryset(), self.request, self.plan_path)


class EditableObjectOnlyMixin:
    """The views about one plan or item (history, usage, copy) answer 404 for another
    office's, as the edit view does: Wagtail checks only the model-level permission there."""

    def get_object(self, *args, **kwargs):
        obj = super().get_object(*args, **kwargs)
        if not self.request.user.has_perm("plans.change_plan", obj):
            raise Http404
        return obj


def object_scoped(view_class):
    return type(f"Scoped{view_class.__name__}", (EditableObjectOnlyMixin, view_class), {})


def scoped(view_class, plan_path=""):
    return type(f"Scoped{view_class.__name__}", (EditableOnlyMixin, view_class), {"plan_path": plan_path})


class ActionPlanViewSet(ModelViewSet):
    model = ActionPlan
    icon = "tasks"
    edit_handler = ObjectList(
        [FieldPanel(name) for name in ("office", "workshop", "title", "description", "published")],
        base_form_class=ActionPlanAdminForm,
    )
    list_display = ["title", "office", "published", "modified"]
    list_filter = ["office", "published"]
    list_export = ["title", "office", "workshop", "published", "created", "modified"]
    export_filename = "atelier-action-plans"
    search_fields = ["title"]
    index_view_class = scoped(generic.IndexView)
    edit_view_class = scoped(generic.EditView)
    delete_view_class = scoped(generic.DeleteView)
    history_view_class = object_scoped(history.HistoryView)
    usage_view_class = object_scoped(usage.UsageView)
    copy_view_class = object_scoped(generic.CopyView)


class ActionItemViewSet(ModelViewSet):
    model = ActionItem
    icon = "list-ul"
    edit_handler = ObjectList(
        [FieldPanel(name) for name in ("plan", "title", "description", "owner_user", "owner_name", "owner_institution",
                                       "start", "due", "status", "progress", "priority", "weight", "note")],
        base_form_class=ActionItemAdminForm,
    )
    list_display = ["title", "plan", "status", "progress", "due"]
    list_filter = ["plan__office", "status", "priority"]
    list_export = ["title", "plan", "owner_display", "start", "due", "status", "progress", "priority", "weight"]
    export_filename = "atelier-action-items"
    search_fields = ["title"]
    index_view_class = scoped(generic.IndexView, "plan__")
    edit_view_class = scoped(generic.EditView, "plan__")
    delete_view_class = scoped(generic.DeleteView, "plan__")
    history_view_class = object_scoped(history.HistoryView)
    usage_view_class = object_scoped(usage.UsageView)
    copy_view_class = object_scoped(generic.CopyView)


class PlansGroup(ViewSetGroup):
    menu_label = _("Action plans")
    menu_icon = "tasks"
    menu_order = 270
    items = (ActionPlanViewSet("action_plans"), ActionItemViewSet("action_items"))


@hooks.register("register_admin_viewset")
def register_plans_viewsets():
    return PlansGroup()


@hooks.register("register_admin_urls")
def plans_admin_urls():
    # The form of plans' section of the feedback triage page (below) posts here: a plans view,
    # kept at the address and URL name it had when feedback owned it.
    return [
        path("feedback/<int:feedback_id>/action-item/", admin_views.item_from_feedback, name="feedback_admin_make_item"),
    ]


@hooks.register(OFFICE_PAGE_SECTIONS, order=20)
def office_plans_section(request, page):
    """The office's plans the visitor may read, each as a summary with progress, counts and
    timeline. Plans point at the office's canonical page; a translation shows the same."""
    plans = plans_for_office(canonical(page), user=request.user, with_origins=False)
    changes = status_changes([item.pk for plan in plans for item in plan.items.all()])  # one query for all
    return Section(
        "plans/includes/office_plans.html",
        {"plans": [plan_summary(plan, changes=changes) for plan in plans]},
        stylesheets=("plans/plans.css",),
    )


@hooks.register("atelier_results_action_plans")
def action_plans_for_results(user, workshop) -> list:
    """The results page's one-click "add to an action plan" (ideas.views): the plans of the
    workshop's offices this user may add items to."""
    return plans_editable_by(user, workshop.offices.all())


@hooks.register("atelier_results_table_actions")
def send_table_to_plan(request, workshop, table):
    """Under a table's ranking on the results (ideas.views): "send the top ideas to the
    office's plan", for whoever may add items to a plan of the table's office."""
    if table["office"] is None:
        return None
    plans, office_titles = _table_plans(request)
    if not plans.get(table["office"]):
        return None
    return Section(
        "plans/includes/table_to_plan.html",
        {
            "plans": plans[table["office"]], "office": office_titles[table["office"]],
            "default_top": 3, "max_top": MAX_TABLE_TOP,
        },
        stylesheets=("plans/table_to_plan.css",),
    )


def _table_plans(request) -> tuple[dict, dict]:
    """The plans this user may add items to, by office, and the offices' titles in the
    reader's language: read once per request (two queries) and kept on it, so a room of many
    tables costs no more than one."""
    if not hasattr(request, "_atelier_table_plans"):
        plans_by_office: dict[int, list] = {}
        plan_filter = editable_plans_filter(request.user)
        if request.user.is_authenticated:
            editable = ActionPlan.objects.filter(**(plan_filter or {})).distinct()
            for plan in editable.select_related("office").order_by("office__title", "-created"):
                plans_by_office.setdefault(plan.office_id, []).append(plan)
        offices = {plans[0].office.pk: plans[0].office for plans in plans_by_office.values()}
        titles = {office.translation_key: office.title for office in localized(offices.values())} if offices else {}
        office_titles = {pk: titles.get(office.translation_key, office.title) for pk, office in offices.items()}
        request._atelier_table_plans = (plans_by_office, office_titles)
    return request._atelier_table_plans


@hooks.register("atelier_idea_action_items")
def action_items_of_ideas(user, idea_ids) -> dict:
    """The results page's way back from an idea to the items made of it (ideas.views)."""
    return items_from_ideas(user, idea_ids)


@hooks.register("atelier_feedback_triage_sections")
def feedback_action_items_section(request, feedback):
    """On the feedback triage page: the items made of this feedback, and "make an action item"
    in a plan of the prototype's offices that the user may change."""
    return Section(
        "plans/includes/feedback_action_items.html",
        {
            "action_items": feedback.action_items.all(),
            "plans": plans_editable_by(request.user, feedback.version.prototype.offices.all()),
        },
    )

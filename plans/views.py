"""The item page: details, where it came from, its history, and (for its team) the update form."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from ideas.selectors import table_of, visible_idea
from workshop_site.core.errors import DomainError
from workshop_site.core.exports import csv_response, xlsx_bytes, xlsx_response
from workshop_site.core.i18n import canonical_pages
from workshop_site.core.predicates import is_facilitator
from workshop_site.offices.models import OfficePage

from . import exports, services
from .forms import ItemProgressForm
from .models import ActionItem, ActionPlan
from .selectors import (
    history,
    item_progress,
    offices_overview,
    origin_links,
    plans_for_office,
    status_tone,
)


def item_detail(request, item_id: int):
    item = get_object_or_404(
        ActionItem.objects.select_related("plan__office", "owner_user").prefetch_related("milestones"), pk=item_id
    )
    if not request.user.has_perm("plans.view_plan", item):
        raise Http404
    can_edit = request.user.has_perm("plans.change_plan", item)
    form = None
    if can_edit:
        initial = {"status": item.status, "progress": item_progress(item), "revision": item.revision}
        form = ItemProgressForm(request.POST if request.method == "POST" else None, initial=initial)
        if request.method == "POST" and form.is_valid():
            data = form.cleaned_data
            try:
                services.item_update(
                    user=request.user, item_id=item.pk, changes={"status": data["status"], "progress": data["progress"]},
                    note=data["note"], expected_revision=data["revision"],
                )
            except DomainError as error:
                form.add_error(None, error.message)
            else:
                messages.success(request, _("Saved. The change is kept in the item's history."))
                return redirect("plans_item", item_id=item.pk)
    elif request.method == "POST":
        raise PermissionDenied
    return render(request, "plans/item_detail.html", {
        "item": item, "plan": item.plan, "office": item.plan.office, "progress": item_progress(item),
        "overdue": item.is_overdue(), "origins": origin_links(item, user=request.user), "history": history(item), "form": form,
        "can_edit": can_edit, "tone": status_tone(item.status),
    }, status=400 if form is not None and form.is_bound and form.errors else 200)


def _readable_plan(request, plan_id: int) -> ActionPlan:
    plan = get_object_or_404(ActionPlan.objects.select_related("office"), pk=plan_id)
    if not request.user.has_perm("plans.view_plan", plan):
        raise Http404
    return plan


def plan_csv(request, plan_id: int):
    plan = _readable_plan(request, plan_id)
    return csv_response(exports.plan_rows(plan), f"plan-{plan.office.slug}-{plan.pk}.csv")


def plan_xlsx(request, plan_id: int):
    plan = _readable_plan(request, plan_id)
    content = xlsx_bytes([(plan.title, exports.plan_rows(plan))], widths={"A": 60, "B": 30, "J": 50, "K": 60})
    return xlsx_response(content, f"plan-{plan.office.slug}-{plan.pk}.xlsx")


def office_calendar(request, slug: str):
    """`/plans/<office>.ics`: the due dates of the office's plans the visitor may read."""
    office = get_object_or_404(canonical_pages(OfficePage.objects.live()), slug=slug)
    plans = plans_for_office(office, user=request.user)
    content = exports.due_dates_calendar(office, plans, base_url=request.build_absolute_uri("/").rstrip("/"))
    response = HttpResponse(content, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'inline; filename="plan-{office.slug}.ics"'
    return response


def overview(request):
    """Facilitators compare all offices at a glance: progress, overdue, last update."""
    if not is_facilitator(request.user):
        raise PermissionDenied
    rows = offices_overview()
    return render(request, "plans/overview.html", {"rows": rows, "charted": any(row["done_chart"] for row in rows)})


@require_POST
def item_from_idea(request, idea_id: int):
    """One click on a results page: the idea becomes an item of the chosen office plan."""
    idea = visible_idea(idea_id)
    if idea is None:
        raise Http404
    plan = ActionPlan.objects.select_related("office").filter(pk=request.POST.get("plan") or 0).first()
    if plan is None:
        raise Http404
    try:
        item = services.item_create_from_idea(user=request.user, idea=idea, plan=plan)
    except DomainError as error:
        if error.status == 403:
            raise PermissionDenied from None
        messages.error(request, error.message)
        return redirect("ideas_results", code=idea.workshop.join_code)
    messages.success(request, _("The idea is now an item of %(plan)s.") % {"plan": plan.title})
    return redirect("plans_item", item_id=item.pk)


@require_POST
def items_from_table(request, table_id: int):
    """The results page's "send the top ideas to the office's plan" (plans' part of each
    table's ranking): back to that table's ranking with what was done or why not."""
    table = table_of(table_id)
    if table is None:
        raise Http404
    anchor = f"table-{table.slug}"  # the results show a message so tagged in that table's section
    back = reverse("ideas_results", args=[table.workshop.join_code]) + f"#{anchor}"
    try:
        items = services.items_from_table(
            user=request.user, table_id=table.pk, plan_id=request.POST.get("plan"), n=request.POST.get("n", "3"),
        )
    except DomainError as error:
        if error.status == 403:
            raise PermissionDenied from None
        messages.error(request, error.message, extra_tags=anchor)
        return redirect(back)
    messages.success(request, ngettext(
        "%(n)d idea of %(table)s is now an item of %(plan)s.",
        "%(n)d ideas of %(table)s are now items of %(plan)s.",
        len(items),
    ) % {"n": len(items), "table": table.name, "plan": items[0].plan.title}, extra_tags=anchor)
    return redirect(back)


@require_POST
def milestone_add(request, item_id: int):
    try:
        services.milestone_add(user=request.user, item_id=item_id, title=request.POST.get("title", ""),
                               due=request.POST.get("due") or None)
    except DomainError as error:
        if error.status == 403:
            raise PermissionDenied from None
        if error.status == 404:
            raise Http404 from None
        messages.error(request, error.message)
    return redirect("plans_item", item_id=item_id)


@require_POST
def milestone_toggle(request, milestone_id: int):
    try:
        milestone = services.milestone_set_done(
            user=request.user, milestone_id=milestone_id, done=request.POST.get("done") == "1"
        )
    except DomainError as error:
        if error.status == 403:
            raise PermissionDenied from None
        raise Http404 from None
    return redirect("plans_item", item_id=milestone.item_id)

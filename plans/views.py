"""The item page: details, where it came from, its history, and (for its team) the update form."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from workshop_site.core.errors import DomainError

from . import services
from .forms import ItemProgressForm
from .models import ActionItem
from .selectors import history, item_progress, origins


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
        "overdue": item.is_overdue(), "origins": origins(item), "history": history(item), "form": form,
        "can_edit": can_edit,
    }, status=400 if form is not None and form.is_bound and form.errors else 200)

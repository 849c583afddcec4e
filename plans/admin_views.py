"""Admin views of plans that Wagtail has no ready-made form for."""

from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from wagtail.admin import messages

from workshop_site.core.errors import DomainError

from . import services


def item_from_feedback(request, feedback_id: int):
    """The triage page's "Make an action item" (the form is plans' section of that page):
    one click turns the feedback into an item of the chosen plan, then back to the triage."""
    if request.method != "POST":
        return redirect("feedback_admin_detail", feedback_id=feedback_id)
    try:
        item = services.item_create_from_triage(user=request.user, feedback_id=feedback_id, plan_id=request.POST.get("plan"))
    except DomainError as error:
        if error.status == 403:
            raise PermissionDenied from None
        messages.error(request, error.message)
        return redirect("feedback_admin_detail", feedback_id=feedback_id)
    messages.success(request, _("Action item created in %(plan)s.") % {"plan": item.plan.title})
    return redirect("feedback_admin_detail", feedback_id=feedback_id)

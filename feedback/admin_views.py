"""Triage in the Wagtail admin: the feedback list (filtered by the same rule) and one item with
its pin on the screen, status, public reply and "make an action item"."""

from django import forms
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from wagtail.admin import messages

from prototypes.api import RENDITION
from workshop_site.core.errors import DomainError

from . import services
from .models import FeedbackStatus
from .selectors import triage_queryset


class TriageForm(forms.Form):
    status = forms.ChoiceField(label=gettext_lazy("Status"), choices=FeedbackStatus.choices)
    reply = forms.CharField(label=gettext_lazy("Public reply"), required=False, max_length=2000,
                            widget=forms.Textarea(attrs={"rows": 3}))


def _triagable_plans(user, feedback):
    from plans.models import ActionPlan

    plans = ActionPlan.objects.filter(office__in=feedback.version.prototype.offices.all()).select_related("office")
    return [plan for plan in plans.order_by("office__title", "-created") if user.has_perm("plans.change_plan", plan)]


def feedback_list(request):
    status = request.GET.get("status") or ""
    feedback = triage_queryset(request.user)
    if status in FeedbackStatus.values:
        feedback = feedback.filter(status=status)
    return TemplateResponse(request, "feedback/admin/list.html", {
        "feedback": feedback[:300], "status": status, "statuses": FeedbackStatus.choices,
    })


def feedback_detail(request, feedback_id: int):
    feedback = get_object_or_404(triage_queryset(request.user), pk=feedback_id)
    form = TriageForm(request.POST if request.method == "POST" else None,
                      initial={"status": feedback.status, "reply": feedback.reply})
    if request.method == "POST" and form.is_valid():
        try:
            services.feedback_triage(user=request.user, feedback_id=feedback.pk, status=form.cleaned_data["status"],
                                     reply=form.cleaned_data["reply"])
        except DomainError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, _("Feedback updated."))
            return redirect("feedback_admin_detail", feedback_id=feedback.pk)
    rendition = feedback.screen.image.get_rendition(RENDITION)
    return TemplateResponse(request, "feedback/admin/detail.html", {
        "item": feedback, "form": form, "rendition": rendition,
        "pin_x": round(feedback.x * rendition.width, 1), "pin_y": round(feedback.y * rendition.height, 1),
        "plans": _triagable_plans(request.user, feedback), "action_items": feedback.action_items.all(),
    })


def feedback_make_item(request, feedback_id: int):
    if request.method != "POST":
        return redirect("feedback_admin_detail", feedback_id=feedback_id)
    try:
        item = services.feedback_make_action_item(user=request.user, feedback_id=feedback_id, plan_id=request.POST.get("plan"))
    except DomainError as error:
        if error.status == 403:
            raise PermissionDenied from None
        messages.error(request, error.message)
        return redirect("feedback_admin_detail", feedback_id=feedback_id)
    messages.success(request, _("Action item created in %(plan)s.") % {"plan": item.plan.title})
    return redirect("feedback_admin_detail", feedback_id=feedback_id)



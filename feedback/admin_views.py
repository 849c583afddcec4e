"""Triage in the Wagtail admin: the feedback list (filtered by the same rule) and one item with
its pin on the screen, status and public reply; and the test tasks of a version.

What other apps do with a piece of feedback (plans: "make an action item") they add to the
triage page through the `TRIAGE_SECTIONS` hook: feedback knows no app built on it.
"""

from django import forms
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.template.loader import render_to_string
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from wagtail.admin import messages

from prototypes.selectors import screen_rendition, version_by_id
from workshop_site.core.errors import DomainError
from workshop_site.core.sections import sections_for

from . import services
from .models import FeedbackStatus
from .selectors import triage_queryset

# Each function is called as `fn(request, feedback)` for the triage page of one piece of
# feedback and returns a `workshop_site.core.sections.Section` (or None); its template is
# rendered below the triage form with the section's context plus `feedback`.
TRIAGE_SECTIONS = "atelier_feedback_triage_sections"


class TriageForm(forms.Form):
    status = forms.ChoiceField(label=gettext_lazy("Status"), choices=FeedbackStatus.choices)
    reply = forms.CharField(label=gettext_lazy("Public reply"), required=False, max_length=2000,
                            widget=forms.Textarea(attrs={"rows": 3}))


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
    rendition = screen_rendition(feedback.screen)
    return TemplateResponse(request, "feedback/admin/detail.html", {
        "item": feedback, "form": form, "rendition": rendition,
        "pin_x": round(feedback.x * rendition.width, 1), "pin_y": round(feedback.y * rendition.height, 1),
        "sections": _triage_sections(request, feedback),
    })


def _triage_sections(request, feedback) -> list[str]:
    return [
        render_to_string(section.template, {**section.context, "feedback": feedback}, request=request)
        for section in sections_for(TRIAGE_SECTIONS, request, feedback)
    ]


def _editable_version(request, version_id: int):
    version = version_by_id(version_id)
    if version is None:
        raise Http404
    if not request.user.has_perm("prototypes.edit_prototype", version.prototype):
        raise PermissionDenied
    return version


def task_create(request, version_id: int):
    """A facilitator or the offices' team defines a task on a version."""
    from .forms import TaskForm
    from .models import TestTask
    from .tasks import task_validate

    version = _editable_version(request, version_id)
    form = TaskForm(request.POST if request.method == "POST" else None, version=version)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            task_validate(version=version, start_screen=data["start_screen"], goal_screens=list(data["goal_screens"]),
                          expected_path=form.expected_path())
        except DomainError as error:
            form.add_error(None, error.message)
        else:
            task = TestTask.objects.create(version=version, instruction=data["instruction"], start_screen=data["start_screen"],
                                           expected_path=form.expected_path(), active=data["active"])
            task.goal_screens.set(data["goal_screens"])
            messages.success(request, _("Task created. Testers start it at %(url)s") % {
                "url": f"/p/{version.prototype.slug}/v{version.number}/tasks/{task.pk}/"})
            return redirect("prototypes_admin_version", version_id=version.pk)
    return TemplateResponse(request, "feedback/admin/task_form.html", {"form": form, "version": version},
                            status=400 if form.is_bound and form.errors else 200)


def _editable_task(request, task_id: int):
    from .models import TestTask

    task = get_object_or_404(TestTask.objects.select_related("version__prototype", "start_screen"), pk=task_id)
    if not request.user.has_perm("prototypes.edit_prototype", task.version.prototype):
        raise PermissionDenied
    return task


def task_results(request, task_id: int):
    """A task's figures on its version, heatmaps per screen, and the same task on other versions."""
    from .metrics import compare_versions, task_metrics

    task = _editable_task(request, task_id)
    metrics = task_metrics(task)
    comparison = next((row for row in compare_versions(task.version.prototype) if row["instruction"] == task.instruction), None)
    return TemplateResponse(request, "feedback/admin/task_results.html", {
        "task": task, "metrics": metrics, "comparison": comparison,
        "start_url": f"/p/{task.version.prototype.slug}/v{task.version.number}/tasks/{task.pk}/",
    })


def task_heatmap(request, task_id: int, screen_id: int):
    """The taps of a task's finished runs on one screen, as a heatmap over the picture (PNG)."""
    from django.http import HttpResponse

    from .heatmap import heatmap_png
    from .metrics import FINISHED
    from .models import Tap

    task = _editable_task(request, task_id)
    screen = get_object_or_404(task.version.screens.select_related("image"), pk=screen_id)
    taps = Tap.objects.filter(run__task=task, run__outcome__in=list(FINISHED), screen=screen).only("screen_id", "x", "y")
    response = HttpResponse(heatmap_png(screen, list(taps)), content_type="image/png")
    response["Cache-Control"] = "private, max-age=60"
    return response

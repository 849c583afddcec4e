"""The no-JavaScript feedback form of a prototype screen."""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from prototypes.models import Prototype
from workshop_site.core.client_ip import request_client_ip
from workshop_site.core.errors import DomainError

from . import services, tasks
from .forms import FeedbackForm
from .models import TestTask


def feedback_form(request, slug: str, number: int, screen_id: int):
    prototype = get_object_or_404(Prototype, slug=slug)
    version = prototype.versions.filter(number=number).first()
    screen = version.screens.filter(pk=screen_id).first() if version else None
    if screen is None or not request.user.has_perm("prototypes.view_version", version):
        raise Http404
    form = FeedbackForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        if not request.session.session_key:
            request.session.save()
        data = form.cleaned_data
        try:
            services.check_rate(session_key=request.session.session_key, address=request_client_ip(request))
            services.feedback_submit(
                user=request.user, session_key=request.session.session_key, version=version, screen_id=screen.pk,
                x=data["x"], y=data["y"], text=data["text"], rating=data["rating"], role=data["role"] or None,
            )
        except DomainError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, _("Thank you! Your feedback is pinned on the screen."))
            return redirect("prototypes_play_screen", slug=slug, number=number, screen_id=screen.pk)
    status = 400 if form.is_bound and form.errors else 200
    return render(request, "feedback/feedback_form.html", {
        "prototype": prototype, "version": version, "screen": screen, "form": form,
    }, status=status)


def task_start(request, slug: str, number: int, task_id: int):
    """`/p/<slug>/v<n>/tasks/<id>/`: the instruction, then the start screen in task mode."""
    prototype = get_object_or_404(Prototype, slug=slug)
    task = get_object_or_404(TestTask.objects.select_related("version"), pk=task_id, version__prototype=prototype,
                             version__number=number)
    if not request.user.has_perm("prototypes.view_version", task.version):
        raise Http404
    error = None
    if request.method == "POST":
        if not request.session.session_key:
            request.session.save()
        try:
            services.check_rate(session_key=request.session.session_key, address=request_client_ip(request))
            run = tasks.run_start(task_id=task.pk, user=request.user, session_key=request.session.session_key)
        except DomainError as refused:
            error = refused.message
        else:
            return redirect(f"/p/{slug}/v{number}/s{task.start_screen_id}/?run={run.pk}")
    return render(request, "feedback/task_start.html", {"prototype": prototype, "task": task, "error": error},
                  status=400 if error else 200)


def version_summary(request, slug: str, number: int):
    """`/p/<slug>/v<n>/summary/`: the public summary of a version's feedback and tests."""
    from .metrics import version_summary as summarise

    prototype = get_object_or_404(Prototype, slug=slug)
    version = prototype.versions.filter(number=number).first()
    if version is None or not request.user.has_perm("prototypes.view_version", version):
        raise Http404
    return render(request, "feedback/version_summary.html", {"prototype": prototype, "version": version,
                                                              "summary": summarise(version)})

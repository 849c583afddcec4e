"""Feedback's pages of play mode: the no-JavaScript feedback form of a prototype screen, the
start of a test task, the public summary of a version; and feedback's layer of play mode
itself (`play_layer`, registered in `wagtail_hooks` for prototypes' play-mode hook)."""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.translation import gettext as _

from prototypes.selectors import version_by_number
from workshop_site.core.client_ip import request_client_ip
from workshop_site.core.errors import DomainError

from . import metrics, services, tasks
from .forms import FeedbackForm
from .models import RunOutcome, TestTask
from .selectors import pins_for


def _visible_version_or_404(request, slug: str, number: int):
    """Version `number` of the prototype `slug` (with its prototype), if this visitor may see it."""
    version = version_by_number(slug, number)
    if version is None or not request.user.has_perm("prototypes.view_version", version):
        raise Http404
    return version


def _session_key(request) -> str:
    """This browser's session key, saving the session first if it has none yet."""
    if not request.session.session_key:
        request.session.save()
    return request.session.session_key


def feedback_form(request, slug: str, number: int, screen_id: int):
    version = _visible_version_or_404(request, slug, number)
    screen = version.screens.filter(pk=screen_id).first()
    if screen is None:
        raise Http404
    form = FeedbackForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        session_key = _session_key(request)
        data = form.cleaned_data
        try:
            services.check_rate(session_key=session_key, address=request_client_ip(request))
            services.feedback_submit(
                user=request.user, session_key=session_key, version=version, screen_id=screen.pk,
                x=data["x"], y=data["y"], text=data["text"], rating=data["rating"], role=data["role"] or None,
            )
        except DomainError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, _("Thank you! Your feedback is pinned on the screen."))
            return redirect("prototypes_play_screen", slug=slug, number=number, screen_id=screen.pk)
    status = 400 if form.is_bound and form.errors else 200
    return render(request, "feedback/feedback_form.html", {
        "prototype": version.prototype, "version": version, "screen": screen, "form": form,
    }, status=status)


def task_start(request, slug: str, number: int, task_id: int):
    """`/p/<slug>/v<n>/tasks/<id>/`: the instruction, then the start screen in task mode."""
    task = get_object_or_404(TestTask.objects.select_related("version__prototype"), pk=task_id,
                             version__prototype__slug=slug, version__number=number)
    if not request.user.has_perm("prototypes.view_version", task.version):
        raise Http404
    error = None
    if request.method == "POST":
        session_key = _session_key(request)
        try:
            services.check_rate(session_key=session_key, address=request_client_ip(request))
            run = tasks.run_start(task_id=task.pk, user=request.user, session_key=session_key)
        except DomainError as refused:
            error = refused.message
        else:
            return redirect(f"/p/{slug}/v{number}/s{task.start_screen_id}/?run={run.pk}")
    return render(request, "feedback/task_start.html", {"prototype": task.version.prototype, "task": task, "error": error},
                  status=400 if error else 200)


def version_summary(request, slug: str, number: int):
    """`/p/<slug>/v<n>/summary/`: the public summary of a version's feedback and tests."""
    version = _visible_version_or_404(request, slug, number)
    return render(request, "feedback/version_summary.html", {
        "prototype": version.prototype, "version": version, "summary": metrics.version_summary(version),
    })


def play_layer(request, play) -> dict:
    """What feedback draws on a play-mode screen (`play`: prototypes' `Play`).

    Taking a test task (`?run=`, this browser's run on this version): the task bar, and links
    that keep the run; a running task followed by a plain link (outside the task's tap
    handler) is sent back to the screen the run is at. Otherwise: the pins this viewer may
    see, and the ways to leave feedback on the screen.
    """
    session_key = request.session.session_key
    assets = {"stylesheets": ("feedback/play.css",), "scripts": ("feedback/play.js",)}
    run = tasks.run_for_play(_int(request.GET.get("run")), session_key=session_key, version=play.version)
    if run is not None:
        if run.outcome == RunOutcome.RUNNING and run.current_screen_id and run.current_screen_id != play.screen.pk:
            current = play.screens_by_id.get(run.current_screen_id, play.screens[0])
            return {"redirect": f"{play.url_of(current)}?run={run.pk}"}
        context = {"run": run, "prototype": play.prototype, "version": play.version, "screen": play.screen}
        if run.outcome != RunOutcome.RUNNING:
            context.update(_after_the_task(request, play, run))
        bar = render_to_string("feedback/play/task_bar.html", context, request)
        return {"link_params": {"run": run.pk}, "above": bar, **assets}
    pins = [
        {"x": round(pin.x * play.width, 1), "y": round(pin.y * play.height, 1), "text": pin.text, "rating": pin.rating,
         "mine": bool(session_key) and pin.session_key == session_key}
        for pin in pins_for(user=request.user, session_key=session_key, version=play.version, screen=play.screen)
    ]
    slug, number = play.prototype.slug, play.version.number
    tools = {
        "version": play.version, "screen": play.screen,
        "feedback_url": reverse("feedback_form", args=[slug, number, play.screen.pk]),
        "feedback_api": f"/api/prototypes/{slug}/feedback",
    }
    return {
        "over": render_to_string("feedback/play/pins.html", {"pins": pins}, request),
        "below": render_to_string("feedback/play/tools.html", tools, request),
        **assets,
    }


def _after_the_task(request, play, run) -> dict:
    """Where a finished run leads: the version's next task if there is one, else its summary
    (for whoever may see it), and in any case the prototype itself, without the task."""
    slug, number = play.prototype.slug, play.version.number
    following = tasks.task_after(run.task)
    if following is not None:
        next_step = {"url": reverse("feedback_task_start", args=[slug, number, following.pk]), "label": _("Next task")}
    elif request.user.has_perm("prototypes.view_version", play.version):
        next_step = {"url": reverse("feedback_version_summary", args=[slug, number]), "label": _("See the results")}
    else:
        next_step = None
    return {"next_step": next_step, "prototype_url": play.url_of(play.screens[0])}


def _int(value) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None

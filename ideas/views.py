"""The live workshop's pages: join, the participant's phone screen, the presenter screen,
results and their downloads. Thin: rules in `ideas.rules`, changes in `ideas.services`."""

import segno
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from workshop_site.core.exports import csv_response, xlsx_response
from workshop_site.workshops.models import WorkshopPage

from . import exports, selectors, services, throttle
from .errors import LiveError
from .forms import CodeForm, JoinForm
from .rules import can_see_results, tallies_visible_to_participants
from .sessions import participant_id_for, remember_participant


def client_address(request) -> str | None:
    return request.META.get("REMOTE_ADDR")


def workshop_or_404(request, code: str) -> WorkshopPage:
    """The live workshop for `code`; unknown codes count towards the guessing limit."""
    address = client_address(request)
    if throttle.lookups_blocked(address):
        raise LookupsBlocked()
    workshop = WorkshopPage.find_by_code(code)
    if workshop is None:
        throttle.lookup_failed(address)
        raise Http404(_("No workshop has this code."))
    return workshop


class LookupsBlocked(Exception):
    pass


def too_many_lookups(request):
    response = render(request, "ideas/join.html", {"form": CodeForm(), "blocked": True}, status=429)
    response["Retry-After"] = str(throttle.WINDOW_SECONDS)
    return response


def join_url(request, workshop: WorkshopPage) -> str:
    return request.build_absolute_uri(f"/w/{workshop.join_code}/")


def live_context(request, workshop: WorkshopPage, *, is_facilitator: bool) -> dict:
    participant_id = participant_id_for(request.session, workshop.pk)
    state = selectors.snapshot(workshop, participant_id=participant_id, sees_tallies=is_facilitator)
    state.update(type="snapshot", seq=0, online=None)
    return {
        "workshop": workshop,
        "ws_path": f"/ws/workshops/{workshop.join_code}/",
        "initial_state": state,
        "suggested_tags": sorted(t.name for t in workshop.suggested_tags.all()),
        "join_url": join_url(request, workshop),
        "is_facilitator": is_facilitator,
    }


@require_http_methods(["GET", "POST"])
def join(request):
    """`/join/`: type a code, go to the workshop."""
    data = request.POST if request.method == "POST" else (request.GET if "code" in request.GET else None)
    form = CodeForm(data)
    if data is not None and form.is_valid():
        try:
            workshop = workshop_or_404(request, form.cleaned_data["code"])
        except LookupsBlocked:
            return too_many_lookups(request)
        except Http404:
            form.add_error("code", _("No workshop has this code. Check it and try again."))
        else:
            return redirect(f"/w/{workshop.join_code}/")
    return render(request, "ideas/join.html", {"form": form}, status=400 if form.is_bound and form.errors else 200)


@require_http_methods(["GET", "POST"])
def participant(request, code: str):
    """`/w/<code>/`: the join form, then (same URL) the participant's screen."""
    try:
        workshop = workshop_or_404(request, code)
    except LookupsBlocked:
        return too_many_lookups(request)
    if workshop.join_code != code:
        return redirect(f"/w/{workshop.join_code}/")
    is_facilitator = request.user.has_perm("ideas.run_workshop", workshop)
    if participant_id_for(request.session, workshop.pk) is not None:
        return render(request, "ideas/participant.html", live_context(request, workshop, is_facilitator=is_facilitator))
    form = JoinForm(request.POST if request.method == "POST" else None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                joined = services.participant_join(
                    workshop=workshop, display_name=form.cleaned_data["display_name"],
                    role=form.cleaned_data["role"], user=request.user,
                )
            except LiveError as error:
                form.add_error(None, error.message)
            else:
                remember_participant(request.session, joined)
                return redirect(f"/w/{workshop.join_code}/")
        status = 400
    return render(request, "ideas/participant_join.html", {"workshop": workshop, "form": form}, status=status)


def presenter(request, code: str):
    """`/w/<code>/present/`: the wall screen; facilitator controls when one is logged in."""
    try:
        workshop = workshop_or_404(request, code)
    except LookupsBlocked:
        return too_many_lookups(request)
    is_facilitator = request.user.has_perm("ideas.run_workshop", workshop)
    context = live_context(request, workshop, is_facilitator=is_facilitator)
    context["qr_svg"] = qr_svg_markup(context["join_url"])
    return render(request, "ideas/presenter.html", context)


def qr_svg_markup(url: str):
    from django.utils.safestring import mark_safe

    qr = segno.make(url, error="m")
    # segno escapes nothing user-typed here: the URL is built from the validated join code.
    return mark_safe(qr.svg_inline(scale=8, border=2, dark="#1b1f24", light="#ffffff", omitsize=True))  # noqa: S308


def qr_svg(request, code: str):
    """`/w/<code>/qr.svg`: the join QR for printing."""
    try:
        workshop = workshop_or_404(request, code)
    except LookupsBlocked:
        return too_many_lookups(request)
    response = HttpResponse(qr_svg_markup(join_url(request, workshop)), content_type="image/svg+xml")
    response["Content-Disposition"] = f'inline; filename="atelier-{workshop.join_code}.svg"'
    return response


def results(request, code: str):
    """`/w/<code>/results/`: the ranking, by tag and by the voters' role."""
    try:
        workshop = workshop_or_404(request, code)
    except LookupsBlocked:
        return too_many_lookups(request)
    if not can_see_results(request.user, workshop):
        return render(request, "ideas/results_hidden.html", {"workshop": workshop}, status=403)
    data = selectors.results(workshop)
    return render(request, "ideas/results.html", {
        "workshop": workshop,
        "results": [{**row, "author_role": row["author_role_label"]} for row in data["ideas"]],
        "by_tag": data["by_tag"],
        "by_role": [{**row, "role": row["role_label"]} for row in data["by_role"]],
        "total_votes": data["total_votes"],
        "participants_count": data["participants"],
        "can_export": request.user.has_perm("ideas.view_results_export", workshop),
        "action_plans": editable_plans_for(request.user, workshop),
        "tallies_visible": tallies_visible_to_participants(workshop),
    })


def editable_plans_for(user, workshop) -> list:
    """The plans of the workshop's offices this user may add items to (for the one-click button)."""
    if not user.is_authenticated:
        return []
    from plans.models import ActionPlan

    plans = ActionPlan.objects.filter(office__in=workshop.offices.all()).select_related("office").order_by("office__title", "-created")
    return [plan for plan in plans if user.has_perm("plans.change_plan", plan)]


def results_csv(request, code: str):
    try:
        workshop = workshop_or_404(request, code)
    except LookupsBlocked:
        return too_many_lookups(request)
    if not can_see_results(request.user, workshop):
        raise PermissionDenied
    return csv_response(exports.results_rows(workshop), f"atelier-{workshop.join_code}-results.csv")


@login_required
def results_xlsx(request, code: str):
    try:
        workshop = workshop_or_404(request, code)
    except LookupsBlocked:
        return too_many_lookups(request)
    if not request.user.has_perm("ideas.view_results_export", workshop):
        raise PermissionDenied
    return xlsx_response(exports.results_xlsx(workshop), f"atelier-{workshop.join_code}-results.xlsx")

"""Admin views Wagtail has no ready-made form for: a new version, several screens at once,
and the hotspot editor of a screen. Every one checks `prototypes.edit_prototype` first."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from wagtail.admin import messages

from . import services
from .forms import HotspotFormSet, ScreensUploadForm
from .models import Prototype, PrototypeVersion, Screen
from .selectors import screen_rendition


def _require_edit(request, prototype: Prototype) -> None:
    if not request.user.has_perm("prototypes.edit_prototype", prototype):
        raise PermissionDenied


def version_edit_url(version: PrototypeVersion) -> str:
    return reverse("prototypes_admin_version", args=[version.pk])


def workbench(request):
    """All prototypes the user may work on, with their versions."""
    prototypes = [
        p for p in Prototype.objects.select_related("service").prefetch_related("versions", "offices").order_by("title")
        if request.user.has_perm("prototypes.edit_prototype", p)
    ]
    return TemplateResponse(request, "prototypes/admin/workbench.html", {"prototypes": prototypes})


def version_detail(request, version_id: int):
    """One version: its screens with their hotspot counts, and what can be done with them."""
    version = get_object_or_404(PrototypeVersion.objects.select_related("prototype"), pk=version_id)
    _require_edit(request, version.prototype)
    screens = version.screens.order_by("sort_order", "pk").select_related("image").annotate(hotspot_count=Count("hotspots"))
    return TemplateResponse(request, "prototypes/admin/version_detail.html", {
        "version": version,
        "prototype": version.prototype,
        "screens": screens,
        "edit_url": reverse("prototype_versions:edit", args=[version.pk]),
        "play_url": reverse("prototypes_play_version", args=[version.prototype.slug, version.number]),
        "tasks": version.tasks.all(),
    })


@require_POST
def version_new(request, prototype_id: int):
    prototype = get_object_or_404(Prototype, pk=prototype_id)
    _require_edit(request, prototype)
    version = services.version_create(prototype=prototype, user=request.user)
    messages.success(request, _("Version %(n)d created as a copy of the previous one.") % {"n": version.number})
    return redirect(version_edit_url(version))


def screens_upload(request, version_id: int):
    version = get_object_or_404(PrototypeVersion.objects.select_related("prototype"), pk=version_id)
    _require_edit(request, version.prototype)
    form = ScreensUploadForm(request.POST, request.FILES) if request.method == "POST" else ScreensUploadForm()
    if request.method == "POST" and form.is_valid():
        files = sorted(form.cleaned_data["files"], key=lambda f: f.name)
        try:
            screens = services.screens_upload(version=version, files=files, user=request.user)
        except ValidationError as error:
            form.add_error("files", error)
        else:
            messages.success(request, _("%(n)d screens added.") % {"n": len(screens)})
            return redirect(version_edit_url(version))
    return TemplateResponse(
        request, "prototypes/admin/screens_upload.html",
        {"version": version, "form": form, "back_url": version_edit_url(version)},
        status=400 if form.is_bound and form.errors else 200,
    )


def hotspots_edit(request, screen_id: int):
    screen = get_object_or_404(Screen.objects.select_related("version__prototype", "image"), pk=screen_id)
    _require_edit(request, screen.version.prototype)
    formset = HotspotFormSet(request.POST if request.method == "POST" else None, screen=screen, prefix="hotspots")
    if request.method == "POST":
        if formset.is_valid():
            with transaction.atomic():
                formset.save()  # saves changed and new hotspots, deletes those ticked
            messages.success(request, _("Hotspots saved."))
            return redirect(reverse("prototypes_admin_hotspots", args=[screen.pk]))
        messages.error(request, _("The hotspots could not be saved; see the errors below."))
    rendition = screen_rendition(screen)
    siblings = list(screen.version.screens.order_by("sort_order", "pk"))
    return TemplateResponse(
        request, "prototypes/admin/hotspots_edit.html",
        {
            "screen": screen, "version": screen.version, "formset": formset, "rendition": rendition,
            "siblings": siblings, "back_url": version_edit_url(screen.version),
            "play_url": reverse("prototypes_play_screen", args=[screen.version.prototype.slug, screen.version.number, screen.pk]),
        },
        status=400 if formset.is_bound and not formset.is_valid() else 200,
    )

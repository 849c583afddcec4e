"""Prototypes and service maps in the Wagtail admin, and their section of the office page."""

from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import MenuItem
from wagtail.admin.panels import ObjectList
from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet

from workshop_site.core.sections import OFFICE_PAGE_SECTIONS, Section

from . import admin_views
from .forms import PrototypeForm, ServiceMapForm
from .models import Prototype, PrototypeVersion, ServiceMap
from .selectors import office_mapped_services, office_prototypes


class PrototypeViewSet(SnippetViewSet):
    model = Prototype
    icon = "mobile-alt"
    list_display = ["title", "service", "slug"]
    search_fields = ["title"]
    edit_handler = ObjectList(Prototype.panels, base_form_class=PrototypeForm)


class ServiceMapViewSet(SnippetViewSet):
    model = ServiceMap
    icon = "list-ol"
    list_display = ["title", "service", "kind"]
    list_filter = ["service", "kind"]
    edit_handler = ObjectList(ServiceMap.panels, base_form_class=ServiceMapForm)


class PrototypeVersionViewSet(ModelViewSet):
    """Details, screen order and publishing of one version (reached from the workbench)."""

    model = PrototypeVersion
    icon = "mobile-alt"
    add_to_admin_menu = False
    list_display = ["__str__", "published", "created"]
    list_filter = ["prototype", "published"]


register_snippet(PrototypeViewSet)
register_snippet(ServiceMapViewSet)


@hooks.register("register_admin_viewset")
def register_prototype_versions():
    return PrototypeVersionViewSet("prototype_versions")


@hooks.register("register_admin_urls")
def prototype_admin_urls():
    return [
        path("prototypes/workbench/", admin_views.workbench, name="prototypes_admin_workbench"),
        path("prototypes/<int:prototype_id>/new-version/", admin_views.version_new, name="prototypes_admin_version_new"),
        path("prototypes/versions/<int:version_id>/", admin_views.version_detail, name="prototypes_admin_version"),
        path("prototypes/versions/<int:version_id>/upload/", admin_views.screens_upload, name="prototypes_admin_screens_upload"),
        path("prototypes/screens/<int:screen_id>/hotspots/", admin_views.hotspots_edit, name="prototypes_admin_hotspots"),
    ]


class PrototypesMenuItem(MenuItem):
    def is_shown(self, request):
        return request.user.has_perm("prototypes.change_prototype")


@hooks.register("register_admin_menu_item")
def prototypes_menu_item():
    return PrototypesMenuItem(_("Prototypes"), reverse("prototypes_admin_workbench"), icon_name="mobile-alt", order=260)


@hooks.register(OFFICE_PAGE_SECTIONS, order=30)
def office_prototypes_section(request, page):
    """"Prototypes and service maps" of the office page: its published prototypes (every one
    for those who may edit the office) and the maps of their services."""
    drafts = request.user.has_perm("offices.change_office", page)
    return Section(
        "prototypes/includes/office_prototypes.html",
        {"prototypes": office_prototypes(page, drafts=drafts), "mapped_services": office_mapped_services(page)},
    )

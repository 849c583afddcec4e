from django.utils.functional import cached_property
from wagtail import hooks
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.chooser import (
    ChooseResultsView,
    ChooseView,
    SnippetChooserViewSet,
)
from wagtail.snippets.views.snippets import SnippetViewSet

from workshop_site.core.i18n import canonical_objects, localized_objects

from .models import OfficePage, Service
from .services import office_team_ensure


class OnePerFamily:
    """The service chooser lists each service once: the canonical one, which prototypes and
    maps point at (as `forms.services_one_per_family` accepts), named in the reader's language
    (no locale filter: a translation is no other service)."""

    i18n_enabled = False

    def get_object_list(self):
        return canonical_objects(Service.objects.all())

    def get_results_page(self, request):
        page = super().get_results_page(request)
        shown = list(page.object_list)
        self.names = {service.pk: found.name for service, found in zip(shown, localized_objects(shown), strict=True)}
        return page

    @cached_property
    def title_column(self):
        column = super().title_column
        column.accessor = lambda service: self.names.get(service.pk, service.name)
        return column


class ServiceChooserViewSet(SnippetChooserViewSet):
    choose_view_class = type("ServiceChooseView", (OnePerFamily, ChooseView), {})
    choose_results_view_class = type("ServiceChooseResultsView", (OnePerFamily, ChooseResultsView), {})


class ServiceViewSet(SnippetViewSet):
    model = Service
    chooser_viewset_class = ServiceChooserViewSet
    icon = "clipboard-list"
    menu_order = 200
    add_to_admin_menu = True
    list_display = ["name", "institution", "slug"]
    search_fields = ["name", "institution"]


register_snippet(ServiceViewSet)


@hooks.register("after_create_page")
def give_new_office_its_team(request, page):
    if isinstance(page.specific, OfficePage):
        office_team_ensure(office=page.specific)


@hooks.register("after_copy_page")
def give_copied_office_its_own_team(request, page, new_page):
    new_office = new_page.specific
    if isinstance(new_office, OfficePage):
        office_team_ensure(office=new_office)

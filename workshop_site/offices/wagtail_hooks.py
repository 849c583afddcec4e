from wagtail import hooks
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet

from .models import OfficePage, Service
from .services import office_team_ensure


class ServiceViewSet(SnippetViewSet):
    model = Service
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

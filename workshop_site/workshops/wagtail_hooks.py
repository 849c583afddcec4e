from django.utils.translation import gettext_lazy as _
from wagtail import hooks

from workshop_site.core.i18n import canonical_pages, localized
from workshop_site.core.sections import OFFICE_PAGE_SECTIONS, Section

from .admin_links import NewWorkshopMenuItem
from .models import WorkshopPage


@hooks.register(OFFICE_PAGE_SECTIONS, order=40)
def office_workshops(request, page):
    """The office page's "Workshops with this office". Workshops point at the office's
    canonical page; a translation shows the same ones."""
    workshops = WorkshopPage.objects.live().filter(offices__translation_key=page.translation_key)
    return Section(
        "workshops/includes/office_workshops.html",
        {"workshops": localized(canonical_pages(workshops).distinct().order_by("-starts_at"))},
    )


@hooks.register("register_admin_menu_item")
def new_workshop_menu_item():
    # Right under the dashboard: a facilitator's first step.
    return NewWorkshopMenuItem(_("New workshop"), "", name="new-workshop", icon_name="plus", order=5)

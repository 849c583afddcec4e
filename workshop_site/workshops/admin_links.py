"""Where a facilitator starts a new workshop: Wagtail's create form for a workshop page, under
the workshop index the public lists read (the canonical one: a workshop under the Russian
index would be listed nowhere, see `WorkshopIndexPage.get_context`). It is the default
language's index whatever the admin's language; a translation is made from there."""

from django.urls import reverse
from wagtail.admin.menu import MenuItem
from wagtail.admin.ui.sidebar import LinkMenuItem

from workshop_site.core.i18n import canonical_pages

from .models import WorkshopIndexPage, WorkshopPage


def new_workshop_url(request) -> str | None:
    """The add form of a workshop page, or None when this user may not add one there. Kept
    on the request: the menu and the dashboard both ask."""
    if not hasattr(request, "_atelier_new_workshop_url"):
        request._atelier_new_workshop_url = _new_workshop_url(request.user)
    return request._atelier_new_workshop_url


def _new_workshop_url(user) -> str | None:
    index = canonical_pages(WorkshopIndexPage.objects.all()).order_by("path").first()
    if index is None or not index.permissions_for_user(user).can_add_subpage():
        return None
    model = WorkshopPage._meta
    return reverse("wagtailadmin_pages:add", args=(model.app_label, model.model_name, index.pk))


class NewWorkshopMenuItem(MenuItem):
    """"New workshop" in the admin's menu, for whoever may add one. Menu items are shared
    between requests, so the link is worked out for each."""

    def is_shown(self, request):
        return new_workshop_url(request) is not None

    def render_component(self, request):
        return LinkMenuItem(self.name, self.label, new_workshop_url(request), icon_name=self.icon_name,
                            classname=self.classname, attrs=self.attrs)

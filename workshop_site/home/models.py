from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel
from wagtail.fields import RichTextField

from workshop_site.core.models import BasePage


class HomePage(BasePage):
    """The site's front page: what Atelier is, the workshops happening now, upcoming and past, the offices."""

    body = RichTextField(_("body"), blank=True, features=["bold", "italic", "link", "ol", "ul", "h2", "h3"])

    parent_page_types = ["wagtailcore.Page"]
    subpage_types = ["offices.OfficeIndexPage", "workshops.WorkshopIndexPage"]
    max_count = 1

    content_panels = BasePage.content_panels + [FieldPanel("introduction"), FieldPanel("body")]

    class Meta:
        verbose_name = _("home page")

    def get_admin_display_title(self):
        """The admin's page tree has a home per language, all titled "Atelier": each says its
        language ("Atelier (Русский)")."""
        return f"{super().get_admin_display_title()} ({self.locale.get_display_name()})"

    def get_context(self, request, *args, **kwargs):
        from workshop_site.core.i18n import canonical, canonical_pages, localized
        from workshop_site.offices.models import OfficePage
        from workshop_site.workshops.models import WorkshopPage, workshops_by_time

        context = super().get_context(request, *args, **kwargs)
        # Every office and workshop once, in the reader's language where it is translated.
        home = canonical(self)
        workshops = canonical_pages(WorkshopPage.objects.descendant_of(home).live())
        context.update(workshops_by_time(localized(workshops)))
        offices = canonical_pages(OfficePage.objects.descendant_of(home).live()).order_by("title")
        context["offices"] = localized(offices)
        return context

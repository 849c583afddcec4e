from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel
from wagtail.fields import RichTextField

from workshop_site.core.models import BasePage


class HomePage(BasePage):
    """The site's front page: what Atelier is, upcoming and past workshops, the offices."""

    body = RichTextField(_("body"), blank=True, features=["bold", "italic", "link", "ol", "ul", "h2", "h3"])

    parent_page_types = ["wagtailcore.Page"]
    subpage_types = ["offices.OfficeIndexPage", "workshops.WorkshopIndexPage"]
    max_count = 1

    content_panels = BasePage.content_panels + [FieldPanel("introduction"), FieldPanel("body")]

    class Meta:
        verbose_name = _("home page")

    def get_context(self, request, *args, **kwargs):
        from workshop_site.offices.models import OfficePage
        from workshop_site.workshops.models import WorkshopPage, split_upcoming_and_past

        context = super().get_context(request, *args, **kwargs)
        workshops = WorkshopPage.objects.descendant_of(self).live()
        context.update(split_upcoming_and_past(workshops))
        context["offices"] = OfficePage.objects.descendant_of(self).live().order_by("title")
        return context

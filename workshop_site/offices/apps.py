from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OfficesConfig(AppConfig):
    name = "workshop_site.offices"
    label = "offices"
    verbose_name = _("Offices")

    def ready(self):
        from wagtail.signals import copy_for_translation_done

        copy_for_translation_done.connect(_office_translated, dispatch_uid="offices.translation_link")


def _office_translated(sender, source_obj, target_obj, **kwargs):
    from .models import OfficePage
    from .services import office_translation_link

    # Snippets (services, maps) send it too, and have no `specific`.
    if isinstance(getattr(source_obj, "specific", None), OfficePage):
        office_translation_link(source=source_obj.specific, translation=target_obj.specific)

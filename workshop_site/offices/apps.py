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

    if isinstance(source_obj.specific, OfficePage):
        office_translation_link(source=source_obj.specific, translation=target_obj.specific)

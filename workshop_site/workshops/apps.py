from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WorkshopsConfig(AppConfig):
    name = "workshop_site.workshops"
    label = "workshops"
    verbose_name = _("Workshops")

    def ready(self):
        from wagtail.signals import copy_for_translation_done

        copy_for_translation_done.connect(_workshop_translated, dispatch_uid="workshops.translation_link")


def _workshop_translated(sender, source_obj, target_obj, **kwargs):
    from .models import WorkshopPage

    if isinstance(getattr(source_obj, "specific", None), WorkshopPage):  # snippets have no `specific`
        target_obj.specific.translation_share_room(source_obj.specific)

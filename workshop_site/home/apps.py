from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class HomeConfig(AppConfig):
    name = "workshop_site.home"
    label = "home"
    verbose_name = _("Home")

    def ready(self):
        from wagtail.signals import copy_for_translation_done

        copy_for_translation_done.connect(_home_translated, dispatch_uid="home.facilitators_follow")


def _home_translated(sender, source_obj, target_obj, **kwargs):
    """Facilitators edit the whole tree, in every language: their page rights follow the home
    page into its translation."""
    from workshop_site.core.roles import facilitators_group_ensure

    from .models import HomePage

    if isinstance(getattr(source_obj, "specific", None), HomePage):  # snippets have no `specific`
        facilitators_group_ensure(root_page=target_obj)

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PrototypesConfig(AppConfig):
    """Clickable prototypes (versions, screens, hotspots, play mode) and service maps."""

    name = "prototypes"
    verbose_name = _("Prototypes")

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CompositionConfig(AppConfig):
    """The part of the composition root that must know every app: the demo loader's order
    (`seed_demo`) and moving a workshop with everything hanging off it (`export_workshop`,
    `import_workshop`). No models; nothing below imports it."""

    name = "workshop_site.composition"
    label = "composition"
    verbose_name = _("Atelier composition")

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PlansConfig(AppConfig):
    """Action plans per office and their items, traceable to the ideas behind them."""

    name = "plans"
    verbose_name = _("Action plans")

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IdeasConfig(AppConfig):
    """Participants, ideas, dot votes, the live workshop consumer and its results."""

    name = "ideas"
    verbose_name = _("Ideas and votes")

    def ready(self):
        from . import kinds  # noqa: F401  (registers the kinds of activity)

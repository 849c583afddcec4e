from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FeedbackConfig(AppConfig):
    """Citizen feedback pinned on prototype screens, ratings and test tasks."""

    name = "feedback"
    verbose_name = _("Feedback")

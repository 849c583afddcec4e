"""Citizen feedback pinned on a prototype screen: a point, a text, an optional rating.

Anonymous authors are remembered by their session (`ideas.sessions`-style), so they can see
and edit their own pins. Facilitators and the offices' teams triage it: a status, a public
reply, and "make an action item", which links a plan item back to it.
"""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from workshop_site.core.models import UserGeneratedContentModel


class FeedbackRole(models.TextChoices):
    CITIZEN = "citizen", _("citizen")
    PROVIDER = "provider", _("service provider")
    OFFICE_STAFF = "office_staff", _("office staff")


class FeedbackStatus(models.TextChoices):
    NEW = "new", _("new")
    PLANNED = "planned", _("planned")
    DONE = "done", _("done")
    DECLINED = "declined", _("declined")


class Feedback(UserGeneratedContentModel):
    MAX_LENGTH = 1000

    version = models.ForeignKey(
        "prototypes.PrototypeVersion", verbose_name=_("version"), on_delete=models.CASCADE, related_name="feedback"
    )
    screen = models.ForeignKey("prototypes.Screen", verbose_name=_("screen"), on_delete=models.CASCADE, related_name="feedback")
    x = models.FloatField(_("x (fraction of the width)"))
    y = models.FloatField(_("y (fraction of the height)"))
    text = models.TextField(_("text"), max_length=MAX_LENGTH)
    rating = models.PositiveSmallIntegerField(
        _("rating"), null=True, blank=True, validators=[MinValueValidator(1), MaxValueValidator(5)]
    )
    author_role = models.CharField(_("who gave it"), max_length=20, choices=FeedbackRole.choices, blank=True)
    session_key = models.CharField(max_length=64, blank=True, editable=False, db_index=True)
    status = models.CharField(_("status"), max_length=10, choices=FeedbackStatus.choices, default=FeedbackStatus.NEW)
    reply = models.TextField(_("public reply"), blank=True, max_length=2000)
    replied_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("replied by"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    replied_at = models.DateTimeField(_("replied at"), null=True, blank=True)

    class Meta:
        verbose_name = _("feedback")
        verbose_name_plural = _("feedback")
        ordering = ["-created", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(x__gte=0) & Q(x__lte=1) & Q(y__gte=0) & Q(y__lte=1), name="feedback_pin_on_the_screen",
                violation_error_message=_("The pin must be on the screen (x and y from 0 to 1)."),
            ),
            models.CheckConstraint(
                condition=Q(rating__isnull=True) | (Q(rating__gte=1) & Q(rating__lte=5)), name="feedback_rating_1_5",
                violation_error_message=_("A rating is from 1 to 5."),
            ),
        ]

    def __str__(self):
        return self.text[:60]

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

from workshop_site.core.models import TimeStampedModel, UserGeneratedContentModel


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


class TestTask(TimeStampedModel):
    """A task testers take on a version, as in Maze: an instruction, where it starts, which
    screens count as done, and (optionally) the path the team expects."""

    __test__ = False  # not a pytest test class, whatever its name

    version = models.ForeignKey(
        "prototypes.PrototypeVersion", verbose_name=_("version"), on_delete=models.CASCADE, related_name="tasks"
    )
    instruction = models.CharField(_("instruction"), max_length=300)
    start_screen = models.ForeignKey(
        "prototypes.Screen", verbose_name=_("start screen"), on_delete=models.CASCADE, related_name="+"
    )
    goal_screens = models.ManyToManyField("prototypes.Screen", verbose_name=_("goal screens"), related_name="+")
    expected_path = models.JSONField(
        _("expected path"), default=list, blank=True,
        help_text=_("Screen ids in the order the team expects, start and goal included (optional)."),
    )
    active = models.BooleanField(_("open for testers"), default=True)

    class Meta:
        verbose_name = _("test task")
        verbose_name_plural = _("test tasks")
        ordering = ["version", "pk"]

    def __str__(self):
        return self.instruction


class RunOutcome(models.TextChoices):
    RUNNING = "running", _("running")
    COMPLETED = "completed", _("reached the goal")
    GAVE_UP = "gave_up", _("gave up")
    RESTARTED = "restarted", _("restarted")


class TaskRun(models.Model):
    """One tester's attempt at a task; every tap is stored as it happens, so a closed page
    loses nothing."""

    task = models.ForeignKey(TestTask, verbose_name=_("task"), on_delete=models.CASCADE, related_name="runs")
    session_key = models.CharField(max_length=64, blank=True, editable=False, db_index=True)
    started_at = models.DateTimeField(_("started"), auto_now_add=True)
    ended_at = models.DateTimeField(_("ended"), null=True, blank=True)
    outcome = models.CharField(_("outcome"), max_length=10, choices=RunOutcome.choices, default=RunOutcome.RUNNING)
    current_screen = models.ForeignKey(
        "prototypes.Screen", verbose_name=_("on screen"), null=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("task run")
        verbose_name_plural = _("task runs")
        ordering = ["task", "started_at", "pk"]

    def __str__(self):
        return f"{self.task} #{self.pk}"


class Tap(models.Model):
    """A tap during a run: where (fractions of the screen), whether it hit a hotspot, when."""

    run = models.ForeignKey(TaskRun, verbose_name=_("run"), on_delete=models.CASCADE, related_name="taps")
    screen = models.ForeignKey("prototypes.Screen", verbose_name=_("screen"), on_delete=models.CASCADE, related_name="+")
    x = models.FloatField(_("x"))
    y = models.FloatField(_("y"))
    hit = models.BooleanField(_("hit a hotspot"), default=False)
    led_to = models.ForeignKey(
        "prototypes.Screen", verbose_name=_("led to"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    ms_since_start = models.PositiveIntegerField(_("milliseconds since the start"))
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("tap")
        verbose_name_plural = _("taps")
        ordering = ["run", "ms_since_start", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(x__gte=0) & Q(x__lte=1) & Q(y__gte=0) & Q(y__lte=1), name="tap_on_the_screen"),
        ]

    def __str__(self):
        return f"{self.run}: {self.x:.2f}, {self.y:.2f}"

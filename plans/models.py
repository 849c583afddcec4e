"""Action plans per office and their items, with milestones and a full history.

An item never loses a change: every edit goes through `plans.services.item_update`, which
records an `ItemUpdate` (who, when, what changed, a note) and bumps `revision`, so two people
editing the same item cannot silently overwrite each other.
"""

import datetime as dt

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from workshop_site.core.models import TimeStampedModel


class ActionPlan(TimeStampedModel):
    """An office's plan for one workshop cycle. Internal plans are seen by the office's team
    and facilitators only."""

    office = models.ForeignKey(
        "offices.OfficePage", verbose_name=_("office"), on_delete=models.CASCADE, related_name="action_plans"
    )
    workshop = models.ForeignKey(
        "workshops.WorkshopPage", verbose_name=_("workshop it came from"), null=True, blank=True,
        on_delete=models.SET_NULL, related_name="action_plans",
    )
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    published = models.BooleanField(_("published"), default=False, help_text=_("Published plans are public."))

    class Meta:
        verbose_name = _("action plan")
        verbose_name_plural = _("action plans")
        ordering = ["office", "-created"]

    def __str__(self):
        return f"{self.office}: {self.title}"


class ItemStatus(models.TextChoices):
    # In a context of their own: a language with genders makes them agree with "action item"
    # (Romanian "acțiune": finalizată), where feedback's "done" agrees with "feedback".
    NOT_STARTED = "not_started", pgettext_lazy("action item status", "not started")
    IN_PROGRESS = "in_progress", pgettext_lazy("action item status", "in progress")
    BLOCKED = "blocked", pgettext_lazy("action item status", "blocked")
    DONE = "done", pgettext_lazy("action item status", "done")
    DROPPED = "dropped", pgettext_lazy("action item status", "dropped")


class Priority(models.TextChoices):
    LOW = "low", _("low")
    NORMAL = "normal", _("normal")
    HIGH = "high", _("high")


CLOSED_STATUSES = {ItemStatus.DONE, ItemStatus.DROPPED}


class ActionItem(TimeStampedModel):
    """One thing the office will do: who, by when, how far along, and where it came from."""

    plan = models.ForeignKey(ActionPlan, verbose_name=_("plan"), on_delete=models.CASCADE, related_name="items")
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    owner_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("owner (team member)"), null=True, blank=True,
        on_delete=models.SET_NULL, related_name="action_items",
    )
    owner_name = models.CharField(_("owner (name)"), max_length=120, blank=True)
    owner_institution = models.CharField(_("owner's institution"), max_length=200, blank=True)
    start = models.DateField(_("start"), null=True, blank=True)
    due = models.DateField(_("due"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=20, choices=ItemStatus.choices, default=ItemStatus.NOT_STARTED)
    progress = models.PositiveSmallIntegerField(
        _("progress (%)"), default=0, validators=[MinValueValidator(0), MaxValueValidator(100)]
    )
    priority = models.CharField(_("priority"), max_length=10, choices=Priority.choices, default=Priority.NORMAL)
    weight = models.PositiveSmallIntegerField(
        _("weight"), default=1, validators=[MinValueValidator(1), MaxValueValidator(100)],
        help_text=_("How big the item is, relative to the others (for the plan's progress)."),
    )
    sort_order = models.PositiveIntegerField(_("order"), default=0)
    revision = models.PositiveIntegerField(_("revision"), default=1, editable=False)
    ideas = models.ManyToManyField("ideas.Idea", verbose_name=_("ideas it came from"), blank=True, related_name="action_items")
    prototype_versions = models.ManyToManyField(
        "prototypes.PrototypeVersion", verbose_name=_("prototype versions it came from"), blank=True, related_name="action_items"
    )
    feedback = models.ManyToManyField(
        "feedback.Feedback", verbose_name=_("feedback it came from"), blank=True, related_name="action_items"
    )

    class Meta:
        verbose_name = _("action item")
        verbose_name_plural = _("action items")
        ordering = ["plan", "sort_order", "due", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(progress__gte=0) & Q(progress__lte=100), name="item_progress_0_100"),
            models.CheckConstraint(condition=Q(weight__gte=1), name="item_weight_positive"),
            models.CheckConstraint(
                condition=Q(start__isnull=True) | Q(due__isnull=True) | Q(due__gte=models.F("start")),
                name="item_due_not_before_start",
            ),
        ]

    def __str__(self):
        return self.title

    @property
    def owner_display(self) -> str:
        if self.owner_user_id:
            return str(self.owner_user)
        return ", ".join(part for part in (self.owner_name, self.owner_institution) if part)

    def is_overdue(self, today: dt.date | None = None) -> bool:
        today = today or timezone.localdate()
        return self.due is not None and self.due < today and self.status not in CLOSED_STATUSES


class Milestone(models.Model):
    """A step inside an item; when an item has milestones its progress is the share done."""

    item = models.ForeignKey(ActionItem, verbose_name=_("item"), on_delete=models.CASCADE, related_name="milestones")
    title = models.CharField(_("title"), max_length=200)
    due = models.DateField(_("due"), null=True, blank=True)
    done = models.BooleanField(_("done"), default=False)
    sort_order = models.PositiveIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("milestone")
        verbose_name_plural = _("milestones")
        ordering = ["item", "sort_order", "pk"]

    def __str__(self):
        return self.title


class ItemUpdate(models.Model):
    """One change of an item: who, when, what (field → [before, after]) and why."""

    item = models.ForeignKey(ActionItem, verbose_name=_("item"), on_delete=models.CASCADE, related_name="updates")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("by"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created = models.DateTimeField(_("when"), auto_now_add=True)
    changes = models.JSONField(_("changes"), default=dict, blank=True)
    note = models.TextField(_("note"), blank=True, max_length=2000)

    class Meta:
        verbose_name = _("item update")
        verbose_name_plural = _("item updates")
        ordering = ["item", "-created", "-pk"]

    def __str__(self):
        return f"{self.item} @ {self.created:%Y-%m-%d}"


class ReminderSent(models.Model):
    """So `remind_due_items` e-mails an owner at most once per item and day."""

    item = models.ForeignKey(ActionItem, verbose_name=_("item"), on_delete=models.CASCADE, related_name="reminders")
    day = models.DateField(_("day"))

    class Meta:
        verbose_name = _("reminder sent")
        verbose_name_plural = _("reminders sent")
        ordering = ["-day"]
        constraints = [models.UniqueConstraint(fields=["item", "day"], name="one_reminder_per_item_and_day")]

    def __str__(self):
        return f"{self.item} @ {self.day}"

"""Participants, their ideas and dot votes in a live workshop.

Every dot is one `Vote` row, so tallies are a COUNT and can always be recomputed from the
database (the source of truth). A participant's remaining dots live in `Participant.dots_left`,
guarded by a CHECK constraint: spending a dot is one conditional UPDATE, so two tabs or three
sockets firing at once can never spend more than the budget (see services.vote_cast).
"""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from taggit.managers import TaggableManager
from taggit.models import TaggedItemBase

from workshop_site.core.models import TimeStampedModel, UserGeneratedContentModel


class ParticipantRole(models.TextChoices):
    CITIZEN = "citizen", _("citizen")
    PROVIDER = "provider", _("service provider")
    OFFICE_STAFF = "office_staff", _("office staff")
    OTHER = "other", _("other")


class Participant(TimeStampedModel):
    """Someone in the room, with no account: a name, a role and a dot budget.

    Kept in the Django session of their browser (see `ideas.sessions`), so a reload, a
    second tab or a dropped connection is the same person. A logged-in staff user who joins
    is linked through `user`.
    """

    # Wagtail's reference index ("usage") would record every participant and idea as a use of
    # its workshop page: thousands of rows of noise per workshop, written on every join and
    # post (a third of a join's database work in bench/). What an editor needs to see used
    # (plans, prototypes, images) is indexed as before.
    wagtail_reference_index_ignore = True

    workshop = models.ForeignKey(
        "workshops.WorkshopPage", verbose_name=_("workshop"), on_delete=models.CASCADE, related_name="participants"
    )
    display_name = models.CharField(_("name"), max_length=60)
    role = models.CharField(_("role"), max_length=20, choices=ParticipantRole.choices)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("user"), null=True, blank=True,
        on_delete=models.SET_NULL, related_name="participations",
    )
    dots_left = models.PositiveSmallIntegerField(_("dots left"))
    content_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    # Someone without a phone, added by a helper who then posts and votes on their behalf.
    is_proxy = models.BooleanField(_("entered by a helper"), default=False)
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("entered by"), null=True, blank=True,
        on_delete=models.SET_NULL, related_name="+",
    )

    class Meta:
        verbose_name = _("participant")
        verbose_name_plural = _("participants")
        ordering = ["workshop", "created"]
        constraints = [
            models.CheckConstraint(condition=Q(dots_left__gte=0), name="participant_dots_left_not_negative"),
        ]

    def __str__(self):
        return f"{self.display_name} ({self.get_role_display()})"


class TaggedIdea(TaggedItemBase):
    content_object = models.ForeignKey("ideas.Idea", on_delete=models.CASCADE, related_name="tagged_items")


class Idea(UserGeneratedContentModel):
    """An idea posted in a workshop. Facilitators may hide it (moderation, with who and when)
    or merge it into another (its votes follow the kept idea, and it stays as a hidden trace)."""

    MAX_LENGTH = 500
    wagtail_reference_index_ignore = True  # see Participant

    workshop = models.ForeignKey(
        "workshops.WorkshopPage", verbose_name=_("workshop"), on_delete=models.CASCADE, related_name="ideas"
    )
    participant = models.ForeignKey(
        Participant, verbose_name=_("author"), null=True, blank=True, on_delete=models.SET_NULL, related_name="ideas"
    )
    author_role = models.CharField(_("author's role"), max_length=20, choices=ParticipantRole.choices, blank=True)
    text = models.TextField(_("text"), max_length=MAX_LENGTH)
    tags = TaggableManager(through=TaggedIdea, blank=True, verbose_name=_("tags"))
    hidden = models.BooleanField(_("hidden"), default=False)
    hidden_at = models.DateTimeField(_("hidden at"), null=True, blank=True)
    hidden_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("hidden by"), null=True, blank=True,
        on_delete=models.SET_NULL, related_name="+",
    )
    merged_into = models.ForeignKey(
        "self", verbose_name=_("merged into"), null=True, blank=True, on_delete=models.SET_NULL, related_name="merged"
    )
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("entered by a helper"), null=True, blank=True,
        on_delete=models.SET_NULL, related_name="+",
    )

    class Meta:
        verbose_name = _("idea")
        verbose_name_plural = _("ideas")
        ordering = ["workshop", "created", "pk"]
        indexes = [models.Index(fields=["workshop", "hidden"])]

    def __str__(self):
        return self.text[:60]


class VoteChannel(models.TextChoices):
    PHONE = "phone", _("phone")
    PROXY = "proxy", _("entered by a helper")


class Vote(models.Model):
    """One dot, placed by a participant on an idea. Retracting a dot deletes one row."""

    participant = models.ForeignKey(Participant, on_delete=models.CASCADE, related_name="votes")
    idea = models.ForeignKey(Idea, on_delete=models.CASCADE, related_name="votes")
    channel = models.CharField(_("channel"), max_length=10, choices=VoteChannel.choices, default=VoteChannel.PHONE)
    created = models.DateTimeField(_("cast at"), auto_now_add=True)
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("entered by a helper"), null=True, blank=True,
        on_delete=models.SET_NULL, related_name="+",
    )

    class Meta:
        verbose_name = _("vote")
        verbose_name_plural = _("votes")
        ordering = ["created", "pk"]
        indexes = [models.Index(fields=["participant", "idea"])]

    def __str__(self):
        return f"{self.participant} → {self.idea}"


class WorkshopHelper(models.Model):
    """A staff user a facilitator trusted, for one workshop, to enter paper participation:
    people without a phone (their ideas and dots) and the tally sheets of sticker voting.
    Asked through the rule `ideas.assist_workshop`."""

    workshop = models.ForeignKey(
        "workshops.WorkshopPage", verbose_name=_("workshop"), on_delete=models.CASCADE, related_name="helpers"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("helper"), on_delete=models.CASCADE, related_name="workshops_helped"
    )
    granted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("granted by"), null=True, blank=True,
        on_delete=models.SET_NULL, related_name="+",
    )
    created = models.DateTimeField(_("granted at"), auto_now_add=True)

    class Meta:
        verbose_name = _("workshop helper")
        verbose_name_plural = _("workshop helpers")
        ordering = ["workshop", "created", "pk"]
        constraints = [models.UniqueConstraint(fields=["workshop", "user"], name="workshop_helper_once")]

    def __str__(self):
        return f"{self.user} @ {self.workshop}"


class TallySheet(models.Model):
    """The counted sticker dots of one paper round (one poster), typed in after the vote.

    A sheet is submitted once per round; a correction is a new sheet that `corrects` the
    current one, which stays visible but no longer counts (`current` is False). Two partial
    unique constraints make the database the referee of double submissions.
    """

    MAX_VOTERS = 2000
    MAX_ROUND = 20

    workshop = models.ForeignKey(
        "workshops.WorkshopPage", verbose_name=_("workshop"), on_delete=models.CASCADE, related_name="tally_sheets"
    )
    round = models.PositiveSmallIntegerField(_("round"), default=1)
    voters = models.PositiveIntegerField(
        _("people who voted on paper"), help_text=_("Limits the dots a sheet can hold: people × dots each.")
    )
    corrects = models.ForeignKey(
        "self", verbose_name=_("corrects"), null=True, blank=True, on_delete=models.CASCADE, related_name="corrections"
    )
    note = models.CharField(_("note"), max_length=300, blank=True)
    current = models.BooleanField(_("counts"), default=True)
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("entered by"), null=True, blank=True,
        on_delete=models.SET_NULL, related_name="+",
    )
    created = models.DateTimeField(_("entered at"), auto_now_add=True)

    class Meta:
        verbose_name = _("paper tally sheet")
        verbose_name_plural = _("paper tally sheets")
        ordering = ["workshop", "round", "created", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["workshop", "round"], condition=Q(corrects__isnull=True), name="tally_sheet_submitted_once"
            ),
            models.UniqueConstraint(
                fields=["workshop", "round"], condition=Q(current=True), name="tally_sheet_one_current_per_round"
            ),
        ]

    def __str__(self):
        return f"{self.workshop} · {self.round}"

    @property
    def total(self) -> int:
        return sum(line.dots for line in self.lines.all())


class TallyLine(models.Model):
    """The paper dots one idea got on one tally sheet."""

    sheet = models.ForeignKey(TallySheet, verbose_name=_("tally sheet"), on_delete=models.CASCADE, related_name="lines")
    idea = models.ForeignKey(Idea, verbose_name=_("idea"), on_delete=models.CASCADE, related_name="paper_lines")
    dots = models.PositiveIntegerField(_("paper dots"))

    class Meta:
        verbose_name = _("tally line")
        verbose_name_plural = _("tally lines")
        ordering = ["sheet", "idea"]
        constraints = [models.UniqueConstraint(fields=["sheet", "idea"], name="tally_line_once_per_idea")]

    def __str__(self):
        return f"{self.idea}: {self.dots}"


class MessageReceipt(models.Model):
    """What the room answered to one participant's write, kept under the client's `ref`.

    Written in the same transaction as the write itself (see services.write_once), so a retry
    of the same message after a dropped connection is answered from here instead of being
    applied twice, and a receipt exists exactly when the write was stored.
    """

    participant = models.ForeignKey(Participant, on_delete=models.CASCADE, related_name="receipts")
    ref = models.CharField(_("ref"), max_length=64)
    # sha256 of the message without its ref: the same ref on another message is refused.
    fingerprint = models.CharField(_("fingerprint"), max_length=64)
    answer = models.JSONField(_("answer"))
    created = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("message receipt")
        verbose_name_plural = _("message receipts")
        ordering = ["created", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["participant", "ref"], name="receipt_one_per_participant_ref"),
        ]

    def __str__(self):
        return f"{self.participant_id}:{self.ref}"

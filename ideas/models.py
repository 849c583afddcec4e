"""Participants, their ideas and dot votes in a live workshop.

Every dot is one `Vote` row, so tallies are a COUNT and can always be recomputed from the
database (the source of truth). A participant's remaining dots live in `Participant.dots_left`,
guarded by a CHECK constraint: spending a dot is one conditional UPDATE, so two tabs or three
sockets firing at once can never spend more than the budget (see services.vote_cast).
"""

import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from modelcluster.fields import ParentalKey
from modelcluster.models import ClusterableModel
from taggit.managers import TaggableManager
from taggit.models import TaggedItemBase
from wagtail.models import Orderable

from workshop_site.core.i18n import canonical
from workshop_site.core.models import TimeStampedModel, UserGeneratedContentModel
from workshop_site.workshops.models import Phase


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
    # Null: at no table (joined without choosing one, or the workshop has none).
    table = models.ForeignKey(
        "ideas.Table", verbose_name=_("table"), null=True, blank=True, on_delete=models.SET_NULL,
        related_name="participants",
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


class Table(models.Model):
    """A table of the room: by default one per office the workshop serves (see
    `services.tables_for_offices`), or one a facilitator added ("district administration").

    A participant sits at one (or at none: any client that predates tables). A brainstorm run
    by table (`Activity.by_table`) shows each table's phones only that table's ideas while it
    collects and votes (`rules.idea_audience`); the wall, observers and facilitators see every
    table, and tallies and results always cover the whole room."""

    MAX_NAME = 80

    wagtail_reference_index_ignore = True  # see Participant

    workshop = models.ForeignKey(
        "workshops.WorkshopPage", verbose_name=_("workshop"), on_delete=models.CASCADE, related_name="tables"
    )
    name = models.CharField(_("name"), max_length=MAX_NAME)
    # What a join request (`table`) and the snapshot (`me.table`, `tables`) name it by.
    slug = models.SlugField(_("slug"), max_length=MAX_NAME, allow_unicode=False)
    office = models.ForeignKey(
        "offices.OfficePage", verbose_name=_("office"), null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+", help_text=_("The office whose action plan this table's ideas may go to."),
    )
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        verbose_name = _("table")
        verbose_name_plural = _("tables")
        ordering = ["workshop", "position", "pk"]
        constraints = [models.UniqueConstraint(fields=["workshop", "slug"], name="table_slug_once_per_workshop")]

    def __str__(self):
        return self.name


class PrivateWriting(models.TextChoices):
    """While a brainstorm collects ideas, who sees an idea besides its author (MURAL's private
    mode): everyone (off), the author's table, or the author alone. Voting reveals them."""

    OFF = "", _("off: everyone sees every idea")
    TABLE = "table", _("each table sees its own ideas")
    OWN = "own", _("each person sees only their own ideas")


class ActivityKind(models.TextChoices):
    """The kinds of activity a run of show is made of (each one a module of `ideas.kinds`)."""

    BRAINSTORM = "brainstorm", _("brainstorm")
    POLL = "poll", _("poll")
    SCALE = "scale", _("scale")
    WORDS = "words", _("word cloud")


class Activity(ClusterableModel):
    """One step of a workshop's run of show: a brainstorm, a poll, a scale or a word cloud.

    The room is always on one activity (`is_current`, at most one per workshop). The current
    activity's phase is the workshop's `phase` (the room's, which every client has always
    read and set); `phase` here holds an activity's phase while the room is elsewhere, and is
    kept equal to the room's while it is current (services.activity_set, phase_set).

    A foreign key, not a ParentalKey of the page: the live phase must not travel in page
    revisions. A brainstorm has its own dots per person (a `DotBudget` each), cap per idea and
    blind mode; a workshop without any brainstorm is a board, with the page's (as before runs
    of show).
    """

    MAX_TITLE = 200
    MAX_DOTS = 20

    wagtail_reference_index_ignore = True  # see Participant

    workshop = models.ForeignKey(
        "workshops.WorkshopPage", verbose_name=_("workshop"), on_delete=models.CASCADE, related_name="activities"
    )
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    kind = models.CharField(_("kind"), max_length=20, choices=ActivityKind.choices)
    title = models.CharField(_("title"), max_length=MAX_TITLE)
    prompt = models.TextField(_("prompt"), blank=True, max_length=1000,
                              help_text=_("A sentence under the title, e.g. what to think about."))
    phase = models.CharField(_("phase"), max_length=10, choices=Phase.choices, default=Phase.DRAFT, editable=False)
    is_current = models.BooleanField(_("current"), default=False, editable=False)
    blind = models.BooleanField(
        _("hide results until revealed"), default=False,
        help_text=_("Phones and the screen see the answers only once the results are shown."),
    )
    dots_per_participant = models.PositiveSmallIntegerField(
        _("dots per person"), default=3, validators=[MinValueValidator(1), MaxValueValidator(MAX_DOTS)],
        help_text=_("Brainstorm: how many dots each person places on this brainstorm's ideas."),
    )
    max_dots_per_idea = models.PositiveSmallIntegerField(
        _("most dots on one idea"), null=True, blank=True, validators=[MinValueValidator(1), MaxValueValidator(MAX_DOTS)],
        help_text=_("Brainstorm: leave empty to let a person put all their dots on one idea."),
    )
    by_table = models.BooleanField(
        _("run by table"), default=False,
        help_text=_("Brainstorm: while it collects ideas and votes, each table sees and votes on its own ideas; "
                    "everyone sees all of them at the results."),
    )
    private = models.CharField(
        _("private writing"), max_length=10, blank=True, default=PrivateWriting.OFF, choices=PrivateWriting.choices,
        help_text=_("Brainstorm: while it collects ideas, who sees an idea besides its author and the "
                    "facilitators. Opening the vote reveals them all."),
    )
    max_choices = models.PositiveSmallIntegerField(
        _("choices per person"), default=1, validators=[MinValueValidator(1), MaxValueValidator(10)],
        help_text=_("Poll: 1 for a single choice, more for a multiple choice."),
    )
    scale_min_label = models.CharField(_("label of 1"), max_length=60, blank=True,
                                       help_text=_("Scale: e.g. very hard."))
    scale_max_label = models.CharField(_("label of 5"), max_length=60, blank=True,
                                       help_text=_("Scale: e.g. very easy."))
    # {"ru": {"title": …, "prompt": …}}: the wording in other languages, which the live screens
    # show a reader of that language (the admin form edits it a language per row). A column of
    # the activity, not a table of its own: the room reads the run of show in one query.
    translations = models.JSONField(_("translations"), default=dict, blank=True, editable=False)
    created = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("activity")
        verbose_name_plural = _("activities")
        ordering = ["workshop", "position", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["workshop"], condition=Q(is_current=True), name="activity_one_current_per_workshop"
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display()}: {self.title}"

    def clean(self):
        """The rules of a run of show that hold whatever the activity's options and statements
        (the admin form checks those, as it holds them before they are saved)."""
        super().clean()
        if not self.workshop_id:
            return
        errors = {}
        room = canonical(self.workshop)
        if room.pk != self.workshop_id:
            errors["workshop"] = _(
                "“%(page)s” is a translation: its activities are those of its original, “%(room)s”. "
                "Choose the original."
            ) % {"page": self.workshop.title, "room": room.title}
        if self.kind == ActivityKind.BRAINSTORM and self.max_dots_per_idea and (
            self.max_dots_per_idea > self.dots_per_participant
        ):
            errors["max_dots_per_idea"] = _("The cap per idea cannot exceed the dots per person.")
        if self.pk and self.is_settled():
            before = Activity.objects.filter(pk=self.pk).values("kind", "workshop_id").first()
            if before and (before["kind"], before["workshop_id"]) != (self.kind, self.workshop_id):
                errors["kind"] = _(
                    "An activity that holds the room or has answers keeps its kind and workshop: "
                    "add a new activity instead."
                )
        if errors:
            raise ValidationError(errors)

    def is_settled(self) -> bool:
        """Whether the room is on this activity or someone answered it: then what it is (its
        kind, its workshop) can no longer change."""
        if not self.pk:
            return False
        return self.is_current or any(
            related.filter(activity_id=self.pk).exists()
            for related in (PollAnswer.objects, ScaleRating.objects, WordEntry.objects, Idea.objects)
        )


class DotBudget(models.Model):
    """The dots a participant has left in one brainstorm. Made by the first dot placed (until
    then the brainstorm's `dots_per_participant` are all left); spending one is one conditional
    statement (`ideas.services`), and the CHECK constraint forbids a negative count, so two
    sockets firing at once never spend more than the budget."""

    participant = models.ForeignKey(Participant, on_delete=models.CASCADE, related_name="dot_budgets")
    activity = models.ForeignKey(Activity, on_delete=models.CASCADE, related_name="dot_budgets")
    dots_left = models.PositiveSmallIntegerField(_("dots left"))

    class Meta:
        verbose_name = _("dot budget")
        verbose_name_plural = _("dot budgets")
        constraints = [
            models.UniqueConstraint(fields=["participant", "activity"], name="dot_budget_one_per_brainstorm"),
            models.CheckConstraint(condition=Q(dots_left__gte=0), name="dot_budget_not_negative"),
        ]

    def __str__(self):
        return f"{self.participant_id} → {self.activity_id}: {self.dots_left}"


class ActivityItem(Orderable):
    """An option or a statement of an activity, in the order the facilitator gave them.

    The admin numbers them (`sort_order`); one saved with none (the demo, a script, a test)
    goes after its activity's others, so the order never depends on how a database sorts
    NULLs (SQLite first, PostgreSQL last)."""

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        if self.sort_order is None and self.activity_id is not None:
            last = type(self).objects.filter(activity_id=self.activity_id).aggregate(last=models.Max("sort_order"))
            self.sort_order = 0 if last["last"] is None else last["last"] + 1
        super().save(*args, **kwargs)


class PollOption(ActivityItem):
    """One choice of a poll."""

    MAX_LENGTH = 120

    activity = ParentalKey(Activity, verbose_name=_("poll"), on_delete=models.CASCADE, related_name="options")
    text = models.CharField(_("option"), max_length=MAX_LENGTH)

    class Meta:
        verbose_name = _("poll option")
        verbose_name_plural = _("poll options")
        ordering = ["sort_order", "pk"]

    def __str__(self):
        return self.text


class ScaleStatement(ActivityItem):
    """One statement of a scale, rated from 1 to 5."""

    MAX_LENGTH = 200

    activity = ParentalKey(Activity, verbose_name=_("scale"), on_delete=models.CASCADE, related_name="statements")
    text = models.CharField(_("statement"), max_length=MAX_LENGTH)

    class Meta:
        verbose_name = _("scale statement")
        verbose_name_plural = _("scale statements")
        ordering = ["sort_order", "pk"]

    def __str__(self):
        return self.text


class PollAnswer(models.Model):
    """A participant's answer to a poll: one per person per poll (a second one replaces the
    first), holding one or more options."""

    participant = models.ForeignKey(Participant, on_delete=models.CASCADE, related_name="poll_answers")
    activity = models.ForeignKey(Activity, on_delete=models.CASCADE, related_name="poll_answers")
    options = models.ManyToManyField(PollOption, related_name="answers", blank=True)
    modified = models.DateTimeField(_("answered at"), auto_now=True)

    class Meta:
        verbose_name = _("poll answer")
        verbose_name_plural = _("poll answers")
        constraints = [
            models.UniqueConstraint(fields=["participant", "activity"], name="poll_answer_one_per_person"),
        ]

    def __str__(self):
        return f"{self.participant_id} → {self.activity_id}"


class ScaleRating(models.Model):
    """A participant's rating of one statement of a scale, from 1 to 5 (one per statement)."""

    participant = models.ForeignKey(Participant, on_delete=models.CASCADE, related_name="scale_ratings")
    activity = models.ForeignKey(Activity, on_delete=models.CASCADE, related_name="scale_ratings")
    statement = models.ForeignKey(ScaleStatement, on_delete=models.CASCADE, related_name="ratings")
    value = models.PositiveSmallIntegerField(_("rating"))
    modified = models.DateTimeField(_("rated at"), auto_now=True)

    class Meta:
        verbose_name = _("scale rating")
        verbose_name_plural = _("scale ratings")
        constraints = [
            models.UniqueConstraint(fields=["participant", "statement"], name="scale_rating_one_per_statement"),
            models.CheckConstraint(condition=Q(value__gte=1, value__lte=5), name="scale_rating_from_1_to_5"),
        ]

    def __str__(self):
        return f"{self.statement_id}: {self.value}"


class WordEntry(models.Model):
    """A short answer to a word cloud. `key` is the word as the cloud counts it (case and
    diacritics aside: "Acte", "acte" and "ACTE" are one), and a person counts once per key."""

    MAX_LENGTH = 25
    MAX_PER_PERSON = 3

    participant = models.ForeignKey(Participant, on_delete=models.CASCADE, related_name="word_entries")
    activity = models.ForeignKey(Activity, on_delete=models.CASCADE, related_name="word_entries")
    text = models.CharField(_("word"), max_length=MAX_LENGTH)
    key = models.CharField(_("key"), max_length=100)
    created = models.DateTimeField(_("added at"), auto_now_add=True)

    class Meta:
        verbose_name = _("word")
        verbose_name_plural = _("words")
        ordering = ["created", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["participant", "activity", "key"], name="word_once_per_person"),
        ]
        indexes = [models.Index(fields=["activity", "key"])]

    def __str__(self):
        return self.text


class HiddenWord(models.Model):
    """A word a facilitator took off a cloud (every person's entry of it, now and later)."""

    activity = models.ForeignKey(Activity, on_delete=models.CASCADE, related_name="hidden_words")
    key = models.CharField(_("key"), max_length=100)
    hidden_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("hidden by"), null=True, blank=True,
        on_delete=models.SET_NULL, related_name="+",
    )
    created = models.DateTimeField(_("hidden at"), auto_now_add=True)

    class Meta:
        verbose_name = _("hidden word")
        verbose_name_plural = _("hidden words")
        constraints = [models.UniqueConstraint(fields=["activity", "key"], name="word_hidden_once")]

    def __str__(self):
        return self.key


class Theme(models.Model):
    """An affinity cluster a facilitator made of a brainstorm's ideas ("Documents", "The mobile
    team"): its ideas stay individually votable, and their dots add up to the theme's."""

    MAX_TITLE = 80

    wagtail_reference_index_ignore = True  # see Participant

    workshop = models.ForeignKey(
        "workshops.WorkshopPage", verbose_name=_("workshop"), on_delete=models.CASCADE, related_name="themes"
    )
    # The brainstorm it groups (null: a workshop without a brainstorm, a board).
    activity = models.ForeignKey(
        Activity, verbose_name=_("brainstorm"), null=True, blank=True, on_delete=models.CASCADE, related_name="themes"
    )
    title = models.CharField(_("title"), max_length=MAX_TITLE)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("created by"), null=True, blank=True,
        on_delete=models.SET_NULL, related_name="+",
    )
    created = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("theme")
        verbose_name_plural = _("themes")
        ordering = ["workshop", "created", "pk"]

    def __str__(self):
        return self.title


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
    # The brainstorm the idea was posted in (null only for ideas posted before the workshop had
    # activities; the migration gave every earlier idea its workshop's first brainstorm).
    activity = models.ForeignKey(
        Activity, verbose_name=_("activity"), null=True, blank=True, on_delete=models.SET_NULL, related_name="ideas"
    )
    # The author's table when it was posted (null: at no table).
    table = models.ForeignKey(
        Table, verbose_name=_("table"), null=True, blank=True, on_delete=models.SET_NULL, related_name="ideas"
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
    theme = models.ForeignKey(
        Theme, verbose_name=_("theme"), null=True, blank=True, on_delete=models.SET_NULL, related_name="ideas"
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

"""Clickable prototypes (versions → screens → hotspots) and service maps (as-is / to-be).

Hotspots are rectangles stored as fractions (0–1) of their screen, so they fit any rendition
of the picture. Each leads to exactly one of: another screen of the same version, "back", or
an http(s) link; the database enforces the geometry and the single target, `clean()` the rest.
"""

from decimal import Decimal
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from modelcluster.fields import ParentalKey, ParentalManyToManyField
from modelcluster.models import ClusterableModel
from wagtail.admin.panels import FieldPanel, FieldRowPanel, InlinePanel, MultiFieldPanel
from wagtail.models import Orderable, TranslatableMixin
from wagtail.search import index


class Prototype(index.Indexed, ClusterableModel):
    """A clickable prototype of a new service, made for one service and one or more offices,
    traceable to the workshop and ideas it came from."""

    title = models.CharField(_("title"), max_length=200)
    slug = models.SlugField(_("slug"), max_length=100, unique=True)
    service = models.ForeignKey(
        "offices.Service", verbose_name=_("service"), on_delete=models.PROTECT, related_name="prototypes"
    )
    offices = ParentalManyToManyField("offices.OfficePage", verbose_name=_("offices"), related_name="prototypes")
    workshop = models.ForeignKey(
        "workshops.WorkshopPage", verbose_name=_("workshop it came from"), null=True, blank=True,
        on_delete=models.SET_NULL, related_name="prototypes",
    )
    ideas = ParentalManyToManyField("ideas.Idea", verbose_name=_("ideas it came from"), blank=True, related_name="prototypes")
    description = models.TextField(_("description"), blank=True)
    created = models.DateTimeField(_("created"), auto_now_add=True)

    panels = [
        FieldPanel("title"),
        FieldPanel("slug"),
        FieldPanel("service"),
        FieldPanel("offices"),
        FieldPanel("description"),
        MultiFieldPanel([FieldPanel("workshop"), FieldPanel("ideas")], heading=_("Where it came from")),
    ]
    search_fields = [index.SearchField("title"), index.AutocompleteField("title")]

    class Meta:
        verbose_name = _("prototype")
        verbose_name_plural = _("prototypes")
        ordering = ["title"]

    def __str__(self):
        return self.title

    def latest_published_version(self):
        return self.versions.filter(published=True).order_by("-number").first()


class PrototypeVersion(ClusterableModel):
    """v1, v2, …: a new version starts as a copy of the previous one (see services.version_create).
    Feedback and test results stay with the version they were given on."""

    prototype = models.ForeignKey(Prototype, verbose_name=_("prototype"), on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveSmallIntegerField(_("version"))
    published = models.BooleanField(
        _("published"), default=False, help_text=_("Published versions can be played by anyone with the link.")
    )
    notes = models.TextField(_("what changed"), blank=True)
    feedback_public = models.BooleanField(
        _("show feedback pins to everyone"), default=False,
        help_text=_("When published, players see every pin; otherwise only their own."),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("created by"), null=True, blank=True,
        on_delete=models.SET_NULL, related_name="+",
    )
    created = models.DateTimeField(_("created"), auto_now_add=True)

    panels = [
        FieldRowPanel([FieldPanel("published"), FieldPanel("feedback_public")]),
        FieldPanel("notes"),
        InlinePanel("screens", label=_("Screens"), heading=_("Screens, in order")),
    ]

    class Meta:
        verbose_name = _("prototype version")
        verbose_name_plural = _("prototype versions")
        ordering = ["prototype", "number"]
        constraints = [
            models.UniqueConstraint(fields=["prototype", "number"], name="prototype_version_number_unique"),
        ]

    def __str__(self):
        return f"{self.prototype} v{self.number}"

    @property
    def start_screen(self):
        return self.screens.order_by("sort_order", "pk").first()


class Screen(Orderable):
    """One picture of the prototype (a Wagtail image, so renditions serve phones and desktops)."""

    version = ParentalKey(PrototypeVersion, verbose_name=_("version"), on_delete=models.CASCADE, related_name="screens")
    title = models.CharField(_("title"), max_length=120)
    image = models.ForeignKey(
        "wagtailimages.Image", verbose_name=_("image"), on_delete=models.PROTECT, related_name="+"
    )

    panels = [FieldPanel("title"), FieldPanel("image")]

    class Meta(Orderable.Meta):
        verbose_name = _("screen")
        verbose_name_plural = _("screens")

    def __str__(self):
        return self.title


def validate_http_url(value: str) -> None:
    parts = urlsplit(value or "")
    if parts.scheme not in {"http", "https"} or not parts.netloc:
        raise ValidationError(_("Only http:// and https:// links are allowed."), code="scheme")


EDGE_TOLERANCE = 1e-9


class Hotspot(models.Model):
    """A tappable rectangle on a screen, in fractions of the picture's width and height."""

    screen = models.ForeignKey(Screen, verbose_name=_("screen"), on_delete=models.CASCADE, related_name="hotspots")
    x = models.FloatField(_("left"))
    y = models.FloatField(_("top"))
    w = models.FloatField(_("width"))
    h = models.FloatField(_("height"))
    target_screen = models.ForeignKey(
        Screen, verbose_name=_("leads to screen"), null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    target_url = models.URLField(_("leads to link"), blank=True, max_length=500, validators=[validate_http_url])
    back = models.BooleanField(_("goes back"), default=False)
    label = models.CharField(
        _("label"), max_length=120, blank=True,
        help_text=_("What the hotspot is, for screen readers (e.g. 'Apply online')."),
    )

    class Meta:
        verbose_name = _("hotspot")
        verbose_name_plural = _("hotspots")
        ordering = ["screen", "y", "x", "pk"]
        constraints = [
            # The same tolerance as clean(): 0.063 + 0.937 is a hair above 1 in floating point.
            models.CheckConstraint(
                condition=Q(x__gte=0) & Q(y__gte=0) & Q(w__gt=0) & Q(h__gt=0)
                & Q(x__lte=EDGE_TOLERANCE + 1 - models.F("w")) & Q(y__lte=EDGE_TOLERANCE + 1 - models.F("h")),
                name="hotspot_inside_the_screen",
                violation_error_message=_("The hotspot must lie inside the screen and have an area."),
            ),
            models.CheckConstraint(
                condition=(
                    (Q(target_screen__isnull=False) & Q(target_url="") & Q(back=False))
                    | (Q(target_screen__isnull=True) & ~Q(target_url="") & Q(back=False))
                    | (Q(target_screen__isnull=True) & Q(target_url="") & Q(back=True))
                ),
                name="hotspot_has_one_target",
                violation_error_message=_("Choose exactly one target: a screen, a link, or back."),
            ),
        ]

    def __str__(self):
        return f"{self.screen}: ({self.x:.2f}, {self.y:.2f})"

    def clean(self):
        errors = {}
        for name in ("x", "y", "w", "h"):
            value = getattr(self, name)
            if value is None or not 0 <= value <= 1:
                errors[name] = _("Use a fraction of the screen, from 0 to 1.")
        if not errors:
            if self.w <= 0 or self.h <= 0:
                errors["w"] = _("A hotspot needs an area: width and height above 0.")
            elif self.x + self.w > 1 + EDGE_TOLERANCE or self.y + self.h > 1 + EDGE_TOLERANCE:
                errors["w"] = _("The hotspot goes past the edge of the screen.")
        targets = sum([self.target_screen_id is not None, bool(self.target_url), bool(self.back)])
        if targets != 1:
            errors["target_screen"] = _("Choose exactly one target: a screen, a link, or back.")
        if self.target_screen_id is not None and self.screen_id is not None:
            target_version = Screen.objects.filter(pk=self.target_screen_id).values_list("version_id", flat=True).first()
            own_version = Screen.objects.filter(pk=self.screen_id).values_list("version_id", flat=True).first()
            if target_version != own_version:
                errors["target_screen"] = _("A hotspot can lead only to a screen of the same version.")
        if errors:
            raise ValidationError(errors)

    @property
    def target_kind(self) -> str:
        return "screen" if self.target_screen_id else ("back" if self.back else "url")


# --- service maps ------------------------------------------------------------------------------


class MapKind(models.TextChoices):
    AS_IS = "as_is", _("as it is")
    TO_BE = "to_be", _("as it will be")


class Actor(models.TextChoices):
    CITIZEN = "citizen", _("citizen")
    FRONT_OFFICE = "front_office", _("front office")
    BACK_OFFICE = "back_office", _("back office")
    OTHER_INSTITUTION = "other_institution", _("another institution")
    BANK = "bank", _("bank")


class Channel(models.TextChoices):
    IN_PERSON = "in_person", _("in person")
    PAPER = "paper", _("paper")
    ELECTRONIC = "electronic", _("electronic")
    PHONE = "phone", _("phone")


class ServiceMap(TranslatableMixin, ClusterableModel):
    """A service step by step, as it is or as it will be (a service blueprint). A translation
    is a copy with its steps in another language, for the same (canonical) service; the service
    page shows the reader's."""

    service = models.ForeignKey("offices.Service", verbose_name=_("service"), on_delete=models.CASCADE, related_name="maps")
    kind = models.CharField(_("kind"), max_length=10, choices=MapKind.choices)
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    sort_order = models.PositiveSmallIntegerField(_("order"), default=0)

    panels = [
        FieldPanel("service"),
        FieldPanel("kind"),
        FieldPanel("title"),
        FieldPanel("description"),
        InlinePanel("steps", label=_("Steps")),
    ]

    class Meta(TranslatableMixin.Meta):
        verbose_name = _("service map")
        verbose_name_plural = _("service maps")
        ordering = ["service", "kind", "sort_order", "pk"]

    def __str__(self):
        return f"{self.service}: {self.title}"


class MapStep(Orderable, ClusterableModel):
    """One step of a service map: who does it, through which channel, what it needs, how long."""

    map = ParentalKey(ServiceMap, verbose_name=_("map"), on_delete=models.CASCADE, related_name="steps")
    title = models.CharField(_("step"), max_length=200)
    actor = models.CharField(_("actor"), max_length=20, choices=Actor.choices)
    channel = models.CharField(_("channel"), max_length=20, choices=Channel.choices)
    documents = models.TextField(_("documents needed"), blank=True, help_text=_("One document per line."))
    duration_days = models.DecimalField(
        _("estimated duration (days)"), max_digits=6, decimal_places=2, default=Decimal("0"),
    )
    removed = models.BooleanField(
        _("removed in the new service"), default=False, help_text=_("As-is maps: this step is gone in the to-be service."),
    )
    replaces = ParentalManyToManyField(
        "self", verbose_name=_("replaces (as-is steps)"), symmetrical=False, blank=True, related_name="replaced_by",
    )

    panels = [
        FieldPanel("title"),
        FieldRowPanel([FieldPanel("actor"), FieldPanel("channel"), FieldPanel("duration_days")]),
        FieldPanel("documents"),
        FieldPanel("removed"),
        FieldPanel("replaces"),
    ]

    class Meta(Orderable.Meta):
        verbose_name = _("step")
        verbose_name_plural = _("steps")

    def __str__(self):
        return self.title

    @property
    def document_list(self) -> list[str]:
        return [line.strip() for line in self.documents.splitlines() if line.strip()]

"""Workshops: the co-creation sessions where citizens and providers meet."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from modelcluster.contrib.taggit import ClusterTaggableManager
from modelcluster.fields import ParentalKey, ParentalManyToManyField
from taggit.models import TaggedItemBase
from wagtail.admin.panels import FieldPanel, FieldRowPanel, MultiFieldPanel
from wagtail.fields import StreamField
from wagtail.search import index

from workshop_site.core.compiled import CompiledInstances
from workshop_site.core.i18n import canonical, localized
from workshop_site.core.models import BasePage
from workshop_site.core.sections import WORKSHOP_PAGE_SECTIONS, sections_context
from workshop_site.offices.models import OfficePage

from .blocks import AgendaBlock
from .forms import WorkshopPageForm
from .join_codes import lookup_variants, new_join_code


class WorkshopIndexPage(BasePage):
    """The list of workshops: happening now, upcoming, past."""

    parent_page_types = ["home.HomePage"]
    subpage_types = ["workshops.WorkshopPage"]
    max_count_per_parent = 1

    content_panels = BasePage.content_panels + [FieldPanel("introduction")]

    class Meta:
        verbose_name = _("workshop index")

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        workshops = WorkshopPage.objects.child_of(canonical(self)).live()
        context.update(workshops_by_time(localized(workshops)))
        return context


class Phase(models.TextChoices):
    """The stages of a live workshop's activities. A brainstorm walks draft, ideas, voting,
    results, closed; a poll, scale or word cloud walks draft, open, results, closed. The
    workshop's own `phase` is its current activity's. What each allows is decided in
    `ideas.rules`."""

    DRAFT = "draft", _("draft")
    OPEN = "open", _("open")
    IDEAS = "ideas", _("ideas")
    VOTING = "voting", _("voting")
    RESULTS = "results", _("results")
    CLOSED = "closed", _("closed")


# The room is in use: open for answers, collecting ideas, voting or showing its results.
LIVE_PHASES = frozenset({Phase.OPEN, Phase.IDEAS, Phase.VOTING, Phase.RESULTS})


class WorkshopSuggestedTag(TaggedItemBase):
    content_object = ParentalKey(
        "workshops.WorkshopPage", on_delete=models.CASCADE, related_name="suggested_tag_items"
    )


class WorkshopPage(BasePage):
    """One workshop: when and where, which offices it serves, its agenda, and how the live
    room votes (join code, dots per participant, cap per idea, blind voting, phase).

    `phase` and `join_code` are live state, changed from the presenter screen without a new
    revision; `with_content_json` keeps them when an older revision is published.
    """

    starts_at = models.DateTimeField(_("starts at"))
    ends_at = models.DateTimeField(_("ends at"), null=True, blank=True)
    place = models.CharField(_("place"), max_length=250)
    offices = ParentalManyToManyField(
        "offices.OfficePage", verbose_name=_("offices served"), blank=True, related_name="workshops"
    )
    agenda = StreamField(AgendaBlock(), verbose_name=_("agenda"), blank=True)
    facilitators = ParentalManyToManyField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("facilitators"),
        blank=True,
        related_name="facilitated_workshops",
        limit_choices_to={"groups__name": "Facilitators"},
    )
    join_code = models.CharField(
        _("join code"),
        max_length=12,
        unique=True,
        default=new_join_code,
        validators=[RegexValidator(r"^[A-Z0-9]{4,12}$", _("4 to 12 capital letters or digits."))],
        help_text=_("Participants type this on their phones. Generated codes avoid 0/O and 1/I."),
    )
    dots_per_participant = models.PositiveSmallIntegerField(
        _("dots per participant"), default=3, validators=[MinValueValidator(1), MaxValueValidator(20)],
        help_text=_("For a workshop without a brainstorm in its run of show; each brainstorm has its own."),
    )
    max_dots_per_idea = models.PositiveSmallIntegerField(
        _("maximum dots per idea"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(20)],
        help_text=_("Empty: a participant may put all their dots on one idea."),
    )
    blind_voting = models.BooleanField(
        _("blind voting"), default=False,
        help_text=_("Participants see the tallies only once the results are shown."),
    )
    phase = models.CharField(_("phase"), max_length=10, choices=Phase.choices, default=Phase.DRAFT)
    timer_ends_at = models.DateTimeField(_("timer ends at"), null=True, blank=True, editable=False)
    suggested_tags = ClusterTaggableManager(
        through=WorkshopSuggestedTag, blank=True, verbose_name=_("suggested tags"),
        help_text=_("Tags participants can pick for their ideas, e.g. front-office, documente, online."),
    )

    parent_page_types = ["workshops.WorkshopIndexPage"]
    subpage_types: list[str] = []
    base_form_class = WorkshopPageForm
    # A copied workshop is a new session with a code of its own.
    exclude_fields_in_copy = ["join_code"]

    content_panels = BasePage.content_panels + [
        FieldPanel("introduction"),
        MultiFieldPanel(
            [FieldRowPanel([FieldPanel("starts_at"), FieldPanel("ends_at")]), FieldPanel("place"), FieldPanel("offices")],
            heading=_("When and where"),
        ),
        FieldPanel("agenda"),
        FieldPanel("facilitators"),
        MultiFieldPanel(
            [
                FieldPanel("join_code"),
                FieldRowPanel([FieldPanel("dots_per_participant"), FieldPanel("max_dots_per_idea")]),
                FieldPanel("blind_voting"),
                FieldPanel("phase"),
                FieldPanel("suggested_tags"),
            ],
            heading=_("Live room"),
        ),
    ]
    search_fields = BasePage.search_fields + [index.SearchField("place")]

    class Meta:
        verbose_name = _("workshop")
        verbose_name_plural = _("workshops")

    def clean(self):
        super().clean()
        self.join_code = (self.join_code or "").upper()
        if self.ends_at and self.starts_at and self.ends_at < self.starts_at:
            raise ValidationError({"ends_at": _("A workshop cannot end before it starts.")})
        if self.max_dots_per_idea and self.max_dots_per_idea > self.dots_per_participant:
            raise ValidationError(
                {"max_dots_per_idea": _("The cap per idea cannot exceed the dots per participant.")}
            )

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        # Through pks: in a preview the relations are in memory, not querysets.
        office_ids = [office.pk for office in self.offices.all()]
        context["offices"] = localized(OfficePage.objects.live().filter(pk__in=office_ids).order_by("title"))
        context["facilitators"] = sorted(self.facilitators.all(), key=str)
        context["suggested_tags"] = sorted(self.suggested_tags.all(), key=lambda tag: tag.name)
        room = self.room if self.pk else self
        context["room"] = room
        # The live room (join, presenter, results) is the ideas app's: it adds its section.
        context.update(sections_context(WORKSHOP_PAGE_SECTIONS, request, room))
        return context

    def with_content_json(self, content):
        obj = super().with_content_json(content)
        obj.phase = self.phase
        obj.timer_ends_at = self.timer_ends_at
        obj.join_code = self.join_code
        return obj

    @property
    def room(self) -> "WorkshopPage":
        """The page whose live room this page shows: a translation shows its original's room
        (code, phase, ideas, votes); its own join code only leads there too."""
        return canonical(self)

    @cached_property
    def title_for_reader(self) -> str:
        """The title in the reader's language (the active one) when a live translation has one:
        the live screens of a room show it. No query while the reader reads the page's own
        language."""
        if get_language() == self.locale.language_code:
            return self.title
        return localized([self])[0].title

    def translation_share_room(self, source: "WorkshopPage") -> None:
        """A new translation starts in the phase of the room it shows (the services keep the
        family's phase and timer together from then on)."""
        room = canonical(source)
        self.phase, self.timer_ends_at = room.phase, room.timer_ends_at
        WorkshopPage.objects.filter(pk=self.pk).update(phase=room.phase, timer_ends_at=room.timer_ends_at)

    @classmethod
    def find_by_code(cls, raw_code: str):
        """The live workshop with this join code (forgiving case and 0/O, 1/I), or None."""
        variants = lookup_variants(raw_code)
        if not variants:
            return None
        # Every phone's first request and socket ask this: SQL built once (core.compiled), for
        # three codes (the variants, the first repeated to fill up).
        padded = (variants + [variants[0]] * 3)[:3]
        found = {w.join_code: w for w in _LIVE_ROOMS_BY_CODE.instances(*padded)}
        for code in variants:
            if code in found:
                return found[code].room
        return None


def workshops_by_time(workshops) -> dict:
    """Happening now (soonest first), upcoming (soonest first) and past (latest first).

    A workshop is happening now while its room is in use (a live phase) or while its scheduled
    hours run: the room's phase is its current activity's, so a closed poll may hold the room
    with the rest of the run of show still to come. Otherwise a closed workshop is past, and one
    still in draft is upcoming until it starts."""
    now = timezone.now()
    live, upcoming, past = [], [], []
    for workshop in workshops:
        running = workshop.starts_at <= now and workshop.ends_at is not None and now < workshop.ends_at
        if workshop.phase in LIVE_PHASES or running:
            live.append(workshop)
        elif workshop.phase != Phase.CLOSED and workshop.starts_at > now:
            upcoming.append(workshop)
        else:
            past.append(workshop)
    return {
        "live_workshops": sorted(live, key=lambda w: w.starts_at),
        "upcoming_workshops": sorted(upcoming, key=lambda w: w.starts_at),
        "past_workshops": sorted(past, key=lambda w: w.starts_at, reverse=True),
    }


# WorkshopPage.find_by_code: the live pages with one of three join codes, each with its locale's
# language code (which `canonical` reads) as `select_related("locale")` would give it.
_LIVE_ROOMS_BY_CODE = CompiledInstances(
    WorkshopPage,
    lambda a, b, c: WorkshopPage.objects.filter(Q(join_code=a) | Q(join_code=b) | Q(join_code=c))
    .filter(live=True).order_by(),
    related="locale", related_fields=("language_code",),
)

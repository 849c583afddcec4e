"""The BCIS one-stop offices (Birou Comun de Informații și Servicii) and the public services
they bring under one roof."""

from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _
from modelcluster.contrib.taggit import ClusterTaggableManager
from modelcluster.fields import ParentalKey
from modelcluster.models import ClusterableModel
from taggit.models import TaggedItemBase
from wagtail.admin.panels import FieldPanel, FieldRowPanel, InlinePanel, MultiFieldPanel
from wagtail.fields import RichTextField
from wagtail.models import Locale, Orderable, TranslatableMixin
from wagtail.search import index

from workshop_site.core.i18n import canonical, localized
from workshop_site.core.models import BasePage
from workshop_site.core.sections import OFFICE_PAGE_SECTIONS, sections_context


class TaggedService(TaggedItemBase):
    content_object = ParentalKey("offices.Service", on_delete=models.CASCADE, related_name="tagged_items")


class Service(TranslatableMixin, index.Indexed, ClusterableModel):
    """A public service citizens come for, e.g. the maternity allowance paid by CNAS.

    Prototypes and service maps (as-is / to-be) are made for a service. It is translated as
    pages are (`core.i18n`): a translation carries the words and keeps the slug, the facts
    (prototypes, maps) point at the canonical one, the service in the default language.
    """

    name = models.CharField(_("name"), max_length=200)
    slug = models.SlugField(_("slug"), max_length=100)
    institution = models.CharField(
        _("providing institution"), max_length=200,
        help_text=_("The institution that provides the service, e.g. CNAS."),
    )
    description = models.TextField(_("description"), blank=True)
    tags = ClusterTaggableManager(through=TaggedService, blank=True, verbose_name=_("tags"))

    panels = [
        FieldPanel("name"),
        FieldPanel("slug"),
        FieldPanel("institution"),
        FieldPanel("description"),
        FieldPanel("tags"),
    ]
    search_fields = [
        index.SearchField("name"),
        index.SearchField("institution"),
        index.AutocompleteField("name"),
    ]

    class Meta(TranslatableMixin.Meta):
        verbose_name = _("service")
        verbose_name_plural = _("services")
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["slug", "locale"], name="service_slug_unique_per_locale")]

    def __str__(self):
        return self.name

    def clean(self):
        super().clean()
        # The form leaves out the locale, so Django skips the constraint above: checked here.
        locale_id = self.locale_id or Locale.get_default().pk
        if Service.objects.filter(slug=self.slug, locale_id=locale_id).exclude(pk=self.pk).exists():
            raise ValidationError({"slug": _("Another service already has this slug.")})


class OfficeIndexPage(BasePage):
    """The list of offices."""

    parent_page_types = ["home.HomePage"]
    subpage_types = ["offices.OfficePage"]
    max_count_per_parent = 1

    content_panels = BasePage.content_panels + [FieldPanel("introduction")]

    class Meta:
        verbose_name = _("office index")

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        offices = OfficePage.objects.child_of(canonical(self)).live().order_by("title")
        context["offices"] = localized(offices)
        return context


class ProviderSector(models.TextChoices):
    PUBLIC = "public", _("public")
    PRIVATE = "private", _("private")
    ASSOCIATIVE = "associative", _("associative")


class OfficeProvider(Orderable):
    """A service provider working under the office's roof."""

    office = ParentalKey("offices.OfficePage", on_delete=models.CASCADE, related_name="providers")
    name = models.CharField(_("name"), max_length=200)
    sector = models.CharField(_("sector"), max_length=20, choices=ProviderSector.choices)
    services_offered = models.CharField(
        _("services offered"), max_length=300, blank=True,
        help_text=_("In a few words, e.g. 'pensions, allowances'."),
    )

    panels = [FieldRowPanel([FieldPanel("name"), FieldPanel("sector")]), FieldPanel("services_offered")]

    class Meta(Orderable.Meta):
        verbose_name = _("provider")
        verbose_name_plural = _("providers")

    def __str__(self):
        return self.name


class OfficePage(BasePage):
    """A BCIS office: where it is, who provides services there, and its mobile team.

    Each office has its own team group (created with the office) whose members keep the
    office's content and action plans current.
    """

    district = models.CharField(_("district"), max_length=100)
    address = models.CharField(_("address"), max_length=250, blank=True)
    phone = models.CharField(_("phone"), max_length=50, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    opening_hours = models.CharField(_("opening hours"), max_length=200, blank=True)
    description = RichTextField(_("description"), blank=True, features=["bold", "italic", "link", "ol", "ul"])

    mobile_team_vehicle_seats = models.PositiveSmallIntegerField(
        _("passenger seats in the mobile team's vehicle"), null=True, blank=True
    )
    mobile_team_specialists = models.PositiveSmallIntegerField(
        _("specialists in the mobile team"), null=True, blank=True
    )
    mobile_team_visits = models.CharField(
        _("mobile team visits"), max_length=200, blank=True,
        help_text=_("e.g. 'weekly, to 12 villages'"),
    )
    mobile_team_equipment_available = models.TextField(
        _("equipment the mobile team has"), blank=True, help_text=_("One item per line.")
    )
    mobile_team_equipment_missing = models.TextField(
        _("equipment the mobile team lacks"), blank=True, help_text=_("One item per line.")
    )
    # A foreign key, not one-to-one: the Russian translation of an office is kept by the
    # same team as the Romanian page.
    team_group = models.ForeignKey(
        Group,
        verbose_name=_("office team group"),
        null=True,
        blank=True,
        editable=False,
        on_delete=models.SET_NULL,
        related_name="office_pages",
    )

    parent_page_types = ["offices.OfficeIndexPage"]
    subpage_types: list[str] = []
    # A copy is another office: it gets its own team group (see wagtail_hooks).
    exclude_fields_in_copy = ["team_group"]

    content_panels = BasePage.content_panels + [
        FieldPanel("introduction"),
        MultiFieldPanel(
            [
                FieldPanel("district"),
                FieldPanel("address"),
                FieldRowPanel([FieldPanel("phone"), FieldPanel("email")]),
                FieldPanel("opening_hours"),
            ],
            heading=_("Where and when"),
        ),
        FieldPanel("description"),
        InlinePanel("providers", label=_("Providers under this roof"), min_num=0),
        MultiFieldPanel(
            [
                FieldRowPanel([FieldPanel("mobile_team_vehicle_seats"), FieldPanel("mobile_team_specialists")]),
                FieldPanel("mobile_team_visits"),
                FieldPanel("mobile_team_equipment_available"),
                FieldPanel("mobile_team_equipment_missing"),
            ],
            heading=_("Mobile team"),
        ),
    ]
    search_fields = BasePage.search_fields + [
        index.SearchField("district"),
        index.SearchField("description"),
    ]

    class Meta:
        verbose_name = _("office (BCIS)")
        verbose_name_plural = _("offices (BCIS)")

    @property
    def equipment_available_list(self) -> list[str]:
        return [line.strip() for line in self.mobile_team_equipment_available.splitlines() if line.strip()]

    @property
    def equipment_missing_list(self) -> list[str]:
        return [line.strip() for line in self.mobile_team_equipment_missing.splitlines() if line.strip()]

    @property
    def vehicle_is_too_small(self) -> bool:
        """The pilot's pain point: 4 seats for 9 specialists."""
        seats, people = self.mobile_team_vehicle_seats, self.mobile_team_specialists
        return seats is not None and people is not None and seats < people

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        # Plans, prototypes and workshops are other rooms' content: they add their sections
        # (in hook order) through OFFICE_PAGE_SECTIONS, so the office knows none of them.
        context.update(sections_context(OFFICE_PAGE_SECTIONS, request, self))
        return context

    def permissions_for_user(self, user):
        # Only facilitators delete, move or copy an office (see offices/permissions.py).
        from .permissions import OfficePagePermissionTester

        return OfficePagePermissionTester(user, self)

    def with_content_json(self, content):
        # The team group belongs to the office, not to a revision: publishing an old
        # revision must not unlink it.
        obj = super().with_content_json(content)
        obj.team_group_id = self.team_group_id
        return obj



"""Abstract bases shared by the apps."""

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from wagtail.models import Page


class TimeStampedModel(models.Model):
    created = models.DateTimeField(_("created"), auto_now_add=True, editable=False)
    modified = models.DateTimeField(_("modified"), auto_now=True, editable=False)

    class Meta:
        abstract = True


class UserGeneratedContentModel(TimeStampedModel):
    """Content that a person typed: a staff user (`creator`) or an anonymous participant.

    `content_id` names the item without revealing its row number, so anonymous content can
    be referred to in public links and exports.
    """

    creator = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    content_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)

    class Meta:
        abstract = True


class BasePage(Page):
    """Fields and behaviour every Atelier page shares.

    A short introduction shown in listings and social previews.
    """

    introduction = models.TextField(
        _("introduction"), blank=True, max_length=500,
        help_text=_("One or two sentences shown in listings."),
    )

    class Meta:
        abstract = True

    def live_translations(self) -> list[tuple[str, str]]:
        """(language code, URL) of each live translation, this page included: the `hreflang`
        alternates that tell browsers and screen readers the page exists in other languages."""
        if not self.pk:
            return []  # a preview of a page not yet saved
        pages = self.get_translations(inclusive=True).live().select_related("locale")
        return sorted((page.locale.language_code, page.url) for page in pages)

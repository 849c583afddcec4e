"""Choosing offices and services in the admin: each once, named in the reader's language."""

from django.forms.models import ModelChoiceIterator, ModelChoiceIteratorValue

from workshop_site.core.i18n import (
    canonical_objects,
    canonical_pages,
    localized,
    localized_objects,
)

from .models import OfficePage, Service


class FamilyChoiceIterator(ModelChoiceIterator):
    """One choice per translation family. Its value is the family's canonical page (or
    object), which workshops, prototypes and plans point at (so a saved choice shows as chosen
    whatever the reader's language); its label is the live translation's in the reader's
    language, else the canonical one's. One query for the choices, two more for the labels
    when the reader's language is not the default."""

    localize = staticmethod(localized)

    def label(self, translation) -> str:
        return translation.title

    def __iter__(self):
        if self.field.empty_label is not None:
            yield ("", self.field.empty_label)
        found = list(self.queryset)
        shown = sorted(zip(found, self.localize(found), strict=True), key=lambda pair: self.label(pair[1]).casefold())
        for canonical, translation in shown:
            yield (ModelChoiceIteratorValue(self.field.prepare_value(canonical), canonical), self.label(translation))


class ServiceChoiceIterator(FamilyChoiceIterator):
    localize = staticmethod(localized_objects)

    def label(self, translation) -> str:
        return translation.name


def offices_one_per_family(field, offices=None) -> None:
    """Make a form's office field (single or multiple choice) offer each office once: the
    canonical pages among `offices` (default: every office)."""
    field.iterator = FamilyChoiceIterator
    # Setting the queryset hands the widget its choices, through the iterator set above.
    field.queryset = canonical_pages(OfficePage.objects.all() if offices is None else offices)


def services_one_per_family(field) -> None:
    """The same for a service field: each service once (a translation is no other service)."""
    field.iterator = ServiceChoiceIterator
    field.queryset = canonical_objects(Service.objects.all())

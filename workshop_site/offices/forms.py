"""Choosing offices in the admin: each office once, named in the reader's language."""

from django.forms.models import ModelChoiceIterator, ModelChoiceIteratorValue

from workshop_site.core.i18n import canonical_pages, localized

from .models import OfficePage


class OfficeChoiceIterator(ModelChoiceIterator):
    """One choice per translation family. Its value is the family's canonical page, which
    workshops, prototypes and plans point at (so a saved choice shows as chosen whatever the
    reader's language); its label is the title of the live translation in the reader's
    language, else the canonical title. One query for the offices, two more for the labels
    when the reader's language is not the default."""

    def __iter__(self):
        if self.field.empty_label is not None:
            yield ("", self.field.empty_label)
        offices = list(self.queryset)
        shown = sorted(zip(offices, localized(offices), strict=True), key=lambda pair: pair[1].title.casefold())
        for office, translation in shown:
            yield (ModelChoiceIteratorValue(self.field.prepare_value(office), office), translation.title)


def offices_one_per_family(field, offices=None) -> None:
    """Make a form's office field (single or multiple choice) offer each office once: the
    canonical pages among `offices` (default: every office)."""
    field.iterator = OfficeChoiceIterator
    # Setting the queryset hands the widget its choices, through the iterator set above.
    field.queryset = canonical_pages(OfficePage.objects.all() if offices is None else offices)

"""Reading what clients send: text, tags and ids, cleaned or refused with a clear `Invalid`.
Every service of the live room (the board's and each activity kind's) reads its input here."""

import unicodedata

from django.utils.translation import gettext as _

from workshop_site.core.errors import Invalid, NotFound

MAX_TAGS = 5
MAX_TAG_LENGTH = 40


def clean_text(value, *, field: str, max_length: int, required: bool = True) -> str:
    """Text as typed, without control characters or surrounding blanks; refuses blank, too long
    or invalid Unicode."""
    if not isinstance(value, str):
        raise Invalid(_("%(field)s must be text.") % {"field": field})
    try:
        value.encode()  # a lone surrogate (JSON's `"\ud800"`) is no character: refused, not dropped
    except UnicodeEncodeError:
        raise Invalid(_("%(field)s is not valid text (it contains an invalid Unicode character).")
                      % {"field": field}) from None
    text = "".join(ch for ch in value if ch in "\n\t" or unicodedata.category(ch)[0] != "C").strip()
    if required and not text:
        raise Invalid(_("%(field)s cannot be empty.") % {"field": field})
    if len(text) > max_length:
        raise Invalid(
            _("%(field)s is too long (at most %(max)d characters).") % {"field": field, "max": max_length}
        )
    return text


def clean_tags(value) -> list[str]:
    if value is None:
        return []
    if not isinstance(value, list | tuple):
        raise Invalid(_("Tags must be a list."))
    tags: list[str] = []
    for raw in value:
        tag = clean_text(raw, field=_("A tag"), max_length=MAX_TAG_LENGTH).replace(",", " ").lower()
        if tag not in tags:
            tags.append(tag)
    if len(tags) > MAX_TAGS:
        raise Invalid(_("At most %(max)d tags.") % {"max": MAX_TAGS})
    return tags


# Ids are 64-bit in every database Atelier runs on; a larger number names nothing.
MAX_ID = 2**63 - 1


def int_or_invalid(value) -> int:
    """An id as sent by a client: a whole number (1, "1"), never a bool, a fraction or infinity."""
    if isinstance(value, bool) or (isinstance(value, float) and not value.is_integer()):
        raise Invalid(_("An id must be a number."))
    try:
        number = int(value)
    except (TypeError, ValueError, OverflowError):
        raise Invalid(_("An id must be a number.")) from None
    if not -MAX_ID <= number <= MAX_ID:
        raise NotFound()
    return number



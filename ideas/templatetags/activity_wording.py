"""`{{ activity|worded:"title" }}`: an activity's title or prompt in the reader's language where
the facilitator translated it (`selectors.in_language`), for the pages the server draws."""

from django import template
from django.utils.translation import get_language

from ideas.selectors import in_language

register = template.Library()


@register.filter
def worded(activity: dict | None, field: str) -> str:
    if not activity:
        return ""
    return in_language(activity, get_language() or "").get(field) or ""

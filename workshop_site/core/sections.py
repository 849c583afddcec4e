"""Sections other apps add to a foundation page, asked for through Wagtail hooks.

The page tree knows no app above it. A page that shows other apps' content (an office shows
its action plans and prototypes) names a hook; each app that has something to show registers
a function for it in its `wagtail_hooks.py`, the way Wagtail's own admin is extended:

    @hooks.register(OFFICE_PAGE_SECTIONS, order=20)
    def office_plans(request, page):
        return Section("plans/includes/office_plans.html", {"plans": ...})

A function returns a `Section` (or None to show nothing); the page renders them in hook order.
"""

from dataclasses import dataclass, field

from django.template.loader import render_to_string
from wagtail import hooks

# The hooks the foundation's pages ask. Each function is called as `fn(request, page)`.
OFFICE_PAGE_SECTIONS = "atelier_office_page_sections"
WORKSHOP_PAGE_SECTIONS = "atelier_workshop_page_sections"


@dataclass(frozen=True)
class Section:
    """A template and its context; the page's `request` and `page` are added when rendered."""

    template: str
    context: dict = field(default_factory=dict)
    stylesheets: tuple[str, ...] = ()  # static paths the section needs in the page's head


def sections_for(hook_name: str, request, page) -> list[Section]:
    """What every registered function contributes to `page`, in hook order."""
    sections = []
    for contribute in hooks.get_hooks(hook_name):
        section = contribute(request, page)
        if section is not None:
            sections.append(section)
    return sections


def sections_context(hook_name: str, request, page) -> dict:
    """`sections` (rendered HTML, in order) and `section_stylesheets` for the page's template."""
    sections = sections_for(hook_name, request, page)
    return {
        "sections": [
            render_to_string(section.template, {**section.context, "page": page}, request=request)
            for section in sections
        ],
        "section_stylesheets": list(dict.fromkeys(href for section in sections for href in section.stylesheets)),
    }

"""The roots every Atelier page tree hangs from."""

from wagtail.models import Collection, Locale, Page

from .i18n import content_locales_ensure


def wagtail_roots_ensure() -> Page:
    """The root page, default locale and root collection that Wagtail's migrations create.

    `manage.py flush` (and transactional tests) remove them with everything else; the demo,
    an import into an empty site and the test factories put them back.
    """
    content_locales_ensure()
    if Collection.get_first_root_node() is None:
        Collection.add_root(name="Root")
    root = Page.get_first_root_node()
    if root is None:
        root = Page.add_root(title="Root", slug="root", locale=Locale.get_default())
    return root

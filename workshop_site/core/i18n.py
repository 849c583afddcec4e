"""Translated pages: which translation holds the facts, and which one a reader sees.

Offices and workshops can be translated with Wagtail's own localisation
(`wagtail.contrib.simple_translation`). A translation carries the words; the facts hang on
one page of the family, its *canonical* page: the one in the default locale (Romanian), or
the oldest when the family has none there. Plans, prototypes and workshops point at the
canonical office, ideas and votes at the canonical workshop; listings show each family once,
in the reader's language when a live translation exists. Translatable snippets (services and
their maps) follow the same rule through `canonical_objects` and `localized_objects`.
"""

from collections.abc import Iterable

from django.conf import settings
from django.db.models import Q, QuerySet
from django.utils.translation import get_language, get_supported_language_variant
from django.utils.translation.trans_real import parse_accept_lang_header
from wagtail.coreutils import get_supported_content_language_variant
from wagtail.models import Locale, Page


def content_locales_ensure() -> list[Locale]:
    """A Wagtail locale for every content language (migrations and `flush` leave only one)."""
    return [
        Locale.objects.get_or_create(language_code=get_supported_content_language_variant(code))[0]
        for code, _name in settings.WAGTAIL_CONTENT_LANGUAGES
    ]


def canonical_pages(pages: QuerySet) -> QuerySet:
    """One page per translation family: the default-locale one, or any page whose family has
    no default-locale member (a page first written in Russian)."""
    default = Locale.get_default()
    in_default = Page.objects.filter(locale=default).values("translation_key")
    return pages.filter(Q(locale=default) | ~Q(translation_key__in=in_default))


def canonical(page: Page) -> Page:
    """The page of this page's family that holds the facts (see the module docstring)."""
    # The page's own locale (no query when it was selected with the page, as the join-code
    # lookup does) rather than `Locale.get_default()`, which asks the database every time.
    if page.locale.language_code == get_supported_content_language_variant(settings.LANGUAGE_CODE):
        return page
    default = Locale.get_default()
    found = page.get_translation_or_none(default)
    if found is not None:
        return found.specific
    oldest = type(page).objects.filter(translation_key=page.translation_key).order_by("pk").first()
    return oldest or page


def localized(pages: Iterable[Page]) -> list[Page]:
    """The same pages, each swapped for its live translation in the active language when one
    exists (one query for the whole list)."""
    pages = list(pages)
    if not pages or not getattr(settings, "WAGTAIL_I18N_ENABLED", False):
        return pages
    active = _active_locale()
    if active is None:
        return pages
    keys = {page.translation_key for page in pages if page.locale_id != active.pk}
    if not keys:
        return pages
    model = type(pages[0])
    translations = {
        page.translation_key: page
        for page in model.objects.live().filter(locale=active, translation_key__in=keys)
    }
    return [translations.get(page.translation_key, page) for page in pages]


def translation_url(page: Page, language_code: str) -> str | None:
    """The URL of the page's live translation in that language, or None."""
    try:
        locale = Locale.objects.get(language_code=get_supported_content_language_variant(language_code))
    except (Locale.DoesNotExist, LookupError):
        return None
    translation = page.get_translation_or_none(locale)
    if translation is None or not translation.live:
        return None
    return translation.url


def _active_locale() -> Locale | None:
    try:
        return Locale.objects.get(language_code=get_supported_content_language_variant(get_language()))
    except (Locale.DoesNotExist, LookupError):
        return None


def canonical_objects(objects: QuerySet) -> QuerySet:
    """`canonical_pages` for translatable snippets: one object per translation family."""
    default = Locale.get_default()
    in_default = objects.model._default_manager.filter(locale=default).values("translation_key")
    return objects.filter(Q(locale=default) | ~Q(translation_key__in=in_default))


def localized_objects(objects: Iterable) -> list:
    """`localized` for translatable snippets: each object swapped for its translation in the
    active language when one exists (one query for the whole list)."""
    objects = list(objects)
    if not objects or not getattr(settings, "WAGTAIL_I18N_ENABLED", False):
        return objects
    active = _active_locale()
    keys = {obj.translation_key for obj in objects if active is not None and obj.locale_id != active.pk}
    if not keys:
        return objects
    model = type(objects[0])
    translations = {obj.translation_key: obj for obj in model._default_manager.filter(locale=active, translation_key__in=keys)}
    return [translations.get(obj.translation_key, obj) for obj in objects]


def language_of_scope(scope: dict) -> str:
    """The language of a live socket, as `AtelierLocaleMiddleware` chooses it for the screens
    outside the page tree: the language cookie, then Accept-Language, then Romanian."""
    for code in [scope.get("cookies", {}).get(settings.LANGUAGE_COOKIE_NAME)] + [
        code for code, _quality in parse_accept_lang_header(_header(scope, b"accept-language"))
    ]:
        if not code or code == "*":
            continue
        try:
            return get_supported_language_variant(code)
        except LookupError:
            continue
    return settings.LANGUAGE_CODE


def _header(scope: dict, name: bytes) -> str:
    for key, value in scope.get("headers", ()):
        if key.lower() == name:
            return value.decode("latin-1")
    return ""

"""Language for the screens outside the page tree.

With `i18n_patterns(prefix_default_language=False)`, Django treats every unprefixed URL as
the default language, so a Russian speaker who chose Russian with the switcher would still get
Romanian on `/w/<code>/`, `/p/…`, `/join/`. Wagtail pages keep the language in the URL
(`/ru/…`); every other screen follows the choice the switcher stored in the language cookie.
"""

from django.conf import settings
from django.middleware.locale import LocaleMiddleware
from django.urls import Resolver404, resolve
from django.utils import translation


class AtelierLocaleMiddleware(LocaleMiddleware):
    def process_request(self, request):
        super().process_request(request)
        if translation.get_language_from_path(request.path_info):
            return
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        if chosen not in dict(settings.LANGUAGES) or chosen == translation.get_language():
            return
        try:
            match = resolve(request.path_info)
        except Resolver404:
            return
        if match.url_name == "wagtail_serve":
            return  # a page: its URL says its language
        translation.activate(chosen)
        request.LANGUAGE_CODE = chosen

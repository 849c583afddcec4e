"""Language for the screens outside the page tree.

With `i18n_patterns(prefix_default_language=False)`, Django treats every unprefixed URL as
the default language, so a Russian speaker who chose Russian with the switcher would still get
Romanian on `/w/<code>/`, `/p/…`, `/join/`. Wagtail pages keep the language in the URL
(`/ru/…`); every other screen follows the choice the switcher stored in the language cookie.
"""

from django.conf import settings
from django.http import HttpResponse, JsonResponse
from django.middleware.locale import LocaleMiddleware
from django.template.loader import render_to_string
from django.urls import Resolver404, resolve
from django.utils import translation

from workshop_site.users.forms import remember_device

from .ratelimit import request_exceeded


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


class RateLimitMiddleware:
    """Every request that reaches Django counts towards the HTTP limits (per session and per
    address, `core.ratelimit`); past them the answer is 429 with Retry-After: the API's JSON
    error `{"code": "rate_limited", "message"}`, a short page elsewhere."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        exceeded = request_exceeded(request)
        if exceeded is None:
            response = self.get_response(request)
            # A successful admin login marks this browser as the user's own (users.forms).
            remember_device(request, response)
            return response
        message = translation.gettext("Too many requests from here in a short time; wait a moment and try again.")
        if request.path_info.startswith("/api/"):
            response = JsonResponse({"code": "rate_limited", "message": message}, status=429)
        else:
            html = render_to_string("429.html", {"message": message}, request=request)
            response = HttpResponse(html, status=429)
        response["Retry-After"] = str(exceeded.window_seconds)
        return response

"""Project-level views: the language switcher's door (Django's `set_language`, made to land on a
page's translation) and the 503 answer when the database cannot be reached."""

from urllib.parse import urlsplit

from django.conf import settings
from django.http import HttpResponse, HttpResponseRedirect
from django.templatetags.static import static
from django.utils import translation
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.i18n import set_language as django_set_language
from wagtail.models import Page

from .i18n import translation_url


def set_language(request):
    """Django's view stores the choice (cookie) and maps URLs it can reverse; a Wagtail page
    has its own URL in each language (`/birouri/rezina/` → `/ru/birouri/rezina/` only once a
    Russian translation exists), so a page goes to its live translation; an untranslated page
    keeps Django's answer (`/ru/…` serves its Romanian words in a Russian frame)."""
    response = django_set_language(request)
    language = request.POST.get("language")
    next_url = request.POST.get("next", "")
    if (
        request.method != "POST"
        or not isinstance(response, HttpResponseRedirect)
        or language not in dict(settings.LANGUAGES)
        or not url_has_allowed_host_and_scheme(next_url, {request.get_host()}, request.is_secure())
    ):
        return response
    path = urlsplit(next_url).path
    path_language = translation.get_language_from_path(path)
    if path_language:
        path = path[len(path_language) + 1:] or "/"
    with translation.override(path_language or settings.LANGUAGE_CODE):
        page = Page.find_for_request(request, path)
    translated = translation_url(page, language) if page is not None else None
    if translated:
        response["Location"] = translated
    return response


def favicon(request):
    """`/favicon.ico`: browsers ask for it when a document names no icon (an SVG or a file opened
    on its own, the static 500 page); the site's icon is the SVG that every page links to."""
    return HttpResponseRedirect(static("favicon.svg"))


# Seconds a client should wait before trying again when the database is unreachable.
RETRY_AFTER_SECONDS = 5


def server_error(request):
    """Django's `handler500`: an unreachable database (a restart, a cut connection, a lock wait
    that ran out) is a temporary state, so it answers 503 with `Retry-After` (JSON on the API,
    a page elsewhere) and logs one line; anything else is the usual 500 page. Django calls this
    inside its exception handler, so `sys.exc_info()` is the error being answered."""
    import sys

    from django.db import InterfaceError, OperationalError
    from django.http import JsonResponse
    from django.template import loader
    from django.views.defaults import server_error as django_server_error

    from .errors import Unavailable

    error = sys.exc_info()[1]
    if not isinstance(error, OperationalError | InterfaceError):
        return django_server_error(request)
    unavailable = Unavailable()
    if request.path.startswith("/api/"):
        response = JsonResponse({"code": unavailable.code, "message": unavailable.message}, status=503)
    else:
        # A static page: rendering must not need the database that just failed.
        response = HttpResponse(loader.get_template("503.html").render(), status=503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response

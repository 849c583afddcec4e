"""Language for the screens outside the page tree.

With `i18n_patterns(prefix_default_language=False)`, Django treats every unprefixed URL as
the default language, so a Russian speaker would get Romanian on `/w/<code>/`, `/p/…`,
`/join/`. Wagtail pages keep the language in the URL (`/ru/…`); every other screen follows the
choice the switcher stored in the language cookie, else the phone's own language
(`Accept-Language`), else Romanian.
"""

from django.http import HttpResponse, JsonResponse
from django.middleware.locale import LocaleMiddleware
from django.template.loader import render_to_string
from django.urls import Resolver404, resolve
from django.utils import translation

from .ratelimit import request_exceeded


class AtelierLocaleMiddleware(LocaleMiddleware):
    def process_request(self, request):
        super().process_request(request)
        if translation.get_language_from_path(request.path_info):
            return
        # The cookie, then Accept-Language (its best supported language), then LANGUAGE_CODE.
        chosen = translation.get_language_from_request(request)
        if chosen == translation.get_language():
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
            return self.get_response(request)
        message = translation.gettext("Too many requests from here in a short time; wait a moment and try again.")
        if request.path_info.startswith("/api/"):
            response = JsonResponse({"code": "rate_limited", "message": message}, status=429)
        else:
            html = render_to_string("429.html", {"message": message}, request=request)
            response = HttpResponse(html, status=429)
        response["Retry-After"] = str(exceeded.window_seconds)
        return response


class _SendWatch:
    """Passes every message on and notes whether the socket was accepted. Its `send` is a
    bound method over `real_send`, the shape of Channels' own wrappers, so the consumer can
    still find daphne's protocol under it (ideas.daphne_transport.wire_for)."""

    def __init__(self, send):
        self.real_send = send
        self.accepted = False

    async def send(self, message):
        if message.get("type") == "websocket.accept":
            self.accepted = True
        await self.real_send(message)


class SocketDatabaseOutageGuard:
    """ASGI middleware in front of Channels' session and auth middleware: they read the
    database before any consumer runs, so a socket opened while the database is unreachable
    would fail its handshake with a 500. It gets what a consumer answers instead: an
    `unavailable` error frame, then close code 4013 (try again later), and the client retries."""

    def __init__(self, inner):
        self.inner = inner

    async def __call__(self, scope, receive, send):
        import json

        from django.db import InterfaceError, OperationalError

        from .errors import CLOSE_TRY_AGAIN, Unavailable

        watch = _SendWatch(send)
        try:
            return await self.inner(scope, receive, watch.send)
        except (OperationalError, InterfaceError):
            if not watch.accepted:
                await receive()  # the handshake's websocket.connect, not read yet
                await send({"type": "websocket.accept"})
            error = Unavailable()
            frame = {"type": "error", "ref": None, "code": error.code, "message": str(error.message)}
            await send({"type": "websocket.send", "text": json.dumps(frame)})
            await send({"type": "websocket.close", "code": CLOSE_TRY_AGAIN})

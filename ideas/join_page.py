"""A room's join page, rendered once per state, language and address, then handed to each
visitor with their own CSRF token.

When a room's QR code goes up, every phone asks for the same form in the same minute; its
template cost more than the rest of the request (bench/RESULTS.md, issue #21). The rendering is
kept in this process beside a digest of what it shows, so a change (a phase, a table, a title,
an edit published in the CMS) gives a new digest and a fresh rendering in every process, with
nothing to invalidate. Only a first visit is served from it: no one signed in, no message
waiting, no form errors; the view renders every other case in full.

Relies on `{% csrf_token %}` writing the context's `csrf_token`: the rendering holds a
placeholder there, replaced by the visitor's own token (tests/ideas/test_join_page_cache.py
fails if Django stops taking it from the context).
"""

import hashlib
import secrets
import threading
from collections import OrderedDict

from django.http import HttpResponse
from django.middleware.csrf import get_token
from django.template.loader import render_to_string
from django.utils.translation import get_language

TEMPLATE = "ideas/participant_join.html"
# Made of the characters of a token, new in each process: no text of a page can hold it.
PLACEHOLDER = "csrf" + secrets.token_hex(28)
KEPT = 256  # renderings kept (rooms × languages × addresses); the oldest goes first

_kept: OrderedDict[tuple, tuple[str, str]] = OrderedDict()
_lock = threading.Lock()


def first_visit(request) -> bool:
    """Whether the page this request gets is everyone's: an anonymous GET with no message."""
    return (request.method == "GET" and not request.user.is_authenticated
            and not len(getattr(request, "_messages", ())))


def join_page(request, context: dict, *, shows: tuple) -> HttpResponse:
    """The join page for `context`, whose content `shows` sums up (whatever the template reads
    of the room besides the language and the address)."""
    key = (context["workshop"].pk, get_language(), request.get_full_path())
    digest = hashlib.blake2b(repr(shows).encode(), digest_size=16).hexdigest()
    kept = _kept.get(key)
    if kept is None or kept[0] != digest:
        kept = (digest, render_to_string(TEMPLATE, {**context, "csrf_token": PLACEHOLDER}, request))
        with _lock:
            _kept[key] = kept
            _kept.move_to_end(key)
            while len(_kept) > KEPT:
                _kept.popitem(last=False)
    return HttpResponse(kept[1].replace(PLACEHOLDER, get_token(request)))


def forget() -> None:
    """Drop every kept rendering (the tests: SQLite gives a rolled-back room's id to the next)."""
    with _lock:
        _kept.clear()

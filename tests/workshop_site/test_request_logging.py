"""What a refused request leaves in the log (`make run`'s console, a server's stderr): one line
per 4xx answer, no traceback, nothing twice; and the 403 page offers an anonymous visitor the
way in (issue #16, finding 7)."""

import io
import logging
from contextlib import contextmanager

import pytest
from django.conf import settings
from django.test import override_settings

pytestmark = pytest.mark.django_db


@contextmanager
def console():
    """Everything the configured logging handlers print (every stream handler on the way from
    `django.request` up to the root), as `make run` shows it; DEBUG on as in dev settings."""
    stream = io.StringIO()
    swapped = []
    logger = logging.getLogger("django.request.anything")
    while logger is not None:
        for handler in logger.handlers:
            if type(handler) is logging.StreamHandler:  # the configured ones, not pytest's
                swapped.append((handler, handler.setStream(stream)))
        logger = logger.parent if logger.propagate else None
    try:
        with override_settings(DEBUG=True):
            yield stream
    finally:
        for handler, previous in swapped:
            handler.setStream(previous)


def lines(stream: io.StringIO) -> list[str]:
    return stream.getvalue().splitlines()


def test_an_anonymous_visit_to_the_overview_logs_one_line_without_a_traceback(client, tree):
    with console() as stream:
        response = client.get("/plans/overview/")
    assert response.status_code == 403
    assert len(lines(stream)) == 1, stream.getvalue()
    assert "Forbidden (Permission denied): /plans/overview/" in lines(stream)[0]
    assert "Traceback" not in stream.getvalue()


@pytest.mark.parametrize(("path", "headers", "status", "message"), [
    ("/no-such-page/", {}, 404, "Not Found: /no-such-page/"),
    ("/plans/overview/", {}, 403, "Forbidden (Permission denied)"),
    ("/", {"HTTP_HOST": "evil.example"}, 400, "Invalid HTTP_HOST header"),
])
def test_every_4xx_answer_is_logged_once_in_one_line(client, tree, path, headers, status, message):
    with console() as stream:
        response = client.get(path, **headers)
    assert response.status_code == status
    assert len(lines(stream)) == 1, stream.getvalue()
    assert message in lines(stream)[0]


def test_a_warning_of_django_is_printed_once(caplog):
    with console() as stream:
        logging.getLogger("django.request").warning("Something odd: %s", "/x/")
    assert lines(stream) == [line for line in lines(stream) if "Something odd: /x/" in line]
    assert len(lines(stream)) == 1, stream.getvalue()


def test_a_server_error_keeps_its_traceback():
    with console() as stream:
        try:
            raise RuntimeError("boom")
        except RuntimeError as error:
            logging.getLogger("django.request").error("Internal Server Error: /x/", exc_info=error,
                                                      extra={"status_code": 500})
    assert "Traceback" in stream.getvalue() and "RuntimeError: boom" in stream.getvalue()
    assert stream.getvalue().count("Internal Server Error: /x/") == 1


@pytest.mark.parametrize(("language", "words"), [
    ("ro", "Autentificați-vă pentru a continua"),
    ("ru", "Войдите, чтобы продолжить"),
    ("en", "Log in to continue"),
])
def test_the_403_page_offers_an_anonymous_visitor_the_login(client, tree, language, words):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    response = client.get("/plans/overview/")
    html = response.content.decode()
    assert response.status_code == 403
    assert 'href="/admin/login/?next=/plans/overview/"' in html
    assert words in html


def test_the_403_page_offers_no_login_to_someone_logged_in(client, rezina_member):
    client.force_login(rezina_member)
    response = client.get("/plans/overview/")
    assert response.status_code == 403
    assert "/admin/login/" not in response.content.decode()


def test_the_login_link_keeps_the_query_and_quotes_the_path(client, tree):
    response = client.get("/plans/overview/?office=rezina&x=<b>")
    html = response.content.decode()
    # The path as the browser sent it (`<` quoted), quoted once more as a query value.
    assert 'href="/admin/login/?next=/plans/overview/%3Foffice%3Drezina%26x%3D%253Cb%253E"' in html
    # The login form takes the visitor back there.
    login = client.get("/admin/login/?next=/plans/overview/%3Foffice%3Drezina%26x%3D%253Cb%253E")
    assert login.status_code == 200
    assert 'value="/plans/overview/?office=rezina&amp;x=%3Cb%3E"' in login.content.decode()

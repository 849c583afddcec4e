"""A room's join page is rendered once per state, language and address and handed to every
first visitor with their own CSRF token (ideas/join_page.py, issue #21): whatever changes what
it shows shows on the very next request, and no visitor gets another's token, sign-in or form."""

import re

import pytest
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from ideas.models import Table

from .conftest import set_phase

pytestmark = pytest.mark.django_db

TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


@pytest.fixture(autouse=True)
def _clear_throttle():
    cache.clear()
    yield
    cache.clear()


def visit(client: Client, path: str = "/w/LIVE23/"):
    response = client.get(path)
    assert response.status_code == 200
    return response, response.content.decode()


def test_each_visitor_gets_their_own_token_in_the_same_page_and_joins_with_it(workshop):
    phones = [Client(enforce_csrf_checks=True) for _ in range(3)]
    pages = [visit(phone) for phone in phones]
    assert pages[0][0].templates, "the first visit renders the page"
    assert not pages[1][0].templates and not pages[2][0].templates, "the next visits reuse that rendering"
    tokens = [TOKEN.findall(html) for _response, html in pages]
    assert all(len(found) == 2 and found[0] == found[1] for found in tokens)  # the join form and the language form
    assert len({found[0] for found in tokens}) == 3
    assert len({TOKEN.sub("", html) for _response, html in pages}) == 1  # the rest is the same page
    for phone, found in zip(phones, tokens, strict=True):
        joined = phone.post("/w/LIVE23/", {"csrfmiddlewaretoken": found[0], "display_name": "Ana", "role": "citizen"})
        assert joined.status_code == 302 and joined["Location"] == "/w/LIVE23/"
    # Another browser's token is refused, as always.
    stranger = Client(enforce_csrf_checks=True)
    stranger.get("/join/")
    refused = stranger.post("/w/LIVE23/", {"csrfmiddlewaretoken": tokens[0][0], "display_name": "Ion", "role": "citizen"})
    assert refused.status_code == 403


def test_a_table_a_phase_and_a_title_show_on_the_next_visit(workshop):
    _response, html = visit(Client())
    assert 'name="table"' not in html and "Echipa mobilă" in html
    Table.objects.create(workshop=workshop, name="Rezina", slug="rezina")
    _response, html = visit(Client())
    assert '<option value="rezina">Rezina</option>' in html
    workshop.title = "Echipa mobilă, ziua a doua"
    workshop.save_revision().publish()
    _response, html = visit(Client())
    assert "Echipa mobilă, ziua a doua" in html
    set_phase(workshop, "closed")
    _response, html = visit(Client())
    assert "participant-join-form" not in html and 'href="results/"' in html


def test_a_signed_in_visitor_a_reader_of_russian_and_a_form_with_errors_get_their_own_page(workshop):
    _response, first = visit(Client())
    assert "Log in" in first or "Autentificare" in first
    staff = Client()
    staff.force_login(get_user_model().objects.create_user("ana", password="x"))
    _response, signed_in = visit(staff)
    assert "/admin/" in signed_in and 'href="/admin/login/' not in signed_in
    russian = Client(HTTP_ACCEPT_LANGUAGE="ru")
    _response, in_russian = visit(russian)
    assert '<html lang="ru">' in in_russian
    refused = Client().post("/w/LIVE23/", {"display_name": "", "role": "citizen"})
    assert refused.status_code == 400 and "field-error" in refused.content.decode()
    _response, again = visit(Client())
    assert '<html lang="ro">' in again and "field-error" not in again and 'href="/admin/login/' in again


def test_an_address_with_a_query_is_its_own_page(workshop):
    _response, odd = visit(Client(), "/w/LIVE23/?from=%3Cb%3Eqr")
    assert 'value="/w/LIVE23/?from=%3Cb%3Eqr"' in odd and "<b>qr" not in odd
    _response, plain = visit(Client())
    assert "from=" not in plain


def test_a_phones_join_reads_the_room_in_a_fixed_few_queries(workshop):
    """What each phone of a join storm costs the database (bench/RESULTS.md, issue #21): the
    page (the room, its tables, whether it is open; no session yet), then the join call (the
    room, who is joining and the rules, the new person, their dots, their new session)."""
    Table.objects.create(workshop=workshop, name="Rezina", slug="rezina")
    phone = Client()
    with CaptureQueriesContext(connection) as page:
        visit(phone)
    with CaptureQueriesContext(connection) as call:
        joined = phone.post("/api/workshops/LIVE23/participants",
                            {"display_name": "Ana", "role": "citizen", "table": "rezina"}, content_type="application/json")
    assert joined.status_code == 201
    def statements(captured):  # the transactions' savepoints aside
        return [q["sql"] for q in captured.captured_queries if "SAVEPOINT" not in q["sql"]]

    assert len(statements(page)) == 3
    assert len(statements(call)) == 6
    assert [sql.split(" ", 2)[:2] for sql in statements(call) if not sql.startswith("SELECT")] == [
        ["INSERT", "INTO"], ["INSERT", "INTO"]]  # the person and their session, nothing else written

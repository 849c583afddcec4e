"""New sessions (every phone that joins a room has one) cost one INSERT, not a lookup and an
INSERT, and a key already in use is still never given twice (workshop_site/core/sessions.py)."""

import pytest
from django.conf import settings
from django.contrib.sessions.models import Session
from django.db import connection
from django.test.utils import CaptureQueriesContext

from workshop_site.core import sessions

pytestmark = pytest.mark.django_db


def test_the_site_uses_the_store_and_a_new_session_asks_the_database_nothing_before_its_insert():
    assert settings.SESSION_ENGINE == "workshop_site.core.sessions"
    store = sessions.SessionStore()
    store["participant"] = 7
    with CaptureQueriesContext(connection) as queries:
        store.save()
    on_sessions = [q["sql"] for q in queries.captured_queries if "django_session" in q["sql"]]
    assert len(on_sessions) == 1 and on_sessions[0].startswith("INSERT")
    assert sessions.SessionStore(store.session_key).load() == {"participant": 7}


def test_a_key_in_use_is_not_given_again(monkeypatch):
    taken = sessions.SessionStore()
    taken["who"] = "first"
    taken.save()
    keys = iter([taken.session_key, "k" * 32])
    monkeypatch.setattr(sessions, "get_random_string", lambda length, chars: next(keys))
    second = sessions.SessionStore()
    second["who"] = "second"
    second.save()
    assert second.session_key == "k" * 32
    assert sessions.SessionStore(taken.session_key).load() == {"who": "first"}
    assert Session.objects.count() == 2

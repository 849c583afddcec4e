"""The phone's language (issue #19): screens outside the page tree follow the language cookie,
then the browser's Accept-Language, then Romanian; pages keep the language their URL says."""

import pytest
from django.conf import settings
from django.test import Client

from tests.factories import WorkshopPageFactory
from tests.prototypes.factories import PrototypeFactory, ScreenFactory, VersionFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def room(tree):
    return WorkshopPageFactory(parent=tree["workshop_index"], title="Echipa mobilă", join_code="LIMBA1", phase="ideas")


def _lang(response) -> str:
    html = response.content.decode()
    return html[html.index('<html lang="') + 12:].split('"', 1)[0]


@pytest.mark.parametrize("path", ["/join/", "/w/LIMBA1/"])
@pytest.mark.parametrize("header, cookie, expected", [
    ("ru-RU,ru;q=0.9,en;q=0.5", None, "ru"),  # the phone's language on a first visit
    ("en-US,en;q=0.9", None, "en"),
    ("ru", "ro", "ro"),  # the switcher's choice over the phone's
    ("ro", "ru", "ru"),
    ("de-DE,de;q=0.9", None, "ro"),  # a language Atelier does not speak: Romanian
    ("", None, "ro"),
    ("de, ru;q=0.5", None, "ru"),  # the best one it speaks
])
def test_live_screens_follow_the_cookie_then_accept_language_then_romanian(room, path, header, cookie, expected):
    client = Client(HTTP_ACCEPT_LANGUAGE=header)
    if cookie:
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = cookie
    response = client.get(path)
    assert response.status_code == 200
    assert _lang(response) == expected
    assert "Accept-Language" in response.get("Vary", "")


def test_an_api_refusal_speaks_the_phones_language(room):
    answer = Client(HTTP_ACCEPT_LANGUAGE="ru").post("/api/workshops/LIMBA1/participants", {"display_name": "Ana"},
                                                     content_type="application/json")
    assert answer.status_code == 400
    assert any("а" <= ch <= "я" for ch in answer.json()["message"].lower())


def test_a_page_of_the_tree_keeps_the_language_its_url_says(tree):
    assert _lang(Client(HTTP_ACCEPT_LANGUAGE="ru").get("/")) == "ro"


def test_the_atelier_link_leads_a_russian_reader_to_the_russian_home(room):
    html = Client(HTTP_ACCEPT_LANGUAGE="ru").get("/join/").content.decode()
    assert '<a class="brand" href="/ru/">' in html
    html = Client().get("/join/").content.decode()
    assert '<a class="brand" href="/">' in html


def test_play_mode_speaks_the_phones_language_on_a_first_visit(tree):
    prototype = PrototypeFactory(slug="maternitate")
    version = VersionFactory(prototype=prototype, number=1, published=True)
    ScreenFactory(version=version, title="Start", sort_order=0)
    assert _lang(Client(HTTP_ACCEPT_LANGUAGE="ru").get("/p/maternitate/")) == "ru"
    assert _lang(Client().get("/p/maternitate/")) == "ro"


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("headers, expected", [
    ([(b"accept-language", b"ru-RU,ru;q=0.9")], "ru"),
    ([(b"accept-language", b"ru"), (b"cookie", f"{settings.LANGUAGE_COOKIE_NAME}=en".encode())], "en"),
    ([(b"accept-language", b"de")], "ro"),
])
async def test_the_live_socket_answers_in_the_phones_language(tree, headers, expected):
    import json

    from channels.db import database_sync_to_async
    from channels.testing import WebsocketCommunicator
    from django.utils import translation

    from ideas.consumers import UnknownType
    from workshop_site.asgi import application

    await database_sync_to_async(WorkshopPageFactory)(parent=tree["workshop_index"], title="Echipa mobilă",
                                                       join_code="LIMBA2", phase="ideas")
    socket = WebsocketCommunicator(application, "/ws/workshops/LIMBA2/",
                                   headers=[(b"host", b"localhost"), (b"origin", b"http://localhost"), *headers])
    assert (await socket.connect(timeout=5))[0]
    assert json.loads(await socket.receive_from(timeout=5))["type"] == "snapshot"
    await socket.send_to(text_data=json.dumps({"type": "dance", "ref": 1}))
    error = json.loads(await socket.receive_from(timeout=5))
    with translation.override(expected):
        assert error["message"] == str(UnknownType.default_message)
    await socket.disconnect()


def test_a_phone_and_the_wall_show_the_activity_in_the_readers_language_where_it_was_translated(room, facilitator):
    from ideas.models import Activity
    from tests.ideas.factories import run_of_show

    room.phase = "open"
    room.save()
    poll = run_of_show(room, current="poll")["poll"]
    Activity.objects.filter(pk=poll.pk).update(
        prompt="Alegeți raionul", translations={"ru": {"title": "Из какого вы района?", "prompt": ""}})
    screens = {}
    for language in ("ru", "ro", "en"):
        phone = Client(HTTP_ACCEPT_LANGUAGE=language)
        assert phone.post("/w/LIMBA1/", {"display_name": "Ana", "role": "citizen"}).status_code == 302
        screens[language] = phone.get("/w/LIMBA1/").content.decode()
    # Russian: the translated title, and the Romanian prompt (none was translated).
    assert '<h2 class="act-title">Из какого вы района?</h2>' in screens["ru"]
    assert '<p class="act-prompt">Alegeți raionul</p>' in screens["ru"]
    # Romanian, its own; English, not translated: the activity's own.
    assert '<h2 class="act-title">Din ce raion veniți?</h2>' in screens["ro"]
    assert '<h2 class="act-title">Din ce raion veniți?</h2>' in screens["en"]
    wall = Client(HTTP_ACCEPT_LANGUAGE="ru")
    wall.force_login(facilitator)
    html = wall.get("/w/LIMBA1/screen/").content.decode()
    assert "Из какого вы района?</h1>" in html
    results = wall.get("/w/LIMBA1/results/").content.decode()
    assert f'<a href="#activity-{poll.pk}">Из какого вы района?</a>' in results
    assert "Din ce raion veniți?" not in results

"""The language choice: pages carry it in the URL, every other screen follows the switcher's cookie."""

import pytest

pytestmark = pytest.mark.django_db


def lang_of(response) -> str:
    html = response.content.decode()
    return html.split('<html lang="', 1)[1].split('"', 1)[0]


def test_the_switcher_sets_the_cookie_and_keeps_the_page_in_its_language(client, tree):
    response = client.post("/i18n/setlang/", {"language": "ru", "next": "/birouri/rezina/"})
    assert response.status_code == 302 and response["Location"] == "/ru/birouri/rezina/"
    assert client.cookies["atelier_language"].value == "ru"
    assert lang_of(client.get("/ru/birouri/rezina/")) == "ru"


def test_screens_outside_the_page_tree_follow_the_cookie(client, tree):
    from tests.factories import WorkshopPageFactory

    WorkshopPageFactory(parent=tree["workshop_index"], join_code="LIVE23", phase="ideas")
    assert lang_of(client.get("/join/")) == "ro"
    client.cookies["atelier_language"] = "ru"
    assert lang_of(client.get("/join/")) == "ru"
    assert lang_of(client.get("/w/LIVE23/")) == "ru"
    # An unprefixed page stays Romanian: its URL names its language.
    assert lang_of(client.get("/")) == "ro"
    client.cookies["atelier_language"] = "xx"
    assert lang_of(client.get("/join/")) == "ro"

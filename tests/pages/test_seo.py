"""What Lighthouse's SEO audit found (issue #16, finding 6): every public page has a meta
description, hreflang alternates are absolute URLs, robots.txt lets crawlers in (but not into
the admin), and the favicon every page names resolves."""

import re
from html import unescape
from pathlib import Path
from urllib.robotparser import RobotFileParser

import pytest
from django.conf import settings
from django.contrib.staticfiles import finders

pytestmark = pytest.mark.django_db


def public_paths(workshop, prototype, item, tree) -> list[str]:
    return [
        "/", "/birouri/rezina/", workshop.url, "/join/", "/w/LIVE23/", "/w/LIVE23/present/",
        "/w/LIVE23/results/", "/w/LIVE23/poster/", "/w/LIVE23/handout/", "/w/LIVE23/summary/",
        f"/services/{prototype.service.slug}/", "/p/maternitate-online/", "/p/maternitate-online/v1/summary/",
        f"/plans/items/{item.pk}/", "/no-such-page/",
    ]


def description(page: str) -> str | None:
    found = re.findall(r'<meta name="description" content="([^"]*)">', page)
    assert len(found) <= 1
    return unescape(found[0]).strip() if found else None


def test_every_public_page_has_a_meta_description(client, tree, workshop, prototype, item):
    missing = []
    for path in public_paths(workshop, prototype, item, tree):
        response = client.get(path)
        assert response.status_code in {200, 403, 404}, path  # results are hidden while ideas come in
        if not description(response.content.decode()):
            missing.append(path)
    assert missing == []


def test_the_joined_phone_and_the_facilitators_screens_have_one_too(joined, workshop, item, facilitator):
    assert description(joined.get("/w/LIVE23/").content.decode())
    joined.force_login(facilitator)
    for path in ("/plans/overview/", "/w/LIVE23/assist/", "/w/LIVE23/tally/"):
        assert description(joined.get(path).content.decode()), path


def test_the_description_says_what_the_page_is_about(client, workshop, prototype, item):
    assert description(client.get(workshop.url).content.decode()) == workshop.introduction
    assert description(client.get("/w/LIVE23/").content.decode()) == workshop.introduction
    assert description(client.get("/p/maternitate-online/").content.decode()) == prototype.description


def test_hreflang_alternates_are_absolute_urls(client, tree, russian_home):
    page = client.get("/").content.decode()
    alternates = dict(re.findall(r'<link rel="alternate" hreflang="([^"]+)" href="([^"]+)">', page))
    assert alternates == {"ro": "http://testserver/", "ru": "http://testserver/ru/"}
    # From the Russian page too, on whatever host the site is served.
    page = client.get("/ru/", headers={"host": "127.0.0.1"}).content.decode()
    assert 'hreflang="ro" href="http://127.0.0.1/"' in page


def test_robots_txt_lets_crawlers_read_the_public_pages(client, workshop):
    response = client.get("/robots.txt")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain")
    robots = RobotFileParser()
    robots.parse(response.content.decode().splitlines())
    for path in ("/", "/birouri/rezina/", "/join/", "/w/LIVE23/", "/w/KICK16/results/", "/p/maternitate-online/"):
        assert robots.can_fetch("*", f"http://testserver{path}"), path
    assert not robots.can_fetch("*", "http://testserver/admin/")


def test_the_favicon_every_page_names_resolves(client, workshop, prototype):
    hrefs = set()
    for path in ("/", "/join/", "/p/maternitate-online/", "/w/LIVE23/poster/"):
        found = re.findall(r'<link rel="icon" href="([^"]+)" type="image/svg\+xml">', client.get(path).content.decode())
        assert len(found) == 1, path
        hrefs.update(found)
    (href,) = hrefs
    # WhiteNoise serves it (from STATIC_ROOT, or the finders in development and the live tests).
    assert href.startswith(settings.STATIC_URL)
    found = finders.find(href.removeprefix(settings.STATIC_URL))
    assert found and b'xmlns="http://www.w3.org/2000/svg"' in Path(found).read_bytes()
    # Browsers that ask for /favicon.ico (a file opened on its own, the static 500 page) get it too.
    redirect = client.get("/favicon.ico")
    assert redirect.status_code == 302 and redirect["Location"] == href

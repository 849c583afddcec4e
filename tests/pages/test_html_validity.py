"""What the Nu HTML checker found on the public screens (issue #16, finding 5), pinned with the
test client; `.ci/html_check.sh` runs the checker itself over the served demo."""

import re
import xml.etree.ElementTree as ET

import pytest

pytestmark = pytest.mark.django_db

SVG_NS = "http://www.w3.org/2000/svg"
# HTML's valid global date and time: seconds may have one to three decimals, never six.
DATETIME = re.compile(r"^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?(Z|[+-]\d{2}:?\d{2}))?$")


def html(client, path: str) -> str:
    response = client.get(path)
    assert response.status_code == 200, path
    return response.content.decode()


def test_the_join_forms_post_to_their_own_page_without_an_empty_action(client, workshop):
    for path in ("/join/", "/w/LIVE23/"):
        page = html(client, path)
        assert re.search(r'<form[^>]*\bmethod="post"', page), path
        assert 'action=""' not in page, path


def test_the_join_forms_still_work_without_an_action(client, workshop):
    assert client.post("/join/", {"code": "live23"})["Location"] == "/w/LIVE23/"
    assert client.post("/w/LIVE23/", {"display_name": "Ion", "role": "citizen"}).status_code == 302
    assert 'data-joined="true"' in html(client, "/w/LIVE23/")


def test_the_helpers_forms_have_no_empty_action(client, workshop, facilitator):
    client.force_login(facilitator)
    page = html(client, "/w/LIVE23/assist/")
    assert "<form" in page and 'action=""' not in page


def test_play_mode_prefetches_the_next_screens_without_an_as_attribute(client, prototype):
    page = html(client, "/p/maternitate-online/")
    links = re.findall(r"<link[^>]*\brel=\"prefetch\"[^>]*>", page)
    assert links, "the screen a hotspot leads to is prefetched"
    # `as` belongs to rel=preload; on rel=prefetch it is an error.
    assert not [link for link in links if " as=" in link]


def test_time_elements_carry_a_valid_datetime_without_microseconds(client, workshop, item, facilitator):
    pages = {"/": html(client, "/"), workshop.url: html(client, workshop.url), f"/plans/items/{item.pk}/": None}
    pages[f"/plans/items/{item.pk}/"] = html(client, f"/plans/items/{item.pk}/")
    client.force_login(facilitator)
    pages["/plans/overview/"] = html(client, "/plans/overview/")
    for path, page in pages.items():
        values = re.findall(r'<time datetime="([^"]*)"', page)
        assert values, path
        assert [v for v in values if not DATETIME.match(v)] == [], path


def test_qr_svg_is_a_well_formed_svg_document(client, workshop):
    response = client.get("/w/LIVE23/qr.svg")
    assert response.status_code == 200 and response["Content-Type"] == "image/svg+xml"
    root = ET.fromstring(response.content)  # noqa: S314 (our own output; raises unless well formed)
    assert root.tag == f"{{{SVG_NS}}}svg"
    assert root.get("viewBox") == "0 0 264 264"  # scales to any size; 8 px a module on screen


def test_the_qr_inlined_in_html_pages_stays_html_svg(client, workshop):
    # Inside HTML the SVG namespace is implied: the presenter screen keeps the short form.
    page = html(client, "/w/LIVE23/present/")
    assert '<svg viewBox="' in page and "<?xml" not in page

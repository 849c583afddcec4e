"""The site works in a real browser: home → an office → a workshop."""

from django.core.management import call_command
from django.test import override_settings


@override_settings(DEBUG=True)
def _seed():
    call_command("seed_demo")


def test_home_then_an_office_then_a_workshop(live_server_url, page):
    _seed()
    page.goto(live_server_url + "/")
    assert page.locator("h1").inner_text() == "Atelier"
    assert page.locator("link[rel=stylesheet]").count() == 1

    page.get_by_role("link", name="BCIS Rezina").click()
    page.wait_for_url("**/birouri/rezina/")
    assert page.locator("h1").inner_text() == "BCIS Rezina"
    assert page.get_by_role("rowheader", name="Casa Teritorială de Asigurări Sociale Rezina").is_visible()

    page.get_by_role("link", name="Echipa mobilă: serviciul livrat pe loc, în sat").first.click()
    page.wait_for_url("**/ateliere/echipa-mobila/")
    assert page.locator(".join-code").inner_text() == "DEMO29"
    # The stylesheet was served by the live server, not a CDN.
    background = page.evaluate("getComputedStyle(document.querySelector('.site-header')).backgroundColor")
    assert background == "rgb(243, 245, 248)"

"""The demo prototype: every back arrow drawn on its screens is a real `back` hotspot over the
arrow, in play mode and in a test task, and seeding again restores one that went missing."""

import pytest
from django.core.management import call_command
from django.test import override_settings

from prototypes.demo import BACK, PROTOTYPE, SCREENS
from prototypes.models import Hotspot, Screen
from prototypes.selectors import hotspot_at

pytestmark = pytest.mark.django_db

DRAWN_BACK = ["Formular", "Acte", "Statut"]  # screens 2–4


@pytest.fixture
def demo(bare_site):
    with override_settings(DEBUG=True):
        call_command("seed_demo")


def _screens() -> dict[str, Screen]:
    return {s.title: s for s in Screen.objects.filter(version__prototype__slug=PROTOTYPE, version__number=1)}


def test_the_demo_draws_back_arrows_on_screens_2_to_4_only():
    assert [title for title, layout in SCREENS if layout.get("back")] == DRAWN_BACK


def test_every_drawn_back_arrow_is_a_back_hotspot_covering_it(demo):
    screens = _screens()
    x, y, w, h = BACK
    arrow_points = [(x, y), (x + w, y + h), (x + w / 2, y + h / 2)]
    for title in DRAWN_BACK:
        for point in arrow_points:
            hotspot = hotspot_at(screens[title].pk, *point)
            assert hotspot is not None and hotspot.back, (title, point)
    assert not screens["Start"].hotspots.filter(back=True).exists()


def test_the_back_arrow_of_screen_2_is_a_link_back_in_play_mode(demo, client):
    screens = _screens()
    start, form = screens["Start"], screens["Formular"]
    html = client.get(f"/p/{PROTOTYPE}/v1/s{form.pk}/?from={start.pk}").content.decode()
    assert f'<a class="hotspot hotspot-back" href="/p/{PROTOTYPE}/v1/s{start.pk}/" aria-label="Înapoi (înapoi la: Start)"' in html


def test_seeding_again_restores_a_missing_back_hotspot_and_adds_no_second_one(demo):
    acte = _screens()["Acte"]
    Hotspot.objects.filter(screen=acte, back=True).delete()
    with override_settings(DEBUG=True):
        call_command("seed_demo")
        call_command("seed_demo")
    assert Hotspot.objects.filter(screen=acte, back=True).count() == 1
    assert Hotspot.objects.filter(screen__version__prototype__slug=PROTOTYPE, back=True).count() == len(DRAWN_BACK)

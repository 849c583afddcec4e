"""The tap heatmap: the rendition's size, heat where the taps are, nothing elsewhere."""

import colorsys
import io
import random
import time
from types import SimpleNamespace

import pytest
from django.core.cache import cache
from django.core.files.images import ImageFile
from PIL import Image

from feedback.heatmap import heatmap_png
from tests.prototypes.factories import ImageFactory, ScreenFactory, named, png_bytes

pytestmark = pytest.mark.django_db


def tap(screen, x, y):
    return SimpleNamespace(screen_id=screen.pk, x=x, y=y)


def picture(data: bytes) -> Image.Image:
    image = Image.open(io.BytesIO(data))
    assert image.format == "PNG"
    return image.convert("RGB")


def saturation(pixel) -> float:
    return colorsys.rgb_to_hsv(*(c / 255 for c in pixel))[1]


@pytest.fixture(autouse=True)
def _fresh_renditions():
    """Wagtail caches renditions by image id, and SQLite reuses the ids of rolled-back rows:
    without this a test could get the previous test's picture."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def screen():
    return ScreenFactory(image=ImageFactory(file=ImageFile(named(png_bytes(360, 740, "#d8d8d8"), "grey.png"))))


def test_the_heatmap_has_the_renditions_size_and_heat_at_the_taps(screen):
    other = ScreenFactory(version=screen.version)
    taps = [tap(screen, 0.3, 0.4) for _ in range(12)] + [tap(screen, 0.7, 0.2)] + [tap(other, 0.95, 0.95)] * 20
    rendition = screen.image.get_rendition("max-1080x2400")

    hot, cold = picture(heatmap_png(screen, taps)), picture(heatmap_png(screen, []))
    assert hot.size == cold.size == (rendition.width, rendition.height) == (360, 740)

    w, h = hot.size
    at_cluster = (int(0.3 * w), int(0.4 * h))
    r, g, b = hot.getpixel(at_cluster)
    assert r > 180 and r > g + 60 and r > b + 100  # red where most taps are
    assert saturation(hot.getpixel(at_cluster)) > 0.6 > saturation(cold.getpixel(at_cluster))
    assert saturation(hot.getpixel((int(0.7 * w), int(0.2 * h)))) > 0.3  # a lone tap still shows
    # The far corner (tapped only on another screen) is untouched: the darkened picture.
    corner = (w - 5, h - 5)
    assert hot.getpixel(corner) == cold.getpixel(corner)
    assert saturation(hot.getpixel(corner)) < 0.05


def test_no_taps_give_the_darkened_picture(screen):
    plain = picture(heatmap_png(screen, []))
    assert plain.size == (360, 740)
    value = plain.getpixel((180, 370))
    assert value[0] == value[1] == value[2] < 0xD8  # still grey, darker than the picture


def test_a_few_hundred_taps_on_a_big_screen_are_fast():
    big = ScreenFactory(image=ImageFactory(file=ImageFile(named(png_bytes(1080, 2220, "#f0f0f0"), "big.png"))))
    rendition = big.image.get_rendition("max-1080x2400")  # made once, as a served screen's would be
    rng = random.Random(8)  # noqa: S311 -- repeatable test data, not secrets
    taps = [tap(big, min(1, abs(rng.gauss(0.5, 0.2))), min(1, abs(rng.gauss(0.45, 0.2)))) for _ in range(400)]
    started = time.perf_counter()
    data = heatmap_png(big, taps)
    elapsed = time.perf_counter() - started
    assert picture(data).size == (rendition.width, rendition.height) == (1080, 2220)
    assert elapsed < 1.0, f"{elapsed:.2f} s"

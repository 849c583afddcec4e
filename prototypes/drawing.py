"""Phone-screen pictures for the demo prototype, drawn with Pillow (nothing is downloaded).

Layouts are defined in fractions of the screen, and the same fractions become the hotspots,
so a button drawn here is exactly where its hotspot is.
"""

import io
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

WIDTH, HEIGHT = 720, 1480
FONT_PATHS = [
    "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
    "/usr/share/fonts/truetype/liberation/LiberationSans-Regular.ttf",
    "/usr/share/fonts/truetype/noto/NotoSans-Regular.ttf",
]
BOLD_PATHS = [
    "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf",
    "/usr/share/fonts/truetype/liberation/LiberationSans-Bold.ttf",
    "/usr/share/fonts/truetype/noto/NotoSans-Bold.ttf",
]
ASCII_FALLBACK = str.maketrans("ăâîșțĂÂÎȘȚ✓●", "aaistAAIST+*")


def _font(size: int, bold: bool = False):
    for path in BOLD_PATHS if bold else FONT_PATHS:
        if Path(path).exists():
            return ImageFont.truetype(path, size), True
    # Pillow's own font has no Romanian diacritics: write without them rather than boxes.
    return ImageFont.load_default(size=size), False


def _text(draw, xy, text, size, fill="#1b1f24", bold=False):
    font, unicode_ok = _font(size, bold)
    draw.text(xy, text if unicode_ok else text.translate(ASCII_FALLBACK), font=font, fill=fill)


def _box(fraction_box):
    x, y, w, h = fraction_box
    return (x * WIDTH, y * HEIGHT, (x + w) * WIDTH, (y + h) * HEIGHT)


def draw_screen(*, title: str, lines: list[str], buttons: list[tuple[str, tuple]], fields: list[str] = (),
                back: tuple | None = None, checks: list[str] = ()) -> bytes:
    """A PNG of a simple phone screen; `buttons` are (label, (x, y, w, h) in fractions)."""
    image = Image.new("RGB", (WIDTH, HEIGHT), "#ffffff")
    draw = ImageDraw.Draw(image)
    draw.rectangle((0, 0, WIDTH, 0.09 * HEIGHT), fill="#0b5cad")
    _text(draw, (0.16 * WIDTH, 0.03 * HEIGHT), "e-CNAS", 40, fill="#ffffff", bold=True)
    if back:
        draw.rounded_rectangle(_box(back), radius=12, outline="#ffffff", width=3)
        _text(draw, (_box(back)[0] + 22, _box(back)[1] + 18), "←", 44, fill="#ffffff", bold=True)
    _text(draw, (0.06 * WIDTH, 0.12 * HEIGHT), title, 36, bold=True)
    y = 0.18
    for line in lines:
        _text(draw, (0.06 * WIDTH, y * HEIGHT), line, 30, fill="#4a5360")
        y += 0.035
    y += 0.02
    for label in fields:
        _text(draw, (0.06 * WIDTH, y * HEIGHT), label, 28, fill="#1b1f24")
        draw.rounded_rectangle((0.06 * WIDTH, (y + 0.025) * HEIGHT, 0.94 * WIDTH, (y + 0.065) * HEIGHT),
                               radius=10, outline="#4a5360", width=3)
        y += 0.09
    for label in checks:
        _text(draw, (0.06 * WIDTH, y * HEIGHT), "✓ " + label, 30, fill="#1e6b34", bold=True)
        y += 0.05
    for label, fraction_box in buttons:
        draw.rounded_rectangle(_box(fraction_box), radius=18, fill="#0b5cad")
        left, top, right, bottom = _box(fraction_box)
        _text(draw, (left + 36, top + (bottom - top) / 2 - 22), label, 38, fill="#ffffff", bold=True)
    buffer = io.BytesIO()
    image.save(buffer, format="PNG", optimize=True)
    return buffer.getvalue()

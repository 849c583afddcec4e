"""Where testers tapped on a screen, as a heatmap PNG over the screen's picture.

Pillow only (no numpy): each tap adds a gaussian to a coarse density grid (a cell is a
third of the gaussian's sigma, so the grid stays small and the sums stay in plain Python),
the grid is scaled to the picture with bilinear smoothing, mapped through a colour ramp
(transparent → blue → yellow → red, with alpha) and composited over the darkened picture.
"""

import io
import math

from PIL import Image, ImageEnhance

from prototypes.selectors import RENDITION

SIGMA_OF_WIDTH = 0.02  # a tap's heat shows to about 2 sigma = 4% of the width from it
KERNEL_SIGMAS = 3  # the gaussian is cut off 3 sigma from the tap
CELLS_PER_SIGMA = 3
DARKEN = 0.7  # the picture's brightness under the heat
# (level 0–1, (red, green, blue, alpha)): linear between stops.
# The level is the square root of density / the highest density, so a lone tap next to a
# crowd still shows; below 0.15 it is transparent, which also hides where a gaussian is cut.
RAMP = [
    (0.0, (0, 60, 255, 0)),
    (0.15, (0, 60, 255, 0)),
    (0.35, (0, 90, 255, 140)),
    (0.65, (255, 230, 0, 180)),
    (1.0, (230, 20, 0, 215)),
]
PNG_COMPRESS_LEVEL = 3  # much faster than the default 6, a slightly larger file


def _lookup_tables() -> list[list[int]]:
    tables = [[], [], [], []]
    for i in range(256):
        level = i / 255
        for (low, low_colour), (high, high_colour) in zip(RAMP, RAMP[1:], strict=False):
            if level <= high:
                share = (level - low) / (high - low)
                colour = [round(a + (b - a) * share) for a, b in zip(low_colour, high_colour, strict=True)]
                break
        for channel, table in enumerate(tables):
            table.append(colour[channel])
    return tables


LUTS = _lookup_tables()


def _density(points, grid_w: int, grid_h: int, sigma_cells: float) -> list[float]:
    """The summed gaussians of the points (fractions of the picture) on a grid_w × grid_h grid."""
    half = max(1, math.ceil(KERNEL_SIGMAS * sigma_cells))
    weights = [math.exp(-(d * d) / (2 * sigma_cells * sigma_cells)) for d in range(-half, half + 1)]
    kernel = [[wy * wx for wx in weights] for wy in weights]
    rows = [[0.0] * grid_w for _ in range(grid_h)]
    for fx, fy in points:
        cx = min(grid_w - 1, int(fx * grid_w))
        cy = min(grid_h - 1, int(fy * grid_h))
        x0, x1 = max(0, cx - half), min(grid_w, cx + half + 1)
        k0, k1 = x0 - (cx - half), x1 - (cx - half)
        for gy in range(max(0, cy - half), min(grid_h, cy + half + 1)):
            row, krow = rows[gy], kernel[gy - (cy - half)]
            row[x0:x1] = [a + b for a, b in zip(row[x0:x1], krow[k0:k1], strict=True)]
    return [value for row in rows for value in row]


def heat_layer(size: tuple[int, int], points) -> Image.Image | None:
    """An RGBA layer of `size` with the heat of the points, or None without points."""
    points = list(points)
    if not points:
        return None
    width, height = size
    sigma = max(1.0, SIGMA_OF_WIDTH * width)
    cell = max(1.0, sigma / CELLS_PER_SIGMA)
    grid_w, grid_h = max(1, math.ceil(width / cell)), max(1, math.ceil(height / cell))
    density = _density(points, grid_w, grid_h, sigma / cell)
    peak = max(density)
    grid = Image.new("L", (grid_w, grid_h))
    grid.putdata([min(255, round(255 * math.sqrt(value / peak))) for value in density])
    level = grid.resize((width, height), Image.Resampling.BILINEAR)
    return Image.merge("RGBA", [level.point(table) for table in LUTS])


def heatmap_png(screen, taps, *, rendition_spec: str = RENDITION) -> bytes:
    """The screen's rendition, darkened, with the taps on this screen as heat over it.

    `taps`: anything with `screen_id`, `x` and `y` (fractions of the picture), such as
    `Tap` rows; taps on other screens are left out.
    """
    rendition = screen.image.get_rendition(rendition_spec)
    with rendition.file.open("rb") as handle:
        picture = Image.open(handle)
        picture.load()
    if picture.mode in ("RGBA", "LA", "PA") or (picture.mode == "P" and "transparency" in picture.info):
        flat = Image.new("RGB", picture.size, "white")
        flat.paste(picture.convert("RGBA"), mask=picture.convert("RGBA").getchannel("A"))
        picture = flat
    picture = ImageEnhance.Brightness(picture.convert("RGB")).enhance(DARKEN)
    points = [(min(1.0, max(0.0, t.x)), min(1.0, max(0.0, t.y))) for t in taps if t.screen_id == screen.pk]
    layer = heat_layer(picture.size, points)
    if layer is not None:
        picture = Image.alpha_composite(picture.convert("RGBA"), layer).convert("RGB")
    out = io.BytesIO()
    picture.save(out, format="PNG", compress_level=PNG_COMPRESS_LEVEL)
    return out.getvalue()

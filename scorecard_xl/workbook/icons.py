"""The SPC icons beside the Variation and Assurance words on the scorecard sheets.

Drawn here, in Making Data Count's colours (styles.SPC_COLOURS), so no artwork is
downloaded or shipped: a disc in the verdict's colour with a white mark.

- Variation: H or L for special cause (the side of the signal: high or low), in blue for
  improvement, orange for concern, purple for neutral; three dots in a row on grey for
  common cause.
- Assurance: P on blue for consistently pass, F on orange for consistently fail, a wave on
  grey for hit and miss.

The marks are strokes on a 16-unit grid, not a font, so the picture does not depend on
the fonts installed. Each icon is drawn SUPERSAMPLE times larger and scaled down (smooth
edges), to a PNG of PIXELS square that is shown at SHOWN_PX: three pixels to a screen
pixel, over 300 dpi in print. The PNG holds no date or other metadata: the same words
give the same bytes.
"""

from __future__ import annotations

import functools
import io
import math

from ..engine.spc import COMMON, CONCERN, FAIL, HIT_AND_MISS, IMPROVEMENT, PASS, VARIATIONS
from .styles import SPC_COLOURS

SHOWN_PX = 14  # on screen, at 100%: fits a row of one line of 10 pt text (17 px)
PIXELS = 3 * SHOWN_PX
SUPERSAMPLE = 4
GRID = 16  # the marks' coordinates run from 0 to GRID across the icon
STROKE = 2.0  # grid units
WHITE = "#FFFFFF"

# Each mark: strokes (polylines of grid points) and dots (centre, radius).
_H = [[(5, 4), (5, 12)], [(11, 4), (11, 12)], [(5, 8), (11, 8)]]
_L = [[(6, 4), (6, 12), (11, 12)]]
_F = [[(11, 4), (6, 4), (6, 12)], [(6, 8), (10, 8)]]
_P = [[(6, 12), (6, 4), (9, 4), *[(9 + 2 * math.sin(a / 8 * math.pi), 6 - 2 * math.cos(a / 8 * math.pi))
                                  for a in range(1, 8)], (9, 8), (6, 8)]]
_WAVE = [[(3.5 + 9 * k / 20, 8 - 2.2 * math.sin(k / 20 * 2 * math.pi)) for k in range(21)]]  # a ~
_DOTS = [((4, 8), 1.4), ((8, 8), 1.4), ((12, 8), 1.4)]


def _design(words: str) -> tuple[str, list, list]:
    """(colour, strokes, dots) for a Variation or Assurance verdict, as the engine words it."""
    if words == PASS:
        return SPC_COLOURS[IMPROVEMENT], _P, []
    if words == FAIL:
        return SPC_COLOURS[CONCERN], _F, []
    if words == HIT_AND_MISS:
        return SPC_COLOURS[COMMON], _WAVE, []
    if words == COMMON:
        return SPC_COLOURS[COMMON], [], _DOTS
    if words in VARIATIONS:  # "Special cause concern (high)": the kind, then the side
        kind = words.split()[2].capitalize()
        return SPC_COLOURS[kind], _H if words.endswith("(high)") else _L, []
    raise ValueError(f"no SPC icon for {words!r}")


@functools.cache
def icon_png(words: str) -> bytes:
    """The icon for a Variation or Assurance verdict, as PNG bytes (drawn once a run)."""
    from PIL import Image, ImageDraw  # only a workbook with SPC needs Pillow

    fill, strokes, dots = _design(words)
    size = PIXELS * SUPERSAMPLE
    unit = size / GRID
    picture = Image.new("RGBA", (size, size), (255, 255, 255, 0))
    draw = ImageDraw.Draw(picture)
    draw.ellipse((0, 0, size - 1, size - 1), fill=fill)
    for stroke in strokes:
        points = [(x * unit, y * unit) for x, y in stroke]
        draw.line(points, fill=WHITE, width=round(STROKE * unit), joint="curve")
        for x, y in (points[0], points[-1]):  # round ends
            r = STROKE * unit / 2
            draw.ellipse((x - r, y - r, x + r, y + r), fill=WHITE)
    for (x, y), r in dots:
        draw.ellipse(((x - r) * unit, (y - r) * unit, (x + r) * unit, (y + r) * unit), fill=WHITE)
    out = io.BytesIO()
    picture.resize((PIXELS, PIXELS), Image.Resampling.LANCZOS).save(out, "PNG")
    return out.getvalue()

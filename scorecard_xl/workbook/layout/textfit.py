"""How much room text takes in a cell, so the layout can size rows and split long text.

Neither Excel nor LibreOffice grows a row to fit a merged cell, and no row is taller than
409 pt, so text that the layout does not measure is cut short on screen and on paper.
Widths are Arial's (LibreOffice prints Arial with Liberation Sans, which has the same
widths); wrapping is done the way both programs do it, at spaces, with a word longer
than a line broken where it must be. Every estimate errs towards more room: characters
outside ASCII count as their base letter, or as a full em when they have none, and
SAFETY covers the rounding of each glyph to whole pixels on screen.
"""

from __future__ import annotations

import functools
import math
import re
import unicodedata

from ..styles import FONT

# Advance widths in 1/1000 em for " " (32) to "~" (126): Arial, regular and bold.
_WIDTHS = {
    False: [278, 278, 355, 556, 556, 889, 667, 191, 333, 333, 389, 584, 278, 333, 278, 278, 556, 556, 556, 556,
            556, 556, 556, 556, 556, 556, 278, 278, 584, 584, 584, 556, 1015, 667, 667, 722, 722, 667, 611, 778,
            722, 278, 500, 667, 556, 833, 722, 778, 667, 778, 722, 667, 611, 722, 667, 944, 667, 667, 611, 278,
            278, 278, 469, 556, 333, 556, 556, 500, 556, 556, 278, 556, 556, 222, 222, 500, 222, 833, 556, 556,
            556, 556, 333, 500, 278, 556, 500, 722, 500, 500, 500, 334, 260, 334, 584],
    True: [278, 333, 474, 556, 556, 889, 722, 238, 333, 333, 389, 584, 278, 333, 278, 278, 556, 556, 556, 556,
           556, 556, 556, 556, 556, 556, 333, 333, 584, 584, 584, 611, 975, 722, 722, 722, 722, 667, 611, 778,
           722, 278, 556, 722, 611, 833, 722, 778, 667, 778, 722, 667, 611, 722, 667, 944, 667, 667, 611, 333,
           278, 333, 584, 556, 333, 556, 611, 556, 611, 556, 333, 611, 611, 278, 278, 556, 278, 889, 611, 611,
           611, 611, 389, 556, 333, 611, 556, 778, 556, 556, 500, 389, 280, 389, 584],
}
SAFETY = 1.05
CELL_PADDING_PX = 6  # the gap Excel and LibreOffice leave between a cell's text and its edges
FONT_PT = FONT["font_size"]
LINE_PT = 12.75  # a line of 10 pt Arial, as Excel sizes rows of wrapped text (LibreOffice: about 11.5)
MAX_ROW_PT = 409  # the tallest row Excel allows
_TOKENS = re.compile(r"\S+|\s+")  # words, and the spaces between them


@functools.cache
def char_px(ch: str, size: float = FONT_PT, bold: bool = False) -> float:
    """The width of one character at `size` points, in pixels at 96 dpi, with SAFETY."""
    code = ord(ch)
    if not 32 <= code <= 126:
        base = unicodedata.normalize("NFKD", ch)[:1]
        code = ord(base) if base and 32 <= ord(base) <= 126 else None
    em = 1000 if code is None else _WIDTHS[bold][code - 32]
    return em / 1000 * size * 96 / 72 * SAFETY


def text_px(text: str, size: float = FONT_PT, bold: bool = False) -> float:
    return sum(char_px(ch, size, bold) for ch in text)


def line_breaks(text: str, width_px: float, size: float = FONT_PT, bold: bool = False) -> list[int]:
    """Where each wrapped line of `text` starts, as offsets into it (the first is 0).

    `width_px` is the cell's width; a line holds what fits inside its padding. Spaces
    that end a line hang past it, as they do on screen.
    """
    room = width_px - CELL_PADDING_PX
    starts, ink = [0], 0.0  # ink: the line up to its last word
    for start, end, word_px, spaces in _words(text, size, bold):
        if start > starts[-1] and ink + spaces + word_px > room:
            starts.append(start)
            ink, spaces = 0.0, 0.0
        if ink + spaces + word_px <= room:
            ink += spaces + word_px
            continue
        for i in range(start, end):  # a word longer than a line breaks anywhere
            w = char_px(text[i], size, bold)
            if i > starts[-1] and ink + spaces + w > room:
                starts.append(i)
                ink, spaces = 0.0, 0.0
            ink += spaces + w
            spaces = 0.0
    return starts


@functools.lru_cache(maxsize=4096)
def _words(text: str, size: float, bold: bool) -> tuple[tuple[int, int, float, float], ...]:
    """Each word of `text`: where it starts and ends, its width, and the width of the spaces before it."""
    words, spaces = [], 0.0
    for token in _TOKENS.finditer(text):
        width = text_px(token.group(), size, bold)
        if token.group().isspace():
            spaces += width
        else:
            words.append((token.start(), token.end(), width, spaces))
            spaces = 0.0
    return tuple(words)


@functools.lru_cache(maxsize=65536)  # page fitting tries each title at many widths, for every unit's sheet
def lines_needed(text: str, width_px: float, size: float = FONT_PT, bold: bool = False) -> int:
    return sum(len(line_breaks(part, width_px, size, bold)) for part in text.split("\n"))


def row_height(lines: int, size: float = FONT_PT) -> float:
    """A row holding `lines` lines of wrapped text of `size` points, as Excel sizes it to fit."""
    line = math.ceil(LINE_PT * size / FONT_PT / 0.75) * 0.75  # Excel's rows grow by whole pixels
    return min(MAX_ROW_PT, max(1, lines) * line)


def lines_in(height_pt: float) -> int:
    """How many lines of text a row `height_pt` high holds."""
    return int(min(height_pt, MAX_ROW_PT) // LINE_PT)


def narrowest_px(texts: list[str], max_lines: int, size: float = FONT_PT, bold: bool = False) -> float:
    """The narrowest cell, in pixels, in which each of `texts` wraps into at most `max_lines` lines."""
    width = max(text_px(word, size, bold) for text in texts for word in text.split()) + CELL_PADDING_PX
    while any(lines_needed(text, width, size, bold) > max_lines for text in texts):
        width += 1
    return width

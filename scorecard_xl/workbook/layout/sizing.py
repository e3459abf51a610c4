"""Columns and rows sized to the text they hold, and tables fitted to their printed pages.

Heights are set for every row of a sheet that is printed, so Excel, LibreOffice and the
page breaks (page.py) agree on them; widths and heights come from the text (textfit.py).
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from ..styles import style_dict
from .model import Sheet
from .page import (
    SMALLEST_SCALE,
    PageFlow,
    column_px,
    page_px,
    printed_px,
    set_print_scale,
    width_for_px,
)
from .textfit import (
    CELL_PADDING_PX,
    FONT_PT,
    lines_needed,
    narrowest_px,
    row_height,
    text_px,
)

FIGURE = "100.0%"  # the widest figure a column of results is sized for
HEADER_LINES = 3  # a column heading wraps into at most this many lines (by default)
NARROWEST_TITLES = 30  # the narrowest column of titles, in characters


def column_widths(headers: list[str], samples: dict[int, list[str]], lines: int = HEADER_LINES) -> dict[int, float]:
    """Each column as narrow as its heading (in `lines` lines) and its values allow.

    samples: the values shown in a column, by column; FIGURE stands for a column not given.
    """
    return {col: column_width(header, samples.get(col, [FIGURE]), lines) for col, header in enumerate(headers)}


def column_width(header: str, samples: Sequence[str], lines: int = HEADER_LINES) -> float:
    """A column as narrow as its heading (in `lines` lines) and the widest of `samples` allow."""
    values = [text_px(v) + CELL_PADDING_PX for v in samples]
    return width_for_px(max([narrowest_px([header], lines, bold=True), *values]))


def header_height(sheet: Sheet, headers: list[str]) -> float:
    """The height of a header row whose headings (by column, from A) wrap in their columns."""
    return row_height(max(lines_needed(h, column_px(sheet.widths[c]), bold=True) for c, h in enumerate(headers)))


def fit_row(sheet: Sheet, row: int, texts: dict[int, str]) -> None:
    """Make `row` tall enough for each of `texts`, wrapped in its column (the key)."""
    sheet.row_heights[row] = row_height(max(lines_needed(t, column_px(sheet.widths[c])) for c, t in texts.items()))


def fit_to_pages(sheet: Sheet, title_col: int, titles: dict[int, str], blocks: list[tuple[int, int]],
                 least: dict[int, float] | None = None) -> None:
    """Print `sheet` on as few pages as it can, as large as it can, by the width of its titles.

    The titles (by row) wrap in `title_col`: a wider column makes fewer, shorter rows but a
    smaller print scale. Of the widths that keep the type at 8 pt or more, the narrowest
    that gives the fewest pages wins. Sets the column's width, the row heights, the print
    scale and the page breaks, keeping each of `blocks` (first row, last row) on one page.
    least: the height (pt) some rows need at least, for cells beside the title that wrap in
    columns of their own (whose widths do not change here).
    """
    least = least or {}
    header_row = sheet.header_rows[1]  # the row with a heading in every column
    headers = [c.value for c in sorted(sheet.cells, key=lambda c: c.col) if c.row == header_row]
    size_rows(sheet)

    def lay_out(width: int) -> tuple[int, int]:
        sheet.widths[title_col] = width
        sheet.row_heights[header_row] = header_height(sheet, headers)
        for row, text in titles.items():
            fit_row(sheet, row, {title_col: text})
            sheet.row_heights[row] = max(sheet.row_heights[row], least.get(row, 0))
        set_print_scale(sheet)
        sheet.page_breaks = []
        flow = PageFlow(sheet)
        for first, last in blocks:
            flow.keep(first, last)
        return len(sheet.page_breaks), -sheet.print_scale

    def fits(width: int) -> bool:
        sheet.widths[title_col] = width
        return printed_px(sheet) * SMALLEST_SCALE <= page_px(sheet) * 100

    # The same sheet for every unit (a workbook per unit) gives the same answer: search once.
    key = (tuple(headers), title_col, tuple(sorted(sheet.widths.items())), tuple(sorted(sheet.row_heights.items())),
           tuple(sorted(titles.items())), tuple(blocks), tuple(sorted(least.items())), sheet.header_rows,
           sheet.print_cols, sheet.landscape)
    if key not in _BEST_WIDTH:
        one_line = math.ceil(width_for_px(max((text_px(t) for t in titles.values()), default=0) + CELL_PADDING_PX))
        widths = [w for w in range(NARROWEST_TITLES, max(one_line, NARROWEST_TITLES) + 1) if fits(w)]
        _BEST_WIDTH[key] = min(widths or [NARROWEST_TITLES], key=lay_out)
    lay_out(_BEST_WIDTH[key])


_BEST_WIDTH: dict[tuple, int] = {}  # fit_to_pages' answers, by everything they depend on


def size_rows(sheet: Sheet, through: int | None = None) -> None:
    """Give each row not sized yet the height Excel gives a line of its largest type.

    Excel and LibreOffice size such a row differently (15 pt and 12.75 pt for 10 pt type);
    set, it is the same in both, and the page breaks are placed for it. Rows up to
    `through`, or else to the last row holding a cell.
    """
    sizes: dict[int, float] = {}
    for cell in sheet.cells:
        sizes[cell.row] = max(sizes.get(cell.row, FONT_PT), style_dict(cell.style)["font_size"])
    for row in range((max(sizes, default=-1) if through is None else through) + 1):
        sheet.row_heights.setdefault(row, row_height(1, sizes.get(row, FONT_PT)))

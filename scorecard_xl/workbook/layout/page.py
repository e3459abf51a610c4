"""The printed page: A4 with its margins, the print scale of a sheet and its page breaks.

The sheets a manager prints are printed at a scale computed from their column widths,
not "fit to one page wide": fitting shrinks a wide sheet to whatever fits (5 pt type for
the activity table) and leaves the layout unable to know where pages end. With the scale
known, the layout chooses the page breaks itself (PageFlow): between sections, inside a
block only when it is longer than a page.

Heights are estimated high, never low: a row whose height the layout does not set counts
as DEFAULT_ROW_PT (LibreOffice gives a row of 10 pt text less), and PAGE_SLACK_PT of each
page is left free, so a page never has to hold more than the layout put on it.
"""

from __future__ import annotations

import math

from .model import Sheet
from .textfit import FONT_PT

PAPER_A4 = 9  # XlsxWriter's number for A4
A4_IN = (8.27, 11.69)  # short side, long side
MARGINS_IN = {"left": 0.4, "right": 0.4, "top": 0.5, "bottom": 0.6}
SMALLEST_PRINTED_PT = 8
SMALLEST_SCALE = math.ceil(100 * SMALLEST_PRINTED_PT / FONT_PT)  # body type prints at 8 pt or more
DEFAULT_WIDTH = 8.43  # a column whose width is not set, in Excel's characters
# A column is as many digits of the default font (10 pt Arial) wide as its width says, and a
# padding: a digit is 7 px in Excel, which rounds glyphs to whole pixels; LibreOffice prints
# it 0.556 em wide, 5.9% wider.
DIGIT_PX = 7
COLUMN_PADDING_PX = 5
PRINTED_DIGIT_PX = 0.556 * FONT_PT * 96 / 72
DEFAULT_ROW_PT = 15  # a row whose height is not set, as XlsxWriter (and so Excel) gives it
PAGE_SLACK_PT = 15
CHART_PADDING_PX = 10  # room for a chart's border


def _page_in(sheet: Sheet) -> tuple[float, float]:
    """The printable width and height of a page of `sheet`, in inches."""
    short, long = A4_IN
    width, height = (long, short) if sheet.landscape else (short, long)
    return (width - MARGINS_IN["left"] - MARGINS_IN["right"],
            height - MARGINS_IN["top"] - MARGINS_IN["bottom"])


def column_px(width: float) -> int:
    """A column's width in pixels at 96 dpi, as Excel converts its width in characters."""
    if width < 1:
        return int(width * (DIGIT_PX + COLUMN_PADDING_PX) + 0.5)
    return int(width * DIGIT_PX + 0.5) + COLUMN_PADDING_PX


def width_for_px(px: float) -> float:
    """The column width, in Excel's characters, that is at least `px` pixels wide."""
    return max(1.0, math.ceil((math.ceil(px) - COLUMN_PADDING_PX) / DIGIT_PX * 100) / 100)


def span_px(sheet: Sheet, first_col: int, last_col: int) -> int:
    return sum(column_px(sheet.widths.get(c, DEFAULT_WIDTH)) for c in range(first_col, last_col + 1))


def printed_px(sheet: Sheet) -> float:
    """How wide the printed part of `sheet` is at 100%, its columns and charts, as the wider of
    Excel and LibreOffice prints it."""
    if sheet.print_cols is not None:
        px = span_px(sheet, 0, sheet.print_cols)
    else:
        last = max((c.col if c.last_col is None else c.last_col for c in sheet.cells), default=0)
        charts = [span_px(sheet, 0, c.col - 1) + c.width + CHART_PADDING_PX for c in sheet.charts]
        px = max([span_px(sheet, 0, last), *charts])
    return px * PRINTED_DIGIT_PX / DIGIT_PX


def page_px(sheet: Sheet) -> float:
    """The printable width of a page of `sheet` at 100%, in pixels at 96 dpi."""
    return _page_in(sheet)[0] * 96


def set_print_scale(sheet: Sheet, whole: list[tuple[int, int]] = ()) -> None:
    """Print `sheet` as large as fits one page wide, up to 100%, and small enough for each of
    the blocks of rows `whole` (first, last) to fit on one page, where its type can stay 8 pt.

    A sheet too wide for SMALLEST_SCALE keeps its type readable and prints on more than one
    page across.
    """
    scale = min(100, page_px(sheet) * 100 / printed_px(sheet))
    for first, last in whole:
        height = sum(sheet.row_heights.get(r, DEFAULT_ROW_PT) for r in range(first, last + 1))
        fits = _page_height_pt(sheet) * 100 / height
        if fits >= SMALLEST_SCALE:
            scale = min(scale, fits)
    sheet.print_scale = max(SMALLEST_SCALE, math.floor(scale))


def _page_height_pt(sheet: Sheet) -> float:
    """The height a page of `sheet` holds at 100%, less PAGE_SLACK_PT."""
    return _page_in(sheet)[1] * 72 - PAGE_SLACK_PT


class PageFlow:
    """The rows of a sheet laid down its printed pages in order, choosing its page breaks.

    Call `keep` for each block of rows in order (and `new_page` where a page must start);
    rows between blocks go with the block after them. Needs the sheet's print scale.
    """

    def __init__(self, sheet: Sheet):
        self.sheet = sheet
        self.capacity = _page_height_pt(sheet) * 100 / sheet.print_scale
        self.next_row = 0  # the first row not laid yet
        self.used = 0.0  # the height used on the current page
        self.top = 0.0  # the height used by the repeated header rows on the current page

    def height(self, row: int) -> float:
        return self.sheet.row_heights.get(row, DEFAULT_ROW_PT)

    def room(self, row: int) -> float:
        """The height left on the current page for `row`, after the rows before it."""
        return self.capacity - self.used - sum(self.height(r) for r in range(self.next_row, row))

    def new_page(self, row: int) -> None:
        self.sheet.page_breaks.append(row)
        header = self.sheet.header_rows
        self.top = sum(self.height(r) for r in range(header[0], header[1] + 1)) if header and row > header[1] else 0
        self.used, self.next_row = self.top, row

    def keep(self, first: int, last: int | None = None) -> None:
        """Lay rows `first` to `last` on one page if they fit on one; a longer block breaks where it must."""
        last = first if last is None else last
        block = sum(self.height(r) for r in range(first, last + 1))
        if self.used > self.top and self.room(first) < block:
            gap_fits = self.room(first) >= 0
            self.new_page(first if gap_fits else self.next_row)
        for row in range(self.next_row, last + 1):
            if self.used > self.top and self.used + self.height(row) > self.capacity:
                self.new_page(row)
            self.used += self.height(row)
        self.next_row = last + 1

"""The activity sheet (named by the template, e.g. SCS Activity): caseloads, referrals, CP and LAC counts per unit."""

from __future__ import annotations

from ...engine.template import Template
from ...model import Scorecard
from .common import BACK_TO_CONTENTS, blank
from .model import Sheet, link_to
from .page import column_px, set_print_scale, width_for_px
from .sizing import size_rows
from .textfit import CELL_PADDING_PX, LINE_PT, narrowest_px, text_px

HEADER_ROW = 3


def activity_sheet(scorecard: Scorecard, template: Template) -> Sheet:
    month = scorecard.month
    sheet = Sheet(template.activity_sheet, f"{template.activity_sheet}: {month:%b %Y}", printed=True)
    sheet.put(0, 0, sheet.title, "title")
    sheet.put(1, 0, f"This month is {month:%B %Y}; last month is the month before. "
                    "Changes are this month minus last month.", "note")
    sheet.put(2, 0, BACK_TO_CONTENTS, "link", link=link_to("Contents"))
    table = scorecard.activity
    sheet.put(HEADER_ROW, 0, table.columns[0], "header")
    for col, name in enumerate(table.columns[1:], start=1):
        sheet.put(HEADER_ROW, col, name, "header_rotated")
    units, figures = [], []
    for i, record in enumerate(table.itertuples(index=False)):
        row = HEADER_ROW + 1 + i
        for col, (name, value) in enumerate(zip(table.columns, record, strict=False)):
            value = blank(value)
            if col == 0:
                parent = bool(template.units[value].units)
                units.append(text_px(value, bold=parent))
                sheet.put(row, col, value, "label" if parent else "text")
            elif name.endswith(" - Change"):
                figures.append(text_px("" if value is None else f"{value:+d}"))
                sheet.put(row, col, value, "signed")
            else:
                figures.append(text_px("" if value is None else str(value)))
                sheet.put(row, col, value, "integer")
    _size_columns(sheet, list(table.columns), units, figures)
    sheet.freeze = (HEADER_ROW + 1, 1)
    sheet.header_rows = (HEADER_ROW, HEADER_ROW)
    size_rows(sheet)
    set_print_scale(sheet)
    return sheet


def _size_columns(sheet: Sheet, headers: list[str], units_px: list[float], figures_px: list[float]) -> None:
    """The units' column as wide as the longest name; every figure column as narrow as its
    widest figure and two lines of its rotated heading allow.

    The heading row is as tall as the longest heading needs, wrapped into those two lines.
    """
    line_px = LINE_PT * 96 / 72
    figure_width = width_for_px(max([*figures_px, 2 * line_px]) + CELL_PADDING_PX)
    across = int((column_px(figure_width) - CELL_PADDING_PX) // line_px)
    sheet.widths = {0: width_for_px(max([*units_px, text_px(headers[0], bold=True)]) + CELL_PADDING_PX),
                    **{c: figure_width for c in range(1, len(headers))}}
    sheet.row_heights = {HEADER_ROW: narrowest_px(headers[1:], across, bold=True) * 72 / 96}

"""A unit's scorecard sheet: every indicator by section, with RAG, direction and trend.

The county workbook has one for each unit the template's `scorecards` names (the county
first); a unit's workbook has its own. Anchors: each indicator's row, for links.

With SPC on (the template's `spc`), two more columns: the reporting month's Variation and
Assurance for the unit (cohort All), as words in the cell, for screen readers, filters and
grey-scale print, with Making Data Count's icon (icons.py) in the cell's indent, left of
the words. The columns are as narrow as the longest words allow in SPC_LINES lines, the
same for every unit, and each row is as tall as its words need. (The words make the Kent
scorecard print on three pages rather than two.)
"""

from __future__ import annotations

import pandas as pd

from ...engine.calculator import unit_results
from ...engine.spc import FAIL, HIT_AND_MISS, PASS, VARIATIONS
from ...engine.template import Template
from ...model import Scorecard
from ..icons import PIXELS, SHOWN_PX, icon_png
from ..styles import SPC_INDENT_SPACES
from .common import (
    BACK_TO_CONTENTS,
    blank,
    count_style,
    financial_year,
    result_style,
    section_row,
)
from .model import Image, RagRange, Sheet, Sparkline, link_to
from .page import column_px, width_for_px
from .sizing import HEADER_LINES, column_widths, fit_to_pages
from .textfit import lines_needed, narrowest_px, row_height, text_px

HEADERS = [
    "ID", "Indicator", "Polarity", "Data Period", "Latest Result", "RAG", "Num", "Denom",
    "Target", "1 Month Ago Result", "1 Month Ago DoT", "1 Year Ago Result", "1 Year Ago DoT",
    "Rolling 3 Months", "Rolling 3 Months RAG", "Last 13 Months",
]
SPC_HEADERS = {"Variation": VARIATIONS, "Assurance": (PASS, FAIL, HIT_AND_MISS)}  # and every verdict they show
# Lines the longest verdict wraps into: many titles take two lines anyway, and narrower columns would
# leave the titles too little width (the scorecard prints one page wide, at 8 pt or more).
SPC_LINES = 2
ICON_OFFSET = (2, 1)  # pixels from the cell's corner: left of the indent, level with the first line
INDENT_PX = text_px(" " * SPC_INDENT_SPACES)  # the room the "spc" style leaves left of the words, for the icon
HEADER_ROW = 3
SPARKLINE_WIDTH = 16


def scorecard_sheet(scorecard: Scorecard, template: Template, unit: str,
                    trend_rows: dict[tuple[str, str], int]) -> Sheet:
    month = scorecard.month
    name = template.scorecard_sheet_for(unit)
    sheet = Sheet(name, f"{name}: {month:%b %Y}", printed=True)
    sheet.put(0, 0, sheet.title, "title")
    targets = "its own targets where the template sets them" if any(
        unit in i.unit_targets for i in template.indicators) else "targets"
    latest = unit_results(scorecard.results, template, month, unit).set_index("Indicator")
    spc = [h for h in SPC_HEADERS if h in latest.columns]  # none when the template switches SPC off
    sheet.put(1, 0, f"{template.title}. Latest results for {unit}, {month:%B %Y}, with RAG rating against "
                    f"{targets}, direction of travel (DoT) and rolling 3 months.", "note")
    sheet.put(2, 0, BACK_TO_CONTENTS, "link", link=link_to("Contents"))
    headers = [*HEADERS[:-1], *spc, HEADERS[-1]]
    headers[8] = f"Target for {financial_year(month, template)}"
    for col, text in enumerate(headers):
        sheet.put(HEADER_ROW, col, text, "header")
    sparkline_col = len(headers) - 1
    spc_cols = {h: headers.index(h) for h in spc}
    indicators = template.indicators
    codes = {0: [i.id for i in indicators], 2: [i.polarity for i in indicators], 3: [i.period for i in indicators],
             5: ["G"], 10: ["↑"], 12: ["↑"], 14: ["G"]}
    sheet.widths = {**column_widths(headers[:sparkline_col], codes), sparkline_col: SPARKLINE_WIDTH,
                    **{col: _spc_width(h) for h, col in spc_cols.items()}}
    sheet.print_cols = sparkline_col - 1  # LibreOffice cannot print sparklines: they are for the screen

    row = HEADER_ROW + 1
    first_data = row
    titles: dict[int, str] = {}
    least: dict[int, float] = {}  # rows whose SPC words need more lines than their title may
    together = [(0, HEADER_ROW)]  # rows kept on one page: the title and header, each section, the counts
    for section in template.sections:
        section_row(sheet, row, section.title, len(headers))
        together.append((row, row + len(section.indicators)))
        row += 1
        for ind in section.indicators:
            r = latest.loc[ind.id]
            style = result_style(ind)
            values = [
                (ind.id, "text"), (ind.title, "wrap"), (ind.polarity, "dot"), (ind.period, "dot"),
                (blank(r["Result"]), style), (blank(r["RAG"]), "rag"),
                (blank(r["Numerator"]) if ind.has_denominator else None, count_style(ind.fractional_numerator)),
                (blank(r["Denominator"]), count_style(ind.fractional_denominator)),
                (_target(ind, month, unit), style),
                (blank(r["Result 1 Month Ago"]), style), (blank(r["DoT 1 Month"]), "dot"),
                (blank(r["Result 1 Year Ago"]), style), (blank(r["DoT 1 Year"]), "dot"),
                (blank(r["Rolling 3 Months"]), style), (blank(r["Rolling 3 Months RAG"]), "rag"),
            ]
            for col, (value, st) in enumerate(values):
                sheet.put(row, col, value, st)
            for header, col in spc_cols.items():
                words = blank(r[header])
                sheet.put(row, col, words, "spc")
                if words is not None:
                    sheet.images.append(Image(row, col, icon_png(words), words, SHOWN_PX / PIXELS, ICON_OFFSET))
                    least[row] = max(least.get(row, 0), row_height(lines_needed(words, _words_px(sheet, col))))
            titles[row] = ind.title
            sheet.anchors[ind.id] = row
            if (unit, ind.id) in trend_rows:
                sheet.sparklines.append(Sparkline(row, sparkline_col, trend_rows[(unit, ind.id)]))
            row += 1
    last_data = row - 1
    sheet.rag_ranges.append(RagRange(first_data, 5, last_data, 5))
    sheet.rag_ranges.append(RagRange(first_data, 14, last_data, 14))

    row += 1
    sheet.put(row, 0, "Latest performance RAG rating", "subtitle")
    counts = scorecard.views[unit].rag_counts
    # Under Num, Denom and Target: columns wide enough for the words.
    for col, (letter, word) in enumerate((("G", "GREEN"), ("A", "AMBER"), ("R", "RED")), start=6):
        sheet.put(row + 1, col, word, "header")
        sheet.put(row + 2, col, counts[letter], "integer")
    together.append((row, row + 2))

    sheet.freeze = (HEADER_ROW + 1, 2)
    sheet.header_rows = (HEADER_ROW, HEADER_ROW)
    fit_to_pages(sheet, 1, titles, together, least)
    return sheet


def _spc_width(header: str) -> float:
    """A column as narrow as its heading (in HEADER_LINES lines) and every verdict it can show (in
    SPC_LINES lines, right of the indent) allow."""
    words = narrowest_px(list(SPC_HEADERS[header]), SPC_LINES)
    return width_for_px(max(narrowest_px([header], HEADER_LINES, bold=True), INDENT_PX + words))


def _words_px(sheet: Sheet, col: int) -> float:
    """The width the words of an SPC cell wrap in: the column less the indent."""
    return column_px(sheet.widths[col]) - INDENT_PX


def _target(ind, month: pd.Timestamp, unit: str):
    period = ind.target_for(month.date(), unit)
    return float(period.target) if period else None

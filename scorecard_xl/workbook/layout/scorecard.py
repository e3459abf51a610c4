"""A unit's scorecard sheet: every indicator by section, with RAG, direction and trend.

The county workbook has one for each unit the template's `scorecards` names (the county
first); a unit's workbook has its own. Anchors: each indicator's row, for links.
"""

from __future__ import annotations

import pandas as pd

from ...engine.calculator import unit_results
from ...engine.template import Template
from ...model import Scorecard
from .common import (
    BACK_TO_CONTENTS,
    blank,
    count_style,
    financial_year,
    result_style,
    section_row,
)
from .model import RagRange, Sheet, Sparkline, link_to
from .sizing import column_widths, fit_to_pages

HEADERS = [
    "ID", "Indicator", "Polarity", "Data Period", "Latest Result", "RAG", "Num", "Denom",
    "Target", "1 Month Ago Result", "1 Month Ago DoT", "1 Year Ago Result", "1 Year Ago DoT",
    "Rolling 3 Months", "Rolling 3 Months RAG", "Last 13 Months",
]
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
    sheet.put(1, 0, f"{template.title}. Latest results for {unit}, {month:%B %Y}, with RAG rating against "
                    f"{targets}, direction of travel (DoT) and rolling 3 months.", "note")
    sheet.put(2, 0, BACK_TO_CONTENTS, "link", link=link_to("Contents"))
    headers = list(HEADERS)
    headers[8] = f"Target for {financial_year(month, template)}"
    for col, text in enumerate(headers):
        sheet.put(HEADER_ROW, col, text, "header")
    sparkline_col = len(headers) - 1
    indicators = template.indicators
    codes = {0: [i.id for i in indicators], 2: [i.polarity for i in indicators], 3: [i.period for i in indicators],
             5: ["G"], 10: ["↑"], 12: ["↑"], 14: ["G"]}
    sheet.widths = {**column_widths(headers[:sparkline_col], codes), sparkline_col: SPARKLINE_WIDTH}
    sheet.print_cols = sparkline_col - 1  # LibreOffice cannot print sparklines: they are for the screen

    latest = unit_results(scorecard.results, template, month, unit).set_index("Indicator")
    row = HEADER_ROW + 1
    first_data = row
    titles: dict[int, str] = {}
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
    fit_to_pages(sheet, 1, titles, together)
    return sheet


def _target(ind, month: pd.Timestamp, unit: str):
    period = ind.target_for(month.date(), unit)
    return float(period.target) if period else None

"""The Impact of UASC sheet: results with and without unaccompanied asylum-seeking children."""

from __future__ import annotations

from ...engine.template import Template
from ...model import ALL, EXCL, Scorecard
from .common import (
    BACK_TO_CONTENTS,
    blank,
    count_style,
    financial_year,
    result_style,
    section_row,
)
from .model import RagRange, Sheet, link_to
from .sizing import FIGURE, column_widths, fit_to_pages

HEADER_ROW = 3


def uasc_sheet(scorecard: Scorecard, template: Template) -> Sheet | None:
    """The template's blocks of units and indicators; in a unit's own workbook, only the blocks for
    that unit (no sheet when it has none)."""
    spec = template.uasc_impact
    if spec is None:
        return None
    blocks = [(s.title, s.unit, spec.unit_indicators) for s in spec.unit_sections]
    blocks.append((spec.other_title, spec.other_unit, spec.other_indicators))
    if scorecard.root != template.organisation_tree.name:
        blocks = [block for block in blocks if block[1] == scorecard.root]
        if not blocks:
            return None
    month = scorecard.month
    sheet = Sheet(spec.sheet, f"{spec.heading or spec.sheet}: {month:%b %Y}", printed=True)
    sheet.put(0, 0, sheet.title, "title")
    sheet.put(1, 0, "Each indicator including and excluding unaccompanied asylum-seeking children (UASC). "
                    "Variance = result excluding UASC minus result including UASC.", "note")
    sheet.put(2, 0, BACK_TO_CONTENTS, "link", link=link_to("Contents"))
    headers = ["Indicators", "Polarity", "Data Period",
               "Including UASC: Latest Result", "Including UASC: RAG", "Including UASC: Num",
               "Including UASC: Denom", f"Target for {financial_year(month, template)}",
               "Excluding UASC: Latest Result", "Excluding UASC: RAG", "Excluding UASC: Num",
               "Excluding UASC: Denom", "Variance with UASC excluded"]
    for col, text in enumerate(headers):
        sheet.put(HEADER_ROW, col, text, "header")

    results = scorecard.results
    latest = results[results["Month"] == month].set_index(["Indicator", "Unit", "Cohort"])
    row = HEADER_ROW + 1
    first = row
    titles: dict[int, str] = {}
    together = [(0, HEADER_ROW)]  # rows kept on one page: the title and header, each section
    for title, unit, ids in blocks:
        section_row(sheet, row, title, len(headers))
        together.append((row, row + len(ids)))
        row += 1
        for ind_id in ids:
            ind = template.indicator(ind_id)
            titles[row] = ind.title
            both = [latest.loc[(ind.id, unit, c)] if (ind.id, unit, c) in latest.index else None
                    for c in (ALL, EXCL)]
            style = result_style(ind)
            period = ind.target_for(month.date(), unit)
            cells = [(ind.title, "wrap"), (ind.polarity, "dot"), (ind.period, "dot")]
            for k, r in enumerate(both):
                part = [
                    (blank(r["Result"]) if r is not None else None, style),
                    (blank(r["RAG"]) if r is not None else None, "rag"),
                    (blank(r["Numerator"]) if r is not None and ind.has_denominator else None,
                     count_style(ind.fractional_numerator)),
                    (blank(r["Denominator"]) if r is not None else None, count_style(ind.fractional_denominator)),
                ]
                cells += part
                if k == 0:
                    cells.append((float(period.target) if period else None, style))
            variance = None
            if both[0] is not None and both[1] is not None:
                a, b = blank(both[0]["Result"]), blank(both[1]["Result"])
                variance = None if a is None or b is None else b - a
            cells.append((variance, result_style(ind, signed=True)))
            for col, (value, st) in enumerate(cells):
                sheet.put(row, col, value, st)
            row += 1
    sheet.rag_ranges += [RagRange(first, 4, row - 1, 4), RagRange(first, 9, row - 1, 9)]
    shown = [template.indicator(i) for _, _, ids in blocks for i in ids]
    sheet.widths = column_widths(headers, {1: [i.polarity for i in shown], 2: [i.period for i in shown],
                                           4: ["G"], 9: ["G"], 12: ["+" + FIGURE]}, lines=4)
    sheet.freeze = (HEADER_ROW + 1, 1)
    sheet.header_rows = (HEADER_ROW, HEADER_ROW)
    fit_to_pages(sheet, 0, titles, together)
    return sheet

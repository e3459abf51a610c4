"""The RAG overview: every indicator down the side, every unit with a scorecard across.

The sheet a director reads first: which area is Red where. Each unit has two columns, its
latest result (a number, formatted as the indicator is) and its RAG letter (coloured by
conditional formatting, so colour is never the only signal); the county comes first. Each
unit's heading links to its scorecard sheet. Under the table, each unit's RAG counts.
Printed one page wide, breaking between sections.
"""

from __future__ import annotations

from ...engine.calculator import unit_results
from ...engine.template import Template
from ...model import Scorecard
from .common import BACK_TO_CONTENTS, blank, result_style, section_row
from .model import RagRange, Sheet, link_to
from .sizing import column_widths, fit_to_pages

HEADER_ROW = 3  # the units' names, each over its two columns; the row below: Result, RAG
FIRST_UNIT_COL = 2  # ID, Indicator, then two columns a unit


def overview_sheet(scorecard: Scorecard, template: Template, units: list[str],
                   unit_sheets: dict[str, str]) -> Sheet:
    """units: the county first, then the units with a scorecard; unit_sheets: each unit's sheet name."""
    month = scorecard.month
    name = template.overview_sheet
    sheet = Sheet(name, f"{name}: {month:%b %Y}", printed=True)
    sheet.put(0, 0, sheet.title, "title")
    sheet.put(1, 0, f"Latest result and RAG rating of every indicator for {', '.join(units)}, {month:%B %Y}. "
                    "Each unit's name links to its scorecard.", "note")
    sheet.put(2, 0, BACK_TO_CONTENTS, "link", link=link_to("Contents"))
    headers = ["ID", "Indicator"] + ["Result", "RAG"] * len(units)
    for col in (0, 1):
        sheet.put(HEADER_ROW, col, None, "header")
    for col, text in enumerate(headers):
        sheet.put(HEADER_ROW + 1, col, text, "header")
    for k, unit in enumerate(units):
        col = FIRST_UNIT_COL + 2 * k
        sheet.put(HEADER_ROW, col, unit, "header_link", link=link_to(unit_sheets[unit], 0), last_col=col + 1)

    latest = {unit: unit_results(scorecard.results, template, month, unit).set_index("Indicator") for unit in units}
    row = HEADER_ROW + 2
    first = row
    titles: dict[int, str] = {}
    together = [(0, HEADER_ROW + 1)]
    for section in template.sections:
        section_row(sheet, row, section.title, len(headers))
        together.append((row, row + len(section.indicators)))
        row += 1
        for ind in section.indicators:
            sheet.put(row, 0, ind.id, "text")
            sheet.put(row, 1, ind.title, "wrap")
            titles[row] = ind.title
            for k, unit in enumerate(units):
                figures = latest[unit].loc[ind.id]
                col = FIRST_UNIT_COL + 2 * k
                sheet.put(row, col, blank(figures["Result"]), result_style(ind))
                sheet.put(row, col + 1, blank(figures["RAG"]), "rag")
            row += 1
    for k in range(len(units)):
        col = FIRST_UNIT_COL + 2 * k + 1
        sheet.rag_ranges.append(RagRange(first, col, row - 1, col))

    row += 1
    sheet.put(row, 1, "Latest performance RAG rating", "subtitle")
    counts_first = row + 1
    for offset, (letter, word) in enumerate((("G", "Green"), ("A", "Amber"), ("R", "Red")), start=1):
        sheet.put(row + offset, 1, word, "rag")
        for k, unit in enumerate(units):
            sheet.put(row + offset, FIRST_UNIT_COL + 2 * k, scorecard.views[unit].rag_counts[letter], "integer")
    sheet.rag_ranges.append(RagRange(counts_first, 1, counts_first + 2, 1))
    together.append((row, row + 3))

    indicators = template.indicators
    samples = {0: [i.id for i in indicators], **{FIRST_UNIT_COL + 2 * k + 1: ["G"] for k in range(len(units))}}
    sheet.widths = column_widths(headers, samples)
    for k, unit in enumerate(units):  # each unit's name on one line over its two columns (LibreOffice
        col = FIRST_UNIT_COL + 2 * k  # does not wrap a link's text)
        room = column_widths([unit], {0: [""]}, lines=1)[0] - sheet.widths[col + 1]
        sheet.widths[col] = max(sheet.widths[col], room)
    sheet.freeze = (HEADER_ROW + 2, 2)
    sheet.header_rows = (HEADER_ROW, HEADER_ROW + 1)
    fit_to_pages(sheet, 1, titles, together)
    return sheet

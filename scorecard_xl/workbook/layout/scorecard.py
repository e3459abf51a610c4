"""A unit's scorecard sheet: every indicator by section, with RAG, direction and trend.

The county workbook has one for each unit the template's `scorecards` names (the county
first); a unit's workbook has its own. Anchors: each indicator's row, for links. The
columns, with SPC's Variation and Assurance and the sparklines, are in scorecard_columns.py.
"""

from __future__ import annotations

from ...engine.calculator import unit_results
from ...engine.template import Template
from ...model import Scorecard
from ..icons import PIXELS, SHOWN_PX, icon_png
from .columns import last_printed_col, position, put_headers, put_row, rag_ranges, titles_col, widths_for
from .common import BACK_TO_CONTENTS, section_row
from .model import Image, Sheet, Sparkline, link_to
from .page import column_px
from .scorecard_columns import INDENT_PX, SPARKLINES, ScorecardRow, scorecard_columns
from .sizing import fit_to_pages
from .textfit import lines_needed, row_height

ICON_OFFSET = (2, 1)  # pixels from the cell's corner: left of the indent, level with the first line
HEADER_ROW = 3


def scorecard_sheet(scorecard: Scorecard, template: Template, unit: str,
                    trend_rows: dict[tuple[str, str], int]) -> Sheet:
    month = scorecard.month
    name = template.scorecard_sheet_for(unit)
    sheet = Sheet(name, f"{name}: {month:%b %Y}", printed=True)
    sheet.put(0, 0, sheet.title, "title")
    targets = "its own targets where the template sets them" if any(
        unit in i.unit_targets for i in template.indicators) else "targets"
    latest = unit_results(scorecard.results, template, month, unit).set_index("Indicator")
    sheet.put(1, 0, f"{template.title}. Latest results for {unit}, {month:%B %Y}, with RAG rating against "
                    f"{targets}, direction of travel (DoT) and rolling 3 months.", "note")
    sheet.put(2, 0, BACK_TO_CONTENTS, "link", link=link_to("Contents"))
    columns = scorecard_columns(template, month, spc=scorecard.spc is not None)
    put_headers(sheet, HEADER_ROW, columns)
    sheet.widths = widths_for(columns)
    sheet.print_cols = last_printed_col(columns)
    sparkline_col = columns.index(SPARKLINES)
    icon_cols = [col for col, c in enumerate(columns) if c.icon]

    row = HEADER_ROW + 1
    first_data = row
    titles: dict[int, str] = {}
    least: dict[int, float] = {}  # rows whose SPC words need more lines than their title may
    together = [(0, HEADER_ROW)]  # rows kept on one page: the title and header, each section, the counts
    for section in template.sections:
        section_row(sheet, row, section.title, len(columns))
        together.append((row, row + len(section.indicators)))
        row += 1
        for ind in section.indicators:
            item = ScorecardRow(ind, latest.loc[ind.id], unit, month)
            put_row(sheet, row, columns, item)
            for col in icon_cols:
                words = columns[col].value(item)
                if words is not None:
                    sheet.images.append(Image(row, col, icon_png(words), words, SHOWN_PX / PIXELS, ICON_OFFSET))
                    least[row] = max(least.get(row, 0), row_height(lines_needed(words, _words_px(sheet, col))))
            titles[row] = ind.title
            sheet.anchors[ind.id] = row
            if (unit, ind.id) in trend_rows:
                sheet.sparklines.append(Sparkline(row, sparkline_col, trend_rows[(unit, ind.id)]))
            row += 1
    sheet.rag_ranges += rag_ranges(columns, first_data, row - 1)

    row += 1
    sheet.put(row, 0, "Latest performance RAG rating", "subtitle")
    counts = scorecard.views[unit].rag_counts
    # Under Num, Denom and Target: columns wide enough for the words.
    for col, (letter, word) in enumerate((("G", "GREEN"), ("A", "AMBER"), ("R", "RED")),
                                         start=position(columns, "Num")):
        sheet.put(row + 1, col, word, "header")
        sheet.put(row + 2, col, counts[letter], "integer")
    together.append((row, row + 2))

    sheet.freeze = (HEADER_ROW + 1, titles_col(columns) + 1)  # the IDs and titles stay in view
    sheet.header_rows = (HEADER_ROW, HEADER_ROW)
    fit_to_pages(sheet, titles_col(columns), titles, together, least)
    return sheet


def _words_px(sheet: Sheet, col: int) -> float:
    """The width the words of an SPC cell wrap in: the column less the indent."""
    return column_px(sheet.widths[col]) - INDENT_PX

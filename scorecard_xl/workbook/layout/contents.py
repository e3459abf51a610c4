"""The Contents sheet: what the workbook is, the RAG summary, and a link to every sheet."""

from __future__ import annotations

import pandas as pd

from ...engine.template import Template
from ...model import Scorecard
from ..styles import RAG_COLOURS
from .model import Chart, ChartSeries, RagRange, Sheet, link_to
from .page import set_print_scale, span_px
from .sizing import fit_row, size_rows
from .textfit import lines_needed, row_height

SHEET = "Contents"
NOTES_LAST_COL = 6  # the reading notes span columns A to G

READING_NOTES = [
    "RAG: each result is rated Green (on or better than target), Amber (short of target but not past the "
    "red threshold) or Red; the letter is shown beside the colour.",
    "Polarity: H, higher is better; L, lower is better; T, nearest the target is best.",
    "Data period: R12M, the 12 months to the month shown (numerators and denominators summed); "
    "SS, a snapshot at the end of the month.",
    "Direction of travel (DoT): ↑ improved, ↓ worsened, → unchanged, judged by polarity, comparing exact "
    "values (two results that show the same when rounded can still differ).",
    "Rolling 3 months: the last 3 months' numerators over their denominators, for R12M indicators.",
    "Cohorts: All includes unaccompanied asylum-seeking children (UASC); Excluding UASC leaves them out.",
    "Percentages are stored as fractions with a percent number format; every figure is a number.",
]


def workbook_title(scorecard: Scorecard, template: Template) -> str:
    """The template's title; for a unit's own workbook, with the unit's name."""
    if scorecard.root == template.organisation_tree.name:
        return template.title
    return f"{template.title}: {scorecard.root}"


def contents_sheet(scorecard: Scorecard, template: Template, sheets: list[tuple[str, str]],
                   exception_rows: dict[str, int], source: dict[str, str],
                   not_printed: list[str] | None = None,
                   unit_reds: list[tuple[str, str, list[tuple[str, str, int]]]] | None = None) -> Sheet:
    """The Contents sheet listing `sheets` (name, description).

    not_printed: for the printed copy, the sheets of the workbook that it leaves out.
    unit_reds: for the county workbook, each other unit with a scorecard sheet: (unit, its
        sheet, [(indicator, title, row on that sheet)] for its Red indicators).
    """
    month = scorecard.month
    title = workbook_title(scorecard, template)
    sheet = Sheet(SHEET, title, printed=True)
    sheet.widths = {0: 24, 1: 62, 2: 3}
    sheet.put(0, 0, title, "title")
    row = 2
    details = [("Organisation", template.organisation),
               ("Unit", scorecard.root), ("Reporting month", month),
               ("Date produced", pd.Timestamp(source["produced"])), ("Input file", source["name"]),
               ("Input SHA-256", source["sha256"]), ("Template", template.name),
               ("Data source", template.data_source)]
    for label, value in details:
        sheet.put(row, 0, label, "label")
        style = "text"
        if isinstance(value, pd.Timestamp):
            style = "date" if label == "Reporting month" else "day"
        sheet.put(row, 1, value, style)
        row += 1

    row += 1
    sheet.put(row, 0, f"Latest performance RAG rating ({scorecard.root})", "subtitle")
    row += 1
    sheet.put(row, 0, "RAG", "header")
    sheet.put(row, 1, "Indicators", "header")
    first = row + 1
    for letter, word in (("G", "Green"), ("A", "Amber"), ("R", "Red")):
        row += 1
        sheet.put(row, 0, word, "rag")
        sheet.put(row, 1, scorecard.rag_counts[letter], "integer")
    sheet.rag_ranges.append(RagRange(first, 0, row, 0))
    sheet.charts.append(Chart(
        kind="column", title="Indicators by RAG rating",
        series=[ChartSeries("Indicators", f"='{SHEET}'!$A${first + 1}:$A${row + 1}",
                            f"='{SHEET}'!$B${first + 1}:$B${row + 1}")],
        row=2, col=3, width=380, height=220, colors=[RAG_COLOURS[k]["font_color"] for k in "GAR"],
        description="Column chart of the number of indicators rated Green, Amber and Red."))

    row += 2
    sheet.put(row, 0, "Red indicators", "subtitle")
    if not scorecard.exceptions:
        row += 1
        sheet.put(row, 0, "None this month.")
    for report in scorecard.exceptions:
        row += 1
        sheet.put(row, 0, f"{report.indicator}: {report.title}", "link",
                  link=link_to("Exceptions", exception_rows.get(report.indicator, 0)))
    if unit_reds:
        row += 2
        sheet.put(row, 0, "Red indicators of the other scorecards", "subtitle")
        row += 1
        sheet.put(row, 0, "Unit", "header")
        sheet.put(row, 1, "Indicator rated Red (a link to its row on the unit's scorecard)", "header")
        for unit, unit_sheet, reds in unit_reds:
            for ind_id, ind_title, anchor in reds or [(None, "None this month.", 0)]:
                row += 1
                sheet.put(row, 0, unit, "text")
                if ind_id is None:
                    sheet.put(row, 1, ind_title, "text")
                else:
                    sheet.put(row, 1, f"{ind_id}: {ind_title}", "link", link=link_to(unit_sheet, anchor))
                fit_row(sheet, row, {0: unit, 1: f"{ind_id}: {ind_title}"})

    row += 2
    sheet.put(row, 0, "Sheets", "subtitle")
    row += 1
    sheet.put(row, 0, "Sheet", "header")
    sheet.put(row, 1, "What it holds", "header")
    for name, description in sheets:
        row += 1
        if " (in " in name:  # a sheet of the companion workbook: no link inside this file
            sheet.put(row, 0, name, "wrap")
        else:
            sheet.put(row, 0, name, "link", link=link_to(name))
        sheet.put(row, 1, description, "wrap")
        fit_row(sheet, row, {0: name, 1: description})
    if not_printed:
        row += 1
        names = ", ".join(not_printed[:-1]) + (" and " if len(not_printed) > 1 else "") + not_printed[-1]
        sheet.put(row, 0, f"Also in the workbook, not printed: {names}.", "note")

    row += 2
    sheet.put(row, 0, "Reading the scorecard", "subtitle")
    for note in READING_NOTES:
        row += 1
        sheet.put(row, 0, note, "wrap", last_col=NOTES_LAST_COL)
        sheet.row_heights[row] = row_height(lines_needed(note, span_px(sheet, 0, NOTES_LAST_COL)))
    size_rows(sheet)
    set_print_scale(sheet, whole=[(0, row)])  # the cover
    return sheet

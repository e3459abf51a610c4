"""The Contents sheet: what the workbook is, the RAG and SPC summaries, and a link to every sheet.

With SPC on, the unit's indicators counted by Variation (its kind: the words without the
side) and by Assurance, each table ending with those not assessed, so it adds up to every
indicator; and notes on reading SPC, from the template's `spc` settings.
"""

from __future__ import annotations

import pandas as pd

from ...engine.spc import COMMON, FAIL, HIT_AND_MISS, PASS
from ...engine.template import Template
from ...model import ALL, Scorecard
from ..styles import RAG_COLOURS
from .model import Chart, ChartSeries, RagRange, Sheet, link_to
from .page import column_px, set_print_scale, span_px, width_for_px
from .sizing import fit_row, size_rows
from .textfit import lines_needed, row_height

SHEET = "Contents"
NOTES_LAST_COL = 6  # the reading notes span columns A to G
SPC_COL = 3  # the RAG chart is at column D, the SPC counts under it, in columns D and E
RAG_CHART_PX = 380

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


VARIATION_KINDS = ("Special cause concern", "Special cause improvement", "Special cause neutral", COMMON)
ASSURANCES = (FAIL, PASS, HIT_AND_MISS)
NOT_ASSESSED = "Not assessed"


def spc_notes(template: Template) -> list[str]:
    """How to read the SPC columns, icons and charts, with the template's settings."""
    spc = template.spc
    return [
        "SPC (statistical process control, as NHS England's Making Data Count draws it): each indicator's own "
        f"monthly values over the {spc.window_months} months to the reporting month (for R12M indicators the "
        "month's numerator over its denominator, not the rolling figure), their mean and process limits (the "
        f"mean plus or minus 2.66 times the mean moving range). It needs {spc.min_points} points, one of them "
        "the reporting month; with fewer, Variation and Assurance are left empty (not assessed).",
        "Variation, the reporting month: common cause (grey icon) is the process's usual month-to-month "
        "variation, no signal; special cause is a signal: a point beyond a process limit, a run of "
        f"{spc.trend_run} points each higher (or lower) than the one before, {spc.shift_run} points on one side "
        "of the mean, or two of three points close to a limit.",
        "Special cause improvement (blue icon) or concern (orange): the signal is in the better or the worse "
        "direction by the indicator's polarity; neutral (purple) where nearest the target is best (T). H or L "
        "on the icon, (high) or (low) in the words: the signal is above or below the mean, or a rising or "
        "falling run.",
        "Assurance, whether the process as it runs will meet the target: consistently pass (blue, P: the "
        "target lies beyond the process limits on the good side), consistently fail (orange, F: beyond them on "
        "the bad side; it will not be met without a change), hit and miss (grey: between the limits, met in "
        "some months and not others). None for T indicators or without a target.",
    ]


def spc_counts(scorecard: Scorecard, template: Template) -> tuple[list[tuple[str, int]], list[tuple[str, int]]]:
    """The unit's (the workbook's root's) indicators counted by variation kind and by assurance, each
    ending with those not assessed: the verdicts of its series (cohort All), as its scorecard shows them."""
    series = scorecard.spc_series
    own = series[(series["Unit"] == scorecard.root) & (series["Cohort"] == ALL)]
    kinds = own["Variation"].dropna().str.replace(r" \((high|low)\)$", "", regex=True)
    assurance = own["Assurance"].dropna()
    total = len(template.indicators)
    return ([(k, int((kinds == k).sum())) for k in VARIATION_KINDS] + [(NOT_ASSESSED, total - len(kinds))],
            [(a, int((assurance == a).sum())) for a in ASSURANCES] + [(NOT_ASSESSED, total - len(assurance))])


def _counts(sheet: Sheet, row: int, col: int, column: str, counts: list[tuple[str, int]], style: str = "text") -> int:
    """A small table of indicators counted by `column`, its header at (`row`, `col`); return its last row."""
    sheet.put(row, col, column, "header")
    sheet.put(row, col + 1, "Indicators", "header")
    for label, count in counts:
        row += 1
        sheet.put(row, col, label, style)
        sheet.put(row, col + 1, count, "integer")
    return row


def workbook_title(scorecard: Scorecard, template: Template) -> str:
    """The template's title; for a unit's own workbook, with the unit's name."""
    if scorecard.root == template.organisation_tree.name:
        return template.title
    return f"{template.title}: {scorecard.root}"


def contents_sheet(scorecard: Scorecard, template: Template, sheets: list[Sheet],
                   exception_rows: dict[str, int], source: dict[str, str],
                   not_printed: list[str] | None = None,
                   unit_reds: list[tuple[str, str, list[tuple[str, str, int]]]] | None = None,
                   in_companion: list[Sheet] | None = None) -> Sheet:
    """The Contents sheet listing `sheets` (each a link, with its description).

    not_printed: for the printed copy, the sheets of the workbook that it leaves out.
    in_companion: the sheets written to the companion workbook (source["companion"], --raw-data
        separate), listed after the others, without links.
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
    first = row + 2
    row = _counts(sheet, row + 1, 0, "RAG", [(word, scorecard.rag_counts[letter]) for letter, word in
                                             (("G", "Green"), ("A", "Amber"), ("R", "Red"))], "rag")
    sheet.rag_ranges.append(RagRange(first, 0, row, 0))
    sheet.charts.append(Chart(
        kind="column", title="Indicators by RAG rating",
        series=[ChartSeries("Indicators", f"='{SHEET}'!$A${first + 1}:$A${row + 1}",
                            f"='{SHEET}'!$B${first + 1}:$B${row + 1}")],
        row=2, col=SPC_COL, width=RAG_CHART_PX, height=220, colors=[RAG_COLOURS[k]["font_color"] for k in "GAR"],
        description="Column chart of the number of indicators rated Green, Amber and Red."))

    if scorecard.spc is not None:
        # Under the RAG chart, beside the Red indicators: the cover stays as long as it was.
        variation, assurance = spc_counts(scorecard, template)
        sheet.put(row + 2, SPC_COL, f"SPC this month ({scorecard.root})", "subtitle")
        _counts(sheet, _counts(sheet, row + 3, SPC_COL, "Variation", variation) + 2, SPC_COL, "Assurance", assurance)
        # The chart above ends inside column E: LibreOffice prints whole columns, and a column the
        # chart only reached into would print on a page of its own.
        sheet.widths[SPC_COL] = 24
        sheet.widths[SPC_COL + 1] = width_for_px(RAG_CHART_PX - column_px(sheet.widths[SPC_COL]))

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
    listed = [(s.name, s.description, True) for s in sheets]
    listed += [(f"{s.name} (in {source['companion']})", s.description, False) for s in in_companion or []]
    for name, description, linked in listed:
        row += 1
        if linked:
            sheet.put(row, 0, name, "link", link=link_to(name))
        else:  # a sheet of the companion workbook: no link inside this file
            sheet.put(row, 0, name, "wrap")
        sheet.put(row, 1, description, "wrap")
        fit_row(sheet, row, {0: name, 1: description})
    if not_printed:
        row += 1
        names = ", ".join(not_printed[:-1]) + (" and " if len(not_printed) > 1 else "") + not_printed[-1]
        sheet.put(row, 0, f"Also in the workbook, not printed: {names}.", "note")

    row += 2
    sheet.put(row, 0, "Reading the scorecard", "subtitle")
    row = _notes(sheet, row, READING_NOTES)
    if scorecard.spc is not None:
        row += 2
        sheet.put(row, 0, "Reading SPC", "subtitle")
        row = _notes(sheet, row, spc_notes(template))
    size_rows(sheet)
    set_print_scale(sheet, whole=[(0, row)])  # the cover
    return sheet


def _notes(sheet: Sheet, row: int, notes: list[str]) -> int:
    """Notes under `row`, each a paragraph across the notes' columns; return the last row."""
    for note in notes:
        row += 1
        sheet.put(row, 0, note, "wrap", last_col=NOTES_LAST_COL)
        sheet.row_heights[row] = row_height(lines_needed(note, span_px(sheet, 0, NOTES_LAST_COL)))
    return row

"""The Exceptions sheet: a report for every indicator the workbook's unit (the county, or the
unit of a unit's workbook) rates Red.

Each report has an SPC chart (Making Data Count's XmR chart) of the indicator's monthly
values over the SPC window, from spccharts.py's data: the points (special cause coloured
over the grey line of all points), the mean, the process limits and the target; without
enough points only the points, mean and target, and a note under it says why. With SPC
switched off, a line chart of the last 13 months' results and target (the Trends sheet).

Each report starts on a new printed page. Its commentary is written a paragraph to a row;
a paragraph longer than the room left on its page continues in the rows below, each as
tall as its page allows, so a long commentary flows onto further pages whole instead of
being cut off at the foot of one row (textfit.py measures the text, page.py the page).
"""

from __future__ import annotations

import math

import pandas as pd

from ...engine.spc import COMMON
from ...engine.template import Indicator, Template
from ...model import Problem, Scorecard
from ..styles import RAG_WORDS, SPC_COLOURS, number_style
from .common import BACK_TO_CONTENTS, blank, result_style
from .model import Chart, ChartSeries, RagRange, Sheet, link_to
from .page import CHART_PADDING_PX, PageFlow, set_print_scale, span_px
from .sizing import size_rows
from .spccharts import LOWER, MEAN, SPECIAL, TARGET, UPPER, VALUE, SpcChart
from .textfit import (
    LINE_PT,
    MAX_ROW_PT,
    line_breaks,
    lines_in,
    lines_needed,
    row_height,
)
from .trends import HEADER_ROW as TRENDS_HEADER_ROW
from .trends import TREND_MONTHS, trend_range

SHEET = "Exceptions"
NO_COMMENTARY = "No commentary supplied."
EXCEL_CELL_LIMIT = 32_767  # characters in one cell
TEXT_COLS = 8  # text blocks span columns A to H
CHART_HEIGHT_PX = 200
SPC_CHART_HEIGHT_PX = 230  # the Returner Interviews report, with its commentary, still fits its page
GREY_LINE, MEAN_LINE, LIMIT_LINE, TARGET_LINE = SPC_COLOURS[COMMON], "#404040", "#7F7F7F", "#C00000"
FEWEST_LINES = 3  # a paragraph starts on the next page rather than with fewer lines at a page's foot
REPORTS_APART = 2  # a report starts this many rows below the end of the one before


def exceptions_sheet(scorecard: Scorecard, template: Template, trend_rows: dict[tuple[str, str], int],
                     warnings: list[Problem], spc_charts: dict[str, SpcChart] | None = None) -> Sheet:
    """The sheet; its anchors are the rows where each indicator's report starts (for links).

    spc_charts: the SPC charts' data by indicator (spccharts.py); None with SPC switched off.

    Laid out twice: once to measure the reports, then at the print scale that puts each on
    one page, where that keeps the type at 8 pt or more.
    """
    draft = _exceptions_sheet(scorecard, template, trend_rows, spc_charts, [], scale=100)
    starts = [0, *sorted(draft.anchors.values())[1:]]
    ends = [start - REPORTS_APART for start in starts[1:]] + [max(c.row for c in draft.cells)]
    set_print_scale(draft, whole=list(zip(starts, ends, strict=False)) if draft.anchors else [])
    return _exceptions_sheet(scorecard, template, trend_rows, spc_charts, warnings, draft.print_scale)


def _exceptions_sheet(scorecard: Scorecard, template: Template, trend_rows: dict[tuple[str, str], int],
                      spc_charts: dict[str, SpcChart] | None, warnings: list[Problem], scale: int) -> Sheet:
    month = scorecard.month
    sheet = Sheet(SHEET, f"Exception reports: {month:%b %Y}", printed=True)
    sheet.put(0, 0, sheet.title, "title")
    sheet.put(1, 0, f"One report for each indicator rated Red for {scorecard.root} in {month:%B %Y}.", "note")
    sheet.put(2, 0, BACK_TO_CONTENTS, "link", link=link_to("Contents"))
    sheet.widths = {0: 24, **{c: 14 for c in range(1, TEXT_COLS)}}
    sheet.print_cols = TEXT_COLS - 1
    sheet.print_scale = scale
    flow = PageFlow(sheet)
    row = 4
    if not scorecard.exceptions:
        sheet.put(row, 0, "No indicator is rated Red this month.")
    for report in scorecard.exceptions:
        ind = template.indicator(report.indicator)
        if sheet.anchors:
            flow.new_page(row)  # each report starts on a new printed page
        sheet.anchors[ind.id] = row
        row = _report(sheet, flow, row, report, ind, scorecard, template, trend_rows, spc_charts,
                      warnings) + REPORTS_APART
    size_rows(sheet)
    return sheet


def _report(sheet: Sheet, flow: PageFlow, row: int, report, ind: Indicator, scorecard: Scorecard,
            template: Template, trend_rows: dict[tuple[str, str], int], spc_charts: dict[str, SpcChart] | None,
            warnings: list[Problem]) -> int:
    """Write one report from `row`; return its last row."""
    month = scorecard.month
    first = row
    sheet.put(row, 0, report.title, "subtitle", last_col=TEXT_COLS - 2)
    sheet.put(row, TEXT_COLS - 1, "Red", "rag")
    sheet.rag_ranges.append(RagRange(row, TEXT_COLS - 1, row, TEXT_COLS - 1))
    owners = template.owners
    row += 1
    for pairs in ((("Cabinet Member", owners.cabinet_member), ("Director", owners.director)),
                  (("Portfolio", owners.portfolio), ("Division", owners.division))):
        for k, (label, name) in enumerate(pairs):
            # Names overflow into the empty cell beside them, keeping the trend columns even.
            sheet.put(row, 3 * k, label, "label")
            sheet.put(row, 3 * k + 1, name)
        row += 1

    row += 1
    trend = report.trend
    style = result_style(ind)
    sheet.put(row, 0, "Trend Data – Month End", "header")
    for k, when in enumerate(trend["Month"]):
        sheet.put(row, 1 + k, when.strftime("%b %Y"), "header_right")
    is_root = scorecard.root == template.organisation_tree.name
    label = f"{template.organisation_short or scorecard.root if is_root else scorecard.root} Result"
    for offset, (name, column) in enumerate(((label, "Result"), ("Target", "Target"), ("RAG Rating", "RAG"))):
        r = row + 1 + offset
        sheet.put(r, 0, name, "label")
        for k, value in enumerate(trend[column]):
            value = blank(value)
            if column == "RAG":
                sheet.put(r, 1 + k, RAG_WORDS.get(value) if value else None, "rag")
            elif column == "Result" and value is not None:
                sheet.put(r, 1 + k, value, _trend_style(ind, value, trend["Month"].iloc[k], scorecard.root))
            else:
                sheet.put(r, 1 + k, value, style)
    sheet.rag_ranges.append(RagRange(row + 3, 1, row + 3, len(trend)))
    row += 5

    if spc_charts is not None:
        row = _spc_chart(sheet, row, report.title, ind, spc_charts.get(ind.id), scorecard, template)
    elif (scorecard.root, ind.id) in trend_rows:
        row = _trend_chart(sheet, row, report.title, ind, trend_rows[(scorecard.root, ind.id)])
    size_rows(sheet, through=row - 1)
    flow.keep(first, row - 1)

    heading = row
    sheet.put(row, 0, "Commentary", "subtitle")
    size_rows(sheet)
    if flow.room(heading) < sheet.row_heights[heading] + FEWEST_LINES * LINE_PT:
        flow.new_page(heading)  # the heading goes with the commentary's first lines
    flow.keep(heading)
    row += 1
    if report.commentary:
        paragraphs = [p.strip() for p in report.commentary.split("\n") if p.strip()]
        if any(_excel_length(p) > EXCEL_CELL_LIMIT for p in paragraphs):
            warnings.append(Problem("warning", f"indicator {ind.id}: a commentary paragraph is longer than "
                                               f"Excel's {EXCEL_CELL_LIMIT:,} characters a cell; it continues "
                                               "in the cells below, and is cut short in print", "Commentary"))
        for paragraph in paragraphs:
            row = _paragraph(sheet, flow, row, paragraph)
    else:
        sheet.put(row, 0, NO_COMMENTARY, "note", last_col=TEXT_COLS - 1)
        whose = "" if scorecard.root == template.organisation_tree.name else f" for {scorecard.root}"
        warnings.append(Problem("warning", f"indicator {ind.id} is Red{whose} but no commentary was supplied "
                                           f"for {month:%b %Y}", "Commentary"))
        row += 1

    row += 1
    heading = row
    sheet.put(row, 0, "Data Notes", "subtitle")
    for note in data_notes(ind, template, month, scorecard.root):
        row += 1
        _note(sheet, row, note)
    size_rows(sheet)
    flow.keep(heading, row)
    return row


def _trend_chart(sheet: Sheet, row: int, title: str, ind: Indicator, data_row: int) -> int:
    """The last 13 months' results and the target (SPC switched off), from `row`; return the row after it."""
    months = trend_range(TRENDS_HEADER_ROW, absolute=True)
    sheet.charts.append(Chart(
        kind="line", title=f"{title}: last {TREND_MONTHS} months",
        series=[ChartSeries("Result", months, trend_range(data_row, absolute=True), marker=5),
                ChartSeries("Target", months, trend_range(data_row + 1, absolute=True), dash=True,
                            color=LIMIT_LINE)],
        row=row, col=0, percent_axis=ind.unit == "percent", width=640, height=CHART_HEIGHT_PX,
        description=f"Line chart of {title} for the last {TREND_MONTHS} months, with the target."))
    return row + _chart_rows(CHART_HEIGHT_PX)


def _spc_chart(sheet: Sheet, row: int, title: str, ind: Indicator, data: SpcChart | None, scorecard: Scorecard,
               template: Template) -> int:
    """The SPC chart and the notes under it, from `row`; return the row after them."""
    month, settings = scorecard.month, template.spc
    window = f"the {settings.window_months} months to {month:%b %Y}"
    if data is None:
        return _note(sheet, row, f"No SPC chart: {title} has no monthly value in {window}.")
    months = data.range()
    series = [ChartSeries(VALUE, months, data.range(VALUE), color=GREY_LINE, width=1.5, marker=5),
              ChartSeries(MEAN, months, data.range(MEAN), color=MEAN_LINE, width=1.25)]
    if data.enough:
        series += [ChartSeries(name, months, data.range(name), dash=True, color=LIMIT_LINE, width=1.25)
                   for name in (LOWER, UPPER)]
    series.append(ChartSeries(TARGET, months, data.range(TARGET), dash=True, color=TARGET_LINE, width=1.5))
    # Special cause points last, drawn over the grey ones: markers only, in their colour.
    series += [ChartSeries(SPECIAL[kind], months, data.range(SPECIAL[kind]), color=SPC_COLOURS[kind], width=0,
                           marker=7) for kind in data.special]
    shown = data.last_col - data.first_col + 1
    lines = "the mean, the process limits" if data.enough else "the mean"
    causes = " and ".join(SPECIAL[kind].lower() for kind in data.special)
    sheet.charts.append(Chart(
        # The report's heading, just above, names the indicator; the alt text names it too. A title without
        # it stays on one line, leaving the height to the plot.
        kind="line", title=f"SPC: each month's value, {shown} months to {month:%b %Y}", series=series, row=row,
        col=0,
        percent_axis=ind.unit == "percent", width=span_px(sheet, 0, TEXT_COLS - 1) - CHART_PADDING_PX,
        height=SPC_CHART_HEIGHT_PX, y_axis=_axis(data.low, data.high, ind.unit == "percent"), legend="right",
        description=f"SPC chart of {title}: each month's own value ({data.points} points, {shown} months to "
                    f"{month:%b %Y}) with {lines} and the target" + (f"; {causes} points coloured." if causes else
                                                                      "; no special cause.")))
    row += _chart_rows(SPC_CHART_HEIGHT_PX)
    what = "each month's own value (for R12M indicators the month's numerator over its denominator, not the " \
           "rolling 12 months above)" if ind.period == "R12M" else "each month's value"
    row = _note(sheet, row, f"SPC: {what}, with {lines} of these points, and the target. Special cause points are "
                            "coloured: blue improvement, orange concern, purple neutral; grey points are common "
                            "cause. See Contents, Reading SPC.")
    if not data.enough:
        row = _note(sheet, row, f"No process limits or special causes: {data.points} point(s) in {window}, where "
                                f"SPC needs {settings.min_points}, one of them {month:%b %Y}.")
    return row


def _axis(low: float, high: float, percent: bool) -> tuple[float, float, float]:
    """A value axis close around the figures charted (minimum, maximum, step), as an XmR chart is
    drawn: the programs' own axis starts at zero, flattening the points. Round steps, 4 to 8 of
    them; never below zero or, for percentages, above 100% when the figures are not."""
    span = high - low or abs(high) or 1
    step = 10 ** math.floor(math.log10(span / 4))
    step *= next(k for k in (1, 2, 5, 10) if span * 1.2 / (step * k) <= 7)
    bottom = math.floor((low - span / 10) / step) * step
    top = math.ceil((high + span / 10) / step) * step
    if low >= 0:
        bottom = max(bottom, 0)
    if percent and high <= 1:
        top = min(top, 1)
    return round(bottom, 10), round(top, 10), round(step, 10)


def _chart_rows(height_px: int) -> int:
    """The rows a chart `height_px` tall takes, and one to spare."""
    return math.ceil(height_px * 72 / 96 / LINE_PT) + 1


def _note(sheet: Sheet, row: int, text: str) -> int:
    """Text across the report's width at `row`, in a row as tall as it wraps; return the row after it."""
    sheet.put(row, 0, text, "wrap", last_col=TEXT_COLS - 1)
    sheet.row_heights[row] = row_height(lines_needed(text, span_px(sheet, 0, TEXT_COLS - 1)))
    return row + 1


def _paragraph(sheet: Sheet, flow: PageFlow, row: int, text: str) -> int:
    """Write one paragraph of commentary from `row`, in rows that each fit the room left on
    their page; return the row after it."""
    if _excel_length(text) > EXCEL_CELL_LIMIT:
        # Continued in cells of Excel's limit, each as tall as a row can be: all of it can be
        # read on screen, but not on paper (the warning says so).
        for piece in _split_for_cells(text):
            sheet.put(row, 0, piece, "wrap", last_col=TEXT_COLS - 1)
            sheet.row_heights[row] = MAX_ROW_PT
            flow.keep(row)
            row += 1
        return row
    starts = line_breaks(text, span_px(sheet, 0, TEXT_COLS - 1))
    first = 0
    while first < len(starts):
        if lines_in(flow.room(row)) < min(FEWEST_LINES, len(starts) - first):
            flow.new_page(row)
        last = min(len(starts), first + lines_in(flow.room(row)))
        end = starts[last] if last < len(starts) else len(text)
        sheet.put(row, 0, text[starts[first]:end].rstrip(), "paragraph", last_col=TEXT_COLS - 1)
        sheet.row_heights[row] = row_height(last - first)
        flow.keep(row)
        row, first = row + 1, last
    return row


def _excel_length(text: str) -> int:
    """Excel counts UTF-16 code units: a character beyond the Basic Multilingual Plane is two."""
    return len(text.encode("utf-16-le")) // 2


def _split_for_cells(text: str) -> list[str]:
    """Consecutive pieces of `text`, each within Excel's cell limit, nothing dropped."""
    pieces, current, length = [], [], 0
    for ch in text:
        size = 2 if ord(ch) > 0xFFFF else 1
        if length + size > EXCEL_CELL_LIMIT:
            pieces.append("".join(current))
            current, length = [], 0
        current.append(ch)
        length += size
    pieces.append("".join(current))
    return pieces


def _trend_style(ind: Indicator, value: float, when: pd.Timestamp, unit: str) -> str:
    """One more decimal where rounding would put the value on the other side of a RAG boundary.

    The published report shows 12.97% (Amber, below the 13% red threshold), where 13.0%
    would read as Red. The scorecard tables keep the indicator's decimals.
    """
    period = ind.target_for(when.date(), unit)
    decimals = ind.decimals
    if period is None:
        return result_style(ind)
    scale = 100 if ind.unit == "percent" else 1
    bounds = [float(period.target), float(period.red)]
    if ind.polarity == "T":
        bounds = [float(period.target + s * t) for t in (period.red, period.green_tolerance) for s in (-1, 1)]
    while decimals < ind.decimals + 2:
        shown = round(value * scale, decimals) / scale
        if not any((value < b) != (shown < b) for b in bounds):
            break
        decimals += 1
    return number_style(ind.unit, decimals)


def _percent(value) -> str:
    return f"{float(value) * 100:g}%"


def data_notes(ind: Indicator, template: Template, month: pd.Timestamp, unit: str | None = None) -> list[str]:
    """The notes under an exception report, written from the template (the unit's targets)."""
    period = ind.target_for(month.date(), unit)
    fmt = _percent if ind.unit == "percent" else (lambda v: f"{float(v):g}")
    notes = []
    if period is not None:
        t, red = fmt(period.target), fmt(period.red)
        if ind.polarity == "H":
            bands = f"Below {red} = Red, {red} to {t} = Amber, {t} and above = Green"
        elif ind.polarity == "L":
            bands = f"{red} and above = Red, {t} to {red} = Amber, {t} and below = Green"
        else:
            g = fmt(period.green_tolerance)
            bands = f"within {g} of the target = Green, {red} or more away = Red, otherwise Amber"
        notes.append(f"Target: {t} (RAG Bandings: {bands})")
    notes.append("Tolerance: " + {"H": "Higher values are better", "L": "Lower values are better",
                                  "T": "Values nearer the target are better"}[ind.polarity])
    if ind.period == "R12M":
        start = month - pd.DateOffset(months=11)
        notes.append(f"Data: Figures shown are based on a rolling 12 month period. The result for "
                     f"{month:%b %Y} for example shows performance for {start:%b %Y} to {month:%b %Y}.")
    else:
        notes.append("Data: Figures shown are based on a snapshot taken at the end of each calendar month")
    notes.append(f"Data Source: {template.data_source}")
    return notes

"""The SPC Chart Data sheet: what the exception reports' SPC charts draw.

For each indicator with an exception report (the workbook's unit, cohort All), one row
per series over the template's SPC window (`spc.window_months`, to the reporting month):
each month's own value (engine/signals.py's points, not the rolling figure), the same
value again on the row of its special cause (the chart colours those points: improvement,
concern, neutral), the mean, the process limits (where the series has enough points) and
the target. The charts read these cells: the SPC table may be in the companion workbook
(--raw-data separate), and a chart must read its own workbook.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from ...engine.spc import CONCERN, IMPROVEMENT, NEUTRAL
from ...engine.template import Template
from ...model import ALL, Scorecard
from .common import BACK_TO_CONTENTS, result_style
from .model import Sheet, col_letter, link_to, quote_sheet

SHEET = "SPC Chart Data"
HEADER_ROW = 2
FIRST_MONTH_COL = 3  # Indicator, Indicator Name, Series, then the months
VALUE, MEAN, LOWER, UPPER, TARGET = "Value", "Mean", "Lower Process Limit", "Upper Process Limit", "Target"
SPECIAL = {IMPROVEMENT: "Special cause improvement", CONCERN: "Special cause concern",
           NEUTRAL: "Special cause neutral"}  # the engine's word for a point -> its series
SERIES = (VALUE, *SPECIAL.values(), MEAN, LOWER, UPPER, TARGET)  # each indicator's rows, in order


@dataclass
class SpcChart:
    """Where one indicator's chart data is on the sheet, and what it holds."""

    first_row: int  # the Value row; the others follow in SERIES order
    first_col: int  # the first month with a point: the chart starts there
    last_col: int  # the reporting month
    points: int
    enough: bool  # limits and special causes (enough points, one of them the reporting month)
    special: list[str]  # the special causes among the points (keys of SPECIAL), in SPECIAL's order
    low: float  # the smallest and largest figure charted (points, lines and target)
    high: float

    def range(self, series: str | None = None) -> str:
        """The chart range of a series' row, or of the months (the header) when None."""
        row = HEADER_ROW if series is None else self.first_row + SERIES.index(series)
        first, last = col_letter(self.first_col), col_letter(self.last_col)
        return f"={quote_sheet(SHEET)}!${first}${row + 1}:${last}${row + 1}"


def spc_chart_sheet(scorecard: Scorecard, template: Template) -> tuple[Sheet, dict[str, SpcChart]] | tuple[None, None]:
    """The sheet and each exception report's chart data by indicator; (None, None) with SPC switched off."""
    if scorecard.spc is None:
        return None, None
    month, unit = scorecard.month, scorecard.root
    months = pd.date_range(end=month, periods=template.spc.window_months, freq="MS")
    sheet = Sheet(SHEET, f"SPC chart data: {unit}'s exception reports, the {len(months)} months to {month:%b %Y}")
    sheet.put(0, 0, sheet.title, "title")
    sheet.put(1, 0, BACK_TO_CONTENTS, "link", link=link_to("Contents"))
    for col, text in enumerate(("Indicator", "Indicator Name", "Series", *(m.strftime("%b %Y") for m in months))):
        sheet.put(HEADER_ROW, col, text, "header")
    spc = scorecard.spc
    own = spc[(spc["Unit"] == unit) & (spc["Cohort"] == ALL) & spc["Indicator"].isin(
        [r.indicator for r in scorecard.exceptions])]
    charts: dict[str, SpcChart] = {}
    row = HEADER_ROW + 1
    if not scorecard.exceptions:
        sheet.put(row, 0, "No indicator is rated Red this month: no exception report, no chart.")
    by_indicator = dict(tuple(own.groupby("Indicator", sort=False)))
    for report in scorecard.exceptions:
        ind = template.indicator(report.indicator)
        if ind.id not in by_indicator:
            continue  # no monthly value in the window: nothing to chart (the report says so)
        points = by_indicator[ind.id]
        # The SPC table holds the window's points only: each at its month's place in the window.
        at = ((points["Month"].dt.year - months[0].year) * 12 + points["Month"].dt.month - months[0].month).to_numpy()
        values = np.full(len(months), np.nan)
        values[at] = points["Value"].to_numpy(dtype=float)
        causes = np.full(len(months), None, dtype=object)
        causes[at] = points["Special Cause"].to_numpy()
        first = int(at.min())
        line = points.iloc[0]  # every point carries its series' mean and limits
        enough = not pd.isna(line["Upper Process Limit"])
        chart = np.arange(len(months)) >= first  # the months the chart shows, from its first point
        targets = [ind.target_for(m.date(), unit) for m in months]
        figures = {VALUE: values,
                   **{name: np.where(causes == kind, values, np.nan) for kind, name in SPECIAL.items()},
                   MEAN: np.where(chart, line["Mean"], np.nan),
                   LOWER: np.where(chart & enough, line["Lower Process Limit"], np.nan),
                   UPPER: np.where(chart & enough, line["Upper Process Limit"], np.nan),
                   TARGET: np.where(chart, [float(t.target) if t else np.nan for t in targets], np.nan)}
        style = result_style(ind)
        for offset, series in enumerate(SERIES):
            for col, text in enumerate((ind.id, ind.title, series)):
                sheet.put(row + offset, col, text)
            for k in np.flatnonzero(~np.isnan(figures[series])):  # empty months: no cell (a gap in the chart)
                sheet.put(row + offset, FIRST_MONTH_COL + int(k), float(figures[series][k]), style)
        charted = np.concatenate(list(figures.values()))
        charts[ind.id] = SpcChart(row, FIRST_MONTH_COL + first, FIRST_MONTH_COL + len(months) - 1, len(points),
                                  enough, [k for k in SPECIAL if (causes == k).any()], float(np.nanmin(charted)),
                                  float(np.nanmax(charted)))
        row += len(SERIES)
    sheet.widths = {0: 10, 1: 60, 2: 26, **{FIRST_MONTH_COL + k: 10 for k in range(len(months))}}
    sheet.freeze = (HEADER_ROW + 1, FIRST_MONTH_COL)
    sheet.header_rows = (HEADER_ROW, HEADER_ROW)
    return sheet, charts

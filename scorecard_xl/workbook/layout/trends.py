"""The Trends sheet: the county's last 13 months per indicator, for sparklines and charts."""

from __future__ import annotations

import pandas as pd

from ...engine.template import Template
from ...model import ALL, Scorecard
from .common import BACK_TO_CONTENTS, blank, result_style
from .model import Sheet, col_letter, link_to

TREND_MONTHS = 13
SHEET = "Trends"
HEADER_ROW = 2
FIRST_VALUE_COL = 3  # Indicator, Indicator Name, Measure, then the months


def trend_months(month: pd.Timestamp) -> pd.DatetimeIndex:
    return pd.date_range(end=month, periods=TREND_MONTHS, freq="MS")


def trends_sheet(scorecard: Scorecard, template: Template) -> tuple[Sheet, dict[str, int]]:
    """The sheet, and for each indicator the row of its results (the target row follows it)."""
    months = trend_months(scorecard.month)
    root = template.organisation_tree.name
    results = scorecard.results
    county = results[(results["Unit"] == root) & (results["Cohort"] == ALL)]
    by_indicator = {k: g.set_index("Month")["Result"].reindex(months) for k, g in county.groupby("Indicator")}

    sheet = Sheet(SHEET, f"Trends: {root}, last {TREND_MONTHS} months to {scorecard.month:%b %Y}")
    sheet.put(0, 0, sheet.title, "title")
    sheet.put(1, 0, BACK_TO_CONTENTS, "link", link=link_to("Contents"))
    headers = ["Indicator", "Indicator Name", "Measure", *[m.strftime("%b %Y") for m in months]]
    for col, text in enumerate(headers):
        sheet.put(HEADER_ROW, col, text, "header")
    rows: dict[str, int] = {}
    row = HEADER_ROW + 1
    for ind in template.indicators:
        style = result_style(ind)
        series = by_indicator.get(ind.id, pd.Series(index=months, dtype=float))
        targets = [ind.target_for(m.date()) for m in months]
        for measure, values in (("Result", list(series)),
                                ("Target", [float(t.target) if t else None for t in targets])):
            sheet.put(row, 0, ind.id)
            sheet.put(row, 1, ind.title)
            sheet.put(row, 2, measure)
            for k, value in enumerate(values):
                sheet.put(row, FIRST_VALUE_COL + k, blank(value), style)
            row += 1
        rows[ind.id] = row - 2
    sheet.widths = {0: 10, 1: 60, 2: 9, **{FIRST_VALUE_COL + k: 10 for k in range(TREND_MONTHS)}}
    sheet.freeze = (HEADER_ROW + 1, FIRST_VALUE_COL)
    sheet.header_rows = (HEADER_ROW, HEADER_ROW)
    return sheet, rows


def trend_range(row: int, absolute: bool = False) -> str:
    """The A1 range of one row's 13 month cells on the Trends sheet (HEADER_ROW: the months).

    Sparklines take 'Trends'!D4:P4; charts take the absolute form, ='Trends'!$D$4:$P$4.
    """
    first, last = col_letter(FIRST_VALUE_COL), col_letter(FIRST_VALUE_COL + TREND_MONTHS - 1)
    if absolute:
        return f"='{SHEET}'!${first}${row + 1}:${last}${row + 1}"
    return f"'{SHEET}'!{first}{row + 1}:{last}{row + 1}"

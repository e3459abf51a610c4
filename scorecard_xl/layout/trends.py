"""The Trends sheet: the county's last 13 months per indicator, for sparklines and charts."""

from __future__ import annotations

import pandas as pd

from ..calculator import ALL, Scorecard
from ..template import Template
from .common import BACK_TO_CONTENTS, blank, result_style
from .model import Sheet, col_letter, link_to

TREND_MONTHS = 13
HEADER_ROW = 2


def trend_months(month: pd.Timestamp) -> pd.DatetimeIndex:
    return pd.date_range(end=month, periods=TREND_MONTHS, freq="MS")


def trends_sheet(scorecard: Scorecard, template: Template) -> tuple[Sheet, dict[str, int]]:
    """The sheet, and for each indicator the row of its results (the target row follows it)."""
    months = trend_months(scorecard.month)
    root = template.organisation_tree.name
    results = scorecard.results
    county = results[(results["Unit"] == root) & (results["Cohort"] == ALL)]
    by_indicator = {k: g.set_index("Month")["Result"].reindex(months) for k, g in county.groupby("Indicator")}

    sheet = Sheet("Trends", f"Trends: {root}, last {TREND_MONTHS} months to {scorecard.month:%b %Y}")
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
                sheet.put(row, 3 + k, blank(value), style)
            row += 1
        rows[ind.id] = row - 2
    sheet.widths = {0: 10, 1: 60, 2: 9, **{3 + k: 10 for k in range(TREND_MONTHS)}}
    sheet.freeze = (HEADER_ROW + 1, 3)
    sheet.header_rows = (HEADER_ROW, HEADER_ROW)
    return sheet, rows


def trend_range(row: int, first_col: int = 3) -> str:
    """The A1 range of one trend row's 13 values on the Trends sheet."""
    return f"'Trends'!{col_letter(first_col)}{row + 1}:{col_letter(first_col + TREND_MONTHS - 1)}{row + 1}"

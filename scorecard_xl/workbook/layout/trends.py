"""The Trends sheet: each scorecard unit's last 13 months per indicator, for the sparklines (and the exception
charts when SPC is off)."""

from __future__ import annotations

import pandas as pd

from ...engine.template import Template
from ...model import ALL, Scorecard
from .common import BACK_TO_CONTENTS, blank, result_style
from .model import Sheet, col_letter, link_to

TREND_MONTHS = 13
SHEET = "Trends"
HEADER_ROW = 2
FIRST_VALUE_COL = 4  # Unit, Indicator, Indicator Name, Measure, then the months


def trend_months(month: pd.Timestamp) -> pd.DatetimeIndex:
    return pd.date_range(end=month, periods=TREND_MONTHS, freq="MS")


def trends_sheet(scorecard: Scorecard, template: Template,
                 units: list[str]) -> tuple[Sheet, dict[tuple[str, str], int]]:
    """The sheet, and for each (unit, indicator) the row of its results (the target row follows it)."""
    months = trend_months(scorecard.month)
    results = scorecard.results
    shown = results[results["Unit"].isin(units) & (results["Cohort"] == ALL) & results["Month"].isin(months)]
    table = shown.pivot(index=["Unit", "Indicator"], columns="Month", values="Result").reindex(columns=months)
    series = dict(zip(table.index, table.to_numpy().tolist(), strict=False))

    whose = units[0] if len(units) == 1 else "each unit with a scorecard"
    sheet = Sheet(SHEET, f"Trends: {whose}, last {TREND_MONTHS} months to {scorecard.month:%b %Y}")
    sheet.put(0, 0, sheet.title, "title")
    sheet.put(1, 0, BACK_TO_CONTENTS, "link", link=link_to("Contents"))
    headers = ["Unit", "Indicator", "Indicator Name", "Measure", *[m.strftime("%b %Y") for m in months]]
    for col, text in enumerate(headers):
        sheet.put(HEADER_ROW, col, text, "header")
    rows: dict[tuple[str, str], int] = {}
    row = HEADER_ROW + 1
    for unit in units:
        for ind in template.indicators:
            style = result_style(ind)
            values = series.get((unit, ind.id), [None] * len(months))
            targets = [ind.target_for(m.date(), unit) for m in months]
            for measure, figures in (("Result", list(values)),
                                     ("Target", [float(t.target) if t else None for t in targets])):
                for col, text in enumerate((unit, ind.id, ind.title, measure)):
                    sheet.put(row, col, text)
                for k, value in enumerate(figures):
                    sheet.put(row, FIRST_VALUE_COL + k, blank(value), style)
                row += 1
            rows[(unit, ind.id)] = row - 2
    sheet.widths = {0: 22, 1: 10, 2: 60, 3: 9, **{FIRST_VALUE_COL + k: 10 for k in range(TREND_MONTHS)}}
    sheet.freeze = (HEADER_ROW + 1, FIRST_VALUE_COL)
    sheet.header_rows = (HEADER_ROW, HEADER_ROW)
    return sheet, rows


def trend_range(row: int, absolute: bool = False) -> str:
    """The A1 range of one row's 13 month cells on the Trends sheet (HEADER_ROW: the months).

    Sparklines take 'Trends'!E4:Q4; charts take the absolute form, ='Trends'!$E$4:$Q$4.
    """
    first, last = col_letter(FIRST_VALUE_COL), col_letter(FIRST_VALUE_COL + TREND_MONTHS - 1)
    if absolute:
        return f"='{SHEET}'!${first}${row + 1}:${last}${row + 1}"
    return f"'{SHEET}'!{first}{row + 1}:{last}{row + 1}"

"""Small helpers shared by the sheet layouts."""

from __future__ import annotations

import math

import pandas as pd

from ...engine.template import Indicator, Template
from ..styles import number_style

BACK_TO_CONTENTS = "Back to Contents"


def result_style(ind: Indicator, signed: bool = False) -> str:
    return number_style(ind.unit, ind.decimals, signed)


def count_style(fractional: bool) -> str:
    return number_style("count", 1 if fractional else 0)


def financial_year(month: pd.Timestamp, template: Template) -> str:
    """'16/17' for a month in the financial year starting April 2016."""
    start = month.year if month.month >= template.financial_year_start_month else month.year - 1
    if template.financial_year_start_month == 1:
        return str(start)
    return f"{start % 100:02d}/{(start + 1) % 100:02d}"


def target(ind: Indicator, month: pd.Timestamp, unit: str) -> float | None:
    """The indicator's target for the unit in the month, or None where it has none."""
    period = ind.target_for(month.date(), unit)
    return float(period.target) if period else None


def blank(value: object) -> object:
    """None for a missing figure, so the writer leaves the cell empty."""
    if value is None or value is pd.NA:
        return None
    if isinstance(value, float) and math.isnan(value):
        return None
    return value


def section_row(sheet, row: int, title: str, width: int) -> None:
    """A section heading across the table's width: the title, then shaded empty cells."""
    sheet.put(row, 0, title, "section")
    for col in range(1, width):
        sheet.put(row, col, None, "section")

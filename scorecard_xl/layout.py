"""A description of the workbook: sheets, cells, tables and their styles.

The layout decides what goes where; the writer (writer.py) only renders it. Keeping
the two apart means the sheets can be tested without opening a file, and the writer
has one job: turn this description into XlsxWriter calls.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from .calculator import Scorecard
from .template import Template


@dataclass
class Cell:
    row: int
    col: int
    value: object
    style: str = "text"


@dataclass
class Table:
    """An Excel table (add_table): one header row, then typed columns."""

    name: str
    first_row: int
    frame: pd.DataFrame
    column_styles: dict[str, str] = field(default_factory=dict)  # by column name; default by dtype


@dataclass
class Sheet:
    name: str
    title: str
    cells: list[Cell] = field(default_factory=list)
    tables: list[Table] = field(default_factory=list)
    widths: dict[int, float] = field(default_factory=dict)
    freeze: tuple[int, int] | None = None
    header_rows: tuple[int, int] | None = None  # rows repeated on each printed page


@dataclass
class WorkbookLayout:
    title: str
    subject: str
    company: str
    month: pd.Timestamp
    sheets: list[Sheet]


# Column styles of the raw tables that are not plain numbers or text.
_RESULT_STYLES = {
    "Month": "date", "Numerator": "decimal4", "Denominator": "decimal4", "Result": "decimal4",
    "Target": "decimal4", "Result 1 Month Ago": "decimal4", "Result 1 Year Ago": "decimal4",
    "Rolling 3 Months": "decimal4",
}
_DEFINITION_STYLES = {"Effective From": "date", "Target": "decimal4", "Red Threshold": "decimal4",
                      "Green Tolerance": "decimal4", "Decimals": "integer"}


def raw_table_sheet(name: str, title: str, frame: pd.DataFrame, styles: dict[str, str]) -> Sheet:
    """A sheet holding one Excel table under a title, header frozen."""
    widths = {i: min(60, max(10, len(col) + 2)) for i, col in enumerate(frame.columns)}
    return Sheet(
        name=name,
        title=title,
        cells=[Cell(0, 0, title, "title")],
        tables=[Table(name.replace(" ", ""), 2, frame, styles)],
        widths=widths,
        freeze=(3, 0),
        header_rows=(2, 2),
    )


def workbook_layout(scorecard: Scorecard, template: Template) -> WorkbookLayout:
    month_text = scorecard.month.strftime("%b %Y")
    sheets = [
        raw_table_sheet("Results", f"Results: every indicator, unit and cohort by month, to {month_text}",
                        scorecard.results, _RESULT_STYLES),
        raw_table_sheet("Definitions", "Definitions: indicators, targets and RAG thresholds",
                        scorecard.definitions, _DEFINITION_STYLES),
    ]
    return WorkbookLayout(
        title=f"{template.title} - {month_text}",
        subject=template.title,
        company=template.organisation,
        month=scorecard.month,
        sheets=sheets,
    )

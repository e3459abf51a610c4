"""The raw data sheets: Excel tables for pivoting and checking, one header row each."""

from __future__ import annotations

import pandas as pd

from ...engine.template import Template
from ...model import SCALE, Export, Problem
from .common import BACK_TO_CONTENTS
from .model import Sheet, Table, link_to

TABLE_ROW = 3  # title, note, link, then the table
EXCEL_MAX_ROWS = 1_048_576

_NUMBERS = "decimal4"


def table_sheets(name: str, title: str, frame: pd.DataFrame, styles: dict[str, str] | None = None,
                 note: str = "", max_rows: int | None = None) -> list[Sheet]:
    """One table sheet, or numbered continuation sheets when the rows pass Excel's limit.

    Never truncates: rows beyond a sheet's capacity continue on "Name (2)", "Name (3)"...
    """
    capacity = (max_rows or EXCEL_MAX_ROWS) - TABLE_ROW - 1
    if len(frame) <= capacity:
        return [table_sheet(name, title, frame, styles, note)]
    parts = range(0, len(frame), capacity)
    sheets = []
    for k, start in enumerate(parts, start=1):
        part = frame.iloc[start:start + capacity].reset_index(drop=True)
        sheet_name = name if k == 1 else f"{name} ({k})"
        rows = f"rows {start + 1:,} to {start + len(part):,} of {len(frame):,}"
        sheet = table_sheet(sheet_name, f"{title} ({rows})", part, styles,
                            (f"{note} Continued on numbered sheets: Excel holds {EXCEL_MAX_ROWS:,} rows a "
                             "sheet.").strip())
        sheet.tables[0].name = name.replace(" ", "") + ("" if k == 1 else f"_{k}")
        sheets.append(sheet)
    return sheets


def table_sheet(name: str, title: str, frame: pd.DataFrame, styles: dict[str, str] | None = None,
                note: str = "") -> Sheet:
    """A sheet holding one Excel table under a title, with its header frozen."""
    sheet = Sheet(name, title)
    sheet.put(0, 0, title, "title")
    if note:
        sheet.put(1, 0, note, "note")
    sheet.put(2, 0, BACK_TO_CONTENTS, "link", link=link_to("Contents"))
    sheet.tables.append(Table(name.replace(" ", ""), TABLE_ROW, frame, styles or {}))
    sheet.widths = {i: min(60, max(9, len(str(c)) + 3, _widest(frame[c]))) for i, c in enumerate(frame.columns)}
    sheet.freeze = (TABLE_ROW + 1, 0)
    sheet.header_rows = (TABLE_ROW, TABLE_ROW)
    return sheet


def _widest(column: pd.Series) -> int:
    if column.dtype != object or column.empty:
        return 10
    lengths = column.head(2000).dropna().astype(str).str.len()
    return int(lengths.max()) + 2 if len(lengths) else 10


def results_sheets(results: pd.DataFrame, month: pd.Timestamp) -> list[Sheet]:
    styles = {c: _NUMBERS for c in ("Numerator", "Denominator", "Result", "Target", "Result 1 Month Ago",
                                    "Result 1 Year Ago", "Rolling 3 Months")}
    return table_sheets("Results", f"Results: every indicator, unit and cohort by month, to {month:%b %Y}",
                       results, {"Month": "date", **styles},
                       "Percentages are stored as fractions (0.9 is 90%). One row per indicator, unit, cohort "
                       "and month where any of its figures can be computed; Variation and Assurance (SPC) on "
                       f"{month:%b %Y}'s rows.")


def spc_sheets(points: pd.DataFrame, month: pd.Timestamp, window: int) -> list[Sheet]:
    """Every point of every SPC series in the window, with its chart's lines and special cause."""
    styles = {c: _NUMBERS for c in ("Value", "Mean", "Lower Process Limit", "Upper Process Limit")}
    return table_sheets("SPC", f"SPC: every indicator, unit and cohort, the {window} months to {month:%b %Y}",
                       points, {"Month": "date", **styles},
                       "Each month's own value (not the rolling figure); percentages as fractions. The limits and "
                       "Special Cause only where a series has enough points (see Contents, Reading SPC).")


def definitions_sheet(definitions: pd.DataFrame) -> Sheet:
    return table_sheet("Definitions", "Definitions: indicators, targets and RAG thresholds", definitions,
                       {"Effective From": "date", "Target": _NUMBERS, "Red Threshold": _NUMBERS,
                        "Green Tolerance": _NUMBERS, "Decimals": "integer"},
                       "Red Threshold: H, Red below it; L, Red at or above it; T, Red at or beyond this "
                       "distance from the target. Green Tolerance (T only): Green within this distance.")


def _placement(units: pd.Series, template: Template) -> tuple[pd.Series, pd.Series]:
    return (units.map({u: template.area_of(u) for u in template.units}),
            units.map({u: template.units[u].level for u in template.units}))


def activity_data_sheets(export: Export, template: Template) -> list[Sheet]:
    data = export.activity
    area, level = _placement(data["Unit"], template)
    frame = pd.DataFrame({"Month": data["Month"], "Team": data["Unit"], "Area": area, "Level": level})
    for m in template.activity_measures:
        frame[m.column] = data[m.column].astype("Int64")
    frame["Source Row"] = data["Row"].astype("int64")
    return table_sheets("Activity Data", "Activity Data: every row of the export's Activity sheet", frame,
                       {"Month": "date"}, "Source Row is the row number in the export.")


def indicator_data_sheets(export: Export, template: Template) -> list[Sheet]:
    data = export.indicators
    area, level = _placement(data["Unit"], template)
    has_den = data["Indicator"].map({i.id: i.has_denominator for i in template.indicators})
    frame = pd.DataFrame({
        "Month": data["Month"], "Indicator": data["Indicator"], "Team": data["Unit"], "Area": area,
        "Level": level, "UASC": data["UASC"].map({True: "Y", False: "N"}),
        "Numerator": data["Numerator"].astype("float64") / SCALE,
        "Denominator": (data["Denominator"].astype("float64") / SCALE).where(has_den),
        "Source Row": data["Row"].astype("int64"),
    })
    return table_sheets("Indicator Data", "Indicator Data: every row of the export's Indicators sheet", frame,
                       {"Month": "date", "Numerator": _NUMBERS, "Denominator": _NUMBERS},
                       "Source Row is the row number in the export.")


def quality_sheet(rows: pd.DataFrame, warnings: list[Problem],
                  note: str = "Every input row is written to a raw data sheet") -> Sheet:
    sheet = table_sheet("Data Quality", "Data Quality: rows read and written, and warnings", rows,
                        {}, f"{note}; warnings did not stop the run.")
    start = TABLE_ROW + len(rows) + 3
    problems = pd.DataFrame({
        "Severity": [p.severity for p in warnings],
        "Sheet": [p.sheet or "" for p in warnings],
        "Row": pd.array([p.row for p in warnings], dtype="Int64"),
        "Column": [p.column or "" for p in warnings],
        "Message": [p.message for p in warnings],
    })
    sheet.put(start - 1, 0, f"Warnings ({len(warnings)})", "subtitle")
    sheet.tables.append(Table("Warnings", start, problems, {"Row": "integer"}))
    sheet.widths = {0: 22, 1: 16, 2: 16, 3: 16, 4: 90}
    return sheet

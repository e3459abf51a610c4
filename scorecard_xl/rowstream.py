"""Stream a large table's rows straight into a worksheet's XML.

XlsxWriter's cell API costs several microseconds a cell and keeps every cell in memory
until the file is closed; a raw data sheet of a million rows would take minutes and
gigabytes. For the big raw tables the writer lets XlsxWriter lay out everything else
(title, header, table definition, styles, print setup) and streams the data rows here,
column by column and chunk by chunk, in the same SpreadsheetML XlsxWriter writes:
numbers as <v>, dates as serial numbers, text as inline strings (always text, so a
value starting with "=" can never become a formula).
"""

from __future__ import annotations

import re
from typing import TextIO

import numpy as np
import pandas as pd

from .layout.model import col_letter

CHUNK_ROWS = 20_000
EXCEL_EPOCH = pd.Timestamp("1899-12-30")
# Characters XML 1.0 cannot carry; written as Excel's _xHHHH_ escapes, as XlsxWriter does.
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f]")


def column_kind(series: pd.Series) -> str:
    if pd.api.types.is_datetime64_any_dtype(series):
        return "date"
    if pd.api.types.is_bool_dtype(series):
        return "text"
    if pd.api.types.is_numeric_dtype(series):
        return "number"
    return "text"


def _escape(text: str) -> str:
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    if _CONTROL.search(text):
        text = _CONTROL.sub(lambda m: f"_x{ord(m.group()):04X}_", text)
    return text


def _number_cells(values: np.ndarray, refs: list[str], style: int) -> list[str]:
    missing = np.isnan(values)
    # repr of a float64 is the shortest text that reads back to the same number.
    return ["" if skip else f'<c r="{r}" s="{style}"><v>{v!r}</v></c>'
            for v, r, skip in zip(values.tolist(), refs, missing.tolist())]


def cells(series: pd.Series, kind: str, style: int, refs: list[str]) -> list[str]:
    """The <c> elements of one column ('' where the value is missing: no cell).

    refs: each cell's A1 reference; every cell carries it, so a missing value never
    shifts the cells after it.
    """
    if kind == "number":
        return _number_cells(pd.to_numeric(series).astype("float64").to_numpy(), refs, style)
    if kind == "date":
        serial = (series - EXCEL_EPOCH) / pd.Timedelta(days=1)
        return _number_cells(serial.astype("float64").to_numpy(), refs, style)
    # Raw tables repeat a few texts (names, sections) many times: escape each once.
    values = series.tolist()
    bodies = {}
    for value in set(values) if len(values) < 50 or series.nunique() < len(values) // 4 else values:
        if value is None or value is pd.NA or (isinstance(value, float) and np.isnan(value)):
            continue
        text = _escape(str(value))
        space = ' xml:space="preserve"' if text[:1].isspace() or text[-1:].isspace() else ""
        bodies[value] = f'" s="{style}" t="inlineStr"><is><t{space}>{text}</t></is></c>'
    return [f'<c r="{ref}{bodies[v]}' if v in bodies else "" for v, ref in zip(values, refs)]


def write_rows(fh: TextIO, frame: pd.DataFrame, first_row: int, styles: list[int]) -> None:
    """Write frame's rows as <row> elements, the first at 0-based sheet row `first_row`."""
    kinds = [column_kind(frame[c]) for c in frame.columns]
    letters = [col_letter(i) for i in range(len(frame.columns))]
    for start in range(0, len(frame), CHUNK_ROWS):
        part = frame.iloc[start:start + CHUNK_ROWS]
        numbers = range(first_row + start + 1, first_row + start + len(part) + 1)
        columns = [cells(part[c], k, s, [f"{letter}{n}" for n in numbers])
                   for c, k, s, letter in zip(frame.columns, kinds, styles, letters)]
        fh.write("".join(f'<row r="{n}">{"".join(row)}</row>' for n, row in zip(numbers, zip(*columns))))

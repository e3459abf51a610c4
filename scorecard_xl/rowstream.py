"""Stream a large table's rows straight into a worksheet's XML.

XlsxWriter's cell API costs several microseconds a cell and keeps every cell in memory
until the file is closed; a raw data sheet of a million rows would take minutes and
gigabytes. For the big raw tables the writer lets XlsxWriter lay out everything else
(title, header, table definition, styles, print setup) and streams the data rows here,
column by column and chunk by chunk, in the same SpreadsheetML XlsxWriter writes:
numbers as <v>, dates as serial numbers, text through XlsxWriter's shared string table
(always text, so a value starting with "=" can never become a formula).
"""

from __future__ import annotations

from typing import TextIO

import numpy as np
import pandas as pd

from .layout.model import col_letter

CHUNK_ROWS = 20_000
EXCEL_EPOCH = pd.Timestamp("1899-12-30")


def column_kind(series: pd.Series) -> str:
    if pd.api.types.is_datetime64_any_dtype(series):
        return "date"
    if pd.api.types.is_bool_dtype(series):
        return "text"
    if pd.api.types.is_numeric_dtype(series):
        return "number"
    return "text"


def _number_cells(values: np.ndarray, refs: list[str], style: int) -> list[str]:
    missing = np.isnan(values)
    # repr of a float64 is the shortest text that reads back to the same number.
    return ["" if skip else f'<c r="{r}" s="{style}"><v>{v!r}</v></c>'
            for v, r, skip in zip(values.tolist(), refs, missing.tolist())]


def shared_string_indices(series: pd.Series, strings) -> np.ndarray:
    """Each value's index in the workbook's shared string table (-1 where missing).

    Raw tables repeat a few texts (names, sections, cohorts) thousands of times; as
    shared strings each is stored once. Must run before the workbook is closed, while
    XlsxWriter's table still accepts strings; `strings` is its SharedStringTable.
    """
    codes, uniques = pd.factorize(series, use_na_sentinel=True)
    index = np.array([strings._get_shared_string_index(str(u)) for u in uniques] + [-1], dtype=np.int64)
    used = int((codes >= 0).sum())
    strings.count += used - len(uniques)  # each use counts, as XlsxWriter's own writes do
    too_long = [u for u in uniques if len(str(u)) > 32_767]
    if too_long:
        raise ValueError(f"a text of {len(str(too_long[0])):,} characters does not fit in one cell")
    return index[codes]  # code -1 picks the sentinel -1


def cells(values: pd.Series | np.ndarray, kind: str, style: int, refs: list[str]) -> list[str]:
    """The <c> elements of one column ('' where the value is missing: no cell).

    refs: each cell's A1 reference; every cell carries it, so a missing value never
    shifts the cells after it. For kind "text", values are shared string indices.
    """
    if kind == "number":
        return _number_cells(pd.to_numeric(values).astype("float64").to_numpy(), refs, style)
    if kind == "date":
        serial = (values - EXCEL_EPOCH) / pd.Timedelta(days=1)
        return _number_cells(serial.astype("float64").to_numpy(), refs, style)
    return ["" if i < 0 else f'<c r="{r}" s="{style}" t="s"><v>{i}</v></c>'
            for i, r in zip(np.asarray(values).tolist(), refs)]


def prepare(frame: pd.DataFrame, strings) -> list[tuple[str, object]]:
    """Each column's kind and values, text already in the shared string table."""
    prepared = []
    for column in frame.columns:
        kind = column_kind(frame[column])
        values = shared_string_indices(frame[column], strings) if kind == "text" else frame[column]
        prepared.append((kind, values))
    return prepared


def write_rows(fh: TextIO, prepared: list[tuple[str, object]], n_rows: int, first_row: int,
               styles: list[int]) -> None:
    """Write the prepared columns as <row> elements, the first at 0-based sheet row `first_row`."""
    letters = [col_letter(i) for i in range(len(prepared))]
    for start in range(0, n_rows, CHUNK_ROWS):
        stop = min(start + CHUNK_ROWS, n_rows)
        numbers = range(first_row + start + 1, first_row + stop + 1)
        columns = [cells(values[start:stop], kind, style, [f"{letter}{n}" for n in numbers])
                   for (kind, values), style, letter in zip(prepared, styles, letters)]
        fh.write("".join(f'<row r="{n}">{"".join(row)}</row>' for n, row in zip(numbers, zip(*columns))))

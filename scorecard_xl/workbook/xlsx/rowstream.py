"""Stream a large table's rows straight into a worksheet's XML.

XlsxWriter's cell API costs several microseconds a cell and keeps every cell in memory
until the file is closed; a raw data sheet of a million rows would take minutes and
gigabytes. For the big raw tables the writer lets XlsxWriter lay out everything else
(title, header, table definition, styles, print setup) and streams the data rows here,
chunk by chunk, in the same SpreadsheetML XlsxWriter writes: numbers as <v>, dates as
serial numbers, text through XlsxWriter's shared string table (always text, so a value
starting with "=" can never become a formula). The sheet's StreamingWorksheet
(worksheet.py) calls `prepare` when the table is declared and `write_rows` when XlsxWriter
writes the sheet. On an XlsxWriter without the internals this relies on (hooks.py checks
them), the writer writes these tables cell by cell instead.

Speed: the XML of a chunk of rows is built as one array of text pieces, column by
column, and joined once; each distinct value is turned into text once. A missing value
has no cell at all (as the writer's cell-by-cell path leaves it); every cell keeps its A1
reference, so nothing shifts and every reader places it alike.
"""

from __future__ import annotations

from typing import TextIO

import numpy as np
import pandas as pd

from ..layout.model import col_letter

CHUNK_ROWS = 4_096  # rows built at a time: memory stays small, and the deflate threads (zipwriter.py) start early
EXCEL_EPOCH = pd.Timestamp("1899-12-30")


def column_kind(series: pd.Series) -> str:
    if pd.api.types.is_datetime64_any_dtype(series):
        return "date"
    if pd.api.types.is_bool_dtype(series):
        return "boolean"
    if pd.api.types.is_numeric_dtype(series):
        return "number"
    return "text"


def shared_string_indices(series: pd.Series, strings) -> np.ndarray:
    """Each value's index in the workbook's shared string table (-1 where missing).

    Raw tables repeat a few texts (names, sections, cohorts) thousands of times; as
    shared strings each is stored once. Must run before the workbook is closed, while
    XlsxWriter's table still accepts strings; `strings` is its SharedStringTable.
    """
    codes, uniques = pd.factorize(series, use_na_sentinel=True)
    too_long = [u for u in uniques if len(str(u)) > 32_767]
    if too_long:
        raise ValueError(f"a text of {len(str(too_long[0])):,} characters does not fit in one cell")
    index = np.array([strings._get_shared_string_index(str(u)) for u in uniques] + [-1], dtype=np.int64)
    used = int((codes >= 0).sum())
    strings.count += used - len(uniques)  # each use counts, as XlsxWriter's own writes do
    return index[codes]  # code -1 picks the sentinel -1


def prepare(frame: pd.DataFrame, strings) -> list[tuple[str, np.ndarray]]:
    """Each column's kind and values as a numpy array, text already in the shared string table.

    Numbers stay int64 when the column is integer (written "3", not "3.0"), else float64
    (NaN = missing); dates become Excel serial day numbers; text becomes string indices
    and booleans 1/0 (both -1 where missing).
    """
    prepared = []
    for column in frame.columns:
        series = frame[column]
        kind = column_kind(series)
        if kind == "text":
            values = shared_string_indices(series, strings)
        elif kind == "boolean":  # 1 or 0 (-1 where missing), a cell of type "b"
            values = series.map({True: 1, False: 0}).fillna(-1).to_numpy(dtype="int64")
        elif kind == "date":
            values = ((series - EXCEL_EPOCH) / pd.Timedelta(days=1)).to_numpy(dtype="float64", na_value=np.nan)
        elif pd.api.types.is_integer_dtype(series) and not series.hasnans:
            values = series.to_numpy(dtype="int64")
        else:
            values = series.to_numpy(dtype="float64", na_value=np.nan)
        prepared.append((kind, values))
    return prepared


def _texts(values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Each value as the text of its <v> element (an object array), and where values are missing.

    Each distinct value is turned into text once: raw columns repeat a few values many times.
    """
    codes, uniques = pd.factorize(values)  # NaN gets code -1
    # repr of a float is the shortest text that reads back as exactly the same number; a whole
    # number is written as one ("3", as XlsxWriter writes it, not "3.0"), so that an integer column
    # with gaps (a measure not recorded for a month) reads back as integers.
    to_text = _float_text if values.dtype.kind == "f" else str
    table = np.array([to_text(u) for u in uniques.tolist()] + [""], dtype=object)
    return table[codes], codes < 0


def _float_text(value: float) -> str:
    return str(int(value)) if value.is_integer() and abs(value) < 2**53 else repr(value)


def write_rows(fh: TextIO, prepared: list[tuple[str, np.ndarray]], n_rows: int, first_row: int,
               styles: list[int]) -> None:
    """Write the prepared columns as <row> elements, the first at 0-based sheet row `first_row`.

    Each chunk is laid out as a (rows x pieces) array of text pieces - for every cell its
    opening tag, row number, style, value and closing tag - filled column by column and
    joined once; a missing value has no cell at all.
    """
    types = {"text": ' t="s"', "boolean": ' t="b"'}  # a shared string's index; TRUE/FALSE as 1/0
    openings = [(f'<c r="{col_letter(j)}', f'" s="{style}"{types.get(kind, "")}><v>')
                for j, ((kind, _), style) in enumerate(zip(prepared, styles, strict=False))]
    for start in range(0, n_rows, CHUNK_ROWS):
        stop = min(start + CHUNK_ROWS, n_rows)
        numbers = np.arange(first_row + start + 1, first_row + stop + 1).astype(str).astype(object)
        pieces = np.empty((stop - start, 4 + 5 * len(prepared)), dtype=object)
        pieces[:, 0], pieces[:, 1], pieces[:, 2], pieces[:, -1] = '<row r="', numbers, '">', "</row>"
        for j, ((kind, values), (opening, style)) in enumerate(zip(prepared, openings, strict=False)):
            chunk = values[start:stop]
            texts, missing = _texts(chunk)
            if kind in types:
                missing = chunk < 0  # the -1 of a missing text or boolean
            cell = pieces[:, 3 + 5 * j: 8 + 5 * j]
            cell[:, 0], cell[:, 1], cell[:, 2], cell[:, 3], cell[:, 4] = opening, numbers, style, texts, "</v></c>"
            if missing.any():  # no cell at all: the empty pieces join to nothing
                cell[missing] = ""
        fh.write("".join(pieces.ravel().tolist()))

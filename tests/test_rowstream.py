"""Streamed tables (xlsx/rowstream.py, through xlsx/worksheet.py) read back exactly as the same tables written
cell by cell through XlsxWriter's API: same values, same types, same empty cells, same styles.

Hypothesis builds tables of every column kind the raw sheets use (floats with gaps,
integers, nullable integers, dates with gaps, text with gaps and formula-like or
markup-like values, booleans); each is written both ways and read back with openpyxl.
"""

from __future__ import annotations

import datetime as dt
import math
import re
import warnings
import zipfile

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook

from scorecard_xl.workbook import writer
from scorecard_xl.workbook.layout.model import Sheet, Table, WorkbookLayout
from scorecard_xl.workbook.xlsx import rowstream

# Up to 1e300: near float's maximum, XlsxWriter's 16 digits round past it (the stream's repr does not).
FLOATS = st.one_of(st.none(), st.floats(min_value=-1e300, max_value=1e300, width=64),
                   st.sampled_from([0.0, -0.0, 0.1, 1 / 3, 12.97, 1e-300, 5e15]))
# Not the noncharacters U+FFFE and U+FFFF: XlsxWriter writes them as "_xFFFE_" (both ways alike), which
# openpyxl reads back as those seven characters.
TEXTS = st.one_of(st.none(), st.text(alphabet=st.characters(blacklist_categories=("Cs", "Cc"),
                                                            blacklist_characters="\ufffe\uffff"), max_size=12),
                  st.sampled_from(["=1+1", "@SUM(A1)", "<b>&amp;</b>", " padded ", "http://x.test", "True"]))
DATES = st.one_of(st.none(), st.datetimes(min_value=dt.datetime(1900, 3, 1), max_value=dt.datetime(2099, 12, 1))
                  .map(lambda d: d.replace(microsecond=0)))


@st.composite
def tables(draw) -> pd.DataFrame:
    n = draw(st.integers(1, 25))
    column = lambda values: draw(st.lists(values, min_size=n, max_size=n))  # noqa: E731
    return pd.DataFrame({
        "Month": pd.to_datetime(pd.Series(column(DATES), dtype=object)),
        "Text": pd.Series(column(TEXTS), dtype="str"),
        "Float": pd.Series([np.nan if v is None else v for v in column(FLOATS)], dtype="float64"),
        "Int": pd.Series(column(st.integers(-2**53, 2**53)), dtype="int64"),
        "Nullable": pd.Series(column(st.one_of(st.none(), st.integers(0, 10**9))), dtype="Int64"),
        "Flag": pd.Series(column(st.booleans()), dtype="bool"),
    })


def _layout(frame: pd.DataFrame) -> WorkbookLayout:
    sheet = Sheet("Data", "Data", tables=[Table("Data", 1, frame)])
    sheet.put(0, 0, "Data")
    return WorkbookLayout("t", "s", "c", pd.Timestamp("2016-08-01"), [sheet])


def sheet_cells(path) -> dict[str, list[list[tuple]]]:
    """Every sheet's cells as openpyxl reads them back: (value, type, number format), row by row."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # what openpyxl does not support: sparklines, whole-column print areas
        book = load_workbook(path, read_only=True)
        try:
            return {sheet.title: [[(c.value, c.data_type, c.number_format) for c in row] for row in sheet.iter_rows()]
                    for sheet in book.worksheets}
        finally:
            book.close()


def _written_both_ways(tmp_path, frame, monkeypatch) -> tuple[list, list]:
    out = {}
    for way, threshold in (("streamed", 1), ("cells", 10**9)):
        monkeypatch.setattr(writer, "STREAM_MIN_ROWS", threshold)
        out[way] = tmp_path / f"{way}.xlsx"
        writer.write_workbook(_layout(frame), out[way])
    return sheet_cells(out["streamed"])["Data"], sheet_cells(out["cells"])["Data"]


def same_cells(streamed: list, cells: list) -> bool:
    """Equal cells, floats equal to 16 significant digits.

    A float against an int too: the 16 digits of 1000000000000000.5 are "1000000000000000",
    which openpyxl reads back as an int.
    """
    def close(a, b) -> bool:
        kinds = {type(a[0]), type(b[0])}
        if float in kinds and kinds <= {int, float}:
            return math.isclose(a[0], b[0], rel_tol=1e-15) and a[1:] == b[1:]
        return a == b
    return len(streamed) == len(cells) and all(
        len(r1) == len(r2) and all(close(a, b) for a, b in zip(r1, r2, strict=False))
        for r1, r2 in zip(streamed, cells, strict=False))


@settings(max_examples=40, deadline=None)
@given(frame=tables())
def test_streamed_table_reads_back_as_cells_do(tmp_path_factory, frame):
    with pytest.MonkeyPatch.context() as monkeypatch:
        streamed, cells = _written_both_ways(tmp_path_factory.mktemp("rows"), frame, monkeypatch)
    # The stream writes each float's shortest exact text (repr); XlsxWriter's write_number keeps
    # 16 significant digits, so the cell path may differ in the 17th: the stream is the exact one.
    assert same_cells(streamed, cells)
    body = streamed[2:]  # title, header, then the rows
    for row, (_, record) in zip(body, frame.iterrows(), strict=False):
        value = {name: cell[0] for name, cell in zip(frame.columns, row, strict=False)}
        assert value["Text"] == (None if pd.isna(record["Text"]) else record["Text"])  # text stays text
        expected = record["Float"]
        assert (value["Float"] is None) if math.isnan(expected) else value["Float"] == expected  # exactly
        assert value["Int"] == record["Int"] and value["Flag"] is bool(record["Flag"])
        assert value["Nullable"] == (None if pd.isna(record["Nullable"]) else int(record["Nullable"]))
        assert value["Month"] == (None if pd.isna(record["Month"]) else record["Month"].to_pydatetime())


def test_missing_values_leave_no_cell_and_never_shift_others(tmp_path, monkeypatch):
    frame = pd.DataFrame({"A": ["x", None, "z"], "B": [1.5, np.nan, np.nan], "C": [None, "y", None]}, dtype=object)
    frame["B"] = frame["B"].astype("float64")
    frame["A"], frame["C"] = frame["A"].astype("str"), frame["C"].astype("str")
    streamed, cells = _written_both_ways(tmp_path, frame, monkeypatch)
    assert streamed == cells
    assert [[c[0] for c in row] for row in streamed[1:]] == [
        ["A", "B", "C"], ["x", 1.5, None], [None, None, "y"], ["z", None, None]]
    for way in ("streamed", "cells"):  # no <c> element at all where a value is missing
        with zipfile.ZipFile(tmp_path / f"{way}.xlsx") as archive:
            xml = archive.read("xl/worksheets/sheet1.xml").decode()
        refs = re.findall(r'<c r="([A-C][3-5])"', xml)
        assert refs == ["A3", "B3", "C4", "A5"], (way, refs)


def test_chunks_join_seamlessly(tmp_path, monkeypatch):
    """Rows on both sides of every chunk boundary land on their own rows."""
    monkeypatch.setattr(rowstream, "CHUNK_ROWS", 7)
    frame = pd.DataFrame({"N": np.arange(50, dtype="int64"), "T": [f"t{i % 3}" for i in range(50)]})
    frame["T"] = frame["T"].astype("str")
    streamed, cells = _written_both_ways(tmp_path, frame, monkeypatch)
    assert streamed == cells
    assert [row[0][0] for row in streamed[2:]] == list(range(50))

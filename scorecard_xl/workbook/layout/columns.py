"""Tables of indicators described column by column: a sheet's columns are a list of Column.

The scorecard (scorecard_columns.py) and the impact of UASC (uasc.py) each list their
columns once, in order. The headers, each row's cells, the widths, the RAG ranges (which
the writer colours by conditional formatting), the column of titles and the columns left
off the print all follow from the list, so a new column is one more entry. A column's
position is its place in the list: nothing else names it by number.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Generic, TypeVar

from .model import RagRange, Sheet
from .sizing import FIGURE, HEADER_LINES, column_width

Row = TypeVar("Row")  # what one row of the table shows: an indicator with its figures

RAG_SAMPLE = ("G",)  # a RAG column shows one letter
DOT_SAMPLE = ("↑",)  # a direction of travel column shows one arrow


@dataclass(frozen=True)
class Column(Generic[Row]):
    """One column of a table of indicators."""

    header: str
    value: Callable[[Row], object] | None  # the cell's value; None: no cell (the sheet draws there: sparklines)
    style: str | Callable[[Row], str] = "text"  # a style (styles.py), or the row's own (an indicator's format)
    width_sample: Sequence[str] = (FIGURE,)  # the widest things the column shows; the header is measured too
    width: float | None = None  # a width worked out elsewhere, instead of one from the samples
    rag: bool = False  # RAG letters: coloured by conditional formatting
    titles: bool = False  # the indicators' titles: its width is fitted to the printed page (fit_to_pages)
    icon: bool = False  # SPC verdicts: Making Data Count's icon left of the words (scorecard.py draws it)
    printed: bool = True  # False: for the screen only (sparklines: LibreOffice cannot print them); last

    def cell_style(self, row: Row) -> str:
        return self.style(row) if callable(self.style) else self.style


def put_headers(sheet: Sheet, row: int, columns: Sequence[Column]) -> None:
    for col, column in enumerate(columns):
        sheet.put(row, col, column.header, "header")


def put_row(sheet: Sheet, row: int, columns: Sequence[Column[Row]], item: Row) -> None:
    """One row of the table: each column's value for `item`, in its style."""
    for col, column in enumerate(columns):
        if column.value is not None:
            sheet.put(row, col, column.value(item), column.cell_style(item))


def widths_for(columns: Sequence[Column], lines: int = HEADER_LINES) -> dict[int, float]:
    """Each column's width: its own, or as narrow as its header (in `lines` lines) and samples allow."""
    return {col: c.width if c.width is not None else column_width(c.header, c.width_sample, lines)
            for col, c in enumerate(columns)}


def rag_ranges(columns: Sequence[Column], first_row: int, last_row: int) -> list[RagRange]:
    """The RAG columns' cells from `first_row` to `last_row`, for the writer to colour."""
    return [RagRange(first_row, col, last_row, col) for col, c in enumerate(columns) if c.rag]


def position(columns: Sequence[Column], header: str) -> int:
    """The column under `header`."""
    return next(col for col, c in enumerate(columns) if c.header == header)


def titles_col(columns: Sequence[Column]) -> int:
    """The column of the indicators' titles: the panes freeze to its right."""
    return next(col for col, c in enumerate(columns) if c.titles)


def last_printed_col(columns: Sequence[Column]) -> int | None:
    """The last column printed when the columns after it are for the screen only (Sheet.print_cols)."""
    screen = [col for col, c in enumerate(columns) if not c.printed]
    if not screen:
        return None
    if any(c.printed for c in columns[screen[0]:]):
        raise ValueError("columns for the screen only come after every printed column")
    return screen[0] - 1

"""The description of a workbook that the layout builds and the writer renders.

Positions are 0-based (row, column). Styles are names from styles.py. Nothing here
knows about XlsxWriter, so a sheet's layout can be checked without writing a file.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd


@dataclass
class Cell:
    row: int
    col: int
    value: object
    style: str = "text"
    link: str | None = None  # an internal target such as "'Exceptions'!A5"
    last_col: int | None = None  # merge across to this column (text blocks only, never data tables)


@dataclass
class Table:
    """An Excel table (add_table): one header row, then typed columns, no merged cells."""

    name: str
    first_row: int
    frame: pd.DataFrame
    column_styles: dict[str, str] = field(default_factory=dict)  # by column name; default by dtype


@dataclass
class RagRange:
    """Cells holding RAG letters or words, coloured by conditional formatting."""

    first_row: int
    first_col: int
    last_row: int
    last_col: int


@dataclass
class Sparkline:
    row: int
    col: int
    data_range: str  # e.g. "'Trends'!C4:O4"


@dataclass
class ChartSeries:
    name: str
    categories: str  # a range such as "='Trends'!$C$3:$O$3"
    values: str
    dash: bool = False
    color: str = "#1F4E79"  # the line's and the markers' (line charts)
    width: float = 2.25  # the line's, in points; 0: no line, markers only
    marker: int = 0  # the markers' size; 0: none


@dataclass
class Chart:
    kind: str  # "line" or "column"
    title: str
    series: list[ChartSeries]
    row: int
    col: int
    percent_axis: bool = False
    width: int = 560
    height: int = 260
    colors: list[str] | None = None  # per point, for a column chart of one series
    description: str = ""  # alt text
    y_axis: tuple[float, float, float] | None = None  # the value axis' minimum, maximum and step; None: the program's
    legend: str = "bottom"  # where the legend is, when there are several series


@dataclass
class Image:
    """A picture in a cell (an SPC icon): PNG bytes shown at `scale`, `offset` (x, y) pixels from the
    cell's top left corner; it moves with the cell and keeps its size."""

    row: int
    col: int
    png: bytes
    description: str  # alt text
    scale: float = 1.0
    offset: tuple[int, int] = (0, 0)


@dataclass
class Sheet:
    name: str
    title: str
    cells: list[Cell] = field(default_factory=list)
    tables: list[Table] = field(default_factory=list)
    rag_ranges: list[RagRange] = field(default_factory=list)
    sparklines: list[Sparkline] = field(default_factory=list)
    charts: list[Chart] = field(default_factory=list)
    images: list[Image] = field(default_factory=list)
    widths: dict[int, float] = field(default_factory=dict)
    row_heights: dict[int, float] = field(default_factory=dict)
    freeze: tuple[int, int] | None = None
    header_rows: tuple[int, int] | None = None  # rows repeated on each printed page
    page_breaks: list[int] = field(default_factory=list)  # rows that start a new printed page
    landscape: bool = True
    hidden: bool = False
    printed: bool = False  # one of the sheets a manager prints (the PDF: printing.py)
    raw: bool = False  # a large table of rows: in the companion workbook with --raw-data separate (assembly.py)
    description: str = ""  # what the sheet holds, for the Contents sheet
    print_scale: int | None = None  # percent (page.py); None: fit to one page wide
    print_cols: int | None = None  # the last column printed, when those to its right are for the screen only
    anchors: dict[str, int] = field(default_factory=dict)  # rows that links from other sheets go to, by key

    def put(self, row: int, col: int, value: object, style: str = "text", **kwargs) -> None:
        self.cells.append(Cell(row, col, value, style, **kwargs))


@dataclass
class WorkbookLayout:
    title: str
    subject: str
    company: str
    month: pd.Timestamp
    sheets: list[Sheet]
    warnings: list = field(default_factory=list)  # Problems found while laying out, with the calculator's

    def sheet(self, name: str) -> Sheet:
        return next(s for s in self.sheets if s.name == name)


def quote_sheet(sheet: str) -> str:
    """A sheet name quoted for a reference: apostrophes doubled, as Excel requires."""
    return "'" + sheet.replace("'", "''") + "'"


def col_letter(col: int) -> str:
    letters = ""
    col += 1
    while col:
        col, rem = divmod(col - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


def link_to(sheet: str, row: int = 0, col: int = 0) -> str:
    return f"{quote_sheet(sheet)}!{col_letter(col)}{row + 1}"

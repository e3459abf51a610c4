"""Render a WorkbookLayout with XlsxWriter.

Every value is written with an explicit typed call (write_string, write_number,
write_datetime, write_blank): text from the export is data, never a formula or a link,
even when it starts with "=". `render` writes one file where it is told; `write_workbook`
puts it in place whole (files.py), so an interrupted run never leaves half a workbook.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import io
import math
import os
from pathlib import Path

import numpy as np
import pandas as pd
from xlsxwriter.utility import xl_range, xl_rowcol_to_cell

from ..files import replacing
from .layout.model import Cell, Chart, Image, RagRange, Sheet, Table, WorkbookLayout
from .layout.page import MARGINS_IN, PAPER_A4
from .styles import RAG_COLOURS, style_dict
from .xlsx import hooks, rowstream, zipwriter
from .xlsx.worksheet import StreamingWorksheet


class _Formats:
    """One Format object per distinct style name."""

    def __init__(self, workbook):
        self._workbook = workbook
        self._cache: dict[str, object] = {}

    def __getitem__(self, name: str):
        if name not in self._cache:
            self._cache[name] = self._workbook.add_format(style_dict(name))
        return self._cache[name]


def _is_missing(value: object) -> bool:
    return (value is None or value is pd.NA or value is pd.NaT
            or (isinstance(value, (float, np.floating)) and math.isnan(value)))


def write_value(ws, row: int, col: int, value: object, fmt) -> None:
    if _is_missing(value):  # a styled empty cell: layout cells keep their borders and fills
        ws.write_blank(row, col, None, fmt)
    elif isinstance(value, (pd.Timestamp, dt.datetime, dt.date)):
        ws.write_datetime(row, col, pd.Timestamp(value).to_pydatetime(), fmt)
    elif isinstance(value, (bool, np.bool_)):
        ws.write_boolean(row, col, bool(value), fmt)
    elif isinstance(value, (int, float, np.integer, np.floating)):
        ws.write_number(row, col, float(value), fmt)
    else:
        text = str(value)
        if len(text) > 32_767:  # the layout splits long text; reaching here is a bug, not data loss
            raise ValueError(f"text of {len(text):,} characters for one cell ({ws.name}, row {row + 1})")
        ws.write_string(row, col, text, fmt)


def _default_style(series: pd.Series) -> str:
    kind = rowstream.column_kind(series)
    if kind == "number":
        return "integer" if pd.api.types.is_integer_dtype(series) else "decimal4"
    return "text" if kind == "boolean" else kind  # "date" or "text"


STREAM_MIN_ROWS = 50  # tables at least this long are streamed (xlsx/rowstream.py) if XlsxWriter allows (xlsx/hooks.py)


def _write_table(ws: StreamingWorksheet, table: Table, formats: _Formats) -> None:
    frame = table.frame
    styles = [table.column_styles.get(c, _default_style(frame[c])) for c in frame.columns]
    first = table.first_row
    for col, name in enumerate(frame.columns):
        ws.write_string(first, col, str(name), formats["header"])
    options = {
        "name": table.name,
        "style": "Table Style Light 9",
        "columns": [{"header": str(c), "format": formats[s]} for c, s in zip(frame.columns, styles, strict=False)],
    }
    if len(frame) >= STREAM_MIN_ROWS and not hooks.missing(hooks.STREAM):
        ws.stream_table(first, frame, [formats[s] for s in styles], options)  # the rows written at close()
        return
    for col, name in enumerate(frame.columns):
        fmt = formats[styles[col]]
        for i, value in enumerate(frame[name].to_numpy(dtype=object)):
            if not _is_missing(value):  # a missing value has no cell, as in a streamed table
                write_value(ws, first + 1 + i, col, value, fmt)
    ws.add_table(first, 0, first + max(len(frame), 1), len(frame.columns) - 1, options)


def _write_cell(ws, cell: Cell, formats: _Formats) -> None:
    fmt = formats[cell.style]
    if cell.last_col is not None and cell.last_col > cell.col:
        # A text block across several columns: merge, then write the typed value.
        ws.merge_range(cell.row, cell.col, cell.row, cell.last_col, None, fmt)
    if cell.link:
        ws.write_url(cell.row, cell.col, f"internal:{cell.link}", fmt, string=str(cell.value))
    else:
        write_value(ws, cell.row, cell.col, cell.value, fmt)


def _write_rag_colours(workbook, ws, rags: list[RagRange], cache: dict) -> None:
    """Colour RAG cells by their text, so the colour follows the letter if it is edited: one rule per
    letter for all the sheet's RAG cells."""
    ranges = " ".join(xl_range(r.first_row, r.first_col, r.last_row, r.last_col) for r in rags)
    first = rags[0]
    for letter, colours in RAG_COLOURS.items():
        if letter not in cache:
            cache[letter] = workbook.add_format(colours)
        ws.conditional_format(first.first_row, first.first_col, first.last_row, first.last_col, {
            "type": "text", "criteria": "begins with", "value": letter, "format": cache[letter],
            "multi_range": ranges})


def _write_chart(workbook, ws, spec: Chart) -> None:
    chart = workbook.add_chart({"type": spec.kind})
    for series in spec.series:
        options = {"name": series.name, "categories": series.categories, "values": series.values}
        if spec.kind == "line":
            options["line"] = {"width": series.width, "dash_type": "dash" if series.dash else "solid",
                               "color": series.color} if series.width else {"none": True}
            options["marker"] = {"type": "circle", "size": series.marker, "fill": {"color": series.color},
                                 "border": {"color": series.color}} if series.marker else {"type": "none"}
        if spec.colors:
            options["points"] = [{"fill": {"color": c}} for c in spec.colors]
            options["data_labels"] = {"value": True}
        chart.add_series(options)
    chart.set_title({"name": spec.title, "name_font": {"size": 11, "bold": True}})
    y_axis = {"num_format": "0%"} if spec.percent_axis else {}
    if spec.y_axis:
        y_axis.update(zip(("min", "max", "major_unit"), spec.y_axis, strict=False))
    if y_axis:
        chart.set_y_axis(y_axis)
    chart.set_legend({"position": spec.legend} if len(spec.series) > 1 else {"none": True})
    chart.set_size({"width": spec.width, "height": spec.height})
    ws.insert_chart(spec.row, spec.col, chart, {"description": spec.description, "object_position": 1})


def _write_image(ws, image: Image) -> None:
    # XlsxWriter stores identical pictures once, however many cells show them.
    ws.insert_image(image.row, image.col, "icon.png", {
        "image_data": io.BytesIO(image.png), "x_scale": image.scale, "y_scale": image.scale,
        "x_offset": image.offset[0], "y_offset": image.offset[1], "description": image.description,
        "object_position": 2})  # moves with its cell, never stretched by a taller row


def _write_sheet(workbook, sheet: Sheet, formats: _Formats, layout: WorkbookLayout, rag_cache: dict) -> None:
    ws = workbook.add_worksheet(sheet.name, worksheet_class=StreamingWorksheet)  # XlsxWriter's own until told
    for cell in sheet.cells:
        _write_cell(ws, cell, formats)
    for table in sheet.tables:
        _write_table(ws, table, formats)
    if sheet.rag_ranges:
        _write_rag_colours(workbook, ws, sheet.rag_ranges, rag_cache)
    if sheet.sparklines:
        # One group for the sheet's sparklines (they share a style): XlsxWriter builds a style's
        # colours for every add_sparkline call, which is most of their cost.
        first = sheet.sparklines[0]
        ws.add_sparkline(first.row, first.col, {
            "location": [xl_rowcol_to_cell(s.row, s.col) for s in sheet.sparklines],
            "range": [s.data_range for s in sheet.sparklines], "markers": True, "series_color": "#1F4E79"})
    for chart in sheet.charts:
        _write_chart(workbook, ws, chart)
    for image in sheet.images:
        _write_image(ws, image)
    for col, width in sheet.widths.items():
        ws.set_column(col, col, width)
    for row, height in sheet.row_heights.items():
        ws.set_row(row, height)
    if sheet.freeze:
        ws.freeze_panes(*sheet.freeze)
    ws.set_landscape() if sheet.landscape else ws.set_portrait()
    ws.set_paper(PAPER_A4)
    ws.set_margins(**MARGINS_IN)
    if sheet.print_scale:
        ws.set_print_scale(sheet.print_scale)  # the scale the layout placed its page breaks for
    else:
        ws.fit_to_pages(1, 0)  # one page wide, as many pages long as needed
    if sheet.print_cols is not None:  # to the last row written (not whole columns, which openpyxl cannot read)
        ws.print_area(0, 0, ws.last_row_written(), sheet.print_cols)
    if sheet.page_breaks:
        ws.set_h_pagebreaks(sheet.page_breaks)
    if sheet.header_rows:
        ws.repeat_rows(*sheet.header_rows)
    month = layout.month.strftime("%b %Y")
    ws.set_footer(f"&L{sheet.name.replace('&', '&&')}&CPage &P of &N&R{month}")
    if sheet.hidden:
        ws.hide()


def write_workbook(layout: WorkbookLayout, path: str | Path) -> Path:
    """Write one workbook and put it in place whole (files.py): never half a file."""
    path = Path(path)
    with replacing(path) as (tmp,):
        render(layout, tmp)
    return path


def render(layout: WorkbookLayout, path: str | Path) -> None:
    """Write the workbook to exactly `path`; the caller puts it in place (files.FileSet)."""
    import xlsxwriter

    workbook = xlsxwriter.Workbook(str(path), {
        "strings_to_formulas": False,
        "strings_to_urls": False,
        "strings_to_numbers": False,
        "nan_inf_to_errors": False,
        # Column widths count digits of the workbook's default font. Calibri is missing where
        # LibreOffice prints the PDF, and its stand-in widens every column by a third; Arial (the
        # cells' font) has digits as wide in Excel, and LibreOffice always has its twin.
        "default_format_properties": {k: v for k, v in style_dict("text").items() if k.startswith("font_")},
        "tmpdir": _parts_folder(),
    })
    # Same input, same bytes: the creation date comes from the data, not the clock.
    created = (layout.month + pd.offsets.MonthEnd(0)).to_pydatetime()
    workbook.set_properties({
        "title": layout.title, "subject": layout.subject, "company": layout.company,
        "author": "scorecard-xl", "created": created,
    })
    formats, rag_cache = _Formats(workbook), {}
    for sheet in layout.sheets:
        _write_sheet(workbook, sheet, formats, layout, rag_cache)
    # Deflate each worksheet in background threads as XlsxWriter writes it (xlsx/zipwriter.py), if
    # XlsxWriter allows (xlsx/hooks.py); else XlsxWriter deflates the parts itself, after writing them.
    packaging = contextlib.nullcontext()
    if not hooks.missing(hooks.DEFLATE):
        package = zipwriter.Package()
        for worksheet in workbook.worksheets():
            worksheet.deflate_into(package)
        packaging = package.installed()
    with packaging:
        close(workbook)


SHM = "/dev/shm"
SHM_ROOM = 2 * 1024**3  # free space to leave for the parts of the largest workbooks, deflated


def _parts_folder() -> str | None:
    """Where XlsxWriter writes a workbook's parts before zipping them (about 40 files a workbook).

    A memory-backed folder where the system has one with room (Linux's /dev/shm: a file is
    created there some twenty times faster than on disk, which counts when a run writes a
    workbook per unit); the worksheets arrive there already deflated (xlsx/zipwriter.py), so only
    with those hooks. Else the system's temporary folder (None).
    """
    import shutil

    try:
        if not hooks.missing(hooks.DEFLATE) and shutil.disk_usage(SHM).free >= SHM_ROOM and os.access(SHM, os.W_OK):
            return SHM
    except OSError:
        pass
    return None


def close(workbook) -> None:
    """Close an XlsxWriter workbook; a failed write raises its OSError (XlsxWriter wraps it)."""
    from xlsxwriter.exceptions import FileCreateError

    try:
        workbook.close()
    except FileCreateError as exc:
        cause = exc.args[0] if exc.args else None
        if isinstance(cause, OSError):
            raise cause from None
        raise

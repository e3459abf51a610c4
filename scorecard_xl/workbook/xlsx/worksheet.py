"""The worksheet class the writer gives XlsxWriter: its own, with two fast paths it can switch on.

Passed through XlsxWriter's public `Workbook.add_worksheet(name, worksheet_class=...)`, so
nothing of XlsxWriter is patched for it. It overrides two private methods XlsxWriter calls
while it writes a sheet's XML at close():

- `_write_sheet_data` ("stream", after `stream_table`): XlsxWriter writes its own cells
  (title, header: all above the table's data), then rowstream.py writes the table's rows.
- `_set_xml_writer` ("deflate", after `deflate_into`): the sheet's XML goes into a
  zipwriter.DeflatingPart, deflated in background threads as it is written.

Until the writer switches a path on, which it does only when hooks.py finds every private
name the path uses, both call XlsxWriter's own method, with whatever XlsxWriter passed:
on a release that reshaped them the sheet is an ordinary XlsxWriter worksheet. The state
the paths keep has name-mangled attribute names, which no XlsxWriter attribute can clash with.
"""

from __future__ import annotations

from typing import Any, NamedTuple

import numpy as np
import pandas as pd
from xlsxwriter.utility import xl_range
from xlsxwriter.worksheet import Worksheet

from . import rowstream


class _Stream(NamedTuple):
    prepared: list[tuple[str, np.ndarray]]
    n_rows: int
    first_row: int  # 0-based sheet row of the first streamed row
    last_row: int  # ... and of the last
    own_last: int  # the last row XlsxWriter writes itself
    styles: list[int]  # each column's cell format, as XlsxWriter's xf index


class StreamingWorksheet(Worksheet):
    """An XlsxWriter worksheet that can stream one large table and deflate its XML as written."""

    # Class attributes, not an __init__ of our own: XlsxWriter constructs the class itself.
    __stream: _Stream | None = None
    __package: Any = None  # a zipwriter.Package

    def stream_table(self, header_row: int, frame: pd.DataFrame, formats: list, options: dict) -> None:
        """Declare `frame` as a table under its header (already written at `header_row`), its rows streamed.

        The rows are written when the workbook is closed (_write_sheet_data); only the text is
        taken now, into the shared string table, while that is still open. `formats`: each
        column's XlsxWriter Format; `options`: add_table's.
        """
        styles = [fmt._get_xf_index() for fmt in formats]
        first_row = header_row + 1
        own_last = self.dim_rowmax
        if own_last is None or own_last >= first_row or self.__stream is not None:
            raise ValueError(f"{self.name}: a streamed table must be the last thing on its sheet")
        last_row, last_col = first_row + len(frame) - 1, len(frame.columns) - 1
        prepared = rowstream.prepare(frame, self.str_table)  # now, while the string table is open
        self.dim_rowmax = last_row  # so <dimension> covers the streamed rows
        self.dim_colmax = max(self.dim_colmax, last_col)
        self.__stream = _Stream(prepared, len(frame), first_row, last_row, own_last, styles)
        # XlsxWriter visits every cell of a table's range to detect overlapping tables: 19
        # million cells for a million-row Results table. A streamed table is the last thing
        # on its sheet (checked above), so nothing can overlap it: declare the table over its
        # header and first row, then widen its range to every streamed row.
        self.add_table(header_row, 0, first_row, last_col, options)
        declared = self.tables[-1]
        full = xl_range(header_row, 0, last_row, last_col)
        declared["range"] = declared["a_range"] = full
        if declared.get("autofilter"):
            declared["autofilter"] = full

    def deflate_into(self, package) -> None:
        """Write this sheet's XML through `package` (a zipwriter.Package), deflated as it is written."""
        self.__package = package

    def last_row_written(self) -> int:
        """The last row (0-based) holding a cell, streamed ones included, or given a height: 0 if none."""
        return self.dim_rowmax or 0

    # ------------------------------------------------------------------------- XlsxWriter's, overridden

    def _write_sheet_data(self, *args, **kwargs) -> None:
        stream = self.__stream
        if stream is None:
            return super()._write_sheet_data(*args, **kwargs)
        self._xml_start_tag("sheetData")
        self.dim_rowmax = stream.own_last  # XlsxWriter writes only its own rows...
        try:
            self._write_rows()
        finally:
            self.dim_rowmax = stream.last_row
        rowstream.write_rows(self.fh, stream.prepared, stream.n_rows, stream.first_row,
                             stream.styles)  # ...then ours follow
        self._xml_end_tag("sheetData")
        return None

    def _set_xml_writer(self, *args, **kwargs) -> None:
        package = self.__package
        if package is None:
            return super()._set_xml_writer(*args, **kwargs)
        (filename,) = args
        self.fh = package.part(filename)
        self.internal_fh = True  # so XlsxWriter closes it when the sheet is written
        return None

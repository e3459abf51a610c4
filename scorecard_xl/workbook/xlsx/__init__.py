"""Everything that reaches into XlsxWriter's internals, for speed, and the check that it still can.

The rest of the package uses XlsxWriter's public API only. Two fast paths need more:

- `worksheet.py`: `StreamingWorksheet`, the worksheet class the writer gives XlsxWriter
  through its public `Workbook.add_worksheet(name, worksheet_class=...)`. It overrides two
  of XlsxWriter's private methods: `_write_sheet_data`, to stream a large table's rows
  after XlsxWriter's own (the "stream" path), and `_set_xml_writer`, to write the sheet's
  XML into a file that deflates it as it goes (the "deflate" path). Until the writer
  switches a path on for a sheet, both hand straight to XlsxWriter's own. It also reads
  and sets the private attributes the stream needs (dimensions, shared strings, format
  indices, the table's range) and the last row written, for the print area.
- `rowstream.py`: builds the streamed rows' SpreadsheetML, chunk by chunk (text through
  XlsxWriter's shared string table). Why: XlsxWriter's cell API costs microseconds a cell
  and keeps every cell in memory; a raw table of a million rows would take minutes.
- `zipwriter.py`: the deflating parts and the zip package. Why: XlsxWriter deflates every
  part one after another once all are written; here the sheets are deflated in background
  threads while their XML is written. XlsxWriter has no public way to choose how the zip
  is made, so this one stays a patch: `Package.installed()` swaps the name `ZipFile` in
  `xlsxwriter.workbook` for one `close()`, and puts it back.
- `hooks.py`: checks, once a process, that every private name each path uses is there as
  expected; a path whose names are not falls back to XlsxWriter's public API (slower, the
  same workbook), and `hooks.fallback_note()` says so in one line.

pyproject.toml pins the XlsxWriter releases these were tested with.
"""

"""Annex A workbooks as councils' systems write them, for tests/test_annex_a_variants.py: any
sheets with any headers (write_xlsx), OpenDocument files written by hand (write_ods), Excel error
cells (openpyxl: add_error_cells), sheet XML with namespace prefixes as the OpenXML SDK writes it
(prefix_namespaces) and cells rewritten in the XML (replace_cells: shared formulas, formulas with
no value saved, cells without a reference).

Every file is written here, by the project's own code: no third-party sample file is copied.
"""

from __future__ import annotations

import datetime as dt
import re
import zipfile
from dataclasses import dataclass
from pathlib import Path
from xml.sax.saxutils import escape, quoteattr

from annex_a_fixtures import HEADERS, full_row, write_value

D = dt.date
ASH = "Ashford CSWT"
# One row in each list, all correct: a complete file for a report date of 31/08/2016.
GOOD = {3: [{"child": "1", "referral": D(2016, 8, 3), "team": ASH}],
        4: [{"child": "1", "start": D(2016, 8, 3), "authorised": D(2016, 8, 20), "team": ASH}],
        6: [{"child": "1", "start": D(2016, 8, 3), "team": ASH}],
        7: [{"child": "1", "start": D(2016, 8, 20), "team": ASH}],
        8: [{"child": "2", "start": D(2016, 1, 20), "team": "South Kent CIC"}],
        9: [],
        10: []}


@dataclass(frozen=True)
class Formula:
    """A formula cell: `value` its value as last calculated (None: no value saved; a str starting
    with # in an .ods: an error result)."""

    formula: str
    value: object = None


def list_rows(number: int, rows: list[dict], headers: list[str] | None = None,
              rename: dict[str, str] | None = None) -> list[list]:
    """A list's sheet as rows of cells: its header (HEADERS, or `headers`; `rename` renames as
    written) and each row (a dict by header or fixture short name) in the header's order."""
    header = headers or HEADERS[number]
    out = [[(rename or {}).get(h, h) for h in header]]
    for row in rows:
        full = full_row(number, row)
        out.append([full.get(h) for h in header])
    return out


def annex_sheets(lists: dict[int, list[dict]], *, name=lambda n: f"List {n}", rename=None,
                 headers: dict[int, list[str]] | None = None) -> dict[str, list[list]]:
    """{sheet name: rows} for the lists given, exactly as given (no rows: a header only)."""
    return {name(n): list_rows(n, rows, (headers or {}).get(n), rename) for n, rows in lists.items()}


def write_xlsx(path: Path, sheets: dict[str, list[list]]) -> Path:
    """An .xlsx with xlsxwriter: dates as Excel dates, bools as Excel booleans, Formula cells as
    formulas with their value (None writes 0: use replace_cells for no value)."""
    import xlsxwriter

    workbook = xlsxwriter.Workbook(str(path), {"strings_to_formulas": False, "strings_to_numbers": False})
    dates = workbook.add_format({"num_format": "dd/mm/yyyy"})
    for name, rows in sheets.items():
        ws = workbook.add_worksheet(name)
        for r, row in enumerate(rows):
            for c, value in enumerate(row):
                if isinstance(value, Formula):
                    ws.write_formula(r, c, value.formula, None, 0 if value.value is None else value.value)
                else:
                    write_value(ws, r, c, value, dates)
    workbook.close()
    return path


def add_error_cells(path: Path, cells: dict[tuple[str, str], str]) -> Path:
    """Put Excel error values in cells, {(sheet, "D2"): "#N/A"}, with openpyxl (a string such as
    "#N/A" assigned to a cell is an error cell, data_type 'e'; #GETTING_DATA, which openpyxl does
    not know, is made one)."""
    import openpyxl

    workbook = openpyxl.load_workbook(path)
    for (sheet, ref), error in cells.items():
        cell = workbook[sheet][ref]
        cell.value = error
        cell.data_type = "e"
    workbook.save(path)
    return path


def _rewrite(path: Path, change) -> Path:
    """Rewrite the archive's parts in place: change(name, data) -> data."""
    with zipfile.ZipFile(path) as source:
        parts = [(info, change(info.filename, source.read(info.filename))) for info in source.infolist()]
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as out:
        for info, data in parts:
            out.writestr(info.filename, data)
    return path


def sheet_part(path: Path, sheet: str) -> str:
    """The worksheet part holding a sheet (from unprefixed workbook.xml and rels, as xlsxwriter and
    openpyxl write them)."""
    def attribute(tag: str, name: str) -> str:
        return re.search(rf'\s{name}="([^"]*)"', tag)[1]

    with zipfile.ZipFile(path) as archive:
        workbook = archive.read("xl/workbook.xml").decode()
        rels = archive.read("xl/_rels/workbook.xml.rels").decode()
    rid = next(attribute(tag, "r:id") for tag in re.findall(r"<sheet\b[^>]*>", workbook)
               if attribute(tag, "name") == escape(sheet))
    target = next(attribute(tag, "Target") for tag in re.findall(r"<Relationship\b[^>]*>", rels)
                  if attribute(tag, "Id") == rid)
    return target.lstrip("/") if target.startswith("/") else "xl/" + target


def replace_cells(path: Path, sheet: str, cells: dict[str, str]) -> Path:
    """Replace cells in a sheet's XML, {"E2": '<c r="E2"><f>1+1</f></c>'} (a cell not written yet
    is added to its row)."""
    part = sheet_part(path, sheet)

    def change(name: str, data: bytes) -> bytes:
        if name != part:
            return data
        text = data.decode()
        for ref, xml in cells.items():
            cell = re.compile(rf'<c r="{ref}"(?:[^>]*/>|[^>]*>.*?</c>)')
            if cell.search(text):
                text = cell.sub(lambda _, xml=xml: xml, text, count=1)
            else:
                row = re.match(r"[A-Z]+(\d+)", ref)[1]
                text = re.sub(rf'(<row r="{row}"[^>]*>.*?)(</row>)', lambda m, xml=xml: m[1] + xml + m[2], text,
                              count=1,
                              flags=re.S)
        return text.encode()
    return _rewrite(path, change)


def drop_cell_references(path: Path, sheet: str) -> Path:
    """Take the r="E2" reference off every cell of a sheet (allowed: a cell is then the next in its row)."""
    part = sheet_part(path, sheet)
    return _rewrite(path, lambda name, data: re.sub(rb'(<c) r="[A-Z]+\d+"', rb"\1", data) if name == part else data)


def prefix_namespaces(path: Path, prefix: str = "x") -> Path:
    """Write the spreadsheet parts' elements with a namespace prefix, `<x:c r="E2"><x:f>1+1</x:f>`, as
    the OpenXML SDK does (and the relationships with another prefix)."""
    def add(xml: str, p: str) -> str:
        xml = xml.replace(' xmlns="', f' xmlns:{p}="', 1)
        return re.sub(r"<(/?)([A-Za-z][\w]*)(?=[\s/>])", lambda m: f"<{m[1]}{p}:{m[2]}", xml)

    def change(name: str, data: bytes) -> bytes:
        if name.startswith("xl/") and name.endswith(".xml") and "/theme/" not in name:
            return add(data.decode(), prefix).encode()
        if name.endswith(".rels"):
            return add(data.decode(), "rel").encode()
        return data
    return _rewrite(path, change)


# ----------------------------------------------------------------------------- OpenDocument

@dataclass(frozen=True)
class Repeat:
    """A cell written once with table:number-columns-repeated, or a row with number-rows-repeated."""

    times: int
    content: object


COVERED = object()  # a table:covered-table-cell (under a merged cell)
_NS = ('xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
       'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
       'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" '
       'xmlns:calcext="urn:org:documentfoundation:names:experimental:calc:xmlns:calcext:1.0" '
       'xmlns:of="urn:oasis:names:tc:opendocument:xmlns:of:1.2"')


def _ods_cell(value: object) -> str:
    repeat = ""
    if isinstance(value, Repeat):
        repeat = f' table:number-columns-repeated="{value.times}"'
        value = value.content
    if value is COVERED:
        return f"<table:covered-table-cell{repeat}/>"
    formula = ""
    if isinstance(value, Formula):
        formula = f" table:formula={quoteattr(value.formula)}"
        if value.value is None:
            return f"<table:table-cell{repeat}{formula}/>"
        if isinstance(value.value, str) and value.value.startswith("#"):
            return (f'<table:table-cell{repeat}{formula} office:value-type="string" office:string-value="" '
                    f'calcext:value-type="error"><text:p>{escape(value.value)}</text:p></table:table-cell>')
        value = value.value
    if value is None:
        return f"<table:table-cell{repeat}/>"
    if isinstance(value, bool):
        attrs = f'office:value-type="boolean" office:boolean-value="{str(value).lower()}"'
    elif isinstance(value, dt.date):
        attrs = f'office:value-type="date" office:date-value="{value.isoformat()}"'
    elif isinstance(value, (int, float)):
        attrs = f'office:value-type="float" office:value="{value}"'
    else:
        attrs = 'office:value-type="string"'
    return f"<table:table-cell{repeat}{formula} {attrs}><text:p>{escape(str(value))}</text:p></table:table-cell>"


def write_ods(path: Path, sheets: dict[str, list]) -> Path:
    """A minimal OpenDocument spreadsheet, written by hand: mimetype (first, stored),
    content.xml and META-INF/manifest.xml. A row is a list of cells (values, Formula, Repeat,
    COVERED) or Repeat(n, row)."""
    tables = []
    for name, rows in sheets.items():
        xml_rows = []
        for row in rows:
            repeat = ""
            if isinstance(row, Repeat):
                repeat, row = f' table:number-rows-repeated="{row.times}"', row.content
            xml_rows.append(f"<table:table-row{repeat}>{''.join(map(_ods_cell, row))}</table:table-row>")
        tables.append(f"<table:table table:name={quoteattr(name)}><table:table-column "
                      f"table:number-columns-repeated=\"16\"/>{''.join(xml_rows)}</table:table>")
    content = (f'<?xml version="1.0" encoding="UTF-8"?>\n<office:document-content {_NS} office:version="1.2">'
               f"<office:body><office:spreadsheet>{''.join(tables)}</office:spreadsheet></office:body>"
               "</office:document-content>")
    manifest = ('<?xml version="1.0" encoding="UTF-8"?>\n<manifest:manifest xmlns:manifest='
                '"urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.2">'
                '<manifest:file-entry manifest:full-path="/" '
                'manifest:media-type="application/vnd.oasis.opendocument.spreadsheet"/>'
                '<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/>'
                "</manifest:manifest>")
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr(zipfile.ZipInfo("mimetype"), "application/vnd.oasis.opendocument.spreadsheet")
        archive.writestr("content.xml", content, compress_type=zipfile.ZIP_DEFLATED)
        archive.writestr("META-INF/manifest.xml", manifest, compress_type=zipfile.ZIP_DEFLATED)
    return path

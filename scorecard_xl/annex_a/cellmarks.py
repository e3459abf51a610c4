"""What calamine does not say of a workbook's cells: formulas and Excel error cells.

calamine gives each cell's value only, and reads an error cell (#N/A, #REF! ...) or a formula
with no value saved as an empty cell. An Annex A list must never take those for blanks, so the
sheets read are searched in the workbook's own XML: .xlsx/.xlsm worksheet parts (with or without
namespace prefixes, as the OpenXML SDK writes them; shared formulas too) and an .ods file's
content.xml. A part is parsed only when a byte search shows it can hold one, so a county's
megabytes of list cost two searches. A binary workbook (.xlsb) cannot be searched so: the reader
refuses it (is_binary_workbook).
"""

from __future__ import annotations

import html
import io
import posixpath
import re
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from xml.etree.ElementTree import iterparse

from xlsxwriter.utility import xl_cell_to_rowcol


@dataclass(frozen=True)
class ExcelError:
    """A cell holding an Excel error (calamine reads it as an empty cell)."""

    value: str

    def __str__(self) -> str:
        return self.value


class NoValue:
    """A formula cell with no value saved (calamine reads it as an empty cell)."""

    def __str__(self) -> str:
        return ""


NO_VALUE = NoValue()


@dataclass
class Marks:
    """What a sheet's XML says of cells that calamine's values do not: (Excel row, 0-based column)."""

    errors: dict[tuple[int, int], str] = field(default_factory=dict)  # -> the error value (#N/A)
    formulas: set[tuple[int, int]] = field(default_factory=set)  # with a value as last calculated
    no_value: set[tuple[int, int]] = field(default_factory=set)  # formulas with no value saved

    def by_column(self) -> dict[int, list[tuple[int, object]]]:
        """Column -> [(Excel row, the value to read instead)] for error cells and formulas with no value."""
        out: dict[int, list[tuple[int, object]]] = {}
        for (row, col), value in self.errors.items():
            out.setdefault(col, []).append((row, ExcelError(value)))
        for row, col in self.no_value:
            out.setdefault(col, []).append((row, NO_VALUE))
        return out


_ERROR_VALUE = re.compile(rb"(<(?:[\w.-]+:)?v>)(#[A-Z_/0]+[!?]?)(</(?:[\w.-]+:)?v>)")
_CALAMINE_ERRORS = {b"#N/A", b"#VALUE!", b"#REF!", b"#DIV/0!", b"#NAME?", b"#NULL!", b"#NUM!"}  # it reads these
_ROOT = re.compile(rb"<([\w.-]+:)?worksheet[\s>]")
_SHEET_DATA = re.compile(rb"<(?:[\w.-]+:)?sheetData[\s>/]")
_SHEET_DATA_END = re.compile(rb"</(?:[\w.-]+:)?sheetData\s*>")
_ERROR_TYPE = re.compile(rb"""\st\s*=\s*["']e["']""")
_CELL_TAG = re.compile(rb"<(?:[\w.-]+:)?c(\s[^>]*?)?(/?)>")
_REF = re.compile(rb"""(?:^|\s)r\s*=\s*["']([A-Za-z]{1,3}\d+)["']""")
_TYPE = re.compile(rb"""(?:^|\s)t\s*=\s*["'](\w+)["']""")
_F_ELEMENT = rb"<(?:[\w.-]+:)?f\b[^>]*?(?:/>|>[^<]*</(?:[\w.-]+:)?f\s*>)"
_V_ELEMENT = rb"(?:(<(?:[\w.-]+:)?v\s*/>)|<(?:[\w.-]+:)?v(?:\s[^>]*)?>([^<]*)</(?:[\w.-]+:)?v\s*>)"
_FORMULA_CELL = re.compile(rb"<(?:[\w.-]+:)?c(\s[^>]*?)?>\s*" + _F_ELEMENT + rb"\s*" + _V_ELEMENT + b"?")
_AFTER_NAME = (b" ", b">", b"/", b"\t", b"\n", b"\r")
_V_AFTER_TAG = re.compile(rb"\s*(?:" + _F_ELEMENT + rb"\s*)?" + _V_ELEMENT)
_ODS = "{urn:oasis:names:tc:opendocument:xmlns:%s:1.0}"
_TABLE, _OFFICE = _ODS % "table", _ODS % "office"
_CALCEXT = "{urn:org:documentfoundation:names:experimental:calc:xmlns:calcext:1.0}"
_MAX_REPEAT = 16384  # Excel's columns: a repeat count no sheet's data goes past


def is_binary_workbook(path: Path) -> bool:
    """An .xlsb workbook: its sheets are binary records, not XML."""
    try:
        with zipfile.ZipFile(path) as archive:
            return any(name.lower().endswith(".bin") and name.startswith("xl/") and "workbook" in name.lower()
                       for name in archive.namelist())
    except (zipfile.BadZipFile, OSError):
        return False


def cell_marks(path: Path, sheets: set[str]) -> dict[str, Marks]:
    """{sheet name: its error cells and formulas} for the sheets named, from the workbook's XML
    (calamine gives values only: an error cell or a formula with no value as empty). Each part is
    parsed only when a byte search shows it can hold one. .xlsx/.xlsm and .ods; others give {}."""
    try:
        archive = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError):
        return {}
    with archive:
        members = set(archive.namelist())
        if "[Content_Types].xml" not in members:
            if "content.xml" in members:
                data = archive.read("content.xml")
                return _ods_marks(data, sheets) if b"table:formula" in data else {}
            return {}
        parts = _sheet_parts(archive)
        found: dict[str, Marks] = {}
        for name in sheets:
            part = parts.get(name)
            if part is None or part not in members:
                continue
            data = archive.read(part)
            if _may_hold_marks(data):
                marks = _xlsx_marks(data)
                if marks.errors or marks.formulas or marks.no_value:
                    found[name] = marks
        return found


def read_patched(path: Path, sheet: str) -> list[list] | None:
    """A sheet calamine refused for an error value it does not know (#GETTING_DATA, #SPILL!, #CALC!
    ...), read from a copy with those values as #N/A (cell_marks gives each cell's own); None if
    that is not why."""
    from python_calamine import CalamineWorkbook

    try:
        with zipfile.ZipFile(path) as archive:
            part = _sheet_parts(archive).get(sheet)
            if part is None:
                return None
            data = archive.read(part)
            patched = _ERROR_VALUE.sub(lambda m: m[1] + (m[2] if m[2] in _CALAMINE_ERRORS else b"#N/A") + m[3], data)
            if patched == data:
                return None
            copy = io.BytesIO()
            with zipfile.ZipFile(copy, "w", zipfile.ZIP_DEFLATED) as out:
                for info in archive.infolist():
                    out.writestr(info, patched if info.filename == part else archive.read(info.filename))
        copy.seek(0)
        return CalamineWorkbook.from_filelike(copy).get_sheet_by_name(sheet).to_python(skip_empty_area=False)
    except Exception:
        return None


def _prefix(data: bytes) -> bytes:
    """The namespace prefix a worksheet part's elements carry: b"" or b"x:" (the OpenXML SDK's)."""
    root = _ROOT.search(data, 0, 4096)
    return root[1] if root and root[1] else b""


def _may_hold_marks(data: bytes) -> bool:
    """Whether a worksheet part may hold a formula or an error cell, by two byte searches (a
    county's list is megabytes): `<f` (`<x:f` when its elements carry a prefix) and t="e" (or
    t='e' if its attributes are so quoted)."""
    if b"<" + _prefix(data) + b"f" in data:
        return True
    head = data[:4096]
    quotes = [q for q in (b'"', b"'") if b"=" + q in head] or [b'"', b"'"]
    return any(b"t=" + q + b"e" + q in data for q in quotes)


def _xlsx_marks(data: bytes) -> Marks:
    """A worksheet part's error cells and formulas: found by searching for them (fast: the rest of
    the sheet is not parsed), or, if a cell has no reference (r="E2"), by parsing the whole part."""
    start = _SHEET_DATA.search(data)
    if start is None:
        return Marks()
    end_match = _SHEET_DATA_END.search(data, start.end())
    begin, end = start.start(), (end_match.start() if end_match else len(data))
    marks = Marks()
    needle = b"<" + _prefix(data) + b"f"
    at = data.find(needle, begin, end)
    while at != -1:
        if data[at + len(needle):at + len(needle) + 1] in _AFTER_NAME:
            cell = _FORMULA_CELL.match(data, data.rfind(b"<", begin, at))  # an <f> is its cell's first child
            if cell is not None:
                attributes = cell[1] or b""
                ref = _REF.search(attributes)
                if ref is None:
                    return _xlsx_marks_parsed(data)
                key = _key(ref[1])
                kind = _TYPE.search(attributes)
                kind = kind[1] if kind else b"n"
                empty, text = cell[2], cell[3]
                if kind == b"e":
                    marks.errors[key] = html.unescape((text or b"").decode("utf-8", "replace")) or "#N/A"
                elif text or (kind == b"str" and (empty is not None or text is not None)):
                    marks.formulas.add(key)
                else:
                    marks.no_value.add(key)
        at = data.find(needle, at + 1, end)
    for found in _ERROR_TYPE.finditer(data, start.end(), end):
        tag = _CELL_TAG.match(data, data.rfind(b"<", begin, found.start()))
        if tag is None or tag.end() <= found.start():  # not in a cell's tag (text that reads t="e")
            continue
        ref = _REF.search(tag[1] or b"")
        if ref is None:
            return _xlsx_marks_parsed(data)
        key = _key(ref[1])
        if key in marks.errors:
            continue
        value = None if tag[2] else _V_AFTER_TAG.match(data, tag.end())
        text = value[2] if value else None
        marks.errors[key] = html.unescape((text or b"").decode("utf-8", "replace")) or "#N/A"
    return marks


_LETTERS = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
_COLUMNS: dict[bytes, int] = {}


def _key(ref: bytes) -> tuple[int, int]:
    """A cell reference (b"E2") as (Excel row, 0-based column)."""
    digits = ref.lstrip(_LETTERS)
    letters = ref[:len(ref) - len(digits)]
    col = _COLUMNS.get(letters)
    if col is None:
        col = _COLUMNS[letters] = xl_cell_to_rowcol(letters.decode().upper() + "1")[1]
    return int(digits), col


def _xlsx_marks_parsed(data: bytes) -> Marks:
    """_xlsx_marks by parsing the whole part: cells without a reference are counted along their row."""
    marks = Marks()
    row, col = 0, -1
    for event, element in iterparse(io.BytesIO(data), events=("start", "end")):
        local = element.tag.rpartition("}")[2]
        if event == "start":
            if local == "row":
                given = element.get("r")
                row, col = (int(given) if given else row + 1), -1
            continue
        if local == "c":
            given = element.get("r")
            if given:
                row0, col = xl_cell_to_rowcol(given.upper())
                row = row0 + 1
            else:
                col += 1
            formula = value = None
            for child in element:
                name = child.tag.rpartition("}")[2]
                if name == "f":
                    formula = child
                elif name == "v":
                    value = child
            kind = element.get("t", "n")
            text = (value.text or "") if value is not None else None
            if kind == "e":
                marks.errors[row, col] = text or "#N/A"
            elif formula is not None:
                if text or (kind == "str" and value is not None):
                    marks.formulas.add((row, col))
                else:
                    marks.no_value.add((row, col))
        elif local == "row":
            element.clear()
    return marks


def _ods_marks(data: bytes, sheets: set[str]) -> dict[str, Marks]:
    """An OpenDocument spreadsheet's formula cells (table:formula) in the sheets named: an error
    result (calcext:value-type="error"), a value as last calculated (office:value-type or text),
    or none. Rows and columns are counted as calamine does: repeated and covered cells count."""
    out: dict[str, Marks] = {}
    marks: Marks | None = None
    row = col = 0
    in_row: list[tuple[int, str, str | None]] = []  # this row's formula cells: (column, kind, error)
    for event, element in iterparse(io.BytesIO(data), events=("start", "end")):
        tag = element.tag
        if event == "start":
            if tag == _TABLE + "table":
                name = element.get(_TABLE + "name")
                marks = out.setdefault(name, Marks()) if name in sheets else None
                row = 0
            elif tag == _TABLE + "table-row":
                col, in_row = 0, []
            continue
        if tag in (_TABLE + "table-cell", _TABLE + "covered-table-cell"):
            repeat = int(element.get(_TABLE + "number-columns-repeated", "1"))
            if marks is not None and element.get(_TABLE + "formula") is not None:
                text = "".join(element.itertext()).strip()
                if element.get(_CALCEXT + "value-type") == "error":
                    kind, error = "error", text or "#N/A"
                elif element.get(_OFFICE + "value-type") is not None or text:
                    kind, error = "formula", None
                else:
                    kind, error = "no value", None
                in_row.extend((col + k, kind, error) for k in range(min(repeat, _MAX_REPEAT)))
            col += repeat
            element.clear()
        elif tag == _TABLE + "table-row":
            repeat = int(element.get(_TABLE + "number-rows-repeated", "1"))
            if marks is not None:
                for k in range(min(repeat, 1_048_576) if in_row else 0):
                    for c, kind, error in in_row:
                        cell = (row + k + 1, c)
                        if kind == "error":
                            marks.errors[cell] = error
                        elif kind == "formula":
                            marks.formulas.add(cell)
                        else:
                            marks.no_value.add(cell)
            row += repeat
            element.clear()
        elif tag == _TABLE + "table":
            marks = None
    return {name: m for name, m in out.items() if m.errors or m.formulas or m.no_value}


_RELATIONSHIP = re.compile(r"<(?:[\w.-]+:)?Relationship\b[^>]*>")
_SHEET = re.compile(r"<(?:[\w.-]+:)?sheet\b[^>]*>")


def _attribute(tag: str, name: str) -> str | None:
    found = re.search(r"\s" + name + r"""\s*=\s*(["'])(.*?)\1""", tag)
    return html.unescape(found[2]) if found else None


def _sheet_parts(archive: zipfile.ZipFile) -> dict[str, str]:
    """Sheet name -> its part in the archive (xl/worksheets/sheetN.xml), from the workbook part and
    its relationships, whatever namespace prefixes their XML uses."""
    workbook_part = "xl/workbook.xml"
    try:
        root = archive.read("_rels/.rels").decode("utf-8", "replace")
        for rel in _RELATIONSHIP.finditer(root):
            if (_attribute(rel[0], "Type") or "").endswith("/officeDocument") and _attribute(rel[0], "Target"):
                workbook_part = _resolve("", _attribute(rel[0], "Target"))
    except KeyError:
        pass
    folder, name = posixpath.split(workbook_part)
    try:
        workbook = archive.read(workbook_part).decode("utf-8", "replace")
        rels = archive.read(posixpath.join(folder, "_rels", name + ".rels")).decode("utf-8", "replace")
    except KeyError:
        return {}
    targets = {}
    for rel in _RELATIONSHIP.finditer(rels):
        rid, target = _attribute(rel[0], "Id"), _attribute(rel[0], "Target")
        if rid and target and _attribute(rel[0], "TargetMode") != "External":
            targets[rid] = _resolve(folder, target)
    parts = {}
    for sheet in _SHEET.finditer(workbook):
        name, rid = _attribute(sheet[0], "name"), _attribute(sheet[0], r"[\w.-]+:id")
        if name is not None and rid in targets:
            parts[name] = targets[rid]
    return parts


def _resolve(folder: str, target: str) -> str:
    """A relationship's target as a part name: absolute (/xl/...) or relative to the source's folder."""
    if target.startswith("/"):
        return target.lstrip("/")
    return posixpath.normpath(posixpath.join(folder, target))

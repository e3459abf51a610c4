"""Read one Annex A workbook: its lists, every cell checked, as typed frames.

Councils write the Ofsted template in many small variations, so the reader matches them as
people would (lists.py): the list by its sheet name (`List 3`, `List_3`, `List 3 - Referrals`),
the header in any of the first rows (title rows above it), headers ignoring case, spacing and
curly quotes, codes with or without their `a)` prefix, dates as Excel dates or day-first
text, child IDs with Excel's `1234.0` mended. What it cannot read it reports, with the file,
list, row and column: it never guesses a date, a code or a team.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import html
import re
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from ..model import InputError, Problem
from ..months import excel_serial_day
from ..names import closest, name_key
from ..reading.filecheck import check_file
from ..reading.reader import HEADER_SEARCH_ROWS, SheetReader
from .lists import Column, ListSpec, header_key, list_number, lists_spec

_TEXT_DATE_FORMATS = ("%d/%m/%Y", "%d-%m-%Y", "%d.%m.%Y", "%d/%m/%y", "%Y-%m-%d", "%d %b %Y", "%d %B %Y")
_CODE_PREFIX = re.compile(r"^\s*[a-z]\)\s*", re.IGNORECASE)  # "a) Yes" -> "Yes"
_LEADING_CODE = re.compile(r"^\s*([A-Za-z]{1,2}\d{1,2})(?![0-9A-Za-z])")  # "V3: Short breaks" -> "V3"
_FORMULA_CELL = re.compile(rb'<c r="([A-Z]+\d+)"[^>]*?(?<!/)>\s*<f[\s>/]')
_REPORT_DATE_IN_NAME = re.compile(r"(\d{4})-(\d{2})-(\d{2})")


@dataclass
class AnnexAFile:
    """One workbook's lists, read and checked.

    lists: list number -> a frame with one column per spec column (ids and codes as text,
    teams as written, dates as datetime64, counts as Int64) and `Row` (Excel's row number).
    """

    path: Path
    report_date: pd.Timestamp
    lists: dict[int, pd.DataFrame]
    problems: list[Problem] = field(default_factory=list)  # warnings (errors raise)
    ignored: list[int] = field(default_factory=list)  # lists it has that no rule reads (1, 2, 5, 11)


def report_date_from_name(path: Path) -> dt.date | None:
    """The report date a file's name carries (`annex-a-2016-08-31.xlsx`), or None."""
    found = _REPORT_DATE_IN_NAME.search(path.stem)
    if not found:
        return None
    try:
        return dt.date(int(found[1]), int(found[2]), int(found[3]))
    except ValueError:
        return None


def read_annex_a(path: str | Path, report_date: dt.date) -> AnnexAFile:
    """Read and check one Annex A workbook; InputError lists every error found in it."""
    path = Path(path)
    check_file(path)
    try:
        from python_calamine import CalamineWorkbook

        workbook = CalamineWorkbook.from_path(str(path))
        names = list(workbook.sheet_names)
    except Exception as exc:  # calamine reports corrupt files with several exception types
        raise InputError([Problem("error", f"cannot read {path.name} as a spreadsheet ({exc})")]) from None
    spec = lists_spec()
    problems: list[Problem] = []

    def problem(severity: str, message: str) -> None:
        problems.append(Problem(severity, message, file=path.name))

    by_list: dict[int, list[str]] = {}
    for name in names:
        number = list_number(name)
        if number is not None:
            by_list.setdefault(number, []).append(name)
    for number, sheets in by_list.items():
        if len(sheets) > 1:
            problem("error", f"sheets {' and '.join(map(repr, sheets))} both hold List {number}; keep one")
    ignored = sorted(n for n in by_list if spec.get(n) is None)
    formulas = _formula_cells(path, names)
    report = pd.Timestamp(report_date)
    frames: dict[int, pd.DataFrame] = {}
    for list_spec in spec.lists:
        found = by_list.get(list_spec.number, [])
        if not found:
            if list_spec.optional:
                problem("warning", f"no {list_spec.label} ({list_spec.name}): the rules that need it give nothing "
                                   "from this file")
            else:
                sheet_names = ", ".join(map(repr, names))
                problem("error", f"missing {list_spec.label} ({list_spec.name}); expected a sheet named like "
                                 f"'{list_spec.label}' or '{list_spec.label} - {list_spec.name}' (the sheets are "
                                 f"{sheet_names})")
            continue
        sheet_name = found[0]
        rows = workbook.get_sheet_by_name(sheet_name).to_python(skip_empty_area=False)
        reader = _ListReader(list_spec, sheet_name, rows, report, formulas.get(sheet_name, {}))
        frame = reader.read()
        problems.extend(dataclasses.replace(p, file=path.name) for p in reader.problems())
        if frame is not None:
            frames[list_spec.number] = frame
    if any(p.severity == "error" for p in problems):
        raise InputError(problems)
    return AnnexAFile(path, report, frames, problems, ignored)


class _ListReader(SheetReader):
    """One list's sheet: finds its header, reads and checks each column the spec names."""

    def __init__(self, spec: ListSpec, sheet: str, rows: list[list], report: pd.Timestamp,
                 formulas: dict[tuple[int, int], str]):
        super().__init__(sheet, rows)
        self.spec = spec
        self.report = report
        self.formulas = formulas  # (Excel row, 0-based column) -> cell reference

    def read(self) -> pd.DataFrame | None:
        header_index = self._find_header()
        if header_index is None:
            return None
        header = [header_key(h) if h is not None else "" for h in self.rows[header_index]]
        header_row = header_index + 1  # Excel's number
        positions: dict[str, int] = {}
        for column in self.spec.columns:
            keys = column.keys
            at = [i for i, h in enumerate(header) if h in keys]
            if len(at) > 1:
                self.error(f"column {column.header!r} appears {len(at)} times; keep one", row=header_row,
                           column=column.header)
            elif at:
                positions[column.name] = at[0]
            else:
                written = [str(h) for h in self.rows[header_index] if h not in (None, "")]
                self.error(f"missing column {column.header!r}{closest(column.header, written)}",
                           row=header_row, column=column.header)
        if len(positions) < len(self.spec.columns):
            return None
        body = self.rows[header_index + 1:]
        # Each column the spec names, as distinct values and codes: a list repeats a few teams, dates
        # and codes many times, so each distinct value is converted once.
        cells = {c.name: _Cells([row[positions[c.name]] if positions[c.name] < len(row) else None for row in body])
                 for c in self.spec.columns}
        rows = np.arange(header_row + 1, header_row + 1 + len(body))
        filled = ~np.logical_and.reduce([c.blank for c in cells.values()])  # a row blank in every column is no row
        rows = rows[filled]
        cells = {name: c.subset(filled) for name, c in cells.items()}
        self._refuse_formulas(rows, positions)
        out = pd.DataFrame({"Row": rows})
        for column in self.spec.columns:
            out[column.name] = self._parse(cells[column.name], rows, column)
        self._check_rows(out)
        return out

    def _find_header(self) -> int | None:
        """The row, among the first few, holding most of the list's headers."""
        wanted = [c.keys for c in self.spec.columns]

        def held(row: list) -> int:
            keys = {header_key(v) for v in row if v is not None}
            return sum(1 for k in wanted if k & keys)

        candidates = range(min(len(self.rows), HEADER_SEARCH_ROWS))
        best = max(candidates, key=lambda i: held(self.rows[i]), default=None)
        if best is None or 2 * held(self.rows[best]) < len(wanted):
            expected = ", ".join(repr(c.header) for c in self.spec.columns)
            self.error(f"no header row found in the first {HEADER_SEARCH_ROWS} rows; {self.spec.label} needs the "
                       f"columns {expected}", row=1)
            return None
        return best

    def _refuse_formulas(self, rows: np.ndarray, positions: dict[str, int]) -> None:
        """A formula's value is whatever Excel last worked out; a list must hold the data itself."""
        if not self.formulas:
            return
        rows = set(rows.tolist())
        for column in self.spec.columns:
            for (row, col), ref in self.formulas.items():
                if col == positions[column.name] and row in rows:
                    self.error(f"cell {ref} holds a formula; paste it as a value (Annex A lists hold data, "
                               "not calculations)", row=row, column=column.header)

    # ----- one column at a time, each distinct value converted once

    def _parse(self, cells: _Cells, rows: np.ndarray, column: Column) -> np.ndarray | pd.Series:
        if column.required:
            for row in rows[cells.blank]:
                self.error(f"empty; {_what(column)} is required", row=int(row), column=column.header)
        convert = {"id": _as_id, "team": _as_text, "date": _as_date, "count": _as_count}.get(column.kind)
        if convert is None:
            convert = _code_reader(column)
        converted = [None if blank else convert(value) for value, blank in zip(cells.uniques, cells.blank_unique)]
        unreadable = np.array([c is None for c in converted] + [False])[cells.codes] & ~cells.blank
        for row, code in zip(rows[unreadable], cells.codes[unreadable]):
            self.error(_unreadable(column, str(cells.uniques[code])), row=int(row), column=column.header)
        if column.kind == "date":
            stamps = np.array([np.datetime64("NaT") if c is None else c.to_datetime64() for c in converted]
                              + [np.datetime64("NaT")], dtype="datetime64[ns]")
            return stamps[cells.codes]
        if column.kind == "count":
            return pd.array([*converted, None], dtype="Int64")[cells.codes]
        return np.array([*converted, None], dtype=object)[cells.codes]

    def _check_rows(self, out: pd.DataFrame) -> None:
        headers = {c.name: c.header for c in self.spec.columns}
        for column in self.spec.columns:
            if column.kind != "date":
                continue
            later = out[column.name] > self.report
            for row, value in zip(out.loc[later, "Row"], out.loc[later, column.name]):
                self.error(f"{value:%d/%m/%Y} is after the report date {self.report:%d/%m/%Y}; a list holds what "
                           "had happened by its report date (check --report-date, or the date in the file name)",
                           row=int(row), column=column.header)
        start = next((c.name for c in self.spec.columns if c.kind == "date"), None)
        for later_name in ("end", "authorised", "placed", "adopted", "matched", "placement_order"):
            if later_name in out.columns and start is not None:
                before = out[later_name] < out[start]
                for row, a, b in zip(out.loc[before, "Row"], out.loc[before, later_name], out.loc[before, start]):
                    self.error(f"{a:%d/%m/%Y} is before the {headers[start]} ({b:%d/%m/%Y})", row=int(row),
                               column=headers[later_name])
        if self.spec.one_row_per_child:
            repeated = out[out.duplicated("child", keep=False) & out["child"].notna()]
            for child, rows in repeated.groupby("child", sort=False)["Row"]:
                listed = ", ".join(map(str, rows))
                self.error(f"child {child} appears {len(rows)} times (rows {listed}); {self.spec.label} holds one "
                           "row per child, their latest episode", row=int(rows.iloc[1]), column=headers["child"])


class _Cells:
    """A column's cells as codes into its distinct values (-1: empty), and which are blank."""

    def __init__(self, values: list | None = None, *, codes=None, uniques=None, blank_unique=None):
        if values is not None:
            codes, uniques = pd.factorize(pd.Series(values, dtype=object), use_na_sentinel=True)
            blank_unique = np.array([isinstance(u, str) and not u.strip() for u in uniques] + [True])
        self.codes, self.uniques = codes, uniques
        self.blank_unique = blank_unique  # per distinct value, and True for the -1 code (index -1)
        self.blank = blank_unique[codes]

    def subset(self, keep: np.ndarray) -> _Cells:
        return _Cells(codes=self.codes[keep], uniques=self.uniques, blank_unique=self.blank_unique)


def _what(column: Column) -> str:
    return {"id": "the child's ID", "team": "a team", "date": "a date", "count": "a number"}.get(column.kind, "a value")


def _unreadable(column: Column, value: str) -> str:
    if column.kind == "date":
        return f"cannot read {value!r} as a date; expected an Excel date or day-first text such as 31/08/2016"
    if column.kind == "count":
        return f"{value!r} is not a whole number of 0 or more"
    if column.kind == "code" and column.prefix_codes:
        return f"{value!r} does not start with a code such as V3 or F1"
    if column.kind == "code":
        expected = ", ".join(dict.fromkeys(column.codes.values()))
        return f"{value!r} is not one of the expected values ({expected}, with or without their a) prefix)"
    return f"cannot read {value!r}"


def _as_text(value: object) -> str | None:
    text = str(value).strip()
    return text or None


def _as_id(value: object) -> str | None:
    """The child's ID as text: Excel shows 1234 but may hold 1234.0."""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, (dt.date, dt.datetime, bool)):
        return None
    return _as_text(value)


def _as_date(value: object) -> pd.Timestamp | None:
    if isinstance(value, dt.datetime):
        return pd.Timestamp(value.date())
    if isinstance(value, dt.date):
        return pd.Timestamp(value)
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        day = excel_serial_day(value)
        return None if day is None else pd.Timestamp(day)
    text = str(value).strip()
    text = re.sub(r"[ T]00:00(:00)?$", "", text)  # a date exported with midnight
    for form in _TEXT_DATE_FORMATS:
        try:
            return pd.Timestamp(dt.datetime.strptime(text, form))
        except ValueError:
            continue
    return None


def _as_count(value: object) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        return int(value) if float(value).is_integer() and value >= 0 else None
    text = str(value).strip()
    return int(text) if text.isdigit() else None


def _code_reader(column: Column):
    if column.prefix_codes:
        def leading(value: object) -> str | None:
            found = _LEADING_CODE.match(str(value))
            return found[1].upper() if found else None
        return leading
    codes = {name_key(k): v for k, v in column.codes.items()}

    def code(value: object) -> str | None:
        return codes.get(name_key(_CODE_PREFIX.sub("", str(value))))
    return code


def _formula_cells(path: Path, sheet_names: list[str]) -> dict[str, dict[tuple[int, int], str]]:
    """{sheet name: {(Excel row, 0-based column): reference}} of every formula cell, from the
    workbook's XML (calamine gives values only). Only .xlsx/.xlsm hold this; others give {}."""
    from xlsxwriter.utility import xl_cell_to_rowcol

    try:
        archive = zipfile.ZipFile(path)
    except zipfile.BadZipFile:
        return {}
    with archive:
        parts = _sheet_parts(archive)
        found: dict[str, dict[tuple[int, int], str]] = {}
        for name in sheet_names:
            part = parts.get(name)
            if part is None or list_number(name) is None:
                continue
            data = archive.read(part)
            if b"<f" not in data:
                continue
            cells = {}
            for match in _FORMULA_CELL.finditer(data):
                ref = match[1].decode()
                row, col = xl_cell_to_rowcol(ref)
                cells[(row + 1, col)] = ref
            found[name] = cells
        return found


def _sheet_parts(archive: zipfile.ZipFile) -> dict[str, str]:
    """Sheet name -> its part in the archive (xl/worksheets/sheetN.xml)."""
    try:
        workbook = archive.read("xl/workbook.xml").decode("utf-8")
        rels = archive.read("xl/_rels/workbook.xml.rels").decode("utf-8")
    except KeyError:
        return {}
    targets = {}
    for rel in re.finditer(r"<Relationship\b[^>]*>", rels):
        rid = re.search(r'Id="([^"]+)"', rel[0])
        target = re.search(r'Target="([^"]+)"', rel[0])
        if rid and target:
            path = target[1].lstrip("/")
            targets[rid[1]] = path if path.startswith("xl/") else f"xl/{path}"
    parts = {}
    for sheet in re.finditer(r"<sheet\b[^>]*>", workbook):
        name = re.search(r'name="([^"]*)"', sheet[0])
        rid = re.search(r'r:id="([^"]+)"', sheet[0])
        if name and rid and rid[1] in targets:
            parts[html.unescape(name[1])] = targets[rid[1]]
    return parts


"""Read one Annex A workbook: its lists, every cell checked, as typed frames.

Councils write the Ofsted template in many small variations, so the reader matches them as
people would (lists.py, lists.yaml):

- the list by its sheet name (`List 3`, `List_3`, `List 3 - Referrals`, `Annex A List 3`,
  `L3 Referrals`), or, for a sheet whose name gives no number (`Referrals`, `Children in Care`),
  by its holding every column of exactly one list not already found; other sheets are read past
  with a warning;
- the header in any of the first rows (title rows above it), headers ignoring case, spacing and
  curly quotes, or matched by the liia-tools schema's patterns (`... UASC ... (Y/N))`);
- codes with or without their `a)` prefix, as the councils' systems word them ("Care Order
  Sec. 31(a)" is C2, "CLA - V4 - ..." V4), and any wording the template maps (`values`);
- dates as Excel dates, day-first text, ISO or SQL Server text with or without a time
  (2023-07-01 00:00:00.000, 2023-07-01T09:30:00Z); child IDs with Excel's `1234.0` mended.

What it cannot read it reports, with the file, list, row and column; it never guesses a date,
a code or a team:

- a cell holding an Excel error (#N/A, #REF! ...: from the sheet's XML, as calamine reads
  them as empty; or typed as text) is an error naming the cell;
- a formula (in .xlsx/.xlsm sheet XML, with or without namespace prefixes, shared formulas
  included, or in .ods content) is read as its value as last calculated, with one warning per
  list and column naming its cells; a formula with no value saved is an error;
- a column of text dates holding one that can only be month-first (08/13/2016) is refused
  whole, as its other text dates (08/03/2016) cannot be told from day-first ones;
- a required list (3, 4, 6, 7, 8) with a header but no rows is an error;
- a blank Allocated Team is an error, unless blank_team (the template or --teams maps the blank
  team to a unit): then it is read as "".

.xlsb workbooks are refused: their formulas and error cells cannot be seen.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
from xlsxwriter.utility import xl_rowcol_to_cell

from ..model import InputError, Problem
from ..months import excel_serial_day
from ..names import closest, name_key
from ..reading.filecheck import check_file
from ..reading.reader import HEADER_SEARCH_ROWS, SheetReader
from .cellmarks import NO_VALUE, ExcelError, Marks, NoValue, cell_marks, is_binary_workbook, read_patched
from .lists import (
    CODE_TOKEN,
    Column,
    ListSpec,
    ListsSpec,
    header_cells,
    holds,
    list_number,
    lists_spec,
    match_headers,
    words,
)

_TEXT_DATE_FORMATS = ("%d/%m/%Y", "%d-%m-%Y", "%d.%m.%Y", "%d/%m/%y", "%Y-%m-%d", "%d %b %Y", "%d %B %Y")
# A time after a date: "00:00", "09:30:00", SQL Server's "00:00:00.000", ISO's "T09:30:00.123+01:00" or "Z".
_TIME = re.compile(r"[ T]\d{1,2}:\d{2}(?::\d{2}(?:[.,]\d+)?)?(?:\s*[AaPp]\.?[Mm]\.?)?"
                   r"(?:\s*(?:Z|[+-]\d{2}(?::?\d{2})?))?$")
_NUMERIC_DATE = re.compile(r"(\d{1,2})([/.-])(\d{1,2})\2(?:\d{2}|\d{4})$")  # 08/03/2016: day or month first
_CODE_PREFIX = re.compile(r"^\s*[a-z]\)\s*", re.IGNORECASE)  # "a) Yes" -> "Yes"
_LEADING_CODE = re.compile(r"^\s*([A-Za-z]{1,2}\d{1,2})(?![0-9A-Za-z])")  # "V3: Short breaks" -> "V3"
_TOKENS = re.compile(r"[A-Za-z0-9]+")
_REPORT_DATE_IN_NAME = re.compile(r"(\d{4})-(\d{2})-(\d{2})")

# Excel's error values, and what usually causes each.
EXCEL_ERRORS = {
    "#N/A": "often a failed lookup",
    "#VALUE!": "a calculation given the wrong kind of value",
    "#REF!": "a reference to cells since deleted",
    "#DIV/0!": "a division by zero",
    "#NAME?": "an unknown function or name",
    "#NULL!": "ranges that do not meet",
    "#NUM!": "an impossible number",
    "#GETTING_DATA": "data still loading when the file was saved",
    "#SPILL!": "a result with no room to spill into",
    "#CALC!": "a calculation Excel cannot do",
}

# Text spelling one (typed, or pasted as a value): as written, in lower case, with a space either side.
_ERROR_TEXTS = frozenset(form for error in EXCEL_ERRORS for text in (error, error.lower())
                         for form in (text, f" {text}", f"{text} ", f" {text} "))


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


def read_annex_a(path: str | Path, report_date: dt.date, *, values: dict[str, dict[str, str]] | None = None,
                 blank_team: bool = False) -> AnnexAFile:
    """Read and check one Annex A workbook; InputError lists every error found in it.

    values: {column name (the rules' name: "legal_status"): {written value: code}}, read before
    lists.yaml's `codes` (the template's `annex_a: values:`). blank_team: a blank Allocated Team
    is read as "" instead of being an error (the template or --teams maps it to a unit).
    """
    path = Path(path)
    spec = lists_spec()
    readers = code_readers(spec, values or {})
    check_file(path)
    if is_binary_workbook(path):
        raise InputError([Problem("error", "a binary workbook (.xlsb): its formulas and Excel error cells cannot be "
                                           "checked, so it is not read; open it in Excel and save it as an Excel "
                                           "Workbook (.xlsx)", file=path.name)])
    try:
        from python_calamine import CalamineWorkbook

        workbook = CalamineWorkbook.from_path(str(path))
        names = list(workbook.sheet_names)
    except Exception as exc:  # calamine reports corrupt files with several exception types
        raise InputError([Problem("error", f"cannot read {path.name} as a spreadsheet ({exc})")]) from None
    problems: list[Problem] = []

    def problem(severity: str, message: str, sheet: str | None = None) -> None:
        problems.append(Problem(severity, message, sheet=sheet, file=path.name))

    loaded: dict[str, list[list] | None] = {}

    def rows_of(name: str, severity: str = "error") -> list[list] | None:
        """The sheet's rows from A1; None (reported) if calamine cannot read it."""
        if name not in loaded:
            try:
                loaded[name] = workbook.get_sheet_by_name(name).to_python(skip_empty_area=False)
            except Exception as exc:  # calamine refuses a sheet holding an error value it does not know
                loaded[name] = read_patched(path, name)
                if loaded[name] is None:
                    problem(severity, f"cannot read the sheet ({exc}); open the file in Excel and save it again"
                                      + ("" if severity == "error" else "; read past"), sheet=name)
        return loaded[name]

    by_list: dict[int, list[str]] = {}
    unnamed = []
    for name in names:
        number = list_number(name)
        if number is None:
            unnamed.append(name)
        else:
            by_list.setdefault(number, []).append(name)
    _find_by_headers(spec, unnamed, by_list, rows_of, problem)
    for number, sheets in by_list.items():
        if len(sheets) > 1:
            problem("error", f"sheets {' and '.join(map(repr, sheets))} both hold List {number}; keep one")
    ignored = sorted(n for n in by_list if spec.get(n) is None)
    to_read = {s.number: by_list[s.number][0] for s in spec.lists if s.number in by_list}
    for name in [n for n in loaded if n not in to_read.values()]:  # looked at for their headers only
        del loaded[name]
    marks = cell_marks(path, set(to_read.values()))
    report = pd.Timestamp(report_date)
    frames: dict[int, pd.DataFrame] = {}
    for list_spec in spec.lists:
        if list_spec.number not in to_read:
            if list_spec.optional:
                problem("warning", f"no {list_spec.label} ({list_spec.name}): the rules that need it give nothing "
                                   "from this file")
            else:
                sheet_names = ", ".join(map(repr, names))
                columns = ", ".join(repr(c.header) for c in list_spec.columns if not c.optional)
                problem("error", f"missing {list_spec.label} ({list_spec.name}); expected a sheet named like "
                                 f"'{list_spec.label}' or '{list_spec.label} - {list_spec.name}', or one whose "
                                 f"header holds its columns {columns} (the sheets are {sheet_names})")
            continue
        sheet_name = to_read[list_spec.number]
        rows = rows_of(sheet_name)
        if rows is None:
            continue
        reader = _ListReader(list_spec, sheet_name, rows, report, marks.get(sheet_name, Marks()), readers,
                             blank_team)
        frame = reader.read()
        loaded.pop(sheet_name, None)
        problems.extend(dataclasses.replace(p, file=path.name) for p in reader.problems())
        if frame is not None:
            frames[list_spec.number] = frame
    if any(p.severity == "error" for p in problems):
        raise InputError(problems)
    return AnnexAFile(path, report, frames, problems, ignored)


def _find_by_headers(spec: ListsSpec, unnamed: list[str], by_list: dict[int, list[str]], rows_of, problem) -> None:
    """Each sheet whose name gives no number is the list whose every column (optional ones aside) a
    row among its first HEADER_SEARCH_ROWS holds, when exactly one list not named by a sheet fits;
    one that fits none is read past with a warning."""
    unclaimed = [s for s in spec.lists if s.number not in by_list]
    for name in unnamed:
        fits = []
        if unclaimed:
            rows = rows_of(name, "warning")
            if rows is None:
                continue
            heads = [header_cells(row) for row in rows[:HEADER_SEARCH_ROWS]]
            fits = [s for s in unclaimed
                    if any(all(holds(c, cells) for c in s.columns if not c.optional) for cells in heads)]
        if len(fits) == 1:
            by_list.setdefault(fits[0].number, []).append(name)
        elif fits:
            found = " and ".join(f"{s.label} ({s.name})" for s in fits)
            problem("error", f"the sheet holds the columns of {found}; name it for the one it is, such as "
                             f"'{fits[0].label} - {fits[0].name}'", sheet=name)
        else:
            problem("warning", "read past: its name is not a list's (such as 'List 3' or 'L3 Referrals') and its "
                               "header does not hold every column of a list not already found", sheet=name)


# ----------------------------------------------------------------------------- one list

class _ListReader(SheetReader):
    """One list's sheet: finds its header, reads and checks each column the spec names."""

    def __init__(self, spec: ListSpec, sheet: str, rows: list[list], report: pd.Timestamp, marks: Marks,
                 readers: dict[tuple[int, str], _CodeReader], blank_team: bool = False):
        super().__init__(sheet, rows)
        self.spec = spec
        self.report = report
        self.marks = marks
        self.replaced = marks.by_column()
        self.readers = readers
        self.blank_team = blank_team

    def read(self) -> pd.DataFrame | None:
        header_index = self._find_header()
        if header_index is None:
            return None
        header_row = header_index + 1  # Excel's number
        positions, problems = match_headers(self.spec.columns, self.rows[header_index])
        for column, message in problems:
            if message == "missing":
                written = [str(h) for h in self.rows[header_index] if h not in (None, "")]
                message = f"missing column {column.header!r}{closest(column.header, written)}"
            self.error(message, row=header_row, column=column.header)
        if problems:
            return None
        body = self.rows[header_index + 1:]
        marked = [row for pos in positions.values() for row, _ in self.replaced.get(pos, ())]
        if marked and max(marked) - header_row > len(body):  # a last row calamine gave no values for
            body = body + [[]] * (max(marked) - header_row - len(body))
        present = [c for c in self.spec.columns if c.name in positions]
        # Each column the spec names, as distinct values and codes: a list repeats a few teams, dates
        # and codes many times, so each distinct value is converted once.
        cells = {c.name: _Cells(self._values(body, positions[c.name], header_row)) for c in present}
        rows = np.arange(header_row + 1, header_row + 1 + len(body))
        filled = ~np.logical_and.reduce([c.blank for c in cells.values()])  # a row blank in every column is no row
        rows = rows[filled]
        cells = {name: c.subset(filled) for name, c in cells.items()}
        if not len(rows) and not self.spec.optional:
            self.error(f"{self.spec.label} ({self.spec.name}) has a header but no rows; an Annex A file lists every "
                       f"{self.spec.item} of the 12 months to its report date, and a council always has some - "
                       "check the export ran in full", row=header_row)
            return None
        self._warn_formulas(rows, positions)
        out = pd.DataFrame({"Row": rows})
        for column in self.spec.columns:
            if column.name in cells:
                out[column.name] = self._parse(cells[column.name], rows, column, positions[column.name])
            elif column.kind == "date":  # an optional column the sheet does not have
                out[column.name] = np.full(len(rows), np.datetime64("NaT"), dtype="datetime64[ns]")
            else:
                out[column.name] = pd.array([None] * len(rows), dtype="Int64" if column.kind == "count" else object)
        self._check_rows(out)
        return out

    def _values(self, body: list[list], pos: int, header_row: int) -> list:
        """A column's cells, with what calamine reads as empty but is an Excel error or a formula
        with no value saved put back."""
        values = [row[pos] if pos < len(row) else None for row in body]
        for row, value in self.replaced.get(pos, ()):
            i = row - header_row - 1
            if 0 <= i < len(values):
                values[i] = value
        return values

    def _find_header(self) -> int | None:
        """The row, among the first few, holding most of the list's headers."""
        columns = self.spec.columns

        def held(row: list) -> int:
            cells = header_cells(row)
            return sum(1 for c in columns if holds(c, cells))

        candidates = range(min(len(self.rows), HEADER_SEARCH_ROWS))
        counts = {i: held(self.rows[i]) for i in candidates}
        best = max(candidates, key=counts.__getitem__, default=None)
        if best is None or 2 * counts[best] < len(columns):
            expected = ", ".join(repr(c.header) for c in columns if not c.optional)
            self.error(f"no header row found in the first {HEADER_SEARCH_ROWS} rows; {self.spec.label} needs the "
                       f"columns {expected}", row=1)
            return None
        return best

    def _warn_formulas(self, rows: np.ndarray, positions: dict[str, int]) -> None:
        """A formula's value is whatever Excel last worked out: read, but said, once per column."""
        if not self.marks.formulas:
            return
        kept = set(rows.tolist())
        by_column: dict[int, list[int]] = {}
        for row, col in self.marks.formulas:
            if row in kept:
                by_column.setdefault(col, []).append(row)
        for column in self.spec.columns:
            pos = positions.get(column.name)
            found = sorted(by_column.get(pos, ())) if pos is not None else []
            if found:
                self.warn(_formula_warning([xl_rowcol_to_cell(r - 1, pos) for r in found]), row=found[0],
                          column=column.header)

    # ----- one column at a time, each distinct value converted once

    def _parse(self, cells: _Cells, rows: np.ndarray, column: Column, pos: int) -> np.ndarray | pd.Series:
        uniques = cells.uniques
        marked = self._marked(uniques, pos)  # distinct value -> message: Excel errors, formulas with no value
        if marked:
            flags = np.zeros(len(uniques) + 1, dtype=bool)
            flags[list(marked)] = True
            special = flags[cells.codes]
            for row, code in zip(rows[special], cells.codes[special], strict=False):
                self.error(marked[code](xl_rowcol_to_cell(int(row) - 1, pos)), row=int(row), column=column.header)
        blank_team = column.kind == "team" and self.blank_team
        if column.required and not blank_team:
            for row in rows[cells.blank]:
                self.error(_empty(column), row=int(row), column=column.header)
        if column.kind == "code":
            convert = self.readers[self.spec.number, column.name]
        else:
            convert = {"id": _as_id, "team": _as_text, "date": _as_date, "count": _as_count}[column.kind]
        converted = [None if blank else convert(value)
                     for value, blank in zip(uniques, cells.blank_unique, strict=False)]
        for i in marked:
            converted[i] = None
        reported = self._refuse_month_first(cells, rows, column, converted, marked) if column.kind == "date" else set()
        failed = np.array([c is None for c in converted] + [False])
        failed[list(marked) + list(reported)] = False
        unreadable = failed[cells.codes] & ~cells.blank
        for row, code in zip(rows[unreadable], cells.codes[unreadable], strict=False):
            value = uniques[code]
            message = convert.unknown(value) if column.kind == "code" else _unreadable(column, str(value))
            self.error(message, row=int(row), column=column.header)
        if column.kind == "date":
            stamps = np.array([np.datetime64("NaT") if c is None else c.to_datetime64() for c in converted]
                              + [np.datetime64("NaT")], dtype="datetime64[ns]")
            return stamps[cells.codes]
        if column.kind == "count":
            return pd.array([*converted, None], dtype="Int64")[cells.codes]
        if blank_team:
            converted = ["" if blank else c for c, blank in zip(converted, cells.blank_unique, strict=False)]
            return np.array([*converted, ""], dtype=object)[cells.codes]
        return np.array([*converted, None], dtype=object)[cells.codes]

    def _marked(self, uniques: np.ndarray, pos: int) -> dict[int, object]:
        """{index of a distinct value: a function of its cell reference giving the message} for the
        Excel errors (from the XML, or text spelling one) and formulas with no value saved."""
        out = {}
        if _ERROR_TEXTS.intersection(uniques):
            out = {i: _marked(u) for i, u in enumerate(uniques) if isinstance(u, str) and u in _ERROR_TEXTS}
        if pos in self.replaced:
            out.update((i, _marked(u)) for i, u in enumerate(uniques) if isinstance(u, (ExcelError, NoValue)))
        return out

    def _refuse_month_first(self, cells: _Cells, rows: np.ndarray, column: Column, converted: list,
                            marked: dict[int, object]) -> set[int]:
        """If a text date can only be month-first (08/13/2016), every d/m/y-like text date of the column
        (08/03/2016 too) is unread, with one error; the distinct values so covered."""
        numeric: dict[int, tuple[int, int]] = {}
        for i, value in enumerate(cells.uniques):
            if isinstance(value, str) and i not in marked:
                found = _NUMERIC_DATE.match(_TIME.sub("", value.strip()))
                if found:
                    numeric[i] = (int(found[1]), int(found[3]))
        us = [i for i, (first, second) in numeric.items() if first <= 12 < second <= 31]
        if not us:
            return set()
        flags = np.zeros(len(cells.uniques) + 1, dtype=bool)
        flags[us] = True
        at = int(np.flatnonzero(flags[cells.codes])[0])
        value = cells.uniques[cells.codes[at]]
        flags[list(numeric)] = True
        count = int(flags[cells.codes].sum())
        second = numeric[int(cells.codes[at])][1]
        self.error(f"the text dates in this column are month-first (US style): {value!r} in row {int(rows[at])} has "
                   f"no month {second}, so none of the column's {count:,} text date(s) can be read safely (08/03/2016 "
                   "could be 8 March or 3 August); export them day-first (31/08/2016) or as real Excel dates",
                   row=int(rows[at]), column=column.header)
        for i in numeric:
            converted[i] = None
        return set(numeric)

    def _check_rows(self, out: pd.DataFrame) -> None:
        headers = {c.name: c.header for c in self.spec.columns}
        for column in self.spec.columns:
            if column.kind != "date":
                continue
            later = out[column.name] > self.report
            for row, value in zip(out.loc[later, "Row"], out.loc[later, column.name], strict=False):
                self.error(f"{value:%d/%m/%Y} is after the report date {self.report:%d/%m/%Y}; a list holds what "
                           "had happened by its report date (check --report-date, or the date in the file name)",
                           row=int(row), column=column.header)
        start = next((c.name for c in self.spec.columns if c.kind == "date"), None)
        for later_name in ("end", "authorised", "placed", "adopted", "matched", "placement_order"):
            if later_name in out.columns and start is not None:
                before = out[later_name] < out[start]
                for row, a, b in zip(out.loc[before, "Row"], out.loc[before, later_name], out.loc[before, start],
                                     strict=False):
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


def _marked(value: object):
    """For a cell that is an Excel error (or text spelling one) or a formula with no value saved, a
    function of its reference giving the message; None for any other cell."""
    if isinstance(value, str):
        error = value.strip().upper()
        if error not in EXCEL_ERRORS:
            return None
    elif isinstance(value, ExcelError):
        error = value.value
    elif value is NO_VALUE:
        return lambda ref: (f"cell {ref} holds a formula with no value saved (the program that wrote the file did "
                            "not calculate it); open the file in Excel, paste the cells as values and save it again")
    else:
        return None
    cause = EXCEL_ERRORS.get(error.upper())
    shown = f"{error} ({cause})" if cause else error
    return lambda ref: (f"cell {ref} holds the Excel error {shown}; correct the formula or lookup that gave it, "
                        "or type the value in, and save the file again")


def _formula_warning(refs: list[str]) -> str:
    if len(refs) == 1:
        return (f"cell {refs[0]} holds a formula; its value as last calculated was read - paste it as a value so "
                "the list holds the data itself")
    if len(refs) <= 3:
        shown = f"{', '.join(refs[:-1])} and {refs[-1]}"
    else:
        shown = f"{refs[0]}, {refs[1]} and {len(refs) - 2:,} more"
    return (f"cells {shown} hold formulas; their values as last calculated were read - paste them as values so the "
            "list holds the data itself")


def _empty(column: Column) -> str:
    if column.kind == "team":
        return ('empty; a blank Allocated Team (a referral closed at the front door?) can be mapped with a --teams '
                'row whose Allocated Team is empty, or `"": UNIT` under annex_a: teams: in the template')
    what = {"id": "the child's ID", "date": "a date", "count": "a number"}.get(column.kind, "a value")
    return f"empty; {what} is required"


def _unreadable(column: Column, value: str) -> str:
    if column.kind == "date":
        return f"cannot read {value!r} as a date; expected an Excel date or day-first text such as 31/08/2016"
    if column.kind == "count":
        return f"{value!r} is not a whole number of 0 or more"
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
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        day = excel_serial_day(value)
        return None if day is None else pd.Timestamp(day)
    text = _TIME.sub("", str(value).strip())  # a date exported with a time: the date
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


# ----------------------------------------------------------------------------- coded values

class _CodeReader:
    """A code column's values as the rules' codes (lists.yaml describes the order), each
    distinct value once; None for a value it cannot read (`unknown` says why)."""

    def __init__(self, column: Column, extra: dict[str, str]):
        self.column = column
        self.exact = {name_key(_CODE_PREFIX.sub("", k)): v for k, v in {**column.codes, **extra}.items()}
        self.known = frozenset(column.known)
        self.phrases = column.phrase_list
        self.written = list(dict.fromkeys([*column.codes, *extra, *column.known,
                                           *(re.sub(r"[\^*]", "", p.text) for p in self.phrases if "+" not in p.text)]))

    def __call__(self, value: object) -> str | None:
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        text = _CODE_PREFIX.sub("", str(value))
        found = self.exact.get(name_key(text))
        if found is not None:
            return found
        if self.column.prefix_codes:
            leading = _LEADING_CODE.match(text)
            if leading:
                return leading[1].upper()
        if self.known:
            for token in _TOKENS.findall(text):
                if token.upper() in self.known:
                    return token.upper()
        if self.phrases:
            normalised = words(text)
            for phrase in self.phrases:
                if phrase.matches(normalised):
                    return phrase.code
        return None

    def unknown(self, value: object) -> str:
        column = self.column
        if column.prefix_codes:
            what = "a code such as F1 or G5 at its start or anywhere in it"
        elif column.known:
            example = next((p.text for p in self.phrases if "+" not in p.text and "*" not in p.text), None)
            what = f"{', '.join(column.known)}, anywhere in the value" + (f", or words such as {example!r}"
                                                                          if example else "")
        else:
            what = f"{', '.join(column.outputs)}, with or without their a) prefix"
        return (f"{str(value)!r} is not one of the expected values ({what}){closest(str(value), self.written)}; a "
                f"council's own wording can be mapped to a value under annex_a: values: {column.name}: in the "
                "template")


def code_readers(spec: ListsSpec, values: dict[str, dict[str, str]]) -> dict[tuple[int, str], _CodeReader]:
    """A reader per (list, code column), with the template's `values` checked and added
    (InputError naming each that is not a coded column or maps to no value the rules know)."""
    coded = {c.name: c for s in spec.lists for c in s.columns if c.kind == "code"}
    problems = []
    extra: dict[str, dict[str, str]] = {}
    for name, mapping in values.items():
        column = coded.get(name)
        if column is None:
            problems.append(Problem("error", f"annex_a: values: {name!r} is not a coded column{closest(name, coded)}; "
                                             f"the coded columns are {', '.join(coded)}"))
            continue
        canonical = {v.casefold(): v for v in column.outputs}
        for written, code in (mapping or {}).items():
            code = str(code).strip()
            if code.casefold() in canonical:
                extra.setdefault(name, {})[str(written)] = canonical[code.casefold()]
            elif column.prefix_codes and CODE_TOKEN.fullmatch(code.upper()):
                extra.setdefault(name, {})[str(written)] = code.upper()
            else:
                problems.append(Problem("error", f"annex_a: values: {name}: {str(written)!r} maps to {code!r}, which "
                                                 f"is not one of {name}'s values ({', '.join(column.outputs)})"))
    if problems:
        raise InputError(problems)
    return {(s.number, c.name): _CodeReader(c, extra.get(c.name, {}))
            for s in spec.lists for c in s.columns if c.kind == "code"}



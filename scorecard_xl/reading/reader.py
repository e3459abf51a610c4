"""Read a month's export and check it against the template.

The export is one workbook with the sheets `Activity`, `Indicators` and (optionally)
`Commentary` and `Notes`. Sheet and column names, teams and indicator IDs are matched to the
template's by one rule (names.name_key: case and white space ignored) and become the
template's names. The header is the first row. The reader returns tidy DataFrames and
every problem found; it never guesses: a value it cannot read is an error naming the
sheet, row and column. The same problem on many rows is reported once, naming the rows.

Two things the export may leave out: an activity measure may be blank in every row of a
month (not recorded that month: a warning, and the activity table shows it empty), and
each row of the optional `Notes` sheet is a data-quality observation of the tool that
wrote the export, carried into the workbook as a warning.

Numerators and denominators are held as integers in units of 1/SCALE so that sums are
exact and the calculator can compare results as fractions (FTE figures such as 404.3
are allowed to four decimal places where the template allows fractions).
"""

from __future__ import annotations

import dataclasses
from collections import Counter
from collections.abc import Iterable
from pathlib import Path

import numpy as np
import pandas as pd

from .. import months
from ..engine.template import Template
from ..model import SCALE, Export, InputError, Problem
from ..names import closest, name_key
from .filecheck import check_file

MAX_VALUE = 1_000_000_000  # no count of children, cases or posts comes near this
MAX_TOTAL = 2**62 // SCALE  # every sum the calculator makes stays exact in int64 below this
HEADER_SEARCH_ROWS = 10  # where to look for a header that is not in row 1 (title rows above it)
LISTED_PER_COLUMN = 20  # different problems listed per sheet and column; the rest are counted in one line

ACTIVITY = "Activity"
INDICATORS = "Indicators"
COMMENTARY = "Commentary"
NOTES = "Notes"  # optional: the exporting tool's data-quality observations, one warning per row
INDICATOR_COLUMNS = ["Month", "Indicator", "Team", "UASC", "Numerator", "Denominator"]
COMMENTARY_COLUMNS = ["Month", "Indicator", "Commentary"]
COMMENTARY_TEAM = "Team"  # optional: the unit a commentary is for
NOTE = "Note"  # the Notes sheet's one required column
NOTE_MONTH = "Month"  # optional: the month a note is about, shown before it


def parse_month(value: object) -> pd.Timestamp | None:
    """A Month cell as the first of its month (months.parse_month), or None if unreadable."""
    month = months.parse_month(value)
    return None if month is None else pd.Timestamp(month)


class SheetReader:
    """Reads one sheet's rows into columns, collecting problems instead of raising (the Annex A
    reader, annex_a/reading.py, builds on it for its lists)."""

    def __init__(self, name: str, rows: list[list]):
        self.name = name
        self.rows = rows
        self.header = [str(h).strip() for h in rows[0]] if rows else []
        self.body = rows[1:]
        # Problems in the order found; a per-row one is keyed by (severity, message, column) so
        # that the same problem on 18,000 rows is one entry holding its rows.
        self._found: dict[object, tuple[Problem, list[int | None]]] = {}

    def error(self, message: str, row: int | None = None, column: str | None = None) -> None:
        self._note(Problem("error", message, self.name, row, column))

    def warn(self, message: str, row: int | None = None, column: str | None = None) -> None:
        self._note(Problem("warning", message, self.name, row, column))

    def _note(self, problem: Problem) -> None:
        # A header or sheet problem is its own entry (a new object() is a key equal to no other).
        key = (problem.severity, problem.message, problem.column) if _on_data_row(problem) else object()
        self._found.setdefault(key, (problem, []))[1].append(problem.row)

    def problems(self) -> list[Problem]:
        """Every problem found: the same one on several rows once, naming its rows; at most
        LISTED_PER_COLUMN different per-row problems per column, and a line counting the rest."""
        out: list[Problem] = []
        listed: Counter = Counter()
        omitted: dict[tuple[str, str | None], list[int]] = {}
        for first, rows in self._found.values():
            if not _on_data_row(first):
                out.append(first)
            elif listed[first.severity, first.column] < LISTED_PER_COLUMN:
                listed[first.severity, first.column] += 1
                rows = sorted(rows)
                out.append(first if len(rows) == 1 else
                           dataclasses.replace(first, row=rows[0], count=len(rows), rows=tuple(rows)))
            else:
                omitted.setdefault((first.severity, first.column), []).extend(rows)
        for (severity, column), rows in omitted.items():
            about = "in this column" if column else "about whole rows"
            out.append(Problem(severity, f"{len(rows):,} more {severity}(s) {about}, in rows {min(rows)} to "
                                         f"{max(rows)}, are not listed; correct those above and validate again "
                                         "to see them", self.name, None, column, count=len(rows)))
        return out

    def columns(self, required: list[str], optional: tuple[str, ...] = ()) -> dict[str, int] | None:
        """Map each required column (and each optional one that is there) to its position; report
        missing, repeated and extra ones."""
        header_row = self._header_row(required)
        if header_row is not None:
            # Every column would be "missing": say the one thing that is wrong instead.
            above = header_row - 1
            self.error(f"the header must be in row 1, but it is in row {header_row}; delete the "
                       f"{above} row{'s' if above > 1 else ''} above it", row=1)
            return None
        positions: dict[str, int] = {}
        repeated = False
        for i, h in enumerate(self.header):
            if not str(h).strip():
                continue
            if name_key(h) in positions:
                first = positions[name_key(h)]
                self.error(f"column {h!r} appears twice (columns {_letter(first)} and {_letter(i)}); "
                           "keep one", row=1, column=h)
                repeated = True
            positions.setdefault(name_key(h), i)
        found, missing = {}, []
        for col in required:
            if name_key(col) in positions:
                found[col] = positions[name_key(col)]
            else:
                missing.append(col)
        for col in missing:
            self.error(f"missing column {col!r}{closest(col, self.header)}", row=1, column=col)
        for col in optional:
            if name_key(col) in positions:
                found[col] = positions[name_key(col)]
        known = {name_key(c) for c in [*required, *optional]}
        for h in self.header:
            if h and name_key(h) not in known:
                shown = h if len(h) <= 60 else h[:57] + "..."
                self.warn(f"extra column {shown!r} ignored", row=1, column=shown)
        return None if missing or repeated else found

    def _header_row(self, required: list[str]) -> int | None:
        """The Excel row below row 1 that holds the header (an export with a title row or two
        above it): more of the required columns than row 1, and at least half of them."""
        wanted = {name_key(c) for c in required}

        def held(row: list) -> int:
            return len(wanted & {name_key(v) for v in row})

        in_first = held(self.rows[0]) if self.rows else 0
        candidates = range(1, min(len(self.rows), HEADER_SEARCH_ROWS))
        best = max(candidates, key=lambda i: held(self.rows[i]), default=None)
        if best is None or held(self.rows[best]) <= in_first or 2 * held(self.rows[best]) < len(wanted):
            return None
        return best + 1

    def frame(self, positions: dict[str, int]) -> pd.DataFrame:
        """The body as a DataFrame of raw cell values, blank rows dropped, with Excel row numbers."""
        raw = pd.DataFrame(self.body, dtype=object) if self.body else pd.DataFrame(dtype=object)
        frame = pd.DataFrame({col: raw[pos] if pos in raw.columns else pd.Series([None] * len(raw), dtype=object)
                              for col, pos in positions.items()})
        frame["Row"] = np.arange(2, len(frame) + 2)
        blank = pd.Series(True, index=frame.index)
        for col in positions:
            blank &= _is_blank(frame[col])
        return frame[~blank].reset_index(drop=True)

    def months(self, frame: pd.DataFrame) -> pd.Series:
        parsed = {value: parse_month(value) for value in pd.unique(frame["Month"])}
        months = frame["Month"].map(parsed)
        for row, value in zip(frame.loc[months.isna(), "Row"], frame.loc[months.isna(), "Month"], strict=False):
            self.error(f"cannot read {value!r} as a month; expected a date or text such as 2016-08 or Aug 2016",
                       row=int(row), column="Month")
        return months

    def names(self, frame: pd.DataFrame, column: str, known: Iterable[str], what: str) -> pd.Series:
        """The column's text as the template's `known` names, matched by name_key; a value that
        matches none is reported, with the closest names, and kept as written."""
        by_key = {name_key(name): name for name in known}
        values = self.text(frame, column)
        matched = {v: by_key.get(name_key(v)) for v in pd.unique(values)}
        unknown = values.map(matched).isna() & (values != "")  # an empty cell is reported by text()
        for value, rows in frame.loc[unknown, "Row"].groupby(values[unknown], sort=False):
            message = f"unknown {what} {value!r}{closest(value, by_key.values())}"
            for row in rows:
                self.error(message, row=int(row), column=column)
        return values.map({v: name or v for v, name in matched.items()})

    def text(self, frame: pd.DataFrame, column: str) -> pd.Series:
        def as_text(v: object) -> str:
            if v is None:
                return ""
            if isinstance(v, float) and v.is_integer():
                return str(int(v))
            return str(v).strip()

        # Exports repeat a few names many times: convert each distinct value once.
        distinct = {v: as_text(v) for v in pd.unique(frame[column])}
        values = frame[column].map(distinct)
        for row in frame.loc[values == "", "Row"]:
            self.error("empty; a value is required", row=int(row), column=column)
        return values

    def numbers(self, frame: pd.DataFrame, column: str, allow_blank: pd.Series | bool = False,
                fractional: pd.Series | bool = False) -> pd.Series:
        """Scaled integers (1/SCALE units); blanks become <NA> where allowed.

        Vectorised: the checks run on whole columns; only rows with a problem are
        visited one by one, to report them.
        """
        raw = frame[column]
        allow_blank = pd.Series(allow_blank, index=frame.index)
        fractional = pd.Series(fractional, index=frame.index)
        text, is_bool = _of_type(raw, str), _of_type(raw, bool)
        blank = _is_blank(raw)
        number = pd.to_numeric(raw.where(~text & ~is_bool & ~blank), errors="coerce").astype("float64")
        if text.any():  # numbers typed as text, perhaps with thousands separators (1,234.5)
            typed = raw[text].str.strip()
            grouped = typed.str.fullmatch(r"[+-]?\d{1,3}(,\d{3})+(\.\d+)?")
            typed = typed.where(~grouped, typed.str.replace(",", "", regex=False))
            number[text] = pd.to_numeric(typed, errors="coerce")
        number[blank | is_bool] = np.nan
        finite = np.isfinite(number.to_numpy())
        with np.errstate(invalid="ignore"):
            scaled = np.rint(number.to_numpy() * SCALE)
            off_grid = np.abs(number.to_numpy() * SCALE - scaled) > 1e-6 * np.maximum(1.0, np.abs(number.to_numpy()))
        negative = finite & (number.to_numpy() < 0)
        huge = finite & (np.abs(number.to_numpy()) > MAX_VALUE)
        whole = np.where(finite, np.fmod(scaled, SCALE) == 0, True)

        problems = {
            "too large": huge,
            "missing": blank & ~allow_blank,
            "not a number": ~blank & ~finite,
            "negative": negative,
            "decimals": finite & ~negative & ~huge & off_grid,
            "fraction": finite & ~negative & ~huge & ~off_grid & ~whole & ~fractional,
        }
        bad = np.zeros(len(raw), dtype=bool)
        for kind, mask in problems.items():
            mask = np.asarray(mask, dtype=bool)
            bad |= mask
            for row, value, num in zip(frame["Row"][mask], raw[mask], number[mask], strict=False):
                self.error(_number_problem(kind, value, num), row=int(row), column=column)
        out = pd.array(np.where(finite & ~bad, scaled, 0).astype(np.int64), dtype="Int64")
        out[~(finite & ~bad)] = pd.NA
        return pd.Series(out, index=frame.index)


def _on_data_row(problem: Problem) -> bool:
    """A problem of one data row (not of the header or the whole sheet): reported once for all
    the rows it is found on."""
    return problem.row is not None and problem.row > 1


def _letter(col: int) -> str:
    from xlsxwriter.utility import xl_col_to_name

    return xl_col_to_name(col)


# What pandas' infer_dtype (one pass in C) reports for columns holding no text and no booleans.
_NO_TEXT_OR_BOOL = {"empty", "floating", "integer", "mixed-integer-float", "decimal", "datetime", "datetime64",
                    "date", "timedelta", "timedelta64", "time", "period"}


def _of_type(values: pd.Series, kind: type) -> pd.Series:
    """Which cells hold a value of exactly this type (calamine gives str, float, int, bool, dates)."""
    inferred = pd.api.types.infer_dtype(values, skipna=True)
    if inferred in _NO_TEXT_OR_BOOL or (inferred == "string" and kind is not str):  # no need to look
        return pd.Series(False, index=values.index)
    if inferred == "string":  # every value is text
        return values.notna()
    return values.map(type) == kind


def _is_blank(values: pd.Series) -> pd.Series:
    """None, empty text or text of spaces only."""
    blank = values.isna().to_numpy().copy()
    if pd.api.types.infer_dtype(values, skipna=True) not in _NO_TEXT_OR_BOOL:
        # Look at each distinct value once: a column repeats a few texts many times.
        codes, uniques = pd.factorize(values)  # missing values get code -1
        empty = np.array([isinstance(u, str) and not u.strip() for u in uniques] + [False])
        blank |= empty[codes]
    return pd.Series(blank, index=values.index)


def _number_problem(kind: str, value: object, number: float) -> str:
    if kind == "too large":
        return f"{number:g} is too large for a count (the limit is {MAX_VALUE:,})"
    if kind == "missing":
        return "empty (or an Excel error such as #DIV/0!); a number is required"
    if kind == "not a number":
        return f"{value!r} is not a number"
    if kind == "negative":
        return f"{number:g} is negative; counts cannot be"
    if kind == "decimals":
        return f"{number!r} has more than 4 decimal places"
    return f"{number:g} is not a whole number; this indicator counts whole items"


def _open_workbook(path: Path) -> dict[str, list[list]]:
    """Every sheet's rows as Python values, keyed by sheet name."""
    from python_calamine import CalamineWorkbook

    workbook = CalamineWorkbook.from_path(str(path))
    return {name: workbook.get_sheet_by_name(name).to_python(skip_empty_area=False)
            for name in workbook.sheet_names}


def _find_sheet(sheets: dict[str, list[list]], wanted: str) -> str | None:
    for name in sheets:
        if name_key(name) == name_key(wanted):
            return name
    return None


def read_export(path: str | Path, template: Template) -> Export:
    """Read and check an export. Raises InputError listing every error found."""
    path = Path(path)
    return check_export(read_sheets(path), path, template)


def read_sheets(path: Path) -> dict[str, list[list]]:
    """Every sheet's cells, after the file has been checked to be a safe, readable workbook."""
    check_file(path)  # refuses unsafe or unreadable files before any parsing
    try:
        return _open_workbook(path)
    except Exception as exc:  # calamine reports corrupt files with several exception types
        raise InputError([Problem("error", f"cannot read {path.name} as a spreadsheet ({exc}); "
                                           "export it again")]) from None


def check_export(sheets: dict[str, list[list]], path: Path, template: Template) -> Export:
    """Check the sheets' cells against the template and return them as tidy frames."""
    problems: list[Problem] = []
    found = {}
    for wanted, required in ((ACTIVITY, True), (INDICATORS, True), (COMMENTARY, False), (NOTES, False)):
        name = _find_sheet(sheets, wanted)
        if name is None and required:
            problems.append(Problem("error", f"missing sheet {wanted!r}{closest(wanted, sheets)}"))
        found[wanted] = name

    def read(wanted: str, read_sheet, absent: pd.DataFrame) -> pd.DataFrame:
        if not found[wanted]:
            return absent
        sheet = SheetReader(found[wanted], sheets[found[wanted]])
        frame = read_sheet(sheet, template)
        problems.extend(sheet.problems())
        return frame

    # A missing sheet is reported, and the sheets that are there are still checked, so one
    # run lists every problem.
    activity = read(ACTIVITY, _read_activity, pd.DataFrame())
    indicators = read(INDICATORS, _read_indicators, pd.DataFrame())
    commentary = read(COMMENTARY, _read_commentary,
                      pd.DataFrame(columns=["Month", "Indicator", "Unit", "Commentary", "Row"]))
    notes = read(NOTES, _read_notes, pd.DataFrame(columns=["Row", "Message"]))
    # Every note is shown, each on its own line: not merged or cut short like the problems found in a sheet.
    problems.extend(Problem("warning", message, found[NOTES], int(row), NOTE)
                    for row, message in zip(notes["Row"], notes["Message"], strict=False))

    if not any(p.severity == "error" for p in problems) and len(activity) == 0 and len(indicators) == 0:
        problems.append(Problem("error", "the Activity and Indicators sheets have no data rows"))
    for label, frame in (("Numerator", indicators.get("Numerator")), ("Denominator", indicators.get("Denominator"))):
        if frame is not None and float(frame.fillna(0).astype("float64").sum()) > MAX_TOTAL * SCALE:
            problems.append(Problem("error", f"the {label.lower()}s add up to more than {MAX_TOTAL:,}; "
                                             "the export cannot be summed exactly", INDICATORS, None, label))
    if any(p.severity == "error" for p in problems):
        raise InputError(problems)
    rows_read = {ACTIVITY: len(activity), INDICATORS: len(indicators), COMMENTARY: len(commentary)}
    if found[NOTES]:
        rows_read[NOTES] = len(notes)
    return Export(path, activity, indicators, commentary, [p for p in problems if p.severity == "warning"],
                  rows_read)


def _report_duplicates(sheet: SheetReader, frame: pd.DataFrame, keys: list[str], what: str) -> None:
    dup = frame[frame.duplicated(keys, keep=False)]
    for _, group in dup.groupby(keys):
        rows = ", ".join(str(r) for r in group["Row"])
        sheet.error(f"duplicate rows for the same {what} (rows {rows}); each must appear once, "
                    "they are not summed", row=int(group["Row"].iloc[1]))


def _report_double_counting(sheet: SheetReader, frame: pd.DataFrame, keys: list[str],
                            template: Template) -> None:
    """Rows for a unit and for a unit above it in the same month would be counted twice."""
    known = frame[frame["Unit"].isin(template.units)]
    if known.empty:
        return
    above = pd.DataFrame([(u, a) for u in template.units for a in template.ancestors(u)[1:]],
                         columns=["Unit", "Above"])
    pairs = known.merge(above, on="Unit").merge(
        known[[*keys, "Unit", "Row"]].rename(columns={"Unit": "Above", "Row": "AboveRow"}), on=[*keys, "Above"])
    for record in pairs.drop_duplicates([*keys, "Unit", "Above"]).itertuples(index=False):
        what = ", ".join(f"{record.Month:%b %Y}" if k == "Month" else f"{k.lower()} {getattr(record, k)}"
                         for k in keys)
        sheet.error(f"{record.Unit!r} (row {record.Row}) and {record.Above!r} (row {record.AboveRow}) "
                    f"both have rows for {what}, but {record.Above!r} already includes {record.Unit!r}: "
                    "its figures would be counted twice; give either the units or their total", row=int(record.Row),
                    column="Team")


def _report_gaps(sheet: SheetReader, frame: pd.DataFrame, keys: list[str], what: str) -> None:
    """Months missing inside a series: windows that include them cannot be computed."""
    groups = frame.groupby(keys) if keys else [((), frame)]
    for key, group in groups:
        months = pd.DatetimeIndex(group["Month"].unique()).sort_values()
        if len(months) < 2:
            continue
        expected = pd.date_range(months[0], months[-1], freq="MS")
        missing = expected.difference(months)
        if len(missing):
            label = what.format(*(key if isinstance(key, tuple) else (key,)))
            listed = ", ".join(f"{m:%b %Y}" for m in missing[:6]) + (" ..." if len(missing) > 6 else "")
            sheet.warn(f"{label} has no rows for {len(missing)} month(s) between {months[0]:%b %Y} and "
                       f"{months[-1]:%b %Y}: {listed}; figures whose period includes them are left empty")


def _read_activity(sheet: SheetReader, template: Template) -> pd.DataFrame:
    measures = [m.column for m in template.activity_measures]
    positions = sheet.columns(["Month", "Team", *measures])
    if positions is None:
        return pd.DataFrame()
    raw = sheet.frame(positions)
    out = pd.DataFrame({"Month": sheet.months(raw), "Unit": sheet.names(raw, "Team", template.units, "team"),
                        "Row": raw["Row"]})
    for col in measures:
        unrecorded = _unrecorded_months(raw[col], out["Month"])
        out[col] = sheet.numbers(raw, col, allow_blank=out["Month"].isin(unrecorded)) // SCALE
        for month in unrecorded:
            sheet.warn(f"{col} is not recorded for {month:%b %Y} (its cells are blank in every row of that "
                       "month); the activity table shows it empty", column=col)
    valid = out.dropna(subset=["Month"])
    _report_duplicates(sheet, valid, ["Month", "Unit"], "month and team")
    _report_double_counting(sheet, valid, ["Month"], template)
    _report_gaps(sheet, valid, [], "the Activity sheet")
    return out


def _unrecorded_months(cells: pd.Series, months: pd.Series) -> list[pd.Timestamp]:
    """The months (in order) in which a measure's cells are blank in every row: not recorded
    that month. A blank among numbers of the same month stays an error (numbers() reports it)."""
    known = months.notna()
    if not known.any():
        return []
    every_blank = _is_blank(cells)[known].groupby(months[known]).all()
    return sorted(every_blank.index[every_blank.to_numpy()])


def _read_indicators(sheet: SheetReader, template: Template) -> pd.DataFrame:
    positions = sheet.columns(INDICATOR_COLUMNS)
    if positions is None:
        return pd.DataFrame()
    raw = sheet.frame(positions)
    out = pd.DataFrame({
        "Month": sheet.months(raw),
        "Indicator": sheet.names(raw, "Indicator", (i.id for i in template.indicators), "indicator"),
        "Unit": sheet.names(raw, "Team", template.units, "team"),
        "Row": raw["Row"],
    })

    uasc = raw["UASC"].map({v: name_key(v) for v in pd.unique(raw["UASC"])})
    neither = ~uasc.isin(["y", "n"])
    for row, value in zip(raw.loc[neither, "Row"], raw.loc[neither, "UASC"], strict=False):
        sheet.error(f"{value!r} is not Y or N", row=int(row), column="UASC")
    out["UASC"] = uasc == "y"

    by_id = {i.id: i for i in template.indicators}
    def flag(attribute) -> pd.Series:
        """A per-row property of the row's indicator (False for an unknown ID, already reported)."""
        return out["Indicator"].isin([k for k, i in by_id.items() if attribute(i)])

    ind = out["Indicator"].map(by_id)
    has_den = flag(lambda i: i.has_denominator)
    out["Numerator"] = sheet.numbers(raw, "Numerator", fractional=flag(lambda i: i.fractional_numerator))
    out["Denominator"] = sheet.numbers(raw, "Denominator", allow_blank=~has_den,
                                       fractional=flag(lambda i: i.fractional_denominator))
    for row in out.loc[~has_den & out["Denominator"].notna() & ind.notna(), "Row"]:
        sheet.warn("a count indicator has no denominator; this value is ignored", row=int(row), column="Denominator")
    out.loc[~has_den, "Denominator"] = 0

    percent = flag(lambda i: i.unit == "percent")
    over = percent & (out["Numerator"] > out["Denominator"]).fillna(False)
    for row, n, d in zip(out.loc[over, "Row"], out.loc[over, "Numerator"], out.loc[over, "Denominator"], strict=False):
        sheet.error(f"numerator {n / SCALE:g} is greater than denominator {d / SCALE:g} for a percentage",
                    row=int(row), column="Numerator")

    valid = out.dropna(subset=["Month"])
    _report_double_counting(sheet, valid, ["Month", "Indicator"], template)
    _report_gaps(sheet, valid, ["Indicator"], "indicator {}")
    _report_duplicates(sheet, valid, ["Month", "Indicator", "Unit", "UASC"],
                       "month, indicator, team and UASC status")
    return out


def _read_commentary(sheet: SheetReader, template: Template) -> pd.DataFrame:
    """Month, Indicator, Unit, Commentary, Row. The optional Team column names the unit the
    commentary is for (any unit; empty, or no such column: the root, e.g. the county)."""
    positions = sheet.columns(COMMENTARY_COLUMNS, optional=(COMMENTARY_TEAM,))
    if positions is None:
        return pd.DataFrame()
    raw = sheet.frame(positions)
    units = pd.Series(template.organisation_tree.name, index=raw.index, dtype=object)
    if COMMENTARY_TEAM in positions:
        given = ~_is_blank(raw[COMMENTARY_TEAM])
        if given.any():
            units[given] = sheet.names(raw[given], COMMENTARY_TEAM, template.units, "team")
    out = pd.DataFrame({
        "Month": sheet.months(raw),
        "Indicator": sheet.names(raw, "Indicator", (i.id for i in template.indicators), "indicator"),
        "Unit": units,
        "Commentary": raw["Commentary"].map(lambda v: "" if v is None else str(v)),
        "Row": raw["Row"],
    })
    _report_duplicates(sheet, out.dropna(subset=["Month"]), ["Month", "Indicator", "Unit"],
                       "month, indicator and team")
    return out


def _read_notes(sheet: SheetReader, template: Template) -> pd.DataFrame:
    """Row and Message of each note: the Note's text, after "Aug 2016: " when the optional Month
    column gives its month. A row without a note is skipped; an unreadable month is an error. An
    empty sheet (no cells, or the header only) has no notes."""
    if not any(not _is_blank(pd.Series(row, dtype=object)).all() for row in sheet.rows):
        return pd.DataFrame(columns=["Row", "Message"])
    positions = sheet.columns([NOTE], optional=(NOTE_MONTH,))
    if positions is None:
        return pd.DataFrame(columns=["Row", "Message"])
    raw = sheet.frame(positions)
    raw = raw[~_is_blank(raw[NOTE])].reset_index(drop=True)
    text = list(sheet.text(raw, NOTE))  # none is empty: no error from text()
    if NOTE_MONTH in positions:
        dated = ~_is_blank(raw[NOTE_MONTH])
        months = sheet.months(raw[dated]) if dated.any() else pd.Series(dtype=object)
        text = [f"{months[i]:%b %Y}: {note}" if i in months.index and pd.notna(months[i]) else note
                for i, note in zip(raw.index, text, strict=False)]
    return pd.DataFrame({"Row": raw["Row"], "Message": pd.Series(text, index=raw.index, dtype=object)})

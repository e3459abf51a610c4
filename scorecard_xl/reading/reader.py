"""Read a month's export and check it against the template.

The export is one workbook with the sheets `Activity`, `Indicators` and (optionally)
`Commentary`; sheet and column names are matched ignoring case and spaces. The header
is the first row. The reader returns tidy DataFrames and every problem found; it never
guesses: a value it cannot read is an error naming the sheet, row and column.

Numerators and denominators are held as integers in units of 1/SCALE so that sums are
exact and the calculator can compare results as fractions (FTE figures such as 404.3
are allowed to four decimal places where the template allows fractions).
"""

from __future__ import annotations

import datetime as dt
import difflib
import re
from pathlib import Path

import numpy as np
import pandas as pd

from ..engine.template import Template
from ..model import SCALE, Export, InputError, Problem
from .filecheck import check_file

MAX_VALUE = 1_000_000_000  # no count of children, cases or posts comes near this
MAX_TOTAL = 2**62 // SCALE  # every sum the calculator makes stays exact in int64 below this
EXCEL_EPOCH = dt.datetime(1899, 12, 30)

ACTIVITY = "Activity"
INDICATORS = "Indicators"
COMMENTARY = "Commentary"
INDICATOR_COLUMNS = ["Month", "Indicator", "Team", "UASC", "Numerator", "Denominator"]
COMMENTARY_COLUMNS = ["Month", "Indicator", "Commentary"]

_MONTH_NAMES = {m.lower(): i for i, m in enumerate(
    ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"], start=1)}


def _key(name: object) -> str:
    return re.sub(r"\s+", "", str(name)).casefold()


def parse_month(value: object) -> pd.Timestamp | None:
    """An Excel date (any day of the month) or text like 2016-08, Aug 2016, 2016-08-31."""
    if isinstance(value, (dt.datetime, dt.date)):
        return pd.Timestamp(value.year, value.month, 1)
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        # An Excel serial date that was not formatted as a date; only 1950 to 2099, so a year
        # typed as a plain number (2016) is refused rather than read as July 1905.
        if 18264 <= value < 73051:
            day = EXCEL_EPOCH + dt.timedelta(days=float(value))
            return pd.Timestamp(day.year, day.month, 1)
        return None
    text = str(value).strip()
    m = re.fullmatch(r"(\d{4})-(\d{1,2})(?:-(\d{1,2}))?(?:[ T].*)?", text)
    if m:
        year, month = int(m[1]), int(m[2])
        if m[3] is not None:
            try:
                dt.date(year, month, int(m[3]))
            except ValueError:
                return None
    else:
        m = re.fullmatch(r"([A-Za-z]{3,9})[\s\-]+(\d{4})", text)
        if not m or m[1][:3].lower() not in _MONTH_NAMES:
            return None
        year, month = int(m[2]), _MONTH_NAMES[m[1][:3].lower()]
    if not 1 <= month <= 12 or not 1900 <= year <= 2999:
        return None
    return pd.Timestamp(year, month, 1)


def _closest(value: str, known: list[str]) -> str:
    match = difflib.get_close_matches(value, known, n=3, cutoff=0.5)
    return f" (closest: {', '.join(repr(m) for m in match)})" if match else ""


class _SheetReader:
    """Reads one sheet's rows into columns, collecting problems instead of raising."""

    def __init__(self, name: str, rows: list[list], problems: list[Problem]):
        self.name = name
        self.problems = problems
        self.header = [str(h).strip() for h in rows[0]] if rows else []
        self.body = rows[1:]

    def error(self, message: str, row: int | None = None, column: str | None = None) -> None:
        self.problems.append(Problem("error", message, self.name, row, column))

    def warn(self, message: str, row: int | None = None, column: str | None = None) -> None:
        self.problems.append(Problem("warning", message, self.name, row, column))

    def columns(self, required: list[str]) -> dict[str, int] | None:
        """Map each required column to its position; report missing, repeated and extra ones."""
        positions: dict[str, int] = {}
        repeated = False
        for i, h in enumerate(self.header):
            if not str(h).strip():
                continue
            if _key(h) in positions:
                first = positions[_key(h)]
                self.error(f"column {h!r} appears twice (columns {_letter(first)} and {_letter(i)}); "
                           "keep one", row=1, column=h)
                repeated = True
            positions.setdefault(_key(h), i)
        found, missing = {}, []
        for col in required:
            if _key(col) in positions:
                found[col] = positions[_key(col)]
            else:
                missing.append(col)
        for col in missing:
            self.error(f"missing column {col!r}{_closest(col, self.header)}", row=1, column=col)
        known = {_key(c) for c in required}
        for h in self.header:
            if h and _key(h) not in known:
                shown = h if len(h) <= 60 else h[:57] + "..."
                self.warn(f"extra column {shown!r} ignored", row=1, column=shown)
        return None if missing or repeated else found

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
        for row, value in zip(frame.loc[months.isna(), "Row"], frame.loc[months.isna(), "Month"]):
            self.error(f"cannot read {value!r} as a month; expected a date or text such as 2016-08 or Aug 2016",
                       row=int(row), column="Month")
        return months

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
            for row, value, num in zip(frame["Row"][mask], raw[mask], number[mask]):
                self.error(_number_problem(kind, value, num), row=int(row), column=column)
        out = pd.array(np.where(finite & ~bad, scaled, 0).astype(np.int64), dtype="Int64")
        out[~(finite & ~bad)] = pd.NA
        return pd.Series(out, index=frame.index)


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
        if _key(name) == _key(wanted):
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
    for wanted, required in ((ACTIVITY, True), (INDICATORS, True), (COMMENTARY, False)):
        name = _find_sheet(sheets, wanted)
        if name is None and required:
            problems.append(Problem("error", f"missing sheet {wanted!r}{_closest(wanted, list(sheets))}"))
        found[wanted] = name
    # A missing sheet is reported, and the sheets that are there are still checked, so one
    # run lists every problem.
    activity = (_read_activity(_SheetReader(found[ACTIVITY], sheets[found[ACTIVITY]], problems), template)
                if found[ACTIVITY] else pd.DataFrame())
    indicators = (_read_indicators(_SheetReader(found[INDICATORS], sheets[found[INDICATORS]], problems), template)
                  if found[INDICATORS] else pd.DataFrame())
    if found[COMMENTARY]:
        commentary = _read_commentary(_SheetReader(found[COMMENTARY], sheets[found[COMMENTARY]], problems), template)
    else:
        commentary = pd.DataFrame(columns=["Month", "Indicator", "Commentary", "Row"])

    if not any(p.severity == "error" for p in problems) and len(activity) == 0 and len(indicators) == 0:
        problems.append(Problem("error", "the Activity and Indicators sheets have no data rows"))
    for label, frame in (("Numerator", indicators.get("Numerator")), ("Denominator", indicators.get("Denominator"))):
        if frame is not None and float(frame.fillna(0).astype("float64").sum()) > MAX_TOTAL * SCALE:
            problems.append(Problem("error", f"the {label.lower()}s add up to more than {MAX_TOTAL:,}; "
                                             "the export cannot be summed exactly", INDICATORS, None, label))
    if any(p.severity == "error" for p in problems):
        raise InputError(problems)
    rows_read = {ACTIVITY: len(activity), INDICATORS: len(indicators), COMMENTARY: len(commentary)}
    return Export(path, activity, indicators, commentary, [p for p in problems if p.severity == "warning"],
                  rows_read)


def _check_units(sheet: _SheetReader, frame: pd.DataFrame, template: Template) -> None:
    known = list(template.units)
    for value, rows in frame.groupby("Unit")["Row"]:
        if value and value not in template.units:
            first = int(rows.iloc[0])
            more = f" (and {len(rows) - 1} more rows)" if len(rows) > 1 else ""
            sheet.error(f"unknown team {value!r}{_closest(value, known)}{more}", row=first, column="Team")


def _report_duplicates(sheet: _SheetReader, frame: pd.DataFrame, keys: list[str], what: str) -> None:
    dup = frame[frame.duplicated(keys, keep=False)]
    for _, group in dup.groupby(keys):
        rows = ", ".join(str(r) for r in group["Row"])
        sheet.error(f"duplicate rows for the same {what} (rows {rows}); each must appear once, "
                    "they are not summed", row=int(group["Row"].iloc[1]))


def _report_double_counting(sheet: _SheetReader, frame: pd.DataFrame, keys: list[str],
                            template: Template) -> None:
    """Rows for a unit and for a unit above it in the same month would be counted twice."""
    known = frame[frame["Unit"].isin(template.units)]
    if known.empty:
        return
    above = pd.DataFrame([(u, a) for u in template.units for a in template.ancestors(u)[1:]],
                         columns=["Unit", "Above"])
    pairs = known.merge(above, on="Unit").merge(
        known[[*keys, "Unit", "Row"]].rename(columns={"Unit": "Above", "Row": "AboveRow"}), on=[*keys, "Above"])
    for record in pairs.drop_duplicates([*keys, "Unit", "Above"]).head(50).itertuples(index=False):
        what = ", ".join(f"{record.Month:%b %Y}" if k == "Month" else f"{k.lower()} {getattr(record, k)}"
                         for k in keys)
        sheet.error(f"{record.Unit!r} (row {record.Row}) and {record.Above!r} (row {record.AboveRow}) "
                    f"both have rows for {what}, but {record.Above!r} already includes {record.Unit!r}: "
                    "its figures would be counted twice; give either the units or their total", row=int(record.Row),
                    column="Team")


def _report_gaps(sheet: _SheetReader, frame: pd.DataFrame, keys: list[str], what: str) -> None:
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


def _read_activity(sheet: _SheetReader, template: Template) -> pd.DataFrame:
    measures = [m.column for m in template.activity_measures]
    positions = sheet.columns(["Month", "Team", *measures])
    if positions is None:
        return pd.DataFrame()
    raw = sheet.frame(positions)
    out = pd.DataFrame({"Month": sheet.months(raw), "Unit": sheet.text(raw, "Team"), "Row": raw["Row"]})
    _check_units(sheet, out, template)
    for col in measures:
        out[col] = sheet.numbers(raw, col) // SCALE
    valid = out.dropna(subset=["Month"])
    _report_duplicates(sheet, valid, ["Month", "Unit"], "month and team")
    _report_double_counting(sheet, valid, ["Month"], template)
    _report_gaps(sheet, valid, [], "the Activity sheet")
    return out


def _read_indicators(sheet: _SheetReader, template: Template) -> pd.DataFrame:
    positions = sheet.columns(INDICATOR_COLUMNS)
    if positions is None:
        return pd.DataFrame()
    raw = sheet.frame(positions)
    out = pd.DataFrame({
        "Month": sheet.months(raw),
        "Indicator": sheet.text(raw, "Indicator"),
        "Unit": sheet.text(raw, "Team"),
        "Row": raw["Row"],
    })
    known_ids = [i.id for i in template.indicators]
    for value, rows in out.groupby("Indicator")["Row"]:
        if value and value not in known_ids:
            sheet.error(f"unknown indicator {value!r}{_closest(value, known_ids)}", row=int(rows.iloc[0]),
                        column="Indicator")
    _check_units(sheet, out, template)

    uasc = raw["UASC"].map({v: str(v).strip().upper() for v in pd.unique(raw["UASC"])})
    for row in raw.loc[~uasc.isin(["Y", "N"]), "Row"]:
        sheet.error(f"{raw.loc[raw['Row'] == row, 'UASC'].iloc[0]!r} is not Y or N", row=int(row), column="UASC")
    out["UASC"] = uasc == "Y"

    by_id = {i.id: i for i in template.indicators}
    def flag(attribute) -> pd.Series:
        """A per-row property of the row's indicator (False for an unknown ID, already reported)."""
        return out["Indicator"].map({k: bool(attribute(i)) for k, i in by_id.items()}).fillna(False).astype(bool)

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
    for row, n, d in zip(out.loc[over, "Row"], out.loc[over, "Numerator"], out.loc[over, "Denominator"]):
        sheet.error(f"numerator {n / SCALE:g} is greater than denominator {d / SCALE:g} for a percentage",
                    row=int(row), column="Numerator")

    valid = out.dropna(subset=["Month"])
    _report_double_counting(sheet, valid, ["Month", "Indicator"], template)
    _report_gaps(sheet, valid, ["Indicator"], "indicator {}")
    _report_duplicates(sheet, valid, ["Month", "Indicator", "Unit", "UASC"],
                       "month, indicator, team and UASC status")
    return out


def _read_commentary(sheet: _SheetReader, template: Template) -> pd.DataFrame:
    positions = sheet.columns(COMMENTARY_COLUMNS)
    if positions is None:
        return pd.DataFrame()
    raw = sheet.frame(positions)
    out = pd.DataFrame({
        "Month": sheet.months(raw),
        "Indicator": sheet.text(raw, "Indicator"),
        "Commentary": raw["Commentary"].map(lambda v: "" if v is None else str(v)),
        "Row": raw["Row"],
    })
    known_ids = [i.id for i in template.indicators]
    for row, value in zip(out["Row"], out["Indicator"]):
        if value and value not in known_ids:
            sheet.error(f"unknown indicator {value!r}{_closest(value, known_ids)}", row=int(row), column="Indicator")
    _report_duplicates(sheet, out.dropna(subset=["Month"]), ["Month", "Indicator"], "month and indicator")
    return out

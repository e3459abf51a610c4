"""Shared fixtures: a tiny template built in the test, rows in the reader's format, and
a writer for small export workbooks.

The tiny template ("Tinyshire") keeps the calculator tests independent of the Kent
template:

    County (County)
    ├── North (Area): N1, N2, N3
    └── South (Area): S1, S2

Indicators (all targets from 2015-04 unless stated):

    P12   percent R12M H    target 90%,  red 85%
    PSS   percent SS   L    target 10%,  red 13%
    CNT   count   SS   L    target 5,    red 10
    AVG   average R12M L    target 426,  red 500
    TGT   percent SS   T    target 17.5%, green tolerance 2.5%, red tolerance 7.5%
    CHG   percent SS   H    from 2016-04: 80% / red 70%; from 2016-06: 90% / red 80%
    FTE   percent SS   H    target 83%, red 75%  (fractional numerator and denominator)
    CASE  average SS   L    target 15, red 18    (fractional denominator: FTE)
"""

from __future__ import annotations

import copy
import datetime as dt
import shutil
import subprocess
from fractions import Fraction
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from scorecard_xl.engine.template import Template
from scorecard_xl.model import SCALE

TINY_DICT: dict = {
    "name": "tiny",
    "organisation": "Tinyshire County Council",
    "directorate": "Children",
    "title": "Tiny Scorecard",
    "scorecard_sheet": "Scorecard - Tiny",
    "owners": {"cabinet_member": "A. Member", "director": "B. Director", "portfolio": "Kids", "division": "Kids"},
    "data_source": "Test data",
    "financial_year_start_month": 4,
    "organisation_tree": {
        "name": "County",
        "level": "County",
        "units": [
            {"name": "North", "level": "Area", "units": [
                {"name": "N1", "level": "Team"},
                {"name": "N2", "level": "Team"},
                {"name": "N3", "level": "Team"},
            ]},
            {"name": "South", "level": "Area", "units": [
                {"name": "S1", "level": "Team"},
                {"name": "S2", "level": "Team"},
            ]},
        ],
    },
    # N3 and S2 are counted but not shown.
    "activity_rows": ["County", "North", "South", "N1", "N2", "S1"],
    "activity_measures": [
        {"column": "Caseloads", "label": "Caseloads", "kind": "snapshot"},
        {"column": "New Referrals", "label": "Referrals in month", "kind": "events"},
    ],
    "sections": [
        {"title": "SECTION A", "indicators": [
            {"id": "P12", "title": "% done in time", "polarity": "H", "period": "R12M", "unit": "percent",
             "decimals": 1, "targets": [{"from": "2015-04", "target": "90%", "red": "85%"}]},
            {"id": "PSS", "title": "% with 3+ placements", "polarity": "L", "period": "SS", "unit": "percent",
             "decimals": 1, "targets": [{"from": "2015-04", "target": "10%", "red": "13%"}]},
            {"id": "CNT", "title": "Unallocated cases", "exception_title": "Unallocated cases - exception",
             "polarity": "L", "period": "SS", "unit": "count",
             "decimals": 0, "targets": [{"from": "2015-04", "target": 5, "red": 10}]},
            {"id": "AVG", "title": "Average days to adoption", "polarity": "L", "period": "R12M",
             "unit": "average", "decimals": 1, "targets": [{"from": "2015-04", "target": 426, "red": 500}]},
        ]},
        {"title": "SECTION B", "indicators": [
            {"id": "TGT", "title": "% second CP plan", "polarity": "T", "period": "SS", "unit": "percent",
             "decimals": 1, "targets": [{"from": "2015-04", "target": "17.5%", "red": "7.5%",
                                         "green_tolerance": "2.5%"}]},
            {"id": "CHG", "title": "% with target change", "polarity": "H", "period": "SS", "unit": "percent",
             "decimals": 1, "targets": [{"from": "2016-04", "target": "80%", "red": "70%"},
                                        {"from": "2016-06", "target": "90%", "red": "80%"}]},
            {"id": "FTE", "title": "% posts filled by permanent staff", "polarity": "H", "period": "SS",
             "unit": "percent", "decimals": 1, "fractional_numerator": True, "fractional_denominator": True,
             "targets": [{"from": "2015-04", "target": "83%", "red": "75%"}]},
            {"id": "CASE", "title": "Average caseload per FTE", "polarity": "L", "period": "SS",
             "unit": "average", "decimals": 1, "fractional_denominator": True,
             "targets": [{"from": "2015-04", "target": 15, "red": 18}]},
        ]},
    ],
}

TEAMS = ["N1", "N2", "N3", "S1", "S2"]
CHILDREN = {"County": ["North", "South"], "North": ["N1", "N2", "N3"], "South": ["S1", "S2"]}


def tiny_dict() -> dict:
    """A fresh, mutable copy of the tiny template's data (for tests that break it)."""
    return copy.deepcopy(TINY_DICT)


@pytest.fixture(scope="session")
def tiny() -> Template:
    return Template.model_validate(TINY_DICT)


@pytest.fixture(scope="session")
def kent() -> Template:
    from scorecard_xl.engine.template import load_template

    return load_template("kent_scs")


# ----------------------------------------------------------------------------- months

def month(text: str) -> pd.Timestamp:
    """'2016-08' -> Timestamp('2016-08-01')."""
    return pd.Timestamp(text + "-01") if len(text) == 7 else pd.Timestamp(text)


def months_between(first: str, last: str) -> list[pd.Timestamp]:
    return list(pd.date_range(month(first), month(last), freq="MS"))


# ----------------------------------------------------------------------------- rows

def scaled(value) -> int:
    """A human number (int, float, str or Fraction) in the reader's 1/SCALE units, exactly."""
    f = Fraction(str(value)) if isinstance(value, (float, str)) else Fraction(value)
    out = f * SCALE
    assert out.denominator == 1, f"{value} has more than 4 decimal places"
    return int(out)


def indicator_rows(records) -> pd.DataFrame:
    """Rows as the reader returns them.

    records: (month 'YYYY-MM', indicator, team, uasc 'Y'/'N' or bool, numerator, denominator or None).
    """
    data = []
    for i, (m, ind, team, uasc, n, d) in enumerate(records):
        data.append({
            "Month": month(m) if isinstance(m, str) else pd.Timestamp(m),
            "Indicator": str(ind),
            "Unit": team,
            "UASC": (uasc == "Y") if isinstance(uasc, str) else bool(uasc),
            "Numerator": scaled(n),
            "Denominator": 0 if d is None else scaled(d),
            "Row": i + 2,
        })
    frame = pd.DataFrame(data, columns=["Month", "Indicator", "Unit", "UASC", "Numerator", "Denominator", "Row"])
    return frame.astype({"UASC": bool, "Numerator": "Int64", "Denominator": "Int64", "Row": int})


def activity_rows(records, measures=("Caseloads", "New Referrals")) -> pd.DataFrame:
    """records: (month 'YYYY-MM', team, value per measure...)."""
    data = []
    for i, (m, team, *values) in enumerate(records):
        row = {"Month": month(m), "Unit": team, "Row": i + 2}
        row.update(dict(zip(measures, values, strict=False)))
        data.append(row)
    frame = pd.DataFrame(data, columns=["Month", "Unit", "Row", *measures])
    return frame.astype({c: "Int64" for c in measures})


def commentary_rows(records) -> pd.DataFrame:
    """records: (month 'YYYY-MM', indicator, text)."""
    data = [{"Month": month(m), "Indicator": ind, "Commentary": text, "Row": i + 2}
            for i, (m, ind, text) in enumerate(records)]
    return pd.DataFrame(data, columns=["Month", "Indicator", "Commentary", "Row"])


def make_export(indicators: pd.DataFrame, activity: pd.DataFrame | None = None,
                commentary: pd.DataFrame | None = None):
    from scorecard_xl.model import Export

    if activity is None:
        activity = activity_rows([])
    if commentary is None:
        commentary = commentary_rows([])
    return Export(Path("test.xlsx"), activity, indicators, commentary)


def result_row(results: pd.DataFrame, indicator: str, unit: str, when: str, cohort: str = "All"):
    """The single results row, or None when the figure was not computed."""
    sel = results[(results["Indicator"] == indicator) & (results["Unit"] == unit)
                  & (results["Cohort"] == cohort) & (results["Month"] == month(when))]
    assert len(sel) <= 1, f"{len(sel)} rows for {indicator}/{unit}/{cohort}/{when}"
    return None if sel.empty else sel.iloc[0]


def value(results: pd.DataFrame, indicator: str, unit: str, when: str, column: str = "Result",
          cohort: str = "All"):
    """One figure; NaN (or None for text columns) when the row is absent: an empty figure."""
    row = result_row(results, indicator, unit, when, cohort)
    if row is None:
        return None if column in ("RAG", "DoT 1 Month", "DoT 1 Year", "Rolling 3 Months RAG") else np.nan
    return row[column]


def is_empty(x) -> bool:
    return x is None or (isinstance(x, float) and np.isnan(x)) or x is pd.NA


# ----------------------------------------------------------------------------- workbook

def write_workbook(path: Path, sheets: dict[str, list[list]]) -> Path:
    """Write sheets of rows (first row = header) with xlsxwriter.

    A cell that is None is left blank; a datetime/date is written as an Excel date
    (formatted, so it reads back as a date); anything else is written as is.
    """
    import xlsxwriter

    workbook = xlsxwriter.Workbook(str(path))
    date_format = workbook.add_format({"num_format": "dd/mm/yyyy"})
    for name, rows in sheets.items():
        sheet = workbook.add_worksheet(name)
        for r, row in enumerate(rows):
            for c, cell in enumerate(row):
                if cell is None:
                    continue
                if isinstance(cell, (dt.datetime, dt.date)):
                    if not isinstance(cell, dt.datetime):
                        cell = dt.datetime(cell.year, cell.month, cell.day)
                    sheet.write_datetime(r, c, cell, date_format)
                else:
                    sheet.write(r, c, cell)
    workbook.close()
    return path


ACTIVITY_HEADER = ["Month", "Team", "Caseloads", "New Referrals"]
INDICATOR_HEADER = ["Month", "Indicator", "Team", "UASC", "Numerator", "Denominator"]
COMMENTARY_HEADER = ["Month", "Indicator", "Commentary"]


@pytest.fixture
def write_export(tmp_path):
    """write_export(activity=[...], indicators=[...], commentary=[...] or None, names=...) -> path.

    Each list holds body rows; the standard header is added unless header_* is given.
    """
    counter = {"n": 0}

    def _write(activity=None, indicators=None, commentary=None, *, activity_header=None,
               indicator_header=None, commentary_header=None, names=None, extra_sheets=None) -> Path:
        names = names or {}
        sheets = {}
        if activity is not False:
            sheets[names.get("Activity", "Activity")] = [activity_header or ACTIVITY_HEADER, *(activity or [])]
        if indicators is not False:
            sheets[names.get("Indicators", "Indicators")] = [indicator_header or INDICATOR_HEADER,
                                                             *(indicators or [])]
        if commentary is not None and commentary is not False:
            sheets[names.get("Commentary", "Commentary")] = [commentary_header or COMMENTARY_HEADER, *commentary]
        sheets.update(extra_sheets or {})
        counter["n"] += 1
        return write_workbook(tmp_path / f"export{counter['n']}.xlsx", sheets)

    return _write


# ----------------------------------------------------------------------------- what is under test

def pytest_report_header(config) -> str:
    import scorecard_xl

    where = Path(scorecard_xl.__file__).resolve().parent
    checkout = Path(__file__).resolve().parents[1] / "scorecard_xl"
    kind = "this checkout (editable install)" if where == checkout else "an installed wheel"
    return f"scorecard_xl {scorecard_xl.__version__} from {kind}: {where}"


# Modules all of whose tests are slow (LibreOffice, a mail server, large inputs): marked here, once.
SLOW_MODULES = {"test_libreoffice", "test_pdf", "test_printing", "test_benchmark_smoke", "test_email", "test_burst",
                "test_burst_reruns"}


def pytest_collection_modifyitems(config, items) -> None:
    for item in items:
        if item.module.__name__ in SLOW_MODULES:
            item.add_marker(pytest.mark.slow)


def pytest_terminal_summary(terminalreporter) -> None:
    """The same line at the end, where `pytest -q` (which hides the header) shows it too."""
    terminalreporter.write_line(pytest_report_header(terminalreporter.config))


def pytest_configure(config) -> None:
    """In CI (SCORECARD_XL_TEST_WHEEL=1) the tests must exercise the installed wheel, not the checkout."""
    import os

    if os.environ.get("SCORECARD_XL_TEST_WHEEL"):
        import scorecard_xl

        checkout = Path(__file__).resolve().parents[1] / "scorecard_xl"
        if Path(scorecard_xl.__file__).resolve().parent == checkout:
            raise pytest.UsageError("SCORECARD_XL_TEST_WHEEL is set but scorecard_xl is imported from the checkout; "
                                    "install the wheel (pip install dist/*.whl) and run `pytest`, not "
                                    "`python -m pytest`")


# ----------------------------------------------------------------------------- a file open in Excel

def _chattr(flag: str, path: Path) -> bool:
    tool = shutil.which("chattr")
    if tool is None:
        return False
    return subprocess.run([tool, flag, str(path)], capture_output=True).returncode == 0


@pytest.fixture
def immutable():
    """chattr +i, undone after the test (so pytest can remove the folder)."""
    locked: list[Path] = []

    def lock(path: Path) -> None:
        if not _chattr("+i", path):
            pytest.skip("chattr +i is not available here (needs root and a file system with attributes)")
        locked.append(path)

    yield lock
    for path in locked:
        _chattr("-i", path)

"""Fixtures for the workbook and command-line tests: an export to run, and the workbook
generated from it through the real command line.

The input is the sample export `samples/kent_liberi_export_2016-08.xlsx` when it exists;
until then (and for the tests that need text the sample does not hold) a small synthetic
export for the Kent template is written into a temporary folder: 6 teams, 24 months
(Sep 2014 to Aug 2016), all 45 indicators, UASC and non-UASC rows for every team.

The synthetic data is random except where the tests need a known outcome in Aug 2016:

    indicator  9  (H, R12M %)   numerators 0            -> 0%, Red
    indicator  7  (L, count)    10 to 20 per row        -> far above 10, Red
    indicator 38  (L, R12M %)   numerator = denominator -> 100%, Red
    indicator  4  (H, R12M %)   numerator = denominator -> 100%, Green
    indicator  1  (L, R12M %)   27 of 100               -> 27%, Amber (target 25%, red 30%)

The three Red indicators carry commentary that a spreadsheet would treat as a formula
or a command if it were written carelessly (`INJECTED`). One blank row sits inside the
Indicators sheet (blank rows are skipped, and must not shift the Source Row numbers).

When the sample is the input, the tests that need the injected commentary run on a
mini synthetic export (2 teams, 20 months) instead, which the command-line tests also use.

Every expensive step (writing the export, generating, loading with openpyxl) runs once
per test session: the results are cached here, so test_workbook.py and test_cli.py
share them even though each module imports the fixtures.
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
import subprocess
import sys
import warnings
import zipfile
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "samples" / "kent_liberi_export_2016-08.xlsx"
TEMPLATE_NAME = "kent_scs"
SCORECARD_SHEET = "Scorecard - Kent"
PRODUCED = "2016-09-15"

SYNTHETIC_TEAMS = [
    "Dartford CSWT",  # North Kent
    "Canterbury CSWT",  # East Kent
    "Ashford CSWT",  # South Kent
    "Maidstone CSWT",  # West Kent
    "SUASC Service",  # County Services
    "Disability EK",  # Disability Service
]
SYNTHETIC_MONTHS = pd.date_range("2014-09-01", "2016-08-01", freq="MS")
SYNTHETIC_BLANK_ROW = 40  # the Excel row left blank inside the Indicators sheet

# Commentary for the forced Red indicators: must come out as plain text, never a formula.
INJECTED = {
    "9": '=HYPERLINK("http://example.com","x")',
    "7": "+cmd|' /C calc'!A0",
    "38": "@SUM(A1:A2)",
}
FORCED_RAG = {"9": "R", "7": "R", "38": "R", "4": "G", "1": "A"}

ACTIVITY_SHEET, INDICATORS_SHEET, COMMENTARY_SHEET = "Activity", "Indicators", "Commentary"
INDICATOR_HEADER = ["Month", "Indicator", "Team", "UASC", "Numerator", "Denominator"]
COMMENTARY_HEADER = ["Month", "Indicator", "Commentary"]

_cache: dict[str, object] = {}


# ----------------------------------------------------------------------------- the template

def kent_template():
    if "template" not in _cache:
        from scorecard_xl.engine.template import load_template

        _cache["template"] = load_template(TEMPLATE_NAME)
    return _cache["template"]


# ----------------------------------------------------------------------------- writing exports

def synthetic_rows(teams=SYNTHETIC_TEAMS, months=SYNTHETIC_MONTHS, seed: int = 20160831):
    """(activity rows, indicator rows) as lists of lists, headers first."""
    template = kent_template()
    rng = np.random.default_rng(seed)
    measures = [m.column for m in template.activity_measures]
    activity = [["Month", "Team", *measures]]
    indicators = [list(INDICATOR_HEADER)]
    # Each indicator runs near its Aug 2016 target (a little above or below), so the county's
    # ratings are a mix of Green, Amber and Red rather than mostly Red.
    last = months[-1].date()
    level = {}
    for ind in template.indicators:
        period = ind.target_for(last)
        target = float(period.target) if period else 0.5
        if ind.unit == "percent":
            level[ind.id] = min(1.0, max(0.0, target + rng.uniform(-0.08, 0.08)))
        else:
            level[ind.id] = max(0.0, target * rng.uniform(0.8, 1.2))
    for m in months:
        when = m.to_pydatetime()
        for team in teams:
            activity.append([when, team, *[int(rng.integers(0, 50)) for _ in measures]])
            for ind in template.indicators:
                for uasc in "YN":
                    d = int(rng.integers(1, 40))
                    if ind.unit == "percent":
                        n = int(rng.binomial(d, level[ind.id]))
                    elif ind.unit == "average":
                        n = int(round(d * level[ind.id] * rng.uniform(0.9, 1.1)))
                    else:  # a count: the county's sum over 12 rows lands near the target
                        n = int(rng.poisson(level[ind.id] / (2 * len(teams))))
                    if ind.fractional_denominator:
                        d = d + int(rng.integers(0, 4)) / 4  # FTE: 12.25, 7.5 ...
                        n = min(n, int(d)) if ind.unit == "percent" else n
                    if ind.fractional_numerator and n + 0.5 <= d:
                        n = n + int(rng.integers(0, 2)) / 2
                    if ind.id == "9":
                        n = 0
                    elif ind.id == "7":
                        n = int(rng.integers(10, 21))
                    elif ind.id in ("38", "4"):
                        n = d
                    elif ind.id == "1":
                        n, d = 27, 100
                    indicators.append([when, ind.id, team, uasc, n, None if ind.unit == "count" else d])
    return activity, indicators


def synthetic_commentary(month: pd.Timestamp = SYNTHETIC_MONTHS[-1]):
    rows = [list(COMMENTARY_HEADER)]
    for ind_id, text in INJECTED.items():
        rows.append([month.to_pydatetime(), ind_id, text])
    # An older month's commentary, which the Aug 2016 exception reports must not show.
    rows.append([(month - pd.DateOffset(months=3)).to_pydatetime(), "9", "Commentary for an earlier month."])
    return rows


def write_export(path: Path, sheets: dict[str, list[list]], blank_rows: dict[str, set[int]] | None = None) -> Path:
    """Write sheets of rows (header first) with XlsxWriter, every value typed explicitly.

    Text is always written as text (a commentary starting with '=' stays text, as an
    analyst's export would hold it); dates as formatted Excel dates; None is left blank.
    blank_rows: per sheet, Excel row numbers to leave empty (the rows after shift down).
    """
    import xlsxwriter

    blank_rows = blank_rows or {}
    workbook = xlsxwriter.Workbook(str(path), {"strings_to_formulas": False, "strings_to_urls": False,
                                               "strings_to_numbers": False})
    date_format = workbook.add_format({"num_format": "yyyy-mm-dd"})
    for name, rows in sheets.items():
        ws = workbook.add_worksheet(name)
        r = 0
        for row in rows:
            while r + 1 in blank_rows.get(name, ()):
                r += 1
            for c, value in enumerate(row):
                if value is None:
                    continue
                if isinstance(value, dt.datetime):
                    ws.write_datetime(r, c, value, date_format)
                elif isinstance(value, str):
                    ws.write_string(r, c, value)
                else:
                    ws.write_number(r, c, value)
            r += 1
    workbook.close()
    return path


def write_synthetic_export(path: Path, *, teams=SYNTHETIC_TEAMS, months=SYNTHETIC_MONTHS,
                           drop_sheets=(), mutate=None) -> Path:
    """The synthetic export; mutate(sheets) may edit the rows before they are written."""
    activity, indicators = synthetic_rows(teams, months)
    sheets = {ACTIVITY_SHEET: activity, INDICATORS_SHEET: indicators,
              COMMENTARY_SHEET: synthetic_commentary(months[-1])}
    if mutate is not None:
        mutate(sheets)
    for name in drop_sheets:
        sheets.pop(name)
    return write_export(path, sheets, {INDICATORS_SHEET: {SYNTHETIC_BLANK_ROW}})


def write_kent_template_variant(path: Path, **changes: str) -> Path:
    """A copy of the Kent template with top-level scalar keys replaced (e.g. scorecard_sheet)."""
    import yaml

    text = (ROOT / "workbook_templates" / f"{TEMPLATE_NAME}.yaml").read_text(encoding="utf-8")
    lines = text.splitlines()
    for key, value in changes.items():
        matches = [i for i, line in enumerate(lines) if line.startswith(f"{key}:")]
        assert len(matches) == 1, f"{key} not found once in the template"
        lines[matches[0]] = f"{key}: {yaml.safe_dump(value, default_style=chr(34)).strip()}"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


# ----------------------------------------------------------------------------- running the CLI

def cli_runner_generate(inp: Path, out: Path, *extra: str):
    """Run `generate` in-process through the typer app; returns the click Result."""
    from typer.testing import CliRunner

    from scorecard_xl.cli import app

    return CliRunner().invoke(app, ["generate", str(inp), "-o", str(out), "--produced", PRODUCED, *extra])


def run_cli(*args: str, cwd: Path | None = None,
            env_extra: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    """Run the command line as a user does, in a new process (so a traceback would show).

    The installed package runs (the wheel in CI, an editable install in development); SOURCE_DATE_EPOCH is unset.
    """
    env = {k: v for k, v in os.environ.items() if k != "SOURCE_DATE_EPOCH"}
    env.setdefault("COLUMNS", "120")
    env.update(env_extra or {})
    return subprocess.run([sys.executable, "-m", "scorecard_xl.cli", *map(str, args)], capture_output=True,
                          text=True, cwd=cwd, env=env, timeout=300)


def generate_ok(inp: Path, out: Path, *extra: str) -> Path:
    result = cli_runner_generate(inp, out, *extra)
    assert result.exit_code == 0 and result.exception is None, (
        f"generate failed ({result.exit_code}): {result.output}\n{result.exception!r}")
    assert out.exists()
    return out


def load_workbook(path: Path, read_only: bool = False):
    import openpyxl

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # "Sparkline Group extension is not supported"
        return openpyxl.load_workbook(path, read_only=read_only)


def zip_text(path: Path, member: str) -> str:
    with zipfile.ZipFile(path) as z:
        return z.read(member).decode("utf-8")


# ----------------------------------------------------------------------------- session fixtures

MINI_TEAMS = ["Dartford CSWT", "SUASC Service"]
# 20 months: R12M results (and their direction of travel) from Dec 2015, so --month 2016-05 has them all.
MINI_MONTHS = pd.date_range("2015-01-01", "2016-08-01", freq="MS")


def is_synthetic(path: Path) -> bool:
    return path.name.startswith("synthetic_export")


@pytest.fixture(scope="session")
def export_path(tmp_path_factory) -> Path:
    """The sample export when it exists (a copy, so every run reads the same bytes), else the synthetic one."""
    if "export" not in _cache:
        # SCORECARD_XL_TEST_INPUT=synthetic runs these tests on the synthetic export even when the sample exists.
        if SAMPLE.exists() and os.environ.get("SCORECARD_XL_TEST_INPUT") != "synthetic":
            path = tmp_path_factory.mktemp("sample") / SAMPLE.name
            shutil.copyfile(SAMPLE, path)
        else:
            path = write_synthetic_export(tmp_path_factory.mktemp("synthetic") / "synthetic_export_2016-08.xlsx")
        _cache["export"] = path
    return _cache["export"]


@pytest.fixture(scope="session")
def mini_export(tmp_path_factory) -> Path:
    """A very small synthetic export (2 teams, 20 months) for quick command-line runs.

    The forced ratings and the injected commentary of the full synthetic export hold in it too.
    """
    return _mini_export(tmp_path_factory)


def _mini_export(tmp_path_factory) -> Path:
    if "mini" not in _cache:
        _cache["mini"] = write_synthetic_export(tmp_path_factory.mktemp("mini") / "synthetic_export_mini.xlsx",
                                                teams=MINI_TEAMS, months=MINI_MONTHS)
    return _cache["mini"]


@pytest.fixture(scope="session")
def generated(export_path, tmp_path_factory) -> Path:
    """The workbook generated from export_path by `scorecard-xl generate ... --produced`."""
    if "generated" not in _cache:
        out = tmp_path_factory.mktemp("generated") / "scorecard-2016-08.xlsx"
        _cache["generated"] = generate_ok(export_path, out)
    return _cache["generated"]


@pytest.fixture(scope="session")
def generated_synthetic(export_path, generated, tmp_path_factory) -> Path:
    """A workbook generated from a synthetic export (with the injected commentary): the shared
    workbook when its input is synthetic, else one from the mini export."""
    if is_synthetic(export_path):
        return generated
    if "generated_synthetic" not in _cache:
        out = tmp_path_factory.mktemp("generated_synthetic") / "scorecard-2016-08.xlsx"
        _cache["generated_synthetic"] = generate_ok(_mini_export(tmp_path_factory), out)
    return _cache["generated_synthetic"]


@pytest.fixture(scope="session")
def wb(generated):
    """The generated workbook, loaded once with openpyxl (full mode: formats, tables, print setup)."""
    if "wb" not in _cache:
        _cache["wb"] = load_workbook(generated)
    return _cache["wb"]


@pytest.fixture(scope="session")
def wb_synthetic(generated_synthetic, generated, wb):
    if generated_synthetic == generated:
        return wb
    if "wb_synthetic" not in _cache:
        _cache["wb_synthetic"] = load_workbook(generated_synthetic)
    return _cache["wb_synthetic"]


@pytest.fixture(scope="session")
def export_rows(export_path) -> dict[str, list[int]]:
    """Per sheet of the export (by its own name), the Excel row numbers of its non-blank body rows.

    Read independently of the package's reader (openpyxl, read-only).
    """
    key = f"rows:{export_path}"
    if key not in _cache:
        book = load_workbook(export_path, read_only=True)
        rows = {}
        for ws in book.worksheets:
            numbers = []
            for r, values in enumerate(ws.iter_rows(min_row=2, values_only=True), start=2):
                if any(v is not None and not (isinstance(v, str) and not v.strip()) for v in values):
                    numbers.append(r)
            rows[ws.title] = numbers
        book.close()
        _cache[key] = rows
    return _cache[key]

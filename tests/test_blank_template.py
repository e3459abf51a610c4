"""`scorecard-xl template`: the empty input workbook an analyst pastes an export into.

Read back with openpyxl: the sheets and header rows the reader expects, the data
validations (lists from the hidden Lists sheet through defined names, Y/N, dates, whole
and decimal numbers >= 0) and the Instructions sheet. Filled in with openpyxl, it passes
`validate`; left empty, `validate` says plainly that there are no data rows.
"""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

sys.path.insert(0, str(Path(__file__).resolve().parent))

from conftest import tiny_dict  # noqa: E402
from workbook_fixtures import kent_template, load_workbook  # noqa: E402

from scorecard_xl.reading.reader import INDICATOR_COLUMNS  # noqa: E402


def run(*args, cwd: Path) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k != "SOURCE_DATE_EPOCH"}
    env["COLUMNS"] = "200"
    return subprocess.run([sys.executable, "-m", "scorecard_xl.cli", *map(str, args)], cwd=cwd, env=env,
                          stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=300)


def no_traceback(proc) -> None:
    text = proc.stdout + proc.stderr
    assert "Traceback" not in text and "internal error" not in text, text


@pytest.fixture(scope="module")
def blank(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("blank")
    proc = run("template", "-o", "blank.xlsx", cwd=folder)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "blank.xlsx" in proc.stdout
    return folder / "blank.xlsx"


def validations(ws) -> dict[str, object]:
    """Each data validation by the column letter of its range (every one covers rows 2 to the last)."""
    out = {}
    for dv in ws.data_validations.dataValidation:
        ref = str(dv.sqref)
        first, _, last = ref.partition(":")
        column = "".join(ch for ch in first if ch.isalpha())
        assert first == f"{column}2" and last == f"{column}1048576", ref
        out[column] = dv
    return out


def list_values(book, name: str) -> list[str]:
    """The cells a defined name points at, as text (IDs may be stored as numbers)."""
    defined = book.defined_names[name]
    (sheet, ref), = defined.destinations
    values = []
    for row in book[sheet][ref.replace("$", "")]:
        for cell in row:
            value = cell.value
            values.append(str(int(value)) if isinstance(value, float) and value.is_integer() else str(value))
    return values


def test_sheets_and_headers_are_what_the_reader_expects(blank):
    template = kent_template()
    book = load_workbook(blank)
    assert book.sheetnames == ["Instructions", "Activity", "Indicators", "Commentary", "Lists"]
    assert book["Lists"].sheet_state == "hidden"
    assert book.active.title == "Instructions"

    def header(name):
        return [c.value for c in next(book[name].iter_rows(max_row=1))]

    assert header("Activity") == ["Month", "Team", *[m.column for m in template.activity_measures]]
    assert header("Indicators") == INDICATOR_COLUMNS
    assert header("Commentary") == ["Month", "Indicator", "Team", "Commentary"]
    for name in ("Activity", "Indicators", "Commentary"):
        assert book[name].max_row == 1, f"{name} has rows below its header"
        assert book[name].freeze_panes == "A2"


def test_data_validation(blank):
    template = kent_template()
    book = load_workbook(blank)
    activity, indicators, commentary = (validations(book[n]) for n in ("Activity", "Indicators", "Commentary"))

    for checks in (activity, indicators, commentary):
        assert checks["A"].type == "date", "Month is a date"
    # Team: every unit of the template, from the hidden Lists sheet (too long for an inline list).
    for checks, column in ((activity, "B"), (indicators, "C")):
        assert checks[column].type == "list" and checks[column].formula1 == "TeamNames"
    assert list_values(book, "TeamNames") == list(template.units)
    assert len(",".join(template.units)) > 255, "the Kent units would not fit an inline list"
    # Indicator: the IDs.
    for checks in (indicators, commentary):
        assert checks["B"].type == "list" and checks["B"].formula1 == "IndicatorIDs"
    assert list_values(book, "IndicatorIDs") == [i.id for i in template.indicators]
    # UASC: Y or N.
    assert indicators["D"].type == "list" and indicators["D"].formula1 == '"Y,N"'
    # Numerator and Denominator: numbers >= 0, decimals allowed (the FTE indicators need them).
    for column in ("E", "F"):
        assert indicators[column].type == "decimal"
        assert indicators[column].operator == "greaterThanOrEqual" and indicators[column].formula1 == "0"
    # Activity measures: whole numbers >= 0.
    measure_columns = [chr(ord("C") + k) for k in range(len(template.activity_measures))]
    for column in measure_columns:
        assert activity[column].type == "whole"
        assert activity[column].operator == "greaterThanOrEqual" and activity[column].formula1 == "0"
    for checks in (activity, indicators, commentary):
        for dv in checks.values():
            assert dv.showErrorMessage and dv.error, "a refused entry says why"


def test_instructions_list_every_indicator(blank):
    template = kent_template()
    book = load_workbook(blank)
    rows = [list(r) for r in book["Instructions"].iter_rows(values_only=True)]
    text = "\n".join(" | ".join(str(c) for c in r if c is not None) for r in rows)
    header = next(i for i, r in enumerate(rows) if r[:2] == ["ID", "Indicator"])
    columns = list(rows[header])
    table = {r[0]: dict(zip(columns, r, strict=False)) for r in rows[header + 1:header + 1 + len(template.indicators)]}
    assert list(table) == [i.id for i in template.indicators]
    for ind in template.indicators:
        row = table[ind.id]
        assert row["Indicator"] == ind.title
        assert row["Polarity"].startswith(ind.polarity)
        assert row["Data period"].startswith(ind.period)
        assert row["Denominator needed"].startswith("Yes" if ind.has_denominator else "No")
        fractional = ind.fractional_numerator or ind.fractional_denominator
        assert row["Fractions allowed"].startswith("Yes" if fractional else "No")
    fte = [i.id for i in template.indicators if i.fractional_numerator or i.fractional_denominator]
    assert f"only for indicators {', '.join(fte)}" in text
    for sheet in ("Activity", "Indicators", "Commentary"):
        assert sheet in text
    for column in ["UASC", "Numerator", "Denominator", *[m.column for m in template.activity_measures]]:
        assert column in text
    assert "scorecard-xl validate blank.xlsx" in text


def test_filled_in_it_validates(blank, tmp_path):
    """A few rows typed in (openpyxl), as an analyst would: validate accepts them."""
    import openpyxl

    template = kent_template()
    book = openpyxl.load_workbook(blank)
    august = dt.datetime(2016, 8, 1)
    measures = len(template.activity_measures)
    book["Activity"].append([august, "Ashford CSWT", *range(1, measures + 1)])
    book["Activity"].append([august, "Dover CSWT", *[0] * measures])
    ws = book["Indicators"]
    ws.append([august, 1, "Ashford CSWT", "N", 5, 20])  # an ID picked from the list arrives as a number
    ws.append([august, "1", "Ashford CSWT", "Y", 2, 4])
    ws.append([august, 3, "Dover CSWT", "N", 7, None])  # a count: no denominator
    ws.append([august, 41, "Dover CSWT", "N", 21.5, 27.6])  # FTE: fractions allowed
    book["Commentary"].append([august, 1, None, "=Commentary that looks like a formula stays text."])
    book["Commentary"].append([august, 1, "East Kent", "East Kent's own commentary."])
    filled = tmp_path / "filled.xlsx"
    book.save(filled)
    proc = run("validate", filled, cwd=tmp_path)
    no_traceback(proc)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "no errors" in proc.stdout
    assert "Activity 2 rows" in proc.stdout and "Indicators 4 rows" in proc.stdout, proc.stdout


def test_the_empty_workbook_is_a_clear_error(blank, tmp_path):
    proc = run("validate", blank, cwd=tmp_path)
    no_traceback(proc)
    assert proc.returncode == 1, proc.stdout + proc.stderr
    lines = proc.stderr.splitlines()
    assert lines[0] == "error: the Activity and Indicators sheets have no data rows", proc.stderr
    assert lines[-1] == "blank.xlsx: 1 error(s).", proc.stderr


def test_an_existing_file_is_not_replaced_without_force(tmp_path):
    target = tmp_path / "input.xlsx"
    target.write_bytes(b"an analyst's work")
    proc = run("template", "-o", target, cwd=tmp_path)
    no_traceback(proc)
    assert proc.returncode == 1 and "--force" in proc.stderr, proc.stdout + proc.stderr
    assert target.read_bytes() == b"an analyst's work"
    proc = run("template", "-o", target, "--force", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert target.read_bytes().startswith(b"PK")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["input.xlsx"], "a temporary file was left"


def test_output_must_be_xlsx(tmp_path):
    proc = run("template", "-o", tmp_path / "blank.xls", cwd=tmp_path)
    assert proc.returncode == 2 and ".xlsx" in proc.stderr, proc.stdout + proc.stderr
    assert not list(tmp_path.iterdir())


@pytest.mark.slow
def test_for_a_template_given_by_path(tmp_path):
    """Another council's template: its own teams, measures and indicators; the default file name."""
    path = tmp_path / "tiny.yaml"
    path.write_text(yaml.safe_dump(tiny_dict(), sort_keys=False), encoding="utf-8")
    proc = run("template", "--template", path, cwd=tmp_path)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    out = tmp_path / "tiny-input.xlsx"
    book = load_workbook(out)
    assert [c.value for c in book["Activity"][1]] == ["Month", "Team", "Caseloads", "New Referrals"]
    assert list_values(book, "TeamNames") == ["County", "North", "N1", "N2", "N3", "South", "S1", "S2"]
    assert list_values(book, "IndicatorIDs") == ["P12", "PSS", "CNT", "AVG", "TGT", "CHG", "FTE", "CASE"]
    book["Indicators"].append([dt.datetime(2016, 8, 1), "FTE", "N1", "N", 3.5, 4.25])
    book["Activity"].append([dt.datetime(2016, 8, 1), "N1", 10, 2])
    book.save(out)
    proc = run("validate", out, "--template", path, cwd=tmp_path)
    assert proc.returncode == 0, proc.stdout + proc.stderr

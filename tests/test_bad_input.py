"""Bad input gets a clear error and loses nothing.

Every problem is reported with the sheet, the row as Excel numbers it, the column and what
was expected; errors exit 1 (2 for a wrong command line) with no Python traceback and no
"internal error" line, write no workbook and leave an earlier file of that name as it was.
Problems that do not stop the run are warnings: printed, and listed in `Data Quality`.

Most cases run the real command line in a new process (`run_cli`), as a user would, so a
crash would show; the finer checks call `read_export`, and the cases that need to patch
the package (a tiny row limit, a failure injected while writing) run `generate`
in-process through typer's CliRunner.

The inputs are small exports for the tiny template of conftest.py ("Tinyshire": teams
N1, N2, N3 under North, S1, S2 under South, county "County"), written with explicit typed
XlsxWriter calls, and the Kent template where a case is about it (fractional FTE counts).
"""

from __future__ import annotations

import datetime as dt
import errno
import io
import os
import random
import re
import struct
import sys
import zipfile
from pathlib import Path
from xml.sax.saxutils import escape

import pandas as pd
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))

from conftest import (  # noqa: E402
    ACTIVITY_HEADER,
    COMMENTARY_HEADER,
    INDICATOR_HEADER,
    TINY_DICT,
)
from test_cli import KNOWN_BYTES, no_traceback  # noqa: E402
from test_template import write_yaml  # noqa: E402
from test_workbook import table_named, table_rows  # noqa: E402
from workbook_fixtures import (  # noqa: E402
    SAMPLE,
    cli_runner_generate,
    kent_template,
    load_workbook,
    mini_export,
    run_cli,
    zip_text,
)
from workbook_fixtures import write_export as write_typed_export  # noqa: E402

import scorecard_xl.reading.reader as reader  # noqa: E402
import scorecard_xl.workbook.layout.raw as raw  # noqa: E402
import scorecard_xl.workbook.writer as writer  # noqa: E402
import scorecard_xl.workbook.xlsx.zipwriter as zipwriter  # noqa: E402
from scorecard_xl.engine.calculator import calculate  # noqa: E402
from scorecard_xl.model import (
    SCALE,
    InputError,  # noqa: E402
)
from scorecard_xl.reading.reader import read_export  # noqa: E402

pytestmark = pytest.mark.filterwarnings("ignore:Sparkline Group extension is not supported")

__all__ = ["mini_export"]  # a fixture, imported so pytest finds it

AUG = dt.datetime(2016, 8, 1)
TINY_MONTHS = pd.date_range("2015-06-01", "2016-08-01", freq="MS")  # 15 months
TINY_TEAMS = ["N1", "N2", "S1"]
ROOT = "County"  # the tiny template's root unit
FORMULA_TEXTS = ['=HYPERLINK("http://example.com","x")', "+cmd|' /C calc'!A0", "@SUM(A1:A2)", "-2+3"]


# ----------------------------------------------------------------------------- inputs

def tiny_sheets(months=TINY_MONTHS, teams=TINY_TEAMS, commentary=None) -> dict[str, list[list]]:
    """A valid export for the tiny template (header rows first).

    Per team and month: activity, and indicators P12 (80%: the county is Red), PSS (N and Y
    rows), CNT (4 a team: the county's 12 is Red), FTE (fractional both), CASE (fractional
    denominator). CNT has commentary for Aug 2016; P12 has none.
    """
    activity = [list(ACTIVITY_HEADER)]
    indicators = [list(INDICATOR_HEADER)]
    for k, m in enumerate(months):
        when = m.to_pydatetime()
        for j, team in enumerate(teams):
            activity.append([when, team, 10 + k + j, 3 + j])
            indicators.append([when, "P12", team, "N", 8, 10])
            indicators.append([when, "PSS", team, "N", 1 + j, 20])
            indicators.append([when, "PSS", team, "Y", 1, 5])
            indicators.append([when, "CNT", team, "N", 4, None])
            indicators.append([when, "FTE", team, "N", 8.5, 10.25])
            indicators.append([when, "CASE", team, "N", 120, 7.5])
    if commentary is None:
        commentary = [[AUG, "CNT", "Two workers left."]]
    return {"Activity": activity, "Indicators": indicators, "Commentary": [list(COMMENTARY_HEADER), *commentary]}


def tiny_export(path: Path, mutate=None, blank_rows=None, **kwargs) -> Path:
    """tiny_sheets(**kwargs), edited by mutate(sheets), written with typed XlsxWriter calls."""
    sheets = tiny_sheets(**kwargs)
    if mutate is not None:
        mutate(sheets)
    return write_typed_export(path, sheets, blank_rows)


def rewrite_zip(src: Path, dst: Path, edit=None, extra: dict[str, bytes] | None = None) -> Path:
    """A copy of a workbook with edit(member name, bytes) -> bytes applied and parts added."""
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            data = zin.read(info.filename)
            zout.writestr(info.filename, edit(info.filename, data) if edit else data)
        for name, data in (extra or {}).items():
            zout.writestr(name, data)
    return dst


def damage_compressed_data(data: bytes, member: str) -> bytes:
    """The zip with bytes near the start of one member's compressed data inverted.

    The directory and headers stay intact, so the archive opens; the member's deflate
    stream no longer decompresses.
    """
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        info = z.getinfo(member)
    name_len, extra_len = struct.unpack_from("<HH", data, info.header_offset + 26)
    start = info.header_offset + 30 + name_len + extra_len
    damaged = bytearray(data)
    for i in range(start + 8, start + 16):
        damaged[i] ^= 0xFF
    return bytes(damaged)


@pytest.fixture(scope="module")
def tiny_yaml(tmp_path_factory) -> Path:
    """The tiny template as a YAML file, for --template."""
    return write_yaml(tmp_path_factory.mktemp("template"), TINY_DICT)


@pytest.fixture(scope="module")
def good_tiny(tmp_path_factory) -> Path:
    return tiny_export(tmp_path_factory.mktemp("good") / "tiny_export.xlsx")


# ----------------------------------------------------------------------------- running

def cli(*args, template: Path | None = None):
    """The command line in a new process; never a traceback or an "internal error" line."""
    proc = run_cli(*args, *(["--template", template] if template else []))
    no_traceback(proc)
    return proc


def errors_of(proc) -> list[str]:
    return [line for line in proc.stderr.splitlines() if line.startswith("error:")]


def warnings_of(text: str) -> list[str]:
    return [line for line in text.splitlines() if line.startswith("warning:")]


def line_with(lines: list[str], *fragments: str) -> str:
    """The one line holding every fragment (fails listing the lines otherwise)."""
    found = [line for line in lines if all(f in line for f in fragments)]
    assert len(found) == 1, f"{len(found)} lines hold {fragments}:\n" + "\n".join(lines)
    return found[0]


def assert_located(line: str, sheet: str, row: int, column: str) -> None:
    assert f"sheet {sheet!r}" in line and f"row {row}" in line and f"column {column!r}" in line, line


def earlier_output(tmp_path: Path) -> Path:
    """An earlier file where the workbook would go, alone in its own folder."""
    folder = tmp_path / "out"
    folder.mkdir()
    out = folder / "scorecard.xlsx"
    out.write_bytes(KNOWN_BYTES)
    return out


def assert_left_intact(out: Path) -> None:
    assert out.read_bytes() == KNOWN_BYTES, "the earlier file was changed"
    assert sorted(p.name for p in out.parent.iterdir()) == [out.name], "a temporary or other file was left behind"


def assert_refused(proc, out: Path, *fragments: str) -> None:
    """Exit 1, an error line holding every fragment, and the earlier output untouched."""
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert errors_of(proc), proc.stderr
    for fragment in fragments:
        assert fragment in proc.stderr, f"{fragment!r} not in:\n{proc.stderr}"
    assert_left_intact(out)


def records(wb, sheet: str, name: str | None = None) -> list[dict]:
    ws, table = table_named(wb, sheet, name)
    headers, rows = table_rows(ws, table)
    return [dict(zip(headers, r, strict=False)) for r in rows if any(v is not None for v in r)]


def quality_warnings(wb) -> list[str]:
    return [r["Message"] for r in records(wb, "Data Quality", "Warnings")]


def county_result(wb, indicator: str, month: dt.datetime = AUG) -> dict | None:
    found = [r for r in records(wb, "Results", "Results") if r["Indicator"] == indicator and r["Unit"] == ROOT
             and r["Cohort"] == "All" and r["Month"] == month]
    assert len(found) <= 1
    return found[0] if found else None


# ----------------------------------------------------------------------------- files that are not usable workbooks

def _csv(_: Path) -> bytes:
    return b"Month,Team,Caseloads\n2016-08,N1,12\n"


def _random(_: Path) -> bytes:
    data = random.Random(20160831).randbytes(4096)
    assert not data.startswith((b"PK", b"\xd0\xcf"))
    return data


def _empty(_: Path) -> bytes:
    return b""


def _garbage_zip(_: Path) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("[Content_Types].xml", '<?xml version="1.0"?><Types/>')
        z.writestr("xl/workbook.xml", random.Random(1).randbytes(600))
        z.writestr("xl/worksheets/sheet1.xml", random.Random(2).randbytes(600))
    return buf.getvalue()


def _truncated(good: Path) -> bytes:
    data = (SAMPLE if SAMPLE.exists() else good).read_bytes()
    return data[: len(data) // 2]


def _damaged_deflate(good: Path) -> bytes:
    return damage_compressed_data(good.read_bytes(), "xl/worksheets/sheet2.xml")


def _password(_: Path) -> bytes:
    # What Excel writes for an encrypted .xlsx: an OLE2 compound file holding an EncryptedPackage stream.
    return (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(1200) + "EncryptionInfo".encode("utf-16-le")
            + bytes(64) + "EncryptedPackage".encode("utf-16-le") + bytes(3000))


def _old_xls(_: Path) -> bytes:
    return b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(500) + "Workbook".encode("utf-16-le") + bytes(4000)


# id, contents, file name, fragments the message must hold (what is wrong and what to do)
UNUSABLE_FILES = [
    ("csv-saved-as-xlsx", _csv, "export.xlsx", ["not a spreadsheet", "save it as an Excel Workbook"]),
    ("random-bytes", _random, "export.xlsx", ["not a spreadsheet", ".xlsx"]),
    ("empty", _empty, "export.xlsx", ["empty", "0 bytes", "export"]),
    ("zip-with-garbage", _garbage_zip, "export.xlsx", ["export it again"]),
    ("truncated", _truncated, "export.xlsx", ["damaged or incomplete", "again"]),
    ("damaged-compressed-data", _damaged_deflate, "export.xlsx", ["damaged", "again"]),
    ("password-protected", _password, "export.xlsx", ["password", "remove the password"]),
    ("old-xls", _old_xls, "export.xls", [".xls", "save it as an Excel Workbook (.xlsx)"]),
]


@pytest.mark.slow
@pytest.mark.parametrize("make, name, fragments", [c[1:] for c in UNUSABLE_FILES], ids=[c[0] for c in UNUSABLE_FILES])
def test_unusable_file_is_refused_with_what_to_do(tmp_path, good_tiny, tiny_yaml, make, name, fragments):
    inp = tmp_path / name
    inp.write_bytes(make(good_tiny))
    proc = cli("validate", inp, template=tiny_yaml)
    assert proc.returncode == 1, proc.stdout + proc.stderr
    line = errors_of(proc)[0]
    assert name in line, line
    for fragment in fragments:
        assert fragment in proc.stderr, f"{fragment!r} not in: {proc.stderr}"

    out = earlier_output(tmp_path)
    proc = cli("generate", inp, "-o", out, template=tiny_yaml)
    assert_refused(proc, out, name)


# ----------------------------------------------------------------------------- hostile archives

def _dimension(name: str, data: bytes) -> bytes:
    if name != "xl/worksheets/sheet1.xml":
        return data
    return re.sub(rb'<dimension ref="[^"]*"/>', b'<dimension ref="A1:Z3000000"/>', data)


def _spaces(name: str, data: bytes) -> bytes:
    if name != "xl/worksheets/sheet1.xml":
        return data
    return data.replace(b"<sheetData>", b"<sheetData>" + b" " * 60_000_000, 1)


ENTITIES = b'<!DOCTYPE worksheet [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]>\n'


def _entity_in(member: str, padding: bytes = b""):
    def edit(name: str, data: bytes) -> bytes:
        if name != member:
            return data
        declaration, rest = data.split(b"\n", 1)
        return declaration + b"\n" + padding + ENTITIES + rest

    return edit


HOSTILE = [
    ("declared-huge-sheet", _dimension, "cells"),
    ("60MB-of-spaces", _spaces, "zip bomb"),
    ("entity-in-sheet", _entity_in("xl/worksheets/sheet1.xml"), "document type"),
    ("entity-in-shared-strings", _entity_in("xl/sharedStrings.xml"), "document type"),
    # A document type declaration may follow any amount of white space or comments.
    ("entity-after-5KB-of-space", _entity_in("xl/worksheets/sheet2.xml", b" " * 5000), "document type"),
    ("entity-after-a-long-comment", _entity_in("xl/worksheets/sheet2.xml", b"<!--" + b"x" * 5000 + b"-->\n"),
     "document type"),
]


@pytest.mark.slow
@pytest.mark.parametrize("edit, fragment", [h[1:] for h in HOSTILE], ids=[h[0] for h in HOSTILE])
def test_hostile_archive_is_refused_before_parsing(tmp_path, good_tiny, tiny_yaml, tiny, monkeypatch, edit, fragment):
    inp = rewrite_zip(good_tiny, tmp_path / "export.xlsx", edit)
    assert inp.stat().st_size < 1024**2, "the hostile file itself is small"

    parsed = []
    original = reader._open_workbook
    monkeypatch.setattr(reader, "_open_workbook", lambda path: parsed.append(path) or original(path))
    with pytest.raises(InputError) as info:
        read_export(inp, tiny)
    assert not parsed, "the workbook was handed to the parser"
    assert any(fragment in p.message and "export.xlsx" in p.message for p in info.value.errors), \
        "\n".join(str(p) for p in info.value.problems)

    proc = cli("validate", inp, template=tiny_yaml)
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert fragment in proc.stderr, proc.stderr


# ----------------------------------------------------------------------------- structure

def test_missing_sheet_suggests_closest(tmp_path, tiny_yaml):
    def mutate(sheets):
        sheets["Indicator"] = sheets.pop("Indicators")

    proc = cli("validate", tiny_export(tmp_path / "export.xlsx", mutate), template=tiny_yaml)
    assert proc.returncode == 1, proc.stderr
    line = line_with(errors_of(proc), "missing sheet 'Indicators'")
    assert "closest: 'Indicator'" in line


def test_missing_sheet_does_not_hide_other_sheets_errors(tmp_path, tiny_yaml):
    """validate reports every problem of a file at once: a missing Indicators sheet must not hide
    the errors of the Activity sheet."""
    def mutate(sheets):
        del sheets["Indicators"]
        sheets["Activity"][1][1] = "Nowhere"  # row 2: unknown team

    proc = cli("validate", tiny_export(tmp_path / "export.xlsx", mutate), template=tiny_yaml)
    assert proc.returncode == 1, proc.stderr
    line_with(errors_of(proc), "missing sheet 'Indicators'")
    assert_located(line_with(errors_of(proc), "'Nowhere'"), "Activity", 2, "Team")


@pytest.mark.slow
@pytest.mark.parametrize("sheet, wrong, right", [
    ("Indicators", "Numerater", "Numerator"),
    ("Indicators", "Denominators", "Denominator"),
    ("Activity", "Caseload", "Caseloads"),
    ("Activity", "New Referals", "New Referrals"),
    ("Commentary", "Comentary", "Commentary"),
])
def test_misspelt_column_suggests_closest(tmp_path, tiny_yaml, sheet, wrong, right):
    def mutate(sheets):
        header = sheets[sheet][0]
        header[header.index(right)] = wrong

    proc = cli("validate", tiny_export(tmp_path / "export.xlsx", mutate), template=tiny_yaml)
    assert proc.returncode == 1, proc.stderr
    line = line_with(errors_of(proc), f"missing column {right!r}")
    assert_located(line, sheet, 1, right)
    assert f"closest: {wrong!r}" in line


def test_missing_column_without_a_near_name(tmp_path, tiny_yaml):
    def mutate(sheets):
        for row in sheets["Indicators"]:
            del row[3]  # UASC

    proc = cli("validate", tiny_export(tmp_path / "export.xlsx", mutate), template=tiny_yaml)
    assert proc.returncode == 1, proc.stderr
    assert_located(line_with(errors_of(proc), "missing column 'UASC'"), "Indicators", 1, "UASC")


def test_extra_columns_are_ignored_and_warned(tmp_path, tiny_yaml):
    def mutate(sheets):
        for sheet, name in (("Activity", "Notes"), ("Indicators", "Source System")):
            sheets[sheet][0].append(name)
            for row in sheets[sheet][1:]:
                row.append("ignore me")

    inp = tiny_export(tmp_path / "export.xlsx", mutate)
    proc = cli("validate", inp, template=tiny_yaml)
    assert proc.returncode == 0, proc.stderr
    assert_located(line_with(warnings_of(proc.stderr), "extra column 'Notes'"), "Activity", 1, "Notes")
    assert_located(line_with(warnings_of(proc.stderr), "extra column 'Source System'"), "Indicators", 1,
                   "Source System")

    out = tmp_path / "scorecard.xlsx"
    result = cli_runner_generate(inp, out, "--template", str(tiny_yaml))
    assert result.exit_code == 0, result.output
    assert "extra column 'Notes'" in result.stderr
    wb = load_workbook(out)
    dq = records(wb, "Data Quality", "Warnings")
    assert any(r["Column"] == "Notes" and r["Sheet"] == "Activity" and r["Row"] == 1 for r in dq), dq
    assert any(r["Column"] == "Source System" and r["Sheet"] == "Indicators" for r in dq), dq
    headers, _ = table_rows(*table_named(wb, "Indicator Data"))
    assert "Source System" not in headers and "Notes" not in table_rows(*table_named(wb, "Activity Data"))[0]


def test_duplicate_column_header_is_reported(tmp_path, tiny):
    """Two columns both headed Numerator: which one counts is not for the reader to guess silently."""
    def mutate(sheets):
        sheets["Indicators"][0].append("Numerator")
        for row in sheets["Indicators"][1:]:
            row.append(0)

    inp = tiny_export(tmp_path / "export.xlsx", mutate)
    try:
        problems = read_export(inp, tiny).warnings
    except InputError as exc:
        problems = exc.problems
    assert any(p.sheet == "Indicators" and p.row == 1 and p.column == "Numerator" for p in problems), \
        "a second 'Numerator' column was used or ignored without a word: " + "; ".join(map(str, problems))


# ----------------------------------------------------------------------------- values

def test_bad_values_are_all_reported_at_once(tmp_path, tiny_yaml):
    """validate lists every problem, each with its sheet, Excel row, column and what was expected."""
    def mutate(sheets):
        act, ind, com = sheets["Activity"], sheets["Indicators"], sheets["Commentary"]
        act[1][2] = "twelve"        # Activity row 2, Caseloads: text
        act[2][3] = -4              # row 3, New Referrals: negative
        act[3][2] = 2.5             # row 4, Caseloads: fractional
        act[4][0] = "Agu 2016"      # row 5: unreadable month
        ind[1][4] = 11              # Indicators row 2 (P12 8/10 -> 11/10): numerator > denominator
        ind[2][4] = "n/a"           # row 3 (PSS), Numerator: text
        ind[3][5] = -5              # row 4 (PSS Y), Denominator: negative
        ind[4][4] = 1.5             # row 5 (CNT), Numerator: fractional count
        ind[5][4] = 8.25            # row 6 (FTE): fractional allowed, fine
        ind[6][4] = 120.5           # row 7 (CASE), Numerator: only the denominator may be fractional
        ind[7][3] = "Yes"           # row 8, UASC
        ind[8][0] = "2016-13"       # row 9: unreadable month
        com[1][1] = "CTN"           # Commentary row 2: unknown indicator

    proc = cli("validate", tiny_export(tmp_path / "export.xlsx", mutate), template=tiny_yaml)
    assert proc.returncode == 1, proc.stderr
    errors = errors_of(proc)
    expected = [
        ("Activity", 2, "Caseloads", "'twelve' is not a number"),
        ("Activity", 3, "New Referrals", "negative"),
        ("Activity", 4, "Caseloads", "not a whole number"),
        ("Activity", 5, "Month", "'Agu 2016'"),
        ("Indicators", 2, "Numerator", "greater than denominator"),
        ("Indicators", 3, "Numerator", "'n/a' is not a number"),
        ("Indicators", 4, "Denominator", "negative"),
        ("Indicators", 5, "Numerator", "not a whole number"),
        ("Indicators", 7, "Numerator", "not a whole number"),
        ("Indicators", 8, "UASC", "'Yes' is not Y or N"),
        ("Indicators", 9, "Month", "'2016-13'"),
        ("Commentary", 2, "Indicator", "unknown indicator 'CTN'"),
    ]
    for sheet, row, column, fragment in expected:
        assert_located(line_with(errors, f"sheet {sheet!r}, row {row},"), sheet, row, column)
        assert fragment in line_with(errors, f"sheet {sheet!r}, row {row},")
    assert len(errors) == len(expected), "\n".join(errors)
    assert f"{len(expected)} error(s)" in proc.stderr
    month_line = line_with(errors, "'Agu 2016'")
    assert "expected" in month_line and "2016-08" in month_line


def test_kent_fractions_only_for_fte_indicators(tmp_path, kent):
    """Fractional numerators only for Kent indicators 41 and 42; fractional denominators only for 41 to 45."""
    measures = [m.column for m in kent.activity_measures]
    activity = [["Month", "Team", *measures], [AUG, "Dartford CSWT", *([1] * len(measures))]]
    ids = [i.id for i in kent.indicators]
    counts = {i.id for i in kent.indicators if i.unit == "count"}
    assert len(ids) == 45

    def check(rows, column, allowed):
        path = write_typed_export(tmp_path / f"{column}.xlsx", {"Activity": activity,
                                                                 "Indicators": [list(INDICATOR_HEADER), *rows]})
        try:
            read_export(path, kent)
            errors = []
        except InputError as exc:
            errors = exc.errors
        wrong = {(r, p.column) for p in errors for r in p.rows or (p.row,)}  # one line names every row
        expected = {(r, column) for r, row in enumerate(rows, start=2) if row[1] not in allowed}
        assert wrong == expected, "\n".join(map(str, errors))
        for p in errors:
            assert "whole number" in p.message and p.sheet == "Indicators", p

    check([[AUG, i, "Dartford CSWT", "N", 1.5, None if i in counts else 10] for i in ids], "Numerator",
          {"41", "42"})
    check([[AUG, i, "Dartford CSWT", "N", 1, 10.5] for i in ids if i not in counts], "Denominator",
          {"41", "42", "43", "44", "45"})


@pytest.mark.parametrize("value", ["2,5", "1,2,3", "12,50"])
def test_misplaced_thousands_separator_is_not_a_number(tmp_path, tiny, value):
    """'2,5' is 2.5 in much of Europe and 25 nowhere: it must not be read silently as 25."""
    def mutate(sheets):
        sheets["Indicators"][2][4] = value  # row 3: PSS numerator, denominator 20 (1,2,3 is over it anyway)
        sheets["Indicators"][2][5] = 2000

    inp = tiny_export(tmp_path / "export.xlsx", mutate)
    with pytest.raises(InputError) as info:
        export = read_export(inp, tiny)
        pytest.fail(f"{value!r} was read as {export.indicators['Numerator'].iloc[1] / SCALE:g}")
    p = info.value.errors[0]
    assert (p.sheet, p.row, p.column) == ("Indicators", 3, "Numerator") and value in p.message


def test_thousands_separator_is_read(tmp_path, tiny):
    def mutate(sheets):
        sheets["Activity"][1][2] = "1,204"

    export = read_export(tiny_export(tmp_path / "export.xlsx", mutate), tiny)
    assert export.activity["Caseloads"].iloc[0] == 1204


@pytest.mark.slow
@pytest.mark.parametrize("value", [1e15, 123456789012345678, 1e300])
def test_absurdly_large_count_is_a_located_error(tmp_path, tiny_yaml, value):
    """A case number pasted into a count column: an error naming the cell, not a crash."""
    def mutate(sheets):
        sheets["Indicators"][4][4] = value  # row 5: CNT numerator

    out = tmp_path / "scorecard.xlsx"
    proc = cli("generate", tiny_export(tmp_path / "export.xlsx", mutate), "-o", out, template=tiny_yaml)
    assert proc.returncode == 1, proc.stderr[-2000:]
    assert_located(line_with(errors_of(proc), "sheet 'Indicators', row 5"), "Indicators", 5, "Numerator")
    assert not out.exists()


def test_large_counts_are_summed_exactly_or_refused(tmp_path, tiny):
    """Each row is below 2**63 / SCALE but their sum is not: the county's figure must be exact
    (4.5e15), or the rows refused; never wrapped around to a wrong number."""
    value = 900_000_000_000_000
    rows = [list(INDICATOR_HEADER)] + [[AUG, "CNT", t, "N", value, None] for t in ["N1", "N2", "N3", "S1", "S2"]]
    inp = write_typed_export(tmp_path / "export.xlsx", {"Activity": tiny_sheets()["Activity"], "Indicators": rows})
    try:
        export = read_export(inp, tiny)
    except InputError as exc:
        assert all(p.sheet == "Indicators" and p.row and p.column for p in exc.errors), exc.problems
        return
    results = calculate(export, tiny, "2016-08").results
    got = {r.Unit: r.Numerator for r in results[(results["Indicator"] == "CNT") & (results["Cohort"] == "All")
                                                 & (results["Month"] == pd.Timestamp(AUG))].itertuples()}
    assert got == {"County": 5 * value, "North": 3 * value, "South": 2 * value,
                   **{t: value for t in ["N1", "N2", "N3", "S1", "S2"]}}


def test_excel_error_value_is_named(tmp_path, tiny):
    """A cell holding #DIV/0! (a broken formula in the export) is not 'empty'."""
    import xlsxwriter

    path = tmp_path / "export.xlsx"
    workbook = xlsxwriter.Workbook(str(path))
    ws = workbook.add_worksheet("Activity")
    ws.write_row(0, 0, ACTIVITY_HEADER)
    ws.write_row(1, 0, ["2016-08", "N1", 1, 1])
    ws = workbook.add_worksheet("Indicators")
    ws.write_row(0, 0, INDICATOR_HEADER)
    ws.write_row(1, 0, ["2016-08", "PSS", "N1", "N"])
    ws.write_formula(1, 4, "=1/0", None, "#DIV/0!")
    ws.write_number(1, 5, 10)
    workbook.close()
    with pytest.raises(InputError) as info:
        read_export(path, tiny)
    p = info.value.errors[0]
    assert (p.sheet, p.row, p.column) == ("Indicators", 2, "Numerator")
    assert "#DIV/0!" in p.message, p.message


def test_blank_rows_are_skipped(tmp_path, tiny_yaml):
    inp = tiny_export(tmp_path / "export.xlsx", blank_rows={"Indicators": {3, 10, 11}, "Activity": {5}})
    proc = cli("validate", inp, template=tiny_yaml)
    assert proc.returncode == 0, proc.stderr
    assert not errors_of(proc)
    sheets = tiny_sheets()
    assert f"Activity {len(sheets['Activity']) - 1:,} rows" in proc.stdout
    assert f"Indicators {len(sheets['Indicators']) - 1:,} rows" in proc.stdout


# ----------------------------------------------------------------------------- duplicates and double counting

def test_duplicate_indicator_rows_list_both_rows(tmp_path, tiny_yaml):
    def mutate(sheets):
        ind = sheets["Indicators"]
        copy = list(ind[2])          # row 3: PSS, N1, N, first month
        copy[0] = "Jun 2015"         # the same month written differently
        copy[4] = 2
        ind.append(copy)

    inp = tiny_export(tmp_path / "export.xlsx", mutate)
    last = len(tiny_sheets()["Indicators"]) + 1
    proc = cli("validate", inp, template=tiny_yaml)
    assert proc.returncode == 1, proc.stderr
    line = line_with(errors_of(proc), "duplicate")
    assert f"rows 3, {last}" in line and "sheet 'Indicators'" in line, line
    assert re.search(rf"row ({last}|3)\b", line), line


def test_rows_for_the_other_uasc_status_are_not_duplicates(tmp_path, tiny_yaml):
    proc = cli("validate", tiny_export(tmp_path / "export.xlsx"), template=tiny_yaml)  # PSS has N and Y rows
    assert proc.returncode == 0, proc.stderr


def test_duplicate_activity_rows_list_both_rows(tmp_path, tiny_yaml):
    def mutate(sheets):
        sheets["Activity"].append(list(sheets["Activity"][1]))

    last = len(tiny_sheets()["Activity"]) + 1
    proc = cli("validate", tiny_export(tmp_path / "export.xlsx", mutate), template=tiny_yaml)
    assert proc.returncode == 1, proc.stderr
    line = line_with(errors_of(proc), "duplicate")
    assert f"rows 2, {last}" in line and "sheet 'Activity'" in line, line


def test_indicator_rows_for_a_team_and_its_area_are_double_counting(tmp_path, tiny_yaml):
    def mutate(sheets):
        sheets["Indicators"].append([AUG, "PSS", "North", "Y", 1, 40])

    last = len(tiny_sheets()["Indicators"]) + 1
    proc = cli("validate", tiny_export(tmp_path / "export.xlsx", mutate), template=tiny_yaml)
    assert proc.returncode == 1, proc.stderr
    lines = [line for line in errors_of(proc) if "counted twice" in line]
    assert {re.search(r"'(N\d)' \(row \d+\)", line)[1] for line in lines} == {"N1", "N2"}, lines
    for line in lines:
        assert "'North'" in line and f"(row {last})" in line and "sheet 'Indicators'" in line, line
        assert "Aug 2016" in line and "PSS" in line, line


def test_activity_rows_for_a_team_and_the_county_are_double_counting(tmp_path, tiny_yaml):
    def mutate(sheets):
        sheets["Activity"].append([AUG, ROOT, 100, 10])

    last = len(tiny_sheets()["Activity"]) + 1
    proc = cli("validate", tiny_export(tmp_path / "export.xlsx", mutate), template=tiny_yaml)
    assert proc.returncode == 1, proc.stderr
    lines = [line for line in errors_of(proc) if "counted twice" in line]
    assert len(lines) == len(TINY_TEAMS), lines
    for line in lines:
        assert f"'{ROOT}' (row {last})" in line and "sheet 'Activity'" in line and "Aug 2016" in line, line


# ----------------------------------------------------------------------------- names and months

def test_unknown_team_and_indicator_show_closest_names(tmp_path, tiny_yaml):
    def mutate(sheets):
        sheets["Activity"][2][1] = "N22"        # row 3 ('N 2' would be N2: spaces are ignored)
        sheets["Indicators"][3][2] = "Sooth"    # row 4
        sheets["Indicators"][5][1] = "FTEE"     # row 6

    proc = cli("validate", tiny_export(tmp_path / "export.xlsx", mutate), template=tiny_yaml)
    assert proc.returncode == 1, proc.stderr
    errors = errors_of(proc)
    line = line_with(errors, "unknown team 'N22'")
    assert_located(line, "Activity", 3, "Team")
    assert "closest: 'N2'" in line
    line = line_with(errors, "unknown team 'Sooth'")
    assert_located(line, "Indicators", 4, "Team")
    assert "'South'" in line
    line = line_with(errors, "unknown indicator 'FTEE'")
    assert_located(line, "Indicators", 6, "Indicator")
    assert "'FTE'" in line


@pytest.mark.slow
@pytest.mark.parametrize("written", ["Agu 2016", "2016-13", "13/2016", "sometime", 2016, "Q3 2016"])
def test_unreadable_month_is_located(tmp_path, tiny_yaml, written):
    def mutate(sheets):
        sheets["Indicators"][7][0] = written  # row 8

    proc = cli("validate", tiny_export(tmp_path / "export.xlsx", mutate), template=tiny_yaml)
    assert proc.returncode == 1, proc.stderr
    line = line_with(errors_of(proc), "row 8,")
    assert_located(line, "Indicators", 8, "Month")
    assert repr(written) in line and "expected" in line


def test_gap_in_a_monthly_series_is_a_warning(tmp_path, tiny_yaml):
    """Dec 2015 has no P12 rows and Jan 2016 no Activity rows: warnings, printed and listed; the
    figures whose period includes the gap are left empty, saying why."""
    def mutate(sheets):
        sheets["Indicators"][1:] = [r for r in sheets["Indicators"][1:]
                                    if not (r[1] == "P12" and r[0] == dt.datetime(2015, 12, 1))]
        sheets["Activity"][1:] = [r for r in sheets["Activity"][1:] if r[0] != dt.datetime(2016, 1, 1)]

    inp = tiny_export(tmp_path / "export.xlsx", mutate)
    out = tmp_path / "scorecard.xlsx"
    proc = cli("generate", inp, "-o", out, "--produced", "2016-09-15", template=tiny_yaml)
    assert proc.returncode == 0, proc.stderr
    warned = warnings_of(proc.stderr)
    assert "Dec 2015" in line_with(warned, "indicator P12 has no rows")
    assert "Jan 2016" in line_with(warned, "Activity sheet has no rows")
    why = line_with(warned, "indicator P12, County, All: result for Aug 2016 left empty")
    assert "Dec 2015" in why

    wb = load_workbook(out)
    dq = quality_warnings(wb)
    assert any("indicator P12 has no rows" in m and "Dec 2015" in m for m in dq), dq
    assert any("Activity sheet has no rows" in m for m in dq), dq
    result = county_result(wb, "P12")
    assert result is None or result["Result"] is None, result


def test_month_not_in_export(tmp_path, good_tiny, tiny_yaml):
    out = earlier_output(tmp_path)
    proc = cli("generate", good_tiny, "-o", out, "--month", "2014-01", template=tiny_yaml)
    assert_refused(proc, out, "2014-01", "2015-06", "2016-08")


@pytest.mark.slow
def test_too_little_history_leaves_figures_empty_with_the_reason(tmp_path, tiny_yaml):
    """13 months: the R12M result and 1 month ago can be computed; 1 year ago cannot."""
    inp = tiny_export(tmp_path / "export.xlsx", months=TINY_MONTHS[-13:])
    out = tmp_path / "scorecard.xlsx"
    proc = cli("generate", inp, "-o", out, "--produced", "2016-09-15", template=tiny_yaml)
    assert proc.returncode == 0, proc.stderr
    line = line_with(warnings_of(proc.stderr), "indicator P12, County, All: result 1 year ago for Aug 2015")
    assert "left empty: no data for 11 of the months Sep 2014 to Aug 2015" in line, line
    assert not any("indicator P12, County, All: result for Aug 2016" in w for w in warnings_of(proc.stderr))
    wb = load_workbook(out)
    result = county_result(wb, "P12")
    assert result is not None and result["Result"] == pytest.approx(0.8)
    assert result["Result 1 Year Ago"] is None
    assert result["Result 1 Month Ago"] == pytest.approx(0.8)
    assert any("P12, County, All: result 1 year ago" in m for m in quality_warnings(wb))


# ----------------------------------------------------------------------------- zero denominators

def test_zero_denominators_leave_figures_empty_and_no_div0(tmp_path, tiny_yaml):
    def mutate(sheets):
        for row in sheets["Indicators"][1:]:
            if row[1] in ("P12", "PSS", "FTE"):
                row[4], row[5] = 0, 0
            elif row[1] == "CASE":
                row[5] = 0  # an average: 120 cases over 0 FTE

    inp = tiny_export(tmp_path / "export.xlsx", mutate)
    out = tmp_path / "scorecard.xlsx"
    proc = cli("generate", inp, "-o", out, "--produced", "2016-09-15", template=tiny_yaml)
    assert proc.returncode == 0, proc.stderr
    for ind in ("P12", "PSS", "FTE", "CASE"):
        line = line_with(warnings_of(proc.stderr), f"indicator {ind}, County, All: result for Aug 2016")
        assert "the denominator is zero" in line
    wb = load_workbook(out)
    for ind in ("PSS", "FTE", "CASE", "P12"):
        result = county_result(wb, ind)
        assert result is None or result["Result"] is None, result
    assert any("the denominator is zero" in m for m in quality_warnings(wb))
    with zipfile.ZipFile(out) as z:
        for member in z.namelist():
            if member.endswith(".xml"):
                text = z.read(member).decode("utf-8")
                assert "#DIV/0!" not in text and "#NUM!" not in text and "#VALUE!" not in text, member
                assert 't="e"' not in text, f"{member} holds an error cell"
                assert not re.search(r"<f[ >]", text), f"{member} holds a formula"
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for c in row:
                assert c.data_type != "e" and c.value not in ("#DIV/0!", "#NUM!", "nan", "inf"), \
                    f"{ws.title}!{c.coordinate} = {c.value!r}"


# ----------------------------------------------------------------------------- text that looks like formulas

def test_text_that_looks_like_formulas_stays_text(tmp_path, tiny_yaml):
    def mutate(sheets):
        sheets["Indicators"][0].append("=1+2")  # an extra column: its header is quoted in Data Quality
        for row in sheets["Indicators"][1:]:
            row.append("=SUM(A1:A9)")

    inp = tiny_export(tmp_path / "export.xlsx", mutate, commentary=[[AUG, "CNT", "\n".join(FORMULA_TEXTS)],
                                                                     [AUG, "P12", "-2+3"]])
    out = tmp_path / "scorecard.xlsx"
    result = cli_runner_generate(inp, out, "--template", str(tiny_yaml))
    assert result.exit_code == 0, result.output
    wb = load_workbook(out)
    cells = {}
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for c in row:
                if isinstance(c.value, str) and c.value in (*FORMULA_TEXTS, "=1+2"):
                    cells.setdefault(c.value, []).append((ws.title, c.data_type))
    for text in FORMULA_TEXTS:
        assert ("Exceptions", "s") in cells.get(text, []), f"{text!r} is not a text cell on Exceptions: {cells}"
    assert ("Data Quality", "s") in cells.get("=1+2", []), cells
    assert all(kind == "s" for found in cells.values() for _, kind in found), cells
    with zipfile.ZipFile(out) as z:
        for member in z.namelist():
            if member.startswith("xl/worksheets/") and member.endswith(".xml"):
                text = zip_text(out, member)
                assert not re.search(r"<f[ >]", text), f"{member} holds a formula"
                assert "HYPERLINK" not in text and "cmd|" not in text, f"{member}: commentary written as a formula"


# ----------------------------------------------------------------------------- long commentary

def long_commentary_export(tmp_path: Path, text: str) -> Path:
    """The tiny export with `text` as CNT's Aug 2016 commentary, longer than a cell may hold.

    XlsxWriter (like Excel) stops at 32,767 characters, so a placeholder is written and the
    shared string replaced in the file: exports from other systems can hold longer text.
    """
    placeholder = "@@LONG-COMMENTARY@@"
    short = tiny_export(tmp_path / "short.xlsx", commentary=[[AUG, "CNT", placeholder]])

    def edit(name: str, data: bytes) -> bytes:
        if name == "xl/sharedStrings.xml":
            assert placeholder.encode() in data
            return data.replace(placeholder.encode(), escape(text).encode("utf-8"))
        return data

    return rewrite_zip(short, tmp_path / "export.xlsx", edit)


def test_long_commentary_is_written_whole_across_cells(tmp_path, tiny_yaml, tiny):
    text = " ".join(f"{i:06d}<&>\u00e9" for i in range(7000))  # 76,999 characters, one paragraph
    inp = long_commentary_export(tmp_path, text)
    assert read_export(inp, tiny).commentary["Commentary"].iloc[0] == text

    out = tmp_path / "scorecard.xlsx"
    result = cli_runner_generate(inp, out, "--template", str(tiny_yaml))
    assert result.exit_code == 0, result.output
    wb = load_workbook(out)
    ws = wb["Exceptions"]
    parts = [c.value for row in ws.iter_rows() for c in row if isinstance(c.value, str) and len(c.value) > 1000]
    assert len(parts) == 3, [len(p) for p in parts]
    assert all(len(p) <= 32_767 for p in parts)
    assert "".join(parts) == text
    assert any("CNT" in m and "32,767" in m for m in quality_warnings(wb)), quality_warnings(wb)


def test_long_commentary_paragraphs_keep_their_order(tmp_path, tiny_yaml):
    paragraphs = ["First paragraph.", "x" * 40_000, "Last paragraph."]
    inp = long_commentary_export(tmp_path, "\n".join(paragraphs))
    out = tmp_path / "scorecard.xlsx"
    assert cli_runner_generate(inp, out, "--template", str(tiny_yaml)).exit_code == 0
    ws = load_workbook(out)["Exceptions"]
    values = [c.value for row in ws.iter_rows() for c in row if isinstance(c.value, str)]
    start = values.index("First paragraph.")
    assert values[start:start + 4] == ["First paragraph.", "x" * 32_767, "x" * (40_000 - 32_767),
                                       "Last paragraph."]


def test_layout_warnings_are_printed_as_well_as_listed(tmp_path, tiny_yaml):
    """Every warning is printed and listed in Data Quality, including those found while laying out
    the workbook: a Red indicator with no commentary (P12), commentary split across cells (CNT)."""
    inp = long_commentary_export(tmp_path, "y" * 40_000)
    out = tmp_path / "scorecard.xlsx"
    proc = cli("generate", inp, "-o", out, "--produced", "2016-09-15", template=tiny_yaml)
    assert proc.returncode == 0, proc.stderr
    listed = quality_warnings(load_workbook(out))
    assert any("P12 is Red but no commentary" in m for m in listed), listed
    assert any("CNT" in m and "32,767" in m for m in listed), listed
    printed = warnings_of(proc.stderr)
    assert any("P12 is Red but no commentary" in w for w in printed), "the missing commentary is not printed"
    assert any("CNT" in w and "32,767" in w for w in printed), "the split commentary is not printed"


def test_very_long_extra_column_header_does_not_crash(tmp_path, tiny_yaml):
    def mutate(sheets):
        sheets["Activity"][0].append("H" * 40_000)  # XlsxWriter keeps 32,767 of them

    out = tmp_path / "scorecard.xlsx"
    proc = run_cli("generate", tiny_export(tmp_path / "export.xlsx", mutate), "-o", out, "--template", tiny_yaml)
    short = "\n".join(line[:300] for line in proc.stderr.splitlines()[-3:])  # not 32,767 H's
    assert "internal error" not in proc.stderr and "Traceback" not in proc.stderr, short
    assert proc.returncode == 0, short
    assert out.exists()


# ----------------------------------------------------------------------------- raw sheets past Excel's row limit

@pytest.mark.parametrize("n, max_rows, sheets", [(0, 10, 1), (6, 10, 1), (7, 10, 2), (13, 10, 3), (20, 10, 4),
                                                 (1000, 50, 22)])
def test_table_sheets_continue_never_truncate(n, max_rows, sheets):
    frame = pd.DataFrame({"Source Row": range(2, n + 2), "Text": [f"row {i}" for i in range(n)]})
    out = raw.table_sheets("Indicator Data", "Indicator Data: every row", frame, max_rows=max_rows)
    assert [s.name for s in out] == ["Indicator Data"] + [f"Indicator Data ({k})" for k in range(2, sheets + 1)]
    names = [t.name for s in out for t in s.tables]
    assert len(names) == len(set(names)) == sheets
    assert all(re.fullmatch(r"[A-Za-z_][A-Za-z0-9_.]*", name) for name in names), names
    for sheet in out:
        (table,) = sheet.tables
        assert table.first_row + len(table.frame) <= max_rows - 1, "a row past the sheet's last row"
        assert all(cell.row < max_rows for cell in sheet.cells)
    together = pd.concat([s.tables[0].frame for s in out], ignore_index=True)
    pd.testing.assert_frame_equal(together, frame.reset_index(drop=True), check_dtype=False)


@pytest.mark.slow
@pytest.mark.parametrize("streamed", [False, True], ids=["cells", "streamed"])
def test_raw_sheets_continue_on_numbered_sheets_end_to_end(tmp_path, tiny_yaml, monkeypatch, streamed):
    """With Excel's row limit made small, every raw sheet continues on numbered sheets; both when
    the writer writes the tables cell by cell and when it streams them (as it does for big ones)."""
    max_rows = 40
    monkeypatch.setattr(raw, "EXCEL_MAX_ROWS", max_rows)
    if streamed:
        monkeypatch.setattr(writer, "STREAM_MIN_ROWS", 10)
    inp = tiny_export(tmp_path / "export.xlsx", blank_rows={"Indicators": {7}})
    sheets = tiny_sheets()
    n_activity, n_indicators = len(sheets["Activity"]) - 1, len(sheets["Indicators"]) - 1
    out = tmp_path / "scorecard.xlsx"
    result = cli_runner_generate(inp, out, "--template", str(tiny_yaml))
    assert result.exit_code == 0, result.output
    wb = load_workbook(out)
    capacity = max_rows - raw.TABLE_ROW - 1
    for base, n, expected_rows in (("Activity Data", n_activity, list(range(2, n_activity + 2))),
                                   ("Indicator Data", n_indicators,
                                    [r for r in range(2, n_indicators + 3) if r != 7])):
        parts = -(-n // capacity)
        assert parts > 1
        names = [base] + [f"{base} ({k})" for k in range(2, parts + 1)]
        assert [s for s in wb.sheetnames if s.split(" (")[0] == base] == names
        rows = []
        for name in names:
            assert wb[name].max_row <= max_rows, name
            rows += [r["Source Row"] for r in records(wb, name)]
        assert sorted(rows) == expected_rows, f"{base}: rows missing or repeated"
        assert len(rows) == len(set(rows))
    quality = {r["Sheet"]: r for r in records(wb, "Data Quality", "DataQuality")}
    assert quality["Activity"]["Rows Read"] == quality["Activity"]["Rows Written"] == n_activity
    assert quality["Indicators"]["Rows Read"] == quality["Indicators"]["Rows Written"] == n_indicators


# ----------------------------------------------------------------------------- writing

def test_failure_while_writing_keeps_earlier_file(tmp_path, good_tiny, tiny_yaml, monkeypatch):
    original = writer._write_sheet

    def failing(workbook, sheet, *args, **kwargs):
        if sheet.name == "Data Quality":  # the last sheet: much of the temporary file is written
            raise RuntimeError("injected failure")
        return original(workbook, sheet, *args, **kwargs)

    monkeypatch.setattr(writer, "_write_sheet", failing)
    out = earlier_output(tmp_path)
    result = cli_runner_generate(good_tiny, out, "--template", str(tiny_yaml))
    assert result.exit_code != 0
    assert isinstance(result.exception, RuntimeError) and "injected" in str(result.exception)
    assert_left_intact(out)


@pytest.mark.parametrize("failure, fragment", [("disk full", "No space left on device"),
                                               ("past 4 GiB", "would pass 4 GiB")])
def test_failure_while_zipping_is_an_error_not_a_crash(tmp_path, good_tiny, tiny_yaml, monkeypatch, failure,
                                                       fragment):
    """A write that fails inside XlsxWriter's close is reported as the OSError it is (XlsxWriter
    wraps it in FileCreateError), with exit 1 and the earlier file untouched."""
    if failure == "disk full":
        def full(self, filename, arcname):
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

        monkeypatch.setattr(zipwriter.ZipPackage, "write", full)
    else:
        monkeypatch.setattr(zipwriter, "ZIP_LIMIT", 20_000)
    out = earlier_output(tmp_path)
    result = cli_runner_generate(good_tiny, out, "--template", str(tiny_yaml))
    assert result.exit_code == 1, result.output
    assert fragment in result.output and "Nothing was written" in result.output, result.output
    assert_left_intact(out)


def test_failure_while_writing_keeps_earlier_companion(tmp_path, good_tiny, tiny_yaml, monkeypatch):
    """With --raw-data separate, a run that fails must leave both earlier files as they were."""
    original = writer._write_sheet

    def failing(workbook, sheet, *args, **kwargs):
        if sheet.name == "Contents":  # in the main workbook only
            raise RuntimeError("injected failure")
        return original(workbook, sheet, *args, **kwargs)

    monkeypatch.setattr(writer, "_write_sheet", failing)
    out = earlier_output(tmp_path)
    companion = out.with_name("scorecard-data.xlsx")
    companion.write_bytes(KNOWN_BYTES)
    result = cli_runner_generate(good_tiny, out, "--template", str(tiny_yaml), "--raw-data", "separate")
    assert result.exit_code != 0
    assert out.read_bytes() == KNOWN_BYTES
    assert companion.read_bytes() == KNOWN_BYTES, "the earlier companion was replaced by a failed run"
    assert sorted(p.name for p in out.parent.iterdir()) == sorted([out.name, companion.name])


def test_bad_input_keeps_earlier_file(tmp_path, tiny_yaml):
    def mutate(sheets):
        sheets["Indicators"][3][2] = "Atlantis"

    out = earlier_output(tmp_path)
    proc = cli("generate", tiny_export(tmp_path / "export.xlsx", mutate), "-o", out, template=tiny_yaml)
    assert_refused(proc, out, "Atlantis", "nothing was written")


@pytest.mark.slow
@pytest.mark.parametrize("where", ["parent-is-a-file", "proc", "name-too-long"])
def test_output_that_cannot_be_written(tmp_path, good_tiny, tiny_yaml, where):
    if where == "parent-is-a-file":
        (tmp_path / "afile").write_text("x")
        out = tmp_path / "afile" / "scorecard.xlsx"
    elif where == "proc":
        out = Path("/proc/scorecard.xlsx")
        if not Path("/proc/self").exists():
            pytest.skip("no /proc")
    else:
        out = tmp_path / ("x" * 300 + ".xlsx")
    before = sorted(p.name for p in tmp_path.iterdir())
    proc = cli("generate", good_tiny, "-o", out, template=tiny_yaml)
    assert proc.returncode == 1, proc.stdout + proc.stderr[-1000:]
    line = errors_of(proc)[-1]
    assert str(out.parent) in line, line
    assert sorted(p.name for p in tmp_path.iterdir()) == before


def test_output_over_the_input_is_refused(tmp_path, tiny_yaml):
    """`generate X -o X` would replace the export with the scorecard: the input must survive."""
    inp = tiny_export(tmp_path / "export.xlsx")
    before = inp.read_bytes()
    proc = cli("generate", inp, "-o", inp, template=tiny_yaml)
    assert inp.read_bytes() == before, "the export was overwritten by the scorecard"
    assert proc.returncode in (1, 2), proc.stdout + proc.stderr


@pytest.mark.slow
@pytest.mark.parametrize("args", [
    ["generate"],
    ["generate", "{inp}", "--no-such-option"],
    ["generate", "{inp}", "--raw-data", "sometimes"],
    ["generate", "{inp}", "--month", "2016-8"],
    ["generate", "{inp}", "--month", "Aug 2016"],
    ["generate", "{dir}"],
    ["validate", "{dir}/missing.xlsx"],
    ["frobnicate", "{inp}"],
], ids=["no-input", "unknown-option", "bad-raw-data", "short-month", "worded-month", "input-is-a-folder",
        "missing-input", "unknown-command"])
def test_wrong_command_line_exits_2(tmp_path, good_tiny, args):
    args = [a.format(inp=good_tiny, dir=tmp_path) for a in args]
    proc = cli(*args)
    assert proc.returncode == 2, proc.stdout + proc.stderr
    assert proc.stderr.strip()
    assert sorted(tmp_path.iterdir()) == []


# ----------------------------------------------------------------------------- nothing lost

def input_rows(path: Path, sheet: str) -> list[int]:
    """Excel row numbers of the non-blank body rows of an export's sheet (read with openpyxl)."""
    book = load_workbook(path, read_only=True)
    try:
        return [r for r, values in enumerate(book[sheet].iter_rows(min_row=2, values_only=True), start=2)
                if any(v is not None and str(v).strip() for v in values)]
    finally:
        book.close()


def check_nothing_lost(inp: Path, out: Path, template, ss_indicator: str, month: dt.datetime) -> None:
    root = template.organisation_tree.name
    wb = load_workbook(out)
    activity, indicators = records(wb, "Activity Data"), records(wb, "Indicator Data")
    assert sorted(r["Source Row"] for r in activity) == input_rows(inp, "Activity")
    assert sorted(r["Source Row"] for r in indicators) == input_rows(inp, "Indicators")

    quality = {r["Sheet"]: r for r in records(wb, "Data Quality", "DataQuality")}
    for sheet, rows in (("Activity", activity), ("Indicators", indicators)):
        assert quality[sheet]["Rows Read"] == quality[sheet]["Rows Written"] == len(rows), quality[sheet]

    # The county's activity this month is the sum of the month's Activity Data rows.
    ws = wb[template.activity_sheet]
    header_row = next(r for r in range(1, 10) if ws.cell(r, 1).value == "Unit")
    headers = {c.value: c.column for c in ws[header_row] if c.value}
    county_row = next(r for r in range(header_row + 1, ws.max_row + 1) if ws.cell(r, 1).value == root)
    for measure in template.activity_measures:
        heading = f"{measure.label} - This month" if measure.kind == "snapshot" else measure.label
        total = sum(r[measure.column] for r in activity if r["Month"] == month)
        assert ws.cell(county_row, headers[heading]).value == total, measure.column

    # An SS indicator's county numerator is the sum of that month's Indicator Data numerators.
    result = [r for r in records(wb, "Results", "Results") if r["Indicator"] == ss_indicator and r["Unit"] == root
              and r["Cohort"] == "All" and r["Month"] == month]
    assert len(result) == 1
    rows = [r for r in indicators if r["Indicator"] == ss_indicator and r["Month"] == month]
    assert len(rows) > 1
    assert result[0]["Numerator"] == pytest.approx(sum(r["Numerator"] for r in rows), abs=1e-9)
    assert result[0]["Denominator"] == pytest.approx(sum(r["Denominator"] for r in rows), abs=1e-9)


def test_nothing_lost_tiny(tmp_path, tiny_yaml, tiny):
    inp = tiny_export(tmp_path / "export.xlsx", blank_rows={"Activity": {4}, "Indicators": {2, 30, 31}})
    out = tmp_path / "scorecard.xlsx"
    result = cli_runner_generate(inp, out, "--template", str(tiny_yaml))
    assert result.exit_code == 0, result.output
    check_nothing_lost(inp, out, tiny, "PSS", AUG)
    check_nothing_lost(inp, out, tiny, "FTE", AUG)


@pytest.mark.slow
def test_nothing_lost_kent(tmp_path, mini_export):
    out = tmp_path / "scorecard.xlsx"
    result = cli_runner_generate(mini_export, out)
    assert result.exit_code == 0, result.output
    check_nothing_lost(mini_export, out, kent_template(), "17", AUG)
    check_nothing_lost(mini_export, out, kent_template(), "41", AUG)

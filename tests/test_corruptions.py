"""Property tests (hypothesis): small valid exports generate a workbook; a corrupted one fails cleanly.

An example is a small export for the tiny template of conftest.py or the Kent template: a
few teams, 13 to 24 consecutive months, a handful of indicators, written with explicit
typed XlsxWriter calls (workbook_fixtures.write_export). `generate` runs in-process
(typer's CliRunner) for speed. A corruption is then applied, and the command must:

- for an error (a dropped column, a renamed sheet, text or a negative number in a count,
  a duplicated row, an unknown team, an unreadable month, a cut-short or damaged file):
  exit 1 with an "error:" line that names the sheet, Excel row and column where there is
  one, write no workbook, and not crash;
- for a problem that is only a warning (an extra column, a month missing inside a series):
  exit 0 with a "warning:" line, and write the workbook;
- for a change that is no problem at all (blank rows): exit 0 with the same rows read.

A crash in-process shows as an exception other than SystemExit on the result (through the
console script it would be an "internal error" line or a traceback).
"""

from __future__ import annotations

import datetime as dt
import random
import string
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

sys.path.insert(0, str(Path(__file__).resolve().parent))

from conftest import TINY_DICT  # noqa: E402
from test_bad_input import tiny_yaml  # noqa: E402
from workbook_fixtures import PRODUCED, kent_template  # noqa: E402
from workbook_fixtures import write_export as write_typed_export  # noqa: E402

from scorecard_xl.engine.template import Template  # noqa: E402
from scorecard_xl.reading.reader import parse_month, read_export  # noqa: E402

__all__ = ["tiny_yaml"]  # a fixture, imported so pytest finds it

pytestmark = pytest.mark.filterwarnings("ignore:Sparkline Group extension is not supported")

# No shrinking: every example runs the whole command, and shrinking a failure would take
# minutes; the failing example is reported as found (and replayed first from the database).
SOME = settings(max_examples=25, deadline=None, phases=[Phase.explicit, Phase.reuse, Phase.generate],
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
FEW = settings(SOME, max_examples=8)

TINY = Template.model_validate(TINY_DICT)
INDICATOR_COLUMNS = ["Month", "Indicator", "Team", "UASC", "Numerator", "Denominator"]
# Text the reader can never take for a number, a month or a known name: letters and spaces.
WORDS = st.text(alphabet=string.ascii_letters + " ", min_size=1, max_size=12).filter(lambda s: s.strip())


def template_of(name: str) -> Template:
    return TINY if name == "tiny" else kent_template()


def leaves(template: Template) -> list[str]:
    return [name for name, unit in template.units.items() if not unit.units]


# ----------------------------------------------------------------------------- valid exports

@dataclass
class Case:
    template: str  # "tiny" or "kent"
    sheets: dict[str, list[list]]  # header row first
    months: list[pd.Timestamp]
    indicators: list[str]


def _month_cell(month: pd.Timestamp, style: str, day: int):
    if style == "date":
        return dt.datetime(month.year, month.month, day)
    if style == "iso":
        return f"{month:%Y-%m}"
    return f"{month:%b %Y}" if style == "short" else f"{month:%B %Y}"


@st.composite
def valid_exports(draw) -> Case:
    """A valid export: every value in range, numerator <= denominator for percentages, fractions
    only where the template allows them (FTE), no gaps, no duplicates, no double counting."""
    name = draw(st.sampled_from(["tiny", "kent"]))
    template = template_of(name)
    teams = draw(st.lists(st.sampled_from(leaves(template)), min_size=1, max_size=3, unique=True))
    length = draw(st.integers(13, 24))
    last = draw(st.sampled_from(["2016-08", "2017-03", "2015-12"]))
    months = list(pd.date_range(end=pd.Timestamp(f"{last}-01"), periods=length, freq="MS"))
    ids = draw(st.lists(st.sampled_from([i.id for i in template.indicators]), min_size=1, max_size=4, unique=True))
    style = draw(st.sampled_from(["date", "iso", "short", "long"]))
    both_cohorts = draw(st.booleans())
    rng = random.Random(draw(st.integers(0, 2**32 - 1)))

    measures = [m.column for m in template.activity_measures]
    activity = [["Month", "Team", *measures]]
    indicators = [list(INDICATOR_COLUMNS)]
    for month in months:
        cell = _month_cell(month, style, rng.randint(1, 28))
        for team in teams:
            activity.append([cell, team, *[rng.randint(0, 120) for _ in measures]])
            for ind_id in ids:
                ind = template.indicator(ind_id)
                for uasc in ("N", "Y") if both_cohorts else ("N",):
                    indicators.append([cell, ind_id, team, uasc, *_values(ind, rng)])
    sheets = {"Activity": activity, "Indicators": indicators}
    if draw(st.booleans()):
        text = draw(st.text(alphabet=string.ascii_letters + string.digits + " .,;:!?%()=+-@'\"\n", max_size=200))
        sheets["Commentary"] = [["Month", "Indicator", "Commentary"],
                                [_month_cell(months[-1], style, 1), ids[0], text]]
    return Case(name, sheets, months, ids)


def _values(ind, rng: random.Random) -> list:
    """Numerator and denominator (None for a count) within the template's rules."""
    if ind.unit == "count":
        return [rng.randint(0, 30), None]
    d = rng.randint(0, 40) if ind.unit == "percent" else rng.randint(1, 30)
    if ind.fractional_denominator:
        d += rng.choice([0, 0.25, 0.5, 0.75])
    if ind.unit == "percent":
        n = rng.randint(0, int(d))
        if ind.fractional_numerator and n + 0.5 <= d:
            n += rng.choice([0, 0.5])
    else:
        n = rng.randint(0, 600) + (rng.choice([0, 0.5]) if ind.fractional_numerator else 0)
    return [n, d]


# ----------------------------------------------------------------------------- running

def generate(case_template: str, inp: Path, out: Path, tiny_yaml: Path):
    from typer.testing import CliRunner

    from scorecard_xl.cli import app

    args = ["generate", str(inp), "-o", str(out), "--produced", PRODUCED]
    if case_template == "tiny":
        args += ["--template", str(tiny_yaml)]
    return CliRunner().invoke(app, args)


def assert_clean(result) -> None:
    """No crash: only typer's own exits, no traceback text, no last-resort "internal error" line."""
    assert result.exception is None or isinstance(result.exception, SystemExit), \
        f"crashed: {result.exception!r}\n{result.output[-2000:]}"
    assert "Traceback" not in result.output and "internal error" not in result.output, result.output[-2000:]


def lines(text: str, prefix: str) -> list[str]:
    return [line for line in text.splitlines() if line.startswith(prefix)]


def body_rows(sheets, sheet: str) -> list[int]:
    return list(range(1, len(sheets[sheet])))  # list indices of the body; Excel row = index + 1


@pytest.mark.slow
@given(case=valid_exports())
@SOME
def test_valid_export_generates_a_workbook(tiny_yaml, case):
    with tempfile.TemporaryDirectory() as folder:
        inp = write_typed_export(Path(folder) / "export.xlsx", case.sheets)
        out = Path(folder) / "scorecard.xlsx"
        result = generate(case.template, inp, out, tiny_yaml)
        assert_clean(result)
        assert result.exit_code == 0, result.output[-3000:]
        assert not lines(result.stderr, "error:"), result.stderr
        assert out.exists() and "Wrote" in result.stdout
        export = read_export(inp, template_of(case.template))
        assert export.rows_read["Activity"] == len(case.sheets["Activity"]) - 1
        assert export.rows_read["Indicators"] == len(case.sheets["Indicators"]) - 1


# ----------------------------------------------------------------------------- corruptions

@dataclass
class Expect:
    severity: str  # "error", "warning" or "none"
    fragment: str = ""  # in the message
    where: str = ""  # the location prefix the message must carry, e.g. "sheet 'Indicators', row 5, column 'Team'"


def _locate(sheet: str, index: int, column: str | None = None) -> str:
    where = f"sheet {sheet!r}, row {index + 1}"
    return f"{where}, column {column!r}" if column else where


def _pick_cell(data, case: Case, columns: dict[str, list[str]]) -> tuple[str, int, int, str]:
    sheet = data.draw(st.sampled_from(sorted(columns)), label="sheet")
    column = data.draw(st.sampled_from(columns[sheet]), label="column")
    index = data.draw(st.sampled_from(body_rows(case.sheets, sheet)), label="row")
    return sheet, index, case.sheets[sheet][0].index(column), column


def _measure_columns(case: Case) -> dict[str, list[str]]:
    measures = [m.column for m in template_of(case.template).activity_measures]
    return {"Activity": measures, "Indicators": ["Numerator"]}


def drop_column(data, case: Case) -> Expect:
    required = {"Activity": case.sheets["Activity"][0][:], "Indicators": INDICATOR_COLUMNS}
    sheet = data.draw(st.sampled_from(sorted(required)), label="sheet")
    column = data.draw(st.sampled_from(required[sheet]), label="column")
    position = case.sheets[sheet][0].index(column)
    for row in case.sheets[sheet]:
        del row[position]
    return Expect("error", f"missing column {column!r}", _locate(sheet, 0, column))


def rename_sheet(data, case: Case) -> Expect:
    sheet = data.draw(st.sampled_from(["Activity", "Indicators"]), label="sheet")
    new = data.draw(st.sampled_from(["Sheet1", "Data", f"{sheet} Data", sheet[:-1], f"Old {sheet}"]), label="name")
    case.sheets = {(new if name == sheet else name): rows for name, rows in case.sheets.items()}
    return Expect("error", f"missing sheet {sheet!r}")


def text_in_number(data, case: Case) -> Expect:
    sheet, index, position, column = _pick_cell(data, case, _measure_columns(case))
    text = data.draw(WORDS, label="text")
    case.sheets[sheet][index][position] = text
    return Expect("error", "is not a number", _locate(sheet, index, column))


def negative_number(data, case: Case) -> Expect:
    sheet, index, position, column = _pick_cell(data, case, _measure_columns(case))
    case.sheets[sheet][index][position] = -data.draw(st.sampled_from([1, 2, 7, 250, 0.5]), label="value")
    return Expect("error", "negative", _locate(sheet, index, column))


def duplicate_row(data, case: Case) -> Expect:
    sheet = data.draw(st.sampled_from(["Activity", "Indicators"]), label="sheet")
    index = data.draw(st.sampled_from(body_rows(case.sheets, sheet)), label="row")
    at = data.draw(st.integers(1, len(case.sheets[sheet])), label="insert at")
    case.sheets[sheet].insert(at, list(case.sheets[sheet][index]))
    first, second = sorted([index + (1 if at <= index else 0), at])
    return Expect("error", f"rows {first + 1}, {second + 1}", f"sheet {sheet!r}")


def unknown_team(data, case: Case) -> Expect:
    sheet = data.draw(st.sampled_from(["Activity", "Indicators"]), label="sheet")
    index = data.draw(st.sampled_from(body_rows(case.sheets, sheet)), label="row")
    known = template_of(case.template).units
    name = data.draw(WORDS.filter(lambda s: s.strip() not in known), label="team")
    case.sheets[sheet][index][case.sheets[sheet][0].index("Team")] = name
    return Expect("error", f"unknown team {name.strip()!r}", _locate(sheet, index, "Team"))


def unreadable_month(data, case: Case) -> Expect:
    sheet = data.draw(st.sampled_from(["Activity", "Indicators"]), label="sheet")
    index = data.draw(st.sampled_from(body_rows(case.sheets, sheet)), label="row")
    text = data.draw(st.one_of(
        st.sampled_from(["Agu 2016", "2016-13", "13/2016", "Q3 2016", "sometime", "", "2016", "20160801"]),
        st.text(alphabet=string.ascii_letters + string.digits + " -/", max_size=12),
    ).filter(lambda s: parse_month(s) is None), label="month")
    case.sheets[sheet][index][0] = text
    return Expect("error", "as a month", _locate(sheet, index, "Month"))


def extra_column(data, case: Case) -> Expect:
    sheet = data.draw(st.sampled_from(["Activity", "Indicators"]), label="sheet")
    keys = {c.replace(" ", "").casefold() for c in case.sheets[sheet][0]}
    header = data.draw(WORDS.filter(lambda s: s.replace(" ", "").casefold() not in keys), label="header")
    case.sheets[sheet][0].append(header)
    for row in case.sheets[sheet][1:]:
        row.append(data.draw(st.one_of(WORDS, st.integers(-5, 5)), label="value"))
    return Expect("warning", f"extra column {header.strip()!r} ignored", f"sheet {sheet!r}, row 1")


def month_gap(data, case: Case) -> Expect:
    gap = data.draw(st.sampled_from(case.months[1:-1]), label="gap")
    ind_id = data.draw(st.sampled_from(case.indicators), label="indicator")
    rows = case.sheets["Indicators"]
    rows[1:] = [r for r in rows[1:] if not (r[1] == ind_id and parse_month(r[0]) == gap)]
    return Expect("warning", f"indicator {ind_id} has no rows for 1 month(s)", "sheet 'Indicators'")


DATA_CORRUPTIONS = {
    "drop-required-column": drop_column,
    "rename-sheet": rename_sheet,
    "text-in-number-cell": text_in_number,
    "negative-number": negative_number,
    "duplicate-row": duplicate_row,
    "unknown-team": unknown_team,
    "unreadable-month": unreadable_month,
    "extra-column": extra_column,
    "gap-in-series": month_gap,
}


@pytest.mark.slow
@pytest.mark.parametrize("kind", list(DATA_CORRUPTIONS))
@given(case=valid_exports(), data=st.data())
@FEW
def test_corrupted_export_is_reported_cleanly(tiny_yaml, kind, case, data):
    expect = DATA_CORRUPTIONS[kind](data, case)
    with tempfile.TemporaryDirectory() as folder:
        inp = write_typed_export(Path(folder) / "export.xlsx", case.sheets)
        out = Path(folder) / "scorecard.xlsx"
        result = generate(case.template, inp, out, tiny_yaml)
        assert_clean(result)
        if expect.severity == "error":
            assert result.exit_code == 1, result.output[-3000:]
            found = [line for line in lines(result.stderr, "error:") if expect.fragment in line]
            assert found, f"no error holding {expect.fragment!r}:\n{result.stderr[-3000:]}"
            assert any(expect.where in line for line in found), f"not at {expect.where}: {found}"
            assert "nothing was written" in result.stderr
            assert not out.exists()
        else:
            assert result.exit_code == 0, result.output[-3000:]
            assert not lines(result.stderr, "error:"), result.stderr[-3000:]
            found = [line for line in lines(result.stderr, "warning:") if expect.fragment in line]
            assert found and any(expect.where in line for line in found), \
                f"no warning holding {expect.fragment!r} at {expect.where}:\n{result.stderr[-3000:]}"
            assert out.exists()


@pytest.mark.slow
@given(case=valid_exports(), data=st.data())
@FEW
def test_blank_rows_change_nothing(tiny_yaml, case, data):
    blank = {sheet: set(data.draw(st.lists(st.integers(2, len(case.sheets[sheet]) + 3), max_size=4), label=sheet))
             for sheet in ("Activity", "Indicators")}
    with tempfile.TemporaryDirectory() as folder:
        plain = read_export(write_typed_export(Path(folder) / "plain.xlsx", case.sheets), template_of(case.template))
        inp = write_typed_export(Path(folder) / "export.xlsx", case.sheets, blank)
        result = generate(case.template, inp, Path(folder) / "scorecard.xlsx", tiny_yaml)
        assert_clean(result)
        assert result.exit_code == 0, result.output[-3000:]
        spaced = read_export(inp, template_of(case.template))
    for frame, sheet in (("activity", "Activity"), ("indicators", "Indicators")):
        a, b = getattr(plain, frame), getattr(spaced, frame)
        pd.testing.assert_frame_equal(a.drop(columns="Row"), b.drop(columns="Row"))
        assert b["Row"].is_unique and not set(b["Row"]) & blank[sheet], "a blank row was read, or a row lost"


# ----------------------------------------------------------------------------- damaged files

@given(case=valid_exports(), data=st.data())
@FEW
def test_truncated_file_is_an_error(tiny_yaml, case, data):
    with tempfile.TemporaryDirectory() as folder:
        whole = write_typed_export(Path(folder) / "whole.xlsx", case.sheets).read_bytes()
        # A share of the file rather than a byte count: the file's length varies with the time
        # XlsxWriter stamps in it, and hypothesis replays draws.
        cut = len(whole) * data.draw(st.integers(0, 9_999), label="keep, in 1/10,000") // 10_000
        inp = Path(folder) / "export.xlsx"
        inp.write_bytes(whole[:cut])
        out = Path(folder) / "scorecard.xlsx"
        result = generate(case.template, inp, out, tiny_yaml)
        assert_clean(result)
        assert result.exit_code == 1, result.output[-3000:]
        assert lines(result.stderr, "error:") and "export.xlsx" in result.stderr, result.stderr
        assert not out.exists()


@pytest.mark.slow
@given(case=valid_exports(), data=st.data())
@SOME
def test_flipped_bytes_are_an_error_or_change_nothing(tiny_yaml, case, data):
    """Damage anywhere in the zip: an error, or (where the bytes do not matter, such as a
    timestamp) the same data read and a workbook written; never a crash, never other numbers."""
    with tempfile.TemporaryDirectory() as folder:
        original = write_typed_export(Path(folder) / "original.xlsx", case.sheets)
        damaged = bytearray(original.read_bytes())
        for _ in range(data.draw(st.integers(1, 3), label="flips")):
            position = len(damaged) * data.draw(st.integers(0, 99_999), label="position, in 1/100,000") // 100_000
            damaged[position] ^= data.draw(st.integers(1, 255), label="mask")
        inp = Path(folder) / "export.xlsx"
        inp.write_bytes(bytes(damaged))
        out = Path(folder) / "scorecard.xlsx"
        result = generate(case.template, inp, out, tiny_yaml)
        assert_clean(result)
        if result.exit_code == 1:
            assert lines(result.stderr, "error:"), result.stderr[-3000:]
            assert not out.exists()
            return
        assert result.exit_code == 0, result.output[-3000:]
        template = template_of(case.template)
        before, after = read_export(original, template), read_export(inp, template)
        for frame in ("activity", "indicators", "commentary"):
            pd.testing.assert_frame_equal(getattr(before, frame), getattr(after, frame))


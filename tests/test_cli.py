"""The command line: help, validate, generate's errors and exit codes, --month.

Error cases run `python -m scorecard_xl.cli` in a new process, as a user would, so an
uncaught exception would show as a traceback and a wrong exit code. The inputs are the
mini synthetic export (workbook_fixtures.py) and small broken variants of it.
"""

from __future__ import annotations

import datetime as dt
import re
import sys
import zipfile
from pathlib import Path

import pytest
from typer.testing import CliRunner

sys.path.insert(0, str(Path(__file__).resolve().parent))

from workbook_fixtures import (  # noqa: E402
    INDICATORS_SHEET,
    MINI_MONTHS,
    MINI_TEAMS,
    SAMPLE,
    SCORECARD_SHEET,
    generate_ok,
    load_workbook,
    mini_export,
    run_cli,
    write_kent_template_variant,
    write_synthetic_export,
)

from scorecard_xl.cli import app  # noqa: E402

pytestmark = pytest.mark.filterwarnings("ignore:Sparkline Group extension is not supported")

__all__ = ["mini_export"]  # a fixture, imported so pytest finds it

UNKNOWN_TEAM = "Atlantis CSWT"
UNKNOWN_TEAM_ROW = 7  # the Excel row of the Indicators sheet that names it
KNOWN_BYTES = b"an earlier scorecard, which a failed run must leave as it was\n"


def no_traceback(proc) -> None:
    """No Python traceback, and not the CLI's last-resort "internal error" line either: bad input
    and bad options are reported as such."""
    text = proc.stdout + proc.stderr
    assert "Traceback" not in text and "internal error" not in text, text[-3000:]


@pytest.fixture(scope="module")
def bad_team_export(tmp_path_factory) -> Path:
    def mutate(sheets):
        sheets[INDICATORS_SHEET][UNKNOWN_TEAM_ROW - 1][2] = UNKNOWN_TEAM  # header is row 1

    return write_synthetic_export(tmp_path_factory.mktemp("bad") / "bad_team.xlsx", teams=MINI_TEAMS,
                                  months=MINI_MONTHS[-2:], mutate=mutate)


@pytest.fixture(scope="module")
def missing_sheet_export(tmp_path_factory) -> Path:
    return write_synthetic_export(tmp_path_factory.mktemp("bad") / "no_indicators.xlsx", teams=MINI_TEAMS,
                                  months=MINI_MONTHS[-2:], drop_sheets=[INDICATORS_SHEET])


# ----------------------------------------------------------------------------- help

def test_app_help_lists_commands():
    result = CliRunner().invoke(app, ["--help"])
    assert result.exit_code == 0, result.output
    for command in ("validate", "generate", "templates"):
        assert command in result.output


@pytest.mark.parametrize("command, options", [
    ("validate", ["--template"]),
    ("generate", ["--output", "-o", "--month", "--template", "--produced"]),
    ("templates", []),
])
def test_command_help(command, options):
    result = CliRunner().invoke(app, [command, "--help"], terminal_width=200, env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    assert command in result.output
    for option in options:
        assert option in result.output, f"{command} --help does not mention {option}"


@pytest.mark.parametrize("command, usage", [
    ("generate", "Usage: scorecard-xl generate [OPTIONS] INPUT"),
    ("validate", "Usage: scorecard-xl validate [OPTIONS] INPUT"),
    ("annex-a", "Usage: scorecard-xl annex-a [OPTIONS] FILE..."),
    ("email", "Usage: scorecard-xl email [OPTIONS] [WORKBOOK]"),
    ("template", "Usage: scorecard-xl template [OPTIONS]"),
])
def test_help_names_values_as_users_type_them(command, usage):
    """Not typer's notation ({INPUT} for a required argument, <%Y-%m-%d>, <str>, <file>, <list[Path]>)."""
    result = CliRunner().invoke(app, [command, "--help"], prog_name="scorecard-xl", terminal_width=200,
                                env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    assert usage in result.output
    assert "{INPUT}" not in result.output and "{FILE}" not in result.output
    assert "<" not in result.output and "%Y" not in result.output, result.output
    if command == "generate":
        for shown in ("--month YYYY-MM", "--produced YYYY-MM-DD", "--template NAME|PATH",
                      "--raw-data include|separate"):
            assert shown in " ".join(result.output.split()), shown


def test_an_empty_unit_names_the_unit_option():
    proc = run_cli("generate", SAMPLE, "--unit", "")
    assert proc.returncode == 2
    assert "Invalid value for --unit: no unit named (an empty name)" in proc.stderr


def test_templates_lists_kent():
    proc = run_cli("templates")
    assert proc.returncode == 0, proc.stderr
    assert "kent_scs" in proc.stdout.split()


# ----------------------------------------------------------------------------- validate

@pytest.mark.slow
def test_validate_good_file(mini_export):
    proc = run_cli("validate", mini_export)
    assert proc.returncode == 0, proc.stderr
    assert "no errors" in proc.stdout
    no_traceback(proc)


def test_validate_unknown_team(bad_team_export):
    proc = run_cli("validate", bad_team_export)
    assert proc.returncode == 1, proc.stdout + proc.stderr
    no_traceback(proc)
    line = next((ln for ln in proc.stderr.splitlines() if UNKNOWN_TEAM in ln), None)
    assert line is not None, f"the unknown team is not named: {proc.stderr}"
    assert INDICATORS_SHEET in line, line
    assert f"row {UNKNOWN_TEAM_ROW}" in line, line
    assert "Team" in line.replace(UNKNOWN_TEAM, ""), line


def test_validate_missing_sheet(missing_sheet_export):
    proc = run_cli("validate", missing_sheet_export)
    assert proc.returncode == 1, proc.stdout + proc.stderr
    no_traceback(proc)
    assert "missing" in proc.stderr.lower() and INDICATORS_SHEET in proc.stderr, proc.stderr


def test_validate_missing_file(tmp_path):
    proc = run_cli("validate", tmp_path / "nowhere.xlsx")
    assert proc.returncode == 2, proc.stdout + proc.stderr
    assert "nowhere.xlsx" in proc.stderr
    no_traceback(proc)


def test_validate_not_a_spreadsheet(tmp_path):
    path = tmp_path / "export.xlsx"
    path.write_text("Month,Team\n2016-08,Ashford CSWT\n")
    proc = run_cli("validate", path)
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert "export.xlsx" in proc.stderr
    no_traceback(proc)


def test_validate_unknown_template(mini_export):
    proc = run_cli("validate", mini_export, "--template", "no_such_template")
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert "no_such_template" in proc.stderr
    no_traceback(proc)


# ----------------------------------------------------------------------------- generate: errors

def test_bad_month_is_a_usage_error(mini_export, tmp_path):
    proc = run_cli("generate", mini_export, "-o", tmp_path / "out.xlsx", "--month", "2016-13")
    assert proc.returncode == 2, proc.stdout + proc.stderr
    assert "--month" in proc.stderr
    assert not (tmp_path / "out.xlsx").exists()
    no_traceback(proc)


def test_month_not_in_export(mini_export, tmp_path):
    proc = run_cli("generate", mini_export, "-o", tmp_path / "out.xlsx", "--month", "2013-01")
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert "2013-01" in proc.stderr
    assert not (tmp_path / "out.xlsx").exists()
    no_traceback(proc)


def test_output_folder_missing(mini_export, tmp_path):
    out = tmp_path / "no" / "such" / "folder" / "out.xlsx"
    proc = run_cli("generate", mini_export, "-o", out)
    assert proc.returncode == 1, proc.stdout + proc.stderr
    no_traceback(proc)
    assert "does not exist" in proc.stderr and str(out.parent) in proc.stderr, proc.stderr
    assert not (tmp_path / "no").exists()


def test_failed_generate_leaves_existing_output(bad_team_export, tmp_path):
    out = tmp_path / "scorecard.xlsx"
    out.write_bytes(KNOWN_BYTES)
    proc = run_cli("generate", bad_team_export, "-o", out)
    assert proc.returncode == 1, proc.stdout + proc.stderr
    no_traceback(proc)
    assert UNKNOWN_TEAM in proc.stderr
    assert out.read_bytes() == KNOWN_BYTES
    assert sorted(p.name for p in tmp_path.iterdir()) == ["scorecard.xlsx"], "a temporary file was left behind"


def test_failed_generate_with_missing_sheet_leaves_existing_output(missing_sheet_export, tmp_path):
    out = tmp_path / "scorecard.xlsx"
    out.write_bytes(KNOWN_BYTES)
    proc = run_cli("generate", missing_sheet_export, "-o", out)
    assert proc.returncode == 1, proc.stdout + proc.stderr
    no_traceback(proc)
    assert out.read_bytes() == KNOWN_BYTES
    assert sorted(p.name for p in tmp_path.iterdir()) == ["scorecard.xlsx"]


@pytest.mark.parametrize("sheet_name", ["Scorecard: Kent [2016]", "Exceptions", "A" * 32])
def test_template_with_unusable_sheet_name_fails_cleanly(mini_export, tmp_path, sheet_name):
    """A scorecard sheet name Excel refuses (one of the characters []:*?/\\, a clash with another
    sheet, over 31 characters) is an error naming it: exit 1, no traceback, earlier output kept."""
    template = write_kent_template_variant(tmp_path / "custom.yaml", scorecard_sheet=sheet_name)
    out = tmp_path / "scorecard.xlsx"
    out.write_bytes(KNOWN_BYTES)
    proc = run_cli("generate", mini_export, "-o", out, "--template", template)
    no_traceback(proc)
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert "scorecard_sheet" in proc.stderr or sheet_name in proc.stderr, proc.stderr
    assert out.read_bytes() == KNOWN_BYTES
    assert sorted(p.name for p in tmp_path.iterdir()) == ["custom.yaml", "scorecard.xlsx"]


def test_bad_produced_date_is_a_usage_error(mini_export, tmp_path):
    proc = run_cli("generate", mini_export, "-o", tmp_path / "out.xlsx", "--produced", "15/09/2016")
    assert proc.returncode == 2, proc.stdout + proc.stderr
    assert "--produced" in proc.stderr
    no_traceback(proc)


# ----------------------------------------------------------------------------- generate: --month

@pytest.fixture(scope="module")
def may_workbook(mini_export, tmp_path_factory) -> Path:
    """The mini export (Jan 2015 to Aug 2016) generated for an earlier month: --month 2016-05."""
    return generate_ok(mini_export, tmp_path_factory.mktemp("may") / "may.xlsx", "--month", "2016-05")


@pytest.mark.slow
def test_generate_earlier_month(may_workbook):
    month = dt.datetime(2016, 5, 1)
    book = load_workbook(may_workbook, read_only=True)
    try:
        contents = {row[0]: row[1] for row in book["Contents"].iter_rows(max_row=15, max_col=2, values_only=True)}
        assert contents.get("Reporting month") == month, contents
        scorecard_title = next(book[SCORECARD_SHEET].iter_rows(max_row=1, max_col=1, values_only=True))[0]
        assert "May 2016" in scorecard_title and "Aug 2016" not in scorecard_title, scorecard_title
        exceptions_title = next(book["Exceptions"].iter_rows(max_row=1, max_col=1, values_only=True))[0]
        assert "May 2016" in exceptions_title, exceptions_title
        created = book.properties.created
        assert (created.year, created.month) == (2016, 5), created
        # The raw data still holds every input row: the month chooses what is reported, not what is kept.
        activity_rows = sum(1 for r in book["Activity Data"].iter_rows(min_row=5, values_only=True) if any(r))
        assert activity_rows == len(MINI_TEAMS) * len(MINI_MONTHS)
        # The scorecard's latest results are May's, as the Results table has them.
        rows = list(book["Results"].iter_rows(min_row=4, values_only=True))
        header = list(rows[0])
        col = {h: header.index(h) for h in ("Month", "Indicator", "Unit", "Cohort", "Result")}
        may = {r[col["Indicator"]]: r[col["Result"]] for r in rows[1:]
               if r[col["Month"]] == month and r[col["Unit"]] == "Kent" and r[col["Cohort"]] == "All"}
        card = list(book[SCORECARD_SHEET].iter_rows(min_row=4, values_only=True))
        latest = card[0].index("Latest Result")
        shown = {r[0]: r[latest] for r in card[1:] if r[0] in may}
        assert len(shown) >= 40, f"only {len(shown)} indicators on the scorecard have a May result"
        assert shown == pytest.approx({k: may[k] for k in shown})
    finally:
        book.close()
    # Every sheet's footer names the reporting month.
    with zipfile.ZipFile(may_workbook) as z:
        sheets = [m for m in z.namelist() if re.fullmatch(r"xl/worksheets/sheet\d+\.xml", m)]
        for member in sheets:
            footer = re.search(r"<oddFooter>(.*?)</oddFooter>", z.read(member).decode())
            assert footer and "May 2016" in footer.group(1), f"{member}: footer {footer and footer.group(1)!r}"


def test_earlier_month_results_table_stops_at_that_month(may_workbook):
    """The Results sheet is titled "... by month, to May 2016": it must not hold Jun to Aug 2016."""
    book = load_workbook(may_workbook, read_only=True)
    try:
        ws = book["Results"]
        title = ws["A1"].value
        months = {r[0] for r in ws.iter_rows(min_row=5, max_col=1, values_only=True) if r[0] is not None}
    finally:
        book.close()
    assert "May 2016" in title, title
    later = [f"{m:%b %Y}" for m in sorted(months) if m > dt.datetime(2016, 5, 1)]
    assert not later, f"Results ({title!r}) holds results for later months: {later}"


@pytest.mark.slow
def test_generate_with_less_than_a_year_of_data(tmp_path):
    """Six months of data: no R12M result can be computed (left empty, with warnings), but the
    workbook is still written, with the SS indicators' results."""
    inp = write_synthetic_export(tmp_path / "short.xlsx", teams=MINI_TEAMS, months=MINI_MONTHS[-6:])
    out = tmp_path / "short-scorecard.xlsx"
    proc = run_cli("generate", inp, "-o", out, "--produced", "2016-09-15")
    no_traceback(proc)
    errors = [line for line in proc.stderr.splitlines() if not line.startswith("warning:")]
    assert proc.returncode == 0, "\n".join(errors)
    assert out.exists()


@pytest.mark.slow
def test_generate_default_output_name(mini_export, tmp_path):
    proc = run_cli("generate", mini_export, "--produced", "2016-09-15", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert (tmp_path / "scorecard-2016-08.xlsx").exists(), list(tmp_path.iterdir())
    assert "Aug 2016" in proc.stdout
    no_traceback(proc)

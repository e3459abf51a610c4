"""Small things a new user trips over: the same warnings from validate and generate, commentary
that has nowhere to go, Outlook's address lists, and usage lines that name the arguments."""

from __future__ import annotations

import pytest
from conftest import commentary_rows, indicator_rows, make_export
from workbook_fixtures import SAMPLE, run_cli

from scorecard_xl.delivery.settings import load_settings
from scorecard_xl.engine.calculator import calculate


def _warnings(text: str) -> list[str]:
    return [line for line in text.splitlines() if line.startswith("warning:")]


@pytest.mark.slow
def test_validate_reports_the_warnings_generate_reports(tmp_path):
    validated = run_cli("validate", SAMPLE, "--month", "2015-06", cwd=tmp_path)
    generated = run_cli("generate", SAMPLE, "--month", "2015-06", "-o", tmp_path / "out.xlsx", cwd=tmp_path)
    assert validated.returncode == 0 and generated.returncode == 0, validated.stderr + generated.stderr
    assert _warnings(validated.stderr) == _warnings(generated.stderr)
    assert len(_warnings(validated.stderr)) > 10
    assert f"no errors, {len(_warnings(validated.stderr))} warning(s) for Jun 2015" in validated.stdout


def test_commentary_for_an_indicator_that_is_not_red_is_warned_about(tiny):
    rows = indicator_rows([("2016-08", "PSS", "N1", "N", 1, 100), ("2016-08", "CNT", "N1", "N", 50, None)])
    notes = commentary_rows([("2016-08", "PSS", "Placements are stable."),  # Green: nowhere to show it
                             ("2016-08", "CNT", "Too many unallocated."),  # Red: on its exception report
                             ("2016-07", "PSS", "Last month's note.")])  # another month: not this run's
    scorecard = calculate(make_export(rows, commentary=notes), tiny, "2016-08")
    about = [w for w in scorecard.views["County"].warnings if w.sheet == "Commentary"]
    assert [(w.row, w.message) for w in about] == [
        (2, "commentary for indicator PSS in Aug 2016 is not shown: the indicator is rated Green this month, "
            "and exception reports are for Red indicators only")]
    assert [r.commentary for r in scorecard.exceptions] == ["Too many unallocated."]


@pytest.mark.parametrize("given", ["a@example.org; b@example.org", "a@example.org;b@example.org",
                                   "a@example.org, b@example.org"])
def test_recipients_as_outlook_writes_them(given):
    settings = load_settings(None, to=[given], sender="me@example.org")
    assert settings.message.to == ["a@example.org", "b@example.org"]


def test_semicolon_inside_a_quoted_name_is_kept():
    settings = load_settings(None, to=['"Smith; Jo" <jo@example.org>; b@example.org'], sender="me@example.org")
    assert settings.message.to == ['"Smith; Jo" <jo@example.org>', "b@example.org"]


@pytest.mark.parametrize(("command", "argument"), [("generate", "INPUT"), ("validate", "INPUT"),
                                                   ("email", "WORKBOOK")])
def test_usage_lines_name_the_arguments(tmp_path, command, argument):
    proc = run_cli(command, "--help", cwd=tmp_path)
    usage = proc.stdout.splitlines()[0]
    assert argument in usage and "input_path" not in usage and "{workbook}" not in usage, usage


def test_version(tmp_path):
    proc = run_cli("--version", cwd=tmp_path)
    assert proc.returncode == 0 and proc.stdout.startswith("scorecard-xl ")


@pytest.mark.slow
def test_error_total_counts_every_row_of_a_summarised_problem(tmp_path):
    """Every Month of the sample's Indicators sheet unreadable: one line, and the true total."""
    from workbook_fixtures import load_workbook

    book = load_workbook(SAMPLE)
    sheet = book["Indicators"]
    for (cell,) in sheet.iter_rows(min_row=2, max_col=1):
        cell.value = "Agu 2016"
    rows = sheet.max_row - 1
    bad = tmp_path / "export.xlsx"
    book.save(bad)
    proc = run_cli("validate", bad, cwd=tmp_path)
    assert proc.returncode == 1
    lines = proc.stderr.splitlines()
    month_lines = [line for line in lines if "'Agu 2016'" in line]
    assert len(month_lines) == 1 and f"and {rows - 5:,} more, column 'Month'" in month_lines[0], month_lines
    assert lines[-1] == f"export.xlsx: {rows:,} error(s).", lines[-3:]


@pytest.mark.slow
def test_a_console_that_cannot_show_a_character_does_not_fail_the_run(tmp_path):
    """A legacy code page (as on a Windows console or a redirected file there): the accented file name
    is shown with a replacement character instead of ending the run with UnicodeEncodeError."""
    import os
    import subprocess
    import sys

    out = tmp_path / "scorecard Łódź.xlsx"  # Ł and ź are not in Windows-1252
    env = {**os.environ, "PYTHONIOENCODING": "cp1252"}
    proc = subprocess.run([sys.executable, "-m", "scorecard_xl", "generate", str(SAMPLE), "-o", str(out)],
                          cwd=tmp_path, env=env, capture_output=True, timeout=300)
    stdout, stderr = proc.stdout.decode("cp1252"), proc.stderr.decode("cp1252")
    assert proc.returncode == 0, stderr
    assert "Traceback" not in stderr and "UnicodeEncodeError" not in stderr
    assert "scorecard ?ód?.xlsx" in stdout and out.is_file()


@pytest.mark.slow
def test_the_sizes_the_documents_give_are_true(tmp_path):
    """The example settings file and the README say how small --raw-data separate keeps the emailed
    workbook; the figure they give is the Kent sample's, within a tenth."""
    import re
    from pathlib import Path

    root = Path(__file__).resolve().parents[1]
    result = run_cli("generate", SAMPLE, "-o", tmp_path / "s.xlsx", "--raw-data", "separate", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    size_kb = (tmp_path / "s.xlsx").stat().st_size / 1000
    stated = []
    for name in ("scorecard-xl.example.toml", "README.md"):
        text = " ".join((root / name).read_text(encoding="utf-8").split())
        found = re.findall(r"small \(about (\d+) KB for (?:the Kent sample|Kent)", text)
        assert found, f"{name} no longer says how small the workbook is"
        stated += [int(n) for n in found]
    for figure in stated:
        assert abs(figure - size_kb) <= size_kb / 10, (figure, size_kb)

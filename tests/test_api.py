"""From Python, as an analyst calls it in a notebook: `from scorecard_xl import generate`.

The functions return what was written and the warnings, raise on bad input with every
problem listed, print nothing, and never end the process (a notebook kernel must survive
a failed run, so the console script's fast exit is for its own process only).
"""

from __future__ import annotations

import subprocess
import sys

import pytest
from workbook_fixtures import SAMPLE, load_workbook

import scorecard_xl
from scorecard_xl import generate, validate
from scorecard_xl.cli import main
from scorecard_xl.files import WriteError
from scorecard_xl.model import InputError


@pytest.fixture(scope="module")
def generated(tmp_path_factory):
    folder = tmp_path_factory.mktemp("api")
    return generate(SAMPLE, folder / "scorecard.xlsx", raw_data="separate",
                    produced=__import__("datetime").date(2016, 11, 10))


@pytest.mark.slow
def test_generate_returns_what_it_wrote(generated, capsys):
    assert [p.name for p in generated.paths] == ["scorecard.xlsx", "scorecard-data.xlsx"]
    assert all(p.is_file() for p in generated.paths)
    assert generated.rag_counts == {"G": 22, "A": 20, "R": 3}
    assert f"{generated.month:%Y-%m}" == "2016-08"
    assert generated.warnings and all(w.severity == "warning" for w in generated.warnings)
    book = load_workbook(generated.workbook, read_only=True)
    try:
        assert "Scorecard - Kent" in book.sheetnames
    finally:
        book.close()
    assert capsys.readouterr() == ("", ""), "the API printed something"


def test_notebook_display(generated):
    assert "22 Green, 20 Amber, 3 Red" in repr(generated)
    html = generated._repr_html_()
    assert "scorecard.xlsx" in html and "<ul>" in html and "August 2016" in html


def test_validate_gives_the_warnings_generate_gives(generated):
    checked = validate(SAMPLE)
    assert [str(w) for w in checked.warnings] == [str(w) for w in generated.warnings]
    assert checked.rows_read["Indicators"] == 17_438


def test_bad_input_raises_with_every_problem(tmp_path):
    bad = tmp_path / "not a workbook.xlsx"
    bad.write_text("Month,Team\n2016-08,Ashford CSWT\n")
    with pytest.raises(InputError) as caught:
        generate(bad, tmp_path / "out.xlsx")
    assert caught.value.errors and "not a spreadsheet" in str(caught.value.errors[0]) or \
        "cannot read" in str(caught.value.errors[0])
    assert not (tmp_path / "out.xlsx").exists()


def test_bad_arguments_are_value_errors(tmp_path):
    with pytest.raises(ValueError, match="must end in .xlsx"):
        generate(SAMPLE, tmp_path / "report.csv")
    with pytest.raises(ValueError, match="YYYY-MM"):
        generate(SAMPLE, tmp_path / "out.xlsx", month="Aug 2016")
    with pytest.raises(ValueError, match="raw_data"):
        generate(SAMPLE, tmp_path / "out.xlsx", raw_data="elsewhere")


def test_unwritable_output_raises_write_error(tmp_path):
    with pytest.raises(WriteError, match="does not exist"):
        generate(SAMPLE, tmp_path / "no such folder" / "out.xlsx")


@pytest.mark.slow
def test_command_line_in_process_returns_its_exit_code(tmp_path, capsys):
    """cli.main never ends the process: were it to call os._exit, this test run would stop here."""
    assert main(["--version"]) == 0
    assert capsys.readouterr().out.strip() == f"scorecard-xl {scorecard_xl.__version__}"
    assert main(["validate", str(tmp_path / "missing.xlsx")]) == 2
    assert main(["generate", str(SAMPLE), "-o", str(tmp_path / "out.xlsx")]) == 0
    assert (tmp_path / "out.xlsx").is_file()


def test_import_is_light():
    """`import scorecard_xl` (what the command line's start-up pays) loads neither pandas nor XlsxWriter."""
    code = "import sys, scorecard_xl; print(sorted(m for m in ('pandas', 'xlsxwriter', 'numpy') if m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


@pytest.mark.slow
def test_paths_with_spaces_and_accents(tmp_path):
    """As on an analyst's OneDrive: spaces, an apostrophe and accents in folders and names."""
    import shutil

    source = tmp_path / "Données export" / "export août 2016.xlsx"
    source.parent.mkdir()
    shutil.copyfile(SAMPLE, source)
    out = tmp_path / "Rapports d'été" / "scorecard août 2016.xlsx"
    out.parent.mkdir()
    result = generate(source, out, raw_data="separate")
    assert [p.name for p in result.paths] == ["scorecard août 2016.xlsx", "scorecard août 2016-data.xlsx"]
    assert all(p.is_file() for p in result.paths)
    book = load_workbook(out, read_only=True)
    try:
        labels = {row[0]: row[1] for row in book["Contents"].iter_rows(max_col=2, values_only=True) if row[0]}
    finally:
        book.close()
    assert labels["Input file"] == "export août 2016.xlsx"
    assert sorted(p.name for p in out.parent.iterdir()) == sorted(p.name for p in result.paths)


@pytest.mark.slow
def test_a_fallback_is_reported_as_a_note(tmp_path, monkeypatch, capsys):
    """When XlsxWriter lacks an internal (workbook/hooks.py), the run still works and says it was slower."""
    from scorecard_xl.workbook.xlsx import hooks

    monkeypatch.setattr(hooks, "missing", lambda path: ["Worksheet._write_rows"] if path == hooks.STREAM else [])
    result = generate(SAMPLE, tmp_path / "out.xlsx")
    assert len(result.notes) == 1 and "Worksheet._write_rows" in result.notes[0] and "slower" in result.notes[0]
    assert main(["generate", str(SAMPLE), "-o", str(tmp_path / "again.xlsx")]) == 0
    notes = [line for line in capsys.readouterr().err.splitlines() if line.startswith("note: ")]
    assert notes == [f"note: {result.notes[0]}"]


@pytest.mark.parametrize("function", [generate, validate])
def test_a_missing_input_or_a_folder_is_an_input_error(tmp_path, function):
    with pytest.raises(InputError, match=r"cannot find .*missing\.xlsx: no such file"):
        function(tmp_path / "missing.xlsx")
    with pytest.raises(InputError, match="is a folder, not a workbook"):
        function(tmp_path)


@pytest.mark.slow
def test_each_given_as_one_level(tmp_path):
    done = generate(SAMPLE, each="Area", out_dir=tmp_path)
    assert sorted(p.name for p in done.paths) == [  # the four areas, not the levels 'A', 'r', 'e', 'a'
        "scorecard-2016-08-east-kent.xlsx", "scorecard-2016-08-north-kent.xlsx", "scorecard-2016-08-south-kent.xlsx",
        "scorecard-2016-08-west-kent.xlsx"]


def test_from_annex_a_names_the_export_written_and_shows_briefly(tmp_path):
    import datetime as dt

    from annex_a_fixtures import write_annex_a

    from scorecard_xl import from_annex_a

    annex = write_annex_a(tmp_path / "annex-a-2016-08-31.xlsx",
                          {3: [{"child": "1", "referral": dt.date(2016, 8, 3), "team": "Ashford CSWT"}]})
    done = from_annex_a([annex], output=tmp_path / "export.xlsx")
    assert done.path == done.export.path == tmp_path / "export.xlsx" and done.path.is_file()
    shown = repr(done)
    assert len(shown) < 2000, len(shown)
    assert shown.startswith(f"<Converted {tmp_path / 'export.xlsx'}: 1 Annex A file(s), Mar 2016 to Aug 2016, ")


@pytest.mark.parametrize("options, option, words", [
    ({"month": "Aug 2016"}, "--month", "YYYY-MM"),
    ({"raw_data": "elsewhere"}, "--raw-data", "raw_data must be"),
    ({"each": "Aria"}, "--each", "unknown level 'Aria'"),
    ({"unit": ""}, "--unit", "no unit named"),
    ({"out_dir": "."}, "--out-dir", "--out-dir is for the workbooks of --each"),
])
def test_options_are_checked_once_and_name_the_command_lines_option(tmp_path, options, option, words):
    """The Python API checks every option before any work (the command line uses the same check):
    an OptionError, a ValueError, says which option."""
    from scorecard_xl.model import OptionError

    with pytest.raises(OptionError, match=words) as caught:
        generate(tmp_path / "not read.xlsx", **options)
    assert isinstance(caught.value, ValueError) and caught.value.option == option
    assert list(tmp_path.iterdir()) == []

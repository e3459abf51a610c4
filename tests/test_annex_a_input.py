"""Annex A files as councils write them, and bad ones: every problem at once, with the file,
list, row and column, exit 1 and nothing written. Errors run the command line in a new
process (run_cli), as a user would, so a traceback would show."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import pandas as pd
import pytest
from annex_a_fixtures import write_annex_a
from workbook_fixtures import run_cli

from scorecard_xl.annex_a.reading import read_annex_a, report_date_from_name
from scorecard_xl.model import InputError

D = dt.date
ASH = "Ashford CSWT"
REPORT = D(2016, 8, 31)
GOOD = {3: [{"child": "1", "referral": D(2016, 8, 3), "team": ASH}],
        4: [{"child": "1", "start": D(2016, 8, 3), "authorised": D(2016, 8, 20), "team": ASH}],
        6: [{"child": "1", "start": D(2016, 8, 3), "team": ASH}],
        7: [{"child": "1", "start": D(2016, 8, 20), "team": ASH}],
        8: [{"child": "2", "start": D(2016, 1, 20), "team": "South Kent CIC"}]}


def errors_of(path: Path, report=REPORT) -> list[str]:
    with pytest.raises(InputError) as caught:
        read_annex_a(path, report)
    return [str(p) for p in caught.value.errors]


def test_report_date_from_the_file_name():
    assert report_date_from_name(Path("annex-a-2016-08-31.xlsx")) == D(2016, 8, 31)
    assert report_date_from_name(Path("Kent Annex A 2016-02-29 final.xlsx")) == D(2016, 2, 29)
    assert report_date_from_name(Path("annex-a-2016-02-30.xlsx")) is None
    assert report_date_from_name(Path("annex-a.xlsx")) is None


@pytest.mark.parametrize("sheet_name", [lambda n: f"List_{n}", lambda n: f"List {n} - Things", lambda n: f"list{n}"])
def test_sheet_names_title_rows_and_header_spelling(tmp_path, sheet_name):
    headers = {"Child's Legal Status": "CHILD\u2019S  LEGAL STATUS ", "Date of referral": "date of referral",
               "Allocated Team": "Allocated  Team"}
    path = write_annex_a(tmp_path / "a.xlsx", GOOD, sheet_name=sheet_name, title=True, headers=headers)
    read = read_annex_a(path, REPORT)
    assert sorted(read.lists) == [3, 4, 6, 7, 8, 9, 10]
    assert read.lists[3]["referral"].iloc[0] == pd.Timestamp("2016-08-03")
    assert read.lists[3]["Row"].iloc[0] == 4  # a title row and a blank one above the header
    assert read.ignored == [1, 2, 5, 11]


def test_codes_text_dates_and_numeric_ids(tmp_path):
    lists = {**GOOD,
             3: [{"child": 1234, "referral": "03/08/2016", "team": ASH},
                 {"child": 1234.0, "referral": "2016-08-04", "team": ASH}],
             4: [{"child": "7", "start": "01-08-2016", "authorised": D(2016, 8, 2), "team": ASH, "seen": "yes"}],
             9: [{"child": "5", "team": "Leaving Care 18+", "in_touch": "Yes", "suitable": "b) unsuitable",
                  "activity": "f2 - full time"}]}
    read = read_annex_a(write_annex_a(tmp_path / "a.xlsx", lists), REPORT)
    assert list(read.lists[3]["child"]) == ["1234", "1234"]
    assert list(read.lists[3]["referral"]) == [pd.Timestamp("2016-08-03"), pd.Timestamp("2016-08-04")]
    assert read.lists[4]["seen"].iloc[0] == "Yes"
    assert list(read.lists[9][["in_touch", "suitable", "activity"]].iloc[0]) == ["Yes", "Unsuitable", "F2"]


def test_every_problem_at_once_with_list_row_and_column(tmp_path):
    lists = {**GOOD,
             3: [{"child": "1", "referral": "31/02/2016", "team": ASH},  # no such day
                 {"child": "2", "referral": D(2016, 9, 2), "team": ASH},  # after the report date
                 {"child": None, "referral": D(2016, 8, 2), "team": ASH}],
             4: [{"child": "1", "start": D(2016, 8, 10), "authorised": D(2016, 8, 2), "team": ASH, "seen": "Maybe"}],
             7: [{"child": "1", "start": D(2016, 8, 20), "team": ASH}, {"child": "1", "start": D(2016, 3, 1),
                                                                     "end": D(2016, 4, 1), "team": ASH}]}
    errors = errors_of(write_annex_a(tmp_path / "annex-a-2016-08-31.xlsx", lists, omit=(6,)))
    text = "\n".join(errors)
    assert "file 'annex-a-2016-08-31.xlsx': missing List 6 (Children in need)" in text
    assert ("sheet 'List 3', row 2, column 'Date of referral': cannot read '31/02/2016' as a date; expected an "
            "Excel date or day-first text such as 31/08/2016") in text
    assert "row 3, column 'Date of referral': 02/09/2016 is after the report date 31/08/2016" in text
    assert "row 4, column 'Child Unique ID': empty; the child's ID is required" in text
    assert ("sheet 'List 4', row 2, column 'Continuous Assessment Date of Authorisation': 02/08/2016 is before the "
            "Continuous Assessment Start Date (10/08/2016)") in text
    assert "column 'Child Seen During Continuous Assessment': 'Maybe' is not one of the expected values" in text
    assert "sheet 'List 7', row 3, column 'Child Unique ID': child 1 appears 2 times (rows 2, 3)" in text


def test_missing_column_names_the_closest(tmp_path):
    path = write_annex_a(tmp_path / "a.xlsx", GOOD, headers={"CIN Closure Date": "CIN Close Date"})
    assert any("sheet 'List 6', row 1, column 'CIN Closure Date': missing column 'CIN Closure Date' (closest: "
               "'CIN Close Date'" in e for e in errors_of(path))


def test_a_formula_cell_is_read_as_its_value_with_a_warning(tmp_path):
    path = write_annex_a(tmp_path / "a.xlsx", GOOD, formula=(7, 0, 4))  # List 7, first row, previous plans: =1+1
    read = read_annex_a(path, REPORT)
    assert read.lists[7]["previous_plans"].iloc[0] == 2
    assert [str(p) for p in read.problems] == [
        "warning: file 'a.xlsx', sheet 'List 7', row 2, column 'Number of Previous Child Protection Plans': cell E2 "
        "holds a formula; its value as last calculated was read - paste it as a value so the list holds the data "
        "itself"]


# ----------------------------------------------------------------------------- the command

@pytest.fixture
def export_copy(tmp_path):
    target = tmp_path / "export.xlsx"
    shutil.copy(Path(__file__).resolve().parents[1] / "samples" / "kent_liberi_export_2016-08.xlsx", target)
    return target


def test_unmapped_teams_listed_with_row_counts_and_nothing_written(tmp_path, export_copy):
    lists = {**GOOD, 3: [{"child": str(i), "referral": D(2016, 8, 3), "team": "Ashfrod CSWT"} for i in range(3)],
             6: [{"child": "1", "start": D(2016, 8, 3), "team": "Atlantis Team"}]}
    path = write_annex_a(tmp_path / "annex-a-2016-08-31.xlsx", lists)
    before = export_copy.read_bytes()
    result = run_cli("annex-a", path, "--into", export_copy)
    assert result.returncode == 1, result.stderr
    assert "Traceback" not in result.stderr
    assert ("Allocated Team 'Ashfrod CSWT' (3 rows - annex-a-2016-08-31.xlsx List 3: 3) is not a unit of the "
            "template (closest: 'Ashford CSWT'") in result.stderr
    assert "Allocated Team 'Atlantis Team' (1 row - annex-a-2016-08-31.xlsx List 6: 1)" in result.stderr
    assert "1 Annex A file(s) and export.xlsx: 2 error(s); nothing was written." in result.stderr
    assert export_copy.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["annex-a-2016-08-31.xlsx", "export.xlsx"]


@pytest.mark.slow
def test_teams_csv_maps_the_others(tmp_path, export_copy):
    lists = {**GOOD, 6: [{"child": "1", "start": D(2016, 8, 3), "team": "Atlantis Team"}]}
    path = write_annex_a(tmp_path / "annex-a-2016-08-31.xlsx", lists)
    (tmp_path / "teams.csv").write_text("Allocated Team,Unit\nAtlantis Team,dover cswt\n", encoding="utf-8")
    result = run_cli("annex-a", path, "--into", export_copy, "--teams", tmp_path / "teams.csv")
    assert result.returncode == 0, result.stderr
    (tmp_path / "bad.csv").write_text("Allocated Team,Unit\nAtlantis Team,East Kent\n", encoding="utf-8")
    result = run_cli("annex-a", path, "--into", export_copy, "--teams", tmp_path / "bad.csv")
    assert result.returncode == 1
    assert "'East Kent' has units under it; map 'Atlantis Team' to a team" in result.stderr


@pytest.mark.slow
def test_report_date_before_the_data_and_from_the_option(tmp_path, export_copy):
    path = write_annex_a(tmp_path / "kent-annex-a.xlsx", GOOD)
    result = run_cli("annex-a", path, "--into", export_copy)
    assert result.returncode == 1
    assert "cannot tell the report date: name the file like annex-a-2016-08-31.xlsx" in result.stderr
    result = run_cli("annex-a", path, "--into", export_copy, "--report-date", "2016-07-31")
    assert result.returncode == 1
    assert "is after the report date 31/07/2016" in result.stderr
    result = run_cli("annex-a", path, "--into", export_copy, "--report-date", "2016-08-31")
    assert result.returncode == 0, result.stderr


def test_into_or_output_is_required(tmp_path):
    path = write_annex_a(tmp_path / "annex-a-2016-08-31.xlsx", GOOD)
    result = run_cli("annex-a", path)
    assert result.returncode == 2
    assert "give either --into EXPORT.xlsx" in result.stderr


@pytest.mark.slow
def test_a_folder_or_a_pattern_names_the_files_and_lock_files_are_left_out(tmp_path, export_copy):
    folder = tmp_path / "lists"
    folder.mkdir()
    write_annex_a(folder / "annex-a-2016-08-31.xlsx", GOOD)
    write_annex_a(folder / "annex-a-2016-07-31.xlsx", {3: [{"child": "9", "referral": D(2016, 7, 3), "team": ASH}]})
    (folder / "~$annex-a-2016-08-31.xlsx").write_bytes(b"Excel's lock file")
    for given in (folder, folder / "annex-a-2016-0?-*.xlsx"):
        result = run_cli("annex-a", given, "--into", export_copy)
        assert result.returncode == 0, result.stderr
        assert "from 2 Annex A file(s)" in result.stdout
    result = run_cli("annex-a", folder / "annex-b-*.xlsx", "--into", export_copy)
    assert result.returncode == 2 and "no file matches" in result.stderr

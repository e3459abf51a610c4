"""Two extensions of the export contract, for exports written from child-level lists that
cannot give every measure:

1. An Activity measure may be blank in every row of a month ("not recorded" that month): its
   figures for that month are empty in the activity table (never zero), and so is a change
   using that month, with one warning per measure and month. A blank among numbers of the
   same month stays an error naming its rows.
2. An optional `Notes` sheet (`Note`, optional `Month`): each row with a note is a warning,
   shown in validate's output and on the workbook's Data Quality sheet.

The sample export (samples/kent_liberi_export_2016-08.xlsx) with PF Cases blanked for Aug
2016 is run through the real command line and read back with openpyxl; the finer rules run
through `read_export` on small exports for the tiny template of conftest.py and through the
calculator's `activity_table`.
"""

from __future__ import annotations

import datetime as dt
import shutil
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))

from conftest import activity_rows, month  # noqa: E402
from workbook_fixtures import (  # noqa: E402
    MINI_MONTHS,
    MINI_TEAMS,
    SAMPLE,
    generate_ok,
    kent_template,
    load_workbook,
    run_cli,
    write_synthetic_export,
)

from scorecard_xl.engine.calculator import activity_table  # noqa: E402
from scorecard_xl.model import InputError, Problem  # noqa: E402
from scorecard_xl.reading.reader import read_export  # noqa: E402

pytestmark = pytest.mark.filterwarnings("ignore:Sparkline Group extension is not supported")

AUG = dt.datetime(2016, 8, 1)
PF = "PF Cases"
PF_WARNING = (f"{PF} is not recorded for Aug 2016 (its cells are blank in every row of that month); "
              "the activity table shows it empty")
ACTIVITY_SHEET = "SCS Activity"
HEADER_ROW = 4  # the activity table's header, as Excel numbers it (title, note, link above it)


# ----------------------------------------------------------------------------- helpers

def blank_measure(source: Path, target: Path, column: str, when: dt.datetime, rows: int | None = None) -> int:
    """A copy of an export with the measure's Activity cells blanked for the month (every row,
    or the first `rows` rows of that month); returns how many cells were blanked."""
    book = load_workbook(source)
    ws = book["Activity"]
    header = [c.value for c in ws[1]]
    col = header.index(column) + 1
    blanked = 0
    for r in range(2, ws.max_row + 1):
        if ws.cell(r, 1).value == when and (rows is None or blanked < rows):
            ws.cell(r, col).value = None
            blanked += 1
    book.save(target)
    return blanked


_sheets: dict[tuple[Path, str], list[tuple]] = {}


def sheet_values(path: Path, sheet: str) -> list[tuple]:
    """A sheet's cell values, row by row (read-only openpyxl: only that sheet is parsed; cached)."""
    if (path, sheet) not in _sheets:
        book = load_workbook(path, read_only=True)
        _sheets[path, sheet] = list(book[sheet].iter_rows(values_only=True))
        book.close()
    return _sheets[path, sheet]


def activity_grid(path: Path) -> dict[str, dict[str, object]]:
    """The activity sheet's table: {unit: {heading: value}}."""
    rows = sheet_values(path, ACTIVITY_SHEET)[HEADER_ROW - 1:]
    headings = rows[0]
    assert headings[0] == "Unit", headings
    return {row[0]: dict(zip(headings[1:], row[1:], strict=False)) for row in rows[1:] if row[0] is not None}


def quality_warnings(path: Path) -> list[tuple]:
    """The Data Quality sheet's warnings: (Severity, Sheet, Row, Column, Message) rows."""
    rows = sheet_values(path, "Data Quality")
    start = rows.index(("Severity", "Sheet", "Row", "Column", "Message"))
    assert rows[start - 1][0] == f"Warnings ({len(rows) - start - 1})", rows[start - 1]
    return rows[start + 1:]


def read_errors(path, template) -> list[Problem]:
    with pytest.raises(InputError) as info:
        read_export(path, template)
    return info.value.errors


def only(problems, **wanted) -> Problem:
    """The one problem whose attributes are as given (`text`: a part of the message)."""
    text = wanted.pop("text", None)
    found = [p for p in problems if all(getattr(p, k) == v for k, v in wanted.items())
             and (text is None or text in p.message)]
    assert len(found) == 1, "\n".join(map(str, problems))
    return found[0]


# ----------------------------------------------------------------------------- the sample, PF Cases not recorded

needs_sample = pytest.mark.skipif(not SAMPLE.exists(), reason="the sample export is not in this checkout")


@pytest.fixture(scope="module")
def pf_runs(tmp_path_factory):
    """The sample and a copy with PF Cases blank in every Aug 2016 row, each generated (county
    workbook, and East Kent's own) through the command line."""
    folder = tmp_path_factory.mktemp("pf")
    original = shutil.copyfile(SAMPLE, folder / SAMPLE.name)
    blanked = folder / "kent_export_pf_not_recorded.xlsx"
    count = blank_measure(original, blanked, PF, AUG)
    assert count > 20  # every team row of Aug 2016
    return {
        "original": original,
        "blanked": blanked,
        "original_book": generate_ok(original, folder / "original.xlsx"),
        "blanked_book": generate_ok(blanked, folder / "blanked.xlsx"),
        "original_east": generate_ok(original, folder / "original-east.xlsx", "--unit", "East Kent"),
        "blanked_east": generate_ok(blanked, folder / "blanked-east.xlsx", "--unit", "East Kent"),
    }


@pytest.mark.slow
@needs_sample
def test_unrecorded_measure_validates_with_one_warning(pf_runs):
    proc = run_cli("validate", pf_runs["blanked"])
    assert proc.returncode == 0, proc.stdout + proc.stderr
    lines = [ln for ln in proc.stderr.splitlines() if "not recorded" in ln]
    assert lines == [f"warning: sheet 'Activity', column '{PF}': {PF_WARNING}"], proc.stderr
    # Nothing else changes: the same other warnings as the unmodified sample.
    before = run_cli("validate", pf_runs["original"])
    assert before.returncode == 0, before.stderr
    assert "not recorded" not in before.stderr
    assert sorted(set(proc.stderr.splitlines()) - set(before.stderr.splitlines())) == lines


@needs_sample
def test_unrecorded_measure_is_empty_in_the_activity_table(pf_runs):
    before, after = activity_grid(pf_runs["original_book"]), activity_grid(pf_runs["blanked_book"])
    assert list(after) == list(before) and len(after) > 20
    this, last, change = f"{PF} - This month", f"{PF} - Last month", f"{PF} - Change"
    assert before["Kent"][this] == 25 and before["Kent"][last] == 24  # the published figures
    for unit, figures in after.items():
        assert figures[this] is None, unit  # empty, not 0
        assert figures[change] is None, unit
        assert figures[last] == before[unit][last] and isinstance(figures[last], int), unit
        others = {k: v for k, v in figures.items() if k not in (this, change)}
        assert others == {k: v for k, v in before[unit].items() if k not in (this, change)}, unit
    # Units with no PF cases last month stay 0, not empty: only the unrecorded month is empty.
    assert any(figures[last] == 0 for figures in after.values())


@needs_sample
def test_unrecorded_measure_on_the_data_quality_sheet(pf_runs):
    warnings = quality_warnings(pf_runs["blanked_book"])
    assert [w for w in warnings if "not recorded" in str(w[4])] == [("warning", "Activity", None, PF, PF_WARNING)]
    assert not [w for w in quality_warnings(pf_runs["original_book"]) if "not recorded" in str(w[4])]
    # The raw Activity Data sheet leaves the cells empty, and keeps every row.
    rows = sheet_values(pf_runs["blanked_book"], "Activity Data")[3:]
    header, body = rows[0], [r for r in rows[1:] if r[0] is not None]
    col, month_col = header.index(PF), header.index("Month")
    assert len(body) == len(sheet_values(pf_runs["original_book"], "Activity Data")) - 4
    original = {r[-1]: r[col] for r in sheet_values(pf_runs["original_book"], "Activity Data")[4:]}
    assert all(r[col] is None for r in body if r[month_col] == AUG)
    # Other months' figures as they were (the column holds empty cells, so its numbers may read back as floats).
    assert all(r[col] == original[r[-1]] and r[col] is not None for r in body if r[month_col] != AUG)


@needs_sample
def test_unit_workbook_shows_the_unrecorded_measure_empty(pf_runs):
    before, after = activity_grid(pf_runs["original_east"]), activity_grid(pf_runs["blanked_east"])
    assert next(iter(after)) == "East Kent" and list(after) == list(before)
    for unit, figures in after.items():
        assert figures[f"{PF} - This month"] is None and figures[f"{PF} - Change"] is None, unit
        assert figures[f"{PF} - Last month"] == before[unit][f"{PF} - Last month"], unit
        assert figures["Caseloads - This month"] == before[unit]["Caseloads - This month"], unit
    assert ("warning", "Activity", None, PF, PF_WARNING) in quality_warnings(pf_runs["blanked_east"])


@pytest.mark.slow
@needs_sample
def test_one_blank_among_numbers_is_still_an_error(tmp_path):
    path = tmp_path / "one_blank.xlsx"
    assert blank_measure(SAMPLE, path, PF, AUG, rows=1) == 1
    row = next(r for r, values in enumerate(sheet_values(path, "Activity")[1:], start=2) if values[0] == AUG)
    errors = read_errors(path, kent_template())
    error = only(errors, sheet="Activity", column=PF)
    assert error.row == row and "a number is required" in error.message
    proc = run_cli("validate", path)
    assert proc.returncode == 1
    assert f"error: sheet 'Activity', row {row}, column '{PF}': empty" in proc.stderr, proc.stderr
    assert "not recorded" not in proc.stderr


# ----------------------------------------------------------------------------- the rule, on small exports

TWO_MONTHS = [
    # Excel rows 2..7: Caseloads, New Referrals
    ["2016-07", "N1", 10, 3],
    ["2016-07", "S1", 20, 4],
    ["2016-07", "N2", 5, 1],
    ["2016-08", "N1", 12, None],
    ["2016-08", "S1", 22, None],
    ["2016-08", "S2", 7, None],
]
ONE_INDICATOR = [["2016-08", "PSS", "N1", "N", 1, 10]]


def test_measure_blank_in_every_row_of_a_month_is_not_recorded(write_export, tiny):
    export = read_export(write_export(TWO_MONTHS, ONE_INDICATOR), tiny)
    referrals = export.activity["New Referrals"]
    assert list(referrals[:3]) == [3, 4, 1]
    assert referrals[3:].isna().all()
    assert list(export.activity["Caseloads"]) == [10, 20, 5, 12, 22, 7]
    warning = only(export.warnings, text="not recorded")
    assert warning == Problem("warning", "New Referrals is not recorded for Aug 2016 (its cells are blank in "
                                         "every row of that month); the activity table shows it empty",
                              "Activity", None, "New Referrals")


def test_one_warning_per_measure_and_month(write_export, tiny):
    rows = [["2016-06", "N1", None, None], ["2016-06", "S1", " ", None],  # neither recorded in Jun
            ["2016-07", "N1", 1, 2], ["2016-07", "S1", 3, 4],
            ["2016-08", "N1", 5, None], ["2016-08", "S1", 6, None]]  # referrals not recorded in Aug
    export = read_export(write_export(rows, ONE_INDICATOR), tiny)
    found = [(p.column, p.message.split(" is not recorded for ")[1][:8])
             for p in export.warnings if "not recorded" in p.message]
    assert found == [("Caseloads", "Jun 2016"), ("New Referrals", "Jun 2016"), ("New Referrals", "Aug 2016")]


def test_blank_among_numbers_of_the_month_is_an_error_naming_its_rows(write_export, tiny):
    rows = [row[:] for row in TWO_MONTHS]
    rows[4][3] = 2  # S1 has referrals in Aug; N1 (row 5) and S2 (row 7) are blank
    errors = read_errors(write_export(rows, ONE_INDICATOR), tiny)
    error = only(errors, sheet="Activity", column="New Referrals")
    assert error.rows == (5, 7) and "a number is required" in error.message
    assert "rows 5, 7" in str(error)
    # A text value among blanks is not "not recorded" either: the blanks are errors too.
    rows[4][3] = "n/a"
    errors = read_errors(write_export(rows, ONE_INDICATOR), tiny)
    assert only(errors, column="New Referrals", text="not a number").row == 6
    assert only(errors, column="New Referrals", text="a number is required").rows == (5, 7)


def test_activity_table_shows_an_unrecorded_month_empty(tiny):
    aug, jul = month("2016-08"), month("2016-07")
    recorded = activity_rows([("2016-07", "N1", 10, 3), ("2016-07", "S1", 20, 4), ("2016-07", "N2", 5, 1),
                              ("2016-08", "N1", 12, None), ("2016-08", "S1", 22, None),
                              ("2016-08", "S2", 7, None)])
    table = activity_table(recorded, tiny, aug).set_index("Unit")
    # Events not recorded in Aug: empty for every unit, including one with no rows (N2).
    assert table["Referrals in month"].isna().all()
    # Caseloads recorded: sums as before; N2 has no Aug row but Aug has data: 0, not empty.
    assert table.loc["County", "Caseloads - This month"] == 41
    assert table.loc["N2", "Caseloads - This month"] == 0
    assert table.loc["N2", "Caseloads - Change"] == -5
    assert table.loc["County", "Caseloads - Last month"] == 35

    # A snapshot measure not recorded last month: last month and the change are empty.
    rows = activity_rows([("2016-07", "N1", None, 3), ("2016-07", "S1", None, 4),
                          ("2016-08", "N1", 12, 1), ("2016-08", "S1", 22, 2)])
    table = activity_table(rows, tiny, aug).set_index("Unit")
    assert table.loc["County", "Caseloads - This month"] == 34
    assert table.loc["N2", "Caseloads - This month"] == 0
    assert table["Caseloads - Last month"].isna().all()
    assert table["Caseloads - Change"].isna().all()
    assert table.loc["County", "Referrals in month"] == 3
    # And for Jul as the reporting month: this month and change empty, last month (Jun) absent.
    table = activity_table(rows, tiny, jul).set_index("Unit")
    assert table["Caseloads - This month"].isna().all() and table["Caseloads - Change"].isna().all()
    assert table.loc["County", "Referrals in month"] == 7


# ----------------------------------------------------------------------------- the Notes sheet

GOOD_ACTIVITY = [["2016-08", "N1", 12, 3], ["2016-08", "S1", 6, 2]]


def test_notes_become_warnings_in_order(write_export, tiny):
    notes = [["Month", "Note"],
             ["2016-08", "List 4: 12 assessments with child seen Unknown, counted as not seen"],  # row 2
             [None, "A note for the whole export"],                                               # row 3
             [None, None],                                                                        # row 4: blank
             [dt.datetime(2016, 7, 15), "Repeated"],                                              # row 5
             ["", "Repeated"],                                                                    # row 6
             ["2016-08", None]]                                                                   # row 7: no note
    path = write_export(GOOD_ACTIVITY, ONE_INDICATOR, extra_sheets={"Notes": notes})
    export = read_export(path, tiny)
    got = [p for p in export.warnings if p.sheet == "Notes"]
    assert got == [
        Problem("warning", "Aug 2016: List 4: 12 assessments with child seen Unknown, counted as not seen",
                "Notes", 2, "Note"),
        Problem("warning", "A note for the whole export", "Notes", 3, "Note"),
        Problem("warning", "Jul 2016: Repeated", "Notes", 5, "Note"),
        Problem("warning", "Repeated", "Notes", 6, "Note"),
    ]
    assert export.rows_read["Notes"] == 4


def test_notes_sheet_and_columns_are_matched_ignoring_case_and_spaces(write_export, tiny):
    notes = [[" NOTE ", "month"], ["First", "Aug 2016"], ["Second", None]]
    path = write_export(GOOD_ACTIVITY, ONE_INDICATOR, extra_sheets={"no tes": notes})
    export = read_export(path, tiny)
    assert [(p.sheet, p.row, p.message) for p in export.warnings] == [
        ("no tes", 2, "Aug 2016: First"), ("no tes", 3, "Second")]


def test_notes_without_month_column_and_every_note_listed(write_export, tiny):
    notes = [["Note"], *[[f"observation {i}"] for i in range(30)]]
    export = read_export(write_export(GOOD_ACTIVITY, ONE_INDICATOR, extra_sheets={"Notes": notes}), tiny)
    # Never summarised as "... more warning(s)" like repeated problems in a column.
    assert [p.message for p in export.warnings] == [f"observation {i}" for i in range(30)]
    assert [p.row for p in export.warnings] == list(range(2, 32))


@pytest.mark.parametrize("sheet", [[["Month", "Note"]], [["Note"], [None], [" "]], []],
                         ids=["header only", "blank rows", "no cells"])
def test_empty_notes_sheet_is_fine(write_export, tiny, sheet):
    export = read_export(write_export(GOOD_ACTIVITY, ONE_INDICATOR, extra_sheets={"Notes": sheet}), tiny)
    assert export.warnings == []
    assert export.rows_read["Notes"] == 0


def test_no_notes_sheet_reads_as_before(write_export, tiny):
    export = read_export(write_export(GOOD_ACTIVITY, ONE_INDICATOR), tiny)
    assert export.warnings == []
    assert export.rows_read == {"Activity": 2, "Indicators": 1, "Commentary": 0}


def test_unreadable_note_month_is_an_error(write_export, tiny):
    notes = [["Month", "Note"], ["2016-13", "A note"], ["2016-08", "Fine"]]
    errors = read_errors(write_export(GOOD_ACTIVITY, ONE_INDICATOR, extra_sheets={"Notes": notes}), tiny)
    error = only(errors, sheet="Notes")
    assert (error.row, error.column) == (2, "Month") and "cannot read '2016-13' as a month" in error.message


def test_notes_sheet_without_note_column_is_an_error(write_export, tiny):
    notes = [["Month", "Comment"], ["2016-08", "A note"]]
    errors = read_errors(write_export(GOOD_ACTIVITY, ONE_INDICATOR, extra_sheets={"Notes": notes}), tiny)
    assert "missing column 'Note'" in only(errors, sheet="Notes").message


def _with_notes(notes: list[list]):
    def mutate(sheets):
        sheets["Notes"] = notes
    return mutate


@pytest.mark.slow
def test_notes_appear_on_the_data_quality_sheet(tmp_path):
    notes = [["Month", "Note"],
             [AUG, "List 4: 12 assessments with child seen Unknown, counted as not seen"],
             [None, "=SUM(A1:A2) is text, not a formula"]]
    export = write_synthetic_export(tmp_path / "synthetic_export_notes.xlsx", teams=MINI_TEAMS, months=MINI_MONTHS,
                                    mutate=_with_notes(notes))
    book = generate_ok(export, tmp_path / "notes.xlsx")
    warnings = quality_warnings(book)
    assert [w for w in warnings if w[1] == "Notes"] == [
        ("warning", "Notes", 2, "Note", ("Aug 2016: List 4: 12 assessments with child seen Unknown, counted as "
                                         "not seen")),
        ("warning", "Notes", 3, "Note", "=SUM(A1:A2) is text, not a formula"),
    ]
    proc = run_cli("validate", export)
    assert proc.returncode == 0, proc.stderr
    assert ("warning: sheet 'Notes', row 2, column 'Note': Aug 2016: List 4: 12 assessments with child seen "
            "Unknown, counted as not seen") in proc.stderr
    assert "Notes 2 rows" in proc.stdout


@pytest.mark.slow
def test_empty_notes_sheet_generates(tmp_path):
    plain = write_synthetic_export(tmp_path / "synthetic_export_plain.xlsx", teams=MINI_TEAMS, months=MINI_MONTHS)
    export = write_synthetic_export(tmp_path / "synthetic_export_empty_notes.xlsx", teams=MINI_TEAMS,
                                    months=MINI_MONTHS, mutate=_with_notes([["Month", "Note"]]))
    with_notes = quality_warnings(generate_ok(export, tmp_path / "empty_notes.xlsx"))
    assert with_notes == quality_warnings(generate_ok(plain, tmp_path / "plain.xlsx"))
    assert not [w for w in with_notes if w[1] == "Notes"]

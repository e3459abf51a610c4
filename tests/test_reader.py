"""Reading an export: what is accepted, and every error named by sheet, Excel row and column."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest
from conftest import (
    ACTIVITY_HEADER,
    COMMENTARY_HEADER,
    INDICATOR_HEADER,
    write_workbook,
)

from scorecard_xl.model import SCALE, InputError, Problem, problem_count
from scorecard_xl.reading.reader import parse_month, read_export

AUG = pd.Timestamp(2016, 8, 1)

GOOD_ACTIVITY = [
    # Excel row 2..5
    [dt.date(2016, 8, 31), "N1", 12, 3],
    ["2016-08", "S1", 6, 2],
    ["Aug 2016", "N2", 5, 1],
    ["August 2016", "S2", 4, 0],
]
GOOD_INDICATORS = [
    # Excel row 2..8
    [dt.date(2016, 8, 1), "PSS", "N1", "N", 13, 100],
    ["2016-08", "PSS", "S1", "Y", 2, 10],
    ["Aug 2016", "CNT", "N1", "N", 3, None],
    ["August 2016", "FTE", "N1", "N", 8.3, 10.25],
    ["2016-08", "CASE", "S1", "N", 150, 10.5],
    ["2016-08", "AVG", "S2", "N", 6000, 5],          # an average may exceed 1
    ["2016-08", "PSS", "S1", "N", 5, 50],            # same team, other UASC status: not a duplicate
]
GOOD_COMMENTARY = [["2016-08", "CNT", "Two workers left."]]


def read_errors(path, template) -> list[Problem]:
    with pytest.raises(InputError) as info:
        read_export(path, template)
    # One line may stand for the same error on many rows: the total counts every one.
    assert info.value.error_count == sum(p.count for p in info.value.errors)
    first_lines = [f"{info.value.error_count:,} error(s) in the input:", *map(str, info.value.errors[:10])]
    assert str(info.value).splitlines()[:11] == first_lines
    return info.value.errors


def find(problems, *, sheet=None, row=None, column=None, text=None) -> Problem:
    """The one problem matching everything given (fails listing all problems otherwise)."""
    found = [p for p in problems
             if (sheet is None or p.sheet == sheet) and (row is None or p.row == row)
             and (column is None or p.column == column) and (text is None or text in p.message)]
    assert len(found) == 1, "\n".join(str(p) for p in problems)
    return found[0]


# ----------------------------------------------------------------------------- a good export

def test_good_export_is_read(write_export, tiny):
    export = read_export(write_export(GOOD_ACTIVITY, GOOD_INDICATORS, GOOD_COMMENTARY), tiny)
    act = export.activity
    assert list(act["Unit"]) == ["N1", "S1", "N2", "S2"]
    assert (act["Month"] == AUG).all()
    assert list(act["Row"]) == [2, 3, 4, 5]
    assert list(act["Caseloads"]) == [12, 6, 5, 4]
    assert list(act["New Referrals"]) == [3, 2, 1, 0]

    ind = export.indicators
    assert (ind["Month"] == AUG).all()
    assert list(ind["Indicator"]) == ["PSS", "PSS", "CNT", "FTE", "CASE", "AVG", "PSS"]
    assert list(ind["UASC"]) == [False, True, False, False, False, False, False]
    assert list(ind["Row"]) == [2, 3, 4, 5, 6, 7, 8]
    # Numerators and denominators in 1/SCALE units, exactly; a count has denominator 0.
    assert list(ind["Numerator"]) == [13 * SCALE, 2 * SCALE, 3 * SCALE, 83_000, 150 * SCALE, 6000 * SCALE,
                                      5 * SCALE]
    assert list(ind["Denominator"]) == [100 * SCALE, 10 * SCALE, 0, 102_500, 105_000, 5 * SCALE, 50 * SCALE]

    com = export.commentary
    assert list(com["Commentary"]) == ["Two workers left."]
    assert com["Month"].iloc[0] == AUG
    assert export.warnings == []
    assert export.rows_read == {"Activity": 4, "Indicators": 7, "Commentary": 1}


def test_commentary_sheet_is_optional(write_export, tiny):
    export = read_export(write_export(GOOD_ACTIVITY, GOOD_INDICATORS, None), tiny)
    assert export.commentary.empty
    assert list(export.commentary.columns) == ["Month", "Indicator", "Unit", "Commentary", "Row"]


def test_sheet_and_column_names_ignore_case_and_spaces(write_export, tiny):
    path = write_export(
        GOOD_ACTIVITY, GOOD_INDICATORS, GOOD_COMMENTARY,
        names={"Activity": "ACTIVITY", "Indicators": "indicators", "Commentary": "Com mentary"},
        activity_header=["month", " TEAM ", "case loads", "NewReferrals"],
        indicator_header=["MONTH", "indicator", "Team", "uasc", "Numer ator", "DENOMINATOR"],
        commentary_header=["Month", "INDICATOR", "commentary"],
    )
    export = read_export(path, tiny)
    assert list(export.activity["Caseloads"]) == [12, 6, 5, 4]
    assert list(export.activity["New Referrals"]) == [3, 2, 1, 0]
    assert export.indicators["Numerator"].iloc[0] == 13 * SCALE
    assert list(export.commentary["Commentary"]) == ["Two workers left."]


def test_columns_in_any_order_with_extra_column_warned(write_export, tiny):
    header = ["Team", "Notes", "Denominator", "Numerator", "UASC", "Indicator", "Month"]
    rows = [["N1", "x", 100, 13, "N", "PSS", "2016-08"]]
    export = read_export(write_export(GOOD_ACTIVITY, rows, indicator_header=header), tiny)
    assert export.indicators["Numerator"].iloc[0] == 13 * SCALE
    assert export.indicators["Denominator"].iloc[0] == 100 * SCALE
    warning = find(export.warnings, text="extra column")
    assert warning.column == "Notes"


def test_indicator_ids_written_as_numbers_are_read_as_text(write_export, kent):
    activity = [["2016-08", "Dartford CSWT", *([1] * 11)]]
    header = ["Month", "Team", *[m.column for m in kent.activity_measures]]
    rows = [["2016-08", 41, "Dartford CSWT", "N", 404.3, 487.5],    # FTE: fractional allowed
            ["2016-08", 3, "Kent", "N", 75, None]]
    export = read_export(write_export(activity, rows, activity_header=header), kent)
    assert list(export.indicators["Indicator"]) == ["41", "3"]
    assert list(export.indicators["Numerator"]) == [4_043_000, 75 * SCALE]
    assert export.indicators["Denominator"].iloc[0] == 4_875_000


# ----------------------------------------------------------------------------- months

EXCEL_SERIAL_2016_08_15 = (dt.date(2016, 8, 15) - dt.date(1899, 12, 30)).days  # 42597


@pytest.mark.parametrize("written", [
    dt.date(2016, 8, 1), dt.date(2016, 8, 31), "2016-08", "2016-8", "2016-08-31", "Aug 2016", "August 2016",
    "aug 2016", "AUGUST 2016", "Aug-2016", EXCEL_SERIAL_2016_08_15,
])
def test_month_formats(write_export, tiny, written):
    rows = [[written, "PSS", "N1", "N", 1, 2]]
    export = read_export(write_export(GOOD_ACTIVITY, rows), tiny)
    assert export.indicators["Month"].iloc[0] == AUG


@pytest.mark.parametrize("written, expected", [
    ("2016-08", AUG), (" Aug 2016 ", AUG), ("August 2016", AUG), (dt.datetime(2016, 8, 20, 13, 5), AUG),
    ("2016-13", None), ("Agu 2016", None), ("sometime", None), ("", None), ("08/2016x", None),
])
def test_parse_month(written, expected):
    assert parse_month(written) == expected


def test_unreadable_month_is_an_error(write_export, tiny):
    rows = [["2016-08", "PSS", "N1", "N", 1, 2], ["Agu 2016", "PSS", "N2", "N", 1, 2]]
    errors = read_errors(write_export(GOOD_ACTIVITY, rows), tiny)
    p = find(errors, sheet="Indicators", row=3, column="Month")
    assert "'Agu 2016'" in p.message


# ----------------------------------------------------------------------------- structure errors

def test_missing_sheet_suggests_closest(write_export, tiny):
    path = write_export(GOOD_ACTIVITY, False, extra_sheets={"Indicator": [INDICATOR_HEADER]})
    errors = read_errors(path, tiny)
    p = find(errors, text="missing sheet 'Indicators'")
    assert "closest: 'Indicator'" in p.message


def test_missing_column_suggests_closest(write_export, tiny):
    header = ["Month", "Indicator", "Team", "UASC", "Numerater", "Denominator"]
    errors = read_errors(write_export(GOOD_ACTIVITY, GOOD_INDICATORS, indicator_header=header), tiny)
    p = find(errors, text="missing column 'Numerator'")
    assert p.sheet == "Indicators"
    assert p.row == 1
    assert "closest: 'Numerater'" in p.message


def test_missing_activity_measure_column(write_export, tiny):
    header = ["Month", "Team", "Caseload", "New Referrals"]
    errors = read_errors(write_export(GOOD_ACTIVITY, GOOD_INDICATORS, activity_header=header), tiny)
    p = find(errors, sheet="Activity", row=1, text="missing column 'Caseloads'")
    assert "closest: 'Caseload'" in p.message


def test_header_below_title_rows_is_located(tmp_path, tiny):
    """An export with a title row or two above the header: one error a sheet saying where the
    header is, not every column listed as missing."""
    path = write_workbook(tmp_path / "export.xlsx", {
        "Activity": [["Activity, August 2016"], ["Produced 1 Sep 2016"], ACTIVITY_HEADER, *GOOD_ACTIVITY],
        # A title row, and the header below it with one column misspelt: the header is still found.
        "Indicators": [["Indicators"], ["Month", "Indicator", "Team", "UASC", "Numerater", "Denominator"],
                       *GOOD_INDICATORS],
        "Commentary": [COMMENTARY_HEADER, *GOOD_COMMENTARY],
    })
    errors = read_errors(path, tiny)
    assert [str(p) for p in errors] == [
        "error: sheet 'Activity', row 1: the header must be in row 1, but it is in row 3; delete the 2 rows above it",
        "error: sheet 'Indicators', row 1: the header must be in row 1, but it is in row 2; delete the 1 row above it",
    ]


def test_header_is_looked_for_in_the_first_ten_rows_only(tmp_path, tiny):
    titles = [[f"title line {n}"] for n in range(10)]
    path = write_workbook(tmp_path / "export.xlsx", {"Activity": [*titles, ACTIVITY_HEADER, *GOOD_ACTIVITY],
                                                     "Indicators": [INDICATOR_HEADER, *GOOD_INDICATORS]})
    errors = read_errors(path, tiny)
    assert {p.message.split(" (")[0] for p in errors} == {f"missing column {c!r}" for c in ACTIVITY_HEADER}


def test_not_a_spreadsheet(tmp_path, tiny):
    path = tmp_path / "export.xlsx"
    path.write_text("not a workbook", encoding="utf-8")
    with pytest.raises(InputError) as info:
        read_export(path, tiny)
    assert "export.xlsx" in str(info.value.errors[0].message)


# ----------------------------------------------------------------------------- cell errors

def test_unknown_team_suggests_closest(write_export, tiny):
    rows = [
        ["2016-08", "PSS", "N1", "N", 1, 2],
        ["2016-08", "PSS", "N9", "N", 1, 2],     # row 3: unknown team
        ["2016-08", "PSS", "Sooth", "N", 1, 2],  # row 4: unknown team, close to South
    ]
    activity = [["2016-08", "N1", 1, 1], ["2016-08", "Nrth", 1, 1]]  # Activity row 3
    errors = read_errors(write_export(activity, rows), tiny)
    assert "unknown team 'N9'" in find(errors, sheet="Indicators", row=3, column="Team").message
    p = find(errors, sheet="Indicators", row=4, column="Team")
    assert "unknown team 'Sooth'" in p.message and "South" in p.message
    p = find(errors, sheet="Activity", row=3, column="Team")
    assert "'Nrth'" in p.message and "North" in p.message
    assert len(errors) == 3


def test_unknown_indicator_suggests_closest(write_export, tiny):
    # BUG (reported): the reader crashes with AttributeError ('float' object has no attribute
    # 'has_denominator') instead of reporting the unknown indicator as an InputError.
    rows = [
        ["2016-08", "PSS", "N1", "N", 1, 2],
        ["2016-08", "PS5", "N1", "N", 1, 2],    # row 3: unknown indicator
    ]
    errors = read_errors(write_export(GOOD_ACTIVITY, rows), tiny)
    p = find(errors, sheet="Indicators", row=3, column="Indicator")
    assert "unknown indicator 'PS5'" in p.message and "PSS" in p.message
    assert len(errors) == 1


def test_unknown_indicator_in_commentary(write_export, tiny):
    errors = read_errors(write_export(GOOD_ACTIVITY, GOOD_INDICATORS, [["2016-08", "CTN", "note"]]), tiny)
    p = find(errors, sheet="Commentary", row=2, column="Indicator")
    assert "'CTN'" in p.message and "CNT" in p.message


@pytest.mark.parametrize("numerator, denominator, column, fragment", [
    ("abc", 10, "Numerator", "'abc' is not a number"),
    (1, "ten", "Denominator", "'ten' is not a number"),
    (-1, 10, "Numerator", "negative"),
    (1, -10, "Denominator", "negative"),
    (2.5, 10, "Numerator", "not a whole number"),
    (2, 10.5, "Denominator", "not a whole number"),
    (None, 10, "Numerator", "empty"),
    (1, None, "Denominator", "empty"),
    (11, 10, "Numerator", "greater than denominator"),
])
def test_bad_values_in_a_percent_row(write_export, tiny, numerator, denominator, column, fragment):
    rows = [["2016-08", "PSS", "N1", "N", 1, 2], ["2016-08", "PSS", "N2", "N", numerator, denominator]]
    errors = read_errors(write_export(GOOD_ACTIVITY, rows), tiny)
    p = find(errors, sheet="Indicators", row=3, column=column)
    assert fragment in p.message
    assert len(errors) == 1


@pytest.mark.parametrize("row, ok", [
    (["2016-08", "FTE", "N1", "N", 8.3, 10.25], True),       # both may be fractional
    (["2016-08", "FTE", "N1", "N", 8.3333, 10], True),       # 4 decimal places
    (["2016-08", "FTE", "N1", "N", 8.33333, 10], False),     # more than 4
    (["2016-08", "CASE", "N1", "N", 150, 10.5], True),       # fractional denominator only
    (["2016-08", "CASE", "N1", "N", 150.5, 10], False),
    (["2016-08", "CNT", "N1", "N", 3.5, None], False),
    (["2016-08", "AVG", "N1", "N", 6000, 5], True),          # average: numerator may exceed denominator
    (["2016-08", "PSS", "N1", "N", 10, 10], True),           # 100% is fine
    (["2016-08", "FTE", "N1", "N", 10.25, 10.2499], False),  # fractional percent still needs n <= d
])
def test_fractional_values_only_where_allowed(write_export, tiny, row, ok):
    path = write_export(GOOD_ACTIVITY, [row])
    if ok:
        read_export(path, tiny)
    else:
        errors = read_errors(path, tiny)
        assert len(errors) == 1
        assert errors[0].row == 2 and errors[0].sheet == "Indicators"
        assert errors[0].column in ("Numerator", "Denominator")


def test_text_negative_and_fractional_activity_counts(write_export, tiny):
    activity = [
        ["2016-08", "N1", "twelve", 3],   # row 2
        ["2016-08", "N2", 5, -1],         # row 3
        ["2016-08", "S1", 1.5, 0],        # row 4
        ["2016-08", "S2", "1,204", 0],    # row 5: a thousands separator is fine
    ]
    errors = read_errors(write_export(activity, GOOD_INDICATORS), tiny)
    assert "'twelve'" in find(errors, sheet="Activity", row=2, column="Caseloads").message
    assert "negative" in find(errors, sheet="Activity", row=3, column="New Referrals").message
    assert "whole number" in find(errors, sheet="Activity", row=4, column="Caseloads").message
    assert len(errors) == 3


def test_uasc_must_be_y_or_n(write_export, tiny):
    rows = [["2016-08", "PSS", "N1", "y", 1, 2], ["2016-08", "PSS", "N2", "Yes", 1, 2]]
    errors = read_errors(write_export(GOOD_ACTIVITY, rows), tiny)
    p = find(errors, sheet="Indicators", row=3, column="UASC")
    assert "'Yes'" in p.message
    assert len(errors) == 1


def test_count_denominator_is_ignored_with_a_warning(write_export, tiny):
    rows = [["2016-08", "CNT", "N1", "N", 3, 7]]
    export = read_export(write_export(GOOD_ACTIVITY, rows), tiny)
    assert export.indicators["Denominator"].iloc[0] == 0
    w = find(export.warnings, sheet="Indicators", row=2, column="Denominator")
    assert w.severity == "warning"


# ----------------------------------------------------------------------------- duplicates, blanks, several errors

def test_duplicate_rows_are_reported_with_both_rows(write_export, tiny):
    rows = [
        ["2016-08", "PSS", "N1", "N", 1, 2],    # row 2
        ["2016-08", "PSS", "N1", "Y", 1, 2],    # row 3: other UASC status, fine
        ["Aug 2016", "PSS", "N1", "N", 1, 3],   # row 4: same month written differently -> duplicate of row 2
        ["2016-07", "PSS", "N1", "N", 1, 2],    # row 5: other month, fine
    ]
    errors = read_errors(write_export(GOOD_ACTIVITY, rows), tiny)
    p = find(errors, text="duplicate")
    assert "rows 2, 4" in p.message
    assert p.sheet == "Indicators"
    assert p.row in (2, 4)
    assert len(errors) == 1


def test_duplicate_activity_and_commentary_rows(write_export, tiny):
    activity = [["2016-08", "N1", 1, 1], ["2016-08", "S1", 1, 1], ["2016-08", "N1", 2, 2]]
    commentary = [["2016-08", "CNT", "a"], ["2016-08", "CNT", "b"]]
    errors = read_errors(write_export(activity, GOOD_INDICATORS, commentary), tiny)
    assert "rows 2, 4" in find(errors, sheet="Activity", text="duplicate").message
    assert "rows 2, 3" in find(errors, sheet="Commentary", text="duplicate").message


def test_blank_rows_are_skipped_and_rows_keep_excel_numbers(write_export, tiny):
    rows = [
        ["2016-08", "PSS", "N1", "N", 1, 2],            # row 2
        [None, None, None, None, None, None],          # row 3: blank
        ["  ", "", None, " ", None, None],             # row 4: only spaces
        ["2016-08", "PSS", "N2", "N", 1, 2],            # row 5
        ["2016-08", "PSS", "N9", "N", 1, 2],            # row 6: unknown team
    ]
    errors = read_errors(write_export(GOOD_ACTIVITY, rows), tiny)
    assert len(errors) == 1
    assert errors[0].row == 6
    export = read_export(write_export(GOOD_ACTIVITY, rows[:4]), tiny)
    assert list(export.indicators["Row"]) == [2, 5]


def test_several_errors_are_reported_at_once(write_export, tiny):
    activity = [["2016-08", "N1", -3, 1], ["Agu 2016", "N2", 1, 1]]
    rows = [
        ["2016-08", "PSS", "N1", "N", 11, 10],        # row 2: n > d
        ["2016-08", "PSS", "N7", "N", 1, 2],          # row 3: unknown team
        ["2016-08", "PSS", "N2", "N", "x", 2],        # row 4: not a number
        ["2016-08", "CNT", "N2", "N", 1.5, None],     # row 5: fractional count
    ]
    commentary = [["2016-08", "PSX", "note"]]
    errors = read_errors(write_export(activity, rows, commentary), tiny)
    where = sorted((p.sheet, p.row, p.column) for p in errors)
    assert where == sorted([
        ("Activity", 2, "Caseloads"),
        ("Activity", 3, "Month"),
        ("Indicators", 2, "Numerator"),
        ("Indicators", 3, "Team"),
        ("Indicators", 4, "Numerator"),
        ("Indicators", 5, "Numerator"),
        ("Commentary", 2, "Indicator"),
    ])
    for p in errors:
        assert p.severity == "error"
        assert str(p).startswith(f"error: sheet {p.sheet!r}, row {p.row}, column {p.column!r}: ")


# ----------------------------------------------------------------------------- the same problem on many rows

def test_a_problem_on_18000_rows_is_one_line_counting_every_row(tmp_path, tiny):
    teams = ["N1", "N2", "N3", "S1", "S2"]
    rows = [["Agu 2016", "PSS", teams[i % 5], "N", 1, 2] for i in range(18_000)]
    path = write_workbook(tmp_path / "export.xlsx", {"Activity": [ACTIVITY_HEADER, *GOOD_ACTIVITY],
                                                     "Indicators": [INDICATOR_HEADER, *rows]})
    with pytest.raises(InputError) as info:
        read_export(path, tiny)
    assert [str(p) for p in info.value.problems] == [
        ("error: sheet 'Indicators', rows 2, 3, 4, 5, 6 and 17,995 more, column 'Month': cannot read 'Agu 2016' as "
         "a month; expected a date or text such as 2016-08 or Aug 2016")]
    (p,) = info.value.errors
    assert p.row == 2 and p.rows == tuple(range(2, 18_002)) and p.count == 18_000
    assert info.value.error_count == 18_000
    assert str(info.value) == "18,000 error(s) in the input:\n" + str(p)


BAD_CELLS = [  # column, bad value, the message for it
    ("Month", "2016-13", "cannot read '2016-13' as a month"),
    ("Indicator", "PSX", "unknown indicator 'PSX' (closest: 'PSS')"),
    ("Indicator", None, "empty; a value is required"),
    ("Team", "Nowhere", "unknown team 'Nowhere'"),
    ("UASC", "Maybe", "'Maybe' is not Y or N"),
    ("Numerator", "n/a", "'n/a' is not a number"),
    ("Denominator", -1, "-1 is negative"),
    ("Numerator", 50, "numerator 50 is greater than denominator 2 for a percentage"),
]


@pytest.mark.parametrize("column, value, message", BAD_CELLS, ids=[f"{c}={v}" for c, v, _ in BAD_CELLS])
@pytest.mark.parametrize("n, rows_text", [(6, "rows 2, 3, 4, 5, 6, 7"), (8, "rows 2, 3, 4, 5, 6 and 3 more")])
def test_every_row_check_names_its_rows_once(write_export, tiny, column, value, message, n, rows_text):
    rows = [[f"2016-{m:02d}", "PSS", "N1", "N", 1, 2] for m in range(1, n + 1)]  # different months: no duplicates
    for row in rows:
        row[INDICATOR_HEADER.index(column)] = value
    errors = read_errors(write_export(GOOD_ACTIVITY, rows), tiny)
    assert len(errors) == 1, "\n".join(map(str, errors))
    assert str(errors[0]).startswith(f"error: sheet 'Indicators', {rows_text}, column {column!r}: {message}")
    assert errors[0].count == n


def test_a_warning_on_many_rows_is_one_line(write_export, tiny):
    rows = [[f"2016-{m:02d}", "CNT", "N1", "N", 3, 7] for m in range(1, 9)]  # a count with a denominator
    (warning,) = read_export(write_export(GOOD_ACTIVITY, rows), tiny).warnings
    assert str(warning) == ("warning: sheet 'Indicators', rows 2, 3, 4, 5, 6 and 3 more, column 'Denominator': "
                            "a count indicator has no denominator; this value is ignored")
    assert warning.count == 8


def test_different_problems_in_a_column_are_listed_up_to_20_and_the_rest_counted(write_export, tiny):
    months = pd.date_range("2014-01-01", periods=30, freq="MS")
    rows = [[f"{m:%Y-%m}", "PSS", "N1", "N", -(i + 1), 100] for i, m in enumerate(months)]  # rows 2 to 31
    # Rows for the county and each team in 12 months: 60 rows counted twice.
    activity = [[f"{m:%Y-%m}", team, 1, 1] for m in months[:12] for team in ["County", "N1", "N2", "N3", "S1", "S2"]]
    errors = read_errors(write_export(activity, rows), tiny)
    numerator = [p for p in errors if p.column == "Numerator"]
    assert [p.message for p in numerator[:20]] == [f"-{i} is negative; counts cannot be" for i in range(1, 21)]
    assert [p.row for p in numerator[:20]] == list(range(2, 22))
    assert str(numerator[20]) == ("error: sheet 'Indicators', column 'Numerator': 10 more error(s) in this column, "
                                  "in rows 22 to 31, are not listed; correct those above and validate again to "
                                  "see them")
    assert numerator[20].count == 10 and len(numerator) == 21
    # Nothing dropped silently: every pair counted twice is listed or counted.
    twice = [p for p in errors if p.sheet == "Activity"]
    assert len(twice) == 21 and all("counted twice" in p.message for p in twice[:20])
    assert twice[20].message.startswith("40 more error(s) in this column") and twice[20].count == 40
    assert sum(p.count for p in errors) == 30 + 60


def test_problem_location_text():
    p = Problem("error", "bad", "Indicators", 7, "Numerator")
    assert str(p) == "error: sheet 'Indicators', row 7, column 'Numerator': bad"
    assert str(Problem("warning", "note")) == "warning: note"
    err = InputError([p, Problem("warning", "w")])
    assert err.errors == [p]
    assert str(err) == "1 error(s) in the input:\n" + str(p)
    many = Problem("error", "bad", "Indicators", 2, "Month", count=7, rows=(2, 3, 5, 8, 13, 21, 34))
    assert str(many) == "error: sheet 'Indicators', rows 2, 3, 5, 8, 13 and 2 more, column 'Month': bad"
    summary = Problem("error", "9 more", "Indicators", None, "Month", count=9)
    assert str(summary) == "error: sheet 'Indicators', column 'Month': 9 more"
    err = InputError([p, many, summary, Problem("warning", "w", count=4)])
    assert err.error_count == 17 and str(err).splitlines() == [
        "17 error(s) in the input:", str(p), str(many), str(summary)]
    assert problem_count(err.problems) == 21

"""Annex A files as councils' systems really write them, read by read_annex_a: Excel error cells,
month-first and SQL Server text dates, formulas in every format (.xlsx with namespace prefixes
and shared formulas, .ods), headers matched by the liia-tools schema's patterns, sheets found by
their headers, codes as councils word them, blank teams, empty lists and optional columns.

Every file is written by the helpers in annex_a_variants.py; messages are asserted exactly."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd
import pytest
from annex_a_variants import (
    ASH,
    COVERED,
    GOOD,
    Formula,
    Repeat,
    add_error_cells,
    annex_sheets,
    drop_cell_references,
    prefix_namespaces,
    replace_cells,
    write_ods,
    write_xlsx,
)

from scorecard_xl.annex_a.lists import list_number
from scorecard_xl.annex_a.reading import read_annex_a
from scorecard_xl.model import InputError

D = dt.date
REPORT = D(2016, 8, 31)
UASC = "Unaccompanied Asylum Seeking Child (UASC) within the Last 12 Months (Y/N)"
FIX_ERROR = "correct the formula or lookup that gave it, or type the value in, and save the file again"
NO_VALUE = ("holds a formula with no value saved (the program that wrote the file did not calculate it); open the "
            "file in Excel, paste the cells as values and save it again")


def problems_of(path: Path, severity: str = "error", **options) -> list[str]:
    """The problems of one severity, as printed; errors raise, so they come from the exception."""
    try:
        read = read_annex_a(path, REPORT, **options)
        found = read.problems
    except InputError as caught:
        found = caught.problems
    return [str(p) for p in found if p.severity == severity]


def located(file: str, sheet: str | None, row: int | None, column: str | None, message: str,
            severity: str = "error") -> str:
    where = [f"file {file!r}"] + ([f"sheet {sheet!r}"] if sheet else []) + ([f"row {row}"] if row else []) \
        + ([f"column {column!r}"] if column else [])
    return f"{severity}: {', '.join(where)}: {message}"


# ----------------------------------------------------------------------------- Excel error cells

def test_excel_error_cells_are_errors_naming_the_cell_in_every_column_read(tmp_path):
    lists = {**GOOD, 3: [{"child": "1", "referral": D(2016, 8, 3), "team": "#N/A"}],  # typed (or pasted) as text
             7: [{"child": "1", "start": D(2016, 8, 20), "team": ASH},
                 {"child": "3", "start": D(2016, 8, 1), "team": ASH}]}
    path = write_xlsx(tmp_path / "e.xlsx", annex_sheets(lists))
    add_error_cells(path, {("List 7", "D2"): "#N/A", ("List 7", "F3"): "#REF!", ("List 7", "A3"): "#VALUE!",
                           ("List 8", "B2"): "#GETTING_DATA", ("List 8", "F2"): "#DIV/0!"})
    assert problems_of(path) == [
        located("e.xlsx", "List 3", 2, "Allocated Team", f"cell E2 holds the Excel error #N/A (often a failed lookup); "
                                                          f"{FIX_ERROR}"),
        located("e.xlsx", "List 7", 3, "Child Unique ID", "cell A3 holds the Excel error #VALUE! (a calculation given "
                                                          f"the wrong kind of value); {FIX_ERROR}"),
        located("e.xlsx", "List 7", 2, "Child Protection Plan End Date",
                f"cell D2 holds the Excel error #N/A (often a failed lookup); {FIX_ERROR}"),
        located("e.xlsx", "List 7", 3, "Allocated Team", "cell F3 holds the Excel error #REF! (a reference to cells "
                                                         f"since deleted); {FIX_ERROR}"),
        # calamine refuses a sheet holding #GETTING_DATA: the reader reads a copy and names the cell.
        located("e.xlsx", "List 8", 2, UASC, "cell B2 holds the Excel error #GETTING_DATA (data still loading when "
                                             f"the file was saved); {FIX_ERROR}"),
        located("e.xlsx", "List 8", 2, "Date Ceased to be Looked After",
                f"cell F2 holds the Excel error #DIV/0! (a division by zero); {FIX_ERROR}"),
    ]


@pytest.mark.parametrize("error", ["#N/A", "#VALUE!", "#REF!", "#DIV/0!", "#NAME?", "#NULL!", "#NUM!"])
def test_each_excel_error_in_an_optional_date_is_not_read_as_no_date(tmp_path, error):
    path = write_xlsx(tmp_path / "e.xlsx", annex_sheets(GOOD))
    add_error_cells(path, {("List 6", "C2"): error})  # CIN Closure Date: blank is allowed, an error is not
    assert len(problems_of(path)) == 1
    assert problems_of(path)[0].startswith(located("e.xlsx", "List 6", 2, "CIN Closure Date",
                                                   f"cell C2 holds the Excel error {error} ("))


# ----------------------------------------------------------------------------- text dates

def test_a_month_first_text_date_refuses_the_whole_column(tmp_path):
    lists = {**GOOD, 3: [{"child": "1", "referral": "08/03/2016", "team": ASH},  # 8 March or 3 August?
                         {"child": "2", "referral": "08/13/2016", "team": ASH},  # only 13 August
                         {"child": "3", "referral": D(2016, 8, 1), "team": ASH},  # an Excel date: read
                         {"child": "4", "referral": "08/13/2016 00:00", "team": ASH},
                         {"child": "5", "referral": "soon", "team": ASH}]}
    path = write_xlsx(tmp_path / "m.xlsx", annex_sheets(lists))
    assert problems_of(path) == [
        located("m.xlsx", "List 3", 3, "Date of referral", "the text dates in this column are month-first (US "
                "style): '08/13/2016' in row 3 has no month 13, so none of the column's 3 text date(s) can be read "
                "safely (08/03/2016 could be 8 March or 3 August); export them day-first (31/08/2016) or as real "
                "Excel dates"),
        located("m.xlsx", "List 3", 6, "Date of referral", "cannot read 'soon' as a date; expected an Excel date or "
                                                           "day-first text such as 31/08/2016"),
    ]


def test_day_first_text_dates_beside_excel_dates_are_read(tmp_path):
    lists = {**GOOD, 3: [{"child": "1", "referral": "08/03/2016", "team": ASH},
                         {"child": "2", "referral": "13/08/2016", "team": ASH}]}
    read = read_annex_a(write_xlsx(tmp_path / "d.xlsx", annex_sheets(lists)), REPORT)
    assert list(read.lists[3]["referral"]) == [pd.Timestamp("2016-03-08"), pd.Timestamp("2016-08-13")]


def test_sql_server_and_iso_date_times_are_read_as_their_date(tmp_path):
    written = ["2016-07-01 00:00:00.000", "2016-07-02T00:00:00", "2016-07-03T09:30:00Z",
               "2016-07-04T09:30:00.1234567+01:00", "2016-07-05 14:20", "06/07/2016 00:00:00",
               "2016-07-07T23:59:59-05:00"]
    lists = {**GOOD, 3: [{"child": str(i), "referral": text, "team": ASH} for i, text in enumerate(written)]}
    read = read_annex_a(write_xlsx(tmp_path / "s.xlsx", annex_sheets(lists)), REPORT)
    assert list(read.lists[3]["referral"]) == [pd.Timestamp(2016, 7, day) for day in range(1, 8)]


# ----------------------------------------------------------------------------- formulas

def _plans_with_formulas(tmp_path, count: int) -> Path:
    rows = [{"child": str(i), "start": D(2016, 8, 1), "team": ASH} for i in range(count)]
    sheets = annex_sheets({**GOOD, 7: rows})
    for row in sheets["List 7"][1:]:
        row[4] = Formula("=1+1", 2)  # Number of Previous Child Protection Plans
    return write_xlsx(tmp_path / "f.xlsx", sheets)


def test_formulas_with_a_value_are_read_with_one_warning_per_column(tmp_path):
    path = _plans_with_formulas(tmp_path, 6)
    read = read_annex_a(path, REPORT)
    assert list(read.lists[7]["previous_plans"]) == [2] * 6
    assert [str(p) for p in read.problems] == [located(
        "f.xlsx", "List 7", 2, "Number of Previous Child Protection Plans", "cells E2, E3 and 4 more hold formulas; "
        "their values as last calculated were read - paste them as values so the list holds the data itself",
        "warning")]


def test_one_or_three_formulas_are_named(tmp_path):
    sheets = annex_sheets({**GOOD, 6: [{"child": str(i), "start": D(2016, 8, 3), "team": ASH} for i in range(3)]})
    sheets["List 6"][1][0] = Formula('="7"', "7")
    for row in sheets["List 6"][1:]:
        row[4] = Formula('="Ashford "&"CSWT"', ASH)
    read = read_annex_a(write_xlsx(tmp_path / "f.xlsx", sheets), REPORT)
    assert list(read.lists[6]["child"]) == ["7", "1", "2"]
    assert [str(p) for p in read.problems] == [
        located("f.xlsx", "List 6", 2, "Child Unique ID", "cell A2 holds a formula; its value as last calculated was "
                "read - paste it as a value so the list holds the data itself", "warning"),
        located("f.xlsx", "List 6", 2, "Allocated Team", "cells E2, E3 and E4 hold formulas; their values as last "
                "calculated were read - paste them as values so the list holds the data itself", "warning")]


def test_formulas_with_no_value_saved_and_shared_formulas(tmp_path):
    path = _plans_with_formulas(tmp_path, 4)
    replace_cells(path, "List 7", {"E3": '<c r="E3"><f t="shared" ref="E3:E5" si="0">1+1</f><v>2</v></c>',
                                   "E4": '<c r="E4"><f t="shared" si="0"/><v>2</v></c>',
                                   "E5": '<c r="E5"><f t="shared" si="0"/><v></v></c>'})
    replace_cells(path, "List 6", {"A2": '<c r="A2" t="str"><f>"1"</f></c>'})
    assert problems_of(path) == [
        located("f.xlsx", "List 6", 2, "Child Unique ID", f"cell A2 {NO_VALUE}"),
        located("f.xlsx", "List 7", 5, "Number of Previous Child Protection Plans", f"cell E5 {NO_VALUE}")]
    assert problems_of(path, "warning") == [located(
        "f.xlsx", "List 7", 2, "Number of Previous Child Protection Plans", "cells E2, E3 and E4 hold formulas; "
        "their values as last calculated were read - paste them as values so the list holds the data itself",
        "warning")]


def test_formulas_and_sheets_are_found_in_xml_with_namespace_prefixes(tmp_path):
    plans = [{"child": "1", "start": D(2016, 8, 20), "team": ASH}, {"child": "2", "start": D(2016, 8, 1), "team": ASH}]
    path = write_xlsx(tmp_path / "f.xlsx", annex_sheets({**GOOD, 7: plans}))
    add_error_cells(path, {("List 6", "C2"): "#N/A"})  # first: openpyxl saves formulas without their values
    replace_cells(path, "List 7", {"E2": '<c r="E2"><f>1+1</f><v>2</v></c>', "E3": '<c r="E3"><f>1+1</f></c>'})
    prefix_namespaces(path)  # <x:c r="E2"><x:f>1+1</x:f><x:v>2</x:v></x:c>, <x:sheet ... r:id=>, <rel:Relationship>
    assert problems_of(path) == [
        located("f.xlsx", "List 6", 2, "CIN Closure Date", f"cell C2 holds the Excel error #N/A (often a failed "
                                                           f"lookup); {FIX_ERROR}"),
        located("f.xlsx", "List 7", 3, "Number of Previous Child Protection Plans", f"cell E3 {NO_VALUE}")]
    assert problems_of(path, "warning") == [located(
        "f.xlsx", "List 7", 2, "Number of Previous Child Protection Plans", "cell E2 holds a formula; its value as "
        "last calculated was read - paste it as a value so the list holds the data itself", "warning")]


def test_cells_without_a_reference_are_counted_along_their_row(tmp_path):
    rows = [{"child": str(i), "start": D(2016, 8, 1), "visit": D(2016, 8, 2), "end": D(2016, 8, 3), "team": ASH}
            for i in range(2)]  # every cell written: without references, none may be left out
    sheets = annex_sheets({**GOOD, 7: rows})
    for row in sheets["List 7"][1:]:
        row[4] = Formula("=1+1", 2)
    path = write_xlsx(tmp_path / "f.xlsx", sheets)
    replace_cells(path, "List 7", {"E3": '<c r="E3"><f>1+1</f></c>'})
    drop_cell_references(path, "List 7")
    assert problems_of(path) == [located("f.xlsx", "List 7", 3, "Number of Previous Child Protection Plans",
                                         f"cell E3 {NO_VALUE}")]
    assert len(problems_of(path, "warning")) == 1 and "cell E2 holds a formula" in problems_of(path, "warning")[0]


def test_an_ods_file_is_read_with_its_formulas_counted_through_repeated_and_covered_cells(tmp_path):
    sheets = annex_sheets(GOOD)
    plans = sheets["List 7"]
    plans[1][4] = Formula("of:=1+1", 2)
    plans.append(["5", D(2016, 8, 1), Repeat(2, None), Formula("of:=1+1"), ASH])  # C and D written as one cell
    plans.append(Repeat(2, ["6", D(2016, 8, 1), COVERED, None, Formula("of:=1/0", "#DIV/0!"), ASH]))  # rows 4 and 5
    sheets["List 3"][1][0] = Formula('of:="1"', "1")
    path = write_ods(tmp_path / "o.ods", sheets)
    assert problems_of(path) == [
        located("o.ods", "List 7", 3, "Number of Previous Child Protection Plans", f"cell E3 {NO_VALUE}"),
        located("o.ods", "List 7", 4, "Number of Previous Child Protection Plans",
                f"cell E4 holds the Excel error #DIV/0! (a division by zero); {FIX_ERROR}"),
        located("o.ods", "List 7", 5, "Number of Previous Child Protection Plans",
                f"cell E5 holds the Excel error #DIV/0! (a division by zero); {FIX_ERROR}"),
        located("o.ods", "List 7", 5, "Child Unique ID", "child 6 appears 2 times (rows 4, 5); List 7 holds one row "
                                                         "per child, their latest episode")]
    assert problems_of(path, "warning") == [
        located("o.ods", "List 3", 2, "Child Unique ID", "cell A2 holds a formula; its value as last calculated was "
                "read - paste it as a value so the list holds the data itself", "warning"),
        located("o.ods", "List 7", 2, "Number of Previous Child Protection Plans", "cell E2 holds a formula; its value "
                "as last calculated was read - paste it as a value so the list holds the data itself", "warning")]


def test_an_ods_file_without_formulas_reads_as_an_xlsx_does(tmp_path):
    read = read_annex_a(write_ods(tmp_path / "o.ods", annex_sheets(GOOD)), REPORT)
    assert read.problems == []
    assert read.lists[3]["referral"].iloc[0] == pd.Timestamp("2016-08-03")
    assert read.lists[8]["legal_status"].iloc[0] == "C2"


# ----------------------------------------------------------------------------- headers and sheets

def test_headers_match_the_liia_tools_schema_patterns(tmp_path):
    rename = {UASC: UASC + ")",  # a doubled bracket, as some councils' templates have
              "Child's Legal Status": "Child's  legal status (code)", "Child Unique ID": "Child ID",
              "Date of referral": "Date of the referral"}
    read = read_annex_a(write_xlsx(tmp_path / "h.xlsx", annex_sheets(GOOD, rename=rename)), REPORT)
    assert read.lists[8][["child", "uasc", "legal_status"]].iloc[0].tolist() == ["2", "No", "C2"]
    assert read.lists[3]["referral"].iloc[0] == pd.Timestamp("2016-08-03")


def test_two_headers_matching_one_pattern_are_an_error_unless_one_matches_exactly(tmp_path):
    sheets = annex_sheets(GOOD, rename={UASC: "Unaccompanied Asylum Seeking Child"})
    sheets["List 8"][0].append("Formerly Unaccompanied Asylum Seeking Child")
    sheets["List 8"][1].append("Y")
    path = write_xlsx(tmp_path / "h.xlsx", sheets)
    assert problems_of(path) == [located(
        "h.xlsx", "List 8", 1, UASC, "headers 'Unaccompanied Asylum Seeking Child' and 'Formerly Unaccompanied "
        f"Asylum Seeking Child' both match {UASC!r}; rename all but one, or name the one to read {UASC!r}")]
    sheets["List 8"][0][-1] = "Unaccompanied Asylum Seeking Child (UASC)"  # an alias: an exact match wins
    read = read_annex_a(write_xlsx(tmp_path / "h.xlsx", sheets), REPORT)
    assert read.lists[8]["uasc"].iloc[0] == "Yes"


@pytest.mark.parametrize("name, number", [("List 3", 3), ("List_3", 3), ("list3", 3), ("List 3 - Referrals", 3),
                                          ("Annex A List 3", 3), ("Annex_A_List_10", 10), ("L3 Referrals", 3),
                                          ("L 3", 3), ("L8", 8), ("l6-CIN", 6), ("Referrals", None),
                                          ("Children in Care", None), ("Checklist 3", None), ("L30 notes", 30),
                                          ("Lookups", None), ("LA 2", None)])
def test_list_number_from_a_sheet_name(name, number):
    assert list_number(name) == number


def test_sheets_found_by_their_headers_and_others_read_past_with_a_warning(tmp_path):
    names = {3: "Referrals", 4: "Annex A List 4", 6: "L6 CIN", 7: "L 7", 8: "Children in Care", 9: "Care leavers",
             10: "List 10 - Adoption"}
    sheets = annex_sheets(GOOD, name=names.get)
    sheets["Notes"] = [["Note"], ["exported from the case system"]]
    sheets["Contacts"] = [["Child Unique ID", "Date of Contact"], ["1", D(2016, 8, 1)]]  # List 1: no rule reads it
    read = read_annex_a(write_xlsx(tmp_path / "s.xlsx", sheets), REPORT)
    assert sorted(read.lists) == [3, 4, 6, 7, 8, 9, 10]
    assert read.lists[8]["child"].iloc[0] == "2"
    past = ("read past: its name is not a list's (such as 'List 3' or 'L3 Referrals') and its header does not hold "
            "every column of a list not already found")
    assert [str(p) for p in read.problems] == [located("s.xlsx", "Notes", None, None, past, "warning"),
                                               located("s.xlsx", "Contacts", None, None, past, "warning")]
    sheets["Referrals (2)"] = sheets["Referrals"]
    assert problems_of(write_xlsx(tmp_path / "s.xlsx", sheets)) == [
        located("s.xlsx", None, None, None, "sheets 'Referrals' and 'Referrals (2)' both hold List 3; keep one")]


def test_a_sheet_holding_the_columns_of_two_lists_is_an_error(tmp_path):
    sheets = annex_sheets({n: rows for n, rows in GOOD.items() if n not in (3, 6)})
    sheets["Front door"] = [["Child Unique ID", "Date of referral", "CIN Start Date", "CIN Closure Date",
                             "Allocated Team"], ["1", D(2016, 8, 3), D(2016, 8, 3), None, ASH]]
    assert located("s.xlsx", "Front door", None, None, "the sheet holds the columns of List 3 (Referrals) and List 6 "
                   "(Children in need); name it for the one it is, such as 'List 3 - Referrals'") \
        in problems_of(write_xlsx(tmp_path / "s.xlsx", sheets))


# ----------------------------------------------------------------------------- coded values

LEGAL = [("Care Order Sec. 31(a)", "C2"), ("Interim care order Sec. 38(1)", "C1"),
         ("Single placement acc. by LA S20(1)", "V2"), ("CLA - V4 - Accommodation under short breaks", "V4"),
         ("a) C1: ICO", "C1"), ("V3: Short term breaks, episodes recorded", "V3"),
         ("L30 Interim Care Order S38 CA 89", "C1"), ("L31 Care Order S31.1(a) CA 89", "C2"),
         ("Placement Order & Full Care Order granted on same day", "E1"),
         ("CLA - E1 - Placement Order and C2 - Full Care Order", "E1"),
         ("Accommodated Under an Agreed Series of Short Term Breaks when Agreements are Recorded", "V4"),
         ("Accommodated under an agreed series of short-term breaks, when individual episodes of care are recorded",
          "V3"),
         ("Remanded to LA accommodation S20", "J1"), ("Placed in local authority accommodation under PACE", "J2"),
         ("Sentenced to Youth Rehabilitation Order", "J3"), ("Supervision order with a residence requirement", "J3"),
         ("Freeing order granted", "D1"), ("CLA - Freed for Adoption", "D1"),
         ("Emergency protection order (EPO)", "L2"),
         ("Police Protection - LA accommodation", "L1"), ("Under child assessment order", "L3"),
         ("Section  20: voluntary accommodation agreements", "V2"), ("Accommodated under s.20", "V2"), ("Sec 20", "V2"),
         ("c2", "C2"), ("Supervision Order", "J3"), ("SGO", "C2")]  # the last two mapped by the template's values


def test_legal_status_as_words_or_with_its_code_anywhere(tmp_path):
    rows = [{"child": str(i), "start": D(2016, 1, 20), "team": ASH, "legal": text} for i, (text, _) in enumerate(LEGAL)]
    path = write_xlsx(tmp_path / "c.xlsx", annex_sheets({**GOOD, 8: rows}))
    read = read_annex_a(path, REPORT, values={"legal_status": {"Supervision Order": "j3", "SGO": "C2"}})
    assert list(zip([text for text, _ in LEGAL], read.lists[8]["legal_status"], strict=False)) == LEGAL
    assert problems_of(path)[0] == located(
        "c.xlsx", "List 8", 27, "Child's Legal Status", "'Supervision Order' is not one of the expected values (C1, "
        "C2, D1, E1, J1, J2, J3, L1, L2, L3, V2, V3, V4, anywhere in the value, or words such as 'interim care "
        "order'); a council's own wording can be mapped to a value under annex_a: values: legal_status: in the "
        "template")


def test_coded_values_as_councils_write_them(tmp_path):
    seen = [("Seen", "Yes"), ("Not seen", "No"), ("Child seen alone", "Yes"), ("Child not seen", "No"),
            ("1 - Yes", "Yes"), ("0 - No", "No"), ("Y", "Yes"), ("n", "No"), (True, "Yes"), (False, "No"),
            ("a) Yes", "Yes"), ("c) Unknown", "Unknown"), (None, None)]
    uasc = [("Non-UASC", "No"), ("UASC", "Yes"), ("1 - Yes", "Yes"), ("0 - No", "No"), ("Y", "Yes"), ("N", "No"),
            (True, "Yes"), (False, "No")]
    in_touch = [("Yes, resident in the UK", "Yes"), ("1 - Yes", "Yes"), ("01 - Yes, resident in the UK", "Yes"),
                ("No, resident in the UK", "No"), ("Young person refuses contact", "Refused"),
                ("10 - Young person no longer requires services", "Not required"), ("Died", "Died"),
                ("Returned home", "Returned home"),
                ("Young person returned to live with parents or someone with parental responsibility", "Returned home"),
                ("d) Refu", "Refused"), ("NREQ", "Not required")]
    suitable = [("Accommodation is considered suitable", "Suitable"), ("1 - Suitable", "Suitable"),
                ("2 - Accommodation is considered unsuitable", "Unsuitable"), ("Accommodation is not considered "
                                                                           "suitable", "Unsuitable"),
                ("b) Unsuitable", "Unsuitable"), (True, "Suitable"), (None, None)]
    activity = [("F2 - full time", "F2"), ("CLA - F2 - full time", "F2"), ("a) P1: Part time higher", "P1"),
                ("G5: NEET other", "G5"), (None, None)]
    lists = {**GOOD,
             4: [{"child": str(i), "start": D(2016, 8, 1), "team": ASH, "seen": v} for i, (v, _) in enumerate(seen)],
             8: [{"child": str(i), "start": D(2016, 1, 20), "team": ASH, "uasc": v} for i, (v, _) in enumerate(uasc)],
             9: [{"child": str(i), "team": ASH, "in_touch": v, "suitable": suitable[i % len(suitable)][0],
                  "activity": activity[i % len(activity)][0]} for i, (v, _) in enumerate(in_touch)]}
    read = read_annex_a(write_xlsx(tmp_path / "c.xlsx", annex_sheets(lists)), REPORT)
    def values(number: int, column: str) -> list:
        return [None if pd.isna(v) else v for v in read.lists[number][column]]

    assert values(4, "seen") == [code for _, code in seen]
    assert values(8, "uasc") == [code for _, code in uasc]
    assert values(9, "in_touch") == [code for _, code in in_touch]
    assert values(9, "suitable") == [suitable[i % len(suitable)][1] for i in range(len(in_touch))]
    assert values(9, "activity") == [activity[i % len(activity)][1] for i in range(len(in_touch))]


def test_an_unknown_value_names_the_closest_written_ones_and_the_template_may_map_it(tmp_path):
    lists = {**GOOD, 4: [{"child": "1", "start": D(2016, 8, 1), "team": ASH, "seen": "Yess"},
                         {"child": "2", "start": D(2016, 8, 1), "team": ASH, "seen": "Seen by duty worker"}]}
    path = write_xlsx(tmp_path / "c.xlsx", annex_sheets(lists))
    column = "Child Seen During Continuous Assessment"
    assert problems_of(path) == [
        located("c.xlsx", "List 4", 2, column, "'Yess' is not one of the expected values (Yes, No, Unknown, with or "
                "without their a) prefix) (closest: 'yes', '1 - yes'); a council's own wording can be mapped to a "
                "value under annex_a: values: seen: in the template")]
    read = read_annex_a(path, REPORT, values={"seen": {"Yess": "yes"}})
    assert list(read.lists[4]["seen"]) == ["Yes", "Yes"]  # "Seen by duty worker" holds the phrase "seen"


def test_template_values_are_checked(tmp_path):
    path = write_xlsx(tmp_path / "c.xlsx", annex_sheets(GOOD))
    with pytest.raises(InputError) as caught:
        read_annex_a(path, REPORT, values={"legal": {"x": "C2"}, "seen": {"Maybe": "Perhaps"},
                                           "activity": {"Gap": "Z9"}})
    assert [str(p) for p in caught.value.errors] == [
        "error: annex_a: values: 'legal' is not a coded column; the coded columns are seen, uasc, legal_status, "
        "in_touch, suitable, activity",
        "error: annex_a: values: seen: 'Maybe' maps to 'Perhaps', which is not one of seen's values (Yes, No, "
        "Unknown)"]


# ----------------------------------------------------------------------------- teams, empty lists, optional columns

def test_a_blank_team_says_how_to_map_it_or_is_read_as_empty_text(tmp_path):
    lists = {**GOOD, 3: [{"child": "1", "referral": D(2016, 8, 3), "team": ASH},
                         {"child": "2", "referral": D(2016, 8, 4)}]}
    path = write_xlsx(tmp_path / "t.xlsx", annex_sheets(lists))
    assert problems_of(path) == [located(
        "t.xlsx", "List 3", 3, "Allocated Team", "empty; a blank Allocated Team (a referral closed at the front "
        "door?) can be mapped with a --teams row whose Allocated Team is empty, or `\"\": UNIT` under annex_a: teams: "
        "in the template")]
    read = read_annex_a(path, REPORT, blank_team=True)
    assert list(read.lists[3]["team"]) == [ASH, ""]


def test_a_required_list_with_a_header_and_no_rows_is_an_error(tmp_path):
    path = write_xlsx(tmp_path / "n.xlsx", annex_sheets({**GOOD, 7: []}))  # 9 and 10 have no rows either
    assert problems_of(path) == [located(
        "n.xlsx", "List 7", 1, None, "List 7 (Child protection) has a header but no rows; an Annex A file lists "
        "every child protection plan of the 12 months to its report date, and a council always has some - check the "
        "export ran in full")]


def test_the_adoption_lists_ffa_column_may_be_missing(tmp_path):
    ffa = "Date the child was placed for fostering in FFA or concurrent planning placement"
    adoption = [{"child": "9", "entered": D(2015, 1, 5), "order": D(2015, 6, 1)}]
    read = read_annex_a(write_xlsx(tmp_path / "a.xlsx", annex_sheets({**GOOD, 10: adoption})), REPORT)
    assert read.lists[10]["ffa_placed"].isna().all() and str(read.lists[10]["ffa_placed"].dtype) == "datetime64[ns]"
    sheets = annex_sheets({**GOOD, 10: adoption})
    sheets["List 10"][0].append(ffa.upper())
    sheets["List 10"][1].append(D(2015, 7, 1))
    read = read_annex_a(write_xlsx(tmp_path / "a.xlsx", sheets), REPORT)
    assert read.lists[10]["ffa_placed"].tolist() == [pd.Timestamp("2015-07-01")]

"""Small Annex A workbooks for the tests, written row by row as a council's system would.

`write_annex_a(path, {3: [...], 4: [...]})` writes each list on its own sheet with the
Ofsted template's headers; a row is a dict by header (or by the short names below), dates as
datetime.date (written as Excel dates) or text. Lists not given are written with a header, so
that a file is complete unless a test says otherwise (`omit`). A required list (3, 4, 6, 7, 8)
given no rows gets one FILLER row, an event opened and closed in 2010 under a child ID of its
own, long before any test's months: the reader refuses a required list with no rows, and the
filler counts in no month a test looks at. `empty=(7,)` writes a required list with its header
and no rows.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

HEADERS = {
    3: ["Child Unique ID", "Date of referral", "Number of Referrals in Last 12 Months", "Referral NFA?",
        "Allocated Team"],
    4: ["Child Unique ID", "Continuous Assessment Start Date", "Child Seen During Continuous Assessment",
        "Continuous Assessment Date of Authorisation", "Allocated Team"],
    6: ["Child Unique ID", "CIN Start Date", "CIN Closure Date", "Case Status", "Allocated Team"],
    7: ["Child Unique ID", "Child Protection Plan Start Date", "Date of the Last Statutory Visit",
        "Child Protection Plan End Date", "Number of Previous Child Protection Plans", "Allocated Team"],
    8: ["Child Unique ID", "Unaccompanied Asylum Seeking Child (UASC) within the Last 12 Months (Y/N)",
        "Date Started to be Looked After", "Child's Legal Status", "Number of Placements in the Last 12 months",
        "Date Ceased to be Looked After", "Allocated Team"],
    9: ["Child Unique ID", "Allocated Team", "LA in Touch", "Suitability of Accommodation", "Activity Status"],
    10: ["Child Unique ID", "Date the Child Entered Care", "Date of Placement Order",
         "Date of Matching Child and Prospective Adopters", "Date Placed for Adoption", "Date of Adoption Order"],
}
# Short names for the tests' rows.
SHORT = {
    "child": "Child Unique ID", "team": "Allocated Team", "referral": "Date of referral",
    "seen": "Child Seen During Continuous Assessment", "authorised": "Continuous Assessment Date of Authorisation",
    "visit": "Date of the Last Statutory Visit", "previous": "Number of Previous Child Protection Plans",
    "uasc": "Unaccompanied Asylum Seeking Child (UASC) within the Last 12 Months (Y/N)",
    "legal": "Child's Legal Status", "placements": "Number of Placements in the Last 12 months",
    "in_touch": "LA in Touch", "suitable": "Suitability of Accommodation", "activity": "Activity Status",
    "entered": "Date the Child Entered Care", "order": "Date of Placement Order",
    "matched": "Date of Matching Child and Prospective Adopters", "placed": "Date Placed for Adoption",
    "adopted": "Date of Adoption Order",
}
START = {4: "Continuous Assessment Start Date", 6: "CIN Start Date", 7: "Child Protection Plan Start Date",
         8: "Date Started to be Looked After"}
END = {6: "CIN Closure Date", 7: "Child Protection Plan End Date", 8: "Date Ceased to be Looked After"}
DEFAULTS = {3: {"Number of Referrals in Last 12 Months": 0, "Referral NFA?": "b) No"},
            4: {"Child Seen During Continuous Assessment": "a) Yes"},
            6: {"Case Status": "Open"},
            7: {"Number of Previous Child Protection Plans": 0},
            8: {"Unaccompanied Asylum Seeking Child (UASC) within the Last 12 Months (Y/N)": "N",
                "Child's Legal Status": "C2: Full care order", "Number of Placements in the Last 12 months": 1},
            9: {"LA in Touch": "a) Yes"}}


# One long-closed event per required list (see the module's description), in a team of its own.
FILLER_TEAM = "Ashford CSWT"
FILLER = {3: {"child": "filler-3", "referral": dt.date(2010, 1, 4)},
          4: {"child": "filler-4", "start": dt.date(2010, 1, 4), "authorised": dt.date(2010, 1, 5)},
          6: {"child": "filler-6", "start": dt.date(2010, 1, 4), "end": dt.date(2010, 1, 5)},
          7: {"child": "filler-7", "start": dt.date(2010, 1, 4), "end": dt.date(2010, 1, 5)},
          8: {"child": "filler-8", "start": dt.date(2010, 1, 4), "end": dt.date(2010, 1, 5)}}


def full_row(number: int, row: dict) -> dict:
    out = dict(DEFAULTS.get(number, {}))
    for key, value in row.items():
        if key == "start":
            key = START[number]
        elif key == "end":
            key = END[number]
        out[SHORT.get(key, key)] = value
    return out


def write_annex_a(path: Path, lists: dict[int, list[dict]], *, omit: tuple[int, ...] = (), empty: tuple[int, ...] = (),
                  sheet_name=lambda n: f"List {n}", title: bool = False, headers: dict[str, str] | None = None,
                  formula: tuple[int, int, int] | None = None) -> Path:
    """Write a workbook; `headers` renames headers as written (e.g. other case); `formula` puts a
    formula in (list, row index, column index)."""
    import xlsxwriter

    workbook = xlsxwriter.Workbook(str(path), {"strings_to_formulas": False, "strings_to_numbers": False})
    dates = workbook.add_format({"num_format": "dd/mm/yyyy"})
    for number in (1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11):
        if number in omit:
            continue
        ws = workbook.add_worksheet(sheet_name(number))
        if number not in HEADERS:
            ws.write_row(0, 0, ["Child Unique ID", "Gender"])
            continue
        top = 2 if title else 0
        if title:
            ws.write_string(0, 0, f"Annex A List {number}")
        header = HEADERS[number]
        for c, text in enumerate(header):
            ws.write_string(top, c, (headers or {}).get(text, text))
        rows = lists.get(number, [])
        if not rows and number in FILLER and number not in empty:
            rows = [{**FILLER[number], "team": FILLER_TEAM}]
        for r, row in enumerate(rows, start=top + 1):
            row = full_row(number, row)
            for c, text in enumerate(header):
                write_value(ws, r, c, row.get(text), dates)
        if formula and formula[0] == number:
            ws.write_formula(top + 1 + formula[1], formula[2], "=1+1", None, 2)
    workbook.close()
    return path


def write_value(ws, r: int, c: int, value, dates) -> None:
    """One cell as a council's system writes it: dates as Excel dates (in the `dates` format),
    booleans as Excel booleans, numbers as numbers, anything else as text; None leaves it blank."""
    if value is None:
        return
    if isinstance(value, bool):
        ws.write_boolean(r, c, value)
    elif isinstance(value, dt.date):
        ws.write_datetime(r, c, dt.datetime.combine(value, dt.time()), dates)
    elif isinstance(value, (int, float)):
        ws.write_number(r, c, value)
    else:
        ws.write_string(r, c, str(value))

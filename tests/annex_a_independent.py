"""Independent recomputation of the monthly export figures from Ofsted Annex A workbooks.

This is the *independent check* of the project's Annex A adapter. It was written from the
written description of the rules alone, without reading `scorecard_xl/annex_a/`, so that
a misreading of a rule in one implementation shows up as a difference between the two.
It is deliberately written differently: plain loops and dicts, openpyxl only (no pandas,
no numpy), working days counted one day at a time against a bank holiday list typed in
by hand (the adapter uses the `holidays` package), months handled with `datetime.date`.
It is slow and simple on purpose; clarity is worth more here than speed.

    activity, indicators = independent_figures(paths, kent_team_map())
    activity[(month, unit, measure)] = int
    indicators[(month, rule, unit, uasc)] = (numerator, denominator)

`month` is the first day of the month. Things in the files that do not fit the
description (odd values, skipped rows) are written to `NOTES` for a human to read.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import defaultdict
from pathlib import Path

import openpyxl
import yaml

TEMPLATE = Path(__file__).resolve().parent.parent / "workbook_templates" / "kent_scs.yaml"
NOTES: list[str] = []

# England and Wales bank holidays, typed in by hand (substitute days included).
BANK_HOLIDAYS = {dt.date(*d) for d in [
    (2014, 1, 1), (2014, 4, 18), (2014, 4, 21), (2014, 5, 5), (2014, 5, 26), (2014, 8, 25),
    (2014, 12, 25), (2014, 12, 26),
    (2015, 1, 1), (2015, 4, 3), (2015, 4, 6), (2015, 5, 4), (2015, 5, 25), (2015, 8, 31),
    (2015, 12, 25), (2015, 12, 28),  # Boxing Day on a Saturday -> Monday 28th
    (2016, 1, 1), (2016, 3, 25), (2016, 3, 28), (2016, 5, 2), (2016, 5, 30), (2016, 8, 29),
    (2016, 12, 26), (2016, 12, 27),  # Christmas Day on a Sunday -> Tuesday 27th
    (2017, 1, 2), (2017, 4, 14), (2017, 4, 17), (2017, 5, 1), (2017, 5, 29), (2017, 8, 28),
    (2017, 12, 25), (2017, 12, 26),  # 1 Jan 2017 a Sunday -> Monday 2nd
]}
HOLIDAY_YEARS = (2014, 2017)


# ----------------------------------------------------------------------------- text

def key(text) -> str:
    s = "" if text is None else str(text)
    for curly, straight in (("’", "'"), ("‘", "'"), ("“", '"'), ("”", '"')):
        s = s.replace(curly, straight)
    return re.sub(r"\s+", " ", s.replace("\xa0", " ")).strip().lower()


def coded(value) -> str:
    """'a) Yes' and 'Yes' both give 'yes'."""
    return re.sub(r"^[a-z]\) ", "", key(value))


def is_yes(value) -> bool:
    return coded(value) in ("y", "yes")


def legal_code(value) -> str:
    return re.split(r"[:\s]", str(value or "").strip(), maxsplit=1)[0].upper()


def to_date(value):
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    text = str(value).strip()
    if not text:
        return None
    for fmt in ("%d/%m/%Y", "%d-%m-%Y", "%Y-%m-%d"):
        try:
            return dt.datetime.strptime(text, fmt).date()
        except ValueError:
            pass
    raise ValueError(f"not a date: {value!r}")


def to_id(value) -> str:
    if isinstance(value, float) and value == int(value):
        value = int(value)
    text = str(value).strip()
    return re.sub(r"^(\d+)\.0+$", r"\1", text)


def to_int(value):
    if value is None or str(value).strip() == "":
        return None
    return int(float(str(value).strip()))


# ---------------------------------------------------------------------------- dates

def month_start(d: dt.date) -> dt.date:
    return dt.date(d.year, d.month, 1)


def add_months(first: dt.date, n: int) -> dt.date:
    """First day of the month n months after the month starting `first`."""
    index = first.year * 12 + first.month - 1 + n
    return dt.date(index // 12, index % 12 + 1, 1)


def month_end(first: dt.date) -> dt.date:
    return add_months(first, 1) - dt.timedelta(days=1)


def minus_months(d: dt.date, n: int) -> dt.date:
    """Same day n months earlier; a day the month lacks becomes its last day."""
    first = add_months(month_start(d), -n)
    return min(dt.date(first.year, first.month, 1) + dt.timedelta(days=d.day - 1), month_end(first))


def working_days(start: dt.date, end: dt.date) -> int:
    """Monday-Friday non-holidays after `start` up to and including `end`."""
    count, day = 0, start
    while day < end:
        day += dt.timedelta(days=1)
        if not HOLIDAY_YEARS[0] <= day.year <= HOLIDAY_YEARS[1]:
            raise ValueError(f"no bank holiday list for {day.year}")
        if day.weekday() < 5 and day not in BANK_HOLIDAYS:
            count += 1
    return count


def is_open(start, end, at: dt.date) -> bool:
    return start is not None and start <= at and (end is None or end > at)


# -------------------------------------------------------------------------- reading

COLUMNS = {
    3: {"child": "Child Unique ID", "date": "Date of referral", "team": "Allocated Team"},
    4: {"child": "Child Unique ID", "start": "Continuous Assessment Start Date",
        "seen": "Child Seen During Continuous Assessment",
        "auth": "Continuous Assessment Date of Authorisation", "team": "Allocated Team"},
    6: {"child": "Child Unique ID", "start": "CIN Start Date", "end": "CIN Closure Date",
        "team": "Allocated Team"},
    7: {"child": "Child Unique ID", "start": "Child Protection Plan Start Date",
        "end": "Child Protection Plan End Date",
        "previous": "Number of Previous Child Protection Plans",
        "visit": "Date of the Last Statutory Visit", "team": "Allocated Team"},
    8: {"child": "Child Unique ID",
        "uasc": "Unaccompanied Asylum Seeking Child (UASC) within the Last 12 Months (Y/N)",
        "start": "Date Started to be Looked After", "legal": "Child's Legal Status",
        "placements": "Number of Placements in the Last 12 months",
        "end": "Date Ceased to be Looked After", "team": "Allocated Team"},
    9: {"child": "Child Unique ID", "team": "Allocated Team", "touch": "LA in Touch",
        "suitable": "Suitability of Accommodation", "activity": "Activity Status"},
    10: {"child": "Child Unique ID", "entered": "Date the Child Entered Care",
         "order": "Date of Placement Order", "matched": "Date of Matching Child and Prospective Adopters",
         "placed": "Date Placed for Adoption", "adopted": "Date of Adoption Order"},
}
DATE_FIELDS = {"date", "start", "auth", "end", "visit", "entered", "order", "matched", "placed", "adopted"}
OPTIONAL_LISTS = (9, 10)


def find_sheet(wb, number: int):
    for name in wb.sheetnames:
        m = re.match(r"list[\s_\-]*(\d+)", key(name))
        if m and int(m.group(1)) == number:
            return wb[name]
    return None


def read_list(wb, number: int, source: str) -> list[dict]:
    ws = find_sheet(wb, number)
    if ws is None:
        if number in OPTIONAL_LISTS:
            NOTES.append(f"{source}: no List {number} sheet")
            return []
        raise KeyError(f"{source}: no List {number} sheet")
    rows = ws.iter_rows(values_only=True)
    header = None
    for _ in range(10):
        cells = next(rows, None)
        if cells is not None and key("Child Unique ID") in [key(c) for c in cells]:
            header = [key(c) for c in cells]
            break
    if header is None:
        raise KeyError(f"{source} {ws.title}: no 'Child Unique ID' header in the first 10 rows")
    where = {}
    for field, title in COLUMNS[number].items():
        if key(title) not in header:
            raise KeyError(f"{source} {ws.title}: no column {title!r}")
        where[field] = header.index(key(title))
    out = []
    for cells in rows:
        if all(c is None or str(c).strip() == "" for c in cells):
            continue
        cells = list(cells) + [None] * (len(header) - len(cells))
        row = {f: cells[i] for f, i in where.items()}
        if row["child"] is None or str(row["child"]).strip() == "":
            NOTES.append(f"{source} {ws.title}: row without a Child Unique ID skipped")
            continue
        row["child"] = to_id(row["child"])
        for f in DATE_FIELDS & row.keys():
            row[f] = to_date(row[f])
        out.append(row)
    return out


def report_date(path: Path) -> dt.date:
    m = re.search(r"annex-a-(\d{4})-(\d{2})-(\d{2})", path.name)
    if not m:
        raise ValueError(f"no report date in file name {path.name}")
    return dt.date(int(m.group(1)), int(m.group(2)), int(m.group(3)))


# ---------------------------------------------------------------------------- teams

def kent_team_map(path: Path = TEMPLATE) -> dict[str, str]:
    template = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    teams: dict[str, str] = {}
    todo = [template["organisation_tree"]]
    while todo:
        unit = todo.pop()
        teams[key(unit["name"])] = unit["name"]
        todo.extend(unit.get("units") or [])
    for written, unit in ((template.get("annex_a") or {}).get("teams") or {}).items():
        teams[key(written)] = unit
    return teams


def unit_of(row: dict, teams: dict[str, str]) -> str:
    written = row.get("team")
    if key(written) not in teams:
        raise KeyError(f"Allocated Team {written!r} does not map to a unit")
    return teams[key(written)]


# ---------------------------------------------------------------------------- figures

STACK_KEYS = {3: "date", 4: "start", 6: "start", 7: "start", 8: "start", 10: "entered"}


def open_children(rows: list[dict], at: dt.date) -> list[dict]:
    """Rows open at `at`, one per child: the one with the latest start date."""
    best: dict[str, dict] = {}
    for row in rows:
        child = row["child"]
        if is_open(row["start"], row["end"], at) and (child not in best or row["start"] > best[child]["start"]):
            best[child] = row
    return list(best.values())


def independent_figures(paths: list[Path], teams: dict[str, str], root: str = "Kent") -> tuple[dict, dict]:
    """activity[(month, unit, measure)] = int;
    indicators[(month, indicator_rule, unit, uasc_bool)] = (numerator, denominator)"""
    NOTES.clear()
    files = sorted((report_date(Path(p)), Path(p)) for p in paths)
    per_file: dict[dt.date, dict[int, list[dict]]] = {}
    for r, path in files:
        wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
        per_file[r] = {n: read_list(wb, n, path.name) for n in COLUMNS}
        wb.close()

    months, months_10 = set(), set()
    for r in per_file:
        months |= {add_months(month_start(r), -i) for i in range(6)}
        months_10 |= {add_months(month_start(r), -i) for i in range(12)}

    uasc_children = {row["child"] for lists in per_file.values() for row in lists[8] if is_yes(row["uasc"])}
    # Every referral in any file, once per (child, date), for the twelve months before a referral.
    stacked: dict[int, list[dict]] = {}
    for n, field in STACK_KEYS.items():
        latest: dict[tuple, dict] = {}
        for r in sorted(per_file):  # oldest first: newer files overwrite
            for row in per_file[r][n]:
                latest[(row["child"], row[field])] = row
        stacked[n] = list(latest.values())

    def rows_for(n: int, month: dt.date) -> list[dict]:
        """The rows a month is counted from: the newest file whose window covers it; for Lists 6-8
        (one row per child) plus a child's earlier episodes that file no longer shows because the
        child has since started another, from older files, an open one closed at the next start."""
        span = 12 if n == 10 else 6
        covering = [r for r in sorted(per_file) if add_months(month_start(r), -(span - 1)) <= month <= month_start(r)]
        newest = covering[-1]
        rows = [dict(row) for row in per_file[newest][n]]
        if n not in (6, 7, 8):
            return rows
        shown_start = {row["child"]: row["start"] for row in rows}
        have = {(row["child"], row["start"]) for row in rows}
        for r in sorted((r for r in per_file if r < newest), reverse=True):
            for row in per_file[r][n]:
                later = shown_start.get(row["child"])
                if later is not None and row["start"] < later and (row["child"], row["start"]) not in have:
                    rows.append(dict(row))
                    have.add((row["child"], row["start"]))
        by_child: dict[str, list[dict]] = defaultdict(list)
        for row in rows:
            by_child[row["child"]].append(row)
        for episodes in by_child.values():
            episodes.sort(key=lambda row: row["start"])
            for this, following in zip(episodes, episodes[1:], strict=False):
                if this["end"] is None:
                    this["end"] = following["start"]
        return rows

    activity: dict[tuple, int] = defaultdict(int)
    indicators: dict[tuple, list[int]] = defaultdict(lambda: [0, 0])

    def count(month, row, measure):
        activity[(month, unit_of(row, teams), measure)] += 1

    def score(month, rule, row, hit, unit=None):
        cell = indicators[(month, rule, unit or unit_of(row, teams), row["child"] in uasc_children)]
        cell[0] += 1 if hit else 0
        cell[1] += 1

    def in_month(d, month):
        return d is not None and month_start(d) == month

    referrals_by_child: dict[str, list[dt.date]] = defaultdict(list)
    for row in stacked[3]:
        if row["date"] is not None:
            referrals_by_child[row["child"]].append(row["date"])

    for month in sorted(months):
        end = month_end(month)
        list3, list4, list6, list7, list8 = (rows_for(n, month) for n in (3, 4, 6, 7, 8))
        not_v34 = [row for row in list8 if legal_code(row["legal"]) not in ("V3", "V4")]
        for row in open_children(list6, end):
            count(month, row, "Caseloads")
        for row in list3:
            if in_month(row["date"], month):
                count(month, row, "Referrals")
        for row in list4:
            if in_month(row["auth"], month):
                count(month, row, "CF Assessments")
        for row in open_children(list7, end):
            count(month, row, "CP Plans")
        for row in list7:
            if in_month(row["start"], month):
                count(month, row, "CP Starts")
            if in_month(row["end"], month):
                count(month, row, "CP Ends")
        for row in open_children(not_v34, end):
            count(month, row, "LAC")
            if row["child"] in uasc_children:
                count(month, row, "UASC LAC")
        for row in not_v34:
            if in_month(row["start"], month):
                count(month, row, "LAC Starts")
            if in_month(row["end"], month):
                count(month, row, "LAC Ends")

        # ---- indicators over the stacked rows
        if all(add_months(month, -i) in months for i in range(13)):
            for row in list3:
                if in_month(row["date"], month):
                    d = row["date"]
                    earlier = minus_months(d, 12)
                    hit = any(earlier <= other < d for other in referrals_by_child[row["child"]])
                    score(month, "re_referral_12m", row, hit)
        for row in list4:
            if in_month(row["auth"], month):
                if row["start"] is None:
                    NOTES.append(f"List 4 child {row['child']}: authorised without a start date")
                    hit = False
                else:
                    if row["auth"] < row["start"]:
                        NOTES.append(f"List 4 child {row['child']}: authorised before its start")
                    hit = working_days(row["start"], row["auth"]) <= 45
                score(month, "assessment_45_working_days", row, hit)
                score(month, "child_seen_at_assessment", row, is_yes(row["seen"]))
        limit = minus_months(end, 18)
        for row in open_children(list7, end):
            score(month, "cp_plan_18_months", row, row["start"] <= limit)
        for row in list7:
            if in_month(row["start"], month):
                previous = to_int(row["previous"])
                if previous is None:
                    NOTES.append(f"List 7 child {row['child']}: blank number of previous plans")
                score(month, "cp_second_or_subsequent", row, (previous or 0) >= 1)

    # ---- indicators from one file alone, for its report month
    for r, lists in per_file.items():
        month = month_start(r)
        seen_children = set()
        for row in lists[8]:
            if legal_code(row["legal"]) in ("V3", "V4") or not is_open(row["start"], row["end"], r):
                continue
            if row["child"] in seen_children:
                NOTES.append(f"{r} List 8 child {row['child']}: two episodes open at the report date")
            seen_children.add(row["child"])
            placements = to_int(row["placements"])
            score(month, "cla_3plus_placements", row, (placements or 0) >= 3)
        for row in lists[9]:
            # DfE's care leaver figures leave out those who died or went home to their parents.
            if coded(row["touch"]) in ("died", "returned home", "rhom"):
                continue
            touch = is_yes(row["touch"])
            score(month, "care_leavers_in_touch", row, touch)
            if touch:
                score(month, "care_leavers_suitable_accommodation", row, coded(row["suitable"]) == "suitable")
                activity_code = coded(row["activity"]).upper()
                score(month, "care_leavers_eet", row, activity_code[:1] in ("F", "P"))

    # ---- adoption timeliness: stacked List 10, unit = the root of the tree
    for month in sorted(months_10):
        for row in rows_for(10, month):
            if not in_month(row["adopted"], month):
                continue
            uasc = row["child"] in uasc_children
            for rule, late, early in (("adoption_a1_days", "placed", "entered"),
                                      ("adoption_a2_days", "matched", "order")):
                if row[late] is None or row[early] is None:
                    continue
                days = (row[late] - row[early]).days
                if rule == "adoption_a2_days" and days < 0:
                    days = 0  # matched before the order: no wait at all, as DfE counts A2
                cell = indicators[(month, rule, root, uasc)]
                cell[0] += days
                cell[1] += 1

    return ({k: v for k, v in activity.items() if v},
            {k: (v[0], v[1]) for k, v in indicators.items() if v[1] > 0})


# --------------------------------------------------------------------------- self-test

if __name__ == "__main__":
    import sys
    import time

    assert working_days(dt.date(2015, 12, 24), dt.date(2015, 12, 29)) == 1
    assert working_days(dt.date(2016, 3, 24), dt.date(2016, 3, 29)) == 1
    assert working_days(dt.date(2016, 8, 1), dt.date(2016, 8, 1)) == 0
    assert working_days(dt.date(2016, 8, 26), dt.date(2016, 8, 30)) == 1  # Fri -> Tue, 29th a holiday
    assert minus_months(dt.date(2016, 2, 29), 12) == dt.date(2015, 2, 28)
    assert minus_months(dt.date(2016, 8, 31), 18) == dt.date(2015, 2, 28)
    assert coded("a) Yes") == coded("Yes") == "yes" and key("  Child\xa0Unique  ID ") == "child unique id"
    assert legal_code("V3: Short breaks") == "V3" and to_id(100123.0) == "100123"
    print("unit checks passed")

    folder = Path(sys.argv[1]) if len(sys.argv) > 1 else TEMPLATE.parent.parent / "samples" / "annex_a"
    paths = sorted(folder.glob("annex-a-*.xlsx"))
    if not paths:
        sys.exit(f"no annex-a-*.xlsx in {folder}")
    started = time.perf_counter()
    activity, indicators = independent_figures(paths, kent_team_map())
    print(f"{len(paths)} files in {time.perf_counter() - started:.1f} s")
    aug = dt.date(2016, 8, 1)
    totals: dict[str, int] = defaultdict(int)
    for (month, _unit, measure), n in activity.items():
        if month == aug:
            totals[measure] += n
    print("Aug 2016 activity, county total:")
    for measure, n in sorted(totals.items()):
        print(f"  {measure:16} {n}")
    sums: dict[tuple, list[int]] = defaultdict(lambda: [0, 0])
    for (month, rule, _unit, uasc), (num, den) in indicators.items():
        if month == aug:
            for label in (rule, f"{rule} [{'UASC' if uasc else 'other'}]"):
                sums[label][0] += num
                sums[label][1] += den
    print("Aug 2016 indicators, county total (numerator / denominator):")
    for rule, (num, den) in sorted(sums.items()):
        print(f"  {rule:50} {num} / {den}")
    for note in sorted(set(NOTES)):
        print("note:", note)

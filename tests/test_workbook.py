"""The generated workbook, read back with openpyxl: sheets, print setup, tables, types,
RAG formatting, no formulas, every input row, document properties, reproducibility.

One workbook is generated through the real command line (`scorecard-xl generate`) from
the sample export when it exists, else from a small synthetic export (see
workbook_fixtures.py), and shared by every test here.
"""

from __future__ import annotations

import datetime as dt
import re
import sys
import zipfile
from collections import Counter
from pathlib import Path

import pytest
from openpyxl.utils.cell import range_boundaries

sys.path.insert(0, str(Path(__file__).resolve().parent))

from workbook_fixtures import (  # noqa: E402
    FORCED_RAG,
    INJECTED,
    PRODUCED,
    SCORECARD_SHEET,
    SYNTHETIC_BLANK_ROW,
    export_path,
    export_rows,
    generate_ok,
    generated,
    generated_synthetic,
    is_synthetic,
    kent_template,
    load_workbook,
    mini_export,
    run_cli,
    wb,
    wb_synthetic,
    write_kent_template_variant,
    zip_text,
)

pytestmark = pytest.mark.filterwarnings("ignore:Sparkline Group extension is not supported")

__all__ = ["export_path", "export_rows", "generated", "generated_synthetic", "mini_export", "wb",
           "wb_synthetic"]  # fixtures, imported so pytest finds them

UNIT_SCORECARDS = [f"Scorecard - {unit}" for unit in
                   ("North Kent", "East Kent", "South Kent", "West Kent", "Disability Service")]
EXPECTED_SHEETS = [
    "Contents", "SCS Activity", "RAG Overview", SCORECARD_SHEET, *UNIT_SCORECARDS, "Impact of UASC", "Exceptions",
    "Results", "SPC", "Definitions", "Activity Data", "Indicator Data", "Trends", "SPC Chart Data", "Data Quality",
]
NOT_FROZEN = {"Contents", "Exceptions"}
PRINTED = {"Contents", "SCS Activity", "RAG Overview", SCORECARD_SHEET, *UNIT_SCORECARDS, "Impact of UASC",
           "Exceptions"}  # the PDF's sheets
RESULTS_HEADERS = [
    "Month", "Indicator", "Indicator Name", "Section", "Unit", "Level", "Area", "Cohort", "Numerator",
    "Denominator", "Result", "Target", "RAG", "Result 1 Month Ago", "DoT 1 Month", "Result 1 Year Ago",
    "DoT 1 Year", "Rolling 3 Months", "Rolling 3 Months RAG", "Variation", "Assurance",
]
DEFINITIONS_HEADERS = [
    "Indicator", "Indicator Name", "Section", "Polarity", "Data Period", "Unit", "Decimals", "Effective From",
    "Target", "Red Threshold", "Green Tolerance",
]
# Columns of the data tables that must hold numbers (or be empty), by table header.
NUMERIC_COLUMNS = {
    "Results": ["Numerator", "Denominator", "Result", "Target", "Result 1 Month Ago", "Result 1 Year Ago",
                "Rolling 3 Months"],
    "Definitions": ["Decimals", "Target", "Red Threshold", "Green Tolerance"],
    "Indicator Data": ["Numerator", "Denominator", "Source Row"],
    "Data Quality": ["Rows Read", "Rows Written"],
}
DATE_COLUMNS = {"Month", "Effective From"}
RAG_LETTERS = {"G", "A", "R"}
RAG_WORDS = {"Green": "G", "Amber": "A", "Red": "R"}
REPORTING_MONTH = dt.datetime(2016, 8, 1)  # the latest month of both the sample and the synthetic export

# A string that a spreadsheet user would read as a number: 12, -3.5, 1,234, 95.6%, 1e5.
NUMBER_TEXT = re.compile(r"\s*[+-]?(\d{1,3}(,\d{3})+|\d+)?(\.\d+)?([eE][+-]?\d+)?%?\s*")


def looks_numeric(text: str) -> bool:
    return bool(re.search(r"\d", text)) and NUMBER_TEXT.fullmatch(text) is not None


# ----------------------------------------------------------------------------- helpers

def month_labels(month: dt.datetime) -> set[str]:
    return {month.strftime("%b %Y"), month.strftime("%B %Y"), month.strftime("%Y-%m")}


def header_row_of_freeze(ws) -> int:
    """The 1-based row just above the frozen pane (the sheet's header row)."""
    assert ws.freeze_panes, f"{ws.title}: no frozen panes"
    _, row = range_boundaries(ws.freeze_panes)[:2]
    return row - 1


def table_rows(ws, table) -> tuple[list[str], list[tuple]]:
    min_col, min_row, max_col, max_row = range_boundaries(table.ref)
    rows = list(ws.iter_rows(min_row=min_row, max_row=max_row, min_col=min_col, max_col=max_col,
                             values_only=True))
    return list(rows[0]), rows[1:]


def table_named(wb, sheet: str, name: str | None = None):
    ws = wb[sheet]
    if name is None:
        assert ws.tables, f"{sheet}: no Excel table"
        name = next(iter(ws.tables))
    assert name in ws.tables, f"{sheet}: no table {name!r}; tables: {list(ws.tables)}"
    return ws, ws.tables[name]


_records: dict[tuple, list[dict]] = {}


def table_records(wb, sheet: str, name: str | None = None) -> list[dict]:
    """A table's non-blank rows as dicts by header (cached per workbook)."""
    key = (id(wb), sheet, name)
    if key not in _records:
        ws, table = table_named(wb, sheet, name)
        headers, rows = table_rows(ws, table)
        _records[key] = [dict(zip(headers, r, strict=False)) for r in rows if any(v is not None for v in r)]
    return _records[key]


def header_map(ws, row: int) -> dict[str, int]:
    """Header text -> 1-based column for one row."""
    return {c.value: c.column for c in ws[row] if isinstance(c.value, str)}


def rag_coverage(ws) -> list[tuple[object, set[str]]]:
    """Each conditional format's ranges and the RAG letters its 'begins with' rules colour."""
    out = []
    for cf in ws.conditional_formatting:
        letters = {r.text for r in cf.rules if r.type == "beginsWith" or r.operator == "beginsWith"}
        out.append((cf.sqref, letters))
    return out


def uncovered_rag_cells(ws, coordinates: list[str]) -> list[str]:
    """The cells not coloured for all three of G, A and R by conditional formats."""
    coverage = rag_coverage(ws)
    missing = []
    for coord in coordinates:
        letters = set()
        for sqref, rule_letters in coverage:
            if coord in sqref:
                letters |= rule_letters
        if not RAG_LETTERS <= letters:
            missing.append(f"{coord} (coloured for {sorted(letters)})")
    return missing


def scorecard_rows(wb):
    """(header map, [(row number, indicator id)]) of the scorecard sheet's indicator rows."""
    ws = wb[SCORECARD_SHEET]
    ids = {i.id for i in kent_template().indicators}
    header = next(r for r in range(1, 15) if ws.cell(r, 1).value == "ID")
    rows = [(r, ws.cell(r, 1).value) for r in range(header + 1, ws.max_row + 1) if ws.cell(r, 1).value in ids]
    return header_map(ws, header), rows


# ----------------------------------------------------------------------------- sheets and print setup

def test_sheets_in_order(wb):
    assert wb.sheetnames == EXPECTED_SHEETS


@pytest.mark.parametrize("sheet", EXPECTED_SHEETS)
def test_title_in_a1(wb, sheet):
    value = wb[sheet]["A1"].value
    assert isinstance(value, str) and value.strip(), f"{sheet}!A1 is {value!r}"


@pytest.mark.parametrize("sheet", [s for s in EXPECTED_SHEETS if s not in NOT_FROZEN])
def test_frozen_panes_and_repeated_header(wb, sheet):
    ws = wb[sheet]
    header = header_row_of_freeze(ws)
    assert header >= 1, f"{sheet}: panes frozen at {ws.freeze_panes}, above any header"
    # The header row is printed on every page, and it is the row just above the freeze.
    assert ws.print_title_rows, f"{sheet}: no repeated header rows for printing"
    first, last = (int(x) for x in re.fullmatch(r"\$?(\d+):\$?(\d+)", ws.print_title_rows).groups())
    assert first <= header == last, f"{sheet}: repeats rows {ws.print_title_rows}, header row is {header}"
    values = [c.value for c in ws[header] if c.value is not None]
    assert values and all(isinstance(v, str) for v in values), f"{sheet}: row {header} is not a header: {values}"


@pytest.mark.parametrize("sheet", EXPECTED_SHEETS)
def test_print_setup(wb, sheet):
    ws = wb[sheet]
    assert ws.page_setup.orientation == "landscape", f"{sheet}: {ws.page_setup.orientation}"
    fit = ws.sheet_properties.pageSetUpPr is not None and ws.sheet_properties.pageSetUpPr.fitToPage
    if sheet in PRINTED:
        # A fixed scale, chosen with the page breaks, that keeps 10 pt type at 8 pt or more
        # (test_printing.py checks the pages LibreOffice prints).
        assert not fit, f"{sheet}: fit to page shrinks the type without limit"
        scale = ws.page_setup.scale if ws.page_setup.scale is not None else 100  # absent means 100
        assert 80 <= scale <= 100, f"{sheet}: print scale {scale}%"
        return
    assert fit, f"{sheet}: fit to page is off"
    # fitToWidth absent means 1 (the OOXML default); fitToHeight 0: as many pages long as needed.
    assert (ws.page_setup.fitToWidth if ws.page_setup.fitToWidth is not None else 1) == 1, sheet
    assert ws.page_setup.fitToHeight == 0, f"{sheet}: fitToHeight {ws.page_setup.fitToHeight}"


@pytest.mark.parametrize("sheet", EXPECTED_SHEETS)
def test_footer(wb, sheet):
    footer = wb[sheet].oddFooter
    parts = [p.text or "" for p in (footer.left, footer.center, footer.right)]
    text = " | ".join(parts)
    assert sheet.replace("&", "&&") in text, f"{sheet}: footer {text!r} lacks the sheet name"
    assert "&P" in text, f"{sheet}: footer {text!r} lacks the page number"
    assert any(label in text for label in month_labels(REPORTING_MONTH)), f"{sheet}: footer {text!r} lacks the month"


# ----------------------------------------------------------------------------- tables

def test_results_table_headers(wb):
    ws, table = table_named(wb, "Results", "Results")
    assert [c.name for c in table.tableColumns] == RESULTS_HEADERS
    headers, _ = table_rows(ws, table)
    assert headers == RESULTS_HEADERS


def test_definitions_table_headers(wb):
    ws, table = table_named(wb, "Definitions", "Definitions")
    assert [c.name for c in table.tableColumns] == DEFINITIONS_HEADERS
    headers, _ = table_rows(ws, table)
    assert headers == DEFINITIONS_HEADERS


@pytest.mark.parametrize("sheet", ["Results", "Definitions", "Activity Data", "Indicator Data", "Data Quality"])
def test_tables_cover_header_and_data_rows(wb, sheet):
    ws = wb[sheet]
    assert ws.tables, f"{sheet}: no Excel table"
    names = [t for t in ws.tables]
    assert len(set(n.casefold() for n in names)) == len(names)
    for table in ws.tables.values():
        name = table.displayName
        min_col, min_row, max_col, max_row = range_boundaries(table.ref)
        headers, rows = table_rows(ws, table)
        assert all(isinstance(h, str) and h for h in headers), f"{name}: header cells {headers}"
        assert headers == [c.name for c in table.tableColumns], f"{name}: header cells differ from the table's"
        assert len(set(headers)) == len(headers), f"{name}: duplicate headers {Counter(headers).most_common(3)}"
        assert table.headerRowCount in (None, 1), f"{name}: {table.headerRowCount} header rows"
        assert not table.totalsRowCount, f"{name}: has a totals row"
        blank = [min_row + 1 + i for i, r in enumerate(rows) if all(v is None for v in r)]
        # Excel needs one body row: an empty table may keep a single blank row, nothing else may be blank.
        assert not blank or (len(rows) == 1 and blank == [min_row + 1]), \
            f"{name} ({table.ref}): blank rows inside the table: {blank[:5]}"
        below = [ws.cell(max_row + 1, c).value for c in range(min_col, max_col + 1)]
        above = [ws.cell(min_row - 1, c).value for c in range(min_col, max_col + 1)] if min_row > 1 else []
        assert all(v is None for v in below), f"{name} ({table.ref}): data continues below the table: {below}"
        assert not any(isinstance(v, (int, float)) for v in above), f"{name}: data above the header: {above}"


@pytest.mark.slow
def test_month_columns_are_dates(wb):
    checked = 0
    for ws in wb.worksheets:
        for table in ws.tables.values():
            name = table.displayName
            headers, rows = table_rows(ws, table)
            for col, header in enumerate(headers):
                if header not in DATE_COLUMNS:
                    continue
                bad = [(i, r[col]) for i, r in enumerate(rows) if not isinstance(r[col], dt.datetime)]
                assert not bad, f"{name}.{header}: not dates: {bad[:5]}"
                assert all(r[col].day == 1 for r in rows), f"{name}.{header}: not the first of the month"
                checked += 1
    assert checked >= 4  # Results, Definitions, Activity Data, Indicator Data


def test_numeric_columns_hold_numbers(wb):
    template = kent_template()
    numeric = dict(NUMERIC_COLUMNS)
    numeric["Activity Data"] = [m.column for m in template.activity_measures] + ["Source Row"]
    for sheet, columns in numeric.items():
        ws, table = table_named(wb, sheet)
        headers, rows = table_rows(ws, table)
        for column in columns:
            assert column in headers, f"{sheet}: no column {column!r} in {headers}"
            k = headers.index(column)
            bad = [r[k] for r in rows
                   if r[k] is not None and (isinstance(r[k], bool) or not isinstance(r[k], (int, float)))]
            assert not bad, f"{sheet}.{column}: not numbers: {bad[:5]}"
            assert any(r[k] is not None for r in rows) or column == "Green Tolerance", f"{sheet}.{column} is empty"


@pytest.mark.slow
def test_no_numbers_stored_as_text(wb):
    """Scan every cell: no text that reads as a number, except indicator IDs (text by design)."""
    ids = {i.id for i in kent_template().indicators}
    problems = []
    for ws in wb.worksheets:
        id_columns: dict[int, int] = {}  # column -> row of its "Indicator"/"ID" header
        for row in ws.iter_rows():
            for cell in row:
                value = cell.value
                if not isinstance(value, str):
                    continue
                if value in ("Indicator", "ID") and cell.column not in id_columns:
                    id_columns[cell.column] = cell.row
                    continue
                if not looks_numeric(value):
                    continue
                if value in ids and cell.row > id_columns.get(cell.column, 10**9):
                    continue
                problems.append(f"{ws.title}!{cell.coordinate}={value!r}")
    assert not problems, f"{len(problems)} numbers stored as text: {problems[:20]}"


# ----------------------------------------------------------------------------- the scorecard and RAG

def test_scorecard_results_are_formatted_numbers(wb):
    template = kent_template()
    ws = wb[SCORECARD_SHEET]
    headers, rows = scorecard_rows(wb)
    assert [i for _, i in rows] == [i.id for i in template.indicators], "indicator rows missing or out of order"
    result_columns = ["Latest Result", "1 Month Ago Result", "1 Year Ago Result", "Rolling 3 Months"]
    result_columns += [h for h in headers if h.startswith("Target")]
    assert all(h in headers for h in result_columns), headers
    shown = 0
    problems = []
    for r, ind_id in rows:
        ind = template.indicator(ind_id)
        for h in result_columns:
            cell = ws.cell(r, headers[h])
            if cell.value is None:
                continue
            if isinstance(cell.value, bool) or not isinstance(cell.value, (int, float)):
                problems.append(f"{cell.coordinate} ({ind_id}, {h}) = {cell.value!r} is not a number")
                continue
            fmt = cell.number_format
            if fmt in ("General", "@") or not fmt:
                problems.append(f"{cell.coordinate} ({ind_id}, {h}) has no number format ({fmt!r})")
            elif (ind.unit == "percent") != ("%" in fmt):
                problems.append(f"{cell.coordinate} ({ind_id} {ind.unit}, {h}) has number format {fmt!r}")
            if ind.unit == "percent" and "%" in fmt:
                decimals = len(fmt.split(".")[1].rstrip("%")) if "." in fmt else 0
                if decimals < ind.decimals:
                    problems.append(f"{cell.coordinate} ({ind_id}): {fmt!r} shows fewer than {ind.decimals} decimals")
            shown += 1
    assert not problems, "\n".join(problems[:20])
    latest = [ws.cell(r, headers["Latest Result"]).value for r, _ in rows]
    assert sum(v is not None for v in latest) >= len(rows) // 2, f"most latest results are empty: {latest}"


def test_scorecard_rag_cells_are_letters_and_coloured(wb):
    ws = wb[SCORECARD_SHEET]
    headers, rows = scorecard_rows(wb)
    cells, bad = [], []
    for column in ("RAG", "Rolling 3 Months RAG"):
        assert column in headers, f"no {column!r} column: {list(headers)}"
        for r, _ in rows:
            cell = ws.cell(r, headers[column])
            cells.append(cell.coordinate)
            if cell.value is not None and (cell.value not in RAG_LETTERS or cell.data_type != "s"):
                bad.append(f"{cell.coordinate}={cell.value!r}")
    assert not bad, f"RAG cells that are not G/A/R text: {bad}"
    assert {ws.cell(r, headers["RAG"]).value for r, _ in rows} & RAG_LETTERS, "no RAG rating at all"
    missing = uncovered_rag_cells(ws, cells)
    assert not missing, f"RAG cells without conditional formatting: {missing[:10]}"


def test_uasc_rag_cells_are_letters_and_coloured(wb):
    ws = wb["Impact of UASC"]
    header = next(r for r in range(1, 15) if any(isinstance(c.value, str) and c.value.endswith("RAG") for c in ws[r]))
    rag_cols = [c.column for c in ws[header] if isinstance(c.value, str) and "RAG" in c.value]
    assert len(rag_cols) == 2, f"RAG columns: {[ws.cell(header, c).value for c in rag_cols]}"
    titles = {i.title for i in kent_template().indicators}
    rows = [r for r in range(header + 1, ws.max_row + 1) if ws.cell(r, 1).value in titles]
    assert rows, "no indicator rows on Impact of UASC"
    cells = [ws.cell(r, c) for r in rows for c in rag_cols]
    bad = [f"{c.coordinate}={c.value!r}" for c in cells if c.value is not None and c.value not in RAG_LETTERS]
    assert not bad, f"RAG cells that are not G/A/R: {bad}"
    missing = uncovered_rag_cells(ws, [c.coordinate for c in cells])
    assert not missing, f"RAG cells without conditional formatting: {missing[:10]}"


def test_exception_rag_rows_are_coloured(wb):
    ws = wb["Exceptions"]
    rag_rows = [r for r in range(1, ws.max_row + 1) if ws.cell(r, 1).value == "RAG Rating"]
    red = [c for r in range(1, ws.max_row + 1) for c in ws[r] if c.value == "Red" or c.value == "R"]
    n_red = sum(v == "R" for v in table_rag_county(wb).values())
    assert len(rag_rows) == n_red, f"{len(rag_rows)} exception reports, {n_red} Red indicators"
    cells = []
    for r in rag_rows:
        for c in ws[r][1:]:
            if c.value is not None:
                assert c.value in RAG_WORDS or c.value in RAG_LETTERS, f"{c.coordinate}={c.value!r}"
                cells.append(c.coordinate)
        last = [c for c in ws[r][1:] if c.value is not None][-1]
        assert last.value in ("Red", "R"), f"{last.coordinate}: this month's rating is {last.value!r}, not Red"
    cells += [c.coordinate for c in red if c.coordinate not in cells]
    missing = uncovered_rag_cells(ws, cells)
    assert not missing, f"Exceptions RAG cells without conditional formatting: {missing[:10]}"


def test_exception_trend_figures_are_formatted_numbers(wb):
    """Above each RAG Rating row: the result and target rows, numbers with the indicator's format."""
    template = kent_template()
    by_title = {(i.exception_title or i.title): i for i in template.indicators}
    ws = wb["Exceptions"]
    ind = None
    problems = []
    for r in range(1, ws.max_row + 1):
        if ws.cell(r, 1).value in by_title and ws.cell(r, 8).value in ("Red", "R"):
            ind = by_title[ws.cell(r, 1).value]
        if ws.cell(r, 1).value != "RAG Rating":
            continue
        assert ind is not None, f"Exceptions row {r}: a RAG Rating row before any report title"
        for row in (r - 2, r - 1):  # "<org> Result", "Target"
            for cell in ws[row][1:5]:
                if cell.value is None:
                    continue
                if isinstance(cell.value, bool) or not isinstance(cell.value, (int, float)):
                    problems.append(f"{cell.coordinate} ({ind.id}) = {cell.value!r}")
                elif (ind.unit == "percent") != ("%" in cell.number_format):
                    problems.append(f"{cell.coordinate} ({ind.id} {ind.unit}) format {cell.number_format!r}")
    assert not problems, problems[:20]


def table_rag_county(wb) -> dict[str, str | None]:
    """The county's All-cohort RAG per indicator for the reporting month, from the Results table."""
    root = kent_template().organisation_tree.name
    return {r["Indicator"]: r["RAG"] for r in table_records(wb, "Results", "Results")
            if r["Unit"] == root and r["Cohort"] == "All" and r["Month"] == REPORTING_MONTH}


def test_scorecard_agrees_with_results_table(wb):
    ws = wb[SCORECARD_SHEET]
    headers, rows = scorecard_rows(wb)
    county = table_rag_county(wb)
    shown = {ind_id: ws.cell(r, headers["RAG"]).value for r, ind_id in rows}
    assert shown == {i: county.get(i) for i in shown}


# ----------------------------------------------------------------------------- no formulas

@pytest.mark.slow
def test_no_formulas_anywhere(wb, generated):
    allowed = set(INJECTED.values())
    problems = []
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                if cell.data_type == "f":
                    problems.append(f"{ws.title}!{cell.coordinate}: formula {cell.value!r}")
                elif isinstance(cell.value, str) and cell.value.startswith("=") and cell.value not in allowed:
                    problems.append(f"{ws.title}!{cell.coordinate}: {cell.value!r}")
    assert not problems, problems[:20]
    with zipfile.ZipFile(generated) as z:
        for member in z.namelist():
            if member.startswith("xl/worksheets/") and member.endswith(".xml"):
                assert not re.search(r"<f[ >]", z.read(member).decode()), f"{member} holds a formula"


@pytest.mark.slow
def test_commentary_is_written_as_text(wb_synthetic, generated_synthetic):
    """Commentary that looks like a formula or a DDE command reaches Exceptions as plain text."""
    county = table_rag_county(wb_synthetic)
    for ind_id, rag in FORCED_RAG.items():
        assert county.get(ind_id) == rag, f"synthetic data: indicator {ind_id} is {county.get(ind_id)!r}, not {rag}"
    ws = wb_synthetic["Exceptions"]
    found = {}
    for row in ws.iter_rows():
        for cell in row:
            if cell.value in INJECTED.values():
                found[cell.value] = cell
    for text in INJECTED.values():
        assert text in found, f"commentary {text!r} is not on the Exceptions sheet"
        cell = found[text]
        assert cell.data_type == "s", f"{cell.coordinate}: {text!r} stored as {cell.data_type!r}"
        assert cell.hyperlink is None, f"{cell.coordinate}: {text!r} became a link"
    assert "Commentary for an earlier month." not in {c.value for row in ws.iter_rows() for c in row}
    with zipfile.ZipFile(generated_synthetic) as z:
        sheet_xml = [m for m in z.namelist() if m.startswith("xl/worksheets/sheet") and m.endswith(".xml")]
        for member in sheet_xml:
            text = z.read(member).decode()
            assert not re.search(r"<f[ >]", text), f"{member} holds a formula"
            assert "HYPERLINK" not in text, f"{member}: the commentary became a link or formula"


# ----------------------------------------------------------------------------- every input row

def test_every_activity_row_is_written(wb, export_rows):
    records = table_records(wb, "Activity Data")
    assert len(records) == len(export_rows["Activity"])
    assert sorted(r["Source Row"] for r in records) == export_rows["Activity"]


def test_every_indicator_row_is_written(wb, export_rows, export_path):
    records = table_records(wb, "Indicator Data")
    assert len(records) == len(export_rows["Indicators"])
    assert sorted(r["Source Row"] for r in records) == export_rows["Indicators"]
    if is_synthetic(export_path):
        assert SYNTHETIC_BLANK_ROW not in export_rows["Indicators"]
        assert SYNTHETIC_BLANK_ROW + 1 in export_rows["Indicators"]


def test_data_quality_counts_rows(wb, export_rows):
    records = {r["Sheet"]: r for r in table_records(wb, "Data Quality", "DataQuality")}
    for sheet in ("Activity", "Indicators"):
        assert records[sheet]["Rows Read"] == len(export_rows[sheet]), records[sheet]
        assert records[sheet]["Rows Written"] == len(export_rows[sheet]), records[sheet]


def test_r12m_numerator_is_the_sum_of_12_months(wb):
    """The county's All numerator for an R12M indicator = the Indicator Data numerators of the 12 months."""
    template = kent_template()
    root = template.organisation_tree.name
    results = {(r["Indicator"]): r for r in table_records(wb, "Results", "Results")
               if r["Unit"] == root and r["Cohort"] == "All" and r["Month"] == REPORTING_MONTH}
    r12m = [i.id for i in template.indicators if i.period == "R12M" and i.id in results
            and results[i.id]["Numerator"] is not None]
    assert r12m, "no R12M indicator has a county result for the reporting month"
    first = dt.datetime(REPORTING_MONTH.year - 1, REPORTING_MONTH.month + 1, 1) if REPORTING_MONTH.month < 12 \
        else dt.datetime(REPORTING_MONTH.year, 1, 1)
    data = table_records(wb, "Indicator Data")
    checked = 0
    for ind_id in r12m[:3]:  # a few, to keep it quick; the first is enough to catch a wrong window
        rows = [r for r in data if r["Indicator"] == ind_id and first <= r["Month"] <= REPORTING_MONTH]
        assert {r["Month"] for r in rows} and len({r["Month"] for r in rows}) == 12, ind_id
        total = sum(r["Numerator"] for r in rows)
        assert results[ind_id]["Numerator"] == pytest.approx(total, abs=1e-6), ind_id
        if results[ind_id]["Denominator"] is not None:
            den = sum(r["Denominator"] for r in rows)
            assert results[ind_id]["Denominator"] == pytest.approx(den, abs=1e-6), ind_id
            assert results[ind_id]["Result"] == pytest.approx(total / den, rel=1e-12), ind_id
        checked += 1
    assert checked


# ----------------------------------------------------------------------------- properties and reproducibility

def test_document_properties(wb, generated):
    props = wb.properties
    assert props.title and isinstance(props.title, str)
    assert props.subject and isinstance(props.subject, str)
    app_xml = zip_text(generated, "docProps/app.xml")
    company = re.search(r"<Company>(.*?)</Company>", app_xml)
    assert company and company.group(1).strip() == kent_template().organisation
    created = props.created
    assert created is not None
    assert (created.year, created.month) == (REPORTING_MONTH.year, REPORTING_MONTH.month), created
    assert created.date() != dt.date.today()


def test_contents_shows_month_and_produced_date(wb):
    ws = wb["Contents"]
    details = {ws.cell(r, 1).value: ws.cell(r, 2).value for r in range(1, 15)}
    assert details.get("Reporting month") == REPORTING_MONTH
    produced = details.get("Date produced")
    assert produced in (PRODUCED, dt.datetime.fromisoformat(PRODUCED)), produced


@pytest.mark.slow
def test_same_input_same_bytes(export_path, generated, tmp_path):
    """A second run, in a new process with another hash seed, gives the same bytes."""
    again = tmp_path / generated.name
    proc = run_cli("generate", export_path, "-o", again, "--produced", PRODUCED, env_extra={"PYTHONHASHSEED": "12345"})
    assert proc.returncode == 0, proc.stderr
    a, b = generated.read_bytes(), again.read_bytes()
    if a != b:
        with zipfile.ZipFile(generated) as za, zipfile.ZipFile(again) as zb:
            differ = [m for m in za.namelist() if m not in zb.namelist() or za.read(m) != zb.read(m)]
        pytest.fail(f"two runs differ in {differ}")



# ----------------------------------------------------------------------------- internal links

def parse_location(location: str) -> tuple[str, str]:
    """(sheet, cell) of an internal link such as 'It''s here'!A5 or Results!A1, by Excel's quoting rules."""
    if location.startswith("'"):
        m = re.fullmatch(r"'((?:[^']|'')+)'!(\$?[A-Z]{1,3}\$?\d+)", location)
        assert m, f"malformed link location {location!r} (an apostrophe in a quoted sheet name must be doubled)"
        return m.group(1).replace("''", "'"), m.group(2).replace("$", "")
    m = re.fullmatch(r"([^'!\s\-&()]+)!(\$?[A-Z]{1,3}\$?\d+)", location)
    assert m, f"malformed link location {location!r}"
    return m.group(1), m.group(2).replace("$", "")


def internal_links(book) -> list[tuple[str, str, str]]:
    """(sheet!cell of the link, target sheet, target cell) for every internal hyperlink."""
    links = []
    for ws in book.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                if cell.hyperlink is not None:
                    assert not cell.hyperlink.target, \
                        f"{ws.title}!{cell.coordinate}: external link {cell.hyperlink.target}"
                    sheet, target = parse_location(cell.hyperlink.location)
                    links.append((f"{ws.title}!{cell.coordinate}", sheet, target))
    return links


def check_links(book) -> None:
    links = internal_links(book)
    assert links, "no internal links"
    for where, sheet, _ in links:
        assert sheet in book.sheetnames, f"{where} links to a missing sheet {sheet!r}"
    linked = {sheet for where, sheet, _ in links if where.startswith("Contents!")}
    missing = set(book.sheetnames) - {"Contents"} - linked
    assert not missing, f"Contents lacks links to {missing}"


@pytest.mark.slow
def test_internal_links_resolve(wb):
    check_links(wb)
    # Each Red indicator's link on Contents lands on the title of its exception report.
    template = kent_template()
    checked = 0
    for where, sheet, target in internal_links(wb):
        if not where.startswith("Contents!") or sheet != "Exceptions":
            continue
        text = wb["Contents"][where.split("!")[1]].value
        if isinstance(text, str) and ": " in text:
            ind = template.indicator(text.split(": ")[0])
            assert wb["Exceptions"][target].value == (ind.exception_title or ind.title), (where, target)
            checked += 1
    assert checked == sum(v == "R" for v in table_rag_county(wb).values())


@pytest.mark.slow
def test_custom_scorecard_sheet_name_with_apostrophe_and_ampersand(mini_export, tmp_path):
    """A template's sheet name may hold ' and &: links quote it ('' inside quotes), footers escape & as &&."""
    name = "Children's Scorecard & Kent"
    template = write_kent_template_variant(tmp_path / "custom.yaml", scorecard_sheet="Children's Scorecard & {unit}")
    out = generate_ok(mini_export, tmp_path / "custom.xlsx", "--template", str(template))
    book = load_workbook(out)
    # 33 characters for North Kent: cut at the last space within Excel's 31 (the documented shortening)
    assert book.sheetnames[3] == name and "Children's Scorecard & North" in book.sheetnames
    footer = book[name].oddFooter
    assert "Children's Scorecard && Kent" in (footer.left.text or ""), footer.left.text
    check_links(book)

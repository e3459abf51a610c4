"""The column tables (layout/columns.py) and the declarative sheet list (layout/assembly.py).

A table of indicators is described column by column, so its headers, cells, widths and RAG
ranges follow from the list; the raw sheets are flagged on the Sheet, not known by name. Read
from the tiny template's layout (no file written).
"""

from __future__ import annotations

import pandas as pd
import pytest
from conftest import indicator_rows, make_export, months_between, tiny_dict

from scorecard_xl.engine.calculator import calculate
from scorecard_xl.engine.template import Template
from scorecard_xl.workbook.layout import workbook_layout
from scorecard_xl.workbook.layout.assembly import SHEETS
from scorecard_xl.workbook.layout.columns import (
    RAG_SAMPLE,
    Column,
    last_printed_col,
    put_headers,
    put_row,
    rag_ranges,
    titles_col,
    widths_for,
)
from scorecard_xl.workbook.layout.model import Sheet
from scorecard_xl.workbook.layout.printing import printable_layout
from scorecard_xl.workbook.layout.scorecard import HEADER_ROW
from scorecard_xl.workbook.layout.scorecard_columns import (
    SPARKLINES,
    ScorecardRow,
    figure,
    result_format,
    scorecard_columns,
)
from scorecard_xl.workbook.layout.sizing import FIGURE, column_widths

MONTH = "2016-08"
SOURCE = {"name": "tiny.xlsx", "sha256": "0" * 64, "produced": "2016-09-01", "companion": "tiny-data.xlsx"}


def _template(spc: bool = True, uasc: bool = True, scorecard_sheet: str | None = None) -> Template:
    data = tiny_dict()
    data["spc"] = {"enabled": spc}
    data["scorecards"] = [{"unit": "County"}, {"level": "Area"}]
    if scorecard_sheet:
        data["scorecard_sheet"] = scorecard_sheet
    if uasc:
        data["uasc_impact"] = {"unit_sections": [{"unit": "North", "title": "NORTH"}], "unit_indicators": ["PSS"],
                               "other_title": "OTHER", "other_unit": "County", "other_indicators": ["P12"]}
    return Template.model_validate(data)


def _layouts(template: Template, raw_data: str = "include", unit: str | None = None):
    records = [(m.strftime("%Y-%m"), ind, team, uasc, 3 + k % 2, 10)
               for k, m in enumerate(months_between("2015-01", MONTH))
               for ind in ("PSS", "P12") for team in ("N1", "S1") for uasc in ("N", "Y")]
    export = make_export(indicator_rows(records))
    scorecard = calculate(export, template, pd.Timestamp(MONTH), units=list(template.units))
    return workbook_layout(scorecard, template, export, SOURCE, raw_data, unit=unit), scorecard


def _row(sheet: Sheet, row: int) -> list:
    return [c.value for c in sorted((c for c in sheet.cells if c.row == row), key=lambda c: c.col)]


@pytest.fixture(scope="module")
def county():
    (main, companion), scorecard = _layouts(_template(), "separate")
    return main, companion, scorecard


@pytest.mark.parametrize("spc", [True, False])
def test_scorecard_headers_come_from_the_table_spc_columns_only_with_spc_and_sparklines_last(spc):
    template = _template(spc=spc)
    (main, _), _ = _layouts(template)
    sheet = main.sheet(template.scorecard_sheet_for("County"))
    columns = scorecard_columns(template, pd.Timestamp(MONTH), spc)
    headers = _row(sheet, HEADER_ROW)
    assert headers == [c.header for c in columns]
    assert headers[-1] == SPARKLINES.header
    assert ("Variation" in headers, "Assurance" in headers) == (spc, spc)
    assert headers[8] == "Target for 16/17"
    assert sheet.print_cols == len(headers) - 2  # the sparklines are for the screen
    assert {s.col for s in sheet.sparklines} == {len(headers) - 1}
    rag_cols = [col for col, h in enumerate(headers) if h in ("RAG", "Rolling 3 Months RAG")]
    assert [(r.first_col, r.last_col) for r in sheet.rag_ranges] == [(c, c) for c in rag_cols]
    assert sorted(sheet.widths) == list(range(len(headers)))


def test_a_new_column_is_one_entry_and_the_rest_follows():
    """A benchmark column beside the latest result: headers, cells, widths and RAG ranges all move."""
    template = _template()
    columns = scorecard_columns(template, pd.Timestamp(MONTH), spc=False)
    england = Column("England", figure("England"), result_format, ["England"])
    quartile = Column("Quartile RAG", figure("Quartile"), "rag", RAG_SAMPLE, rag=True)
    grown = [*columns[:5], england, quartile, *columns[5:]]
    sheet = Sheet("S", "S")
    put_headers(sheet, 0, grown)
    latest = pd.Series({"Result": 0.5, "RAG": "G", "Numerator": 1, "Denominator": 2, "England": 0.4,
                        "Quartile": "A", "Result 1 Month Ago": None, "DoT 1 Month": None,
                        "Result 1 Year Ago": None, "DoT 1 Year": None, "Rolling 3 Months": None,
                        "Rolling 3 Months RAG": None})
    put_row(sheet, 1, grown, ScorecardRow(template.indicator("PSS"), latest, "County", pd.Timestamp(MONTH)))
    assert _row(sheet, 0)[4:8] == ["Latest Result", "England", "Quartile RAG", "RAG"]
    assert _row(sheet, 1)[4:8] == [0.5, 0.4, "A", "G"]
    assert len(_row(sheet, 1)) == len(grown) - 1  # no cell under the sparklines
    assert [r.first_col for r in rag_ranges(grown, 1, 1)] == [6, 7, 16]
    assert titles_col(grown) == 1 and last_printed_col(grown) == len(grown) - 2
    assert widths_for(grown)[5] == column_widths(["England"], {0: ["England"]})[0]


def test_column_helpers_on_a_table_of_their_own():
    columns = [Column("Name", lambda r: r["name"], "wrap", titles=True),
               Column("Score", lambda r: r["score"], lambda r: "integer" if r["score"] > 1 else "decimal4"),
               Column("RAG", lambda r: r["rag"], "rag", RAG_SAMPLE, rag=True),
               Column("Chart", None, width=12, printed=False)]
    sheet = Sheet("T", "T")
    put_row(sheet, 2, columns, {"name": "a", "score": 3, "rag": "R"})
    assert [(c.col, c.value, c.style) for c in sheet.cells] == [(0, "a", "wrap"), (1, 3, "integer"),
                                                              (2, "R", "rag")]
    assert widths_for(columns)[3] == 12
    assert widths_for(columns)[1] == column_widths(["Score"], {0: [FIGURE]})[0]
    assert last_printed_col(columns[:3]) is None
    with pytest.raises(ValueError, match="screen only"):
        last_printed_col([columns[3], columns[0]])


def test_uasc_sheet_is_described_by_its_table():
    template = _template()
    (main, _), _ = _layouts(template)
    sheet = main.sheet("Impact of UASC")
    headers = _row(sheet, 3)
    assert headers[:4] == ["Indicators", "Polarity", "Data Period", "Including UASC: Latest Result"]
    assert headers[-1] == "Variance with UASC excluded"
    assert [r.first_col for r in sheet.rag_ranges] == [headers.index("Including UASC: RAG"),
                                                       headers.index("Excluding UASC: RAG")]
    assert sheet.freeze == (4, 1)


def test_raw_sheets_are_flagged_and_go_to_the_companion(county):
    main, companion, _ = county
    assert [s.name for s in companion.sheets] == ["Results", "SPC", "Activity Data", "Indicator Data"]
    assert all(s.raw for s in companion.sheets) and not any(s.raw for s in main.sheets)
    contents = main.sheet("Contents")
    listed = {c.value: c for c in contents.cells if c.col == 0 and isinstance(c.value, str)}
    assert listed["Results (in tiny-data.xlsx)"].link is None
    assert listed["Definitions"].link is not None


def test_a_sheet_named_like_a_companion_entry_keeps_its_link():
    """Contents knew the companion's sheets by ' (in ' in their names; a scorecard named so lost its link."""
    template = _template(uasc=False, scorecard_sheet="Scorecard (in {unit})")
    (main, _), _ = _layouts(template, "separate")
    listed = {c.value: c for c in main.sheet("Contents").cells if c.col == 0 and isinstance(c.value, str)}
    assert listed["Scorecard (in County)"].link == "'Scorecard (in County)'!A1"


def test_sheet_list_is_declarative_and_descriptions_come_from_it(county):
    main, companion, _ = county
    assert [p.raw for p in SHEETS].count(True) == 4
    assert all(s.description for s in [*main.sheets[1:], *companion.sheets])
    assert main.sheet("Scorecard - Tiny").description.startswith("County: ")
    quality = main.sheet("Data Quality").tables[0].frame
    written = dict(zip(quality["Sheet"], quality["Rows Written"], strict=False))
    assert written["Indicators"] == len(companion.sheet("Indicator Data").tables[0].frame)


def test_a_units_workbook_and_its_printed_copy(county):
    _, _, scorecard = county
    template = _template()
    (main, companion), _ = _layouts(template, "separate", unit="North")
    names = [s.name for s in main.sheets]
    assert "Scorecard - Tiny - North" in names and "RAG Overview" not in names
    uasc = main.sheet("Impact of UASC")
    assert [c.value for c in uasc.cells if c.style == "section" and c.value] == ["NORTH"]
    assert [s.name for s in companion.sheets] == ["Results", "SPC", "Activity Data", "Indicator Data"]
    printed = printable_layout(main, scorecard, template, SOURCE, unit="North")
    assert not any(s.raw for s in printed.sheets)

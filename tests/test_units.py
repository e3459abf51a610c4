"""Every area and team gets its scorecard: in the county workbook, and in a workbook of its own.

The county workbook has a scorecard sheet for each unit the template's `scorecards` names
and a RAG overview across them; `generate --unit` / `--each LEVEL` write one workbook per
unit, read and calculated once, put in place as one set, holding only the unit's own rows.
"""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

import pandas as pd
import pytest
import yaml
from conftest import TINY_DICT, commentary_rows, indicator_rows, make_export, months_between
from workbook_fixtures import SAMPLE, load_workbook, run_cli

from scorecard_xl import generate
from scorecard_xl.engine.calculator import calculate, indicator_results
from scorecard_xl.engine.template import Template, TemplateError, load_template
from scorecard_xl.files import WriteError

KENT = load_template("kent_scs")
AREAS = ["North Kent", "East Kent", "South Kent", "West Kent"]


def _read(path: Path):
    return load_workbook(path, read_only=True)


def _table_values(ws, column: str) -> list:
    """The values of one column of the Excel table on a raw sheet (its header row found by name)."""
    rows = ws.iter_rows(values_only=True)
    for row in rows:
        if row and column in row:
            at = row.index(column)
            return [r[at] for r in rows if r and any(v is not None for v in r)]
    raise AssertionError(f"no column {column!r} on {ws.title}")


# ----------------------------------------------------------------------------- the template

def test_kent_scorecards_are_the_county_its_areas_and_the_disability_service():
    assert KENT.scorecard_units == ["Kent", *AREAS, "Disability Service"]
    assert [KENT.scorecard_sheet_for(u) for u in KENT.scorecard_units][:2] == ["Scorecard - Kent",
                                                                              "Scorecard - North Kent"]


@pytest.mark.parametrize(("unit", "sheet"), [
    ("East Kent (Can/Swa) CIC", "Scorecard - EK (Can-Swa) CIC"),  # its short name, "/" made "-"
    ("Care Leaver Service (18+)", "Scorecard - Care Leaver Service"),  # cut at a space within 31
    ("Thanet Margate CSWT", "Scorecard - Thanet Margate CSWT"),  # exactly 31
])
def test_sheet_names_are_made_safe_for_excel(unit, sheet):
    assert KENT.scorecard_sheet_for(unit) == sheet
    assert len(sheet) <= 31 and not set(sheet) & set("[]:*?/\\")


def _tiny(**changes) -> dict:
    data = yaml.safe_load(yaml.safe_dump(TINY_DICT))
    data.update(changes)
    return data


def test_scorecards_by_name_and_by_level():
    tiny = Template.model_validate(_tiny(scorecard_sheet="Scorecard - {unit}",
                                         scorecards=[{"unit": "County"}, {"level": "Area"}, {"unit": "N1"}]))
    assert tiny.scorecard_units == ["County", "North", "South", "N1"]


@pytest.mark.parametrize(("changes", "words"), [
    ({"scorecards": [{"unit": "Nowhere"}]}, "scorecards: unit 'Nowhere' is not in organisation_tree"),
    ({"scorecards": [{"level": "Areas"}]}, "no unit has the level 'Areas' (closest: 'Area')"),
    ({"scorecards": [{"unit": "North", "level": "Area"}]}, "give either unit: NAME or level: LEVEL"),
    ({"scorecard_sheet": "The monthly scorecard sheet for {unit}", "scorecards": [{"level": "Area"}]},
     "is already the name of scorecard_sheet for"),  # every name cut to the same 31 characters
])
def test_scorecards_that_cannot_be_made_are_refused(tmp_path, changes, words):
    path = tmp_path / "t.yaml"
    path.write_text(yaml.safe_dump(_tiny(**changes)))
    with pytest.raises(TemplateError) as caught:
        load_template(path)
    assert words in str(caught.value), str(caught.value)


def test_a_units_own_targets_rate_its_results():
    """P12 (H, 90% / red 85%): North's own target is 70% / red 60%. 75% is Red for the county's
    target and Green for North's; the county keeps the indicator's targets."""
    data = _tiny()
    data["sections"][0]["indicators"][0]["unit_targets"] = {"North": [{"from": "2015-04", "target": "70%",
                                                                       "red": "60%"}]}
    tiny = Template.model_validate(data)
    records = [(m.strftime("%Y-%m"), "P12", "N1", "N", 75, 100) for m in months_between("2015-09", "2016-08")]
    results = indicator_results(indicator_rows(records), tiny)
    latest = results[(results["Month"] == pd.Timestamp("2016-08-01")) & (results["Cohort"] == "All")
                     & (results["Indicator"] == "P12")].set_index("Unit")
    assert latest.loc["North", ["Result", "Target", "RAG"]].tolist() == [0.75, 0.7, "G"]
    assert latest.loc["County", ["Result", "Target", "RAG"]].tolist() == [0.75, 0.9, "R"]
    assert latest.loc["N1", "RAG"] == "R"  # a unit's own targets are its alone, not its teams'


def test_unit_targets_for_an_unknown_unit_are_refused():
    data = _tiny()
    data["sections"][0]["indicators"][0]["unit_targets"] = {"Nowhere": [{"from": "2015-04", "target": "70%",
                                                                         "red": "60%"}]}
    with pytest.raises(ValueError, match="unit_targets: 'Nowhere' is not in organisation_tree"):
        Template.model_validate(data)


# ----------------------------------------------------------------------------- the county workbook

@pytest.fixture(scope="module")
def county(tmp_path_factory):
    folder = tmp_path_factory.mktemp("county")
    result = generate(SAMPLE, folder / "scorecard.xlsx", produced=dt.date(2016, 11, 10))
    return result, load_workbook(result.workbook)


def _scorecard_rows(ws) -> dict[str, tuple]:
    """Indicator ID -> (Latest Result, RAG, Num, Denom) of a scorecard sheet."""
    rows = {}
    for row in ws.iter_rows(min_row=5, values_only=True):
        if row[0] is not None and str(row[0]).isdigit() and row[1]:
            rows[str(row[0])] = (row[4], row[5], row[6], row[7])
    return rows


@pytest.mark.slow
def test_each_scorecard_unit_has_its_sheet_with_the_countys_columns(county):
    _, book = county
    header = [c.value for c in book["Scorecard - Kent"][4]]
    for unit in AREAS + ["Disability Service"]:
        ws = book[f"Scorecard - {unit}"]
        assert [c.value for c in ws[4]] == header, unit
        assert ws["A1"].value == f"Scorecard - {unit}: Aug 2016"


def test_a_units_sheet_shows_its_own_results_and_rag_counts(county):
    result, book = county
    results = result.scorecard.results
    latest = results[(results["Month"] == pd.Timestamp("2016-08-01")) & (results["Cohort"] == "All")]
    for unit in AREAS:
        rows = _scorecard_rows(book[f"Scorecard - {unit}"])
        own = latest[latest["Unit"] == unit].set_index("Indicator")
        for ind_id, (value, rag, _, _) in rows.items():
            expected = own["Result"].get(ind_id)
            if expected is None or pd.isna(expected):
                assert value is None and rag is None, (unit, ind_id, value)
            else:
                assert value == pytest.approx(expected) and rag == own.loc[ind_id, "RAG"], (unit, ind_id)
        letters = [rag for _, rag, _, _ in rows.values()]
        sheet_rows = list(book[f"Scorecard - {unit}"].iter_rows(values_only=True))
        at = next(i for i, r in enumerate(sheet_rows) if "GREEN" in r)
        words, figures = sheet_rows[at], sheet_rows[at + 1]
        shown = [figures[words.index(word)] for word in ("GREEN", "AMBER", "RED")]
        assert shown == [letters.count("G"), letters.count("A"), letters.count("R")], unit


def test_an_indicator_a_unit_has_no_data_for_is_empty_and_said_once(county):
    """North Kent has no rows for adoption (28): empty, not zero, and one warning for the unit."""
    result, book = county
    rows = _scorecard_rows(book["Scorecard - North Kent"])
    assert rows["28"] == (None, None, None, None)
    about = [w for w in result.warnings if w.message.startswith("North Kent: no rows for indicators")]
    assert len(about) == 1 and "28" in about[0].message
    quality = [r[4] for r in book["Data Quality"].iter_rows(values_only=True) if r and r[4]]
    assert sum(1 for m in quality if str(m).startswith("North Kent: no rows")) == 1


def test_the_overview_puts_the_units_side_by_side(county):
    result, book = county
    ws = book["RAG Overview"]
    units = [c.value for c in ws[4] if c.value]
    assert units == ["Kent", *AREAS, "Disability Service"]
    assert [c.value for c in ws[5]][:4] == ["ID", "Indicator", "Result", "RAG"]
    sheets = {unit: _scorecard_rows(book[KENT.scorecard_sheet_for(unit)]) for unit in units}
    checked = 0
    for row in ws.iter_rows(min_row=6, values_only=True):
        if row[0] is None or not str(row[0]).isdigit():
            continue
        for k, unit in enumerate(units):
            value, rag = row[2 + 2 * k], row[3 + 2 * k]
            expected = sheets[unit][str(row[0])]
            assert (value, rag) == expected[:2], (row[0], unit)
            checked += 1
    assert checked == 45 * 6
    links = {c.value: c.hyperlink.location for c in ws[4] if c.value}
    assert links["North Kent"] == "'Scorecard - North Kent'!A1"


def test_contents_lists_each_units_reds_with_links(county):
    result, book = county
    rows = list(book["Contents"].iter_rows(values_only=False))
    heading = next(i for i, r in enumerate(rows) if r[0].value == "Red indicators of the other scorecards")
    listed = [(r[0].value, r[1].value, r[1].hyperlink.location if r[1].hyperlink else None)
              for r in rows[heading + 2:] if r[0].value in AREAS + ["Disability Service"]]
    for unit in AREAS:
        reds = result.scorecard.views[unit].exceptions
        mine = [x for x in listed if x[0] == unit]
        assert [x[1] for x in mine] == [f"{r.indicator}: {r.title}" for r in reds], unit
        for (_, _, link), report in zip(mine, reds, strict=False):
            sheet, cell = link.rsplit("!", 1)
            ws = book[sheet.strip("'")]
            assert str(ws[cell].value) == report.indicator, (unit, link)


# ----------------------------------------------------------------------------- workbooks per unit

@pytest.fixture(scope="module")
def teams(tmp_path_factory):
    folder = tmp_path_factory.mktemp("teams")
    return generate(SAMPLE, each=["Area", "Team"], out_dir=folder, produced=dt.date(2016, 11, 10))


@pytest.mark.slow
def test_one_workbook_per_unit_named_after_it(teams):
    names = [b.workbook.name for b in teams.books]
    expected_units = KENT.units_at("Area") + KENT.units_at("Team")
    assert sorted(b.unit for b in teams.books) == sorted(expected_units)
    assert "scorecard-2016-08-east-kent.xlsx" in names
    assert "scorecard-2016-08-east-kent-can-swa-cic.xlsx" in names
    assert len(set(n.lower() for n in names)) == len(names)
    assert all(n.isascii() and " " not in n for n in names)


@pytest.mark.slow
def test_a_unit_workbook_holds_its_own_rows_only(teams):
    """A team manager never receives another team's rows: every raw sheet's units are the unit's own."""
    for book in teams.books:
        own = set(KENT.subtree(book.unit))
        wb = _read(book.workbook)
        try:
            for sheet, column in (("Activity Data", "Team"), ("Indicator Data", "Team"), ("Results", "Unit")):
                units = set(_table_values(wb[sheet], column))
                assert units and units <= own, (book.unit, sheet, sorted(units - own))
            assert KENT.scorecard_sheet_for(book.unit) in wb.sheetnames
            assert "RAG Overview" not in wb.sheetnames
            details = {r[0]: r[1] for r in wb["Contents"].iter_rows(max_col=2, values_only=True) if r[0]}
            assert details["Unit"] == book.unit
        finally:
            wb.close()


def test_a_unit_workbook_has_the_activity_of_the_unit_and_its_teams(teams):
    east = next(b for b in teams.books if b.unit == "East Kent")
    wb = _read(east.workbook)
    try:
        units = [r[0] for r in wb["SCS Activity"].iter_rows(min_row=5, values_only=True) if r[0]]
    finally:
        wb.close()
    assert units == ["East Kent", "Canterbury CSWT", "Swale CSWT", "Thanet Margate CSWT", "Thanet Ramsgate CSWT",
                     "East Kent (Can/Swa) CIC", "East Kent (Tha) CIC"]


def test_impact_of_uasc_only_where_the_template_defines_the_unit(teams):
    by_unit = {b.unit: b for b in teams.books}
    for unit, expected in (("North Kent", True), ("Dartford CSWT", False)):
        wb = _read(by_unit[unit].workbook)
        try:
            assert ("Impact of UASC" in wb.sheetnames) is expected, unit
            if expected:
                sections = [r[0] for r in wb["Impact of UASC"].iter_rows(values_only=True)
                            if r[0] and str(r[0]).startswith("CHILDREN IN CARE")]
                assert sections == ["CHILDREN IN CARE - NORTH KENT AREA"]
        finally:
            wb.close()


@pytest.mark.slow
def test_read_and_calculated_once(tmp_path, monkeypatch):
    from scorecard_xl.engine import calculator
    from scorecard_xl.reading import reader

    calls = {"read": 0, "calculate": 0}
    real_read, real_calculate = reader.read_sheets, calculator.calculate

    def read(*args, **kwargs):
        calls["read"] += 1
        return real_read(*args, **kwargs)

    def calc(*args, **kwargs):
        calls["calculate"] += 1
        return real_calculate(*args, **kwargs)

    monkeypatch.setattr(reader, "read_sheets", read)
    monkeypatch.setattr(calculator, "calculate", calc)
    result = generate(SAMPLE, each=["Area"], out_dir=tmp_path, workers=1)
    assert len(result.books) == 4 and calls == {"read": 1, "calculate": 1}


@pytest.mark.slow
def test_the_workbooks_of_a_run_are_one_set(tmp_path, monkeypatch):
    """A target that cannot be replaced (open in Excel) stops the whole run: no workbook is changed."""
    first = generate(SAMPLE, each=["Area"], out_dir=tmp_path, produced=dt.date(2016, 9, 1))
    before = {p: p.read_bytes() for p in first.paths}
    locked = first.books[2].workbook
    real_open = os.open

    def open_(path, flags, *args):
        if Path(path) == locked and flags & os.O_RDWR:
            exc = PermissionError(13, "The process cannot access the file", str(path))
            exc.winerror = 32
            raise exc
        return real_open(path, flags, *args)

    monkeypatch.setattr(os, "open", open_)
    with pytest.raises(WriteError, match="is open in another program"):
        generate(SAMPLE, each=["Area"], out_dir=tmp_path, produced=dt.date(2016, 9, 2))
    assert {p: p.read_bytes() for p in first.paths} == before
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(p.name for p in first.paths)


@pytest.mark.slow
def test_workers_write_the_same_bytes_as_one_process(tmp_path):
    one = generate(SAMPLE, each=["Area"], out_dir=tmp_path / "one", workers=1, produced=dt.date(2016, 11, 10)) \
        if (tmp_path / "one").mkdir() is None else None
    two = generate(SAMPLE, each=["Area"], out_dir=tmp_path / "two", workers=2, produced=dt.date(2016, 11, 10)) \
        if (tmp_path / "two").mkdir() is None else None
    assert [p.read_bytes() for p in one.paths] == [p.read_bytes() for p in two.paths]


def test_commentary_for_a_unit_goes_on_its_own_exception_report(tiny, tmp_path):
    """Commentary with a Team is that unit's: on its exception report, not the county's."""
    records = [(m.strftime("%Y-%m"), "PSS", "N1", "N", 30, 100) for m in months_between("2016-07", "2016-08")]
    notes = commentary_rows([("2016-08", "PSS", "The county's note.")])
    notes.insert(2, "Unit", "County")
    north = pd.DataFrame([{"Month": pd.Timestamp("2016-08-01"), "Indicator": "PSS", "Unit": "North",
                           "Commentary": "North's own note.", "Row": 3}])
    export = make_export(indicator_rows(records), commentary=pd.concat([notes, north], ignore_index=True))
    scorecard = calculate(export, Template.model_validate(_tiny(scorecard_sheet="Scorecard - {unit}",
                                                                scorecards=[{"unit": "County"},
                                                                            {"level": "Area"}])), "2016-08")
    assert [r.commentary for r in scorecard.views["County"].exceptions] == ["The county's note."]
    assert [r.commentary for r in scorecard.views["North"].exceptions] == ["North's own note."]


@pytest.mark.slow
def test_commentary_sheet_takes_a_team_column(tmp_path):
    """The export's Commentary sheet with Team: a unit's commentary reaches its own workbook."""
    book = load_workbook(SAMPLE)
    ws = book["Commentary"]
    header = [c.value for c in ws[1]]
    ws.cell(1, len(header) + 1, "Team")
    east = generate(SAMPLE, unit="East Kent", out_dir=None, output=tmp_path / "before.xlsx")
    reds = [r.indicator for r in east.scorecard.views["East Kent"].exceptions]
    ws.append([dt.datetime(2016, 8, 1), int(reds[0]), "East Kent's commentary, for its own report.",
               "EAST  KENT"])
    changed = tmp_path / "export.xlsx"
    book.save(changed)
    result = generate(changed, tmp_path / "east.xlsx", unit="East Kent")
    report = next(r for r in result.scorecard.views["East Kent"].exceptions if r.indicator == reds[0])
    assert report.commentary == "East Kent's commentary, for its own report."
    county = [r for r in result.scorecard.views["Kent"].exceptions if r.indicator == reds[0]]
    assert not county or county[0].commentary != report.commentary


# ----------------------------------------------------------------------------- the command line

@pytest.mark.slow
def test_each_from_the_command_line(tmp_path):
    proc = run_cli("generate", SAMPLE, "--each", "area", "--out-dir", tmp_path, cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert "Wrote" in proc.stdout and "for East Kent, Aug 2016" in proc.stdout
    assert "4 workbooks (4 files), written together." in proc.stdout
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(
        f"scorecard-2016-08-{slug}.xlsx" for slug in ("north-kent", "east-kent", "south-kent", "west-kent"))


@pytest.mark.parametrize(("args", "words"), [
    (["--unit", "Ashfrod CSWT"], "unknown unit 'Ashfrod CSWT' (closest: 'Ashford CSWT'"),
    (["--each", "Areas"], "unknown level 'Areas'; the levels are County, Area, Team, Service, or all"),
    (["--each", "Area", "-o", "x.xlsx"], "--each writes one workbook per unit"),
    (["--out-dir", "."], "--out-dir is for the workbooks of --each"),
])
def test_unit_options_that_cannot_work_are_refused(tmp_path, args, words):
    proc = run_cli("generate", SAMPLE, *args, cwd=tmp_path)
    assert proc.returncode == 2, proc.stdout + proc.stderr
    assert words in " ".join(proc.stderr.split()), proc.stderr
    assert list(tmp_path.iterdir()) == []

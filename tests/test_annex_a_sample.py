"""The synthetic Annex A sample (samples/annex_a/, a year of monthly files): every figure the
adapter computes agrees with an independent count written separately (annex_a_independent.py:
openpyxl and loops, bank holidays typed in by hand), and the files run end to end to a
scorecard workbook, read back with openpyxl."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd
import pytest
from annex_a_independent import independent_figures, kent_team_map
from workbook_fixtures import load_workbook, run_cli

from scorecard_xl.annex_a.build import compute
from scorecard_xl.annex_a.reading import read_annex_a, report_date_from_name
from scorecard_xl.annex_a.stacking import stack
from scorecard_xl.annex_a.teams import TeamMap
from scorecard_xl.engine.template import load_template

SAMPLES = Path(__file__).resolve().parents[1] / "samples" / "annex_a"
FILES = sorted(SAMPLES.glob("annex-a-*.xlsx"))


@pytest.fixture(scope="module")
def kent():
    return load_template("kent_scs")


@pytest.fixture(scope="module")
def computed(kent):
    files = [read_annex_a(path, report_date_from_name(path)) for path in FILES]
    return compute(stack(files, TeamMap(kent), kent.organisation_tree.name), kent)


@pytest.fixture(scope="module")
def independent():
    return independent_figures(FILES, kent_team_map())


def test_the_sample_is_a_year_of_monthly_files():
    assert [report_date_from_name(p) for p in FILES] == [
        (pd.Timestamp(m) + pd.offsets.MonthEnd(0)).date() for m in pd.date_range("2015-09-01", "2016-08-01", freq="MS")]
    assert sum(p.stat().st_size for p in FILES) < 3_000_000


@pytest.mark.slow
def test_activity_agrees_with_the_independent_count(computed, independent):
    theirs = independent[0]
    ours = {}
    for measure in computed.measures:
        for month, unit, value in zip(computed.activity["Month"], computed.activity["Unit"],
                                      computed.activity[measure], strict=False):
            if value:
                ours[(month.date(), unit, measure)] = int(value)
    assert ours == theirs
    assert len(ours) > 1_500


def test_indicators_agree_with_the_independent_count(computed, independent, kent):
    theirs = independent[1]
    rule_of = {i.id: i.annex_a.rule for i in kent.indicators if i.annex_a}
    ours = {}
    for row in computed.indicators.itertuples(index=False):
        if row.Denominator:
            ours[(row.Month.date(), rule_of[row.Indicator], row.Unit, bool(row.UASC))] = (int(row.Numerator),
                                                                                          int(row.Denominator))
    assert ours == theirs
    assert {rule for _, rule, _, _ in ours} == set(rule_of.values())


@pytest.mark.slow
def test_sample_end_to_end_to_a_scorecard(tmp_path, independent):
    export = tmp_path / "export-2016-08.xlsx"
    result = run_cli("annex-a", *FILES, "-o", export)
    assert result.returncode == 0, result.stderr
    assert f"Wrote {export} from 12 Annex A file(s)" in result.stdout
    scorecard = tmp_path / "scorecard.xlsx"
    result = run_cli("generate", export, "-o", scorecard)
    assert result.returncode == 0, result.stderr
    book = load_workbook(scorecard, read_only=True)
    activity, indicators = independent
    aug = dt.date(2016, 8, 1)
    total = sum(n for (month, _, measure), n in activity.items() if month == aug and measure == "Caseloads")
    rows = list(book["SCS Activity"].iter_rows(values_only=True))
    header = next(r for r in rows if r[0] == "Unit")
    kent_row = dict(zip(header, next(r for r in rows if r[0] == "Kent"), strict=False))
    assert kent_row["Caseloads - This month"] == total
    assert kent_row["PF Cases - This month"] is None  # not in Annex A: not recorded, shown empty
    # Indicator 2 (45 working days) for the county is 12 months of numerators over denominators.
    num = sum(v[0] for (m, rule, _, _), v in indicators.items()
              if rule == "assessment_45_working_days" and dt.date(2015, 9, 1) <= m <= aug)
    den = sum(v[1] for (m, rule, _, _), v in indicators.items()
              if rule == "assessment_45_working_days" and dt.date(2015, 9, 1) <= m <= aug)
    results = list(book["Results"].iter_rows(values_only=True))
    columns = next(r for r in results if r[0] == "Month")
    at = {name: i for i, name in enumerate(columns)}
    county = [r for r in results if r[at["Indicator"]] == "2" and r[at["Unit"]] == "Kent"
              and r[at["Cohort"]] == "All" and str(r[at["Month"]])[:7] == "2016-08"]
    assert len(county) == 1
    assert county[0][at["Numerator"]] == num and county[0][at["Denominator"]] == den
    # The run's notes are on the Data Quality sheet, counted in its rows table.
    quality = list(book["Data Quality"].iter_rows(values_only=True))
    notes_row = next(r for r in quality if r[0] == "Notes")
    assert notes_row[1] == notes_row[3] > 0
    assert any("counted as not seen (Annex A List 4)" in str(cell) for row in quality for cell in row)

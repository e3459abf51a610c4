"""Each figure from its own window, and every "left empty" warning with its true reason.

The result needs its 12 months (R12M), 1 month ago and 1 year ago their own 12, rolling 3
months its 3. A figure is never lost because another one could not be computed, and a
warning's reason is checked against an independent count made here from the export's
cells (openpyxl), not from the reader or the calculator.
"""

from __future__ import annotations

import re
from collections import defaultdict
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from conftest import indicator_rows, make_export, months_between, value

from scorecard_xl.engine.calculator import calculate, indicator_results
from scorecard_xl.engine.template import load_template
from scorecard_xl.reading.reader import read_export

SAMPLE = Path(__file__).resolve().parents[1] / "samples" / "kent_liberi_export_2016-08.xlsx"
WARNING = re.compile(r"indicator (?P<id>\S+), (?P<unit>.+), (?P<cohort>All|Excluding UASC): "
                     r"(?P<figure>result(?: 1 month ago| 1 year ago)?|rolling 3 months) for (?P<month>\w{3} \d{4}) "
                     r"left empty: (?P<why>.+)")
WINDOW = {"result": 0, "result 1 month ago": 1, "result 1 year ago": 12, "rolling 3 months": 0}


@pytest.fixture(scope="module")
def independent():
    """The sample's Indicators sheet counted here: (indicator, month) -> [numerator, denominator]
    summed over every row (the county, All) and over the rows with UASC N (Excluding UASC)."""
    book = openpyxl.load_workbook(SAMPLE, read_only=True)
    rows = book["Indicators"].iter_rows(values_only=True)
    header = [str(h) for h in next(rows)]
    sums = {"All": defaultdict(lambda: [0.0, 0.0]), "Excluding UASC": defaultdict(lambda: [0.0, 0.0])}
    for row in rows:
        record = dict(zip(header, row, strict=False))
        if record["Month"] is None:
            continue
        when = pd.Timestamp(record["Month"]).to_period("M").to_timestamp()
        key = (str(record["Indicator"]), when)
        for cohort in ("All", "Excluding UASC") if record["UASC"] == "N" else ("All",):
            sums[cohort][key][0] += float(record["Numerator"] or 0)
            sums[cohort][key][1] += float(record["Denominator"] or 0)
    book.close()
    return sums


@pytest.fixture(scope="module")
def kent_export():
    template = load_template("kent_scs")
    return template, read_export(SAMPLE, template)


@pytest.mark.slow
def test_rolling_3_months_kept_when_the_12_month_figure_is_not(kent_export, independent):
    """June 2015 in the sample: too little history for 12 months, plenty for 3."""
    template, export = kent_export
    scorecard = calculate(export, template, "2015-06")
    county = scorecard.results[(scorecard.results["Unit"] == "Kent") & (scorecard.results["Cohort"] == "All")
                               & (scorecard.results["Month"] == pd.Timestamp("2015-06-01"))]
    checked = 0
    for ind in template.indicators:
        if ind.period != "R12M":
            continue
        window = months_between("2015-04", "2015-06")
        counts = [independent["All"].get((ind.id, m)) for m in window]
        row = county[county["Indicator"] == ind.id]
        if any(c is None for c in counts) or sum(c[1] for c in counts) == 0:
            continue
        expected = sum(c[0] for c in counts) / sum(c[1] for c in counts)
        assert len(row) == 1, f"indicator {ind.id}: no row for Jun 2015"
        assert row["Rolling 3 Months"].iloc[0] == pytest.approx(expected, rel=1e-12), ind.id
        checked += 1
    assert checked >= 15
    assert not [w for w in scorecard.warnings if "rolling 3 months" in w.message], \
        [str(w) for w in scorecard.warnings if "rolling 3 months" in w.message]


@pytest.mark.slow
@pytest.mark.parametrize("month", ["2015-06", "2015-09", "2016-01", "2016-08"])
def test_every_left_empty_warning_gives_the_true_reason(kent_export, independent, month):
    template, export = kent_export
    scorecard = calculate(export, template, month)
    reasons = 0
    for warning in scorecard.warnings:
        found = WARNING.search(warning.message)
        if not found or found["unit"] != template.organisation_tree.name:
            continue
        ind = template.indicator(found["id"])
        end = pd.Timestamp(f"1 {found['month']}")
        assert end == pd.Timestamp(f"{month}-01") - pd.DateOffset(months=WINDOW[found["figure"]])
        length = 3 if found["figure"] == "rolling 3 months" else (12 if ind.period == "R12M" else 1)
        window = pd.date_range(end=end, periods=length, freq="MS")
        sums = independent[found["cohort"]]
        absent = [m for m in window if (ind.id, m) not in independent["All"]]
        if found["why"].startswith("no data for"):
            assert absent, f"{warning.message}: but every month of the window has rows"
            assert (f"{absent[0]:%b %Y}" in found["why"]) or (f"{len(absent)} of the months" in found["why"])
        else:
            assert found["why"] == "the denominator is zero", warning.message
            assert not absent, warning.message
            assert sum(sums[(ind.id, m)][1] for m in window if (ind.id, m) in sums) == 0, warning.message
        reasons += 1
    if month == "2015-06":
        assert reasons > 0  # the early months do have figures left empty


def test_new_indicator_with_six_months_has_rolling_3_months_and_says_why_it_has_no_result(tiny):
    """P12 (R12M) starts in Mar 2016: by Aug 2016 it has 6 months, enough for rolling 3, not 12."""
    records = [(m.strftime("%Y-%m"), "P12", "N1", "N", 7, 10) for m in months_between("2016-03", "2016-08")]
    rows = indicator_rows(records)
    results = indicator_results(rows, tiny)
    assert value(results, "P12", "County", "2016-08", "Rolling 3 Months") == pytest.approx(0.7)
    assert value(results, "P12", "County", "2016-08", "Rolling 3 Months RAG") == "R"
    assert pd.isna(value(results, "P12", "County", "2016-08"))
    scorecard = calculate(make_export(rows), tiny, "2016-08")
    messages = [w.message for w in scorecard.warnings if w.message.startswith("indicator P12, County, All")]
    assert "indicator P12, County, All: result for Aug 2016 left empty: no data for 6 of the months " \
           "Sep 2015 to Aug 2016" in messages
    assert not [m for m in messages if "rolling 3 months" in m]


def test_one_month_ago_shown_when_this_month_has_no_result(tiny):
    """PSS (SS) has data to Jul 2016 and a zero denominator in Aug: 1 month ago still shows."""
    rows = indicator_rows([("2016-07", "PSS", "N1", "N", 1, 10), ("2016-08", "PSS", "N1", "N", 0, 0)])
    results = indicator_results(rows, tiny)
    assert pd.isna(value(results, "PSS", "County", "2016-08"))
    assert value(results, "PSS", "County", "2016-08", "Result 1 Month Ago") == pytest.approx(0.1)
    scorecard = calculate(make_export(rows), tiny, "2016-08")
    assert "indicator PSS, County, All: result for Aug 2016 left empty: the denominator is zero" in \
        [w.message for w in scorecard.warnings]

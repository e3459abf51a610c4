"""The calculator's rules, worked by hand on small cases with the tiny template.

Every expected figure is computed in a comment next to the assertion. Where a RAG or a
direction sits exactly on a boundary the expected value is the exact-fraction answer
(which binary floating point would often get wrong).
"""

from __future__ import annotations

from fractions import Fraction

import numpy as np
import pandas as pd
import pytest
from conftest import (
    activity_rows,
    commentary_rows,
    indicator_rows,
    is_empty,
    make_export,
    month,
    months_between,
    result_row,
    scaled,
    value,
)

from scorecard_xl.engine.calculator import (
    RESULT_COLUMNS,
    activity_table,
    calculate,
    definitions_table,
    directions,
    exception_reports,
    indicator_results,
    rag_counts,
    rag_ratings,
)
from scorecard_xl.model import ALL, DOWN, EXCL, SAME, SCALE, UP

approx = pytest.approx


def frac(n, d) -> float:
    return float(Fraction(n) / Fraction(d))


def monthly(ind, team, uasc, first, last, n, d):
    """The same numerator/denominator for every month from first to last."""
    return [(m.strftime("%Y-%m"), ind, team, uasc, n, d) for m in months_between(first, last)]


# ============================================================================ activity

ACTIVITY = [
    # month, team, Caseloads (snapshot), New Referrals (events)
    ("2016-07", "N1", 10, 4),
    ("2016-07", "N2", 5, 0),
    ("2016-07", "N3", 2, 1),
    ("2016-07", "S1", 7, 1),
    ("2016-08", "N1", 12, 3),
    ("2016-08", "N2", 5, 1),
    ("2016-08", "S1", 6, 2),
    ("2016-08", "S2", 4, 0),
    # N3 has no row in 2016-08: it counts zero.
]


def test_activity_snapshot_and_events_sum_up_the_tree(tiny):
    table = activity_table(activity_rows(ACTIVITY), tiny, month("2016-08")).set_index("Unit")
    # Rows are the template's activity_rows, in order (N3 and S2 are counted but not shown).
    assert list(table.index) == ["County", "North", "South", "N1", "N2", "S1"]
    assert list(table.columns) == ["Caseloads - This month", "Caseloads - Last month", "Caseloads - Change",
                                   "Referrals in month"]
    # Caseloads this month: County = 12+5+6+4 = 27; North = 12+5 (+N3 none = 0) = 17; South = 6+4 = 10
    # last month:          County = 10+5+2+7 = 24; North = 10+5+2 = 17;             South = 7
    expected = {
        "County": (27, 24, 3, 6),   # referrals 3+1+2+0 = 6
        "North": (17, 17, 0, 4),    # referrals 3+1 = 4
        "South": (10, 7, 3, 2),     # referrals 2+0 = 2
        "N1": (12, 10, 2, 3),
        "N2": (5, 5, 0, 1),
        "S1": (6, 7, -1, 2),
    }
    for unit, figures in expected.items():
        assert tuple(int(v) for v in table.loc[unit]) == figures, unit


def test_activity_unit_without_a_row_counts_zero(tiny):
    rows = activity_rows([("2016-07", "S1", 7, 1), ("2016-07", "N1", 3, 3), ("2016-08", "N1", 4, 2)])
    table = activity_table(rows, tiny, month("2016-08")).set_index("Unit")
    # S1 has no row in 2016-08, but the month has data: 0 this month, 7 last month, change -7.
    assert int(table.loc["S1", "Caseloads - This month"]) == 0
    assert int(table.loc["S1", "Caseloads - Last month"]) == 7
    assert int(table.loc["S1", "Caseloads - Change"]) == -7
    assert int(table.loc["S1", "Referrals in month"]) == 0
    assert int(table.loc["South", "Caseloads - This month"]) == 0
    # N2 has no rows in either month: zero both months.
    assert int(table.loc["N2", "Caseloads - This month"]) == 0
    assert int(table.loc["N2", "Caseloads - Change"]) == 0


def test_activity_month_without_any_rows_has_no_data(tiny):
    # 2016-06 has no activity rows at all: last month and change are empty, not zero.
    rows = activity_rows([r for r in ACTIVITY if r[0] == "2016-07"])
    table = activity_table(rows, tiny, month("2016-07")).set_index("Unit")
    assert int(table.loc["County", "Caseloads - This month"]) == 24
    assert int(table.loc["County", "Referrals in month"]) == 6  # 4+0+1+1
    assert int(table.loc["North", "Referrals in month"]) == 5  # 4+0+1
    for unit in ["County", "North", "N1"]:
        assert is_empty(table.loc[unit, "Caseloads - Last month"]), unit
        assert is_empty(table.loc[unit, "Caseloads - Change"]), unit


# ============================================================================ cohorts, tree, SS percent L

PSS_ROWS = [
    ("2016-07", "PSS", "N1", "N", 10, 100),
    ("2016-07", "PSS", "S1", "N", 6, 50),
    ("2016-08", "PSS", "N1", "N", 13, 100),
    ("2016-08", "PSS", "S1", "N", 5, 50),
    ("2016-08", "PSS", "S1", "Y", 2, 10),
]


@pytest.fixture(scope="module")
def pss(tiny):
    return indicator_results(indicator_rows(PSS_ROWS), tiny)


def test_results_table_has_the_documented_columns(pss):
    assert list(pss.columns) == RESULT_COLUMNS


@pytest.mark.parametrize("unit, cohort, num, den, rag", [
    # County All = (13 + 5 + 2) / (100 + 50 + 10) = 20/160 = 12.5%: 10% < 12.5% < 13% -> A
    ("County", ALL, 20, 160, "A"),
    # County Excl = (13 + 5) / (100 + 50) = 18/150 = 12% -> A
    ("County", EXCL, 18, 150, "A"),
    # North = N1 = 13/100 = 13%, exactly the red threshold; L is Red AT the threshold -> R
    ("North", ALL, 13, 100, "R"),
    ("North", EXCL, 13, 100, "R"),
    ("N1", ALL, 13, 100, "R"),
    # South All = (5 + 2) / (50 + 10) = 7/60 = 11.67% -> A
    ("South", ALL, 7, 60, "A"),
    # South Excl = 5/50 = 10%, exactly the target; L is Green AT the target -> G
    ("South", EXCL, 5, 50, "G"),
    ("S1", ALL, 7, 60, "A"),
    ("S1", EXCL, 5, 50, "G"),
])
def test_ss_percent_sums_tree_and_cohorts(pss, unit, cohort, num, den, rag):
    row = result_row(pss, "PSS", unit, "2016-08", cohort)
    assert row is not None
    assert row["Numerator"] == num
    assert row["Denominator"] == den
    assert row["Result"] == approx(frac(num, den))
    assert row["Target"] == approx(0.10)
    assert row["RAG"] == rag
    assert is_empty(row["Rolling 3 Months"])  # rolling 3 months is for R12M only
    assert is_empty(row["Rolling 3 Months RAG"])


@pytest.mark.parametrize("unit, cohort, before, dot", [
    # County All: 20/160 = 0.125 now vs (10+6)/(100+50) = 16/150 = 0.1067: higher is worse for L -> down
    ("County", ALL, Fraction(16, 150), DOWN),
    # County Excl: 18/150 = 0.12 vs 16/150 -> down
    ("County", EXCL, Fraction(16, 150), DOWN),
    # North: 13/100 vs 10/100 -> down
    ("North", ALL, Fraction(10, 100), DOWN),
    # S1 All: 7/60 = 0.1167 vs 6/50 = 0.12 -> improved for L -> up
    ("S1", ALL, Fraction(6, 50), UP),
    # S1 Excl: 5/50 = 0.10 vs 6/50 = 0.12 -> up
    ("S1", EXCL, Fraction(6, 50), UP),
])
def test_ss_one_month_ago_and_direction(pss, unit, cohort, before, dot):
    row = result_row(pss, "PSS", unit, "2016-08", cohort)
    assert row["Result 1 Month Ago"] == approx(float(before))
    assert row["DoT 1 Month"] == dot
    # No data a year before (2015-08): empty, no direction.
    assert is_empty(row["Result 1 Year Ago"])
    assert is_empty(row["DoT 1 Year"])


def test_unit_with_zero_denominator_is_empty_not_a_crash(pss):
    # N2, N3 and S2 have no PSS rows: 0/0 cannot be computed.
    for unit in ["N2", "N3", "S2"]:
        assert is_empty(value(pss, "PSS", unit, "2016-08")), unit
    # S1 excluding UASC in 2016-07 is 6/50; S1 All too (no UASC row that month).
    assert value(pss, "PSS", "S1", "2016-07", cohort=EXCL) == approx(0.12)


def test_explicit_zero_denominator_and_average_with_zero_denominator_are_empty(tiny):
    rows = indicator_rows([
        ("2016-08", "PSS", "N1", "N", 0, 0),     # 0/0
        ("2016-08", "PSS", "S1", "N", 1, 4),
        ("2016-08", "CASE", "N1", "N", 5, 0),    # 5 cases but no FTE: cannot be computed
        ("2016-08", "CASE", "S1", "N", 30, 2),
    ])
    results = indicator_results(rows, tiny)
    assert is_empty(value(results, "PSS", "N1", "2016-08"))
    assert is_empty(value(results, "PSS", "N1", "2016-08", "RAG"))
    assert value(results, "PSS", "County", "2016-08") == approx(0.25)  # (0+1)/(0+4)
    assert is_empty(value(results, "CASE", "N1", "2016-08"))
    assert is_empty(value(results, "CASE", "North", "2016-08"))  # North: 5/0
    # County: (5 + 30) / (0 + 2) = 17.5 -> L, 15 < 17.5 < 18 -> A
    assert value(results, "CASE", "County", "2016-08") == approx(17.5)
    assert value(results, "CASE", "County", "2016-08", "RAG") == "A"


def test_no_rows_gives_an_empty_results_table(tiny):
    results = indicator_results(indicator_rows([]), tiny)
    assert results.empty
    assert list(results.columns) == RESULT_COLUMNS


# ============================================================================ R12M percent H

def test_r12m_sums_twelve_months_and_cohorts(tiny):
    # 12 months 2015-09 .. 2016-08:
    #   N1 (not UASC) 9/10 each month  -> 108/120
    #   S1 (not UASC) 7/10 each month  -> 84/120
    #   N2 (UASC)     0/10 in 2016-08 only
    rows = indicator_rows(
        monthly("P12", "N1", "N", "2015-09", "2016-08", 9, 10)
        + monthly("P12", "S1", "N", "2015-09", "2016-08", 7, 10)
        + [("2016-08", "P12", "N2", "Y", 0, 10)])
    results = indicator_results(rows, tiny)
    cases = [
        # County All = (108 + 84 + 0) / (120 + 120 + 10) = 192/250 = 76.8% < 85% -> R
        ("County", ALL, 192, 250, "R"),
        # County Excl = 192/240 = 80% -> R
        ("County", EXCL, 192, 240, "R"),
        # North All = 108/130 = 83.08% -> R
        ("North", ALL, 108, 130, "R"),
        # North Excl = 108/120 = 90%: exactly the target, H is Green AT the target -> G
        ("North", EXCL, 108, 120, "G"),
        ("N1", ALL, 108, 120, "G"),
        # South = 84/120 = 70% -> R
        ("South", ALL, 84, 120, "R"),
    ]
    for unit, cohort, num, den, rag in cases:
        row = result_row(results, "P12", unit, "2016-08", cohort)
        assert row is not None, (unit, cohort)
        assert (row["Numerator"], row["Denominator"]) == (num, den), (unit, cohort)
        assert row["Result"] == approx(frac(num, den)), (unit, cohort)
        assert row["RAG"] == rag, (unit, cohort)
    # N3 has nothing in 12 months: 0/0, empty.
    assert is_empty(value(results, "P12", "N3", "2016-08"))
    # Rolling 3 months (2016-06..08): County All = (27 + 21 + 0) / (30 + 30 + 10) = 48/70 = 68.6% -> R
    assert value(results, "P12", "County", "2016-08", "Rolling 3 Months") == approx(48 / 70)
    assert value(results, "P12", "County", "2016-08", "Rolling 3 Months RAG") == "R"
    # North Excl rolling 3 = 27/30 = 90% -> G (boundary)
    assert value(results, "P12", "North", "2016-08", "Rolling 3 Months", EXCL) == approx(0.9)
    assert value(results, "P12", "North", "2016-08", "Rolling 3 Months RAG", EXCL) == "G"
    # 1 month ago needs 2015-08 .. 2016-07: 2015-08 has no data -> empty, no direction.
    assert is_empty(value(results, "P12", "County", "2016-08", "Result 1 Month Ago"))
    assert is_empty(value(results, "P12", "County", "2016-08", "DoT 1 Month"))
    # Fewer than 12 months of history: no R12M figure at all for 2016-07.
    for unit in ["County", "North", "N1"]:
        assert is_empty(value(results, "P12", unit, "2016-07")), unit


def test_r12m_one_month_ago_uses_the_previous_twelve_months(tiny):
    # N1: 2015-08 0/10, then 9/10 each month 2015-09 .. 2016-08 (13 months).
    rows = indicator_rows([("2015-08", "P12", "N1", "N", 0, 10)]
                          + monthly("P12", "N1", "N", "2015-09", "2016-08", 9, 10))
    results = indicator_results(rows, tiny)
    # 2016-07: (0 + 11*9) / 120 = 99/120 = 82.5% -> R ; 2016-08: 108/120 = 90% -> G
    assert value(results, "P12", "County", "2016-07") == approx(99 / 120)
    assert value(results, "P12", "County", "2016-07", "RAG") == "R"
    row = result_row(results, "P12", "County", "2016-08")
    assert row["Result"] == approx(0.9)
    assert row["RAG"] == "G"
    assert row["Result 1 Month Ago"] == approx(99 / 120)
    assert row["DoT 1 Month"] == UP
    # Rolling 3 months at 2016-07: 27/30 = 90%; at 2016-08 too.
    assert value(results, "P12", "County", "2016-07", "Rolling 3 Months") == approx(0.9)
    assert is_empty(row["Result 1 Year Ago"])


def test_r12m_one_year_ago_needs_24_months(tiny):
    # N1: 6/10 each month 2014-09 .. 2015-08, then 9/10 each month 2015-09 .. 2016-08.
    records = (monthly("P12", "N1", "N", "2014-09", "2015-08", 6, 10)
               + monthly("P12", "N1", "N", "2015-09", "2016-08", 9, 10))
    results = indicator_results(indicator_rows(records), tiny)
    row = result_row(results, "P12", "N1", "2016-08")
    assert row["Result"] == approx(0.9)                   # 108/120
    assert row["Result 1 Month Ago"] == approx(105 / 120)  # 2015-08..2016-07: (6 + 11*9)/120 = 105/120
    assert row["DoT 1 Month"] == UP
    assert row["Result 1 Year Ago"] == approx(0.6)        # 2014-09..2015-08: 72/120
    assert row["DoT 1 Year"] == UP
    assert row["Rolling 3 Months"] == approx(0.9)
    assert value(results, "P12", "N1", "2015-08", "Rolling 3 Months") == approx(0.6)
    # 23 months only (2014-09 dropped): the R12M a year ago cannot be computed.
    results = indicator_results(indicator_rows(records[1:]), tiny)
    row = result_row(results, "P12", "N1", "2016-08")
    assert row["Result"] == approx(0.9)
    assert row["Result 1 Month Ago"] == approx(105 / 120)
    assert is_empty(row["Result 1 Year Ago"])
    assert is_empty(row["DoT 1 Year"])


def test_r12m_unit_without_a_row_in_a_month_counts_zero(tiny):
    # N1 9/10 every month except 2016-02 (no N1 row); S1 7/10 every month incl. 2016-02.
    records = [r for r in monthly("P12", "N1", "N", "2015-09", "2016-08", 9, 10) if r[0] != "2016-02"]
    records += monthly("P12", "S1", "N", "2015-09", "2016-08", 7, 10)
    results = indicator_results(indicator_rows(records), tiny)
    # N1 = 11*9 / (11*10) = 99/110 = 90% -> G (the month counts zero, the R12M is still computed)
    assert value(results, "P12", "N1", "2016-08") == approx(0.9)
    assert value(results, "P12", "N1", "2016-08", "RAG") == "G"
    # County = (99 + 84) / (110 + 120) = 183/230
    assert value(results, "P12", "County", "2016-08") == approx(183 / 230)


def test_r12m_month_without_any_rows_has_no_data(tiny):
    # 2016-02 has no P12 rows at all: every R12M window containing it is empty.
    records = [r for r in monthly("P12", "N1", "N", "2015-09", "2016-08", 9, 10)
               + monthly("P12", "S1", "N", "2015-09", "2016-08", 7, 10) if r[0] != "2016-02"]
    # Another indicator has rows in 2016-02: only P12 lacks data that month.
    records.append(("2016-02", "PSS", "N1", "N", 1, 10))
    results = indicator_results(indicator_rows(records), tiny)
    for unit in ["County", "North", "N1", "S1"]:
        assert is_empty(value(results, "P12", unit, "2016-08")), unit
    assert value(results, "PSS", "County", "2016-02") == approx(0.1)


def test_r12m_average_indicator(tiny):
    # AVG (average, R12M, L, target 426, red 500):
    #   N1: 4000 days / 10 children each month 2015-09 .. 2016-08 -> 48000/120 = 400
    #   S1: 6000 / 5 in 2016-08 only
    rows = indicator_rows(monthly("AVG", "N1", "N", "2015-09", "2016-08", 4000, 10)
                          + [("2016-08", "AVG", "S1", "N", 6000, 5)])
    results = indicator_results(rows, tiny)
    # County = (48000 + 6000) / (120 + 5) = 54000/125 = 432: 426 < 432 < 500 -> A
    row = result_row(results, "AVG", "County", "2016-08")
    assert (row["Numerator"], row["Denominator"]) == (54000, 125)
    assert row["Result"] == approx(432)
    assert row["RAG"] == "A"
    assert value(results, "AVG", "North", "2016-08") == approx(400)
    assert value(results, "AVG", "North", "2016-08", "RAG") == "G"
    # South = S1: 6000/5 = 1200 -> R (S1 counts zero in the other 11 months)
    assert value(results, "AVG", "South", "2016-08") == approx(1200)
    assert value(results, "AVG", "South", "2016-08", "RAG") == "R"
    # Rolling 3 months County = (3*4000 + 6000) / (3*10 + 5) = 18000/35 = 514.3 -> R
    assert row["Rolling 3 Months"] == approx(18000 / 35)
    assert row["Rolling 3 Months RAG"] == "R"


# ============================================================================ counts

COUNT_ROWS = [
    ("2016-06", "PSS", "N1", "N", 1, 10),  # 2016-06 has data, but not for CNT
    ("2016-07", "CNT", "N1", "N", 5, None),
    ("2016-08", "CNT", "N1", "N", 3, None),
    ("2016-08", "CNT", "N2", "N", 4, None),
    ("2016-08", "CNT", "S2", "Y", 3, None),
]


@pytest.mark.parametrize("unit, cohort, when", [
    ("South", EXCL, "2016-08"),  # the only South row is UASC: no data without UASC
    ("S1", ALL, "2016-08"),      # no row for CNT at or under S1 in any month
    ("N3", ALL, "2016-08"),
    ("S1", ALL, "2016-07"),
])
def test_a_unit_without_any_row_is_empty_not_zero(tiny, unit, cohort, when):
    """An indicator a unit has no data for (no row at or under it in any month) shows empty, not zero."""
    results = indicator_results(indicator_rows(COUNT_ROWS), tiny)
    assert is_empty(value(results, "CNT", unit, when, "Result", cohort))
    assert is_empty(value(results, "CNT", unit, when, "RAG", cohort))


@pytest.mark.parametrize("unit, cohort, when, count, rag", [
    ("County", ALL, "2016-08", 10, "R"),   # 3 + 4 + 3 = 10: L, Red AT the red threshold 10
    ("County", EXCL, "2016-08", 7, "A"),   # 3 + 4 = 7: 5 < 7 < 10
    ("North", ALL, "2016-08", 7, "A"),
    ("South", ALL, "2016-08", 3, "G"),     # 3 <= 5
    ("N2", ALL, "2016-07", 0, "G"),        # no row this month, but rows in another: counts zero
    ("County", ALL, "2016-07", 5, "G"),    # exactly the target -> G
])
def test_count_is_the_numerator(tiny, unit, cohort, when, count, rag):
    results = indicator_results(indicator_rows(COUNT_ROWS), tiny)
    row = result_row(results, "CNT", unit, when, cohort)
    assert row is not None
    assert row["Result"] == count
    assert row["Numerator"] == count
    assert is_empty(row["Denominator"])
    assert row["RAG"] == rag
    assert row["Target"] == 5


def test_count_month_without_rows_has_no_data_and_directions(tiny):
    results = indicator_results(indicator_rows(COUNT_ROWS), tiny)
    # 2016-06: no CNT rows at all -> no data for any unit.
    for unit in ["County", "N1", "S1"]:
        assert is_empty(value(results, "CNT", unit, "2016-06")), unit
    # 2016-07: last month had no data -> no 1-month comparison.
    assert is_empty(value(results, "CNT", "County", "2016-07", "Result 1 Month Ago"))
    assert is_empty(value(results, "CNT", "County", "2016-07", "DoT 1 Month"))
    # 2016-08 vs 2016-07: County 10 vs 5, L -> worse; N1 3 vs 5 -> better; N2 4 vs 0 (no row in
    # 2016-07, but rows in 2016-08: zero) -> worse; S1 has no CNT row in any month -> no figures at all.
    assert value(results, "CNT", "County", "2016-08", "Result 1 Month Ago") == 5
    assert value(results, "CNT", "County", "2016-08", "DoT 1 Month") == DOWN
    assert value(results, "CNT", "N1", "2016-08", "DoT 1 Month") == UP
    assert value(results, "CNT", "N2", "2016-08", "DoT 1 Month") == DOWN
    assert is_empty(value(results, "CNT", "S1", "2016-08", "DoT 1 Month"))
    assert is_empty(value(results, "CNT", "County", "2016-08", "Rolling 3 Months"))


# ============================================================================ T polarity

TGT_ROWS = [
    ("2016-07", "TGT", "N1", "N", 18, 100),
    ("2016-07", "TGT", "N2", "N", 20, 100),
    ("2016-07", "TGT", "S1", "N", 11, 100),
    ("2016-07", "TGT", "S2", "N", 5, 100),
    ("2016-08", "TGT", "N1", "N", 20, 100),
    ("2016-08", "TGT", "N2", "N", 15, 100),
    ("2016-08", "TGT", "N3", "N", 25, 100),
    ("2016-08", "TGT", "S1", "N", 24, 100),
    ("2016-08", "TGT", "S2", "N", 10, 100),
]


@pytest.mark.parametrize("unit, result, rag", [
    ("N1", Fraction(20, 100), "G"),      # d = |0.20 - 0.175| = 0.025 = green tolerance -> G
                                         # (float says 0.025000000000000022)
    ("N2", Fraction(15, 100), "G"),      # d = 0.025 exactly -> G
    ("N3", Fraction(25, 100), "R"),      # d = 0.075 = red tolerance -> R
    ("S1", Fraction(24, 100), "A"),      # d = 0.065 -> A
    ("S2", Fraction(10, 100), "R"),      # d = 0.075 -> R
    ("North", Fraction(60, 300), "G"),   # (20+15+25)/300 = 0.2, d = 0.025 -> G
    ("South", Fraction(34, 200), "G"),   # (24+10)/200 = 0.17, d = 0.005 -> G
    ("County", Fraction(94, 500), "G"),  # 94/500 = 0.188, d = 0.013 -> G
])
def test_t_polarity_rag_by_distance(tiny, unit, result, rag):
    results = indicator_results(indicator_rows(TGT_ROWS), tiny)
    row = result_row(results, "TGT", unit, "2016-08")
    assert row["Result"] == approx(float(result))
    assert row["RAG"] == rag
    assert row["Target"] == approx(0.175)


@pytest.mark.parametrize("unit, dot", [
    ("N1", DOWN),      # 0.18 (d 0.005) -> 0.20 (d 0.025): further from target
    ("N2", SAME),      # 0.20 (d 0.025) -> 0.15 (d 0.025): exactly as far
    ("S1", SAME),      # 0.11 (d 0.065) -> 0.24 (d 0.065): other side, same distance
    ("S2", UP),        # 0.05 (d 0.125) -> 0.10 (d 0.075): nearer
    ("County", UP),    # 54/400 = 0.135 (d 0.04) -> 0.188 (d 0.013)
])
def test_t_polarity_direction_is_nearness_to_target(tiny, unit, dot):
    results = indicator_results(indicator_rows(TGT_ROWS), tiny)
    assert value(results, "TGT", unit, "2016-08", "DoT 1 Month") == dot


# ============================================================================ target periods

CHG_ROWS = [
    ("2016-03", "CHG", "N1", "N", 85, 100),
    ("2016-04", "CHG", "N1", "N", 85, 100),
    ("2016-05", "CHG", "N1", "N", 70, 100),
    ("2016-06", "CHG", "N1", "N", 85, 100),
    ("2016-07", "CHG", "N1", "N", 80, 100),
    ("2016-08", "CHG", "N1", "N", 79, 100),
]


@pytest.mark.parametrize("when, result, target, rag", [
    ("2016-03", 0.85, None, None),   # before the first target period: no target, no RAG
    ("2016-04", 0.85, 0.80, "G"),    # 80% / red 70%
    ("2016-05", 0.70, 0.80, "A"),    # exactly the red threshold 70% -> A (H: Amber AT red)
    ("2016-06", 0.85, 0.90, "A"),    # from 2016-06: 90% / red 80%
    ("2016-07", 0.80, 0.90, "A"),    # exactly the new red threshold -> A
    ("2016-08", 0.79, 0.90, "R"),
])
def test_target_in_force_from_each_month(tiny, when, result, target, rag):
    results = indicator_results(indicator_rows(CHG_ROWS), tiny)
    row = result_row(results, "CHG", "County", when)
    assert row["Result"] == approx(result)
    if target is None:
        assert is_empty(row["Target"])
        assert is_empty(row["RAG"])
    else:
        assert row["Target"] == approx(target)
        assert row["RAG"] == rag


def test_direction_of_h_does_not_need_a_target(tiny):
    results = indicator_results(indicator_rows(CHG_ROWS), tiny)
    # 2016-04 vs 2016-03: 85% both -> same, though 2016-03 had no target.
    assert value(results, "CHG", "County", "2016-04", "DoT 1 Month") == SAME
    assert value(results, "CHG", "County", "2016-05", "DoT 1 Month") == DOWN  # 70% < 85%
    assert value(results, "CHG", "County", "2016-06", "DoT 1 Month") == UP    # 85% > 70%


def test_definitions_table_lists_each_target_period(tiny):
    defs = definitions_table(tiny)
    chg = defs[defs["Indicator"] == "CHG"]
    assert list(chg["Effective From"]) == [month("2016-04"), month("2016-06")]
    assert list(chg["Target"]) == approx([0.8, 0.9])
    assert list(chg["Red Threshold"]) == approx([0.7, 0.8])
    tgt = defs[defs["Indicator"] == "TGT"].iloc[0]
    assert tgt["Green Tolerance"] == approx(0.025)
    assert len(defs) == 9  # 8 indicators, CHG has two periods


# ============================================================================ fractional FTE

def test_fractional_fte_counts_are_exact(tiny):
    rows = indicator_rows([
        ("2016-08", "FTE", "N1", "N", "8.3", "10"),
        ("2016-08", "FTE", "N2", "N", "4.15", "5"),
        ("2016-08", "FTE", "S1", "N", "12.45", "15"),
        ("2016-08", "FTE", "S2", "N", "0.8299", "1"),
        ("2016-08", "CASE", "N1", "N", 150, "10.5"),
        ("2016-08", "CASE", "S1", "N", 180, "12"),
        ("2016-08", "CASE", "S2", "N", 36, "2"),
    ])
    results = indicator_results(rows, tiny)
    # FTE (H, target 83%, red 75%)
    # N1 = 8.3/10 = 0.83 -> G (exactly the target)
    assert value(results, "FTE", "N1", "2016-08", "RAG") == "G"
    # North = (8.3 + 4.15)/(10 + 5) = 12.45/15 = 0.83 exactly -> G (in floats 8.3 + 4.15 = 12.450000000000001)
    north = result_row(results, "FTE", "North", "2016-08")
    assert north["Numerator"] == approx(12.45)
    assert north["Denominator"] == approx(15)
    assert north["RAG"] == "G"
    # South = (12.45 + 0.8299)/(15 + 1) = 13.2799/16 = 0.82999... < 0.83 -> A
    south = Fraction("13.2799") / 16
    assert south < Fraction(83, 100)
    assert value(results, "FTE", "South", "2016-08") == approx(float(south))
    assert value(results, "FTE", "South", "2016-08", "RAG") == "A"
    # County = 25.7299/31: 0.83 * 31 = 25.73 > 25.7299 -> A
    county = Fraction("25.7299") / 31
    assert county < Fraction(83, 100)
    assert value(results, "FTE", "County", "2016-08", "RAG") == "A"
    assert value(results, "FTE", "County", "2016-08", "Numerator") == approx(25.7299)
    # CASE (average caseload per FTE, L, target 15, red 18)
    # N1 = 150/10.5 = 14.29 -> G; S1 = 180/12 = 15 -> G (at target); S2 = 36/2 = 18 -> R (at red)
    assert value(results, "CASE", "N1", "2016-08") == approx(150 / 10.5)
    assert value(results, "CASE", "S1", "2016-08", "RAG") == "G"
    assert value(results, "CASE", "S2", "2016-08", "RAG") == "R"
    # South = (180 + 36)/(12 + 2) = 216/14 = 15.43 -> A; County = 366/24.5 = 14.94 -> G
    assert value(results, "CASE", "South", "2016-08") == approx(216 / 14)
    assert value(results, "CASE", "South", "2016-08", "RAG") == "A"
    assert value(results, "CASE", "County", "2016-08") == approx(366 / 24.5)
    assert value(results, "CASE", "County", "2016-08", "RAG") == "G"
    assert value(results, "CASE", "County", "2016-08", "Denominator") == approx(24.5)


# ============================================================================ RAG and DoT functions, exactly

def _rag(indicator, n, d, when="2016-08"):
    """RAG of the single result n/d (human numbers, scaled as the reader does)."""
    return rag_ratings(np.array([scaled(n)], dtype=np.int64), np.array([scaled(d)], dtype=np.int64),
                       indicator, pd.DatetimeIndex([month(when)]))[0]


@pytest.mark.parametrize("ind, n, d, rag", [
    # H, target 90%, red 85%
    ("P12", 9, 10, "G"),           # exactly 90%
    ("P12", 8999, 10000, "A"),     # 89.99%
    ("P12", 85, 100, "A"),         # exactly red
    ("P12", 8499, 10000, "R"),
    ("P12", 0, 5, "R"),
    ("P12", 5, 5, "G"),
    # L, target 10%, red 13%
    ("PSS", 10, 100, "G"),         # exactly target
    ("PSS", 1001, 10000, "A"),
    ("PSS", 1299, 10000, "A"),
    ("PSS", 13, 100, "R"),         # exactly red
    ("PSS", 0, 7, "G"),
    # T, 17.5% +- 2.5% green, 7.5% red
    ("TGT", 7, 40, "G"),           # on target
    ("TGT", 15, 100, "G"),         # d = 0.025 exactly
    ("TGT", 2, 10, "G"),           # d = 0.025 exactly
    ("TGT", 1499, 10000, "A"),     # d = 0.0251
    ("TGT", 2001, 10000, "A"),     # d = 0.0251
    ("TGT", 2501, 10000, "R"),     # d = 0.0751
    ("TGT", 2499, 10000, "A"),     # d = 0.0749
    ("TGT", 25, 100, "R"),         # d = 0.075 exactly
    ("TGT", 1, 10, "R"),           # d = 0.075 exactly
    ("TGT", 0, 10, "R"),
    # L average, target 426, red 500
    ("AVG", 426, 1, "G"),
    ("AVG", 4261, 10, "A"),
    ("AVG", 500, 1, "R"),
])
def test_rag_boundaries_exact(tiny, ind, n, d, rag):
    assert _rag(tiny.indicator(ind), n, d) == rag


def test_rag_count_indicator_is_numerator_over_one(tiny):
    cnt = tiny.indicator("CNT")
    # count indicators pass den = SCALE (the count as n / 1)
    out = rag_ratings(np.array([5, 6, 9, 10, 0]) * SCALE, np.array([SCALE] * 5), cnt,
                      pd.DatetimeIndex([month("2016-08")] * 5))
    assert list(out) == ["G", "A", "A", "R", "G"]


def test_rag_before_first_target_and_zero_denominator_is_none(tiny):
    chg = tiny.indicator("CHG")
    assert _rag(chg, 1, 1, "2016-03") is None
    assert _rag(chg, 1, 1, "2016-04") == "G"
    assert _rag(tiny.indicator("P12"), 0, 0) is None


@pytest.mark.parametrize("kent_id, n, d, rag", [
    ("2", 9, 10, "G"),       # 90% target -> G at exactly 90%
    ("17", 13, 100, "R"),    # L red 13% -> R at exactly 13%
    ("17", 10, 100, "G"),
    ("13", 20, 100, "G"),    # T 17.5% target, 2.5% tolerance: d = 0.025 exactly -> G
    ("13", 15, 100, "G"),
    ("13", 25, 100, "R"),    # d = 0.075 = red -> R
    ("25", 85, 100, "A"),    # from 2016-06 target 90%, red 80%
])
def test_rag_boundaries_with_kent_template(kent, kent_id, n, d, rag):
    assert _rag(kent.indicator(kent_id), n, d) == rag


def test_kent_target_change_mid_year(kent):
    ind = kent.indicator("25")
    # 2016-04 and 2016-05: target 80%, red 80% -> 85% is G; from 2016-06 target 90% -> A
    assert _rag(ind, 85, 100, "2016-05") == "G"
    assert _rag(ind, 85, 100, "2016-06") == "A"
    assert _rag(ind, 79, 100, "2016-05") == "R"
    assert _rag(ind, 85, 100, "2016-03") is None  # before the first period


def _dot(indicator, now, before, when="2016-08"):
    """Direction between two exact results given as (n, d) in scaled integers."""
    (n1, d1), (n0, d0) = now, before
    arr = lambda v: np.array([v], dtype=np.int64)  # noqa: E731  (as the calculator holds them)
    return directions(arr(n1), arr(d1), arr(n0), arr(d0), indicator, pd.DatetimeIndex([month(when)]))[0]


def _sign(now: Fraction, before: Fraction) -> int:
    return (now > before) - (now < before)


@pytest.mark.parametrize("now, before", [
    ((703, 714), (1406, 1428)),          # equal fractions -> same
    ((5873, 6146), (5870, 6142)),        # close: decided exactly
    ((5870, 6142), (5873, 6146)),
    ((999_999_999, 1_000_000_000), (999_999_998, 999_999_999)),  # big: products overflow int64 once scaled
    ((1, 3), (333_333, 1_000_000)),
])
def test_direction_exact_for_h_and_l(tiny, now, before):
    sign = _sign(Fraction(*now), Fraction(*before))
    expected_h = {1: UP, -1: DOWN, 0: SAME}[sign]
    expected_l = {1: DOWN, -1: UP, 0: SAME}[sign]
    scaled_now = (scaled(now[0]), scaled(now[1]))
    scaled_before = (scaled(before[0]), scaled(before[1]))
    assert _dot(tiny.indicator("P12"), scaled_now, scaled_before) == expected_h
    assert _dot(tiny.indicator("PSS"), scaled_now, scaled_before) == expected_l


def test_direction_worked_examples(tiny):
    h = tiny.indicator("P12")
    # 703/714 == 1406/1428 exactly -> same
    assert _dot(h, (703, 714), (1406, 1428)) == SAME
    # 5873/6146 vs 5870/6142: 5873*6142 = 36,071,966 < 5870*6146 = 36,077,020, so it fell -> down for H
    assert 5873 * 6142 < 5870 * 6146
    assert Fraction(5873, 6146) < Fraction(5870, 6142)
    assert _dot(h, (5873, 6146), (5870, 6142)) == DOWN
    assert _dot(h, (5870, 6142), (5873, 6146)) == UP


def test_direction_missing_side_is_none(tiny):
    h = tiny.indicator("P12")
    assert _dot(h, (1, 2), (0, 0)) is None
    assert _dot(h, (0, 0), (1, 2)) is None


def test_direction_in_results_table_exact(tiny):
    # SS H indicator with 2016-07 = 5870/6142 and 2016-08 = 5873/6146 -> fell -> down;
    # and 2016-09 = 703/714 vs (1406/1428 is the same value) -> use two teams summing to it.
    rows = indicator_rows([
        ("2016-07", "CHG", "N1", "N", 5870, 6142),
        ("2016-08", "CHG", "N1", "N", 5873, 6146),
        ("2016-09", "CHG", "N1", "N", 703, 714),
        ("2016-10", "CHG", "N1", "N", 703, 714),
        ("2016-10", "CHG", "S1", "N", 703, 714),  # County 2016-10 = 1406/1428 = 703/714
        # Big numbers (1e13 in 1/SCALE units; cross products ~1e26 overflow int64):
        # 999999999/1e9 - 999999998/999999999 has the sign of
        # (1e9-1)^2 - (1e9-2)*1e9 = 1 > 0, so 2016-12 is higher -> up for H.
        ("2016-11", "CHG", "S2", "N", 999_999_998, 999_999_999),
        ("2016-12", "CHG", "S2", "N", 999_999_999, 1_000_000_000),
    ])
    results = indicator_results(rows, tiny)
    assert value(results, "CHG", "County", "2016-08", "DoT 1 Month") == DOWN
    assert value(results, "CHG", "County", "2016-10", "DoT 1 Month") == SAME
    assert value(results, "CHG", "North", "2016-10", "DoT 1 Month") == SAME
    assert Fraction(999_999_999, 10**9) > Fraction(999_999_998, 999_999_999)
    assert value(results, "CHG", "S2", "2016-12", "DoT 1 Month") == UP


# ============================================================================ scorecard: exceptions, rag counts

def full_export():
    """All eight indicators for 2016-08 (the county's RAG noted for each)."""
    records = []
    # P12: N1 9/10 and S1 7/10 every month 2015-06 .. 2016-08; N2 UASC 0/10 in 2016-08.
    #   County R12M 2016-05 .. 2016-07 = (108 + 84)/240 = 80% -> R; 2016-08 = 192/250 = 76.8% -> R
    records += monthly("P12", "N1", "N", "2015-06", "2016-08", 9, 10)
    records += monthly("P12", "S1", "N", "2015-06", "2016-08", 7, 10)
    records += [("2016-08", "P12", "N2", "Y", 0, 10)]
    records += PSS_ROWS                        # County 12.5% -> A
    records += [r for r in COUNT_ROWS if r[1] == "CNT"]  # County 10 -> R; 2016-07 5 -> G
    records += monthly("AVG", "N1", "N", "2015-09", "2016-08", 4000, 10)
    records += [("2016-08", "AVG", "S1", "N", 6000, 5)]  # County 432 -> A
    records += TGT_ROWS                        # County 0.188 -> G
    records += CHG_ROWS                        # County 79% -> R
    records += [("2016-08", "FTE", "N1", "N", "8.3", "10"), ("2016-08", "FTE", "S2", "N", "0.8299", "1")]
    #   FTE County = 9.1299/11 = 0.82999 -> A
    records += [("2016-08", "CASE", "N1", "N", 150, "10.5")]  # County 14.29 -> G
    commentary = commentary_rows([
        ("2016-08", "CNT", "Two workers left in July."),
        ("2016-07", "P12", "Last month's note, not this month's."),
        ("2016-08", "CHG", ""),
    ])
    return make_export(indicator_rows(records), activity_rows(ACTIVITY), commentary)


@pytest.fixture(scope="module")
def scorecard(tiny):
    return calculate(full_export(), tiny)


def test_calculate_defaults_to_latest_month(scorecard):
    assert scorecard.month == month("2016-08")


def test_rag_counts_of_county_latest_results(scorecard, tiny):
    # G: TGT, CASE; A: PSS, AVG, FTE; R: P12, CNT, CHG
    assert scorecard.rag_counts == {"G": 2, "A": 3, "R": 3}
    assert rag_counts(scorecard.results, tiny, month("2016-08")) == {"G": 2, "A": 3, "R": 3}
    # 2016-07: P12 80% R; PSS 16/150 A; CNT 5 G; AVG not computable (11 months); TGT 0.135 d 0.04 A;
    # CHG 80% A; FTE, CASE no data.
    assert rag_counts(scorecard.results, tiny, month("2016-07")) == {"G": 1, "A": 3, "R": 1}


def test_exceptions_are_the_county_red_indicators(scorecard):
    reports = scorecard.exceptions
    assert [r.indicator for r in reports] == ["P12", "CNT", "CHG"]  # template order
    titles = {r.indicator: r.title for r in reports}
    assert titles["CNT"] == "Unallocated cases - exception"  # exception_title wins
    assert titles["P12"] == "% done in time"


def test_exception_trend_last_four_months(scorecard):
    reports = {r.indicator: r for r in scorecard.exceptions}
    trend = reports["CHG"].trend
    assert list(pd.to_datetime(trend["Month"])) == months_between("2016-05", "2016-08")
    assert list(trend["Result"]) == approx([0.70, 0.85, 0.80, 0.79])
    assert list(trend["Target"]) == approx([0.80, 0.90, 0.90, 0.90])
    assert list(trend["RAG"]) == ["A", "A", "A", "R"]
    # P12: County R12M 80% in 2016-05..07, 76.8% in 2016-08
    trend = reports["P12"].trend
    assert list(trend["Result"]) == approx([0.8, 0.8, 0.8, 0.768])
    assert list(trend["RAG"]) == ["R", "R", "R", "R"]
    # CNT: no data in 2016-05 and 2016-06; 5 (G) then 10 (R)
    trend = reports["CNT"].trend
    assert is_empty(trend["Result"].iloc[0]) and is_empty(trend["Result"].iloc[1])
    assert list(trend["Result"].iloc[2:]) == [5, 10]
    assert list(trend["RAG"].iloc[2:]) == ["G", "R"]
    assert is_empty(trend["RAG"].iloc[0])


def test_exception_commentary_of_the_month(scorecard):
    reports = {r.indicator: r for r in scorecard.exceptions}
    assert reports["CNT"].commentary == "Two workers left in July."
    assert reports["P12"].commentary is None   # only an older month's note
    assert reports["CHG"].commentary is None   # blank


def test_no_red_no_exceptions(tiny):
    results = indicator_results(indicator_rows(TGT_ROWS), tiny)
    assert exception_reports(results, commentary_rows([]), tiny, month("2016-08")) == []
    assert rag_counts(results, tiny, month("2016-08")) == {"G": 1, "A": 0, "R": 0}


def test_calculate_for_an_earlier_month(tiny):
    card = calculate(full_export(), tiny, "2016-07")
    assert card.month == month("2016-07")
    table = card.activity.set_index("Unit")
    assert int(table.loc["County", "Caseloads - This month"]) == 24
    assert is_empty(table.loc["County", "Caseloads - Last month"])
    assert [r.indicator for r in card.exceptions] == ["P12"]
    assert card.exceptions[0].commentary == "Last month's note, not this month's."


def test_calculate_with_an_empty_activity_sheet_does_not_crash(tiny, write_export):
    # BUG (reported): with no month given, calculate() takes max(indicators' latest month,
    # activity's latest month); an Activity sheet with only its header has no latest month
    # (NaN) and max() raises TypeError instead of using the Indicators sheet's month.
    from scorecard_xl.reading.reader import read_export

    path = write_export([], [["2016-08", "PSS", "N1", "N", 13, 100]])
    export = read_export(path, tiny)
    card = calculate(export, tiny)
    assert card.month == month("2016-08")
    # No activity rows at all in the month: no data, not zero.
    assert is_empty(card.activity.set_index("Unit").loc["County", "Caseloads - This month"])
    assert card.rag_counts == {"G": 0, "A": 0, "R": 1}  # PSS 13% -> R


def test_calculate_with_an_empty_indicators_sheet_does_not_crash(tiny, write_export):
    # BUG (reported): same as above with the Indicators sheet empty.
    from scorecard_xl.reading.reader import read_export

    path = write_export([["2016-08", "N1", 3, 1]], [])
    export = read_export(path, tiny)
    card = calculate(export, tiny)
    assert card.month == month("2016-08")
    assert int(card.activity.set_index("Unit").loc["County", "Caseloads - This month"]) == 3
    assert card.rag_counts == {"G": 0, "A": 0, "R": 0}
    assert card.exceptions == []


def test_ss_one_year_ago(tiny):
    rows = indicator_rows([
        ("2015-08", "PSS", "N1", "N", 20, 100),
        ("2015-08", "PSS", "S1", "Y", 1, 10),
        ("2016-08", "PSS", "N1", "N", 13, 100),
        ("2016-08", "PSS", "S1", "Y", 3, 10),
    ])
    results = indicator_results(rows, tiny)
    # N1: 13% now vs 20% a year ago; L, lower is better -> up
    assert value(results, "PSS", "N1", "2016-08", "Result 1 Year Ago") == approx(0.20)
    assert value(results, "PSS", "N1", "2016-08", "DoT 1 Year") == UP
    # County All: (13+3)/110 = 14.5% vs (20+1)/110 = 19.1% -> up; Excl: 13% vs 20% -> up
    assert value(results, "PSS", "County", "2016-08", "Result 1 Year Ago") == approx(21 / 110)
    assert value(results, "PSS", "County", "2016-08", "DoT 1 Year") == UP
    # S1 (UASC only): 30% vs 10% -> down; Excluding UASC has no figure either year.
    assert value(results, "PSS", "S1", "2016-08", "DoT 1 Year") == DOWN
    assert is_empty(value(results, "PSS", "S1", "2016-08", cohort=EXCL))
    # 2016-07 .. 2015-09 have no data: no 1-month comparison.
    assert is_empty(value(results, "PSS", "N1", "2016-08", "DoT 1 Month"))


def test_levels_and_areas_in_results(tiny):
    results = indicator_results(indicator_rows(PSS_ROWS), tiny)
    expected = {"County": ("County", "County"), "North": ("Area", "North"), "N1": ("Team", "North"),
                "S1": ("Team", "South"), "South": ("Area", "South")}
    for unit, (level, area) in expected.items():
        row = result_row(results, "PSS", unit, "2016-08")
        assert (row["Level"], row["Area"]) == (level, area), unit
        assert row["Indicator Name"] == "% with 3+ placements"
        assert row["Section"] == "SECTION A"


def test_kent_tree_roll_up(kent):
    # Indicator 17 (SS, L, target 10%, red 13%), 2016-08:
    rows = indicator_rows([
        ("2016-08", "17", "Dartford CSWT", "N", 13, 100),
        ("2016-08", "17", "Ashford CSWT", "N", 10, 100),
        ("2016-08", "17", "SUASC Service", "Y", 7, 50),
    ])
    results = indicator_results(rows, kent)
    # Kent All = (13 + 10 + 7) / (100 + 100 + 50) = 30/250 = 12% -> A
    row = result_row(results, "17", "Kent", "2016-08")
    assert (row["Numerator"], row["Denominator"], row["RAG"]) == (30, 250, "A")
    # Kent Excl = 23/200 = 11.5% -> A
    assert value(results, "17", "Kent", "2016-08", cohort=EXCL) == approx(0.115)
    # North Kent = Dartford = 13% -> R (at red); South Kent = Ashford = 10% -> G (at target)
    assert value(results, "17", "North Kent", "2016-08", "RAG") == "R"
    assert value(results, "17", "South Kent", "2016-08", "RAG") == "G"
    # County Services = SUASC Service = 7/50 = 14% -> R; nothing excluding UASC
    assert value(results, "17", "County Services", "2016-08", "RAG") == "R"
    assert is_empty(value(results, "17", "County Services", "2016-08", cohort=EXCL))
    assert value(results, "17", "Dartford CSWT", "2016-08", "Area") == "North Kent"
    assert is_empty(value(results, "17", "West Kent", "2016-08"))

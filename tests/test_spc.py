"""Signal or noise: the Making Data Count XmR rules, exactly.

Golden cases are the data of NHS England's Making Data Count "Single Chart Tool" test
document (SPC-Charts-XmR-Testing.md, in the public repository NHSDigital/fdp-react-design-
system, under its SPC chart test data), with the outcome the document states or its
pictures show by its stated rules; then hand-worked cases for each rule, the exact
decision of a point on a line, hypothesis properties, and the whole pipeline on the sample.
"""

from __future__ import annotations

from fractions import Fraction

import numpy as np
import pandas as pd
import pytest
from conftest import indicator_rows, make_export, months_between
from hypothesis import given, settings
from hypothesis import strategies as st

from scorecard_xl.engine.calculator import calculate
from scorecard_xl.engine.spc import (
    CONCERN,
    FAIL,
    HIT_AND_MISS,
    IMPROVEMENT,
    NEUTRAL,
    PASS,
    Rules,
    xmr,
    xmr_series,
)
from scorecard_xl.engine.template import Template

I, C, N = IMPROVEMENT, CONCERN, NEUTRAL  # noqa: E741 (the MDC document's letters)


DEFAULT_RULES = Rules()


def flags(values, polarity="H", rules=DEFAULT_RULES) -> dict[int, str]:
    """Special cause by point number (1-based, as the MDC document counts)."""
    chart = xmr_series(values, polarity, rules=rules)
    return {i + 1: s for i, s in enumerate(chart.special[0]) if s}


def one(values, polarity="H", target=None, rules=DEFAULT_RULES):
    chart = xmr_series(values, polarity, target, rules)
    return chart, chart.variation[0], chart.assurance[0]


# ----------------------------------------------------------------------------- the MDC test document

def test_process_limits_from_the_mean_moving_range():
    """15 points, 14 moving ranges averaging 5.43: mean 23.20, limits 8.76 and 37.64."""
    chart, _, _ = one([20, 24, 20, 26, 22, 16, 18, 16, 31, 28, 34, 26, 30, 19, 18])
    assert (round(chart.mean[0], 2), round(chart.lower[0], 2), round(chart.upper[0], 2)) == (23.20, 8.76, 37.64)


def test_twelve_points_are_too_few_thirteen_are_enough():
    twelve = [30, 31, 25, 35, 34, 15, 21, 23, 30, 26, 26, 22]
    chart, variation, _ = one(twelve)
    assert not chart.enough[0] and variation is None and np.isnan(chart.upper[0])
    assert chart.mean[0] == pytest.approx(sum(twelve) / 12)  # the mean is still shown
    chart, variation, _ = one([*twelve, 25])
    assert chart.enough[0] and variation == "Common cause"


def test_single_points_beyond_the_limits():
    assert flags([45, 29, 20, 22, 25, 20, 27, 24, 22, 23, 20, 26, 20, 15, 5]) == {1: I, 15: C}


def test_shift_of_six_points_on_one_side():
    assert flags([31, 35, 34, 29, 29, 32, 26, 26, 32, 35, 30, 18, 31, 25, 27, 22, 18, 25, 25, 17]) == {
        **{p: I for p in range(1, 7)}, **{p: C for p in range(14, 21)}}


def test_a_tie_is_a_pause_and_breaks_a_trend():
    """The document's right-hand trend chart: its runs pause (25, 25 and 18, 18), so no trend."""
    assert flags([23, 30, 28, 25, 25, 20, 18, 24, 16, 13, 14, 18, 18, 24, 26, 29, 19, 20, 28, 16]) == {}


TWO_SIGMA = [42, 40, 39, 26, 39, 24, 22, 29, 32, 22, 20, 23, 25, 26, 22, 24, 27, 7, 19, 24, 7, 7, 32]


def test_two_of_three_beyond_two_sigma():
    assert flags(TWO_SIGMA) == {1: I, 2: I, 3: I, 5: I, 21: C, 22: C}


def test_a_point_beyond_the_limit_does_not_count_for_two_of_three():
    """p22 = 2 is beyond the lower limit: a single point, and p21 alone is not two of three."""
    data = list(TWO_SIGMA)
    data[21] = 2
    assert flags(data) == {1: I, 2: I, 3: I, 5: I, 22: C}


def test_two_of_three_must_be_on_one_side_of_the_mean():
    data = list(TWO_SIGMA)
    data[3], data[19] = 24, 26  # p4 and p20 move across the mean
    assert flags(data) == {1: I, 2: I, 3: I}


CONFLICT = [43, 41, 37, 36, 31, 23, 15, 13, 15, 18, 23, 27, 31, 36, 27, 19, 17, 27, 15, 22]


def test_special_cause_conflict_high_is_good():
    """The document: p1-p2 beyond the upper limit, p3-p4 above the upper two-sigma line and p8-p14 an
    increasing trend, so although p1-p8 are a decreasing trend and p6-p11 a shift below the mean,
    only p5 to p7 are orange."""
    assert flags(CONFLICT, "H") == {**{p: I for p in range(1, 5)}, 5: C, 6: C, 7: C,
                                    **{p: I for p in range(8, 15)}}


def test_special_cause_conflict_low_is_good():
    """The document: p6-p11 are a shift below the mean, so only p12 to p14 are orange."""
    assert flags(CONFLICT, "L") == {**{p: I for p in range(1, 12)}, 12: C, 13: C, 14: C}


VARIATION = [16, 20, 22, 18, 21, 18, 26, 28, 24, 26, 19, 18, 25, 32, 43, 28, 22]


@pytest.mark.parametrize(("last", "polarity", "expected"), [
    (45, "H", "Special cause improvement (high)"), (45, "L", "Special cause concern (high)"),
    (45, "T", "Special cause neutral (high)"),
    (25, "H", "Common cause"), (25, "L", "Common cause"), (25, "T", "Common cause"),
    (5, "H", "Special cause concern (low)"), (5, "L", "Special cause improvement (low)"),
    (5, "T", "Special cause neutral (low)"),
])
def test_variation_is_the_last_points(last, polarity, expected):
    assert one([*VARIATION, last], polarity)[1] == expected


ASSURANCE = [16, 24, 22, 19, 19, 18, 24, 25, 18, 17, 16, 25, 15, 23, 19, 35, 32, 35, 31, 27, 33, 28, 38, 35, 30,
             28, 29, 27, 24, 23]


@pytest.mark.parametrize(("target", "polarity", "expected"), [
    (40, "H", FAIL), (30, "H", HIT_AND_MISS), (10, "H", PASS),
    (40, "L", PASS), (30, "L", HIT_AND_MISS), (10, "L", FAIL),
    (40, "T", None), (None, "H", None),
])
def test_assurance_compares_the_target_with_the_limits(target, polarity, expected):
    chart, _, assurance = one(ASSURANCE, polarity, target)
    assert (round(chart.lower[0], 2), round(chart.upper[0], 2)) == (13.33, 37.00)
    assert assurance == expected


def test_neither_direction_is_neutral():
    data = [8, 27, 32, 26, 20, 21, 23, 21, 23, 22, 26, 23, 20, 20, 29, 28, 22, 23, 25, 26, 28, 29, 26, 24, 36, 29,
            35, 22, 30, 18]
    high = flags(data, "H")
    assert flags(data, "T") == {p: N for p in high}
    assert flags(data, "L") == {p: {I: C, C: I}[s] for p, s in high.items()}


# ----------------------------------------------------------------------------- each rule by hand

BASE = [10, 12, 9, 11, 10, 12, 9, 11, 10, 12, 9, 11, 10]  # 13 points of noise around 10.5


def test_a_point_on_the_mean_breaks_a_shift():
    noise = [9, 11, 9, 11, 9, 11, 9, 11, 9, 11, 9, 11, 10]
    assert flags([*noise, 12, 12, 12, 12, 12, 12]) == {p: I for p in range(14, 20)}  # six above: a shift
    # The fourth of the six replaced by the mean of the other 18 points: it is then exactly the mean.
    on_mean = Fraction(sum(noise) + 5 * 12, 18)
    broken = [*noise, 12, 12, 12, on_mean, 12, 12]
    assert Fraction(sum(Fraction(v) for v in broken), len(broken)) == on_mean
    assert flags(broken) == {}


def test_shift_run_setting():
    data = [*BASE, 11, 11, 11, 11, 11]  # five above the mean
    assert flags(data) == {} and flags(data, rules=Rules(shift_run=5)) == {p: I for p in range(14, 19)}


def test_trend_of_six_including_the_first_point():
    data = [*BASE[:8], 5, 6, 7, 8, 9, 10, 10]
    assert {p for p, s in flags(data).items()} == set(range(9, 15))  # 5..10, a tie after it ends the run
    assert flags(data, rules=Rules(trend_run=7)) == {}


def test_gaps_join_the_points_either_side():
    """A month without a point is skipped: the moving range and the runs join its neighbours."""
    values = [10, 12, 9, 11, 10, 12, 9, 11, 10, None, 5, 6, 7, 8, 9, 10]
    with_gap = xmr_series(values)
    without = xmr_series([v for v in values if v is not None])
    assert with_gap.points[0] == 15 and with_gap.mean[0] == without.mean[0]
    assert with_gap.upper[0] == without.upper[0]
    assert [s for s in with_gap.special[0] if s] == [s for s in without.special[0] if s]
    assert with_gap.special[0][9] is None


def test_the_reporting_month_must_be_a_point():
    values = [*BASE, 11, None]
    chart, variation, _ = one(values)
    assert chart.points[0] == 14 and not chart.enough[0] and variation is None


def test_a_point_exactly_on_a_limit_is_not_beyond_it():
    """UPL = mean + 2.66 MR-bar exactly, in fractions that floating point cannot hold; the point
    equal to it is not beyond it, the one a hair above is. Decided the same way every time."""
    base = [Fraction(v, 3) for v in (10, 12, 9, 11, 10, 12, 9, 11, 10, 12, 9, 11)]
    # Choose the 13th value x so that x = mean + 2.66 MR-bar, solving the linear equation exactly.
    def upl_minus_x(x):
        values = [*base, x]
        mean = sum(values) / len(values)
        mrbar = sum(abs(b - a) for a, b in zip(values, values[1:], strict=False)) / (len(values) - 1)
        return mean + Fraction(133, 50) * mrbar - x
    lo, hi = Fraction(4), Fraction(100)  # upl - x is linear in x above the last value: find its root
    slope = upl_minus_x(hi) - upl_minus_x(lo)
    x = lo - upl_minus_x(lo) * (hi - lo) / slope
    assert upl_minus_x(x) == 0
    on = xmr_series([*base, x])
    assert on.special[0][-1] is None and on.variation[0] == "Common cause"
    above = xmr_series([*base, x + Fraction(1, 10**12)])
    assert above.special[0][-1] == IMPROVEMENT


def test_a_constant_series_has_no_special_cause_and_its_target_is_compared_exactly():
    """A team with no cases, or a measure always at 100%: every point on its mean and limits."""
    always = [Fraction(1, 3)] * 14
    chart, variation, assurance = one(always, "H", Fraction(1, 3))
    assert variation == "Common cause" and assurance == HIT_AND_MISS  # the target on both limits
    assert not any(chart.special[0])
    assert one(always, "H", Fraction(1, 3) + Fraction(1, 10**15))[2] == FAIL  # a hair above the upper limit
    assert one(always, "L", Fraction(1, 3) - Fraction(1, 10**15))[2] == FAIL  # a hair below the lower


def test_exact_steps_with_large_integers():
    big = 10**12
    num = np.array([[big * 3 + k for k in range(13)] + [big * 3 + 12]], dtype=object)
    den = np.full(num.shape, 3 * big + 1, dtype=object)
    chart = xmr(num, den, np.ones(num.shape, dtype=bool), "H", [None])
    assert chart.enough[0]  # decided with Python integers, not floats


# ----------------------------------------------------------------------------- properties

series = st.lists(st.one_of(st.none(), st.integers(0, 60)), min_size=13, max_size=36).filter(
    lambda v: v[-1] is not None and sum(x is not None for x in v) >= 2)


@settings(max_examples=60, deadline=None)
@given(series, st.integers(-1000, 1000), st.sampled_from("HLT"))
def test_adding_a_constant_changes_no_flag(values, shift, polarity):
    moved = [None if v is None else v + shift for v in values]
    a, b = xmr_series(values, polarity), xmr_series(moved, polarity)
    assert list(a.special[0]) == list(b.special[0])
    assert a.variation[0] == b.variation[0] and a.enough[0] == b.enough[0]


@settings(max_examples=60, deadline=None)
@given(series, st.one_of(st.none(), st.integers(0, 60)))
def test_negating_and_swapping_h_and_l_gives_the_same_classification(values, target):
    negated = [None if v is None else -v for v in values]
    for polarity, mirror in (("H", "L"), ("L", "H")):
        a = xmr_series(values, polarity, target)
        b = xmr_series(negated, mirror, None if target is None else -target)
        assert list(a.special[0]) == list(b.special[0])
        assert a.assurance[0] == b.assurance[0]
        swap = {"high": "low", "low": "high"}
        if a.variation[0] and "(" in a.variation[0]:
            kind, side = a.variation[0][:-1].split(" (")
            assert b.variation[0] == f"{kind} ({swap[side]})"
        else:
            assert a.variation[0] == b.variation[0]


# ----------------------------------------------------------------------------- in the pipeline

def _tiny(**spc) -> Template:
    from conftest import TINY_DICT

    return Template.model_validate({**TINY_DICT, "spc": spc} if spc else TINY_DICT)


def test_each_months_own_value_not_the_rolling_figure(tiny):
    """P12 (R12M): the SPC series is each month's numerator over its denominator."""
    months = months_between("2015-01", "2016-08")
    records = [(m.strftime("%Y-%m"), "P12", "N1", "N", 5 + (i % 4), 10) for i, m in enumerate(months)]
    scorecard = calculate(make_export(indicator_rows(records)), tiny, "2016-08")
    points = scorecard.spc[(scorecard.spc["Indicator"] == "P12") & (scorecard.spc["Unit"] == "N1")
                           & (scorecard.spc["Cohort"] == "All")]
    assert list(points["Value"]) == [(5 + i % 4) / 10 for i in range(len(months))]
    expected = xmr_series([Fraction(5 + i % 4, 10) for i in range(len(months))], "H", Fraction(9, 10))
    row = scorecard.results[(scorecard.results["Indicator"] == "P12") & (scorecard.results["Unit"] == "N1")
                            & (scorecard.results["Month"] == pd.Timestamp("2016-08-01"))
                            & (scorecard.results["Cohort"] == "All")].iloc[0]
    assert (row["Variation"], row["Assurance"]) == (expected.variation[0], expected.assurance[0])
    assert points["Mean"].iloc[0] == pytest.approx(expected.mean[0])


def test_a_month_without_data_or_a_zero_denominator_is_no_point(tiny):
    months = months_between("2015-05", "2016-08")
    records = [(m.strftime("%Y-%m"), "PSS", "N1", "N", 1, 0 if m.month == 1 else 10) for m in months
               if m.month != 3]
    scorecard = calculate(make_export(indicator_rows(records)), tiny, "2016-08")
    points = scorecard.spc[(scorecard.spc["Indicator"] == "PSS") & (scorecard.spc["Unit"] == "N1")
                           & (scorecard.spc["Cohort"] == "All")]
    assert len(points) == len(months) - 2  # March 2016 has no data, Jan 2016 a zero denominator
    assert pd.Timestamp("2016-03-01") not in set(points["Month"])
    assert pd.Timestamp("2016-01-01") not in set(points["Month"])


def test_too_few_points_said_once_per_indicator(tiny):
    records = [(m.strftime("%Y-%m"), "PSS", unit, "N", 1, 10) for m in months_between("2016-01", "2016-08")
               for unit in ("N1", "S1")]
    scorecard = calculate(make_export(indicator_rows(records)), tiny, "2016-08")
    said = [w.message for w in scorecard.warnings if "no SPC" in w.message]
    assert said == ["indicator PSS: no SPC limits or icons for County: 8 points where 13 are needed in the 36 "
                    "months to Aug 2016, one of which must be for Aug 2016"]


def test_too_few_points_said_once_per_unit_as_a_sentence(tiny):
    """A unit's warning lists its indicators; one point is "1 point"; enough points but none for the
    reporting month is said as that."""
    records = [(m.strftime("%Y-%m"), "PSS", "N1", "N", 1, 10) for m in months_between("2016-08", "2016-08")]
    records += [(m.strftime("%Y-%m"), "CNT", "N1", "N", 3, None) for m in months_between("2015-01", "2016-07")]
    records += [(m.strftime("%Y-%m"), "P12", "S1", "N", 5, 10) for m in months_between("2015-01", "2016-08")]
    scorecard = calculate(make_export(indicator_rows(records)), tiny, "2016-08", units=["N1"])
    assert [w.message for w in scorecard.warnings if "no SPC" in w.message] == [
        "indicator PSS: no SPC limits or icons for County: 1 point where 13 are needed in the 36 months to "
        "Aug 2016, one of which must be for Aug 2016",
        "indicator CNT: no SPC limits or icons for County: 19 points in the 36 months to Aug 2016 but none for "
        "Aug 2016, which must be one of them"]
    assert [w.message for w in scorecard.views["N1"].warnings if "no SPC" in w.message] == [
        "N1: no SPC limits or icons for indicators PSS, CNT: fewer than the 13 points needed in the 36 months to "
        "Aug 2016, or no point for Aug 2016, which must be one of them"]


def test_screened_moving_ranges_in_the_pipeline(tiny):
    """`screen_moving_ranges: true`: 20 months alternating 50% and 60% in a 36-month window, so 19
    moving ranges of 10 points, none screened: limits 55% +/- 2.66 x 10% (padding counts for nothing)."""
    records = [(m.strftime("%Y-%m"), "P12", "N1", "N", 5 + i % 2, 10)
               for i, m in enumerate(months_between("2015-01", "2016-08"))]
    for template in (tiny, _tiny(screen_moving_ranges=True)):
        scorecard = calculate(make_export(indicator_rows(records)), template, "2016-08")
        points = scorecard.spc[(scorecard.spc["Indicator"] == "P12") & (scorecard.spc["Unit"] == "N1")
                               & (scorecard.spc["Cohort"] == "All")]
        assert len(points) == 20
        assert points["Lower Process Limit"].iloc[-1] == pytest.approx(0.55 - 0.266, rel=1e-12)
        assert points["Upper Process Limit"].iloc[-1] == pytest.approx(0.55 + 0.266, rel=1e-12)


def test_switched_off(tiny):
    records = [(m.strftime("%Y-%m"), "PSS", "N1", "N", 1, 10) for m in months_between("2015-01", "2016-08")]
    scorecard = calculate(make_export(indicator_rows(records)), _tiny(enabled=False), "2016-08")
    assert scorecard.spc is None and "Variation" not in scorecard.results.columns

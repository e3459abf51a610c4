"""Screening moving ranges (`spc: screen_moving_ranges: true`), worked by hand in fractions.

Screening (Nelson 1982; NHSRplotthedots' `screen_outliers`): MR-bar is the mean of the
moving ranges between consecutive points; the moving ranges above 3.267 MR-bar are left out
and MR-bar is the mean of the rest. A series of k points has k - 1 moving ranges: its first
point has none, and the window positions after its last point (arrays are padded to the
widest window) have none either, so neither may count among the ranges kept.
"""

from __future__ import annotations

import math
from fractions import Fraction

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from scorecard_xl.engine.spc import IMPROVEMENT, LIMIT, SCREEN, Rules, xmr, xmr_series

ON, OFF = Rules(screen_moving_ranges=True), Rules()


def reference_mrbar(values, screen: bool) -> Fraction:
    """MR-bar by the definition, in fractions; a range exactly at the bound is kept (`<=`)."""
    ranges = [abs(Fraction(b) - Fraction(a)) for a, b in zip(values, values[1:], strict=False)]
    bar = sum(ranges, Fraction(0)) / len(ranges)
    if screen:
        kept = [r for r in ranges if r <= SCREEN * bar]
        bar = sum(kept, Fraction(0)) / len(kept)
    return bar


def limits(chart, row: int = 0) -> tuple[float, float, float]:
    return chart.mean[row], chart.lower[row], chart.upper[row]


def expected(mean: Fraction, mrbar: Fraction) -> tuple[float, float, float]:
    return float(mean), float(mean - LIMIT * mrbar), float(mean + LIMIT * mrbar)


def test_nothing_screened_alternating_series():
    """[1, 2] ten times: 20 points, 19 moving ranges all 1, none above 3.267; MR-bar 1 either way."""
    values = [1, 2] * 10
    assert reference_mrbar(values, True) == reference_mrbar(values, False) == 1
    for rules in (ON, OFF):
        assert limits(xmr_series(values, rules=rules)) == pytest.approx((1.5, 1.5 - 2.66, 1.5 + 2.66), rel=1e-12)


ONE_JUMP = [10, 12, 10, 12, 10, 12, 100, 12, 10, 12, 10, 12, 10]


def test_one_huge_jump_has_both_its_moving_ranges_screened_out():
    """13 points, 12 moving ranges: ten of 2, and 88 into and out of the 100.
    Raw MR-bar (10 x 2 + 2 x 88) / 12 = 196/12 = 49/3; the bound 3.267 x 49/3 = 53.361 is below 88,
    so both 88s go and MR-bar is (10 x 2) / 10 = 2. Mean (6 x 10 + 6 x 12 + 100) / 13 = 232/13."""
    mean, raw, screened = Fraction(232, 13), Fraction(49, 3), Fraction(2)
    assert SCREEN * raw == Fraction(53361, 1000) and 88 > SCREEN * raw > 2
    assert (reference_mrbar(ONE_JUMP, False), reference_mrbar(ONE_JUMP, True)) == (raw, screened)
    assert limits(xmr_series(ONE_JUMP, rules=OFF)) == pytest.approx(expected(mean, raw), rel=1e-12)
    assert limits(xmr_series(ONE_JUMP, rules=ON)) == pytest.approx(expected(mean, screened), rel=1e-12)


def test_a_moving_range_exactly_at_the_bound_is_kept():
    """The project keeps a moving range equal to 3.267 MR-bar (only those above it are left out),
    as a point exactly on a process limit is not beyond it. NHSRplotthedots keeps only those
    strictly below (`mr < 3.267 * amr`), so it would leave this one out and get MR-bar 1.

    20 points alternating by 1, with one step of x: 18 ranges of 1 and one of x, raw MR-bar
    (18 + x) / 19; x = 3.267 (18 + x) / 19 gives x = 3.267 x 18 / (19 - 3.267) = 58806/15733."""
    x = Fraction(58806, 15733)
    values = [0, 1] * 5 + [1 + x, x] * 5
    raw = Fraction(18 + x, 19)
    assert x == SCREEN * raw  # a real tie, not a float near miss
    mean = sum(map(Fraction, values)) / 20
    assert limits(xmr_series(values, rules=ON)) == pytest.approx(expected(mean, raw), rel=1e-12)
    # A hair above the bound (the bound moves by 3.267/19 of the hair, less than the range): left out.
    hair = x + Fraction(1, 10**12)
    above = [0, 1] * 5 + [1 + hair, hair] * 5
    assert hair > SCREEN * Fraction(18 + hair, 19)
    mean = sum(map(Fraction, above)) / 20
    assert limits(xmr_series(above, rules=ON)) == pytest.approx(expected(mean, Fraction(1)), rel=1e-12)


def test_a_point_exactly_on_a_screened_limit_is_not_beyond_it():
    """The exact path: the last point x solves x = mean + 2.66 MR-bar with MR-bar screened (the 88s
    out, x's own range kept), so the float comparison is too close to call and is made again in
    fractions, with the screened MR-bar of the series' own moving ranges."""
    base = ONE_JUMP[:-1]

    def upl_minus_x(x: Fraction) -> Fraction:
        values = [*base, x]
        return sum(map(Fraction, values)) / len(values) + LIMIT * reference_mrbar(values, True) - x

    lo, hi = Fraction(20), Fraction(40)  # linear in x here: 88 screened, x - 12 kept on both sides
    x = lo - upl_minus_x(lo) * (hi - lo) / (upl_minus_x(hi) - upl_minus_x(lo))
    assert upl_minus_x(x) == 0 and reference_mrbar([*base, x], True) == (18 + x - 12) / 10
    on = xmr_series([*base, x], rules=ON)
    assert on.special[0][-1] is None
    above = xmr_series([*base, x + Fraction(1, 10**12)], rules=ON)
    assert above.special[0][-1] == IMPROVEMENT


def _batch(rows: list[list], width: int):
    """Several series in one xmr call, each right-aligned in `width` window positions; positions
    without a point hold junk numbers (they must not count)."""
    common = math.lcm(1, *(Fraction(v).denominator for row in rows for v in row if v is not None))
    num = np.full((len(rows), width), 987654, dtype=np.int64)
    den = np.full((len(rows), width), 7, dtype=np.int64)
    valid = np.zeros((len(rows), width), dtype=bool)
    for s, row in enumerate(rows):
        for i, v in enumerate(row, start=width - len(row)):
            if v is not None:
                num[s, i], den[s, i], valid[s, i] = int(Fraction(v) * common), common, True
    return num, den, valid


def test_series_of_different_lengths_side_by_side():
    """Padding positions and missing months of one series leak into no series' MR-bar."""
    rows = [
        [1, 2] * 12,  # 24 points, the full width
        [1, 2] * 10,  # 20 points after 4 empty positions
        [10, None, 12, 10, 12, None, None, 10, 12, 100, 12, 10, 12, 10, None, 12, 10],  # ONE_JUMP with gaps
        [3, None, 5, 4, 6],  # 4 points: too few for limits
    ]
    num, den, valid = _batch(rows, 24)
    for rules, jump_mrbar in ((ON, Fraction(2)), (OFF, Fraction(49, 3))):
        chart = xmr(num, den, valid, "H", [None] * 4, rules)
        assert list(chart.points) == [24, 20, 13, 4]
        assert limits(chart, 0) == pytest.approx(expected(Fraction(3, 2), Fraction(1)), rel=1e-12)
        assert limits(chart, 1) == pytest.approx(expected(Fraction(3, 2), Fraction(1)), rel=1e-12)
        assert limits(chart, 2) == pytest.approx(expected(Fraction(232, 13), jump_mrbar), rel=1e-12)
        assert chart.mean[3] == pytest.approx(4.5) and np.isnan(chart.upper[3])
        for s, row in enumerate(rows[:3]):  # each as if alone
            alone = xmr_series([v for v in row if v is not None], rules=rules)
            assert limits(chart, s) == pytest.approx(limits(alone), rel=1e-12)


window = st.lists(st.one_of(st.none(), st.integers(-50, 200)), min_size=13, max_size=36).filter(
    lambda v: v[-1] is not None and sum(x is not None for x in v) >= 13)


@settings(max_examples=80, deadline=None)
@given(window, st.integers(0, 12), st.booleans())
def test_limits_match_the_definition(values, padding, screen):
    """Any series, with missing months and padded on the left to a wider window, gets the limits
    of the definition worked in fractions."""
    points = [v for v in values if v is not None]
    num, den, valid = _batch([values], len(values) + padding)
    chart = xmr(num, den, valid, "H", [None], Rules(screen_moving_ranges=screen))
    mean = sum(map(Fraction, points)) / len(points)
    assert limits(chart) == pytest.approx(expected(mean, reference_mrbar(points, screen)), rel=1e-9, abs=1e-9)

"""Signal or noise: Making Data Count XmR charts, for every indicator, unit and cohort.

A RAG rating compares a month's figure with a target; statistical process control (SPC)
says whether the figure is ordinary month-to-month noise ("common cause") or a signal
("special cause"), and whether the process as it runs can be relied on to meet the
target ("assurance"). The rules are NHS England's Making Data Count (MDC) XmR rules, as
its Single Chart Tool applies them (README, "Signal or noise", gives the differences):

- Series: each month's own value (for R12M indicators the month's numerator over its
  denominator, not the rolling figure). A month without data or with a zero denominator
  is no point. Window: the `window_months` calendar months to the reporting month.
- Lines: the mean of the points; moving ranges between consecutive points (across
  skipped months), their mean MR-bar (optionally screened); process limits mean +/- 2.66
  MR-bar; the 2-sigma lines mean +/- (2/3) 2.66 MR-bar. Only with `min_points` points,
  one of them the reporting month.
- Special cause, per point, each with a side: beyond a process limit (strictly); a
  trend of `trend_run` points each strictly above (below) the one before; two of three
  consecutive points strictly on one side of the mean beyond that side's 2-sigma line
  and not beyond its limit; a shift of `shift_run` points strictly on one side.
- A point with any flag on the improving side is improvement (as the MDC tool shows blue
  over orange); else concern; for polarity T every flag is neutral.

Decided exactly, as the RAG is: values are fractions of integers, the lines are sums of
them, and each comparison is made in floating point and, where it is too close to call
(within a billionth of the numbers compared, far beyond any rounding error), again
with exact fractions. So a point exactly on a line is decided the same way every time.
Vectorised over many series at once (signals.py passes every series of every indicator with the same
polarity): arrays (series, window position).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, fields
from fractions import Fraction

import numpy as np

LIMIT = Fraction(133, 50)  # 2.66: three sigma from the mean moving range (3 / 1.128, as MDC rounds it)
TWO_SIGMA = LIMIT * 2 / 3
# Screening: moving ranges above 3.267 MR-bar are left out and MR-bar is the mean of the rest. One
# exactly at the bound is kept (<=), as a point exactly on a process limit is not beyond it;
# NHSRplotthedots keeps only `mr < 3.267 * amr` (in floats, where a true tie is rare).
SCREEN = Fraction(3267, 1000)
TOLERANCE = 1e-9  # a float comparison closer than this (relative) is made again exactly

IMPROVEMENT, CONCERN, NEUTRAL = "Improvement", "Concern", "Neutral"
COMMON = "Common cause"
VARIATIONS = (COMMON, "Special cause improvement (high)", "Special cause improvement (low)",
              "Special cause concern (high)", "Special cause concern (low)", "Special cause neutral (high)",
              "Special cause neutral (low)")
PASS, FAIL, HIT_AND_MISS = "Consistently pass", "Consistently fail", "Hit and miss"


@dataclass(frozen=True)
class Rules:
    """The settings the rules read (the template's `spc:`)."""

    min_points: int = 13
    trend_run: int = 6
    shift_run: int = 6
    screen_moving_ranges: bool = False


@dataclass
class Xmr:
    """XmR results for S series over W window positions (the last: the reporting month)."""

    points: np.ndarray  # (S,) how many points
    enough: np.ndarray  # (S,) limits and icons: enough points, one of them the reporting month
    mean: np.ndarray  # (S,) float; NaN without points
    lower: np.ndarray  # (S,) lower process limit; NaN without enough points
    upper: np.ndarray  # (S,) upper process limit
    special: np.ndarray  # (S, W) IMPROVEMENT, CONCERN, NEUTRAL or None (None too without enough points)
    variation: np.ndarray  # (S,) one of VARIATIONS, or None without enough points
    assurance: np.ndarray  # (S,) PASS, FAIL, HIT_AND_MISS, or None (polarity T, no target, too few points)

    def rows(self, which: slice) -> Xmr:
        """The results of some of the series."""
        return Xmr(*(getattr(self, f.name)[which] for f in fields(self)))


def xmr(num: np.ndarray, den: np.ndarray, valid: np.ndarray, polarity: str, targets: Sequence | None = None,
        rules: Rules = Rules()) -> Xmr:
    """The XmR chart of each series: values num/den (integers) where `valid`.

    num, den, valid: (S, W) arrays, W window positions in month order, the last the
    reporting month. targets: (S,) the target (a Fraction) in force in the reporting
    month, or None. polarity: "H", "L" or "T".
    """
    num, den = np.asarray(num), np.asarray(den)
    valid = np.asarray(valid, dtype=bool) & (den != 0)
    n_series, width = valid.shape
    with np.errstate(invalid="ignore", divide="ignore"):
        x = np.where(valid, num.astype(float) / np.where(valid, den, 1).astype(float), np.nan)

    # Points side by side, skipped months squeezed out: moving ranges and runs join consecutive points.
    order = np.argsort(~valid, axis=1, kind="stable")
    cx = np.take_along_axis(x, order, axis=1)
    cnum, cden = np.take_along_axis(num, order, axis=1), np.take_along_axis(den, order, axis=1)
    k = valid.sum(axis=1)
    at = np.arange(width)
    here = at[None, :] < k[:, None]  # the compressed positions holding a point
    exact = _Exact(cnum, cden, k, rules.screen_moving_ranges, here)

    with np.errstate(invalid="ignore", divide="ignore"):
        total = np.where(here, cx, 0.0).sum(axis=1)
        mean = np.where(k > 0, total / np.maximum(k, 1), np.nan)
        scale = np.where(here, np.abs(cx), 0.0).max(axis=1)  # the size of the numbers compared
        # A moving range at each point after the first: k - 1 of them, none at padding positions.
        has_range = here & (at[None, :] >= 1)
        ranges = np.zeros((n_series, width))
        ranges[:, 1:] = np.where(has_range[:, 1:], np.abs(cx[:, 1:] - cx[:, :-1]), 0.0)
        mrbar = ranges.sum(axis=1) / np.maximum(k - 1, 1)
        if rules.screen_moving_ranges:
            mrbar = _screened_mrbar(ranges, has_range, mrbar, scale, exact)
    enough = (k >= max(rules.min_points, 2)) & valid[:, -1]

    def side(offset: Fraction) -> np.ndarray:
        """+1 / 0 / -1: each point above, on or below mean + offset x MR-bar, decided exactly."""
        diff = cx - mean[:, None] - float(offset) * mrbar[:, None]
        return exact.sign(diff, here, scale, lambda s, i: exact.values(s)[i] - exact.mean(s) - offset * exact.mrbar(s))

    above_mean = side(Fraction(0))
    above_upper, below_lower = side(LIMIT) > 0, side(-LIMIT) < 0
    above_2s, below_2s = side(TWO_SIGMA) > 0, side(-TWO_SIGMA) < 0

    high = above_upper.copy()  # rule 1: beyond a process limit
    low = below_lower.copy()
    # Rule 2, trend: runs of points each strictly above (below) the one before; a tie breaks the run.
    steps = np.zeros((n_series, width), dtype=np.int8)
    steps[:, 1:] = np.where(here[:, 1:], exact.step_signs(), 0)
    for direction, flags in ((1, high), (-1, low)):
        moving = steps == direction
        long_enough = moving & (_run_lengths(moving.astype(np.int8)) >= rules.trend_run - 1)
        flags |= long_enough
        flags[:, :-1] |= long_enough[:, 1:]  # the point each step starts from
    # Rule 3, two of three: 3 consecutive points strictly on one side of the mean, at least 2 of
    # them beyond that side's 2-sigma line and not beyond its limit: those are flagged.
    for direction, beyond, outside, flags in ((1, above_2s, above_upper, high), (-1, below_2s, below_lower, low)):
        candidate = beyond & ~outside & (above_mean == direction)
        for start in range(width - 2):
            window = slice(start, start + 3)
            same_side = (above_mean[:, window] == direction).all(axis=1) & here[:, start + 2]
            hits = candidate[:, window]
            fire = same_side & (hits.sum(axis=1) >= 2)
            flags[:, window] |= hits & fire[:, None]
    # Rule 4, shift: runs of points strictly on one side of the mean; a point on the mean breaks it.
    shifted = _run_lengths(np.where(here, above_mean, 0).astype(np.int8)) >= rules.shift_run
    high |= shifted & (above_mean > 0)
    low |= shifted & (above_mean < 0)
    high &= here & enough[:, None]
    low &= here & enough[:, None]

    special = np.full((n_series, width), None, dtype=object)
    if polarity == "H":
        special[low] = CONCERN
        special[high] = IMPROVEMENT  # a point on both sides is improvement, as the MDC tool shows it
    elif polarity == "L":
        special[high] = CONCERN
        special[low] = IMPROVEMENT
    else:
        special[high | low] = NEUTRAL

    last = np.maximum(k - 1, 0)
    rows = np.arange(n_series)
    last_high, last_low = high[rows, last], low[rows, last]
    variation = np.full(n_series, None, dtype=object)
    variation[enough] = COMMON
    if polarity == "H":
        variation[enough & last_low] = VARIATIONS[4]
        variation[enough & last_high] = VARIATIONS[1]
    elif polarity == "L":
        variation[enough & last_high] = VARIATIONS[3]
        variation[enough & last_low] = VARIATIONS[2]
    else:
        # The point's side of the mean; a point on the mean takes its trend's direction.
        where = above_mean[rows, last]
        where = np.where(where == 0, steps[rows, last], where)
        flagged = enough & (last_high | last_low)
        variation[flagged & (where > 0)] = VARIATIONS[5]
        variation[flagged & (where <= 0)] = VARIATIONS[6]

    lower = np.where(enough, mean - float(LIMIT) * mrbar, np.nan)
    upper = np.where(enough, mean + float(LIMIT) * mrbar, np.nan)
    assurance = _assurance(polarity, targets, enough, mean, mrbar, scale, exact)

    # Back from squeezed positions to window positions.
    spread = np.full((n_series, width), None, dtype=object)
    np.put_along_axis(spread, order, special, axis=1)
    spread[~valid] = None
    return Xmr(k, enough, mean, lower, upper, spread, variation, assurance)


def _screened_mrbar(ranges: np.ndarray, has_range: np.ndarray, mrbar: np.ndarray, scale: np.ndarray,
                    exact: _Exact) -> np.ndarray:
    """MR-bar of the moving ranges not above SCREEN x the raw MR-bar (a range exactly on it is kept).

    Only positions in `has_range` are ranges: counting the first point or padding as a kept
    range of 0 would shrink MR-bar and the limits (a series filling the window to (k - 1) / k).
    """
    kept = exact.at_most(ranges, float(SCREEN) * mrbar[:, None], has_range, scale, exact.over_screen)
    count = kept.sum(axis=1)
    # Not every range can be above 3.267 times their mean, so a series with ranges keeps one;
    # the fallback is for a series without any (fewer than 2 points).
    return np.where(count > 0, np.where(kept, ranges, 0.0).sum(axis=1) / np.maximum(count, 1), mrbar)


def _assurance(polarity: str, targets, enough, mean, mrbar, scale, exact: _Exact) -> np.ndarray:
    """H: a target below the lower limit is consistently passed, above the upper consistently failed,
    otherwise hit and miss; L the mirror image; none for T or without a target."""
    out = np.full(len(mean), None, dtype=object)
    if polarity not in ("H", "L") or targets is None:
        return out
    targets = list(targets)
    has = np.array([t is not None for t in targets]) & enough
    if not has.any():
        return out
    value = np.array([float(t) if t is not None else np.nan for t in targets])

    def side(limit: Fraction) -> np.ndarray:
        diff = (value - mean - float(limit) * mrbar)[:, None]
        return exact.sign(diff, has[:, None], np.maximum(scale, np.abs(np.nan_to_num(value))),
                          lambda s, _: Fraction(targets[s]) - exact.mean(s) - limit * exact.mrbar(s),
                          of_points=False)[:, 0]

    below_lower, above_upper = side(-LIMIT) < 0, side(LIMIT) > 0
    passing, failing = (below_lower, above_upper) if polarity == "H" else (above_upper, below_lower)
    out[has] = HIT_AND_MISS
    out[has & passing] = PASS
    out[has & failing] = FAIL
    return out


def _run_lengths(codes: np.ndarray) -> np.ndarray:
    """For each position, the length of the run of equal non-zero codes it is part of (0 for 0)."""
    n, width = codes.shape
    forward = np.zeros((n, width), dtype=np.int32)
    for i in range(width):
        on = codes[:, i] != 0
        same = on & (codes[:, i] == codes[:, i - 1]) if i else np.zeros(n, dtype=bool)
        forward[:, i] = np.where(on, np.where(same, forward[:, i - 1] + 1, 1), 0)
    total = forward.copy()
    for i in range(width - 2, -1, -1):
        joined = (codes[:, i] != 0) & (codes[:, i + 1] == codes[:, i])
        total[:, i] = np.where(joined, total[:, i + 1], total[:, i])
    return total


class _Exact:
    """The series as exact fractions, made only for the few comparisons too close to call in floats."""

    def __init__(self, num: np.ndarray, den: np.ndarray, k: np.ndarray, screen: bool, here: np.ndarray):
        self._num, self._den, self._k, self._screen = num, den, k, screen
        self._cache: dict[tuple[str, int], object] = {}
        # A series whose points are all equal (a team with no cases, a measure always at 100%)
        # ties with every line: its point, mean and limits are one value. Found in integers, at once.
        first_n, first_d = _wide(num[:, :1]), _wide(den[:, :1])
        self.constant = (~here | (_wide(num) * first_d == first_n * _wide(den))).all(axis=1)

    def _memo(self, key: str, s: int, make: Callable[[], object]):
        if (key, s) not in self._cache:
            self._cache[(key, s)] = make()
        return self._cache[(key, s)]

    def values(self, s: int) -> list[Fraction]:
        return self._memo("values", s, lambda: [Fraction(int(n), int(d)) for n, d in
                                                zip(self._num[s, :self._k[s]], self._den[s, :self._k[s]],
                                                    strict=False)])

    def mean(self, s: int) -> Fraction:
        return self._memo("mean", s, lambda: sum(self.values(s), Fraction(0)) / max(len(self.values(s)), 1))

    def ranges(self, s: int) -> list[Fraction]:
        v = self.values(s)
        return self._memo("ranges", s, lambda: [abs(b - a) for a, b in zip(v, v[1:], strict=False)])

    def raw_mrbar(self, s: int) -> Fraction:
        r = self.ranges(s)
        return self._memo("raw", s, lambda: sum(r, Fraction(0)) / max(len(r), 1))

    def over_screen(self, s: int, i: int) -> Fraction:
        """The moving range ending at point i (i >= 1) less SCREEN x the raw MR-bar: kept when <= 0."""
        return self.ranges(s)[i - 1] - SCREEN * self.raw_mrbar(s)

    def mrbar(self, s: int) -> Fraction:
        def make() -> Fraction:
            r, bar = self.ranges(s), self.raw_mrbar(s)  # the series' own k - 1 ranges, no padding
            if self._screen:
                kept = [x for i, x in enumerate(r, start=1) if self.over_screen(s, i) <= 0]
                if kept:
                    return sum(kept, Fraction(0)) / len(kept)
            return bar
        return self._memo("mrbar", s, make)

    def sign(self, diff: np.ndarray, where: np.ndarray, scale: np.ndarray,
             exact: Callable[[int, int], Fraction], of_points: bool = True) -> np.ndarray:
        """The sign of each `diff`, made again exactly where it is too close to zero to trust.

        of_points: `diff` compares the series' own points and lines, so for a constant series
        it is exactly zero (its points, mean and limits are one value); not for a target.
        """
        sign = np.where(where, np.sign(np.nan_to_num(diff)), 0).astype(np.int8)
        unsure = where & (np.abs(diff) <= TOLERANCE * (np.abs(scale)[:, None] + np.abs(diff) + 1e-300))
        if of_points:
            sign[unsure & self.constant[:, None]] = 0
            unsure &= ~self.constant[:, None]
        for s, i in zip(*np.nonzero(unsure), strict=False):
            value = exact(int(s), int(i))
            sign[s, i] = (value > 0) - (value < 0)
        return sign

    def at_most(self, left: np.ndarray, right: np.ndarray, where: np.ndarray, scale: np.ndarray,
                exact: Callable[[int, int], Fraction]) -> np.ndarray:
        """left <= right, decided exactly near a tie; False outside `where` (sign() gives 0 there,
        which must not read as "at most": those positions hold no value to compare)."""
        return (self.sign(left - right, where, scale, exact) <= 0) & where

    def step_signs(self) -> np.ndarray:
        """sign(x[i] - x[i-1]) for i >= 1, exactly: n1 d0 - n0 d1 in integers (Python's when large)."""
        n, d = _wide(self._num), _wide(self._den)
        cross = n[:, 1:] * d[:, :-1] - n[:, :-1] * d[:, 1:]
        sign = np.sign(cross) * np.sign(d[:, 1:] * d[:, :-1])
        return np.asarray(sign, dtype=np.int8)


def _wide(values: np.ndarray) -> np.ndarray:
    """Integers whose products of two cannot overflow: int64 below 2**31, else Python integers."""
    if values.dtype == object or int(np.abs(values).max(initial=0)) >= 2**31:
        return values.astype(object)
    return values.astype(np.int64)


def xmr_series(values: Sequence[object], polarity: str = "H", target: object = None, rules: Rules = Rules()) -> Xmr:
    """One series given as numbers (int, Fraction, decimal text or float: a float is taken as the
    decimal it prints as) with None for a month without a point; for tests and notebooks."""
    fractions = [None if v is None else Fraction(str(v)) if isinstance(v, float) else Fraction(v) for v in values]
    # Python integers: np.gcd would turn the common denominator into an int64 that can overflow.
    common = math.lcm(1, *(f.denominator for f in fractions if f is not None))
    num = np.array([[0 if f is None else int(f * common) for f in fractions]], dtype=object)
    den = np.array([[common if f is not None else 0 for f in fractions]], dtype=object)
    if max((abs(int(v)) for v in num[0]), default=0) < 2**62 and common < 2**62:
        num, den = num.astype(np.int64), den.astype(np.int64)
    valid = np.array([[f is not None for f in fractions]])
    return xmr(num, den, valid, polarity, [None if target is None else Fraction(str(target))], rules)

"""Exact comparisons stay exact when sums are too large for int64 products."""

from __future__ import annotations

from fractions import Fraction

import numpy as np
import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from scorecard_xl.engine.calculator import directions, rag_ratings
from scorecard_xl.engine.template import Indicator

MONTH = pd.DatetimeIndex([pd.Timestamp("2016-08-01")])


def _indicator(polarity: str) -> Indicator:
    period = {"from": "2016-04", "target": "17.5%", "red": "7.5%"}
    if polarity == "T":
        period["green_tolerance"] = "2.5%"
    else:
        period["red"] = "30%" if polarity == "L" else "10%"
    return Indicator(id="x", title="x", polarity=polarity, period="R12M", unit="percent", decimals=1,
                     targets=[period])


@settings(max_examples=200, deadline=None)
@given(st.integers(1, 10**15), st.integers(1, 10**15), st.integers(1, 10**15), st.integers(1, 10**15),
       st.sampled_from("HLT"))
def test_direction_is_exact_for_huge_sums(n1, d1, n0, d0, polarity):
    ind = _indicator(polarity)
    got = directions(np.array([n1]), np.array([d1]), np.array([n0]), np.array([d0]), ind, MONTH)[0]
    now, before, target = Fraction(n1, d1), Fraction(n0, d0), Fraction(7, 40)
    if polarity == "T":
        now, before = -abs(now - target), -abs(before - target)
    elif polarity == "L":
        now, before = -now, -before
    assert got == ("→" if now == before else "↑" if now > before else "↓")


@settings(max_examples=200, deadline=None)
@given(st.integers(0, 10**15), st.integers(1, 10**15), st.sampled_from("HLT"))
def test_rag_is_exact_for_huge_sums(n, d, polarity):
    ind = _indicator(polarity)
    got = rag_ratings(np.array([n]), np.array([d]), ind, MONTH)[0]
    v, t = Fraction(n, d), Fraction(7, 40)
    if polarity == "H":
        expected = "G" if v >= t else "A" if v >= Fraction(1, 10) else "R"
    elif polarity == "L":
        expected = "G" if v <= t else "A" if v < Fraction(3, 10) else "R"
    else:
        gap = abs(v - t)
        expected = "G" if gap <= Fraction(1, 40) else "R" if gap >= Fraction(3, 40) else "A"
    assert got == expected


def test_near_equal_huge_fractions_are_told_apart():
    # 1e15/3e15 against (1e15+1)/(3e15+3) are equal; (1e15+1)/(3e15+2) is larger.
    ind = _indicator("H")
    n0, d0 = 10**15, 3 * 10**15
    same = directions(np.array([n0 + 1]), np.array([d0 + 3]), np.array([n0]), np.array([d0]), ind, MONTH)[0]
    up = directions(np.array([n0 + 1]), np.array([d0 + 2]), np.array([n0]), np.array([d0]), ind, MONTH)[0]
    assert (same, up) == ("→", "↑")

"""Property tests (hypothesis) of the calculator's rules on the tiny template.

Each property runs a modest number of examples so the file stays within a few seconds.
"""

from __future__ import annotations

from fractions import Fraction

import numpy as np
import pandas as pd
import pytest
from conftest import CHILDREN, TEAMS, TINY_DICT, month, months_between
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from scorecard_xl.engine.calculator import directions, indicator_results, rag_ratings
from scorecard_xl.engine.template import Indicator, Template
from scorecard_xl.model import ALL, DOWN, EXCL, SAME, SCALE, UP

TINY = Template.model_validate(TINY_DICT)
MONTHS = months_between("2015-06", "2016-08")  # 15 months: R12M, t-1 and rolling 3 all appear
INDICATORS = ["P12", "PSS", "CNT", "AVG", "TGT", "FTE"]
PERCENT = ["P12", "PSS", "TGT", "FTE"]
SHAPE = (len(INDICATORS), len(TEAMS), 2, len(MONTHS))  # indicator, team, UASC (N, Y), month

FEW = settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                      HealthCheck.data_too_large])


@st.composite
def exports(draw):
    """Indicator rows for the tiny template, as the reader returns them.

    Percentages have numerator <= denominator; a row with denominator 0 has numerator 0
    (so a unit whose figure cannot be computed contributes nothing to its parent);
    FTE numbers are fractional (4 decimal places). Some (indicator, month) pairs have
    no rows at all. The bulk values come from a seeded generator (hypothesis picks the
    seed and the densities) so that every example is a full 15-month export in which
    R12M, t-1 and rolling-3 figures actually appear.
    """
    seed = draw(st.integers(0, 2**32 - 1))
    p_present = draw(st.sampled_from([0.1, 0.5, 0.9, 1.0]))
    p_no_data = draw(st.sampled_from([0.0, 0.0, 0.05, 0.3]))
    top = draw(st.sampled_from([1, 3, 40]))
    rng = np.random.default_rng(seed)
    present = rng.random(SHAPE) < p_present
    no_data = rng.random((len(INDICATORS), len(MONTHS))) < p_no_data
    den = rng.integers(0, top + 1, SHAPE)
    raw = rng.integers(0, top + 1, SHAPE)
    fte_den = rng.integers(0, 400_001, SHAPE[1:])  # up to 40 FTE in 1/SCALE units
    fte_share = rng.integers(0, 10_001, SHAPE[1:])

    num_s = np.zeros(SHAPE, dtype=np.int64)
    den_s = np.zeros(SHAPE, dtype=np.int64)
    for k, ind in enumerate(INDICATORS):
        if ind == "CNT":
            num_s[k] = raw[k] * SCALE
        elif ind == "AVG":
            num_s[k] = np.where(den[k] > 0, raw[k] * 100, 0) * SCALE  # days
            den_s[k] = den[k] * SCALE
        elif ind == "FTE":
            den_s[k] = fte_den
            num_s[k] = fte_den * fte_share // 10_000  # <= den
        else:
            den_s[k] = den[k] * SCALE
            num_s[k] = np.minimum(raw[k], den[k]) * SCALE
    keep = present & ~no_data[:, None, None, :]
    k, t, u, m = np.nonzero(keep)
    rows = pd.DataFrame({
        "Month": pd.DatetimeIndex(MONTHS)[m],
        "Indicator": np.asarray(INDICATORS, dtype=object)[k],
        "Unit": np.asarray(TEAMS, dtype=object)[t],
        "UASC": u == 1,
        "Numerator": pd.array(num_s[keep], dtype="Int64"),
        "Denominator": pd.array(den_s[keep], dtype="Int64"),
        "Row": np.arange(2, keep.sum() + 2),
    })
    return rows


def _scaled(series: pd.Series) -> pd.Series:
    """Results' Numerator/Denominator back in exact 1/SCALE integers (NaN -> 0)."""
    return (series.fillna(0) * SCALE).round().astype(np.int64)


@FEW
@given(exports())
def test_parent_is_sum_of_children(rows):
    results = indicator_results(rows, TINY)
    results = results.assign(N=_scaled(results["Numerator"]), D=_scaled(results["Denominator"]))
    keys = ["Indicator", "Cohort", "Month"]
    for parent, children in CHILDREN.items():
        mine = results[results["Unit"] == parent].set_index(keys)[["N", "D"]]
        theirs = results[results["Unit"].isin(children)].groupby(keys)[["N", "D"]].sum()
        # Every computed child has a computed parent...
        assert theirs.index.difference(mine.index).empty, parent
        # ...whose numerator and denominator are the children's sums (absent child = 0).
        expected = theirs.reindex(mine.index, fill_value=0)
        assert mine.to_dict("index") == expected.to_dict("index"), (parent, children)


@FEW
@given(exports())
def test_all_is_at_least_excluding_uasc(rows):
    results = indicator_results(rows, TINY)
    results = results.assign(N=_scaled(results["Numerator"]), D=_scaled(results["Denominator"]))
    keys = ["Indicator", "Unit", "Month"]
    all_ = results[results["Cohort"] == ALL].set_index(keys)[["N", "D"]]
    excl = results[results["Cohort"] == EXCL].set_index(keys)[["N", "D"]]
    assert excl.index.difference(all_.index).empty
    excl = excl.reindex(all_.index, fill_value=0)
    assert (all_["N"] >= excl["N"]).all()
    assert (all_["D"] >= excl["D"]).all()


@pytest.mark.slow
@FEW
@given(exports())
def test_all_equals_sum_of_rows_for_ss_indicators(rows):
    """Oracle for SS: each team's All / Excl figure is its rows' plain sum for the month."""
    results = indicator_results(rows, TINY)
    for ind in ["PSS", "FTE", "CNT"]:
        mine = rows[rows["Indicator"] == ind]
        for cohort, subset in ((ALL, mine), (EXCL, mine[~mine["UASC"]])):
            expected = subset.groupby(["Unit", "Month"])[["Numerator", "Denominator"]].sum()
            got = results[(results["Indicator"] == ind) & (results["Cohort"] == cohort)
                          & results["Unit"].isin(TEAMS)]
            got = got.set_index(["Unit", "Month"])
            for (unit, when), (n, d) in expected.iterrows():
                if ind != "CNT" and d == 0:  # no result; the row may be there for 1 month or 1 year ago
                    assert (unit, when) not in got.index or pd.isna(got.loc[(unit, when), "Result"])
                    continue
                assert round(got.loc[(unit, when), "Numerator"] * SCALE) == n
                if ind != "CNT":
                    assert round(got.loc[(unit, when), "Denominator"] * SCALE) == d


@FEW
@given(exports())
def test_percent_results_lie_between_0_and_1(rows):
    results = indicator_results(rows, TINY)
    pct = results[results["Indicator"].isin(PERCENT)]
    for column in ["Result", "Result 1 Month Ago", "Result 1 Year Ago", "Rolling 3 Months"]:
        values = pct[column].dropna()
        assert ((values >= 0) & (values <= 1)).all(), column
    # and every row holds at least one figure (a row exists only where a figure does)
    figures = ["Result", "Result 1 Month Ago", "Result 1 Year Ago", "Rolling 3 Months"]
    assert pct[figures].notna().any(axis=1).all()


# ----------------------------------------------------------------------------- directions

pairs = st.tuples(st.integers(0, 10**6), st.integers(0, 10**6))


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(pairs, pairs), min_size=1, max_size=20), st.sampled_from(["P12", "PSS", "TGT", "CNT"]))
def test_swapping_current_and_comparison_flips_direction(values, ind_id):
    ind = TINY.indicator(ind_id)
    n1 = np.array([a[0] for a, _ in values], dtype=np.int64) * SCALE
    d1 = np.array([a[1] for a, _ in values], dtype=np.int64) * SCALE
    n0 = np.array([b[0] for _, b in values], dtype=np.int64) * SCALE
    d0 = np.array([b[1] for _, b in values], dtype=np.int64) * SCALE
    when = pd.DatetimeIndex([month("2016-08")] * len(values))
    forward = directions(n1, d1, n0, d0, ind, when)
    backward = directions(n0, d0, n1, d1, ind, when)
    flip = {UP: DOWN, DOWN: UP, SAME: SAME, None: None}
    assert [flip[x] for x in forward] == list(backward)
    # and each direction is the exact answer
    for (a, b), got in zip(values, forward, strict=False):
        if a[1] == 0 or b[1] == 0:
            assert got is None
            continue
        now, before = Fraction(*a), Fraction(*b)
        if ind.polarity == "T":
            target = ind.targets[0].target
            now, before = -abs(now - target), -abs(before - target)  # nearer is higher
        elif ind.polarity == "L":
            now, before = -now, -before
        assert got == (UP if now > before else DOWN if now < before else SAME)


# ----------------------------------------------------------------------------- RAG

RANK = {"R": 0, "A": 1, "G": 2}
fractions_01 = st.builds(Fraction, st.integers(0, 1000), st.just(1000))


def _indicator(polarity: str, target: Fraction, red: Fraction) -> Indicator:
    return Indicator.model_validate({
        "id": "X", "title": "x", "polarity": polarity, "period": "SS", "unit": "percent", "decimals": 1,
        "targets": [{"from": "2015-04", "target": str(target), "red": str(red)}],
    })


values_nd = st.lists(st.tuples(st.integers(0, 5000), st.integers(1, 5000)).map(lambda t: (min(t), t[1])),
                     min_size=2, max_size=30)


@settings(max_examples=60, deadline=None)
@given(st.data(), st.sampled_from(["H", "L"]), values_nd)
def test_rag_is_monotone_and_exact(data, polarity, values):
    a, b = data.draw(fractions_01), data.draw(fractions_01)
    if polarity == "H":
        target, red = max(a, b), min(a, b)
    else:
        target, red = min(a, b), max(a, b)
        if red == target:
            red = target + Fraction(1, 1000)
    ind = _indicator(polarity, target, red)
    values = sorted(values, key=lambda nd: Fraction(*nd))
    n = np.array([v[0] for v in values], dtype=np.int64) * SCALE
    d = np.array([v[1] for v in values], dtype=np.int64) * SCALE
    rags = rag_ratings(n, d, ind, pd.DatetimeIndex([month("2016-08")] * len(values)))
    ranks = [RANK[r] for r in rags]
    if polarity == "H":
        assert ranks == sorted(ranks)  # higher value never worse
    else:
        assert ranks == sorted(ranks, reverse=True)  # higher value never better
    for (nn, dd), got in zip(values, rags, strict=False):
        v = Fraction(nn, dd)
        if polarity == "H":
            expected = "G" if v >= target else "A" if v >= red else "R"
        else:
            expected = "G" if v <= target else "A" if v < red else "R"
        assert got == expected, (v, target, red)

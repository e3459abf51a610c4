"""SPC for every indicator, unit and cohort of the export, in the window to the reporting month.

The series come from the calculator's monthly grid (each month's own numerator and
denominator, rolled up the organisation tree, not the rolling 12-month sums); the XmR
rules are spc.py's. Two tables come out:

- points: one row per indicator, unit, cohort and month with a point in the window:
  Value, Mean, Lower/Upper Process Limit and Special Cause (the limits and special cause
  only where the series has enough points);
- series: one row per indicator, unit and cohort: Points, Variation and Assurance (for the
  reporting month), which the calculator adds to the Results rows of that month.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..model import COHORTS, SCALE, Problem
from .spc import Rules, xmr
from .template import Template

SPC_COLUMNS = ["Indicator", "Unit", "Cohort", "Month", "Value", "Mean", "Lower Process Limit",
               "Upper Process Limit", "Special Cause"]
SERIES_COLUMNS = ["Indicator", "Unit", "Cohort", "Points", "Enough", "Variation", "Assurance"]


def spc_tables(grid, template: Template, month: pd.Timestamp, first_month: int, months_of) -> tuple[pd.DataFrame,
                                                                                                   pd.DataFrame]:
    """(points, series) for `month` (see the module's notes).

    grid: the calculator's monthly grid; first_month: its first month's index; months_of:
    month indices -> Timestamps.
    """
    settings = template.spc
    rules = Rules(settings.min_points, settings.trend_run, settings.shift_run, settings.screen_moving_ranges)
    end = int(pd.Timestamp(month).year * 12 + pd.Timestamp(month).month - 1) - first_month
    positions = np.arange(end - settings.window_months + 1, end + 1)
    inside = (positions >= 0) & (positions < grid.num.shape[-1])
    at = np.clip(positions, 0, grid.num.shape[-1] - 1)
    window_months = months_of(positions + first_month).to_numpy()
    units = np.asarray(grid.units, dtype=object)
    n_units = len(units)
    series_unit = np.repeat(units, len(COHORTS))
    series_cohort = np.tile(np.asarray(COHORTS, dtype=object), n_units)
    # Each indicator's series, then one XmR call per polarity over all of them: the rules treat each
    # series (row) on its own, and one call over thousands of rows costs little more than one over a few.
    jobs = []
    for k, ind in enumerate(template.indicators):
        has = grid.has_data[k][at] & inside
        if not has.any():
            continue
        num = grid.num[k][:, :, at].reshape(n_units * len(COHORTS), -1)
        if ind.has_denominator:
            den = grid.den[k][:, :, at].reshape(n_units * len(COHORTS), -1)
        else:  # a count: the numerator, as n / 1
            den = np.full(num.shape, SCALE, dtype=np.int64)
        valid = has[None, :] & grid.present[k].reshape(-1)[:, None] & (den > 0)
        targets = [ind.target_for(pd.Timestamp(month).date(), unit) for unit in units]
        jobs.append((ind, num, den, valid, [t.target if t else None for t in np.repeat(targets, 2)]))
    charts = {}
    for polarity in dict.fromkeys(ind.polarity for ind, *_ in jobs):
        same = [job for job in jobs if job[0].polarity == polarity]
        chart = xmr(np.concatenate([job[1] for job in same]), np.concatenate([job[2] for job in same]),
                    np.concatenate([job[3] for job in same]), polarity, [t for job in same for t in job[4]], rules)
        for j, job in enumerate(same):
            charts[job[0].id] = chart.rows(slice(j * len(series_unit), (j + 1) * len(series_unit)))

    points: dict[str, list[np.ndarray]] = {c: [] for c in SPC_COLUMNS}
    series: dict[str, list[np.ndarray]] = {c: [] for c in SERIES_COLUMNS}
    for ind, num, den, valid, _ in jobs:
        chart = charts[ind.id]
        s_idx, w_idx = np.nonzero(valid)
        shown = chart.enough[s_idx]
        add = lambda table, column, values: table[column].append(values)  # noqa: E731
        add(points, "Indicator", np.full(len(s_idx), ind.id, dtype=object))
        add(points, "Unit", series_unit[s_idx])
        add(points, "Cohort", series_cohort[s_idx])
        add(points, "Month", window_months[w_idx])
        add(points, "Value", num[s_idx, w_idx] / den[s_idx, w_idx])
        add(points, "Mean", chart.mean[s_idx])
        add(points, "Lower Process Limit", np.where(shown, chart.lower[s_idx], np.nan))
        add(points, "Upper Process Limit", np.where(shown, chart.upper[s_idx], np.nan))
        add(points, "Special Cause", chart.special[s_idx, w_idx])
        some = chart.points > 0
        add(series, "Indicator", np.full(int(some.sum()), ind.id, dtype=object))
        add(series, "Unit", series_unit[some])
        add(series, "Cohort", series_cohort[some])
        add(series, "Points", chart.points[some])
        add(series, "Enough", chart.enough[some])
        add(series, "Variation", chart.variation[some])
        add(series, "Assurance", chart.assurance[some])
    if not points["Indicator"]:
        return pd.DataFrame(columns=SPC_COLUMNS), pd.DataFrame(columns=SERIES_COLUMNS)
    return (pd.DataFrame({c: np.concatenate(v) for c, v in points.items()}),
            pd.DataFrame({c: np.concatenate(v) for c, v in series.items()}))


def too_few_points(series: pd.DataFrame, template: Template, month: pd.Timestamp, unit: str,
                   per_indicator: bool) -> list[Problem]:
    """Where the unit's series (cohort All) has points but too few for limits and icons, or none
    for the reporting month (which must be one of them).

    per_indicator: one warning each (the county's); else one for the unit, listing them.
    """
    settings = template.spc
    own = series[(series["Unit"] == unit) & (series["Cohort"] == COHORTS[0]) & ~series["Enough"].astype(bool)]
    if own.empty:
        return []
    need, window = settings.min_points, f"in the {settings.window_months} months to {month:%b %Y}"
    if per_indicator:
        return [Problem("warning", f"indicator {row.Indicator}: no SPC limits or icons for {unit}: "
                                   f"{_shortfall(int(row.Points), need, window, month)}", "Indicators")
                for row in own.itertuples(index=False)]
    listed = ", ".join(own["Indicator"])
    short = own["Points"].astype(int) < need  # the others have enough points but none for the month
    if short.all():
        why = f"fewer than the {need} points needed {window}, one of which must be for {month:%b %Y}"
    elif not short.any():
        why = f"no point for {month:%b %Y}, which must be one of the {need} needed {window}"
    else:
        why = (f"fewer than the {need} points needed {window}, or no point for {month:%b %Y}, which must be one "
               "of them")
    return [Problem("warning", f"{unit}: no SPC limits or icons for indicator{'s' if len(own) > 1 else ''} "
                               f"{listed}: {why}", "Indicators")]


def _shortfall(points: int, need: int, window: str, month: pd.Timestamp) -> str:
    """Why one series has no limits, as a sentence: "8 points where 13 are needed in the 36 months
    to Aug 2016, one of which must be for Aug 2016"."""
    have = f"{points} point{'' if points == 1 else 's'}"
    if points < need:
        return f"{have} where {need} are needed {window}, one of which must be for {month:%b %Y}"
    return f"{have} {window} but none for {month:%b %Y}, which must be one of them"

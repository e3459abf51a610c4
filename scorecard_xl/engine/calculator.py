"""Every figure of the scorecard, computed from the export by the rules below.

Pure functions over DataFrames: no I/O. Where each figure comes from:

- Activity table ............ `activity_table`: a unit's figure is the sum of all
  rows at or under it; snapshot measures show this month, last month and the change;
  event measures show the month's count.
- Indicator results ......... `indicator_results`: for every indicator, unit, cohort
  (All = UASC and non-UASC rows; Excluding UASC = non-UASC rows) and month:
  R12M = sum of the 12 months' numerators / sum of their denominators (only when all
  12 months have data); SS = the month's; count indicators = the numerator. Also the
  result 1 month and 1 year ago, and rolling 3 months for R12M indicators.
- RAG ........................ `rag_ratings`, on the unrounded value, exactly.
- Direction of travel ....... `directions`, exact comparison by polarity.
- RAG counts, exceptions .... `rag_counts`, `exception_reports`.

Numerators and denominators arrive as integers in 1/SCALE units (see reader), so sums
are exact and comparisons use Python integers: a result is the fraction n/d, and
95.6% against 95.6% is decided on the fractions, not on rounded floats.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..model import (
    ALL,
    COHORTS,
    DOWN,
    SAME,
    SCALE,
    UP,
    ExceptionReport,
    Export,
    Problem,
    Scorecard,
)
from .template import Indicator, Template

RESULT_COLUMNS = [
    "Month", "Indicator", "Indicator Name", "Section", "Unit", "Level", "Area", "Cohort",
    "Numerator", "Denominator", "Result", "Target", "RAG", "Result 1 Month Ago", "DoT 1 Month",
    "Result 1 Year Ago", "DoT 1 Year", "Rolling 3 Months", "Rolling 3 Months RAG",
]
DEFINITION_COLUMNS = [
    "Indicator", "Indicator Name", "Section", "Polarity", "Data Period", "Unit", "Decimals",
    "Effective From", "Target", "Red Threshold", "Green Tolerance",
]


# ----------------------------------------------------------------------------- months

def month_index(months: pd.Series | pd.DatetimeIndex) -> np.ndarray:
    """Months as consecutive integers (year * 12 + month - 1), so t - 12 is a year ago."""
    months = pd.DatetimeIndex(months)
    return (months.year * 12 + months.month - 1).to_numpy()


def index_to_month(index: np.ndarray | int) -> pd.DatetimeIndex:
    index = np.atleast_1d(index)
    return pd.to_datetime({"year": index // 12, "month": index % 12 + 1, "day": 1})


def reporting_month(export: Export, month: str | pd.Timestamp | None) -> pd.Timestamp:
    """The chosen month, or the latest month of the export."""
    if month is None:
        months = pd.concat([export.indicators["Month"], export.activity["Month"]]).dropna()
        if months.empty:
            raise ValueError("the export has no rows with a month")
        return months.max()
    return pd.Timestamp(month).to_period("M").to_timestamp()


# ----------------------------------------------------------------------------- tree

def ancestry(template: Template) -> pd.DataFrame:
    """One row per (Unit, Ancestor), the unit counting as its own ancestor."""
    pairs = [(u, a) for u in template.units for a in template.ancestors(u)]
    return pd.DataFrame(pairs, columns=["Unit", "Ancestor"])


def roll_up(rows: pd.DataFrame, template: Template, keys: list[str], values: list[str]) -> pd.DataFrame:
    """Sum `values` of every row into the unit and each unit above it."""
    exploded = rows.merge(ancestry(template), on="Unit")
    summed = exploded.groupby([*keys, "Ancestor"], observed=True, sort=False)[values].sum()
    return summed.reset_index().rename(columns={"Ancestor": "Unit"})


# ----------------------------------------------------------------------------- activity

def activity_table(activity: pd.DataFrame, template: Template, month: pd.Timestamp) -> pd.DataFrame:
    """The activity table: one row per displayed unit, in the template's order."""
    measures = [m.column for m in template.activity_measures]
    last = month - pd.DateOffset(months=1)
    recent = activity[activity["Month"].isin([month, last])]
    rolled = roll_up(recent, template, ["Month"], measures)
    totals = {(u, m): row for u, m, row in zip(rolled["Unit"], rolled["Month"],
                                                rolled[measures].to_dict("records"))}
    months_with_data = set(activity["Month"])

    def figure(unit: str, when: pd.Timestamp, column: str):
        if (unit, when) in totals:
            return int(totals[(unit, when)][column])
        # No rows at or under the unit that month: it had nothing, if the month has data at all.
        return 0 if when in months_with_data else pd.NA

    table = {"Unit": template.activity_rows}
    for m in template.activity_measures:
        this = [figure(u, month, m.column) for u in template.activity_rows]
        if m.kind == "events":
            table[m.label] = this
            continue
        previous = [figure(u, last, m.column) for u in template.activity_rows]
        table[f"{m.label} - This month"] = this
        table[f"{m.label} - Last month"] = previous
        table[f"{m.label} - Change"] = [
            pd.NA if pd.isna(a) or pd.isna(b) else a - b for a, b in zip(this, previous)]
    return pd.DataFrame(table).astype({c: "Int64" for c in table if c != "Unit"})


# ----------------------------------------------------------------------------- indicators

@dataclass
class _Grid:
    """Dense monthly totals: arrays shaped (indicator, unit, cohort, month)."""

    indicators: list[str]
    units: list[str]
    first_month: int  # month index of position 0
    num: np.ndarray
    den: np.ndarray
    has_data: np.ndarray  # (indicator, month): any row at all for that indicator that month


def monthly_grid(rows: pd.DataFrame, template: Template) -> _Grid:
    indicators = [i.id for i in template.indicators]
    units = list(template.units)
    t = month_index(rows["Month"]) if len(rows) else np.array([], dtype=int)
    first = int(t.min()) if len(t) else 0
    n_months = int(t.max()) - first + 1 if len(t) else 1

    num = np.zeros((len(indicators), len(units), 2, n_months), dtype=np.int64)
    den = np.zeros_like(num)
    has_data = np.zeros((len(indicators), n_months), dtype=bool)
    if not len(rows):
        return _Grid(indicators, units, first, num, den, has_data)

    ind_pos = rows["Indicator"].map({k: i for i, k in enumerate(indicators)}).to_numpy()
    has_data[ind_pos, t - first] = True

    frame = pd.DataFrame({
        "ind": ind_pos, "t": t - first, "Unit": rows["Unit"].to_numpy(),
        "excl": (~rows["UASC"]).to_numpy(),
        "num": rows["Numerator"].to_numpy(dtype=np.int64), "den": rows["Denominator"].to_numpy(dtype=np.int64),
    })
    rolled = roll_up(frame, template, ["ind", "t", "excl"], ["num", "den"])
    u = rolled["Unit"].map({k: i for i, k in enumerate(units)}).to_numpy()
    ind, tt, excl = rolled["ind"].to_numpy(), rolled["t"].to_numpy(), rolled["excl"].to_numpy()
    # All = UASC and non-UASC rows; Excluding UASC = non-UASC rows only.
    np.add.at(num, (ind, u, 0, tt), rolled["num"].to_numpy())
    np.add.at(den, (ind, u, 0, tt), rolled["den"].to_numpy())
    np.add.at(num, (ind[excl], u[excl], 1, tt[excl]), rolled["num"].to_numpy()[excl])
    np.add.at(den, (ind[excl], u[excl], 1, tt[excl]), rolled["den"].to_numpy()[excl])
    return _Grid(indicators, units, first, num, den, has_data)


def window_sums(values: np.ndarray, has_data: np.ndarray, length: int) -> tuple[np.ndarray, np.ndarray]:
    """Sums over the `length` months ending at each month, and whether all had data.

    values: (..., month); has_data: (month,). A window that reaches before the first
    month, or includes a month without data, is not valid.
    """
    zero = np.zeros(values.shape[:-1] + (1,), dtype=values.dtype)
    cum = np.concatenate([zero, np.cumsum(values, axis=-1)], axis=-1)
    sums = np.zeros_like(values)
    sums[..., length - 1:] = cum[..., length:] - cum[..., :-length]
    covered = np.concatenate([[0], np.cumsum(has_data)])
    valid = np.zeros(has_data.shape, dtype=bool)
    valid[length - 1:] = (covered[length:] - covered[:-length]) == length
    return sums, valid


def _as_ints(*arrays: np.ndarray, scale: int = 1) -> list[np.ndarray]:
    """Integers whose products cannot overflow.

    int64 while every value times `scale` (the largest factor a comparison multiplies in
    besides two values, e.g. a target's denominator) is below 2**31, so any product of
    two such terms stays under 2**62; otherwise Python integers, exact at any size but
    slower.
    """
    largest = max((int(np.abs(a).max()) for a in arrays if a.size), default=0)
    if largest * max(scale, 1) < 2**31:
        return [a.astype(np.int64) for a in arrays]
    return [a.astype(object) for a in arrays]


def _target_scale(indicator: Indicator) -> int:
    """A bound on the factors a target comparison multiplies a value by (see _as_ints)."""
    terms = [f for p in indicator.targets for f in (p.target, p.red, p.green_tolerance) if f is not None]
    return max(max(abs(f.numerator), f.denominator) for f in terms) ** 2


def rag_ratings(num: np.ndarray, den: np.ndarray, indicator: Indicator, months: pd.DatetimeIndex) -> np.ndarray:
    """'G', 'A', 'R' or None for each result n/d (count indicators: pass den = SCALE).

    Exact: compares n/d with the month's target as fractions. H: Green at or above the
    target, Amber at or above the red threshold, else Red. L: Green at or below the
    target, Amber below the red threshold, else Red. T: by distance from the target:
    Green within the green tolerance, Red at or beyond the red tolerance, else Amber.
    """
    out = np.full(num.shape, None, dtype=object)
    n, d = _as_ints(num, den, scale=_target_scale(indicator))
    for period_start, period in _target_periods(indicator, months):
        mask = period_start & (den > 0)
        if not mask.any():
            continue
        nn, dd = n[mask], d[mask]
        target, red = period.target, period.red
        at_least = lambda bound: nn * bound.denominator >= bound.numerator * dd  # noqa: E731
        if indicator.polarity == "H":
            rag = np.where(at_least(target), "G", np.where(at_least(red), "A", "R"))
        elif indicator.polarity == "L":
            at_most_target = nn * target.denominator <= target.numerator * dd
            rag = np.where(at_most_target, "G", np.where(~at_least(red), "A", "R"))
        else:
            # |n/d - p/q| compared with tolerance a/b:  |n q - p d| * b  vs  a * d * q
            gap = np.abs(nn * target.denominator - target.numerator * dd)
            scale = dd * target.denominator
            green = gap * period.green_tolerance.denominator <= period.green_tolerance.numerator * scale
            redx = gap * red.denominator >= red.numerator * scale
            rag = np.where(green, "G", np.where(redx, "R", "A"))
        out[mask] = rag
    return out


def _target_periods(indicator: Indicator, months: pd.DatetimeIndex | np.ndarray):
    """(mask of months in force, TargetPeriod) for each of the indicator's target periods."""
    months = np.asarray(months, dtype="datetime64[ns]")
    starts = [np.datetime64(pd.Timestamp(p.from_month), "ns") for p in indicator.targets]
    for i, period in enumerate(indicator.targets):
        end = starts[i + 1] if i + 1 < len(starts) else None
        mask = months >= starts[i]
        if end is not None:
            mask &= months < end
        yield np.asarray(mask), period


def target_values(indicator: Indicator, months: pd.DatetimeIndex) -> np.ndarray:
    out = np.full(len(months), np.nan)
    for mask, period in _target_periods(indicator, months):
        out[mask] = float(period.target)
    return out


def directions(num: np.ndarray, den: np.ndarray, prev_num: np.ndarray, prev_den: np.ndarray,
               indicator: Indicator, months: pd.DatetimeIndex) -> np.ndarray:
    """'↑' improved, '↓' worsened, '→' exactly the same; None where either is missing.

    H: higher is better; L: lower is better; T: nearer the month's target is better.
    """
    out = np.full(num.shape, None, dtype=object)
    ok = (den > 0) & (prev_den > 0)
    n1, d1, n0, d0 = _as_ints(num, den, prev_num, prev_den,
                              scale=_target_scale(indicator) if indicator.polarity == "T" else 1)
    if indicator.polarity in ("H", "L"):
        diff = n1 * d0 - n0 * d1  # sign of n1/d1 - n0/d0
        better = diff > 0 if indicator.polarity == "H" else diff < 0
        same = diff == 0
        out[ok] = np.where(same[ok], SAME, np.where(better[ok], UP, DOWN))
        return out
    for mask, period in _target_periods(indicator, months):
        m = ok & mask
        if not m.any():
            continue
        p, q = period.target.numerator, period.target.denominator
        # distance n/d from p/q is |n q - p d| / (d q); compare the two distances.
        gap1 = np.abs(n1[m] * q - p * d1[m]) * d0[m]
        gap0 = np.abs(n0[m] * q - p * d0[m]) * d1[m]
        out[m] = np.where(gap1 == gap0, SAME, np.where(gap1 < gap0, UP, DOWN))
    return out


def indicator_results(rows: pd.DataFrame, template: Template) -> pd.DataFrame:
    """The Results table: one row per indicator x unit x cohort x month where any figure exists.

    Each figure comes from its own window: the result from the 12 months to the month
    (R12M) or the month itself (SS); 1 month and 1 year ago from their own windows; rolling
    3 months from the 3 months to the month. So a new indicator with 6 months of data has
    rolling 3 months, and a month whose 12-month figure cannot be computed still shows the
    figures that can. Each indicator's figures are computed on its (unit, cohort, month)
    arrays; the columns are gathered as arrays and become one DataFrame at the end.
    """
    grid = monthly_grid(rows, template)
    n_months = grid.num.shape[-1]
    months = index_to_month(np.arange(n_months) + grid.first_month).to_numpy()
    unit_names = np.asarray(grid.units, dtype=object)
    unit_levels = np.asarray([template.units[u].level for u in grid.units], dtype=object)
    unit_areas = np.asarray([template.area_of(u) for u in grid.units], dtype=object)
    columns: dict[str, list[np.ndarray]] = {c: [] for c in RESULT_COLUMNS}
    which: list[np.ndarray] = []  # each row's indicator position, for the indicator's own columns
    for k, ind in enumerate(template.indicators):
        num, den, has = grid.num[k], grid.den[k], grid.has_data[k]
        if not has.any():
            continue
        if ind.period == "R12M":
            num_c, valid = window_sums(num, has, 12)
            den_c, _ = window_sums(den, has, 12)
            num_3, valid_3 = window_sums(num, has, 3)
            den_3, _ = window_sums(den, has, 3)
            rolling = np.broadcast_to(valid_3, num_3.shape) & (den_3 > 0)
        else:
            num_c, den_c, valid = num, den, has
            rolling = np.zeros(num.shape, dtype=bool)
        if not ind.has_denominator:  # a count is n / 1
            den_c = np.broadcast_to(np.where(valid, SCALE, 0), num_c.shape).copy()
        current = np.broadcast_to(valid, num_c.shape) & (den_c > 0)
        # A result not computable counts as missing for the comparisons.
        num_c = np.where(current, num_c, 0)
        den_c = np.where(current, den_c, 0)

        keep = current | rolling | _later(current, 1) | _later(current, 12)
        unit_idx, cohort_idx, month_idx = np.nonzero(keep)
        when = months[month_idx]

        def picked(a: np.ndarray, back: int = 0) -> np.ndarray:
            """The kept cells' values `back` months earlier (0 before the first month)."""
            earlier = month_idx - back
            return np.where(earlier >= 0, a[unit_idx, cohort_idx, np.maximum(earlier, 0)], 0)

        n, d = picked(num_c), picked(den_c)
        has_result = d > 0
        prev_n, prev_d = picked(num_c, 1), picked(den_c, 1)
        year_n, year_d = picked(num_c, 12), picked(den_c, 12)
        which.append(np.full(len(n), k))
        add = lambda column, values: columns[column].append(values)  # noqa: E731
        add("Month", when)
        add("Unit", unit_names[unit_idx])
        add("Level", unit_levels[unit_idx])
        add("Area", unit_areas[unit_idx])
        add("Cohort", np.asarray(COHORTS, dtype=object)[cohort_idx])
        add("Numerator", np.where(has_result, n / SCALE, np.nan))
        add("Denominator", np.where(has_result, d / SCALE, np.nan) if ind.has_denominator
            else np.full(len(n), np.nan))
        add("Result", _ratio(n, d))
        add("Target", target_values(ind, when))
        add("RAG", rag_ratings(n, d, ind, when))
        add("Result 1 Month Ago", _ratio(prev_n, prev_d))
        add("DoT 1 Month", directions(n, d, prev_n, prev_d, ind, when))
        add("Result 1 Year Ago", _ratio(year_n, year_d))
        add("DoT 1 Year", directions(n, d, year_n, year_d, ind, when))
        if ind.period == "R12M":
            r3_n = np.where(rolling, num_3, 0)[unit_idx, cohort_idx, month_idx]
            r3_d = np.where(rolling, den_3, 0)[unit_idx, cohort_idx, month_idx]
            add("Rolling 3 Months", _ratio(r3_n, r3_d))
            add("Rolling 3 Months RAG", rag_ratings(r3_n, r3_d, ind, when))
        else:
            add("Rolling 3 Months", np.full(len(n), np.nan))
            add("Rolling 3 Months RAG", np.full(len(n), None, dtype=object))
    if not which:
        return pd.DataFrame(columns=RESULT_COLUMNS)
    position = np.concatenate(which)
    for column, describe in (("Indicator", lambda i: i.id), ("Indicator Name", lambda i: i.title),
                             ("Section", lambda i: template.section_of[i.id])):
        columns[column] = [np.asarray([describe(i) for i in template.indicators], dtype=object)[position]]
    return pd.DataFrame({c: np.concatenate(parts) for c, parts in columns.items()})


def _later(mask: np.ndarray, months: int) -> np.ndarray:
    """`mask` moved `months` later along the last axis: true where it was true `months` before."""
    out = np.zeros_like(mask)
    if months < mask.shape[-1]:
        out[..., months:] = mask[..., :-months]
    return out


def _ratio(n: np.ndarray, d: np.ndarray) -> np.ndarray:
    """n / d as floats for display; NaN where there is no result (d = 0)."""
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(d > 0, n / np.where(d > 0, d, 1), np.nan)


def definitions_table(template: Template) -> pd.DataFrame:
    """One row per indicator and target period, thresholds as numbers."""
    rows = []
    for ind in template.indicators:
        for period in ind.targets:
            rows.append({
                "Indicator": ind.id, "Indicator Name": ind.title, "Section": template.section_of[ind.id],
                "Polarity": ind.polarity, "Data Period": ind.period, "Unit": ind.unit, "Decimals": ind.decimals,
                "Effective From": pd.Timestamp(period.from_month), "Target": float(period.target),
                "Red Threshold": float(period.red),
                "Green Tolerance": float(period.green_tolerance) if period.green_tolerance is not None else np.nan,
            })
    return pd.DataFrame(rows, columns=DEFINITION_COLUMNS)


# ----------------------------------------------------------------------------- summaries

def root_results(results: pd.DataFrame, template: Template, month: pd.Timestamp,
                 cohort: str = ALL) -> pd.DataFrame:
    """The root unit's results for the month, one row per indicator, in template order."""
    root = template.organisation_tree.name
    rows = results[(results["Unit"] == root) & (results["Cohort"] == cohort) & (results["Month"] == month)]
    order = [i.id for i in template.indicators]
    return rows.set_index("Indicator").reindex(order).reset_index()


def rag_counts(results: pd.DataFrame, template: Template, month: pd.Timestamp) -> dict[str, int]:
    rags = root_results(results, template, month)["RAG"]
    return {letter: int((rags == letter).sum()) for letter in ("G", "A", "R")}


def exception_reports(results: pd.DataFrame, commentary: pd.DataFrame, template: Template,
                      month: pd.Timestamp, months_shown: int = 4) -> list[ExceptionReport]:
    """One report per indicator the root unit (e.g. the county) rates Red this month, in template order."""
    root = template.organisation_tree.name
    county = results[(results["Unit"] == root) & (results["Cohort"] == ALL)]
    trend_months = pd.date_range(end=month, periods=months_shown, freq="MS")
    reports = []
    for row in root_results(results, template, month).itertuples(index=False):
        if row.RAG != "R":
            continue
        ind = template.indicator(row.Indicator)
        trend = (county[county["Indicator"] == ind.id].set_index("Month")
                 .reindex(trend_months)[["Result", "Target", "RAG"]].rename_axis("Month").reset_index())
        # The target was in force whether or not a result could be computed that month.
        trend["Target"] = target_values(ind, trend_months)
        notes = commentary[(commentary["Indicator"] == ind.id) & (commentary["Month"] == month)]["Commentary"]
        text = notes.iloc[0] if len(notes) and str(notes.iloc[0]).strip() else None
        reports.append(ExceptionReport(ind.id, ind.exception_title or ind.title, trend, text))
    return reports


def missing_figure_warnings(rows: pd.DataFrame, results: pd.DataFrame, template: Template,
                            month: pd.Timestamp) -> list[Problem]:
    """Say why each figure the scorecard shows for the root unit is empty.

    Covers the latest result, 1 month ago, 1 year ago and rolling 3 months (R12M) of the
    root unit (cohort All), and the UASC sheet's units in both cohorts.
    """
    root = template.organisation_tree.name
    data_months: dict[str, set] = {}
    for ind_id, when in rows[["Indicator", "Month"]].drop_duplicates().itertuples(index=False, name=None):
        data_months.setdefault(ind_id, set()).add(when)
    latest = results[results["Month"] == month]
    shown = ["Result", "Result 1 Month Ago", "Result 1 Year Ago", "Rolling 3 Months"]
    figures = dict(zip(zip(latest["Indicator"], latest["Unit"], latest["Cohort"]),
                       latest[shown].to_dict("records")))
    wanted = [(i.id, root, ALL) for i in template.indicators]
    if template.uasc_impact:
        u = template.uasc_impact
        wanted += [(i, s.unit, c) for s in u.unit_sections for i in u.unit_indicators for c in COHORTS]
        wanted += [(i, u.other_unit, c) for i in u.other_indicators for c in COHORTS]
    warnings = []
    for ind_id, unit, cohort in dict.fromkeys(wanted):
        ind = template.indicator(ind_id)
        have = data_months.get(ind_id, set())
        row = figures.get((ind_id, unit, cohort))
        checks = [("result", "Result", 0, 12 if ind.period == "R12M" else 1)]
        if unit == root and cohort == ALL:
            length = 12 if ind.period == "R12M" else 1
            checks += [("result 1 month ago", "Result 1 Month Ago", 1, length),
                       ("result 1 year ago", "Result 1 Year Ago", 12, length)]
            if ind.period == "R12M":
                checks.append(("rolling 3 months", "Rolling 3 Months", 0, 3))
        for label, column, back, length in checks:
            if row is not None and pd.notna(row[column]):
                continue
            end = month - pd.DateOffset(months=back)
            window = pd.date_range(end=end, periods=length, freq="MS")
            absent = [m for m in window if m not in have]
            if absent:
                span = (f"{absent[0]:%b %Y}" if len(absent) == 1
                        else f"{len(absent)} of the months {window[0]:%b %Y} to {window[-1]:%b %Y}")
                why = f"no data for {span}"
            else:
                why = "the denominator is zero"
            warnings.append(Problem("warning", f"indicator {ind_id}, {unit}, {cohort}: {label} "
                                               f"for {end:%b %Y} left empty: {why}", "Indicators"))
    return warnings


def unused_commentary_warnings(commentary: pd.DataFrame, results: pd.DataFrame, template: Template,
                               month: pd.Timestamp) -> list[Problem]:
    """Commentary for the month on an indicator that is not rated Red has no exception report
    to appear on: say so, rather than drop it without a word."""
    latest = root_results(results, template, month).set_index("Indicator")["RAG"]
    words = {"G": "Green", "A": "Amber"}
    warnings = []
    for row in commentary[commentary["Month"] == month].itertuples(index=False):
        if not str(row.Commentary).strip() or row.Indicator not in latest.index or latest[row.Indicator] == "R":
            continue
        rag = latest[row.Indicator]
        state = f"rated {words[rag]}" if rag in words else "not rated"
        warnings.append(Problem("warning", f"commentary for indicator {row.Indicator} in {month:%b %Y} is not "
                                           f"shown: the indicator is {state} this month, and exception reports "
                                           "are for Red indicators only", "Commentary", int(row.Row),
                                "Commentary"))
    return warnings


def calculate(export: Export, template: Template, month: str | pd.Timestamp | None = None) -> Scorecard:
    """Every figure of the scorecard for the reporting month."""
    when = reporting_month(export, month)
    results = indicator_results(export.indicators, template)
    # The scorecard is as at the reporting month: later months are not part of it.
    results = results[results["Month"] <= when].reset_index(drop=True)
    return Scorecard(
        month=when,
        activity=activity_table(export.activity, template, when),
        results=results,
        definitions=definitions_table(template),
        rag_counts=rag_counts(results, template, when),
        exceptions=exception_reports(results, export.commentary, template, when),
        warnings=[*export.warnings, *missing_figure_warnings(export.indicators, results, template, when),
                  *unused_commentary_warnings(export.commentary, results, template, when)],
    )

"""Every figure of the scorecard, computed from the export by the rules below.

Pure functions over DataFrames: no I/O. Where each figure comes from:

- Activity table ............ `activity_table`: a unit's figure is the sum of all
  rows at or under it; snapshot measures show this month, last month and the change;
  event measures show the month's count. A measure not recorded in a month (blank in
  every row, see reader) is empty that month, never zero.
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

from ..model import ALL, COHORTS, DOWN, SAME, SCALE, UP, ExceptionReport, Export, Problem, Scorecard, UnitView
from .signals import spc_tables, too_few_points
from .template import Indicator, Template

RESULT_COLUMNS = [
    "Month", "Indicator", "Indicator Name", "Section", "Unit", "Level", "Area", "Cohort",
    "Numerator", "Denominator", "Result", "Target", "RAG", "Result 1 Month Ago", "DoT 1 Month",
    "Result 1 Year Ago", "DoT 1 Year", "Rolling 3 Months", "Rolling 3 Months RAG",
]
SPC_RESULT_COLUMNS = ["Variation", "Assurance"]  # on the reporting month's rows (signals.py)
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


def roll_up(rows: pd.DataFrame, template: Template, keys: list[str], values: list[str],
            min_count: int = 0) -> pd.DataFrame:
    """Sum `values` of every row into the unit and each unit above it.

    min_count: 1 keeps a sum over missing values only missing (<NA>) rather than 0.
    """
    exploded = rows.merge(ancestry(template), on="Unit")
    summed = exploded.groupby([*keys, "Ancestor"], observed=True, sort=False)[values].sum(min_count=min_count)
    return summed.reset_index().rename(columns={"Ancestor": "Unit"})


# ----------------------------------------------------------------------------- activity

def activity_units(template: Template, unit: str) -> list[str]:
    """The activity table's rows for a unit's workbook: the unit, then the units under it that the
    template shows (activity_rows), in the template's order. For the root: activity_rows."""
    if unit == template.organisation_tree.name:
        return list(template.activity_rows)
    under = set(template.subtree(unit))
    return [unit] + [u for u in template.activity_rows if u in under and u != unit]


def activity_totals(activity: pd.DataFrame, template: Template, month: pd.Timestamp) -> dict:
    """{(unit, month): {measure: total}} for the month and the one before, every unit rolled up.

    A measure not recorded that month (<NA> in every row) totals <NA>, not 0.
    """
    measures = [m.column for m in template.activity_measures]
    recent = activity[activity["Month"].isin([month, month - pd.DateOffset(months=1)])]
    rolled = roll_up(recent, template, ["Month"], measures, min_count=1)
    rows = rolled[measures].to_dict("records")
    return {(u, m): row for u, m, row in zip(rolled["Unit"], rolled["Month"], rows, strict=False)}


def activity_table(activity: pd.DataFrame, template: Template, month: pd.Timestamp,
                   units: list[str] | None = None, totals: dict | None = None) -> pd.DataFrame:
    """The activity table: one row per unit shown (default the template's activity_rows), in order.

    totals: activity_totals for the month, when already made (one roll-up serves every unit).
    A measure not recorded in a month (blank in every row of it) is empty that month for every
    unit, and so is a change that uses that month.
    """
    units = list(template.activity_rows) if units is None else units
    totals = activity_totals(activity, template, month) if totals is None else totals
    last = month - pd.DateOffset(months=1)
    # Per measure, the months in which it was recorded (a number in some row).
    recorded = {m.column: set(activity.loc[activity[m.column].notna(), "Month"]) for m in template.activity_measures}

    def figure(unit: str, when: pd.Timestamp, column: str):
        if (unit, when) in totals:
            total = totals[(unit, when)][column]
            return pd.NA if pd.isna(total) else int(total)
        # No rows at or under the unit that month: it had nothing, if the measure was recorded that month.
        return 0 if when in recorded[column] else pd.NA

    table = {"Unit": units}
    for m in template.activity_measures:
        this = [figure(u, month, m.column) for u in units]
        if m.kind == "events":
            table[m.label] = this
            continue
        previous = [figure(u, last, m.column) for u in units]
        table[f"{m.label} - This month"] = this
        table[f"{m.label} - Last month"] = previous
        table[f"{m.label} - Change"] = [
            pd.NA if pd.isna(a) or pd.isna(b) else a - b for a, b in zip(this, previous, strict=False)]
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
    present: np.ndarray  # (indicator, unit, cohort): any row at or under the unit, in any month


def monthly_grid(rows: pd.DataFrame, template: Template) -> _Grid:
    indicators = [i.id for i in template.indicators]
    units = list(template.units)
    t = month_index(rows["Month"]) if len(rows) else np.array([], dtype=int)
    first = int(t.min()) if len(t) else 0
    n_months = int(t.max()) - first + 1 if len(t) else 1

    num = np.zeros((len(indicators), len(units), 2, n_months), dtype=np.int64)
    den = np.zeros_like(num)
    has_data = np.zeros((len(indicators), n_months), dtype=bool)
    present = np.zeros((len(indicators), len(units), 2), dtype=bool)
    if not len(rows):
        return _Grid(indicators, units, first, num, den, has_data, present)

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
    present[ind, u, 0] = True
    present[ind[excl], u[excl], 1] = True
    return _Grid(indicators, units, first, num, den, has_data, present)


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
    periods = [*indicator.targets, *(p for own in indicator.unit_targets.values() for p in own)]
    terms = [f for p in periods for f in (p.target, p.red, p.green_tolerance) if f is not None]
    return max(max(abs(f.numerator), f.denominator) for f in terms) ** 2


def rag_ratings(num: np.ndarray, den: np.ndarray, indicator: Indicator, months: pd.DatetimeIndex,
                unit: str | None = None) -> np.ndarray:
    """'G', 'A', 'R' or None for each result n/d (count indicators: pass den = SCALE), against the
    targets in force for `unit` (its own unit_targets, else the indicator's).

    Exact: compares n/d with the month's target as fractions. H: Green at or above the
    target, Amber at or above the red threshold, else Red. L: Green at or below the
    target, Amber below the red threshold, else Red. T: by distance from the target:
    Green within the green tolerance, Red at or beyond the red tolerance, else Amber.
    """
    out = np.full(num.shape, None, dtype=object)
    n, d = _as_ints(num, den, scale=_target_scale(indicator))
    for period_start, period in _target_periods(indicator, months, unit):
        mask = period_start & (den > 0)
        if not mask.any():
            continue
        nn, dd = n[mask], d[mask]
        target, red = period.target, period.red
        at_least = lambda bound: nn * bound.denominator >= bound.numerator * dd  # noqa: E731, B023 (used at once)
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


def _target_periods(indicator: Indicator, months: pd.DatetimeIndex | np.ndarray, unit: str | None = None):
    """(mask of months in force, TargetPeriod) for each of the unit's target periods."""
    months = np.asarray(months, dtype="datetime64[ns]")
    periods = indicator.periods(unit)
    starts = [np.datetime64(pd.Timestamp(p.from_month), "ns") for p in periods]
    for i, period in enumerate(periods):
        end = starts[i + 1] if i + 1 < len(starts) else None
        mask = months >= starts[i]
        if end is not None:
            mask &= months < end
        yield np.asarray(mask), period


def target_values(indicator: Indicator, months: pd.DatetimeIndex, unit: str | None = None) -> np.ndarray:
    out = np.full(len(months), np.nan)
    for mask, period in _target_periods(indicator, months, unit):
        out[mask] = float(period.target)
    return out


def directions(num: np.ndarray, den: np.ndarray, prev_num: np.ndarray, prev_den: np.ndarray,
               indicator: Indicator, months: pd.DatetimeIndex, unit: str | None = None) -> np.ndarray:
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
    for mask, period in _target_periods(indicator, months, unit):
        m = ok & mask
        if not m.any():
            continue
        p, q = period.target.numerator, period.target.denominator
        # distance n/d from p/q is |n q - p d| / (d q); compare the two distances.
        gap1 = np.abs(n1[m] * q - p * d1[m]) * d0[m]
        gap0 = np.abs(n0[m] * q - p * d0[m]) * d1[m]
        out[m] = np.where(gap1 == gap0, SAME, np.where(gap1 < gap0, UP, DOWN))
    return out


def indicator_results(rows: pd.DataFrame, template: Template, grid: _Grid | None = None) -> pd.DataFrame:
    """The Results table: one row per indicator x unit x cohort x month where any figure exists.

    Each figure comes from its own window: the result from the 12 months to the month
    (R12M) or the month itself (SS); 1 month and 1 year ago from their own windows; rolling
    3 months from the 3 months to the month. So a new indicator with 6 months of data has
    rolling 3 months, and a month whose 12-month figure cannot be computed still shows the
    figures that can. Each indicator's figures are computed on its (unit, cohort, month)
    arrays; the columns are gathered as arrays and become one DataFrame at the end.
    """
    grid = monthly_grid(rows, template) if grid is None else grid
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
        # A unit with no row at or under it for the indicator, in any month, has no figures: empty, not zero.
        present = grid.present[k][..., None]
        rolling &= present
        current = np.broadcast_to(valid, num_c.shape) & (den_c > 0) & present
        # A result not computable counts as missing for the comparisons.
        num_c = np.where(current, num_c, 0)
        den_c = np.where(current, den_c, 0)

        keep = current | rolling | _later(current, 1) | _later(current, 12)
        unit_idx, cohort_idx, month_idx = np.nonzero(keep)
        when = months[month_idx]

        def picked(a: np.ndarray, back: int = 0) -> np.ndarray:
            """The kept cells' values `back` months earlier (0 before the first month)."""
            earlier = month_idx - back  # noqa: B023 (called in this iteration only)
            return np.where(earlier >= 0, a[unit_idx, cohort_idx, np.maximum(earlier, 0)], 0)  # noqa: B023

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
        if ind.period == "R12M":
            r3_n = np.where(rolling, num_3, 0)[unit_idx, cohort_idx, month_idx]
            r3_d = np.where(rolling, den_3, 0)[unit_idx, cohort_idx, month_idx]
        else:
            r3_n = r3_d = None
        # Targets, RAG and (for T) direction by the unit's targets: the indicator's, or its own.
        judged = {"Target": target_values(ind, when), "RAG": rag_ratings(n, d, ind, when),
                  "DoT 1 Month": directions(n, d, prev_n, prev_d, ind, when),
                  "DoT 1 Year": directions(n, d, year_n, year_d, ind, when),
                  "Rolling 3 Months RAG": (rag_ratings(r3_n, r3_d, ind, when) if r3_n is not None
                                           else np.full(len(n), None, dtype=object))}
        for own in ind.unit_targets:
            sel = unit_idx == grid.units.index(own)
            if not sel.any():
                continue
            w = when[sel]
            judged["Target"][sel] = target_values(ind, w, own)
            judged["RAG"][sel] = rag_ratings(n[sel], d[sel], ind, w, own)
            judged["DoT 1 Month"][sel] = directions(n[sel], d[sel], prev_n[sel], prev_d[sel], ind, w, own)
            judged["DoT 1 Year"][sel] = directions(n[sel], d[sel], year_n[sel], year_d[sel], ind, w, own)
            if r3_n is not None:
                judged["Rolling 3 Months RAG"][sel] = rag_ratings(r3_n[sel], r3_d[sel], ind, w, own)
        add("Result", _ratio(n, d))
        add("Target", judged["Target"])
        add("RAG", judged["RAG"])
        add("Result 1 Month Ago", _ratio(prev_n, prev_d))
        add("DoT 1 Month", judged["DoT 1 Month"])
        add("Result 1 Year Ago", _ratio(year_n, year_d))
        add("DoT 1 Year", judged["DoT 1 Year"])
        add("Rolling 3 Months", _ratio(r3_n, r3_d) if r3_n is not None else np.full(len(n), np.nan))
        add("Rolling 3 Months RAG", judged["Rolling 3 Months RAG"])
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

def unit_results(results: pd.DataFrame, template: Template, month: pd.Timestamp, unit: str | None = None,
                 cohort: str = ALL) -> pd.DataFrame:
    """A unit's results for the month (default the root's), one row per indicator, in template order."""
    unit = unit or template.organisation_tree.name
    rows = results[(results["Unit"] == unit) & (results["Cohort"] == cohort) & (results["Month"] == month)]
    order = [i.id for i in template.indicators]
    return rows.set_index("Indicator").reindex(order).reset_index()


def rag_counts(results: pd.DataFrame, template: Template, month: pd.Timestamp,
               unit: str | None = None, latest: pd.DataFrame | None = None) -> dict[str, int]:
    """How many of the unit's indicators are rated G, A and R this month (latest: its unit_results)."""
    rags = (unit_results(results, template, month, unit) if latest is None else latest)["RAG"]
    return {letter: int((rags == letter).sum()) for letter in ("G", "A", "R")}


def _commentary_of(commentary: pd.DataFrame, template: Template, unit: str) -> pd.DataFrame:
    """The unit's commentary rows; a commentary without a Team is the root's."""
    if "Unit" not in commentary.columns:
        return commentary if unit == template.organisation_tree.name else commentary.iloc[0:0]
    return commentary[commentary["Unit"] == unit]


def exception_reports(results: pd.DataFrame, commentary: pd.DataFrame, template: Template,
                      month: pd.Timestamp, months_shown: int = 4, unit: str | None = None,
                      latest: pd.DataFrame | None = None) -> list[ExceptionReport]:
    """One report per indicator the unit (default the root) rates Red this month, in template order,
    with the unit's commentary (latest: its unit_results, if made already)."""
    unit = unit or template.organisation_tree.name
    latest = unit_results(results, template, month, unit) if latest is None else latest
    reds = latest[latest["RAG"] == "R"]
    if reds.empty:
        return []
    own = results[(results["Unit"] == unit) & (results["Cohort"] == ALL)]
    notes = _commentary_of(commentary, template, unit)
    trend_months = pd.date_range(end=month, periods=months_shown, freq="MS")
    reports = []
    for row in reds.itertuples(index=False):
        ind = template.indicator(row.Indicator)
        trend = (own[own["Indicator"] == ind.id].set_index("Month")
                 .reindex(trend_months)[["Result", "Target", "RAG"]].rename_axis("Month").reset_index())
        # The target was in force whether or not a result could be computed that month.
        trend["Target"] = target_values(ind, trend_months, unit)
        text = notes[(notes["Indicator"] == ind.id) & (notes["Month"] == month)]["Commentary"]
        reports.append(ExceptionReport(ind.id, ind.exception_title or ind.title, trend,
                                       text.iloc[0] if len(text) and str(text.iloc[0]).strip() else None))
    return reports


def no_data_warnings(rows: pd.DataFrame, template: Template, unit: str) -> list[Problem]:
    """One warning naming the indicators with no row at or under the unit in any month: its
    scorecard shows them empty (not zero)."""
    have = set(rows.loc[rows["Unit"].isin(template.subtree(unit)), "Indicator"])
    missing = [i.id for i in template.indicators if i.id not in have]
    if not missing or len(have) == 0 and unit == template.organisation_tree.name:
        return []
    listed = ", ".join(missing)
    return [Problem("warning", f"{unit}: no rows for indicator{'s' if len(missing) > 1 else ''} {listed} at or "
                               "under this unit in any month; shown empty on its scorecard", "Indicators")]


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
    figures = dict(zip(zip(latest["Indicator"], latest["Unit"], latest["Cohort"], strict=False),
                       latest[shown].to_dict("records"), strict=False))
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
                               month: pd.Timestamp, unit: str | None = None,
                               latest: pd.DataFrame | None = None) -> list[Problem]:
    """Commentary for the month on an indicator the unit does not rate Red has no exception report
    to appear on: say so, rather than drop it without a word (latest: its unit_results)."""
    unit = unit or template.organisation_tree.name
    notes = _commentary_of(commentary, template, unit)
    notes = notes[notes["Month"] == month]
    if notes.empty:
        return []
    latest = (unit_results(results, template, month, unit) if latest is None else latest).set_index("Indicator")["RAG"]
    words = {"G": "Green", "A": "Amber"}
    warnings = []
    for row in notes.itertuples(index=False):
        if not str(row.Commentary).strip() or row.Indicator not in latest.index or latest[row.Indicator] == "R":
            continue
        rag = latest[row.Indicator]
        state = f"rated {words[rag]}" if rag in words else "not rated"
        whose = "" if unit == template.organisation_tree.name else f" (for {unit})"
        warnings.append(Problem("warning", f"commentary{whose} for indicator {row.Indicator} in {month:%b %Y} is "
                                           f"not shown: the indicator is {state} this month, and exception "
                                           "reports are for Red indicators only", "Commentary", int(row.Row),
                                "Commentary"))
    return warnings


def unit_view(export: Export, results: pd.DataFrame, template: Template, month: pd.Timestamp,
              unit: str, totals: dict | None = None, series: pd.DataFrame | None = None) -> UnitView:
    """What the unit's scorecard and workbook show besides the results (see model.UnitView).

    results: every unit's, or the unit's own (faster); totals: activity_totals, if made already;
    series: the SPC series (signals.py), to say where the unit's have too few points.
    """
    latest = unit_results(results, template, month, unit)
    warnings = [*no_data_warnings(export.indicators, template, unit),
                *unused_commentary_warnings(export.commentary, results, template, month, unit, latest)]
    if series is not None and unit != template.organisation_tree.name:
        warnings += too_few_points(series, template, month, unit, per_indicator=False)
    activity = activity_table(export.activity, template, month, activity_units(template, unit), totals)
    return UnitView(unit, activity, rag_counts(results, template, month, unit, latest),
                    exception_reports(results, export.commentary, template, month, unit=unit, latest=latest), warnings)


def calculate(export: Export, template: Template, month: str | pd.Timestamp | None = None,
              units: list[str] | None = None) -> Scorecard:
    """Every figure of the scorecard for the reporting month.

    units: units that get a workbook of their own, besides the root and the template's
    scorecard units (which always get a view).
    """
    when = reporting_month(export, month)
    grid = monthly_grid(export.indicators, template)
    results = indicator_results(export.indicators, template, grid)
    # The scorecard is as at the reporting month: later months are not part of it.
    results = results[results["Month"] <= when].reset_index(drop=True)
    root = template.organisation_tree.name
    shown = dict.fromkeys([root, *template.scorecard_units, *(units or [])])
    points = series = None
    warnings = [*export.warnings, *missing_figure_warnings(export.indicators, results, template, when)]
    if template.spc.enabled:
        points, series = spc_tables(grid, template, when, grid.first_month, index_to_month)
        results = _with_signals(results, series, when)
        warnings += too_few_points(series, template, when, root, per_indicator=True)
    totals = activity_totals(export.activity, template, when)
    by_unit = dict(tuple(results[results["Unit"].isin(shown)].groupby("Unit", sort=False)))  # split once
    empty = results.iloc[0:0]
    return Scorecard(
        month=when,
        results=results,
        definitions=definitions_table(template),
        root=root,
        views={unit: unit_view(export, by_unit.get(unit, empty), template, when, unit, totals, series)
               for unit in shown},
        warnings=warnings,
        spc=points,
        spc_series=series,
    )


def _with_signals(results: pd.DataFrame, series: pd.DataFrame, month: pd.Timestamp) -> pd.DataFrame:
    """Results with the SPC Variation and Assurance of each series on its reporting month's row."""
    keys = ["Indicator", "Unit", "Cohort"]
    latest = results["Month"] == month
    lookup = series.set_index(keys)[SPC_RESULT_COLUMNS]
    found = lookup.reindex(pd.MultiIndex.from_frame(results.loc[latest, keys]))
    out = results.copy()
    for column in SPC_RESULT_COLUMNS:
        out[column] = None
        out.loc[latest, column] = found[column].to_numpy()
    return out

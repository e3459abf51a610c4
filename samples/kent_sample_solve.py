"""Monthly figures for the Kent sample's indicators: published figures in, integers out.

An indicator's data is laid out in *cells*: slices of Kent for which the published
scorecard fixes a figure (Kent itself; or each area and "the rest of Kent", split into
UASC and non-UASC children). For every cell and month we need a numerator n and a
denominator d. Every figure the scorecard shows is then a linear condition on sums of
them, because each compares a ratio N/D with a known number p/q:

    N/D > p/q   <=>   q*N - p*D >= 1      (N, D, p, q integers, D > 0)

That holds for rounding ("22.1%" means 0.2205 < N/D < 0.2215), RAG bands and the
direction of travel too: the latest value (Aug 2016) is published exactly, so "the
value a month ago was better" is a comparison with a constant. So all the conditions of
an indicator form one small integer program, solved with HiGHS (scipy.optimize.milp).
Its cost keeps the months close to a smooth, plausible path (see solve_group).

Indicators that share a count (a denominator that is another indicator's numerator or
denominator) are solved together, with that count as one variable.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from decimal import Decimal
from fractions import Fraction

import numpy as np
from scipy.optimize import Bounds, LinearConstraint, milp
from scipy.sparse import coo_array

# ----------------------------------------------------------------------------- published text


def shown_value(text: str) -> tuple[Fraction, Fraction]:
    """A published figure as (value, half a unit of its last digit); percents as fractions."""
    text = text.strip()
    percent = text.endswith("%")
    number = Decimal(text.rstrip("%").lstrip("+"))
    half = Fraction(1, 2) * Fraction(10) ** number.as_tuple().exponent
    value = Fraction(number)
    if percent:
        return value / 100, half / 100
    return value, half


def display_interval(text: str) -> tuple[Fraction, Fraction]:
    """The open interval of exact values that display as `text` (we stay off the ties)."""
    value, half = shown_value(text)
    return value - half, value + half


Interval = tuple[Fraction | None, Fraction | None]  # open bounds; None: unbounded


def rag_interval(ind, month, letter: str, side: int = 0) -> Interval:
    """Values that get RAG `letter` for `ind` in `month` (open: never on a threshold).

    side: for polarity T, which side of the target the value is on (+1 above, -1 below).
    """
    period = ind.target_for(month)
    t, red = period.target, period.red
    if ind.polarity == "H":
        return {"G": (t, None), "A": (red, t), "R": (None, red)}[letter]
    if ind.polarity == "L":
        return {"G": (None, t), "A": (t, red), "R": (red, None)}[letter]
    gt = period.green_tolerance
    if letter == "G":
        return (t - gt, t + gt)
    if side == 0:
        raise ValueError(f"indicator {ind.id}: a T rating needs the side of the target")
    low, high = (gt, red) if letter == "A" else (red, None)
    if side > 0:
        return (t + low, None if high is None else t + high)
    return (None if high is None else t - high, t - low)


def side_of_target(ind, month, interval: Interval) -> int:
    t = ind.target_for(month).target
    lo, hi = interval
    if lo is not None and lo >= t:
        return 1
    if hi is not None and hi <= t:
        return -1
    raise ValueError(f"indicator {ind.id}: a value around {lo}..{hi} straddles its target")


def dot_condition(ind, month, latest: Fraction, arrow: str, earlier: Interval):
    """What the direction of travel says about the earlier value: an Interval, or the
    exact value it must equal ("->")."""
    if arrow == "→":
        return latest
    better_now = arrow == "↑"
    if ind.polarity == "H":
        return (None, latest) if better_now else (latest, None)
    if ind.polarity == "L":
        return (latest, None) if better_now else (None, latest)
    t = ind.target_for(month).target
    gap = abs(latest - t)
    side = side_of_target(ind, month, earlier)
    if better_now:  # the earlier value was further from the target
        return (t + gap, None) if side > 0 else (None, t - gap)
    return (t, t + gap) if side > 0 else (t - gap, t)


# ----------------------------------------------------------------------------- the problem


@dataclass
class Figure:
    """A condition on Kent's value over `months` (all cells): lo < value < hi, or == equal."""

    months: tuple[int, ...]
    lo: Fraction | None = None
    hi: Fraction | None = None
    equal: Fraction | None = None
    what: str = ""


@dataclass
class Problem:
    """One indicator's unknowns and conditions, in variable units (tenths where the
    template allows fractions: a value is (n / num_scale) / (d / den_scale))."""

    id: str
    unit: str  # percent | average | count
    num_scale: int
    den_scale: int
    cells: list[str]
    months: list[int]  # months with data
    cell_totals: dict[str, tuple[int, int | None]]  # exact (N, D) of each cell over `latest`
    latest: tuple[int, ...]  # months of the latest (published exact) figure
    figures: list[Figure]
    d_star: dict[str, np.ndarray]  # plausible denominators (or counts), per cell and month
    r_star: dict[str, np.ndarray]  # plausible values, per cell and month
    value_range: tuple[float, float]  # allowed monthly value per cell (percent: 0..1)
    fixed: dict[tuple[str, str, int], int] = field(default_factory=dict)  # (side, cell, month) -> value
    kent_path: np.ndarray | None = None  # plausible values of Kent as a whole, per month
    n_star: dict[str, np.ndarray] | None = None  # plausible numerators, where known (tied to activity)
    typical: float = 1.0  # size of a typical value (for weighting averages)

    def has_den(self) -> bool:
        return self.unit != "count"


@dataclass
class Link:
    """Across indicators: the sum of `parts` is at most `whole`, per cell and month; or
    (same=True) one count `parts[0]` is the same variable as `whole`."""

    parts: list[tuple[str, str]]  # (indicator, 'n' | 'd')
    whole: tuple[str, str]
    same: bool = False


# ----------------------------------------------------------------------------- the plausible path


def fit_path(n_months: int, data_months: list[int], points: list[tuple[tuple[int, ...], float]]) -> np.ndarray:
    """A smooth monthly path whose window averages come close to the published points.

    Least squares: each point asks the mean of its window's months to equal the value;
    a first-difference penalty keeps the path smooth, flat beyond the first and last
    points and linear between them.
    """
    index = {t: i for i, t in enumerate(data_months)}
    rows, rhs = [], []
    for months, value in points:
        row = np.zeros(len(data_months))
        for t in months:
            row[index[t]] = 1.0 / len(months)
        rows.append(row)
        rhs.append(value)
    smooth = 0.3
    for i in range(len(data_months) - 1):
        row = np.zeros(len(data_months))
        row[i], row[i + 1] = -smooth, smooth
        rows.append(row)
        rhs.append(0.0)
    solution, *_ = np.linalg.lstsq(np.array(rows), np.array(rhs), rcond=None)
    path = np.full(n_months, np.nan)
    for t, i in index.items():
        path[t] = solution[i]
    return path


# ----------------------------------------------------------------------------- the MILP

OFFSET = 10.0  # a constant added to every cost; see _Milp.solve


class _Milp:
    """A small builder over scipy.optimize.milp: variables, rows, a linear cost."""

    def __init__(self):
        self.lb: list[float] = []
        self.ub: list[float] = []
        self.integer: list[int] = []
        self.cost: list[float] = []
        self.rows: list[tuple[dict[int, float], float, float]] = []

    def var(self, lb=0.0, ub=np.inf, integer=True, cost=0.0) -> int:
        self.lb.append(lb)
        self.ub.append(ub)
        self.integer.append(1 if integer else 0)
        self.cost.append(cost)
        return len(self.lb) - 1

    def row(self, terms: dict[int, float], lo: float, hi: float) -> None:
        """lo <= sum(coefficient * variable) <= hi"""
        self.rows.append((terms, lo, hi))

    def penalise(self, terms: dict[int, float], const: float, scale: float, bands: tuple[float, ...],
                 weight: float, slack: float = 1.0) -> None:
        """A convex piecewise-linear cost on x = terms + const: nothing within `slack`
        (integers cannot follow a smooth path more closely than rounding allows, and a
        cost there only makes the solver chase rounding noise), then |x| / scale, steeper
        past each band (relative to `scale`): small deviations are cheap and large ones
        dear, so that a needed change is spread over many months, not piled into one."""
        slope = 1.0
        for band in (0.0, *bands):
            e = self.var(0.0, np.inf, integer=False, cost=weight * slope / scale)
            limit = slack + band * scale
            self.row({**terms, e: -1.0}, -np.inf, limit - const)  # e >= x - limit
            self.row({**{k: -v for k, v in terms.items()}, e: -1.0}, -np.inf, limit + const)  # e >= -x - limit
            slope *= 4.0

    def solve(self, what: str, integer: bool) -> np.ndarray:
        # HiGHS stops at a relative gap, and our cost can be near zero, where a relative
        # gap never closes. A constant offset (a variable fixed at 1) makes the relative
        # gap an absolute one of about OFFSET * mip_rel_gap. No time limit is ever reached
        # (that would make the result depend on the machine's speed).
        self.var(1.0, 1.0, integer=False, cost=OFFSET)
        data, ri, ci, lo, hi = [], [], [], [], []
        for r, (terms, low, high) in enumerate(self.rows):
            for k, v in terms.items():
                if v:
                    ri.append(r)
                    ci.append(k)
                    data.append(v)
            lo.append(low)
            hi.append(high)
        matrix = coo_array((data, (ri, ci)), shape=(len(self.rows), len(self.lb))).tocsr()
        result = milp(
            c=np.array(self.cost),
            integrality=np.array(self.integer) if integer else np.zeros(len(self.integer)),
            bounds=Bounds(np.array(self.lb), np.array(self.ub)),
            constraints=LinearConstraint(matrix, np.array(lo), np.array(hi)),
            options={"mip_rel_gap": 0.01, "time_limit": 120.0},
        )
        if result.x is None or result.status != 0:
            raise RuntimeError(f"{what}: no solution ({result.message})")
        return result.x


class _Expr:
    """A linear expression in integers: {variable: coefficient} + constant."""

    def __init__(self, terms=None, const=0):
        self.terms: dict[int, int] = dict(terms or {})
        self.const = const

    def add(self, other: _Expr, factor: int = 1) -> _Expr:
        out = _Expr(self.terms, self.const + factor * other.const)
        for k, v in other.terms.items():
            out.terms[k] = out.terms.get(k, 0) + factor * v
        return out

    def times(self, factor: int) -> _Expr:
        return _Expr({k: v * factor for k, v in self.terms.items()}, self.const * factor)

    def floats(self) -> dict[int, float]:
        return {k: float(v) for k, v in self.terms.items()}


# ----------------------------------------------------------------------------- solving


Key = tuple[str, str, str, int]  # (indicator, 'n' | 'd', cell, month)


def solve_group(problems: list[Problem], links: list[Link]) -> dict[Key, int]:
    """Solve indicators together; returns {(indicator, side, cell, month): value}.

    Two passes. The first, continuous, finds the smoothest monthly figures that meet
    every condition (its cost: the distance from the plausible paths). The second finds
    integers that meet every condition as close as it can to the first pass's figures;
    its cost is near zero, so the solver proves it optimal quickly.
    """
    smooth = _Group(problems, links, anchor=None).solve()
    return _Group(problems, links, anchor=smooth).solve()


class _Group:
    """The MILP of one group of indicators, for one pass."""

    def __init__(self, problems: list[Problem], links: list[Link], anchor: dict[Key, float] | None):
        self.m = _Milp()
        self.problems = problems
        self.by_id = {p.id: p for p in problems}
        self.links = links
        self.anchor = anchor
        self.same = {link.parts[0]: link.whole for link in links if link.same}  # this count is that one
        self.counts: dict[Key, _Expr] = {}
        self.first: dict[int, float] = {}  # second pass: each variable's first-pass value
        for p in problems:
            self._conditions(p)
            if anchor is None:
                self._path_costs(p)
        self._limits()

    # ----- the unknowns

    def count(self, ind: str, side: str, cell: str, t: int) -> _Expr:
        """One count (a cell's numerator or denominator in a month), as an expression:
        zero outside the months with data, a constant where fixed, else a variable."""
        key = (*self.same.get((ind, side), (ind, side)), cell, t)
        if key not in self.counts:
            p = self.by_id[key[0]]
            if t not in p.months:
                self.counts[key] = _Expr({}, 0)
            elif (key[1], cell, t) in p.fixed:
                self.counts[key] = _Expr({}, p.fixed[(key[1], cell, t)])
            else:
                v = self.m.var(0, 10 * (np.nanmax(p.d_star[cell]) + 50) * max(1.0, p.typical))
                self.counts[key] = _Expr({v: 1})
                if self.anchor is not None:  # second pass: stay near the first pass's value
                    a = self.first[v] = self.anchor[key]
                    self.m.penalise({v: 1.0}, -a, a + 1.0, (0.05, 0.15), 1.0)
        return self.counts[key]

    def total(self, p: Problem, side: str, months, cells=None) -> _Expr:
        out = _Expr()
        for c in cells or p.cells:
            for t in months:
                out = out.add(self.count(p.id, side, c, t))
        return out

    def row(self, e: _Expr, lo: float, hi: float) -> None:
        """lo <= e <= hi"""
        self.m.row(e.floats(), lo - e.const, hi - e.const)

    def value_vs(self, p: Problem, n: _Expr, d: _Expr | None, frac: Fraction) -> _Expr:
        """An expression with the sign of value - frac, where value = (n/ns) / (d/ds):
        q*ds*n - r*ns*d for frac = r/q (q*n - r*ns for a count)."""
        q, r = frac.denominator, frac.numerator
        if d is None:
            return n.times(q).add(_Expr({}, -r * p.num_scale))
        return n.times(q * p.den_scale).add(d.times(r * p.num_scale), -1)

    # ----- the conditions

    def _conditions(self, p: Problem) -> None:
        for side in ("n", "d") if p.has_den() else ("n",):  # every count, in a fixed order
            for c in p.cells:
                for t in p.months:
                    self.count(p.id, side, c, t)
        # The latest figure exactly, cell by cell.
        for c in p.cells:
            n_total, d_total = p.cell_totals[c]
            self.row(self.total(p, "n", p.latest, [c]), n_total, n_total)
            if p.has_den():
                self.row(self.total(p, "d", p.latest, [c]), d_total, d_total)

        # Every other published figure of Kent, window by window.
        windows: dict[tuple[int, ...], list[Figure]] = {}
        for f in p.figures:
            windows.setdefault(f.months, []).append(f)
        for months, figs in windows.items():
            n = self.total(p, "n", months)
            d = self.total(p, "d", months) if p.has_den() else None
            pairs = self._few_pairs(p, figs, d) if self.anchor is not None and d is not None else None
            if pairs:
                # A narrow window: choose one of the few (N, D) pairs meeting every
                # condition. As rows q*N - p*D >= 1 the solver would hunt for integers
                # in a thin slab; a choice among explicit pairs it settles at once.
                pick = [self.m.var(0, 1) for _ in pairs]
                self.m.row(dict.fromkeys(pick, 1.0), 1, 1)
                for i, e in enumerate((n, d)):
                    self.m.row({**e.floats(), **{b: -float(pair[i]) for b, pair in zip(pick, pairs, strict=False)}},
                               -e.const, -e.const)
                continue
            for f in figs:
                if f.equal is not None:
                    self.row(self.value_vs(p, n, d, f.equal), 0, 0)
                if f.lo is not None:
                    self.row(self.value_vs(p, n, d, f.lo), 1, np.inf)
                if f.hi is not None:
                    self.row(self.value_vs(p, n, d, f.hi), -np.inf, -1)

        lo_v, hi_v = (Fraction(b).limit_denominator(1000) for b in p.value_range)
        for t in p.months:
            if p.has_den():
                self.row(self.total(p, "d", [t]), 1, np.inf)  # Kent has something to divide by
                for c in p.cells:
                    # lo_v <= value <= hi_v in each cell and month (n <= d for a percent)
                    n, d = self.count(p.id, "n", c, t), self.count(p.id, "d", c, t)
                    self.row(self.value_vs(p, n, d, lo_v), 0, np.inf)
                    self.row(self.value_vs(p, n, d, hi_v), -np.inf, 0)

    def _few_pairs(self, p: Problem, figs: list[Figure], d: _Expr, most: int = 400):
        """Every (N, D) meeting all of a window's conditions with D within 25% of the
        first pass's denominator; None when the conditions leave a wide range of values
        (plain rows do there) or nothing fits."""
        lo = max((f.lo for f in figs if f.lo is not None), default=None)
        hi = min((f.hi for f in figs if f.hi is not None), default=None)
        equal = next((f.equal for f in figs if f.equal is not None), None)
        if equal is not None:
            lo = hi = equal
        if lo is None or hi is None:
            return None
        d_first = d.const + sum(v * self.first[k] for k, v in d.terms.items())
        d_min, d_max = max(1, math.floor(0.75 * d_first) - 5), math.ceil(1.25 * d_first) + 5
        scale = Fraction(p.den_scale, p.num_scale)  # value = N/D * scale
        if float((hi - lo) / scale) * d_max * (d_max - d_min) > most:
            return None
        pairs = []
        for den in range(d_min, d_max + 1):
            for num in range(max(0, math.floor(lo / scale * den)), math.ceil(hi / scale * den) + 1):
                v = Fraction(num, den) * scale
                if all((f.equal is None or v == f.equal) and (f.lo is None or v > f.lo)
                       and (f.hi is None or v < f.hi) for f in figs):
                    pairs.append((num, den))
        return pairs or None

    def _limits(self) -> None:
        for link in self.links:
            if link.same:
                continue
            whole = self.by_id[link.whole[0]]
            for c in whole.cells:
                for t in whole.months:
                    e = self.count(*link.whole, c, t)
                    for ind, side in link.parts:
                        e = e.add(self.count(ind, side, c, t), -1)
                    self.row(e, 0, np.inf)

    # ----- the first pass's cost

    def _path_costs(self, p: Problem) -> None:
        for t in p.months:
            # Kent's monthly value near its path. It weighs more than each cell's own
            # path, so that a changing mix of cells does not make Kent's series jump.
            self._value_cost(p, self.total(p, "n", [t]), self.total(p, "d", [t]) if p.has_den() else None,
                             float(p.kent_path[t]), sum(float(p.d_star[c][t]) for c in p.cells), 4.0)
            for c in p.cells:
                n = self.count(p.id, "n", c, t)
                d = self.count(p.id, "d", c, t) if p.has_den() else None
                d_star = float(p.d_star[c][t])
                if d is not None and d.terms and (p.id, "d") not in self.same:  # a shared count is judged once
                    self.m.penalise(d.floats(), d.const - d_star, d_star + p.den_scale, (0.05, 0.15), 1.0)
                if p.n_star is not None and n.terms:
                    n_star = float(p.n_star[c][t])
                    self.m.penalise(n.floats(), n.const - n_star, n_star + p.num_scale, (0.05, 0.15), 2.0)
                target = float(p.r_star[c][t]) if p.has_den() else d_star  # a count's plausible value
                self._value_cost(p, n, d, target, d_star, 2.0)

    def _value_cost(self, p: Problem, n: _Expr, d: _Expr | None, target: float, d_star: float, weight: float):
        """Cost of the value n/d straying from target (a count: n from target)."""
        if d is None:
            if n.terms:
                self.m.penalise(n.floats(), n.const - target, target + 1, (0.1, 0.3), weight)
            return
        if not (n.terms or d.terms):
            return
        # x = ds*n - target*ns*d: the value's distance from the target, times ns*d
        e = {k: float(v) * p.den_scale for k, v in n.terms.items()}
        for k, v in d.terms.items():
            e[k] = e.get(k, 0.0) - target * p.num_scale * v
        const = n.const * p.den_scale - target * p.num_scale * d.const
        scale = p.num_scale * (d_star + p.den_scale) * p.typical
        self.m.penalise(e, const, scale, (0.02, 0.06), weight, slack=float(p.den_scale))

    # ----- solving

    def solve(self) -> dict[Key, float] | dict[Key, int]:
        what = "indicators " + ", ".join(p.id for p in self.problems)
        integer = self.anchor is not None
        x = self.m.solve(what, integer=integer)
        if not integer:
            return {key: e.const + sum(v * x[k] for k, v in e.terms.items()) for key, e in self.counts.items()}

        values = np.round(x).astype(np.int64)
        is_int = np.array(self.m.integer, dtype=bool)
        if np.max(np.abs(x - values)[is_int], initial=0) > 1e-6:
            raise RuntimeError(f"{what}: the solver returned a non-integer value")
        # Every condition again, exactly, in integers (the solver works in floating point).
        for terms, lo, hi in self.m.rows:
            if all(self.m.integer[k] for k in terms):
                total = sum(int(round(v)) * int(values[k]) for k, v in terms.items())
                if not lo - 1e-9 <= total <= hi + 1e-9:
                    raise RuntimeError(f"{what}: the solution breaks a condition when checked exactly")
        out = {}
        n_months = len(next(iter(self.problems[0].d_star.values())))
        for p in self.problems:
            for side in ("n", "d") if p.has_den() else ("n",):
                for c in p.cells:
                    for t in range(n_months):
                        e = self.count(p.id, side, c, t)
                        out[(p.id, side, c, t)] = int(e.const + sum(v * int(values[k]) for k, v in e.terms.items()))
        return out

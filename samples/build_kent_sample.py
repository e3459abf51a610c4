#!/usr/bin/env python
"""Build samples/kent_liberi_export_2016-08.xlsx: a synthetic Liberi export for Kent.

Run from the repository root:  python samples/build_kent_sample.py

The export holds no child records, only aggregate counts, 24 months (Sep 2014 to Aug 2016)
for every team of the Kent template's organisation tree. It is made up, but so that the
scorecard rules, applied to it with the template workbook_templates/kent_scs.yaml,
reproduce every figure of the published August 2016 scorecard (the plain-text sources in
samples/sources/ are transcribed from tests/reference/kent-scs-scorecard-2016-08.txt).

Steps:
1. Activity: the published August and July figures for the shown teams; the "... other
   units" teams take what the areas hold beyond them; earlier months are random walks
   (snapshots) or Poisson counts (events).
2. Indicators: for each indicator, integer numerators and denominators per cell (a slice
   of Kent with a published figure) and month, from a small MILP (kent_sample_solve.py).
3. Rows: each cell's figures are spread over its teams in proportion to an activity
   measure (largest remainders, exact).
4. The workbook is written with XlsxWriter (same bytes on every run) and read back and
   checked, figure by figure, by an independent implementation of the rules
   (kent_sample_check.py). Any difference is printed and the exit status is 1.
"""

from __future__ import annotations

import csv
import datetime as dt
import sys
import time
import zlib
from fractions import Fraction
from pathlib import Path

import numpy as np
import yaml

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
SOURCES = HERE / "sources"
OUTPUT = HERE / "kent_liberi_export_2016-08.xlsx"
for path in (str(ROOT), str(HERE)):  # the template models; the sibling modules
    if path not in sys.path:
        sys.path.insert(0, path)

import kent_sample_check as check  # noqa: E402
import kent_sample_solve as solve  # noqa: E402

from scorecard_xl.engine.template import load_template  # noqa: E402

AREAS = ["North Kent", "East Kent", "South Kent", "West Kent"]
REST = "Rest"  # Kent beyond the four areas: Disability Service and County Services
JUL, AUG = 22, 23  # month indices of the published "last month" and "this month"
SIDES = {"num": "n", "den": "d"}  # design.yaml's words for a figure's two counts


# ----------------------------------------------------------------------------- sources


def read_csv(name: str) -> list[dict[str, str]]:
    """A source CSV; lines starting with '#' are comments."""
    with open(SOURCES / name, encoding="utf-8", newline="") as f:
        return list(csv.DictReader(line for line in f if not line.startswith("#")))


def read_commentary() -> list[tuple[str, str, str]]:
    """(indicator, 'YYYY-MM', text) from commentary.txt: '== ID MONTH' heads each text."""
    out, head, lines = [], None, []
    for line in (SOURCES / "commentary.txt").read_text(encoding="utf-8").splitlines():
        if line.startswith("#"):
            continue
        if line.startswith("== "):
            if head:
                out.append((*head, "\n".join(lines).strip()))
            head, lines = tuple(line[3:].split()), []
        else:
            lines.append(line)
    if head:
        out.append((*head, "\n".join(lines).strip()))
    return out


def month_list(first: str, last: str) -> list[dt.date]:
    """First days of the months from 'YYYY-MM' to 'YYYY-MM'."""
    y, m = map(int, first.split("-"))
    out = []
    while f"{y:04d}-{m:02d}" <= last:
        out.append(dt.date(y, m, 1))
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    return out


def month_index(months: list[dt.date], text: str) -> int:
    """'2015-09' or 'Sep 2015' -> index in months."""
    for fmt in ("%Y-%m", "%b %Y"):
        try:
            day = dt.datetime.strptime(text, fmt).date()
            return months.index(day)
        except ValueError:
            continue
    raise ValueError(f"not a month of the sample: {text!r}")


def first_data_month(layout, months) -> int:
    """design.yaml's `start` of an indicator, as a month index (default: the first)."""
    return month_index(months, layout.spec.get("start", months[0].strftime("%Y-%m")))


def rng_for(seed: int, *names: object) -> np.random.Generator:
    """An independent, reproducible random stream per purpose (not Python's salted hash)."""
    return np.random.default_rng([seed, *(zlib.crc32(str(n).encode()) for n in names)])


# ----------------------------------------------------------------------------- activity


def leaf_teams(template) -> list[str]:
    return [u.name for u, _ in template.organisation_tree.walk() if not u.units]


def leaves_under(template, name: str) -> list[str]:
    return [u.name for u, _ in template.units[name].walk() if not u.units]


def published_leaf_activity(template, rows: list[dict[str, str]]):
    """Jul and Aug 2016 for every leaf team: {(team, source column): value}, and notes.

    Shown teams as published; an area's other units hold the area's figure less its
    shown teams; County other units hold Kent less every other leaf. A negative
    remainder is a contradiction in the published table: only East Kent's PF cases are
    known to be one (its teams show 7 and 8, the area 3 and 3), and there the tree wins.
    """
    table = {r["Unit"]: {k: int(v) for k, v in r.items() if k != "Unit"} for r in rows}
    columns = [c for c in rows[0] if c != "Unit" and not c.endswith(" change")]
    leaf = {}
    notes = []
    for team in leaf_teams(template):
        if team in table:
            for c in columns:
                leaf[(team, c)] = table[team][c]
    for area in template.organisation_tree.units:
        if area.name not in table:
            continue
        teams = leaves_under(template, area.name)
        others = [t for t in teams if t not in table]
        for c in columns:
            rest = table[area.name][c] - sum(table[t][c] for t in teams if t in table)
            if rest < 0:
                if (area.name, c.split(" ")[0]) != ("East Kent", "PF"):
                    raise SystemExit(f"activity: {area.name} {c} is below its teams' sum (unexpected)")
                notes.append(f"{area.name} {c}: published {table[area.name][c]}, its teams sum to "
                             f"{table[area.name][c] - rest}; the tree wins")
                rest = 0
            if others:
                (other,) = others
                leaf[(other, c)] = rest
            elif rest:
                raise SystemExit(f"activity: {area.name} {c} differs from its teams' sum by {rest}")
    county_other = [t for t in leaf_teams(template) if (t, columns[0]) not in leaf]
    (other,) = county_other
    for c in columns:
        leaf[(other, c)] = table["Kent"][c] - sum(v for (t, cc), v in leaf.items() if cc == c)
        if leaf[(other, c)] < 0:
            raise SystemExit(f"activity: Kent {c} is below the sum of its teams")
    return leaf, notes


def walk_back(rng, jul: int, aug: int, step: float, small: int, drift=None) -> np.ndarray:
    """A month-end count for the 24 months: Aug and Jul as published, earlier months a
    random walk backwards from Jul. A count that is zero in both months stays zero."""
    x = np.zeros(24, dtype=np.int64)
    x[AUG], x[JUL] = aug, jul
    level = float(jul)
    for t in range(JUL - 1, -1, -1):
        if jul == 0 and aug == 0:
            break
        if level < small and drift is None:
            level = max(0.0, level + rng.choice([-1.0, 0.0, 1.0], p=[0.15, 0.7, 0.15]))
        else:
            level *= float(np.exp((drift(t) if drift else 0.0) + step * rng.standard_normal()))
        x[t] = round(level)
    return x


def synthetic_activity(template, leaf, design, seed):
    """{measure: {team: 24 monthly values}}: the targets for the months before Jul 2016."""
    cfg = design["activity"]
    months = month_list(design["first_month"], design["last_month"])
    peak = next(i for i, m in enumerate(months) if m.strftime("%Y-%m") == cfg["uasc_peak"])

    def uasc_drift(t: int) -> float:  # going backwards in time
        return cfg["uasc_after_peak"] if t >= peak else -cfg["uasc_before_peak"]

    act: dict[str, dict[str, np.ndarray]] = {}
    for m in template.activity_measures:
        act[m.column] = {}
        for team in leaf_teams(template):
            rng = rng_for(seed, "activity", m.column, team)
            if m.kind == "events":
                aug = leaf[(team, m.column)]
                x = rng.poisson(aug, size=24).astype(np.int64) if aug else np.zeros(24, dtype=np.int64)
                x[AUG] = aug
            elif m.column == "LAC":
                continue  # below, from its two parts
            elif m.column == "UASC LAC":
                x = walk_back(rng, leaf[(team, "UASC LAC last")], leaf[(team, "UASC LAC this")],
                              cfg["snapshot_step"], cfg["small"], drift=uasc_drift)
            else:
                x = walk_back(rng, leaf[(team, m.column + " last")], leaf[(team, m.column + " this")],
                              cfg["snapshot_step"], cfg["small"])
            act[m.column][team] = x
    # LAC = children who are not UASC + UASC; walked separately so UASC LAC <= LAC always.
    act["LAC"] = {}
    for team in leaf_teams(template):
        rng = rng_for(seed, "activity", "LAC (not UASC)", team)
        other = walk_back(rng, leaf[(team, "LAC last")] - leaf[(team, "UASC LAC last")],
                          leaf[(team, "LAC this")] - leaf[(team, "UASC LAC this")], cfg["snapshot_step"], cfg["small"])
        act["LAC"][team] = other + act["UASC LAC"][team]
    return act


# ----------------------------------------------------------------------------- indicator layout


class Layout:
    """Where an indicator's data sits: its cells, their teams, and the weights that
    spread a cell's figures over the teams."""

    def __init__(self, template, design, ind):
        self.ind = ind
        spec = {**design["defaults"], **design["indicators"].get(ind.id, {})}
        self.spec = spec
        self.kind = spec["cells"]
        self.uasc_split = self.kind != "kent"
        groups = {"kent": ["Kent"], "kent_uasc": ["Kent"], "areas_uasc": [*AREAS, REST]}[self.kind]
        flags = ["N"] if self.kind == "kent" else ["N", "Y"]
        allowed = set()
        for selector in spec["teams"]:
            allowed |= {t for t in leaf_teams(template) if selector == "all" or t == selector
                        or t.endswith(" " + selector)}
        if not allowed:
            raise SystemExit(f"design: indicator {ind.id} selects no team")
        self.cells, self.teams = [], {}
        for group in groups:
            if group == REST:
                under = [t for a in template.organisation_tree.units if a.name not in AREAS
                         for t in leaves_under(template, a.name)]
            else:
                under = leaves_under(template, group)
            for flag in flags:
                cell = f"{group}/{flag}"
                self.cells.append(cell)
                self.teams[cell] = [t for t in under if t in allowed]

    def weights(self, act, measure: str, cell: str, t: int) -> list[Fraction]:
        """Each team's share of the cell in month t: the measure, split between UASC and
        other children by the team's share of UASC among its looked-after children."""
        flag = cell.split("/")[1]
        out = []
        for team in self.teams[cell]:
            x = Fraction(int(act[measure][team][t]))
            if self.uasc_split:
                lac, uasc = int(act["LAC"][team][t]), int(act["UASC LAC"][team][t])
                share = Fraction(uasc, lac) if lac else Fraction(0)
                x *= share if flag == "Y" else 1 - share
            out.append(x)
        return out


def split(total: int, weights: list[Fraction]) -> list[int]:
    """Largest-remainder split of an integer in proportion to weights (equal if all zero).

    In proportion to a denominator split, a numerator <= its denominator stays so in
    every part: a part gets at most the ceiling of its exact share, which is <= its den.
    """
    if not weights:
        if total:
            raise ValueError("nowhere to put a non-zero figure")
        return []
    if total == 0:
        return [0] * len(weights)
    if sum(weights) == 0:
        weights = [Fraction(1)] * len(weights)
    whole = sum(weights)
    quotas = [Fraction(total) * w / whole for w in weights]
    parts = [q.numerator // q.denominator for q in quotas]
    order = sorted(range(len(quotas)), key=lambda i: (-(quotas[i] - parts[i]), i))
    for i in order[: total - sum(parts)]:
        parts[i] += 1
    return parts


# ----------------------------------------------------------------------------- indicator problems


def cell_totals(layout, ind, kent_row, uasc_rows, scales):
    """Exact (N, D) of each cell over the latest window, in variable units."""
    ns, ds = scales

    def nd(num: str, den: str, result: str):
        n = Fraction(result if num == "-" else num) * ns  # a count shows no Num: it is the result
        d = None if den in ("-", "") else Fraction(den) * ds
        assert n.denominator == 1 and (d is None or d.denominator == 1), f"indicator {ind.id}: not in tenths"
        return int(n), (None if d is None else int(d))

    def minus(a, b):
        return a[0] - b[0], (None if a[1] is None else a[1] - b[1])

    if layout.kind == "kent":
        return {"Kent/N": nd(kent_row["Num"], kent_row["Denom"], kent_row["Result"])}
    rows = {r["Unit"]: r for r in uasc_rows}

    def cohort(unit: str, which: str):
        r = rows[unit]
        return nd(r[f"{which}_num"], r[f"{which}_den"], r[f"{which}_result"])

    kent_all, kent_excl = cohort("Kent", "All"), cohort("Kent", "Excl")
    if layout.kind == "kent_uasc":
        return {"Kent/N": kent_excl, "Kent/Y": minus(kent_all, kent_excl)}
    out = {}
    rest_n, rest_y = kent_excl, minus(kent_all, kent_excl)
    for area in AREAS:
        a_all, a_excl = cohort(area, "All"), cohort(area, "Excl")
        out[f"{area}/N"], out[f"{area}/Y"] = a_excl, minus(a_all, a_excl)
        rest_n, rest_y = minus(rest_n, a_excl), minus(rest_y, out[f"{area}/Y"])
    out[f"{REST}/N"], out[f"{REST}/Y"] = rest_n, rest_y
    for cell, (n, d) in out.items():
        if n < 0 or (d is not None and (d < 0 or n > d and ind.unit == "percent")):
            raise SystemExit(f"indicator {ind.id}: the published figures leave cell {cell} with {n}/{d}")
    return out


def build_problem(ind, layout, months, kent_row, uasc_rows, trends, extras, act, seed, uasc_shape):
    """The solver's view of one indicator: cells, exact totals, conditions, plausible path."""
    ns = 10 if ind.fractional_numerator else 1  # counts in tenths where the template allows
    ds = 10 if ind.fractional_denominator else 1
    spec = layout.spec
    data_months = list(range(first_data_month(layout, months), len(months)))
    totals = cell_totals(layout, ind, kent_row, uasc_rows, (ns, ds))
    figures, points, latest = published_conditions(ind, spec, months, totals, (ns, ds), kent_row, trends, extras)
    path = plausible_path(ind, months, data_months, points, latest, totals, ds, seed)

    # Plausible denominators: a gentle random walk around the latest level (UASC cells
    # follow the county's UASC looked-after count: the 2015 arrivals). Plausible values:
    # Kent's path, shifted by the cell's difference from Kent in the latest figure.
    lo_v, hi_v = (0.0, 1.0) if ind.unit == "percent" else tuple(spec.get("plausible", (0.0, 1e9)))
    n_all = sum(n for n, _ in totals.values())
    d_star, r_star = {}, {}
    for cell in layout.cells:
        n_c, d_c = totals[cell]
        rng = rng_for(seed, "denominators", ind.id, cell)
        shape = np.exp(np.cumsum(0.03 * rng.standard_normal(len(months))))
        if cell.endswith("/Y"):
            shape *= uasc_shape
        if ind.has_denominator:
            latest_months = list(window(ind, AUG))
            d_star[cell] = shape / shape[latest_months].mean() * (d_c / len(latest_months))
            ratio = Fraction(n_c * ds, d_c * ns) if d_c else latest
            r_star[cell] = np.clip(path + float(ratio - latest), lo_v, hi_v)
        else:  # a count: d_star holds the plausible count
            d_star[cell] = np.maximum(path, 0) * (n_c / n_all if n_all else 1 / len(layout.cells))
            r_star[cell] = np.zeros(len(months))

    # A count tied to an activity measure equals it in Jul and Aug 2016 (both published)
    # and stays near the activity's random walk before (which then takes these values).
    fixed, n_star = {}, None
    for key, measure in spec.get("tie", {}).items():
        side, scale = SIDES[key], (ds if SIDES[key] == "d" else ns)
        for cell in layout.cells:
            sums = np.array([int(sum(layout.weights(act, measure, cell, t))) for t in range(len(months))])
            for t in (JUL, AUG):
                fixed[(side, cell, t)] = int(sums[t]) * scale
            if side == "d":
                d_star[cell] = sums.astype(float) * ds
            else:
                n_star = n_star or {}
                n_star[cell] = sums.astype(float) * ns
                d_star[cell] = sums * ds / (ns * np.maximum(r_star[cell], 1e-9))
    return solve.Problem(
        id=ind.id, unit=ind.unit, num_scale=ns, den_scale=ds, cells=layout.cells, months=data_months,
        cell_totals=totals, latest=window(ind, AUG), figures=figures, d_star=d_star, r_star=r_star,
        value_range=(lo_v, hi_v), fixed=fixed, kent_path=path, n_star=n_star,
        typical=max(1.0, float(latest)) if ind.unit == "average" else 1.0)


def window(ind, t: int) -> tuple[int, ...]:
    """The months behind an indicator's result in month t."""
    return tuple(range(t - 11, t + 1)) if ind.period == "R12M" else (t,)


def published_conditions(ind, spec, months, totals, scales, kent_row, trends, extras):
    """Kent's published figures other than the latest one, as conditions on Kent's value
    over a window of months; with the points a plausible path should pass near, and the
    latest value (exact)."""
    ns, ds = scales
    n_all = sum(n for n, _ in totals.values())
    if ind.has_denominator:
        latest = Fraction(n_all * ds, sum(d for _, d in totals.values()) * ns)
    else:
        latest = Fraction(n_all, ns)
    figures, points = [], [(window(ind, AUG), float(latest))]

    def shown(t: int, months_: tuple[int, ...], text: str, rag=None, dot=None, what: str = ""):
        """The value over months_ displays as text (and has that RAG / direction of travel)."""
        lo, hi = solve.display_interval(text)
        figures.append(solve.Figure(months_, lo, hi, what=what))
        points.append((months_, float((lo + hi) / 2)))
        if rag:
            side = solve.side_of_target(ind, months[t], (lo, hi)) if ind.polarity == "T" else 0
            figures.append(solve.Figure(months_, *solve.rag_interval(ind, months[t], rag, side), what=what + " RAG"))
        if dot:
            cond = solve.dot_condition(ind, months[AUG], latest, dot, (lo, hi))
            if isinstance(cond, Fraction):
                figures.append(solve.Figure(months_, equal=cond, what=what + " DoT"))
            else:
                figures.append(solve.Figure(months_, *cond, what=what + " DoT"))

    shown(JUL, window(ind, JUL), kent_row["Month_ago"], dot=kent_row["DoT_month"], what="1 month ago")
    if kent_row["Year_ago"]:
        shown(AUG - 12, window(ind, AUG - 12), kent_row["Year_ago"], dot=kent_row["DoT_year"], what="1 year ago")
    if ind.period == "R12M":
        shown(AUG, (AUG - 2, AUG - 1, AUG), kent_row["Rolling3"], rag=kent_row["Rolling3_RAG"],
              what="rolling 3 months")
    for row in trends:
        t = month_index(months, row["Month"])
        if t != AUG:  # the latest is exact already
            shown(t, window(ind, t), row["Result"], rag=row["RAG"][0], what=f"trend {row['Month']}")
    for row in extras:
        t = month_index(months, row["Month"])
        shown(t, window(ind, t), row["Result"], what=f"quoted {row['Month']}")
    if "rising" in spec:
        # Rising month on month between two published results: each month in a band
        # around the straight line between them, narrow enough that the bands never meet.
        a, b = (month_index(months, spec["rising"][k]) for k in ("from", "to"))
        va, vb = (next(float(f.lo + f.hi) / 2 for f in figures if f.months == window(ind, t)) for t in (a, b))
        step = (vb - va) / (b - a)
        for t in range(a + 1, b):
            centre = va + step * (t - a)
            lo, hi = (Fraction(centre + k * step).limit_denominator(100000) for k in (-0.3, 0.3))
            figures.append(solve.Figure(window(ind, t), lo, hi, what="rising"))
            points.append((window(ind, t), centre))
    return figures, points, latest


def plausible_path(ind, months, data_months, points, latest, totals, ds, seed) -> np.ndarray:
    """Kent's plausible monthly value: smooth through the published points, plus some
    month-to-month variation so that the series do not look drawn with a ruler (AR(1)
    noise about the size of the binomial noise of a month's cases; half that for
    snapshots, which move slowly)."""
    path = solve.fit_path(len(months), data_months, points)
    if ind.unit == "percent":
        p = min(max(float(latest), 0.02), 0.98)
        per_month = max(1.0, sum(d for _, d in totals.values()) / ds / len(window(ind, AUG)))
        sigma = np.full(len(months), max(0.002, (p * (1 - p) / per_month) ** 0.5))
    else:  # averages and counts: a few percent of the level (counts at least one)
        sigma = 0.05 * np.abs(np.nan_to_num(path)) + (1.0 if ind.unit == "count" else 0.0)
    sigma *= 1.0 if ind.period == "R12M" else 0.5
    rng = rng_for(seed, "path", ind.id)
    noise = 0.0
    for t in data_months:
        noise = 0.6 * noise + sigma[t] * rng.standard_normal()
        path[t] += noise
    return path


# ----------------------------------------------------------------------------- solving and rows


def solve_groups(template, design, problems):
    """Indicators linked by a shared count or a limit are solved together."""
    links = []
    for ind_id, spec in design["indicators"].items():
        if "same_den" in spec:
            other, side = spec["same_den"].split(".")
            links.append(solve.Link([(ind_id, "d")], (other, side), same=True))
    for limit in design.get("limits", []):
        links.append(solve.Link([tuple(p.split(".")) for p in limit["sum"]], tuple(limit["at_most"].split("."))))
    group = {i.id: {i.id} for i in template.indicators}
    for link in links:
        ids = set().union(*(group[i] for i, _ in [*link.parts, link.whole]))
        for i in ids:
            group[i] = ids
    values, done = {}, set()
    for ind in template.indicators:
        if ind.id in done:
            continue
        members = [i.id for i in template.indicators if i.id in group[ind.id]]
        mine = [lk for lk in links if {i for i, _ in [*lk.parts, lk.whole]} <= set(members)]
        values.update(solve.solve_group([problems[i] for i in members], mine))
        done |= set(members)
    return values


def apply_ties(template, layouts, values, act, months) -> None:
    """An activity measure tied to an indicator's count takes the solved count, spread
    over the teams by the activity's own random walk. It equals the published figure in
    Jul and Aug 2016 by construction (asserted); before, it replaces the random walk."""
    for ind in template.indicators:
        layout = layouts[ind.id]
        for key, measure in layout.spec.get("tie", {}).items():
            updates: dict[tuple[str, str], np.ndarray] = {}
            for cell in layout.cells:
                for t in range(len(months)):
                    parts = split(values[(ind.id, SIDES[key], cell, t)], layout.weights(act, measure, cell, t))
                    for team, v in zip(layout.teams[cell], parts, strict=False):
                        updates.setdefault((measure, team), np.zeros(len(months), dtype=np.int64))[t] += v
                        if measure == "LAC":  # the UASC part is the UASC LAC count
                            uasc = updates.setdefault(("UASC LAC", team), np.zeros(len(months), dtype=np.int64))
                            uasc[t] += v if cell.endswith("/Y") else 0
            for (name, team), series in updates.items():
                assert (series[[JUL, AUG]] == act[name][team][[JUL, AUG]]).all(), (ind.id, name, team)
                act[name][team] = series


def indicator_rows(template, layouts, values, act, months):
    """[(month index, indicator, team, 'Y'/'N', numerator, denominator or None)] in
    variable units, one per non-empty (month, indicator, team, UASC)."""
    team_values: dict[tuple[str, str, str, int], list[int]] = {}
    rows = []
    order = {t: i for i, t in enumerate(leaf_teams(template))}
    for ind in template.indicators:
        layout = layouts[ind.id]
        spec = layout.spec
        tie = spec.get("tie", {})
        for t in range(len(months)):
            month_rows = []
            for cell in layout.cells:
                teams = layout.teams[cell]
                n, d = values[(ind.id, "n", cell, t)], values.get((ind.id, "d", cell, t))
                if "same_den" in spec:  # the same count as another indicator's: same rows
                    other, side = spec["same_den"].split(".")
                    primary_side, primary = "d", team_values[(other, side, cell, t)]
                elif tie:
                    (key, measure), = tie.items()
                    primary_side = SIDES[key]
                    primary = [int(x) for x in layout.weights(act, measure, cell, t)]
                else:
                    primary_side = "d" if ind.has_denominator else "n"
                    measure = spec["weights"]
                    weights = layout.weights(act, measure, cell, t)
                    if sum(weights) == 0:  # nobody active this month: fall back on LAC, then equal
                        weights = layout.weights(act, "LAC", cell, t)
                    primary = split(d if primary_side == "d" else n, weights)
                if sum(primary) != (d if primary_side == "d" else n):
                    raise AssertionError(f"indicator {ind.id} {cell} month {t}: split does not add up")
                if ind.has_denominator:
                    secondary = split(n if primary_side == "d" else d, [Fraction(x) for x in primary])
                    nums, dens = (secondary, primary) if primary_side == "d" else (primary, secondary)
                else:
                    nums, dens = primary, [None] * len(primary)
                team_values[(ind.id, "n", cell, t)] = nums
                team_values[(ind.id, "d", cell, t)] = dens
                flag = cell.split("/")[1]
                for team, nv, dv in zip(teams, nums, dens, strict=False):
                    if nv or dv:
                        month_rows.append((t, ind.id, team, flag, nv, dv))
            if not month_rows and t >= first_data_month(layout, months):
                # A month with data but nothing in it still needs a row, or it has no data.
                cell = layout.cells[0]
                month_rows.append((t, ind.id, layout.teams[cell][0], "N", 0, 0 if ind.has_denominator else None))
            month_rows.sort(key=lambda r: (order[r[2]], r[3]))
            rows.extend(month_rows)
    rows.sort(key=lambda r: (r[0], int(r[1]), order[r[2]], r[3]))
    return rows


# ----------------------------------------------------------------------------- the workbook


def write_workbook(path, template, months, act, rows, commentary, design):
    import xlsxwriter

    created = dt.datetime.strptime(str(design["created"]), "%Y-%m-%d")
    wb = xlsxwriter.Workbook(str(path))
    wb.set_properties({
        "title": "Kent SCS - synthetic Liberi export, Sep 2014 to Aug 2016",
        "subject": "Synthetic sample: aggregate counts only, no child records",
        "author": "scorecard-xl samples/build_kent_sample.py",
        "comments": "Made up to reproduce the published Kent SCS scorecard of August 2016; see samples/README.md",
        "created": created,
    })
    bold = wb.add_format({"bold": True})
    month_format = wb.add_format({"num_format": "yyyy-mm-dd"})
    tenths = wb.add_format({"num_format": "0.0"})
    wrap = wb.add_format({"text_wrap": True, "valign": "top"})
    by_id = {i.id: i for i in template.indicators}

    def header(sheet, names, widths):
        for c, (name, width) in enumerate(zip(names, widths, strict=False)):
            sheet.write_string(0, c, name, bold)
            sheet.set_column(c, c, width)
        sheet.freeze_panes(1, 0)

    measures = [m.column for m in template.activity_measures]
    sheet = wb.add_worksheet("Activity")
    header(sheet, ["Month", "Team", *measures], [11, 26, *[14] * len(measures)])
    r = 1
    for t, month in enumerate(months):
        for team in leaf_teams(template):
            sheet.write_datetime(r, 0, dt.datetime(month.year, month.month, 1), month_format)
            sheet.write_string(r, 1, team)
            for c, m in enumerate(measures, start=2):
                sheet.write_number(r, c, int(act[m][team][t]))
            r += 1

    sheet = wb.add_worksheet("Indicators")
    header(sheet, ["Month", "Indicator", "Team", "UASC", "Numerator", "Denominator"], [11, 10, 26, 6, 12, 12])
    for r, (t, ind_id, team, flag, n, d) in enumerate(rows, start=1):
        ind = by_id[ind_id]
        month = months[t]
        sheet.write_datetime(r, 0, dt.datetime(month.year, month.month, 1), month_format)
        sheet.write_string(r, 1, ind_id)
        sheet.write_string(r, 2, team)
        sheet.write_string(r, 3, flag)
        if ind.fractional_numerator:
            sheet.write_number(r, 4, round(n / 10, 1), tenths)
        else:
            sheet.write_number(r, 4, n)
        if d is not None:
            if ind.fractional_denominator:
                sheet.write_number(r, 5, round(d / 10, 1), tenths)
            else:
                sheet.write_number(r, 5, d)

    sheet = wb.add_worksheet("Commentary")
    header(sheet, ["Month", "Indicator", "Commentary"], [11, 10, 120])
    for r, (ind_id, month, text) in enumerate(commentary, start=1):
        y, m = map(int, month.split("-"))
        sheet.write_datetime(r, 0, dt.datetime(y, m, 1), month_format)
        sheet.write_string(r, 1, ind_id)
        sheet.write_string(r, 2, text, wrap)
    wb.close()


# ----------------------------------------------------------------------------- main


def main() -> int:
    started = time.perf_counter()
    template = load_template()
    design = yaml.safe_load((SOURCES / "design.yaml").read_text(encoding="utf-8"))
    seed = int(design["seed"])
    months = month_list(design["first_month"], design["last_month"])
    assert len(months) == 24 and months[AUG].strftime("%Y-%m") == design["last_month"]

    activity_rows = read_csv("activity_published.csv")
    kent_rows = {r["ID"]: r for r in read_csv("scorecard_kent.csv")}
    uasc_rows = read_csv("uasc_impact.csv")
    trends = read_csv("exception_trends.csv")
    extras = read_csv("extra_results.csv")
    commentary = read_commentary()

    # 1. Activity targets.
    leaf, notes = published_leaf_activity(template, activity_rows)
    act = synthetic_activity(template, leaf, design, seed)
    uasc_lac = sum(act["UASC LAC"].values()).astype(float)
    uasc_shape = uasc_lac / uasc_lac[AUG]  # the 2015 arrivals, for the UASC cells

    # 2. Indicators, cell by cell.
    layouts = {ind.id: Layout(template, design, ind) for ind in template.indicators}
    problems = {
        ind.id: build_problem(
            ind, layouts[ind.id], months, kent_rows[ind.id],
            [r for r in uasc_rows if r["ID"] == ind.id],
            [r for r in trends if r["ID"] == ind.id], [r for r in extras if r["ID"] == ind.id],
            act, seed, uasc_shape)
        for ind in template.indicators
    }
    values = solve_groups(template, design, problems)

    # 3. Tied activity measures take the solved counts; rows spread each cell over its teams.
    apply_ties(template, layouts, values, act, months)
    rows = indicator_rows(template, layouts, values, act, months)

    # 4. Write, read back, check.
    write_workbook(OUTPUT, template, months, act, rows, commentary, design)
    problems_found, compared = check.check_workbook(OUTPUT, template, SOURCES)
    elapsed = time.perf_counter() - started
    print(f"wrote {OUTPUT.relative_to(ROOT)}: {len(months)} months, {len(leaf_teams(template))} teams, "
          f"{len(rows)} indicator rows ({elapsed:.1f} s)")
    for note in notes:
        print("note:", note)
    if problems_found:
        print(f"CHECK FAILED: {len(problems_found)} difference(s) from the published scorecard:")
        for p in problems_found:
            print("  " + p)
        return 1
    print(f"check: all {compared} comparisons with the published scorecard agree "
          "(East Kent's PF cases follow the tree, as documented)")
    return 0


if __name__ == "__main__":
    sys.exit(main())

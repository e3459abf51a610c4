"""Synthetic exports of any size, with a matching template, for benchmarking.

    python benchmarks/make_export.py --councils 5 --areas 4 --teams 10 --months 56 --indicators 45 -o /tmp/x.xlsx
    python benchmarks/make_export.py --rows 1000000 -o /tmp/1m.xlsx

writes /tmp/x.xlsx (the export) and /tmp/x.yaml (its template).

The organisation tree is a root "Region" -> councils -> areas -> teams (or, for one
council, the council itself -> areas -> teams). The Indicators sheet has one row per
month x indicator x team x UASC (Y/N), so it holds

    teams x indicators x 2 x months   rows   (teams = councils x areas x teams per area)

e.g. 200 teams x 45 indicators x 2 x 56 months = 1,008,000. `params_for_rows(n)` picks
the parameters for about n rows. Indicators cycle through a mix like Kent's (percent
R12M/SS, counts, averages, H/L/T polarity, FTE fractions); every indicator has one target
period from the first month. Activity has Kent's eleven measures, one row per team per
month. The data are random but seeded: the same parameters give the same file, and
every row passes the reader's checks (numerator <= denominator for percentages).

The workbook is written with XlsxWriter in constant_memory mode, cell by cell with typed
writes (Month cells are dates), as a case management system's export would be.
"""

from __future__ import annotations

import argparse
import datetime as dt
import math
from pathlib import Path

import numpy as np

ACTIVITY_MEASURES = [  # Kent's: (column, label, kind)
    ("Caseloads", "Caseloads", "snapshot"),
    ("Referrals", "Referrals in last month", "events"),
    ("CF Assessments", "CF Assessments in last month", "events"),
    ("CP Plans", "CP Plans", "snapshot"),
    ("CP Starts", "CP Starts in last month", "events"),
    ("CP Ends", "CP Ends in last month", "events"),
    ("LAC", "Total LAC", "snapshot"),
    ("UASC LAC", "UASC LAC", "snapshot"),
    ("LAC Starts", "LAC Starts in last month", "events"),
    ("LAC Ends", "LAC Ends in last month", "events"),
    ("PF Cases", "PF Cases", "snapshot"),
]
ACTIVITY_MEANS = [400, 60, 70, 90, 8, 7, 60, 8, 5, 5, 2]

# The mix of indicator kinds, cycled: (unit, period, polarity, fractional_numerator, fractional_denominator).
# Over 45 indicators: 33 percent, 6 average, 6 count; 24 R12M, 21 SS; H, L and T polarity.
KINDS = [
    ("percent", "R12M", "H", False, False),
    ("percent", "SS", "H", False, False),
    ("percent", "R12M", "L", False, False),
    ("count", "SS", "L", False, False),
    ("percent", "SS", "L", False, False),
    ("percent", "R12M", "H", False, False),
    ("average", "R12M", "L", False, False),
    ("percent", "SS", "H", False, False),
    ("percent", "R12M", "T", False, False),
    ("percent", "SS", "H", True, True),  # FTE posts filled: fractional
    ("average", "SS", "L", False, True),  # caseload per FTE social worker
    ("percent", "R12M", "H", False, False),
    ("percent", "SS", "L", False, False),
    ("percent", "R12M", "H", False, False),
    ("percent", "SS", "H", False, False),
]

FIRST_MONTH = dt.date(2012, 1, 1)


def indicator_rows(councils: int, areas: int, teams: int, months: int, indicators: int) -> int:
    """Rows of the Indicators sheet for these parameters."""
    return councils * areas * teams * indicators * 2 * months


def params_for_rows(rows: int, months: int = 56, indicators: int = 45) -> dict[str, int]:
    """Parameters giving about `rows` indicator rows (e.g. 1,000,000 -> 5 x 4 x 10 teams, 56 months)."""
    teams = max(1, round(rows / (indicators * 2 * months)))
    councils = max(1, math.ceil(teams / 40))
    per_council = math.ceil(teams / councils)
    areas = max(1, math.ceil(per_council / 10))
    per_area = math.ceil(per_council / areas)
    return {"councils": councils, "areas": areas, "teams": per_area, "months": months, "indicators": indicators}


def _add_months(day: dt.date, n: int) -> dt.date:
    k = day.year * 12 + day.month - 1 + n
    return dt.date(k // 12, k % 12 + 1, 1)


def build_template(councils: int, areas: int, teams: int, months: int, indicators: int) -> dict:
    """The template (as a dict ready for YAML) matching the generated export."""
    council_units = []
    for c in range(1, councils + 1):
        prefix = f"C{c} " if councils > 1 else ""
        area_units = []
        for a in range(1, areas + 1):
            area = f"{prefix}Area {a}"
            area_units.append({"name": area, "level": "Area", "units": [
                {"name": f"{area} Team {t}", "level": "Team"} for t in range(1, teams + 1)]})
        council_units.append({"name": f"Council {c}", "level": "Council", "units": area_units})
    if councils == 1:
        tree = {**council_units[0], "level": "County"}
    else:
        tree = {"name": "Region", "level": "Region", "units": council_units}

    def walk(unit, depth=0):
        yield unit, depth
        for child in unit.get("units", []):
            yield from walk(child, depth + 1)

    units = list(walk(tree))
    # Shown in the activity table: the root, councils and areas, then the teams.
    activity_rows = ([u["name"] for u, d in units if u.get("units")]
                     + [u["name"] for u, d in units if not u.get("units")])

    start = FIRST_MONTH.strftime("%Y-%m")
    sections, current = [], None
    for i in range(indicators):
        unit, period, polarity, frac_n, frac_d = KINDS[i % len(KINDS)]
        if i % 8 == 0:
            current = {"title": f"SECTION {i // 8 + 1}", "indicators": []}
            sections.append(current)
        if unit == "percent":
            target = {"H": {"target": "80%", "red": "70%"}, "L": {"target": "20%", "red": "30%"},
                      "T": {"target": "17.5%", "red": "7.5%", "green_tolerance": "2.5%"}}[polarity]
            what = "% of cases"
        elif unit == "count":
            target, what = {"target": 5 * max(1, len(activity_rows)),
                            "red": 10 * max(1, len(activity_rows))}, "Number of"
        else:
            target = {"target": 18, "red": 22} if frac_d else {"target": 420, "red": 500}
            what = "Average caseload per FTE" if frac_d else "Average days"
        ind = {"id": str(i + 1), "title": f"{what} measure {i + 1} ({period}, {polarity})", "polarity": polarity,
               "period": period, "unit": unit, "decimals": 0 if unit == "count" else 1,
               "targets": [{"from": start, **target}]}
        if frac_n:
            ind["fractional_numerator"] = True
        if frac_d:
            ind["fractional_denominator"] = True
        current["indicators"].append(ind)

    ids = [str(i + 1) for i in range(indicators)]
    percent_ids = [ids[i] for i in range(indicators) if KINDS[i % len(KINDS)][0] == "percent"]
    root = tree["name"]
    second = [u["name"] for u in tree["units"]][:4]
    template = {
        "name": f"bench_{councils}x{areas}x{teams}",
        "organisation": "Benchmark Region" if councils > 1 else "Council 1",
        "organisation_short": "BR" if councils > 1 else "C1",
        "directorate": "Children's Services",
        "title": "Benchmark Performance Scorecard",
        "scorecard_sheet": "Scorecard - Benchmark",
        "owners": {"cabinet_member": "A. Member", "director": "B. Director", "portfolio": "Children",
                   "division": "Children"},
        "data_source": "Synthetic",
        "financial_year_start_month": 4,
        "organisation_tree": tree,
        "activity_rows": activity_rows,
        "activity_measures": [{"column": c, "label": label, "kind": k} for c, label, k in ACTIVITY_MEASURES],
        "uasc_impact": {
            "unit_sections": [{"unit": u, "title": f"CHILDREN IN CARE - {u.upper()}"} for u in [root, *second]],
            "unit_indicators": percent_ids[:9],
            "other_title": f"OTHER INDICATORS - {root.upper()}",
            "other_unit": root,
            "other_indicators": ids[-6:],
        },
        "sections": sections,
    }
    return template


def _indicator_values(rng: np.random.Generator, kind: tuple, n_teams: int, months: int):
    """Numerators and denominators shaped (month, team, uasc), uasc 0 = N, 1 = Y; denominator None for counts."""
    unit, period, polarity, frac_n, frac_d = kind
    shape = (months, n_teams, 2)
    size = np.array([40.0, 4.0])  # UASC rows are a small share
    if unit == "count":
        return rng.poisson(np.broadcast_to(size / 8, shape)).astype(float), None
    if unit == "average":
        if frac_d:  # caseload per FTE: FTE to one decimal, caseload a whole number
            den = np.round(rng.uniform(0.5, 8.0, shape) * np.array([1.0, 0.2]), 1)
            den = np.maximum(den, 0.1)
            num = np.rint(den * rng.normal(18, 3, shape).clip(1))
            return num, den
        den = rng.poisson(np.broadcast_to(size / 8, shape)).astype(float)
        num = np.rint(den * rng.normal(420, 80, shape).clip(30))
        return num, den
    # percent: a rate near the target, drifting per team
    centre = {"H": 0.78, "L": 0.22, "T": 0.18}[polarity]
    p = np.clip(centre + rng.normal(0, 0.06, (1, n_teams, 1)) + rng.normal(0, 0.03, shape), 0.01, 0.99)
    if frac_n:  # FTE posts filled of FTE posts, to one decimal
        den = np.round(rng.uniform(2, 30, shape), 1)
        num = np.minimum(np.round(den * p, 1), den)
        return num, den
    den = rng.poisson(np.broadcast_to(size, shape)).astype(float)
    num = rng.binomial(den.astype(np.int64), p).astype(float)
    return num, den


def make_export(path: str | Path, councils: int = 1, areas: int = 2, teams: int = 2, months: int = 56,
                indicators: int = 45, seed: int = 2016) -> tuple[Path, Path]:
    """Write the export workbook and its template YAML beside it (same stem); return both paths."""
    import xlsxwriter
    import yaml

    path = Path(path)
    template_path = path.with_suffix(".yaml")
    template = build_template(councils, areas, teams, months, indicators)
    template_path.write_text(yaml.safe_dump(template, sort_keys=False, allow_unicode=True), encoding="utf-8")

    def leaves(unit):
        if not unit.get("units"):
            yield unit["name"]
        for child in unit.get("units", []):
            yield from leaves(child)

    team_names = list(leaves(template["organisation_tree"]))
    n_teams = len(team_names)
    month_dates = [dt.datetime.combine(_add_months(FIRST_MONTH, m), dt.time()) for m in range(months)]
    rng = np.random.default_rng(seed)

    workbook = xlsxwriter.Workbook(str(path), {"constant_memory": True})
    date_fmt = workbook.add_format({"num_format": "yyyy-mm-dd"})

    # Activity: one row per team per month.
    ws = workbook.add_worksheet("Activity")
    header = ["Month", "Team", *[c for c, _, _ in ACTIVITY_MEASURES]]
    for col, name in enumerate(header):
        ws.write_string(0, col, name)
    values = rng.poisson(np.broadcast_to(np.array(ACTIVITY_MEANS, dtype=float),
                                         (months, n_teams, len(ACTIVITY_MEANS)))).tolist()
    row = 1
    for m, when in enumerate(month_dates):
        for t, team in enumerate(team_names):
            ws.write_datetime(row, 0, when, date_fmt)
            ws.write_string(row, 1, team)
            for col, v in enumerate(values[m][t], start=2):
                ws.write_number(row, col, v)
            row += 1

    # Indicators: month x indicator x team x UASC, in that order.
    ws = workbook.add_worksheet("Indicators")
    for col, name in enumerate(["Month", "Indicator", "Team", "UASC", "Numerator", "Denominator"]):
        ws.write_string(0, col, name)
    data = [_indicator_values(rng, KINDS[i % len(KINDS)], n_teams, months) for i in range(indicators)]
    data = [(num.tolist(), None if den is None else den.tolist()) for num, den in data]
    ids = [str(i + 1) for i in range(indicators)]
    uasc = ("N", "Y")
    row = 1
    write_datetime, write_string, write_number = ws.write_datetime, ws.write_string, ws.write_number
    for m, when in enumerate(month_dates):
        for i, ind_id in enumerate(ids):
            num, den = data[i]
            num_m, den_m = num[m], (den[m] if den is not None else None)
            for t, team in enumerate(team_names):
                for u in (0, 1):
                    write_datetime(row, 0, when, date_fmt)
                    write_string(row, 1, ind_id)
                    write_string(row, 2, team)
                    write_string(row, 3, uasc[u])
                    write_number(row, 4, num_m[t][u])
                    if den_m is not None:
                        write_number(row, 5, den_m[t][u])
                    row += 1

    # Commentary: the latest month, a few indicators.
    ws = workbook.add_worksheet("Commentary")
    for col, name in enumerate(["Month", "Indicator", "Commentary"]):
        ws.write_string(0, col, name)
    for k, ind_id in enumerate(ids[:5], start=1):
        ws.write_datetime(k, 0, month_dates[-1], date_fmt)
        ws.write_string(k, 1, ind_id)
        ws.write_string(k, 2, f"Commentary for indicator {ind_id}: performance is being reviewed with the "
                              "teams concerned; an action plan is in place and progress is reported monthly.")
    workbook.close()
    return path, template_path


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--councils", type=int, default=1)
    parser.add_argument("--areas", type=int, default=2, help="areas per council")
    parser.add_argument("--teams", type=int, default=2, help="teams per area")
    parser.add_argument("--months", type=int, default=56)
    parser.add_argument("--indicators", type=int, default=45)
    parser.add_argument("--rows", type=int, help="about this many indicator rows (overrides councils/areas/teams)")
    parser.add_argument("--seed", type=int, default=2016)
    parser.add_argument("-o", "--output", required=True,
                        help="the export to write; the template goes beside it (.yaml)")
    args = parser.parse_args(argv)
    params = {k: getattr(args, k) for k in ("councils", "areas", "teams", "months", "indicators")}
    if args.rows:
        params = params_for_rows(args.rows, args.months, args.indicators)
    out, tmpl = make_export(args.output, seed=args.seed, **params)
    print(f"wrote {out} ({indicator_rows(**params):,} indicator rows; {params}) and {tmpl}")


if __name__ == "__main__":
    main()

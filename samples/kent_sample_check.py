"""Check the written sample against the published scorecard, figure by figure.

Deliberately independent of the builder and of the solver: it reads the workbook back
(openpyxl), sums rows with plain loops, applies the scorecard rules as stated (exact
fractions, rounding half away from zero at the published precision) and compares every
figure with the plain-text sources. It also checks the input contract of the export.
check_workbook returns the differences (empty: all good) and how many figures it compared.
"""

from __future__ import annotations

import csv
import datetime as dt
from collections import defaultdict
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction
from pathlib import Path

import openpyxl

REPORT_MONTH = dt.date(2016, 8, 1)
RAG_WORDS = {"Red": "R", "Amber": "A", "Green": "G"}


def _csv(folder: Path, name: str) -> list[dict[str, str]]:
    with open(folder / name, encoding="utf-8", newline="") as f:
        return list(csv.DictReader(line for line in f if not line.startswith("#")))


def _add_months(month: dt.date, k: int) -> dt.date:
    i = month.year * 12 + month.month - 1 + k
    return dt.date(i // 12, i % 12 + 1, 1)


def _month_of(text: str) -> dt.date:
    return dt.datetime.strptime(text, "%b %Y").date()


def display(value: Fraction | None, like: str, signed: bool = False) -> str | None:
    """value as the scorecard shows it, at the precision (and % or not) of `like`."""
    if value is None:
        return None
    percent = like.endswith("%")
    body = like.rstrip("%").lstrip("+-")
    decimals = len(body.split(".")[1]) if "." in body else 0
    x = value * 100 if percent else value
    # Decimal(numerator)/Decimal(denominator) at high precision, then half away from zero
    exact = Decimal(x.numerator) / Decimal(x.denominator)
    shown = exact.quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP)
    text = f"{abs(shown):.{decimals}f}"
    if shown < 0 or (signed and x < 0):
        text = "-" + text
    elif signed and x > 0:
        text = "+" + text
    return text + ("%" if percent else "")


def _number(cell) -> Fraction:
    if isinstance(cell, bool) or not isinstance(cell, (int, float)):
        raise ValueError(f"not a number: {cell!r}")
    return Fraction(Decimal(repr(cell))) if isinstance(cell, float) else Fraction(cell)


class Export:
    """The workbook's rows, summed for any unit, cohort and run of months."""

    def __init__(self, path: Path, template):
        self.template = template
        self.problems: list[str] = []
        self.leaves = {u.name: [x.name for x, _ in u.walk() if not x.units]
                       for u, _ in template.organisation_tree.walk()}
        wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
        self.activity = self._read_activity(wb["Activity"])
        self.rows = self._read_indicators(wb["Indicators"])
        self.commentary = [tuple(r) for r in wb["Commentary"].iter_rows(min_row=2, values_only=True)]
        wb.close()
        # (indicator, month) -> {(team, uasc): (num, den)}
        self.by = defaultdict(dict)
        for month, ind, team, uasc, n, d in self.rows:
            self.by[(ind, month)][(team, uasc)] = (n, d)

    def _month(self, value, where: str) -> dt.date | None:
        if not isinstance(value, dt.datetime) or value.day != 1 or value.time() != dt.time():
            self.problems.append(f"{where}: Month {value!r} is not a first-of-month date")
            return None
        return value.date()

    def _read_activity(self, sheet):
        measures = [m.column for m in self.template.activity_measures]
        rows = list(sheet.iter_rows(values_only=True))
        if list(rows[0]) != ["Month", "Team", *measures]:
            self.problems.append(f"Activity: header {rows[0]!r}")
        out = {}
        for i, row in enumerate(rows[1:], start=2):
            month = self._month(row[0], f"Activity row {i}")
            values = {}
            for m, v in zip(measures, row[2:], strict=False):
                if not isinstance(v, int) or isinstance(v, bool) or v < 0:
                    self.problems.append(f"Activity row {i}: {m} = {v!r} is not a non-negative integer")
                values[m] = v
            if values["UASC LAC"] > values["LAC"]:
                self.problems.append(f"Activity row {i}: UASC LAC above LAC")
            if (month, row[1]) in out:
                self.problems.append(f"Activity row {i}: second row for {month} {row[1]}")
            out[(month, row[1])] = values
        months = {m for m, _ in out}
        for month in months:
            for team in self.leaves[self.template.organisation_tree.name]:
                if (month, team) not in out:
                    self.problems.append(f"Activity: no row for {team} in {month}")
        return out

    def _read_indicators(self, sheet):
        by_id = {i.id: i for i in self.template.indicators}
        rows = list(sheet.iter_rows(values_only=True))
        if list(rows[0]) != ["Month", "Indicator", "Team", "UASC", "Numerator", "Denominator"]:
            self.problems.append(f"Indicators: header {rows[0]!r}")
        out, seen = [], set()
        for i, (month, ind_id, team, uasc, n, d) in enumerate(rows[1:], start=2):
            where = f"Indicators row {i}"
            month = self._month(month, where)
            ind = by_id.get(ind_id) if isinstance(ind_id, str) else None
            if ind is None or team not in self.leaves or self.leaves[team] != [team] or uasc not in ("Y", "N"):
                self.problems.append(f"{where}: bad indicator/team/UASC {ind_id!r} {team!r} {uasc!r}")
                continue
            key = (month, ind_id, team, uasc)
            if key in seen:
                self.problems.append(f"{where}: second row for {key}")
            seen.add(key)
            try:
                n = _number(n)
                d = None if d is None else _number(d)
            except ValueError as exc:
                self.problems.append(f"{where}: {exc}")
                continue
            for value, fractional, name in ((n, ind.fractional_numerator, "Numerator"),
                                            (d, ind.fractional_denominator, "Denominator")):
                if value is None:
                    continue
                if value < 0 or (value * (10 if fractional else 1)).denominator != 1:
                    self.problems.append(f"{where}: {name} {float(value)} not allowed here")
            if (d is None) != (ind.unit == "count"):
                self.problems.append(f"{where}: a denominator is {'missing' if d is None else 'not expected'}")
            if ind.unit == "percent" and d is not None and n > d:
                self.problems.append(f"{where}: numerator above denominator")
            out.append((month, ind_id, team, uasc == "Y", n, d))
        return out

    # ----- the rules

    def activity_figure(self, unit: str, measure: str, month: dt.date) -> int:
        return sum(self.activity[(month, team)][measure] for team in self.leaves[unit])

    def month_sum(self, ind_id: str, unit: str, excl: bool, month: dt.date):
        """(num, den) of a unit and cohort in a month, or None when the month has no data."""
        rows = self.by.get((ind_id, month))
        if not rows:
            return None
        n = d = Fraction(0)
        teams = set(self.leaves[unit])
        for (team, uasc), (rn, rd) in rows.items():
            if team in teams and not (excl and uasc):
                n += rn
                d += rd or 0
        return n, d

    def result(self, ind, unit: str, month: dt.date, span: int | None = None, excl: bool = False):
        """(value, num, den) over the span of months ending in `month` (12 for R12M,
        1 for SS unless given), or None when any of those months has no data."""
        span = span or (12 if ind.period == "R12M" else 1)
        n = d = Fraction(0)
        for k in range(span):
            s = self.month_sum(ind.id, unit, excl, _add_months(month, -k))
            if s is None:
                return None
            n, d = n + s[0], d + s[1]
        if ind.unit == "count":
            return n, n, None
        return (n / d if d else None), n, d


def rag(ind, month: dt.date, value: Fraction | None) -> str | None:
    period = ind.target_for(month)
    if period is None or value is None:
        return None
    t, red = period.target, period.red
    if ind.polarity == "H":
        return "G" if value >= t else "A" if value >= red else "R"
    if ind.polarity == "L":
        return "G" if value <= t else "A" if value < red else "R"
    gap = abs(value - t)
    return "G" if gap <= period.green_tolerance else "R" if gap >= red else "A"


def dot(ind, month: dt.date, now: Fraction | None, before: Fraction | None) -> str | None:
    if now is None or before is None:
        return None
    if now == before:
        return "→"
    if ind.polarity == "H":
        better = now > before
    elif ind.polarity == "L":
        better = now < before
    else:
        t = ind.target_for(month).target
        better = abs(now - t) < abs(before - t)
    return "↑" if better else "↓"


def check_workbook(path: Path, template, sources: Path) -> tuple[list[str], int]:
    x = Export(path, template)
    diffs = list(x.problems)
    aug, jul = REPORT_MONTH, _add_months(REPORT_MONTH, -1)
    compared = 0

    def same(where: str, computed, published) -> None:
        nonlocal compared
        compared += 1
        if computed != published:
            diffs.append(f"{where}: published {published!r}, computed {computed!r}")

    # --- the activity table
    published = {r["Unit"]: r for r in _csv(sources, "activity_published.csv")}
    east_kent_teams = [t for t in x.leaves["East Kent"] if t in published]
    for unit, row in published.items():
        for m in template.activity_measures:
            if m.kind == "events":
                same(f"activity {unit} {m.column}", x.activity_figure(unit, m.column, aug), int(row[m.column]))
                continue
            this, last = x.activity_figure(unit, m.column, aug), x.activity_figure(unit, m.column, jul)
            expect = [int(row[f"{m.column} {k}"]) for k in ("this", "last", "change")]
            if unit == "East Kent" and m.column == "PF Cases":
                # Documented contradiction: the area row is the sum of its teams' rows.
                t_this = sum(int(published[t]["PF Cases this"]) for t in east_kent_teams)
                t_last = sum(int(published[t]["PF Cases last"]) for t in east_kent_teams)
                expect = [t_this, t_last, t_this - t_last]
            same(f"activity {unit} {m.column}", [this, last, this - last], expect)

    # --- Scorecard - Kent (cohort All)
    counts = defaultdict(int)
    for row in _csv(sources, "scorecard_kent.csv"):
        ind = template.indicator(row["ID"])
        where = f"scorecard {ind.id}"
        now = x.result(ind, "Kent", aug)
        if now is None or now[0] is None:
            diffs.append(f"{where}: no latest result")
            continue
        value, n, d = now
        counts[rag(ind, aug, value)] += 1
        same(f"{where} result", display(value, row["Result"]), row["Result"])
        same(f"{where} RAG", rag(ind, aug, value), row["RAG"])
        if ind.unit == "count":
            same(f"{where} num/den", (row["Num"], row["Denom"]), ("-", "-"))
        else:
            same(f"{where} num/den", (n, d), (Fraction(row["Num"]), Fraction(row["Denom"])))
        for label, when, text, arrow in (("1 month ago", jul, row["Month_ago"], row["DoT_month"]),
                                         ("1 year ago", _add_months(aug, -12), row["Year_ago"], row["DoT_year"])):
            before = x.result(ind, "Kent", when)
            before = None if before is None else before[0]
            if not text:
                same(f"{where} {label}", before, None)
                continue
            same(f"{where} {label}", display(before, text), text)
            same(f"{where} {label} DoT", dot(ind, aug, value, before), arrow)
        r3 = x.result(ind, "Kent", aug, span=3) if ind.period == "R12M" else None
        if row["Rolling3"] == "-":
            same(f"{where} rolling 3 months", ind.period, "SS")
        else:
            r3v = None if r3 is None else r3[0]
            same(f"{where} rolling 3 months", display(r3v, row["Rolling3"]), row["Rolling3"])
            same(f"{where} rolling 3 months RAG", rag(ind, aug, r3v), row["Rolling3_RAG"])
    rag_row = _csv(sources, "rag_counts.csv")[0]
    same("RAG counts", (counts["G"], counts["A"], counts["R"]),
         (int(rag_row["GREEN"]), int(rag_row["AMBER"]), int(rag_row["RED"])))

    # --- Scorecard - Impact of UASC
    for row in _csv(sources, "uasc_impact.csv"):
        ind = template.indicator(row["ID"])
        where = f"UASC {row['Unit']} {ind.id}"
        results = {}
        for cohort, excl in (("All", False), ("Excl", True)):
            value, n, d = x.result(ind, row["Unit"], aug, excl=excl)
            results[cohort] = value
            same(f"{where} {cohort} result", display(value, row[f"{cohort}_result"]), row[f"{cohort}_result"])
            same(f"{where} {cohort} RAG", rag(ind, aug, value), row[f"{cohort}_RAG"])
            if ind.unit == "count":
                same(f"{where} {cohort} num/den", (row[f"{cohort}_num"], row[f"{cohort}_den"]), ("-", "-"))
            else:
                same(f"{where} {cohort} num/den", (n, d),
                     (Fraction(row[f"{cohort}_num"]), Fraction(row[f"{cohort}_den"])))
        variance = results["Excl"] - results["All"]
        shown = ("0.0%" if ind.unit == "percent" else "0") if variance == 0 else display(
            variance, row["Variance"], signed=True)
        same(f"{where} variance", shown, row["Variance"])

    # --- exception trends, and results quoted in the text
    for row in _csv(sources, "exception_trends.csv") + _csv(sources, "extra_results.csv"):
        ind = template.indicator(row["ID"])
        month = _month_of(row["Month"])
        res = x.result(ind, "Kent", month)
        value = None if res is None else res[0]
        same(f"trend {ind.id} {row['Month']}", display(value, row["Result"]), row["Result"])
        if "RAG" in row:
            same(f"trend {ind.id} {row['Month']} RAG", rag(ind, month, value), RAG_WORDS[row["RAG"]])

    # --- commentary, word for word
    texts = {}
    head, lines = None, []
    for line in (sources / "commentary.txt").read_text(encoding="utf-8").splitlines() + ["== end"]:
        if line.startswith("#"):
            continue
        if line.startswith("== "):
            if head:
                texts[head] = "\n".join(lines).strip()
            head, lines = line.split()[1], []
        else:
            lines.append(line)
    written = {ind: text for month, ind, text in x.commentary if month == dt.datetime(2016, 8, 1)}
    same("commentary", written, texts)
    return diffs, compared

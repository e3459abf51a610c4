"""The rules the template names, run over the stacked lists, as the export's rows.

Activity: a row for every team (a unit with none under it) and every month the files
cover, each measure that has a rule counted (0 where the team had none). Indicators: a row
per indicator, month, team and UASC status; a team and status with data in some month get a
row (0 of 0 if need be) in every month the indicator is computed, so that no month of its
series is missing. Figures are whole numbers; the reader scales them as it reads.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from ..engine.template import Template
from ..model import Problem
from ..months import month_span
from .rules import ITEM_COLUMNS, RULES, months_for
from .stacking import Stack


@dataclass
class Computed:
    activity: pd.DataFrame  # Month, Unit, then one column per computed measure
    measures: list[str]  # the Activity columns computed (the template's columns with a rule)
    indicators: pd.DataFrame  # Month, Indicator, Unit, UASC (bool), Numerator, Denominator
    indicator_months: dict[str, pd.DatetimeIndex]  # indicator ID -> the months computed
    notes: list[Problem] = field(default_factory=list)  # warnings, carried into the export's Notes
    # Activity column or indicator ID -> the months whose figures are reconstructed from later
    # files (stacking.py): `--into` keeps the export's own figure for those.
    reconstructed: dict[str, set[pd.Timestamp]] = field(default_factory=dict)

    @property
    def activity_months(self) -> pd.DatetimeIndex:
        return pd.DatetimeIndex(sorted(set(self.activity["Month"])))


def compute(stack: Stack, template: Template) -> Computed:
    teams = [u for u, node in template.units.items() if not node.units]
    notes: list[Problem] = list(stack.notes)
    reconstructed: dict[str, set[pd.Timestamp]] = {}

    def note_reconstructed(name: str, rule, months) -> None:
        found = {m for m in months if not stack.exact(rule.list_number, m)}
        if found:
            reconstructed[name] = found

    # ---- activity
    measures = [m for m in template.activity_measures if m.annex_a is not None]
    counted, months = [], set()
    for measure in measures:
        rule = RULES[measure.annex_a.rule]
        covered = months_for(rule, stack)
        months.update(covered)
        note_reconstructed(measure.column, rule, covered)
        items = _every_month(rule, stack, covered, measure.annex_a)
        counted.append(items.groupby(["Month", "Unit"]).size().rename("Value").reset_index()
                       .assign(Measure=measure.column))
        notes += rule.notes(stack, covered, measure.annex_a, measure.column)
    months = sorted(months)
    grid = pd.MultiIndex.from_product([months, teams], names=["Month", "Unit"])
    activity = pd.DataFrame(index=grid).reset_index()
    if counted:
        values = pd.concat(counted, ignore_index=True).pivot_table(
            index=["Month", "Unit"], columns="Measure", values="Value", aggfunc="sum")
        activity = activity.merge(values.reset_index(), on=["Month", "Unit"], how="left")
    for measure in measures:
        if measure.column not in activity:
            activity[measure.column] = 0
        activity[measure.column] = activity[measure.column].fillna(0).astype("int64")
    activity = activity[["Month", "Unit", *(m.column for m in measures)]]

    # ---- indicators
    frames, indicator_months = [], {}
    for indicator in template.indicators:
        if indicator.annex_a is None:
            continue
        rule = RULES[indicator.annex_a.rule]
        if rule.list_number not in {n for f in stack.files for n in f.lists}:
            notes.append(Problem("warning", f"indicator {indicator.id} ({rule.name}) is not computed: no file holds "
                                            f"List {rule.list_number}"))
            continue
        wanted = months_for(rule, stack)
        if rule.months == "year_before":
            left = stack.months(rule.list_number).difference(wanted)
            if len(left):
                notes.append(Problem("warning", f"indicator {indicator.id} ({rule.name}) is left empty for "
                                                f"{month_span(left)}: each month needs the 12 months before it, and "
                                                f"the files cover from {stack.months(rule.list_number)[0]:%b %Y}"))
        if not len(wanted):
            continue
        indicator_months[indicator.id] = wanted
        note_reconstructed(indicator.id, rule, wanted)
        found = (_every_month(rule, stack, wanted, indicator.annex_a)
                 .groupby(["Month", "Unit", "UASC"], as_index=False)[["Numerator", "Denominator"]].sum())
        pairs = found[["Unit", "UASC"]].drop_duplicates()
        if pairs.empty:  # nothing counted in any month: say 0 of 0 for the whole organisation
            pairs = pd.DataFrame({"Unit": [stack.root], "UASC": [False]})
        full = pd.DataFrame({"Month": wanted}).merge(pairs, how="cross")
        full = full.merge(found, on=["Month", "Unit", "UASC"], how="left").fillna({"Numerator": 0, "Denominator": 0})
        frames.append(full.assign(Indicator=indicator.id))
        notes += rule.notes(stack, wanted, indicator.annex_a, f"indicator {indicator.id}")
    columns = ["Month", "Indicator", "Unit", "UASC", "Numerator", "Denominator"]
    indicators = (pd.concat(frames, ignore_index=True)[columns] if frames else pd.DataFrame(columns=columns))
    indicators = indicators.astype({"Numerator": "int64", "Denominator": "int64", "UASC": bool})
    notes += _reconstructed_notes(reconstructed, template)
    return Computed(activity, [m.column for m in measures], indicators, indicator_months, notes, reconstructed)


def _reconstructed_notes(reconstructed: dict[str, set[pd.Timestamp]], template: Template) -> list[Problem]:
    """One note per run of months: which figures are reconstructed from later files, and why."""
    if not reconstructed:
        return []
    by_months: dict[tuple, list[str]] = {}
    columns = {m.column for m in template.activity_measures}
    for name, months in reconstructed.items():
        by_months.setdefault(tuple(sorted(months)), []).append(name if name in columns else f"indicator {name}")
    notes = []
    for months, names in by_months.items():
        notes.append(Problem("warning", f"{month_span(months)}: {', '.join(names)} reconstructed from later files, "
                                        "since no file dated those months' last day was given: Lists 6 to 8 hold "
                                        "each child once, with their latest episode, so a child whose episode then "
                                        "was replaced by a newer one is missing. Give each month's own file for exact "
                                        "figures; --into keeps the export's own figures for these months"))
    return notes


def _every_month(rule, stack: Stack, months, settings) -> pd.DataFrame:
    """The rule's rows for every month, with their Month."""
    frames = [rule.count(stack, month, settings).assign(Month=month) for month in months]
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=["Month", *ITEM_COLUMNS])

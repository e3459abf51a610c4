"""The computed figures as the monthly export: a new one, or merged into an existing one.

Merging (`--into`) replaces exactly what Annex A computed and keeps everything else:

- Activity: in a month the lists cover, each computed measure of every team is replaced;
  measures without a rule (PF Cases) keep their figures. A month the export did not have is
  added, its other measures blank ("not recorded": the scorecard shows them empty). A team
  the export had no row for in a month it has gets a row, its other measures 0, which is
  what the export already said of it.
- Indicators: for each indicator with a rule, the months computed replace its rows; other
  indicators and other months are kept.
- Commentary is kept. Notes holds this run's notes (see build.py).

The merged export is read back through the reader before it replaces anything: a result
the scorecard could not use is never written.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from ..engine.template import Template
from ..files import FileSet
from ..model import SCALE, Export, InputError, Problem
from ..months import month_span
from ..reading.reader import (
    ACTIVITY,
    COMMENTARY,
    COMMENTARY_COLUMNS,
    COMMENTARY_TEAM,
    INDICATOR_COLUMNS,
    INDICATORS,
    NOTE,
    NOTES,
)
from .build import Computed


@dataclass
class Merged:
    activity: pd.DataFrame  # Month, Unit, every measure (Int64; <NA> = not recorded)
    indicators: pd.DataFrame  # Month, Indicator, Unit, UASC, Numerator, Denominator (1/SCALE units)
    commentary: pd.DataFrame  # Month, Indicator, Unit, Commentary
    summary: list[str]


def _months_text(months) -> str:
    months = sorted(months)
    if not months:
        return "none"
    if len(months) <= 3:
        return ", ".join(f"{m:%b %Y}" for m in months)
    return f"{len(months)} months, {month_span(months)}"


def merge(computed: Computed, template: Template, existing: Export | None) -> Merged:
    """The export's rows: the computed ones, over the existing export's if there is one."""
    measures = [m.column for m in template.activity_measures]
    kept_measures = [m for m in measures if m not in computed.measures]
    ours = computed.activity.copy()
    for column in kept_measures:
        ours[column] = pd.array([pd.NA] * len(ours), dtype="Int64")
    # The reader's units: numerators and denominators in 1/SCALE.
    scaled = computed.indicators.assign(Numerator=computed.indicators["Numerator"] * SCALE,
                                        Denominator=computed.indicators["Denominator"] * SCALE)
    if existing is None:
        activity, indicators = ours, scaled
        commentary = pd.DataFrame(columns=["Month", "Indicator", "Unit", "Commentary"])
        summary = [f"Activity: {len(ours):,} rows for {_months_text(computed.activity_months)}; "
                   f"{', '.join(kept_measures) or 'no measure'} left blank (not in Annex A)",
                   f"Indicators: {len(indicators):,} rows for indicators {', '.join(computed.indicator_months)}"]
    else:
        activity, activity_text = _merge_activity(ours, existing.activity[["Month", "Unit", *measures]], computed,
                                                  kept_measures, template)
        indicators, indicators_text = _merge_indicators(scaled, computed, existing.indicators)
        commentary = existing.commentary[["Month", "Indicator", "Unit", "Commentary"]]
        summary = [activity_text, indicators_text, f"Commentary: {len(commentary):,} rows kept"]
    activity = activity.sort_values(["Month", "Unit"], key=_tree_order(template), kind="stable")
    indicators = indicators.sort_values(["Month", "Indicator", "Unit", "UASC"], key=_tree_order(template),
                                        kind="stable")
    return Merged(activity[["Month", "Unit", *measures]].reset_index(drop=True), indicators.reset_index(drop=True),
                  commentary, summary)


def _tree_order(template: Template):
    units = {u: i for i, u in enumerate(template.units)}
    indicators = {ind.id: i for i, ind in enumerate(template.indicators)}

    def key(column: pd.Series) -> pd.Series:
        if column.name == "Unit":
            return column.map(units)
        if column.name == "Indicator":
            return column.map(indicators)
        return column
    return key


def _merge_activity(ours: pd.DataFrame, theirs: pd.DataFrame, computed: Computed, kept: list[str],
                    template: Template) -> tuple[pd.DataFrame, str]:
    months = set(computed.activity_months)
    replaced_months = months & set(theirs["Month"])
    in_months = theirs[theirs["Month"].isin(months)]
    above = in_months[in_months["Unit"].map(lambda u: bool(template.units[u].units))]
    if len(above):
        first = above.iloc[0]
        raise InputError([Problem(
            "error", f"the export has Activity rows for {first['Unit']!r}, which has units under it, in "
                     f"{first['Month']:%b %Y}; Annex A gives team rows, and both would be counted. Give that month's "
                     "rows per team, or merge into an export without them", ACTIVITY)])
    # Other measures of the months we compute: the export's figure, 0 for a team it had no row
    # for in a month it has (what it said of that team), blank in a month it did not have.
    other = in_months[["Month", "Unit", *kept]]
    merged = ours.drop(columns=kept).merge(other, on=["Month", "Unit"], how="left")
    for column in kept:
        had_month = merged["Month"].isin(replaced_months)
        merged[column] = merged[column].astype("Int64")
        merged.loc[had_month & merged[column].isna(), column] = 0
    untouched = theirs[~theirs["Month"].isin(months)]
    activity = pd.concat([untouched, merged], ignore_index=True)
    text = (f"Activity: {', '.join(computed.measures)} computed for {_months_text(months)} "
            f"({len(replaced_months)} month(s) replaced, {len(months - replaced_months)} added); "
            f"{', '.join(kept) or 'no other measure'} kept; {len(untouched):,} rows of other months kept")
    return activity, text


def _merge_indicators(ours: pd.DataFrame, computed: Computed, theirs: pd.DataFrame) -> tuple[pd.DataFrame, str]:
    replaced = pd.Series(False, index=theirs.index)
    for indicator, months in computed.indicator_months.items():
        replaced |= (theirs["Indicator"] == indicator) & theirs["Month"].isin(months)
    columns = ["Month", "Indicator", "Unit", "UASC", "Numerator", "Denominator"]
    kept = theirs.loc[~replaced, columns]
    merged = pd.concat([kept, ours[columns]], ignore_index=True)
    text = (f"Indicators: {len(ours):,} rows computed for indicators {', '.join(computed.indicator_months)} "
            f"({int(replaced.sum()):,} rows they replace); {len(kept):,} rows of other indicators and months kept")
    return merged, text


# ----------------------------------------------------------------------------- writing

def write_export(merged: Merged, notes: list[Problem], template: Template, path: Path, created: dt.datetime) -> None:
    """The export workbook, in the contract the reader reads (README, "The export")."""
    import xlsxwriter

    workbook = xlsxwriter.Workbook(str(path), {"strings_to_formulas": False, "strings_to_urls": False,
                                               "strings_to_numbers": False, "constant_memory": True})
    workbook.set_properties({"title": f"{template.organisation}: monthly export computed from Annex A lists",
                             "author": "scorecard-xl annex-a", "created": created})
    month = workbook.add_format({"num_format": "mmm yyyy", "align": "left"})
    bold = workbook.add_format({"bold": True})
    measures = [m.column for m in template.activity_measures]
    root = template.organisation_tree.name

    def sheet(name: str, header: list[str], widths: list[int]):
        ws = workbook.add_worksheet(name)
        for c, (text, width) in enumerate(zip(header, widths)):
            ws.write_string(0, c, text, bold)
            ws.set_column(c, c, width)
        ws.freeze_panes(1, 0)
        return ws

    def number(ws, r: int, c: int, value) -> None:
        if not pd.isna(value):
            ws.write_number(r, c, value)

    ws = sheet(ACTIVITY, ["Month", "Team", *measures], [10, 28, *(max(10, len(m) + 2) for m in measures)])
    for r, row in enumerate(merged.activity.itertuples(index=False), start=1):
        ws.write_datetime(r, 0, row[0].to_pydatetime(), month)
        ws.write_string(r, 1, row[1])
        for c, value in enumerate(row[2:], start=2):
            number(ws, r, c, value)
    ws.autofilter(0, 0, len(merged.activity), len(measures) + 1)

    ws = sheet(INDICATORS, INDICATOR_COLUMNS, [10, 10, 28, 6, 12, 12])
    with_denominator = {i.id for i in template.indicators if i.has_denominator}
    for r, row in enumerate(merged.indicators.itertuples(index=False), start=1):
        ws.write_datetime(r, 0, row.Month.to_pydatetime(), month)
        ws.write_string(r, 1, row.Indicator)
        ws.write_string(r, 2, row.Unit)
        ws.write_string(r, 3, "Y" if row.UASC else "N")
        ws.write_number(r, 4, row.Numerator / SCALE)
        if row.Indicator in with_denominator:
            ws.write_number(r, 5, row.Denominator / SCALE)
    ws.autofilter(0, 0, len(merged.indicators), 5)

    ws = sheet(COMMENTARY, [*COMMENTARY_COLUMNS[:2], COMMENTARY_TEAM, COMMENTARY_COLUMNS[2]], [10, 10, 28, 100])
    for r, row in enumerate(merged.commentary.itertuples(index=False), start=1):
        ws.write_datetime(r, 0, row.Month.to_pydatetime(), month)
        ws.write_string(r, 1, row.Indicator)
        ws.write_string(r, 2, "" if row.Unit == root else row.Unit)
        ws.write_string(r, 3, row.Commentary)

    ws = sheet(NOTES, [NOTE], [140])
    for r, note in enumerate(notes, start=1):
        ws.write_string(r, 0, f"{note.location}: {note.message}" if note.location else note.message)
    workbook.close()


def save_export(merged: Merged, notes: list[Problem], template: Template, target: Path, created: dt.datetime,
                check) -> Export:
    """Write atomically: to a temporary file beside the target, read back by `check` (the reader),
    then put in place. InputError (nothing written) if the reader refuses the result."""
    with FileSet([target]) as files:
        temporary = files.temporary(target)
        write_export(merged, notes, template, temporary, created)
        return check(temporary)

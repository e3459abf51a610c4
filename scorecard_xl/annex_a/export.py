"""The computed figures as the monthly export: a new one, or merged into an existing one.

Merging (`--into`) replaces exactly what Annex A computed and keeps everything else:

- Activity: in a month the lists cover, each computed measure of every team is replaced;
  measures without a rule (PF Cases) keep their figures. A month the export did not have is
  added, its other measures blank ("not recorded": the scorecard shows them empty). A team
  the export had no row for in a month it has gets a row, its other measures 0, which is
  what the export already said of it.
- Indicators: for each indicator with a rule, the months computed replace its rows; other
  indicators and other months are kept.
- A figure Annex A could only reconstruct from later files (stacking.py) never replaces one the
  export already has: that measure's or indicator's figures for that month are kept.
- Commentary is kept. Notes holds this run's notes (see build.py).
- Everything else of the analyst's is kept with its values: sheets the export contract does
  not name (their values, formulas and number formats; other formatting is not kept), and
  columns of Activity and Indicators it does not compute, each value staying with its row's
  month, team (and indicator and UASC status).

The merged export is read back through the reader before it replaces anything: a result
the scorecard could not use is never written.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from ..engine.template import Template
from ..files import FileSet
from ..model import SCALE, Export, InputError, Problem
from ..months import month_span
from ..names import name_key
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

ACTIVITY_KEY = ["Month", "Unit"]
INDICATOR_KEY = ["Month", "Indicator", "Unit", "UASC"]


@dataclass
class KeptSheet:
    """An analyst's own sheet, as it was: every cell's value, and its formula and number format."""

    name: str
    rows: list[list]  # values as calamine read them (a formula's: its value as last calculated)
    formulas: dict[tuple[int, int], str] = field(default_factory=dict)  # (row, column), 0-based -> "=..."
    formats: dict[tuple[int, int], str] = field(default_factory=dict)  # (row, column) -> number format

    def cells(self) -> dict[tuple[int, int], object]:
        """(row, column) -> value of every cell to write: calamine's values and the formulas (a formula
        never calculated has no value, and calamine gives no row for a row of only such cells)."""
        values = {(r, c): value for r, row in enumerate(self.rows) for c, value in enumerate(row)
                  if value is not None and value != ""}
        return {at: values.get(at) for at in sorted(values.keys() | self.formulas.keys())}


@dataclass
class Kept:
    """What an existing export holds beyond what annex-a computes, kept on --into."""

    sheets: list[KeptSheet] = field(default_factory=list)
    activity: pd.DataFrame | None = None  # Month, Unit, then each extra column of Activity
    indicators: pd.DataFrame | None = None  # Month, Indicator, Unit, UASC, then each extra column


@dataclass
class Merged:
    activity: pd.DataFrame  # Month, Unit, every measure (Int64; <NA> = not recorded), then kept columns
    indicators: pd.DataFrame  # Month, Indicator, Unit, UASC, Numerator, Denominator (1/SCALE units), kept columns
    commentary: pd.DataFrame  # Month, Indicator, Unit, Commentary
    summary: list[str]
    notes: list[Problem] = field(default_factory=list)  # what the merge kept instead of replacing
    sheets: list[KeptSheet] = field(default_factory=list)  # the analyst's own sheets, written after ours
    activity_extra: list[str] = field(default_factory=list)  # kept columns, after the contract's
    indicators_extra: list[str] = field(default_factory=list)


def read_kept(path: Path, sheets: dict[str, list[list]], existing: Export, template: Template) -> Kept:
    """The export's sheets and columns that annex-a does not compute, with their values."""
    contract = {name_key(n) for n in (ACTIVITY, INDICATORS, COMMENTARY, NOTES)}
    own = [name for name in sheets if name_key(name) not in contract]
    kept = Kept(sheets=_own_sheets(path, own, sheets))
    measures = [m.column for m in template.activity_measures]
    for label, known, key, frame in ((ACTIVITY, ["Month", "Team", *measures], ACTIVITY_KEY, existing.activity),
                                     (INDICATORS, INDICATOR_COLUMNS, INDICATOR_KEY, existing.indicators)):
        name = next((n for n in sheets if name_key(n) == name_key(label)), None)
        rows = sheets.get(name) or [[]]
        header = [str(h).strip() if h is not None else "" for h in rows[0]]
        known_keys = {name_key(k) for k in known}
        extra = {i: h for i, h in enumerate(header) if h and name_key(h) not in known_keys}
        if not extra or frame.empty:
            continue
        body = rows[1:]
        values = pd.DataFrame({h: [r[i] if i < len(r) else None for r in body] for i, h in extra.items()},
                              dtype=object)
        values["Row"] = range(2, len(body) + 2)
        joined = frame[[*key, "Row"]].merge(values, on="Row", how="left").drop(columns="Row")
        if label == ACTIVITY:
            kept.activity = joined
        else:
            kept.indicators = joined
    return kept


def _own_sheets(path: Path, names: list[str], sheets: dict[str, list[list]]) -> list[KeptSheet]:
    """Each of the analyst's sheets with its formulas and number formats (read with openpyxl,
    which sees them; calamine gives the values)."""
    if not names:
        return []
    import openpyxl

    out = []
    workbook = openpyxl.load_workbook(path, read_only=True, data_only=False)
    try:
        for name in names:
            kept = KeptSheet(name, sheets[name])
            if name in workbook.sheetnames:
                for row in workbook[name].iter_rows():
                    for cell in row:
                        if getattr(cell, "row", None) is None or cell.value is None:
                            continue
                        at = (cell.row - 1, cell.column - 1)
                        if cell.data_type == "f" and isinstance(cell.value, str):
                            kept.formulas[at] = cell.value
                        if cell.number_format and cell.number_format != "General":
                            kept.formats[at] = cell.number_format
            out.append(kept)
    finally:
        workbook.close()
    return out


def _months_text(months) -> str:
    months = sorted(months)
    if not months:
        return "none"
    if len(months) <= 3:
        return ", ".join(f"{m:%b %Y}" for m in months)
    return f"{len(months)} months, {month_span(months)}"


def merge(computed: Computed, template: Template, existing: Export | None, kept: Kept | None = None) -> Merged:
    """The export's rows: the computed ones, over the existing export's if there is one."""
    measures = [m.column for m in template.activity_measures]
    kept_measures = [m for m in measures if m not in computed.measures]
    ours = computed.activity.copy()
    for column in kept_measures:
        ours[column] = pd.array([pd.NA] * len(ours), dtype="Int64")
    # The reader's units: numerators and denominators in 1/SCALE.
    scaled = computed.indicators.assign(Numerator=computed.indicators["Numerator"] * SCALE,
                                        Denominator=computed.indicators["Denominator"] * SCALE)
    notes: list[Problem] = []
    if existing is None:
        activity, indicators = ours, scaled
        commentary = pd.DataFrame(columns=["Month", "Indicator", "Unit", "Commentary"])
        summary = [f"Activity: {len(ours):,} rows for {_months_text(computed.activity_months)}; "
                   f"{', '.join(kept_measures) or 'no measure'} left blank (not in Annex A)",
                   f"Indicators: {len(indicators):,} rows for indicators {', '.join(computed.indicator_months)}"]
    else:
        protected = _protected(computed, existing, template)
        activity, activity_text = _merge_activity(ours, existing.activity[["Month", "Unit", *measures]], computed,
                                                  kept_measures, template, protected)
        indicators, indicators_text = _merge_indicators(scaled, computed, existing.indicators, protected)
        commentary = existing.commentary[["Month", "Indicator", "Unit", "Commentary"]]
        summary = [activity_text, indicators_text, f"Commentary: {len(commentary):,} rows kept"]
        for name, months in protected.items():
            what = name if name in measures else f"indicator {name}"
            notes.append(Problem("warning", f"{what}: {_months_text(months)} kept as the export had them; Annex A "
                                            "could only reconstruct them from later files"))
    activity = activity.sort_values(["Month", "Unit"], key=_tree_order(template), kind="stable")
    indicators = indicators.sort_values(["Month", "Indicator", "Unit", "UASC"], key=_tree_order(template),
                                        kind="stable")
    activity = activity[["Month", "Unit", *measures]].reset_index(drop=True)
    indicators = indicators[["Month", "Indicator", "Unit", "UASC", "Numerator", "Denominator"]].reset_index(drop=True)
    merged = Merged(activity, indicators, commentary, summary, notes)
    if kept is not None:
        merged.activity, merged.activity_extra = _with_kept(activity, kept.activity, ACTIVITY_KEY, ACTIVITY,
                                                            summary, notes)
        merged.indicators, merged.indicators_extra = _with_kept(indicators, kept.indicators, INDICATOR_KEY,
                                                                INDICATORS, summary, notes)
        merged.sheets = kept.sheets
        for sheet in kept.sheets:
            summary.append(f"Sheet {sheet.name!r} kept ({len(sheet.cells()):,} cells, {len(sheet.formulas):,} "
                           "formulas; values, formulas and number formats)")
    return merged


def _protected(computed: Computed, existing: Export, template: Template) -> dict[str, list[pd.Timestamp]]:
    """Measure or indicator -> the reconstructed months for which the export already has figures:
    those are kept, never replaced by a reconstruction."""
    out = {}
    measures = {m.column for m in template.activity_measures}
    for name, months in computed.reconstructed.items():
        if name in measures:
            had = existing.activity.loc[existing.activity[name].notna(), "Month"]
        else:
            had = existing.indicators.loc[existing.indicators["Indicator"] == name, "Month"]
        found = sorted(set(had) & months)
        if found:
            out[name] = found
    return out


def _with_kept(ours: pd.DataFrame, kept: pd.DataFrame | None, key: list[str], sheet: str, summary: list[str],
               notes: list[Problem]) -> tuple[pd.DataFrame, list[str]]:
    """Our rows with the analyst's own columns, each value on the row of the same key."""
    if kept is None:
        return ours, []
    extra = [c for c in kept.columns if c not in key]
    out = ours.merge(kept, on=key, how="left")
    # A value on a row the export no longer has is dropped: count those rows for the note.
    filled = kept[extra].map(lambda v: v is not None and v == v and v != "").any(axis=1).to_numpy()  # v == v: not NaN
    placed = kept[key].merge(ours[key], on=key, how="left", indicator=True)["_merge"].eq("both").to_numpy()
    lost = int((filled & ~placed).sum())
    named = ", ".join(repr(c) for c in extra)
    summary.append(f"{sheet}: column{'s' if len(extra) > 1 else ''} {named} kept")
    if lost > 0:
        notes.append(Problem("warning", f"{sheet}: {lost} row{'s' if lost > 1 else ''} with values in {named} "
                                        "are no longer in the export (their month, team and status are not among "
                                        "the rows computed); those values were dropped", sheet))
    return out, extra


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
                    template: Template, protected: dict[str, list[pd.Timestamp]]) -> tuple[pd.DataFrame, str]:
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
    # A reconstructed figure never replaces the export's own: that measure's month stays as it was
    # (0 for a team the export had no row for in a month it has, as above).
    for column, keep_months in protected.items():
        if column not in computed.measures:
            continue
        theirs_then = theirs[theirs["Month"].isin(keep_months)][["Month", "Unit", column]]
        at = merged["Month"].isin(keep_months)
        old = merged.loc[at, ["Month", "Unit"]].merge(theirs_then, on=["Month", "Unit"], how="left")[column]
        merged.loc[at, column] = pd.array(old.fillna(0).to_numpy(), dtype="Int64")
    untouched = theirs[~theirs["Month"].isin(months)]
    activity = pd.concat([untouched, merged], ignore_index=True)
    text = (f"Activity: {', '.join(computed.measures)} computed for {_months_text(months)} "
            f"({len(replaced_months)} month(s) replaced, {len(months - replaced_months)} added); "
            f"{', '.join(kept) or 'no other measure'} kept; {len(untouched):,} rows of other months kept")
    return activity, text


def _merge_indicators(ours: pd.DataFrame, computed: Computed, theirs: pd.DataFrame,
                      protected: dict[str, list[pd.Timestamp]]) -> tuple[pd.DataFrame, str]:
    replaced = pd.Series(False, index=theirs.index)
    for indicator, months in computed.indicator_months.items():
        months = months.difference(pd.DatetimeIndex(protected.get(indicator, [])))
        replaced |= (theirs["Indicator"] == indicator) & theirs["Month"].isin(months)
        ours = ours[(ours["Indicator"] != indicator) | ours["Month"].isin(months)]
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
        for c, (text, width) in enumerate(zip(header, widths, strict=False)):
            ws.write_string(0, c, text, bold)
            ws.set_column(c, c, width)
        ws.freeze_panes(1, 0)
        return ws

    def number(ws, r: int, c: int, value) -> None:
        if not pd.isna(value):
            ws.write_number(r, c, value)

    formats = {}

    def kept_value(ws, r: int, c: int, value, num_format: str | None = None, formula: str | None = None) -> None:
        """An analyst's cell as it was: typed, never a formula unless it was one."""
        if num_format is None and isinstance(value, (dt.date, dt.datetime, dt.time)):
            num_format = "dd/mm/yyyy" if not isinstance(value, dt.time) else "hh:mm"
        fmt = None
        if num_format:
            fmt = formats.get(num_format) or formats.setdefault(num_format,
                                                                workbook.add_format({"num_format": num_format}))
        if formula is not None:
            ws.write_formula(r, c, formula, fmt, "" if value is None else value)
        elif value is None or (not isinstance(value, str) and pd.isna(value)):
            return
        elif isinstance(value, bool):
            ws.write_boolean(r, c, value, fmt)
        elif isinstance(value, (int, float)):
            ws.write_number(r, c, value, fmt)
        elif isinstance(value, dt.datetime):
            ws.write_datetime(r, c, value, fmt)
        elif isinstance(value, dt.date):
            ws.write_datetime(r, c, dt.datetime.combine(value, dt.time()), fmt)
        elif isinstance(value, dt.time):
            ws.write_datetime(r, c, value, fmt)
        elif isinstance(value, dt.timedelta):
            ws.write_number(r, c, value / dt.timedelta(days=1), fmt)
        elif value != "":
            ws.write_string(r, c, str(value), fmt)

    activity_columns = ["Month", "Unit", *measures]
    ws = sheet(ACTIVITY, ["Month", "Team", *measures, *merged.activity_extra],
               [10, 28, *(max(10, len(m) + 2) for m in [*measures, *merged.activity_extra])])
    extra_at = len(activity_columns)
    for r, row in enumerate(merged.activity[[*activity_columns, *merged.activity_extra]].itertuples(index=False),
                            start=1):
        ws.write_datetime(r, 0, row[0].to_pydatetime(), month)
        ws.write_string(r, 1, row[1])
        for c, value in enumerate(row[2:extra_at], start=2):
            number(ws, r, c, value)
        for c, value in enumerate(row[extra_at:], start=extra_at):
            kept_value(ws, r, c, value)
    ws.autofilter(0, 0, len(merged.activity), extra_at + len(merged.activity_extra) - 1)

    extra = merged.indicators_extra
    ws = sheet(INDICATORS, [*INDICATOR_COLUMNS, *extra], [10, 10, 28, 6, 12, 12, *(max(10, len(m) + 2) for m in extra)])
    with_denominator = {i.id for i in template.indicators if i.has_denominator}
    columns = ["Month", "Indicator", "Unit", "UASC", "Numerator", "Denominator", *extra]
    for r, row in enumerate(merged.indicators[columns].itertuples(index=False, name=None), start=1):
        ws.write_datetime(r, 0, row[0].to_pydatetime(), month)
        ws.write_string(r, 1, row[1])
        ws.write_string(r, 2, row[2])
        ws.write_string(r, 3, "Y" if row[3] else "N")
        ws.write_number(r, 4, row[4] / SCALE)
        if row[1] in with_denominator:
            ws.write_number(r, 5, row[5] / SCALE)
        for c, value in enumerate(row[6:], start=6):
            kept_value(ws, r, c, value)
    ws.autofilter(0, 0, len(merged.indicators), 5 + len(extra))

    ws = sheet(COMMENTARY, [*COMMENTARY_COLUMNS[:2], COMMENTARY_TEAM, COMMENTARY_COLUMNS[2]], [10, 10, 28, 100])
    for r, row in enumerate(merged.commentary.itertuples(index=False), start=1):
        ws.write_datetime(r, 0, row.Month.to_pydatetime(), month)
        ws.write_string(r, 1, row.Indicator)
        ws.write_string(r, 2, "" if row.Unit == root else row.Unit)
        ws.write_string(r, 3, row.Commentary)

    ws = sheet(NOTES, [NOTE], [140])
    for r, note in enumerate(notes, start=1):
        ws.write_string(r, 0, f"{note.location}: {note.message}" if note.location else note.message)

    for own in merged.sheets:  # the analyst's own sheets, after ours, as they were
        ws = workbook.add_worksheet(own.name)
        for at, value in own.cells().items():  # row by row, as the sheet streams (constant_memory)
            kept_value(ws, *at, value, own.formats.get(at), own.formulas.get(at))
    workbook.close()


def save_export(merged: Merged, notes: list[Problem], template: Template, target: Path, created: dt.datetime,
                check) -> Export:
    """Write atomically: to a temporary file beside the target, read back by `check` (the reader),
    then put in place. InputError (nothing written) if the reader refuses the result."""
    with FileSet([target]) as files:
        temporary = files.temporary(target)
        write_export(merged, notes, template, temporary, created)
        return check(temporary)

"""Describe every sheet of a scorecard workbook; writer.py renders the description.

Sheets, in order: Contents, the activity table, the RAG overview (county workbook, several
scorecards), a scorecard per unit, Impact of UASC, Exceptions, then the raw data tables
(Results, Definitions, Activity Data, Indicator Data, Trends) and Data Quality. A unit's own
workbook holds the same for that unit, with the raw data of its subtree only.
"""

from __future__ import annotations

import dataclasses

import pandas as pd

from ...engine.template import Template
from ...model import Export, Scorecard
from ...names import name_key
from .activity import activity_sheet
from .contents import contents_sheet, workbook_title
from .exceptions import exceptions_sheet
from .model import WorkbookLayout
from .overview import overview_sheet
from .raw import (
    activity_data_sheets,
    definitions_sheet,
    indicator_data_sheets,
    quality_sheet,
    results_sheets,
    spc_sheets,
)
from .scorecard import scorecard_sheet
from .spccharts import spc_chart_sheet
from .trends import trend_range, trends_sheet
from .uasc import uasc_sheet

__all__ = ["workbook_layout", "WorkbookLayout"]


RAW_SHEETS = ("Results", "SPC", "Activity Data", "Indicator Data")


def workbook_layout(scorecard: Scorecard, template: Template, export: Export, source: dict[str, str],
                    raw_data: str = "include", unit: str | None = None) -> tuple[WorkbookLayout, WorkbookLayout | None]:
    """The workbook, and a companion holding the large raw tables when raw_data is 'separate'.

    unit: a unit's own workbook (its scorecard, activity, impact of UASC, exception reports, and
        raw data of the unit and the units under it only); None or the root: the county workbook,
        with a scorecard sheet for each unit the template names and the RAG overview across them.
    source: the input's name, SHA-256, the date produced and (for 'separate') the companion's
        file name, for the Contents sheet.
    """
    county = unit is None or unit == template.organisation_tree.name
    if county:
        units = template.scorecard_units
        warnings = [*scorecard.warnings, *(w for u in units for w in scorecard.views[u].warnings)]
    else:
        scorecard, export = unit_scope(scorecard, export, template, unit)
        units = [unit]
        warnings = [*export.warnings, *scorecard.views[unit].warnings]
    trends, trend_rows = trends_sheet(scorecard, template, units)
    sparkline_ranges = {k: trend_range(r) for k, r in trend_rows.items()}
    spc_data, spc_charts = spc_chart_sheet(scorecard, template)
    exceptions = exceptions_sheet(scorecard, template, trend_rows, warnings, spc_charts)
    uasc = uasc_sheet(scorecard, template)
    scorecards = [scorecard_sheet(scorecard, template, u, sparkline_ranges) for u in units]

    whose = "area and team" if county else "unit"
    sheets = [(activity_sheet(scorecard, template), f"Activity per {whose}: this month, last month and change.")]
    if len(units) > 1:
        sheets.append((overview_sheet(scorecard, template, units, {u: s.name for u, s in zip(units, scorecards)}),
                       "Every indicator's latest result and RAG for each unit, side by side."))
    sheets += [(s, f"{u}: every indicator with RAG, target and trend.") for u, s in zip(units, scorecards)]
    if uasc is not None:
        sheets.append((uasc, "Results including and excluding unaccompanied asylum-seeking children."))
    sheets.append((exceptions, f"A report for every indicator rated Red for {scorecard.root}: trend, chart, "
                               "commentary and data notes."))
    sheets += [(s, "Table: every result by indicator, unit, cohort and month (for pivoting).")
               for s in results_sheets(scorecard.results, scorecard.month)]
    if scorecard.spc is not None:
        sheets += [(s, "Table: every SPC point by indicator, unit, cohort and month, with its mean, limits and "
                       "special cause.") for s in spc_sheets(scorecard.spc, scorecard.month,
                                                             template.spc.window_months)]
    sheets.append((definitions_sheet(scorecard.definitions), "Table: indicator definitions, targets and thresholds."))
    sheets += [(s, "Table: every input row of the Activity sheet.") for s in activity_data_sheets(export, template)]
    sheets += [(s, "Table: every input row of the Indicators sheet.") for s in indicator_data_sheets(export, template)]
    sheets.append((trends, "The last 13 months per indicator of each scorecard (data for the sparklines"
                           + (")." if spc_data is not None else " and charts).")))
    if spc_data is not None:
        sheets.append((spc_data, "The exception reports' SPC charts: each month's value, mean, process limits "
                                 "and target."))

    def written(base: str) -> int:
        """Rows in the tables of a raw sheet and its numbered continuations."""
        return sum(len(t.frame) for s, _ in sheets if s.name.split(" (")[0] == base for t in s.tables)

    shown = sum(1 for r in scorecard.exceptions if r.commentary)
    rows = pd.DataFrame({
        "Sheet": ["Activity", "Indicators", "Commentary"],
        "Rows Read": [export.rows_read.get(k, 0) for k in ("Activity", "Indicators", "Commentary")],
        "Written To": ["Activity Data", "Indicator Data", "Exceptions (this month's Red indicators)"],
        "Rows Written": [written("Activity Data"), written("Indicator Data"), shown],
    })
    if "Notes" in export.rows_read:  # an export's own notes (annex-a writes them): warnings, below
        notes = sum(1 for w in warnings if w.sheet is not None and name_key(w.sheet) == name_key("Notes"))
        rows.loc[len(rows)] = ["Notes", export.rows_read["Notes"], "Data Quality (the warnings below)", notes]
    note = ("Every input row is written to a raw data sheet" if county else
            f"The rows of {unit} and the units under it are written to the raw data sheets; the export's other "
            "rows are not in this workbook")
    quality = quality_sheet(rows, warnings, note)
    sheets.append((quality, "Rows read and written per sheet, and every warning."))
    for sheet, description in sheets:
        sheet.description = description

    companion_sheets = []
    if raw_data == "separate":
        companion_sheets = [(s, d) for s, d in sheets if s.name.split(" (")[0] in RAW_SHEETS]
        sheets = [(s, d) for s, d in sheets if s.name.split(" (")[0] not in RAW_SHEETS]
    listed = [(s.name, d) for s, d in sheets]
    listed += [(f"{s.name} (in {source['companion']})", d) for s, d in companion_sheets]
    unit_reds = [(u, s.name, [(r.indicator, r.title, s.anchors[r.indicator]) for r in scorecard.views[u].exceptions])
                 for u, s in zip(units, scorecards) if u != scorecard.root]
    contents = contents_sheet(scorecard, template, listed, exceptions.anchors, source, unit_reds=unit_reds)
    month_text = scorecard.month.strftime("%b %Y")
    title = workbook_title(scorecard, template)

    def book(name: str, book_sheets: list) -> WorkbookLayout:
        return WorkbookLayout(title=f"{name}: {month_text}", subject=f"{template.organisation}: {template.title}",
                              company=template.organisation, month=scorecard.month, sheets=book_sheets)

    main = book(title, [contents, *[s for s, _ in sheets]])
    main.warnings = warnings
    companion = book(f"{title} (raw data)", [s for s, _ in companion_sheets]) if companion_sheets else None
    return main, companion


def unit_scope(scorecard: Scorecard, export: Export, template: Template, unit: str) -> tuple[Scorecard, Export]:
    """The scorecard and export as a unit's workbook sees them: the unit is the root, and only the rows
    of the unit and the units under it are there (a team manager never receives another team's rows)."""
    under = set(template.subtree(unit))
    return scoped_scorecard(scorecard, template, unit, list(export.warnings)), dataclasses.replace(
        export, activity=_rows_of(export.activity, under), indicators=_rows_of(export.indicators, under),
        commentary=_rows_of(export.commentary, under))


def scoped_scorecard(scorecard: Scorecard, template: Template, unit: str,
                     warnings: list | None = None) -> Scorecard:
    """The scorecard with `unit` as its root and the results of its subtree only (see unit_scope)."""
    if unit == scorecard.root:
        return scorecard
    if unit not in scorecard.views:
        raise KeyError(f"no view calculated for {unit!r}: pass it to calculate(units=...)")
    under = set(template.subtree(unit))
    return dataclasses.replace(scorecard, results=_rows_of(scorecard.results, under), root=unit,
                               views={unit: scorecard.views[unit]},
                               spc=None if scorecard.spc is None else _rows_of(scorecard.spc, under),
                               spc_series=None if scorecard.spc_series is None else _rows_of(scorecard.spc_series,
                                                                                           under),
                               warnings=scorecard.warnings if warnings is None else warnings)


def _rows_of(frame: pd.DataFrame, units: set[str]) -> pd.DataFrame:
    return frame[frame["Unit"].isin(units)].reset_index(drop=True) if "Unit" in frame.columns else frame

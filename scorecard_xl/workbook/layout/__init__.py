"""Describe every sheet of the scorecard workbook; writer.py renders the description.

Sheets, in order: Contents, SCS Activity, the scorecard, Impact of UASC, Exceptions,
then the raw data tables (Results, Definitions, Activity Data, Indicator Data, Trends)
and Data Quality.
"""

from __future__ import annotations

import pandas as pd

from ...engine.template import Template
from ...model import Export, Scorecard
from .activity import activity_sheet
from .contents import contents_sheet
from .exceptions import exceptions_sheet
from .model import WorkbookLayout
from .raw import (
    activity_data_sheets,
    definitions_sheet,
    indicator_data_sheets,
    quality_sheet,
    results_sheets,
)
from .scorecard import scorecard_sheet
from .trends import trend_range, trends_sheet
from .uasc import uasc_sheet

__all__ = ["workbook_layout", "WorkbookLayout"]


RAW_SHEETS = ("Results", "Activity Data", "Indicator Data")


def workbook_layout(scorecard: Scorecard, template: Template, export: Export, source: dict[str, str],
                    raw_data: str = "include") -> tuple[WorkbookLayout, WorkbookLayout | None]:
    """The workbook, and a companion holding the large raw tables when raw_data is 'separate'.

    source: the input's name, SHA-256, the date produced and (for 'separate') the companion's
    file name, for the Contents sheet.
    """
    warnings = list(scorecard.warnings)
    trends, trend_rows = trends_sheet(scorecard, template)
    sparkline_ranges = {k: trend_range(r) for k, r in trend_rows.items()}
    exceptions = exceptions_sheet(scorecard, template, trend_rows, warnings)
    uasc = uasc_sheet(scorecard, template)

    sheets = [
        (activity_sheet(scorecard, template), "Activity per area and team: this month, last month and change."),
        (scorecard_sheet(scorecard, template, sparkline_ranges),
         "Every indicator: result, RAG, target, direction of travel, rolling 3 months, 13-month sparkline "
         "(on screen)."),
    ]
    if uasc is not None:
        sheets.append((uasc, "Results including and excluding unaccompanied asylum-seeking children."))
    sheets.append((exceptions, "A report for every indicator rated Red: trend, chart, commentary and data notes."))
    sheets += [(s, "Table: every result by indicator, unit, cohort and month (for pivoting).")
               for s in results_sheets(scorecard.results, scorecard.month)]
    sheets.append((definitions_sheet(scorecard.definitions), "Table: indicator definitions, targets and thresholds."))
    sheets += [(s, "Table: every input row of the Activity sheet.") for s in activity_data_sheets(export, template)]
    sheets += [(s, "Table: every input row of the Indicators sheet.") for s in indicator_data_sheets(export, template)]
    sheets.append((trends, "The county's last 13 months per indicator (data for the sparklines and charts)."))
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
    quality = quality_sheet(rows, warnings)
    sheets.append((quality, "Rows read and written per sheet, and every warning."))
    for sheet, description in sheets:
        sheet.description = description

    companion_sheets = []
    if raw_data == "separate":
        companion_sheets = [(s, d) for s, d in sheets if s.name.split(" (")[0] in RAW_SHEETS]
        sheets = [(s, d) for s, d in sheets if s.name.split(" (")[0] not in RAW_SHEETS]
    listed = [(s.name, d) for s, d in sheets]
    listed += [(f"{s.name} (in {source['companion']})", d) for s, d in companion_sheets]
    contents = contents_sheet(scorecard, template, listed, exceptions.anchors, source)
    month_text = scorecard.month.strftime("%b %Y")

    def book(title: str, book_sheets: list) -> WorkbookLayout:
        return WorkbookLayout(title=f"{title}: {month_text}", subject=f"{template.organisation}: {template.title}",
                              company=template.organisation, month=scorecard.month, sheets=book_sheets)

    main = book(template.title, [contents, *[s for s, _ in sheets]])
    main.warnings = warnings
    companion = book(f"{template.title} (raw data)", [s for s, _ in companion_sheets]) if companion_sheets else None
    return main, companion

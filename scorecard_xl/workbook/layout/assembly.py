"""The workbook put together: its sheets in order, and the raw-data companion.

SHEETS lists every sheet after Contents, in order: the builder that makes it, when it is
there, what the Contents sheet says it holds, and whether it is raw data (Sheet.raw: with
--raw-data separate those go to the companion workbook, and Contents names that file). A
builder makes none, one or several sheets (a scorecard per unit; a long table with its
numbered continuations). What several sheets need (the Trends rows the sparklines read,
the exception reports' anchors and warnings, ...) Book builds once, when first asked.

The county workbook has a scorecard for each unit the template names and the RAG overview
across them; a unit's own workbook holds the same for that unit, with the raw data of its
subtree only (scope.py).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property

import pandas as pd

from ...engine.template import Template
from ...model import Export, Problem, Scorecard
from ...names import name_key
from .activity import activity_sheet
from .contents import contents_sheet, workbook_title
from .exceptions import exceptions_sheet
from .model import Sheet, WorkbookLayout
from .overview import overview_sheet
from .raw import (
    activity_data_sheets,
    definitions_sheet,
    indicator_data_sheets,
    quality_sheet,
    results_sheets,
    spc_sheets,
)
from .scope import unit_scope
from .scorecard import scorecard_sheet
from .spccharts import SpcChart, spc_chart_sheet
from .trends import trend_range, trends_sheet
from .uasc import uasc_sheet


@dataclass
class Book:
    """What one workbook's sheets are made from, and the sheets that others need, each made once."""

    scorecard: Scorecard  # in a unit's workbook, scoped to the unit (scope.py)
    template: Template
    export: Export
    units: list[str]  # a scorecard sheet each: the template's scorecard units, or the workbook's unit
    warnings: list[Problem]  # listed on Data Quality; the exception reports add their own
    county: bool  # the county workbook, not a unit's own

    @cached_property
    def trend_rows(self) -> dict[tuple[str, str], int]:
        return self.trends[1]

    @cached_property
    def trends(self) -> tuple[Sheet, dict[tuple[str, str], int]]:
        return trends_sheet(self.scorecard, self.template, self.units)

    @cached_property
    def spc_charts(self) -> tuple[Sheet, dict[str, SpcChart]] | tuple[None, None]:
        return spc_chart_sheet(self.scorecard, self.template)

    @cached_property
    def scorecards(self) -> dict[str, Sheet]:
        """Each unit's scorecard sheet, by unit."""
        sparklines = {key: trend_range(row) for key, row in self.trend_rows.items()}
        return {u: scorecard_sheet(self.scorecard, self.template, u, sparklines) for u in self.units}

    @cached_property
    def exceptions(self) -> Sheet:
        return exceptions_sheet(self.scorecard, self.template, self.trend_rows, self.warnings, self.spc_charts[1])

    @cached_property
    def activity_data(self) -> list[Sheet]:
        return activity_data_sheets(self.export, self.template)

    @cached_property
    def indicator_data(self) -> list[Sheet]:
        return indicator_data_sheets(self.export, self.template)

    def unit_of(self, sheet: Sheet) -> str:
        """The unit whose scorecard `sheet` is."""
        return next(u for u, s in self.scorecards.items() if s is sheet)


def always(book: Book) -> bool:
    return True


@dataclass(frozen=True)
class Part:
    """One entry of SHEETS: a builder's sheets, where they go and what Contents says of them."""

    build: Callable[[Book], list[Sheet]]
    about: str | Callable[[Book, Sheet], str]  # what a sheet holds, for the Contents sheet
    when: Callable[[Book], bool] = always
    raw: bool = False  # large tables of rows: in the companion workbook with --raw-data separate

    def sheets(self, book: Book) -> list[Sheet]:
        if not self.when(book):
            return []
        made = self.build(book)
        for sheet in made:
            sheet.description = self.about if isinstance(self.about, str) else self.about(book, sheet)
            sheet.raw = self.raw
        return made


def _overview(b: Book) -> list[Sheet]:
    return [overview_sheet(b.scorecard, b.template, b.units, {u: s.name for u, s in b.scorecards.items()})]


def _uasc(b: Book) -> list[Sheet]:
    sheet = uasc_sheet(b.scorecard, b.template)  # None without the template's uasc_impact, or the unit's block
    return [] if sheet is None else [sheet]


def _quality(b: Book) -> list[Sheet]:
    """Rows read and written per input sheet, and every warning (the exception reports' among them)."""
    _ = b.exceptions  # made first: it adds warnings (Red without commentary, too long a paragraph)
    read = b.export.rows_read
    shown = sum(1 for r in b.scorecard.exceptions if r.commentary)
    rows = pd.DataFrame({
        "Sheet": ["Activity", "Indicators", "Commentary"],
        "Rows Read": [read.get(k, 0) for k in ("Activity", "Indicators", "Commentary")],
        "Written To": ["Activity Data", "Indicator Data", "Exceptions (this month's Red indicators)"],
        "Rows Written": [_rows(b.activity_data), _rows(b.indicator_data), shown],
    })
    if "Notes" in read:  # an export's own notes (annex-a writes them): warnings, below
        notes = sum(1 for w in b.warnings if w.sheet is not None and name_key(w.sheet) == name_key("Notes"))
        rows.loc[len(rows)] = ["Notes", read["Notes"], "Data Quality (the warnings below)", notes]
    note = ("Every input row is written to a raw data sheet" if b.county else
            f"The rows of {b.scorecard.root} and the units under it are written to the raw data sheets; the "
            "export's other rows are not in this workbook")
    return [quality_sheet(rows, b.warnings, note)]


def _rows(sheets: list[Sheet]) -> int:
    """Rows in the tables of a raw sheet and its numbered continuations."""
    return sum(len(t.frame) for s in sheets for t in s.tables)


SHEETS: list[Part] = [
    Part(lambda b: [activity_sheet(b.scorecard, b.template)],
         lambda b, _: f"Activity per {'area and team' if b.county else 'unit'}: this month, last month and change."),
    Part(_overview, "Every indicator's latest result and RAG for each unit, side by side.",
         when=lambda b: len(b.units) > 1),
    Part(lambda b: list(b.scorecards.values()),
         lambda b, s: f"{b.unit_of(s)}: every indicator with RAG, target and trend."),
    Part(_uasc, "Results including and excluding unaccompanied asylum-seeking children."),
    Part(lambda b: [b.exceptions],
         lambda b, _: f"A report for every indicator rated Red for {b.scorecard.root}: trend, chart, commentary "
                      "and data notes."),
    Part(lambda b: results_sheets(b.scorecard.results, b.scorecard.month),
         "Table: every result by indicator, unit, cohort and month (for pivoting).", raw=True),
    Part(lambda b: spc_sheets(b.scorecard.spc, b.scorecard.month, b.template.spc.window_months),
         "Table: every SPC point by indicator, unit, cohort and month, with its mean, limits and special cause.",
         when=lambda b: b.scorecard.spc is not None, raw=True),
    Part(lambda b: [definitions_sheet(b.scorecard.definitions)],
         "Table: indicator definitions, targets and thresholds."),
    Part(lambda b: b.activity_data, "Table: every input row of the Activity sheet.", raw=True),
    Part(lambda b: b.indicator_data, "Table: every input row of the Indicators sheet.", raw=True),
    Part(lambda b: [b.trends[0]],
         lambda b, _: "The last 13 months per indicator of each scorecard (data for the sparklines"
                      + (")." if b.spc_charts[0] is not None else " and charts).")),
    Part(lambda b: [b.spc_charts[0]],
         "The exception reports' SPC charts: each month's value, mean, process limits and target.",
         when=lambda b: b.spc_charts[0] is not None),
    Part(_quality, "Rows read and written per sheet, and every warning."),
]


def workbook_layout(scorecard: Scorecard, template: Template, export: Export, source: dict[str, str],
                    raw_data: str = "include", unit: str | None = None) -> tuple[WorkbookLayout, WorkbookLayout | None]:
    """The workbook, and a companion holding the raw sheets (Sheet.raw) when raw_data is 'separate'.

    unit: a unit's own workbook (its scorecard, activity, impact of UASC, exception reports, and
        raw data of the unit and the units under it only); None or the root: the county workbook,
        with a scorecard sheet for each unit the template names and the RAG overview across them.
    source: the input's name, SHA-256, the date produced and (for 'separate') the companion's
        file name, for the Contents sheet.
    """
    book = _book(scorecard, template, export, unit)
    sheets = [sheet for part in SHEETS for sheet in part.sheets(book)]
    separate = raw_data == "separate"
    elsewhere = [s for s in sheets if separate and s.raw]
    sheets = [s for s in sheets if not (separate and s.raw)]
    scorecard = book.scorecard
    unit_reds = [(u, s.name, [(r.indicator, r.title, s.anchors[r.indicator]) for r in scorecard.views[u].exceptions])
                 for u, s in book.scorecards.items() if u != scorecard.root]
    contents = contents_sheet(scorecard, template, sheets, book.exceptions.anchors, source, unit_reds=unit_reds,
                              in_companion=elsewhere)
    month_text = scorecard.month.strftime("%b %Y")
    title = workbook_title(scorecard, template)

    def workbook(name: str, book_sheets: list[Sheet]) -> WorkbookLayout:
        return WorkbookLayout(title=f"{name}: {month_text}", subject=f"{template.organisation}: {template.title}",
                              company=template.organisation, month=scorecard.month, sheets=book_sheets)

    main = workbook(title, [contents, *sheets])
    main.warnings = book.warnings
    companion = workbook(f"{title} (raw data)", elsewhere) if elsewhere else None
    return main, companion


def _book(scorecard: Scorecard, template: Template, export: Export, unit: str | None) -> Book:
    """The county's book (unit None or the root), or the unit's, scoped to its subtree."""
    if unit is None or unit == template.organisation_tree.name:
        units = template.scorecard_units
        warnings = [*scorecard.warnings, *(w for u in units for w in scorecard.views[u].warnings)]
        return Book(scorecard, template, export, units, warnings, county=True)
    scorecard, export = unit_scope(scorecard, export, template, unit)
    return Book(scorecard, template, export, [unit], [*export.warnings, *scorecard.views[unit].warnings],
                county=False)

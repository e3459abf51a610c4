"""The Impact of UASC sheet: results with and without unaccompanied asylum-seeking children."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import pandas as pd

from ...engine.template import Indicator, Template
from ...model import ALL, EXCL, Scorecard
from .columns import RAG_SAMPLE, Column, put_headers, put_row, rag_ranges, titles_col, widths_for
from .common import BACK_TO_CONTENTS, blank, count_style, financial_year, result_style, section_row, target
from .model import Sheet, link_to
from .sizing import FIGURE, fit_to_pages

HEADER_ROW = 3
LONG_HEADER_LINES = 4  # the headings are long ("Including UASC: Latest Result"): more lines, narrower columns


@dataclass(frozen=True)
class UascRow:
    """One indicator's row for one unit: its results this month with and without UASC."""

    indicator: Indicator
    unit: str
    month: pd.Timestamp
    including: pd.Series | None  # cohort All's results; None: none this month
    excluding: pd.Series | None  # cohort Excluding UASC's


def uasc_columns(template: Template, month: pd.Timestamp, shown: list[Indicator]) -> list[Column[UascRow]]:
    """The sheet's columns, left to right; shown: the indicators on the sheet (for the widths)."""
    return [
        Column("Indicators", lambda r: r.indicator.title, "wrap", titles=True),
        Column("Polarity", lambda r: r.indicator.polarity, "dot", [i.polarity for i in shown]),
        Column("Data Period", lambda r: r.indicator.period, "dot", [i.period for i in shown]),
        *_cohort_columns("Including UASC", lambda r: r.including),
        Column(f"Target for {financial_year(month, template)}", lambda r: target(r.indicator, r.month, r.unit),
               _result),
        *_cohort_columns("Excluding UASC", lambda r: r.excluding),
        Column("Variance with UASC excluded", _variance, lambda r: result_style(r.indicator, signed=True),
               ["+" + FIGURE]),
    ]


def _cohort_columns(cohort: str, results: Callable[[UascRow], pd.Series | None]) -> list[Column[UascRow]]:
    """A cohort's latest result, RAG, numerator and denominator."""
    def figure(name: str) -> Callable[[UascRow], object]:
        return lambda r: None if results(r) is None else blank(results(r)[name])

    return [
        Column(f"{cohort}: Latest Result", figure("Result"), _result),
        Column(f"{cohort}: RAG", figure("RAG"), "rag", RAG_SAMPLE, rag=True),
        Column(f"{cohort}: Num", lambda r: figure("Numerator")(r) if r.indicator.has_denominator else None,
               lambda r: count_style(r.indicator.fractional_numerator)),
        Column(f"{cohort}: Denom", figure("Denominator"), lambda r: count_style(r.indicator.fractional_denominator)),
    ]


def _result(r: UascRow) -> str:
    return result_style(r.indicator)


def _variance(r: UascRow) -> float | None:
    """The result excluding UASC less the result including them, where both are there."""
    if r.including is None or r.excluding is None:
        return None
    a, b = blank(r.including["Result"]), blank(r.excluding["Result"])
    return None if a is None or b is None else b - a


def uasc_sheet(scorecard: Scorecard, template: Template) -> Sheet | None:
    """The template's blocks of units and indicators; in a unit's own workbook, only the blocks for
    that unit (no sheet when it has none)."""
    spec = template.uasc_impact
    if spec is None:
        return None
    blocks = [(s.title, s.unit, spec.unit_indicators) for s in spec.unit_sections]
    blocks.append((spec.other_title, spec.other_unit, spec.other_indicators))
    if scorecard.root != template.organisation_tree.name:
        blocks = [block for block in blocks if block[1] == scorecard.root]
        if not blocks:
            return None
    month = scorecard.month
    sheet = Sheet(spec.sheet, f"{spec.heading or spec.sheet}: {month:%b %Y}", printed=True)
    sheet.put(0, 0, sheet.title, "title")
    sheet.put(1, 0, "Each indicator including and excluding unaccompanied asylum-seeking children (UASC). "
                    "Variance = result excluding UASC minus result including UASC.", "note")
    sheet.put(2, 0, BACK_TO_CONTENTS, "link", link=link_to("Contents"))
    shown = [template.indicator(i) for _, _, ids in blocks for i in ids]
    columns = uasc_columns(template, month, shown)
    put_headers(sheet, HEADER_ROW, columns)

    results = scorecard.results
    latest = results[results["Month"] == month].set_index(["Indicator", "Unit", "Cohort"])
    row = HEADER_ROW + 1
    first = row
    titles: dict[int, str] = {}
    together = [(0, HEADER_ROW)]  # rows kept on one page: the title and header, each section
    for title, unit, ids in blocks:
        section_row(sheet, row, title, len(columns))
        together.append((row, row + len(ids)))
        row += 1
        for ind_id in ids:
            ind = template.indicator(ind_id)
            titles[row] = ind.title
            including, excluding = (latest.loc[(ind.id, unit, c)] if (ind.id, unit, c) in latest.index else None
                                    for c in (ALL, EXCL))
            put_row(sheet, row, columns, UascRow(ind, unit, month, including, excluding))
            row += 1
    sheet.rag_ranges += rag_ranges(columns, first, row - 1)
    sheet.widths = widths_for(columns, lines=LONG_HEADER_LINES)
    sheet.freeze = (HEADER_ROW + 1, titles_col(columns) + 1)  # the titles stay in view
    sheet.header_rows = (HEADER_ROW, HEADER_ROW)
    fit_to_pages(sheet, titles_col(columns), titles, together)
    return sheet

"""The scorecard sheet's columns, left to right (columns.py describes an entry).

With SPC on (the template's `spc`), two more columns: the reporting month's Variation and
Assurance for the unit (cohort All), as words in the cell, for screen readers, filters and
grey-scale print, with Making Data Count's icon (icons.py) in the cell's indent, left of
the words. The columns are as narrow as the longest words allow in SPC_LINES lines, the
same for every unit, and each row is as tall as its words need. (The words make the Kent
scorecard print on three pages rather than two.) The sparklines' column is always last:
it is for the screen, and the print stops before it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import pandas as pd

from ...engine.spc import FAIL, HIT_AND_MISS, PASS, VARIATIONS
from ...engine.template import Indicator, Template
from ..styles import SPC_INDENT_SPACES
from .columns import DOT_SAMPLE, RAG_SAMPLE, Column
from .common import blank, count_style, financial_year, result_style, target
from .page import width_for_px
from .sizing import HEADER_LINES
from .textfit import narrowest_px, text_px


@dataclass(frozen=True)
class ScorecardRow:
    """One indicator's row on a unit's scorecard."""

    indicator: Indicator
    latest: pd.Series  # the unit's results for the reporting month, cohort All (calculator.unit_results)
    unit: str
    month: pd.Timestamp


SPC_HEADERS = {"Variation": VARIATIONS, "Assurance": (PASS, FAIL, HIT_AND_MISS)}  # and every verdict they show
# Lines the longest verdict wraps into: many titles take two lines anyway, and narrower columns would
# leave the titles too little width (the scorecard prints one page wide, at 8 pt or more).
SPC_LINES = 2
INDENT_PX = text_px(" " * SPC_INDENT_SPACES)  # the room the "spc" style leaves left of the words, for the icon
SPARKLINES: Column[ScorecardRow] = Column("Last 13 Months", None, width=16, printed=False)


def scorecard_columns(template: Template, month: pd.Timestamp, spc: bool) -> list[Column[ScorecardRow]]:
    """The columns of every unit's scorecard for `month`; spc: with the Variation and Assurance columns."""
    indicators = template.indicators
    return [
        Column("ID", lambda r: r.indicator.id, width_sample=[i.id for i in indicators]),
        Column("Indicator", lambda r: r.indicator.title, "wrap", titles=True),
        Column("Polarity", lambda r: r.indicator.polarity, "dot", [i.polarity for i in indicators]),
        Column("Data Period", lambda r: r.indicator.period, "dot", [i.period for i in indicators]),
        Column("Latest Result", figure("Result"), result_format),
        Column("RAG", figure("RAG"), "rag", RAG_SAMPLE, rag=True),
        Column("Num", lambda r: figure("Numerator")(r) if r.indicator.has_denominator else None,
               lambda r: count_style(r.indicator.fractional_numerator)),
        Column("Denom", figure("Denominator"), lambda r: count_style(r.indicator.fractional_denominator)),
        Column(f"Target for {financial_year(month, template)}", lambda r: target(r.indicator, r.month, r.unit),
               result_format),
        Column("1 Month Ago Result", figure("Result 1 Month Ago"), result_format),
        Column("1 Month Ago DoT", figure("DoT 1 Month"), "dot", DOT_SAMPLE),
        Column("1 Year Ago Result", figure("Result 1 Year Ago"), result_format),
        Column("1 Year Ago DoT", figure("DoT 1 Year"), "dot", DOT_SAMPLE),
        Column("Rolling 3 Months", figure("Rolling 3 Months"), result_format),
        Column("Rolling 3 Months RAG", figure("Rolling 3 Months RAG"), "rag", RAG_SAMPLE, rag=True),
        *([_spc_column(header) for header in SPC_HEADERS] if spc else []),
        SPARKLINES,
    ]


def figure(name: str) -> Callable[[ScorecardRow], object]:
    """The value of the unit's result column `name` (calculator.RESULT_COLUMNS); None where missing."""
    return lambda r: blank(r.latest[name])


def result_format(r: ScorecardRow) -> str:
    """The indicator's own number format (percent, count, average; its decimals)."""
    return result_style(r.indicator)


def _spc_column(header: str) -> Column[ScorecardRow]:
    return Column(header, figure(header), "spc", width=_spc_width(header), icon=True)


def _spc_width(header: str) -> float:
    """A column as narrow as its heading (in HEADER_LINES lines) and every verdict it can show (in
    SPC_LINES lines, right of the indent) allow."""
    words = narrowest_px(list(SPC_HEADERS[header]), SPC_LINES)
    return width_for_px(max(narrowest_px([header], HEADER_LINES, bold=True), INDENT_PX + words))

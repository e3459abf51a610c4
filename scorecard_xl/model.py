"""The types the pipeline's stages hand to each other.

The reader produces an `Export`, the calculator a `Scorecard`; both, and the layout,
report `Problem`s. Keeping them here lets the engine (template, calculator) work on
plain data without importing the reader's or the writer's machinery.

Problems: every message names the sheet, the row as Excel numbers it, and the column,
so an analyst can go straight to the cell. Errors stop the run; warnings are reported
and listed in the workbook's Data Quality sheet.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Literal

if TYPE_CHECKING:  # annotations only: importing the model costs nothing at start-up
    import pandas as pd

SCALE = 10_000  # numerators and denominators are stored in units of 1/SCALE (exact sums of FTE figures)

ALL, EXCL = "All", "Excluding UASC"  # the cohorts: every child, and without UASC
COHORTS = (ALL, EXCL)
UP, DOWN, SAME = "↑", "↓", "→"  # direction of travel: improved, worsened, unchanged


@dataclass(frozen=True)
class Problem:
    severity: Literal["error", "warning"]
    message: str
    sheet: str | None = None
    row: int | None = None  # Excel's row number (the header is row 1)
    column: str | None = None

    @property
    def location(self) -> str:
        parts = []
        if self.sheet:
            parts.append(f"sheet {self.sheet!r}")
        if self.row is not None:
            parts.append(f"row {self.row}")
        if self.column:
            parts.append(f"column {self.column!r}")
        return ", ".join(parts)

    def __str__(self) -> str:
        where = self.location
        return f"{self.severity}: {where}: {self.message}" if where else f"{self.severity}: {self.message}"


class InputError(Exception):
    """The export cannot be used; `problems` lists every error found (and the warnings)."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        errors = [p for p in problems if p.severity == "error"]
        super().__init__(f"{len(errors)} error(s) in the input")

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "error"]


@dataclass
class Export:
    """The checked contents of one export.

    activity: Month, Unit, Row, then one integer column per activity measure.
    indicators: Month, Indicator, Unit, UASC (bool), Numerator, Denominator (ints in
        1/SCALE units; Denominator 0 for count indicators), Row.
    commentary: Month, Indicator, Commentary, Row.
    """

    path: Path
    activity: pd.DataFrame
    indicators: pd.DataFrame
    commentary: pd.DataFrame
    warnings: list[Problem] = field(default_factory=list)
    rows_read: dict[str, int] = field(default_factory=dict)


@dataclass
class ExceptionReport:
    indicator: str
    title: str
    trend: pd.DataFrame  # Month, Result, Target, RAG for the last 4 months
    commentary: str | None


@dataclass
class Scorecard:
    month: pd.Timestamp
    activity: pd.DataFrame
    results: pd.DataFrame
    definitions: pd.DataFrame
    rag_counts: dict[str, int]
    exceptions: list[ExceptionReport]
    warnings: list[Problem] = field(default_factory=list)

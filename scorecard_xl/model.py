"""The types the pipeline's stages hand to each other.

The reader produces an `Export`, the calculator a `Scorecard`; both, and the layout,
report `Problem`s. Keeping them here lets the engine (template, calculator) work on
plain data without importing the reader's or the writer's machinery.

Problems: every message names the sheet, the row as Excel numbers it, and the column,
so an analyst can go straight to the cell. Errors stop the run; warnings are reported
and listed in the workbook's Data Quality sheet. One Problem may stand for the same
problem on many rows (`count`); count problems with `problem_count`, not `len`.
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
LISTED_ROWS = 5  # rows named in the text of a problem found on many rows; the rest are counted


@dataclass(frozen=True)
class Problem:
    severity: Literal["error", "warning"]
    message: str
    sheet: str | None = None
    row: int | None = None  # Excel's row number (the header is row 1); the first of `rows`
    column: str | None = None
    count: int = 1  # how many problems it stands for: one per row found, or all that a summary line counts
    rows: tuple[int, ...] = ()  # every row it was found on, when more than one
    file: str | None = None  # the file's name, when a run reads several (Annex A lists)

    @property
    def rows_text(self) -> str:
        """'row 7', 'rows 2, 3, 4, 5, 6 and 17,995 more', or '' when no row applies."""
        if self.rows:
            shown = self.rows if len(self.rows) <= LISTED_ROWS + 1 else self.rows[:LISTED_ROWS]  # never "and 1 more"
            more = len(self.rows) - len(shown)
            return f"rows {', '.join(map(str, shown))}" + (f" and {more:,} more" if more else "")
        return "" if self.row is None else f"row {self.row}"

    @property
    def location(self) -> str:
        parts = []
        if self.file:
            parts.append(f"file {self.file!r}")
        if self.sheet:
            parts.append(f"sheet {self.sheet!r}")
        if self.rows_text:
            parts.append(self.rows_text)
        if self.column:
            parts.append(f"column {self.column!r}")
        return ", ".join(parts)

    def __str__(self) -> str:
        where = self.location
        return f"{self.severity}: {where}: {self.message}" if where else f"{self.severity}: {self.message}"


def problem_count(problems: list[Problem]) -> int:
    """How many problems these are: a line standing for 18,000 rows counts 18,000."""
    return sum(p.count for p in problems)


class OptionError(ValueError):
    """A choice that cannot be made: an option's value, or options that do not go together. Raised
    by the Python API, which checks every option once; the command line shows it as the error of
    `option` (its name there, e.g. "--unit"), exit code 2."""

    def __init__(self, message: str, option: str):
        super().__init__(message)
        self.option = option


class InputError(Exception):
    """The export cannot be used; `problems` lists every error found (and the warnings)."""

    SHOWN = 10  # errors listed in the exception's text (a notebook shows it); `problems` holds them all

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        errors = self.errors
        lines = [str(p) for p in errors[:self.SHOWN]]
        if len(errors) > self.SHOWN:
            lines.append(f"... and {len(errors) - self.SHOWN:,} more lines (see .problems)")
        super().__init__("\n".join([f"{self.error_count:,} error(s) in the input:", *lines]))

    @property
    def errors(self) -> list[Problem]:
        """The error lines; `error_count` is how many errors they stand for."""
        return [p for p in self.problems if p.severity == "error"]

    @property
    def error_count(self) -> int:
        return problem_count(self.errors)


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
class UnitView:
    """What one unit's scorecard shows besides its results: its activity table (the unit and the
    units under it), its RAG counts, its Red indicators' exception reports, and warnings about it."""

    unit: str
    activity: pd.DataFrame
    rag_counts: dict[str, int]
    exceptions: list[ExceptionReport]
    warnings: list[Problem] = field(default_factory=list)


@dataclass
class Scorecard:
    """Every figure for the reporting month: the results of every unit, and a view per unit shown."""

    month: pd.Timestamp
    results: pd.DataFrame
    definitions: pd.DataFrame
    root: str
    views: dict[str, UnitView]  # the root first, then each unit with a scorecard or a workbook
    warnings: list[Problem] = field(default_factory=list)  # about the export and the root's figures
    spc: pd.DataFrame | None = None  # SPC points in the window (engine/signals.py); None when switched off
    spc_series: pd.DataFrame | None = None  # per indicator, unit and cohort: Points, Variation, Assurance

    # The root unit's (the county's) view, as the county workbook shows it.
    @property
    def activity(self) -> pd.DataFrame:
        return self.views[self.root].activity

    @property
    def rag_counts(self) -> dict[str, int]:
        return self.views[self.root].rag_counts

    @property
    def exceptions(self) -> list[ExceptionReport]:
        return self.views[self.root].exceptions

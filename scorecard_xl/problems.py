"""Problems found in an export: where they are and what was expected.

Every message names the sheet, the row as Excel numbers it, and the column, so an
analyst can go straight to the cell. Errors stop the run; warnings are reported and
listed in the workbook's Data Quality sheet.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal


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

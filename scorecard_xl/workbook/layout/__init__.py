"""Describe every sheet of a scorecard workbook; writer.py renders the description.

assembly.py lists the sheets in order (SHEETS) and puts the workbook together; a sheet's
module lays it out, and a table of indicators is described column by column (columns.py:
the scorecard's columns are in scorecard_columns.py, the impact of UASC's in uasc.py).
"""

from __future__ import annotations

from .assembly import workbook_layout
from .model import WorkbookLayout
from .scope import scoped_scorecard, unit_scope

__all__ = ["workbook_layout", "WorkbookLayout", "scoped_scorecard", "unit_scope"]

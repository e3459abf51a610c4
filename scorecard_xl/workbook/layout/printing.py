"""The workbook to print: the sheets a manager takes to committee, and nothing else.

The sheets' builders mark them (Sheet.printed): the cover (Contents), the activity table,
the scorecard, the impact of UASC and the exception reports. The printable workbook holds
those, in the workbook's order, with a Contents sheet rebuilt to list only them (and name
the sheets left out), and keeps the sheets their charts and sparklines read from, hidden,
so the charts are drawn but not printed.
"""

from __future__ import annotations

import dataclasses
import re

from ...engine.template import Template
from ...model import Scorecard
from .contents import SHEET as CONTENTS
from .contents import contents_sheet
from .exceptions import SHEET as EXCEPTIONS
from .model import Sheet, WorkbookLayout
from .scope import scoped_scorecard

_SHEET_REF = re.compile(r"'((?:[^']|'')+)'!")  # a quoted sheet name in a range


def printable_layout(layout: WorkbookLayout, scorecard: Scorecard, template: Template,
                     source: dict[str, str], unit: str | None = None) -> WorkbookLayout:
    """`layout` (the main workbook) cut down to the sheets to print.

    scorecard, template, source, unit: as given to workbook_layout, to rebuild the Contents sheet.
    """
    if unit is not None:
        scorecard = scoped_scorecard(scorecard, template, unit)
    printed = [s for s in layout.sheets if s.printed and s.name != CONTENTS]
    needed = set().union(*(_data_sheets(s) for s in printed))
    left_out = [s.name for s in layout.sheets if not s.printed]
    exception_rows = next((dict(s.anchors) for s in printed if s.name == EXCEPTIONS), {})
    contents = contents_sheet(scorecard, template, printed, exception_rows, source, not_printed=left_out)
    sheets = [contents]
    for sheet in layout.sheets:
        if sheet.printed and sheet.name != CONTENTS:
            sheets.append(sheet)
        elif sheet.name in needed:
            sheets.append(dataclasses.replace(sheet, hidden=True))
    return dataclasses.replace(layout, sheets=sheets)


def _data_sheets(sheet: Sheet) -> set[str]:
    """The sheets that `sheet`'s sparklines and charts take their data from."""
    refs = [s.data_range for s in sheet.sparklines]
    refs += [r for c in sheet.charts for s in c.series for r in (s.categories, s.values)]
    return {name.replace("''", "'") for ref in refs for name in _SHEET_REF.findall(ref)}

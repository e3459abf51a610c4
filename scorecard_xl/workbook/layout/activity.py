"""The SCS Activity sheet: caseloads, referrals, CP and LAC counts per unit."""

from __future__ import annotations

from ...engine.template import Template
from ...model import Scorecard
from .common import BACK_TO_CONTENTS, blank
from .model import Sheet, link_to

HEADER_ROW = 3


def activity_sheet(scorecard: Scorecard, template: Template) -> Sheet:
    month = scorecard.month
    sheet = Sheet("SCS Activity", f"SCS Activity: {month:%b %Y}")
    sheet.put(0, 0, sheet.title, "title")
    sheet.put(1, 0, f"This month is {month:%B %Y}; last month is the month before. "
                    "Changes are this month minus last month.", "note")
    sheet.put(2, 0, BACK_TO_CONTENTS, "link", link=link_to("Contents"))
    table = scorecard.activity
    for col, name in enumerate(table.columns):
        sheet.put(HEADER_ROW, col, name, "header")
    for i, record in enumerate(table.itertuples(index=False)):
        row = HEADER_ROW + 1 + i
        for col, (name, value) in enumerate(zip(table.columns, record)):
            if col == 0:
                style = "label" if template.units[value].units else "text"
            else:
                style = "signed" if name.endswith(" - Change") else "integer"
            sheet.put(row, col, blank(value), style)
    sheet.widths = {0: 26, **{c: 9 for c in range(1, len(table.columns))}}
    sheet.row_heights = {HEADER_ROW: 54}
    sheet.freeze = (HEADER_ROW + 1, 1)
    sheet.header_rows = (HEADER_ROW, HEADER_ROW)
    return sheet

"""An empty input workbook for a template, for an analyst to paste an export into or fill by hand.

Sheets:

- `Instructions`: what each sheet and column means, the teams, the activity measures and
  the indicators (ID, title, polarity, data period, whether a denominator is needed and
  whether fractions are allowed), and the commands to run next.
- `Activity`, `Indicators`, `Commentary`: the header row exactly as the reader expects it,
  and data validation on typed entries: Month a date, Team and Indicator from lists,
  UASC Y or N, activity counts whole numbers >= 0, Numerator and Denominator numbers
  >= 0 (decimals allowed: the few FTE indicators need them; the reader refuses a
  fraction for any other indicator). Pasted values bypass Excel's validation, so
  `scorecard-xl validate` remains the check.
- `Lists` (hidden): the team names and indicator IDs the drop-down lists point at (an
  inline list is limited to 255 characters; a range is not).

Written with XlsxWriter to a temporary file beside the target and put in place (files.py).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from ..engine.template import Template
from ..files import replacing
from ..reading.reader import (
    ACTIVITY,
    COMMENTARY,
    COMMENTARY_COLUMNS,
    COMMENTARY_TEAM,
    INDICATOR_COLUMNS,
    INDICATORS,
)
from .writer import close

# The Commentary sheet's columns, the optional Team before the text.
COMMENTARY_SHEET_COLUMNS = [*COMMENTARY_COLUMNS[:2], COMMENTARY_TEAM, COMMENTARY_COLUMNS[2]]
INSTRUCTIONS = "Instructions"
LISTS = "Lists"
LAST_ROW = 1_048_575  # Excel's last row, 0-based
TEAM_LIST, INDICATOR_LIST = "TeamNames", "IndicatorIDs"
MONTH_RANGE = (dt.datetime(1950, 1, 1), dt.datetime(2099, 12, 31))
POLARITY = {"H": "H: higher is better", "L": "L: lower is better", "T": "T: on target is best"}
PERIOD = {"R12M": "R12M: rolling 12 months", "SS": "SS: month-end snapshot"}
UNIT = {"percent": "percentage", "count": "count", "average": "average"}


def activity_columns(template: Template) -> list[str]:
    return ["Month", "Team", *[m.column for m in template.activity_measures]]


def write_blank(template: Template, path: Path, template_ref: str) -> Path:
    """Write the empty input workbook for `template` to `path`, atomically.

    template_ref: how the user named the template (for the commands in the instructions).
    """
    path = Path(path)
    with replacing(path) as (tmp,):
        _write(template, str(tmp), path.name, template_ref)
    return path


def _write(template: Template, filename: str, shown_name: str, template_ref: str) -> None:
    import xlsxwriter

    book = xlsxwriter.Workbook(filename, {"strings_to_formulas": False, "strings_to_urls": False,
                                          "strings_to_numbers": False})
    book.set_properties({"title": f"{template.title}: input workbook", "company": template.organisation,
                         "author": "scorecard-xl", "created": dt.datetime(2000, 1, 1)})
    f = _Formats(book)
    instructions = book.add_worksheet(INSTRUCTIONS)
    activity = book.add_worksheet(ACTIVITY)
    indicators = book.add_worksheet(INDICATORS)
    commentary = book.add_worksheet(COMMENTARY)
    lists = book.add_worksheet(LISTS)

    units = list(template.units)
    ids = [i.id for i in template.indicators]
    _write_lists(book, lists, units, ids, f)

    # ----- Activity
    columns = activity_columns(template)
    _header(activity, columns, f)
    _month_column(activity, 0, f)
    _team_column(activity, 1)
    for col in range(2, len(columns)):
        activity.set_column(col, col, max(12, len(columns[col]) + 2))
        _validate(activity, col, {
            "validate": "integer", "criteria": ">=", "value": 0,
            "input_title": columns[col][:32], "input_message": "A whole number, 0 or more.",
            "error_title": "Whole number", "error_message": f"{columns[col]} counts whole items: 0, 1, 2 ..."})

    # ----- Indicators
    _header(indicators, INDICATOR_COLUMNS, f)
    _month_column(indicators, 0, f)
    _indicator_column(indicators, 1)
    _team_column(indicators, 2)
    _validate(indicators, 3, {
        "validate": "list", "source": ["Y", "N"],
        "input_title": "UASC", "input_message": "Y: the row counts unaccompanied asylum-seeking children; N: others.",
        "error_title": "Y or N", "error_message": "Type Y or N."})
    indicators.set_column(3, 3, 8)
    fte = [i.id for i in template.indicators if i.fractional_numerator or i.fractional_denominator]
    fte_note = f" Fractions (up to 4 decimal places) only for indicators {', '.join(fte)} (FTE)." if fte else ""
    for col, name, extra in ((4, "Numerator", ""), (5, "Denominator", " Leave empty for count indicators.")):
        indicators.set_column(col, col, 13)
        _validate(indicators, col, {
            "validate": "decimal", "criteria": ">=", "value": 0,
            "input_title": name, "input_message": (f"A number, 0 or more.{extra}{fte_note}")[:255],
            "error_title": "Number", "error_message": f"{name}: a number, 0 or more."})

    # ----- Commentary: Month, Indicator, Team (optional), Commentary
    _header(commentary, COMMENTARY_SHEET_COLUMNS, f)
    _month_column(commentary, 0, f)
    _indicator_column(commentary, 1)
    _team_column(commentary, 2, "The unit the commentary is for, from the list; leave it empty for "
                                f"{template.organisation_tree.name}.")
    commentary.set_column(3, 3, 100, f["wrap"])

    _write_instructions(instructions, template, shown_name, template_ref, columns, fte, f)
    instructions.activate()
    lists.hide()
    close(book)


class _Formats:
    def __init__(self, book):
        font = {"font_name": "Arial", "font_size": 10}
        self._f = {
            "header": book.add_format({**font, "bold": True, "bg_color": "#D9E1F2", "bottom": 1}),
            "month": book.add_format({**font, "num_format": "mmm yyyy", "align": "left"}),
            "title": book.add_format({**font, "bold": True, "font_size": 14}),
            "subtitle": book.add_format({**font, "bold": True, "font_size": 12}),
            "wrap": book.add_format({**font, "text_wrap": True, "valign": "top"}),
            "text": book.add_format(font),
        }

    def __getitem__(self, name: str):
        return self._f[name]


def _header(ws, columns: list[str], f: _Formats) -> None:
    for col, name in enumerate(columns):
        ws.write_string(0, col, name, f["header"])
    ws.freeze_panes(1, 0)


def _validate(ws, col: int, options: dict) -> None:
    ws.data_validation(1, col, LAST_ROW, col, {"ignore_blank": True, **options})


def _month_column(ws, col: int, f: _Formats) -> None:
    ws.set_column(col, col, 11, f["month"])
    _validate(ws, col, {
        "validate": "date", "criteria": "between", "minimum": MONTH_RANGE[0], "maximum": MONTH_RANGE[1],
        "input_title": "Month", "input_message": "The month, as a date (any day of it), e.g. 1/8/2016 for Aug 2016.",
        "error_title": "Month", "error_message": "Type a date, e.g. 1/8/2016 for August 2016."})


def _team_column(ws, col: int, message: str = "A team, area or the county, from the list (see Instructions).") -> None:
    ws.set_column(col, col, 28)
    _validate(ws, col, {
        "validate": "list", "source": f"={TEAM_LIST}",
        "input_title": "Team", "input_message": message[:255],
        "error_title": "Unknown team", "error_message": "Choose a unit from the list; the names are on the "
                                                         "Instructions sheet."})


def _indicator_column(ws, col: int) -> None:
    ws.set_column(col, col, 10)
    _validate(ws, col, {
        "validate": "list", "source": f"={INDICATOR_LIST}",
        "input_title": "Indicator", "input_message": "The indicator's ID, from the list (see Instructions).",
        "error_title": "Unknown indicator", "error_message": "Choose an indicator ID from the list; the IDs are "
                                                              "on the Instructions sheet."})


def _id_value(ident: str):
    """A numeric ID as a number, so it matches what Excel enters when one is typed or picked."""
    return int(ident) if ident.isdigit() and not (len(ident) > 1 and ident.startswith("0")) else ident


def _write_lists(book, ws, units: list[str], ids: list[str], f: _Formats) -> None:
    ws.write_string(0, 0, "Team", f["header"])
    ws.write_string(0, 1, "Indicator", f["header"])
    for r, unit in enumerate(units, start=1):
        ws.write_string(r, 0, unit)
    for r, ident in enumerate(ids, start=1):
        value = _id_value(ident)
        ws.write_number(r, 1, value) if isinstance(value, int) else ws.write_string(r, 1, value)
    ws.set_column(0, 0, 30)
    book.define_name(TEAM_LIST, f"={LISTS}!$A$2:$A${len(units) + 1}")
    book.define_name(INDICATOR_LIST, f"={LISTS}!$B$2:$B${len(ids) + 1}")


# Instructions columns (character widths); text wraps inside them.
INSTRUCTION_WIDTHS = [16, 48, 40, 18, 22, 12, 14, 18]
LINE_HEIGHT = 12.75  # points, one line of Arial 10


def _height(texts_and_widths) -> float | None:
    """A row height that shows every wrapped text whole (XlsxWriter cannot autofit)."""
    import math

    lines = max((sum(max(1, math.ceil(len(part) / max(1.0, width * 1.15))) for part in str(text).split("\n"))
                 for text, width in texts_and_widths), default=1)
    return None if lines <= 1 else lines * LINE_HEIGHT + 2


def _write_instructions(ws, template: Template, shown_name: str, template_ref: str, activity_cols: list[str],
                        fte: list[str], f: _Formats) -> None:
    row = 0
    widths = INSTRUCTION_WIDTHS
    last_col = len(widths) - 1

    def line(text: str, style: str = "wrap") -> None:
        nonlocal row
        ws.merge_range(row, 0, row, last_col, None, f[style])
        ws.write_string(row, 0, text, f[style])
        height = _height([(text, sum(widths))]) if style == "wrap" else None
        if height:
            ws.set_row(row, height)
        row += 1

    def table(headers: list[str], rows: list[list[str]]) -> None:
        nonlocal row
        for c, h in enumerate(headers):
            ws.write_string(row, c, h, f["header"])
        row += 1
        for values in rows:
            for c, v in enumerate(values):
                ws.write_string(row, c, str(v), f["wrap"])
            height = _height([(v, widths[c]) for c, v in enumerate(values)])
            if height:
                ws.set_row(row, height)
            row += 1
        row += 1

    line(f"{template.title}: input workbook", "title")
    line(f"{template.organisation}. Template: {template.name}. Data source: {template.data_source}.", "text")
    row += 1
    line("How to use it", "subtitle")
    steps = [
        "1. Paste the month's export into the sheets Activity, Indicators and (optionally) Commentary, below the "
        "header row, or type the rows by hand. Keep each header row as it is; the column order does not matter.",
        "2. Months are dates (any day of the month; text such as 2016-08 or Aug 2016 is also read). Give every "
        "month the scorecard needs: R12M indicators need the 12 months to the reporting month, and 12 more "
        "for the result a year ago.",
        "3. The drop-down lists and checks help when typing; Excel does not check pasted values, so run: "
        f"scorecard-xl validate {shown_name} --template {template_ref}",
        "4. Then make the scorecard: "
        f"scorecard-xl generate {shown_name} --template {template_ref} --raw-data separate",
    ]
    for step in steps:
        line(step)
    row += 1

    line("Sheets and columns", "subtitle")
    team_text = ("A unit of the organisation (see Teams below): usually a team; an area or the county only "
                 "when the export has no team breakdown. Never both a unit and a unit above it in the same month.")
    rows = [
        [ACTIVITY, "", "One row per team per month."],
        ["", "Month", "The month."],
        ["", "Team", team_text],
        *[["", m.column, f"{m.label}: " + ("the count at the end of the month (snapshot)." if m.kind == "snapshot"
                                           else "the number in the month (events).") + " A whole number, 0 or more."]
          for m in template.activity_measures],
        [INDICATORS, "", "One row per month, indicator, team and UASC status."],
        ["", "Month", "The month."],
        ["", "Indicator", "The indicator's ID (see Indicators below)."],
        ["", "Team", team_text],
        ["", "UASC", "Y for the figures of unaccompanied asylum-seeking children, N for the others "
                     "(the scorecard shows both together, and the others alone)."],
        ["", "Numerator", "R12M indicators: the month's events; SS indicators: the month-end position. "
                          "A whole number, 0 or more" + (f"; fractions (FTE, up to 4 decimal places) only for "
                                                         f"indicators {', '.join(fte)}." if fte else ".")],
        ["", "Denominator", "As the numerator; empty for count indicators (Denominator needed: No). "
                            "For a percentage, at least the numerator."],
        [COMMENTARY, "", "Optional. One row per month, indicator and unit: the commentary shown on the "
                         "indicator's exception report when it is rated Red for that unit."],
        ["", "Month", "The month."],
        ["", "Indicator", "The indicator's ID."],
        ["", "Team", f"Optional: the unit the commentary is for (its own workbook shows it); empty for "
                     f"{template.organisation_tree.name}."],
        ["", "Commentary", "Text. New lines start new paragraphs."],
    ]
    table(["Sheet", "Column", "What it holds"], rows)

    line("Indicators", "subtitle")
    line("Polarity: H higher is better, L lower is better, T on target is best. Data period: R12M rolling 12 "
         "months (enter each month's events; the scorecard sums 12 months), SS month-end snapshot (enter the "
         "position at the end of the month).")
    table(["ID", "Indicator", "Section", "Polarity", "Data period", "Kind", "Denominator needed",
           "Fractions allowed"],
          [[ind.id, ind.title, template.section_of[ind.id], POLARITY[ind.polarity], PERIOD[ind.period],
            UNIT[ind.unit], "Yes" if ind.has_denominator else "No (leave empty)",
            _fractions(ind)] for ind in template.indicators])

    line("Teams", "subtitle")
    line("Every name the Team column accepts. A unit's figures include everything under it.")
    table(["Level", "Unit", "Part of"],
          [[template.units[u].level, u, template.parent_of[u] or ""] for u in template.units])

    for col, width in enumerate(widths):
        ws.set_column(col, col, width)
    ws.set_landscape()
    ws.set_paper(9)
    ws.fit_to_pages(1, 0)
    ws.repeat_rows(0, 0)


def _fractions(ind) -> str:
    parts = [name for name, allowed in (("numerator", ind.fractional_numerator),
                                        ("denominator", ind.fractional_denominator)) if allowed]
    return f"Yes, {' and '.join(parts)} (FTE)" if parts else "No"

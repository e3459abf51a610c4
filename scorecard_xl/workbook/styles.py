"""Cell styles, by name, as plain XlsxWriter format dicts.

The layout refers to styles by name; the writer creates one Format object per name.
Number formats do the presentation, so every figure stays a number in the workbook:
0.2225 shows as 22.3%, a change of 53 as +53.
"""

from __future__ import annotations

from ..engine.spc import COMMON, CONCERN, IMPROVEMENT, NEUTRAL

FONT = {"font_name": "Arial", "font_size": 10}

STYLES: dict[str, dict] = {
    "title": {"bold": True, "font_size": 14},
    "subtitle": {"bold": True, "font_size": 12},
    "note": {"italic": True, "font_color": "#404040"},
    # Headers sit on the row's foot, beside the figures: a wrapped heading grows upwards.
    "header": {"bold": True, "text_wrap": True, "valign": "bottom", "bottom": 1, "bg_color": "#D9E1F2"},
    "header_link": {"bold": True, "text_wrap": True, "valign": "bottom", "bottom": 1, "bg_color": "#D9E1F2",
                    "font_color": "#0563C1", "underline": 1},
    "header_right": {"bold": True, "text_wrap": True, "valign": "bottom", "bottom": 1, "bg_color": "#D9E1F2",
                     "align": "right"},
    # Read from the foot upwards, so a column of figures is no wider than its figures.
    "header_rotated": {"bold": True, "text_wrap": True, "valign": "bottom", "bottom": 1, "bg_color": "#D9E1F2",
                       "align": "center", "rotation": 90},
    "section": {"bold": True, "bg_color": "#EDEDED"},
    "label": {"bold": True},
    "text": {},
    "wrap": {"text_wrap": True},
    # Lines spread over the row's height: a row sized for Excel's line spacing is not left
    # part empty where LibreOffice sets lines closer.
    "paragraph": {"text_wrap": True, "valign": "vjustify"},
    "integer": {"num_format": "0"},
    "signed": {"num_format": "+0;-0;0"},
    "decimal4": {"num_format": "0.0###"},
    "date": {"num_format": "mmm yyyy", "align": "left"},
    "day": {"num_format": "d mmm yyyy", "align": "left"},
    "rag": {"bold": True, "align": "center"},
    "dot": {"align": "center"},
    "link": {"font_color": "#0563C1", "underline": 1},
    # SPC verdicts beside their icon (icons.py), which sits in the indent: the words wrap to its right.
    "spc": {"text_wrap": True, "align": "left", "indent": 2},
}
SPC_INDENT_SPACES = 3 * STYLES["spc"]["indent"]  # an indent level is 3 spaces of the font (ECMA-376 18.8.1)

# Conditional formats for RAG cells (letters G/A/R or words Green/Amber/Red).
RAG_COLOURS = {
    "G": {"bg_color": "#C6EFCE", "font_color": "#006100"},
    "A": {"bg_color": "#FFEB9C", "font_color": "#7F4F00"},
    "R": {"bg_color": "#FFC7CE", "font_color": "#9C0006"},
}
RAG_WORDS = {"G": "Green", "A": "Amber", "R": "Red"}

# Making Data Count's colours, by the engine's words for a point (engine/spc.py).
SPC_COLOURS = {IMPROVEMENT: "#00B0F0", CONCERN: "#E46C0A", NEUTRAL: "#490092", COMMON: "#A6A6A6"}


def number_style(unit: str, decimals: int, signed: bool = False) -> str:
    """A style for figures of a unit ('percent', 'count', 'average') to `decimals` places."""
    places = "." + "0" * decimals if decimals else ""
    pattern = f"0{places}%" if unit == "percent" else f"0{places}"
    name = f"{'signed_' if signed else ''}{'pct' if unit == 'percent' else 'num'}{decimals}"
    if name not in STYLES:
        fmt = f"+{pattern};-{pattern};{pattern}" if signed else pattern
        STYLES[name] = {"num_format": fmt}
    return name


def style_dict(name: str) -> dict:
    # Text starts at the top of its cell, level with the first line of a wrapped title beside it.
    return {**FONT, "valign": "top", **STYLES[name]}

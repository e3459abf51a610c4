"""Cell styles, by name, as plain XlsxWriter format dicts.

The layout refers to styles by name; the writer creates one Format object per name.
Number formats do the presentation, so every figure stays a number in the workbook.
"""

from __future__ import annotations

FONT = {"font_name": "Arial", "font_size": 10}

STYLES: dict[str, dict] = {
    "title": {"bold": True, "font_size": 14},
    "subtitle": {"italic": True},
    "header": {"bold": True, "text_wrap": True, "valign": "top", "bottom": 1, "bg_color": "#D9E1F2"},
    "text": {},
    "wrap": {"text_wrap": True, "valign": "top"},
    "integer": {"num_format": "#,##0"},
    "decimal1": {"num_format": "#,##0.0"},
    "decimal4": {"num_format": "#,##0.0###"},
    "percent1": {"num_format": "0.0%"},
    "date": {"num_format": "mmm yyyy"},
    "link": {"font_color": "#0563C1", "underline": 1},
}


def number_style(unit: str, decimals: int) -> str:
    """The style for an indicator's results: percent, or a number to `decimals` places."""
    name = f"{'percent' if unit == 'percent' else 'number'}{decimals}"
    if name not in STYLES:
        places = "." + "0" * decimals if decimals else ""
        STYLES[name] = {"num_format": f"0{places}%" if unit == "percent" else f"#,##0{places}"}
    return name


def style_dict(name: str) -> dict:
    return {**FONT, **STYLES[name]}

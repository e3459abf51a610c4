"""What a generated scorecard workbook says, read back from the file itself.

The email body is written from this, so `scorecard-xl email` works on any workbook that
`generate` wrote (this month's or an old one), without the export or the template, and
`generate --email` reads the workbook it has just written: both give the same body.

Read with openpyxl (read-only, so only the two sheets needed are parsed):

- `Contents`: title, organisation, the unit the workbook is for, reporting month, date
  produced, input file name and SHA-256, template and data source (the labelled rows under
  the title; a workbook written before the `Unit` row names its unit in "Latest performance
  RAG rating (Kent)"); the companion raw-data file from sheet names such as
  "Results (in scorecard-2016-08-data.xlsx)".
- The scorecard sheet (found by its header row: ID, Indicator, ... Latest Result, RAG,
  Target ...): the RAG counts under the table, each indicator rated R with its latest
  result and target as the workbook shows them (its number format applied), and, where it
  has a Variation column (SPC), each indicator showing special cause concern.
"""

from __future__ import annotations

import datetime as dt
import re
import warnings
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

CONTENTS = "Contents"
RAG_HEADING = "Latest performance RAG rating"
RAG_WORDS = {"GREEN": "G", "AMBER": "A", "RED": "R"}
DETAIL_LABELS = ("Organisation", "Unit", "Reporting month", "Date produced", "Input file", "Input SHA-256",
                 "Template", "Data source")
REQUIRED_DETAILS = ("Reporting month", "Input file", "Input SHA-256", "Template", "Data source")
VARIATION = "Variation"
CONCERN = "Special cause concern"  # the start of the words of both sides, (high) and (low)


class SummaryError(Exception):
    """The file is not a scorecard workbook this program can read; the message says why."""


@dataclass(frozen=True)
class RedIndicator:
    id: str
    title: str
    result: str  # as the workbook shows it, e.g. "67.7%"
    target: str  # "" when the month has no target


@dataclass(frozen=True)
class ConcernIndicator:
    id: str
    title: str
    variation: str  # the words, e.g. "Special cause concern (high)"


@dataclass(frozen=True)
class WorkbookSummary:
    file_name: str
    title: str
    organisation: str
    month: dt.date
    produced: dt.date | None
    input_file: str
    input_sha256: str
    template: str
    data_source: str
    unit: str  # the unit the workbook and its RAG counts are for: "Kent" (the county's), "East Kent"
    scorecard_sheet: str
    rag_counts: dict[str, int]  # "G", "A", "R"
    indicators: int  # rows on the scorecard
    reds: list[RedIndicator] = field(default_factory=list)
    companion: str | None = None  # the raw-data workbook beside it (--raw-data separate)
    companion_sheets: list[str] = field(default_factory=list)  # the sheets in it, as Contents lists them
    concerns: list[ConcernIndicator] | None = None  # special cause concern; None: no SPC on the scorecard

    @property
    def month_text(self) -> str:
        return f"{self.month:%B %Y}"

    @property
    def unrated(self) -> int:
        return self.indicators - sum(self.rag_counts.values())


def read_summary(path: str | Path) -> WorkbookSummary:
    """The figures an email about this workbook needs. Raises SummaryError."""
    import zipfile

    import openpyxl
    from openpyxl.utils.exceptions import InvalidFileException

    path = Path(path)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # "Sparkline Group extension is not supported"
            book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except (InvalidFileException, zipfile.BadZipFile, KeyError, ValueError, OSError) as exc:
        raise SummaryError(f"cannot read {path.name} as an Excel workbook ({exc}); "
                           "give the .xlsx that scorecard-xl generate wrote") from None
    try:
        if CONTENTS not in book.sheetnames:
            raise SummaryError(f"{path.name} is not a scorecard workbook written by scorecard-xl: "
                               f"it has no {CONTENTS!r} sheet")
        contents = _read_contents(book[CONTENTS], path.name)
        sheet_name, rag_counts, indicators, reds, concerns = _read_scorecard(book, path.name)
    finally:
        book.close()
    details = contents["details"]
    return WorkbookSummary(
        file_name=path.name,
        title=contents["title"],
        organisation=str(details.get("Organisation") or ""),
        month=_as_date(details["Reporting month"], "Reporting month", path.name),
        produced=_as_date(details["Date produced"], "Date produced", path.name)
        if details.get("Date produced") else None,
        input_file=str(details["Input file"]),
        input_sha256=str(details["Input SHA-256"]),
        template=str(details["Template"]),
        data_source=str(details["Data source"]),
        unit=str(details.get("Unit") or contents["rag_unit"]),
        scorecard_sheet=sheet_name,
        rag_counts=rag_counts,
        indicators=indicators,
        reds=reds,
        companion=contents["companion"],
        companion_sheets=contents["companion_sheets"],
        concerns=concerns,
    )


def _as_date(value: object, label: str, name: str) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    raise SummaryError(f"{name}: the Contents sheet's {label!r} is not a date ({value!r})")


def _read_contents(ws, name: str) -> dict:
    title, rag_unit, companion, companion_sheets = "", "", None, []
    details: dict[str, object] = {}
    for r, (label, value) in enumerate(ws.iter_rows(max_col=2, values_only=True)):
        if r == 0:
            title = str(label or "")
            continue
        if not isinstance(label, str):
            continue
        if label in DETAIL_LABELS and label not in details:
            details[label] = value
        elif label.startswith(RAG_HEADING):
            m = re.fullmatch(re.escape(RAG_HEADING) + r" \((.+)\)", label)
            rag_unit = m.group(1) if m else ""
        else:
            m = re.fullmatch(r"(.+) \(in (.+\.xlsx)\)", label)
            if m:
                companion = m.group(2)
                companion_sheets.append(m.group(1))
    missing = [k for k in REQUIRED_DETAILS if details.get(k) in (None, "")]
    if missing:
        raise SummaryError(f"{name} is not a scorecard workbook written by scorecard-xl: its Contents sheet "
                           f"does not give {', '.join(repr(k) for k in missing)}")
    return {"title": title, "details": details, "rag_unit": rag_unit, "companion": companion,
            "companion_sheets": companion_sheets}


def _header_columns(row: tuple) -> dict[str, int] | None:
    """Column positions when `row` is the scorecard's header row, else None."""
    texts = [c.value.strip() if isinstance(c.value, str) else None for c in row]
    wanted = {"ID": None, "Indicator": None, "Latest Result": None, "RAG": None, "Target": None}
    for i, text in enumerate(texts):
        if text in wanted and wanted[text] is None:
            wanted[text] = i
        elif text and text.startswith("Target") and wanted["Target"] is None:
            wanted["Target"] = i  # "Target for 16/17"
    if any(v is None for v in wanted.values()):
        return None
    if VARIATION in texts:  # SPC on the scorecard (not in a workbook from before it, nor with SPC off)
        wanted[VARIATION] = texts.index(VARIATION)
    return wanted


def _read_scorecard(book, name: str):
    """(sheet name, RAG counts, number of indicators, red indicators, special cause concerns or None)."""
    for ws in book.worksheets:
        if ws.title == CONTENTS:
            continue
        rows = ws.iter_rows()
        columns = None
        for _, row in zip(range(12), rows, strict=False):
            columns = _header_columns(row)
            if columns:
                break
        if not columns:
            continue
        indicators, reds, counts = 0, [], None
        concerns = [] if VARIATION in columns else None
        width = max(columns.values()) + 1
        for row in rows:
            cells = list(row) + [None] * (width - len(row))
            first = cells[0].value if cells[0] is not None else None
            if isinstance(first, str) and first.startswith(RAG_HEADING):
                counts = _rag_counts(rows)
                break
            ident, title = (cells[columns[k]].value if cells[columns[k]] is not None else None
                            for k in ("ID", "Indicator"))
            if ident is None or title is None:
                continue  # a section heading or a blank row
            indicators += 1
            rag, variation = (cells[columns[k]].value if k in columns and cells[columns[k]] is not None else None
                              for k in ("RAG", VARIATION))
            if isinstance(rag, str) and rag.strip().upper() in ("R", "RED"):
                reds.append(RedIndicator(_id_text(ident), str(title).strip(),
                                         shown(cells[columns["Latest Result"]]),
                                         shown(cells[columns["Target"]])))
            if isinstance(variation, str) and variation.startswith(CONCERN):
                concerns.append(ConcernIndicator(_id_text(ident), str(title).strip(), variation.strip()))
        if counts is None:
            raise SummaryError(f"{name}: the sheet {ws.title!r} has no RAG counts under its table "
                               f"({RAG_HEADING!r} then GREEN, AMBER, RED)")
        return ws.title, counts, indicators, reds, concerns
    raise SummaryError(f"{name} is not a scorecard workbook written by scorecard-xl: no sheet has the "
                       "scorecard's header row (ID, Indicator, ..., Latest Result, RAG, Target)")


def _rag_counts(rows) -> dict[str, int] | None:
    """The GREEN / AMBER / RED header row under the heading, and the counts below it."""
    for _, row in zip(range(4), rows, strict=False):
        positions = {RAG_WORDS[c.value.strip().upper()]: i for i, c in enumerate(row)
                     if isinstance(getattr(c, "value", None), str) and c.value.strip().upper() in RAG_WORDS}
        if len(positions) == 3:
            values = next(rows, ())
            counts = {}
            for letter, i in positions.items():
                value = values[i].value if i < len(values) else None
                if not isinstance(value, (int, float)):
                    return None
                counts[letter] = int(value)
            return {k: counts[k] for k in "GAR"}
    return None


def _id_text(value: object) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def shown(cell) -> str:
    """A cell's value as Excel shows it with its number format (the common formats)."""
    value = getattr(cell, "value", None)
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return str(value)
    return format_number(value, getattr(cell, "number_format", None) or "General")


def format_number(value: float, number_format: str) -> str:
    """`value` under an Excel number format such as 0.0%, 0, #,##0.00 or +0;-0;0.

    Rounds half away from zero on the decimal the value prints as, as Excel does
    (0.2225 under 0.0% is 22.3%, where Python's own rounding would give 22.2%).
    """
    sections = number_format.split(";")
    section = sections[0]
    if value < 0 and len(sections) > 1:
        section = sections[1]
    elif value == 0 and len(sections) > 2:
        section = sections[2]
    section = re.sub(r'"[^"]*"|\[[^\]]*\]|\\.', "", section)  # literals, colours, escapes
    if section.strip() in ("", "General", "@") or not re.search(r"[0#]", section):
        return f"{value:g}" if abs(value) < 1e15 else str(value)
    percent = "%" in section
    decimals = re.search(r"\.([0#]+)", section)
    required = decimals.group(1).count("0") if decimals else 0
    optional = decimals.group(1).count("#") if decimals else 0
    number = Decimal(repr(float(value))) * (100 if percent else 1)
    rounded = number.quantize(Decimal(1).scaleb(-(required + optional)), rounding=ROUND_HALF_UP)
    text = f"{abs(rounded):,.{required + optional}f}" if "," in section else f"{abs(rounded):.{required + optional}f}"
    if optional:  # trailing optional digits are dropped when zero
        whole, _, frac = text.partition(".")
        frac = frac[:required] + frac[required:].rstrip("0")
        text = f"{whole}.{frac}" if frac else whole
    sign = "-" if rounded < 0 and len(sections) == 1 else ""
    if section.lstrip().startswith("+"):
        sign = "+"
    elif section.lstrip().startswith("-") and len(sections) > 1:
        sign = "-"
    return f"{sign}{text}{'%' if percent else ''}"

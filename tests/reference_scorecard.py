"""Parser for the published Kent SCS scorecard (the acceptance test's reference).

`tests/reference/kent-scs-scorecard-2016-08.txt` is a text extract of the
published PDF: each table row is one line with tab-separated cells, a value and
its RAG letter share a cell ("22.3% G") and "- -" marks a figure that does not
apply. This module turns that text into dataclasses so the acceptance test
compares the engine against the document itself; no figure is retyped by hand.

Published figures are kept as the TEXT the document shows, because the text
carries the precision to compare at ("12.97%" is shown to two decimals where the
rest of its row shows one). `parse_number` reads a text as a number with its
precision and `matches` decides whether a computed value would be displayed as
that text.

Pure Python on purpose (no project imports): a parser regression must be
caught on its own, independently of the engine (see test_reference_parser.py).
"""

from __future__ import annotations

import math
import numbers
import re
from dataclasses import dataclass, field
from decimal import ROUND_HALF_EVEN, ROUND_HALF_UP, Decimal, localcontext
from fractions import Fraction
from pathlib import Path
from typing import NamedTuple

REFERENCE_PATH = Path(__file__).resolve().parent / "reference" / "kent-scs-scorecard-2016-08.txt"

RAG_LETTERS = ("G", "A", "R")
RAG_WORDS = {"Green": "G", "Amber": "A", "Red": "R"}
DOT_ARROWS = ("↑", "↓", "→")

# Cell counts of the published tables; a row with another count means the
# extract changed shape and the parser must not guess.
_SCORECARD_CELLS = 13
_UASC_CELLS = 11


class ReferenceFormatError(ValueError):
    """The reference text does not have the shape this parser expects."""


# --------------------------------------------------------------------------- #
# Data model
# --------------------------------------------------------------------------- #


@dataclass(frozen=True)
class ActivityTable:
    """The "SCS Activity" table: one row per unit, one int per header."""

    headers: list[str]
    rows: dict[str, list[int]]  # unit name -> values in header order (insertion = published order)

    def value(self, unit: str, header: str) -> int:
        return self.rows[unit][self.headers.index(header)]


@dataclass(frozen=True)
class IndicatorRow:
    """One of the 45 rows of "Scorecard - Kent". Figures are published texts."""

    section: str
    id: str
    title: str
    polarity: str  # H, L or T
    period: str  # R12M or SS
    result: str  # e.g. "22.3%", "35", "363.7"
    rag: str  # G, A or R
    numerator: str  # "-" when the indicator has none (counts)
    denominator: str  # "-" when the indicator has none
    target: str
    month_ago: str
    month_ago_dot: str  # one of DOT_ARROWS
    year_ago: str  # "" when not published
    year_ago_dot: str  # "" when not published
    rolling3: str | None  # None where the document shows "- -"
    rolling3_rag: str | None


@dataclass(frozen=True)
class Scorecard:
    month: str  # as published, e.g. "Aug 2016"
    indicators: list[IndicatorRow]

    def by_id(self, indicator_id: str) -> IndicatorRow:
        for row in self.indicators:
            if row.id == indicator_id:
                return row
        raise KeyError(indicator_id)

    def by_title(self, title: str) -> IndicatorRow:
        """The row with this title, compared case-insensitively."""
        wanted = title.casefold()
        found = [row for row in self.indicators if row.title.casefold() == wanted]
        if len(found) != 1:
            raise KeyError(title)
        return found[0]


@dataclass(frozen=True)
class UascRow:
    """A row of "Scorecard - Impact of UASC": all children, then excluding UASC."""

    title: str
    polarity: str
    period: str
    all_result: str
    all_rag: str
    all_numerator: str
    all_denominator: str
    target: str
    excl_result: str
    excl_rag: str
    excl_numerator: str
    excl_denominator: str
    variance: str  # signed text: "+0.0%", "-0.2%", "0.0%" or "0"


@dataclass(frozen=True)
class UascSection:
    title: str  # e.g. "CHILDREN IN CARE - NORTH KENT AREA", "OTHER INDICATORS - KENT"
    rows: list[UascRow]

    @property
    def unit(self) -> str:
        """The unit the section covers: "... - NORTH KENT AREA" -> "North Kent"."""
        place = self.title.rsplit(" - ", 1)[-1].strip()
        place = re.sub(r"\s+AREA$", "", place)
        return place.title()


@dataclass(frozen=True)
class ExceptionReport:
    """An exception report page: heading, 4-month trend, commentary."""

    title: str
    rag_word: str  # the heading's rating, e.g. "Red"
    owners: dict[str, str]  # "Cabinet Member" -> name, ...
    months: list[str]  # e.g. ["May 2016", "Jun 2016", "Jul 2016", "Aug 2016"]
    results: list[str]
    targets: list[str]
    rag_words: list[str]  # "Red" / "Amber" / "Green"
    commentary: str  # paragraphs joined by a blank line
    data_notes: list[str] = field(default_factory=list)  # non-blank lines

    @property
    def rag_letters(self) -> list[str]:
        return [RAG_WORDS[word] for word in self.rag_words]


# An exception report's heading is its indicator's scorecard title, compared
# case-insensitively ("... becoming looked after" vs "... Looked After"), except
# for this one, which the document words differently on the two pages. A lookup
# table rather than matching by figures, so that the acceptance test never uses
# computed numbers to decide which indicator it is checking; test_reference_parser
# confirms the entry against the document's own figures (same latest result, RAG
# and month-ago result).
EXCEPTION_TITLE_ALIASES = {
    "CIC Placement Stability - 3+ Placements in the last 12 months": (
        "CIC Placement Stability: % with 3 or more placements in the last 12 months"
    ),
}


# The team rows the published activity table places under East Kent (every measure but PF
# Cases adds up to East Kent over these; see test_acceptance for the PF contradiction).
EAST_KENT_TEAMS = (
    "Canterbury CSWT",
    "Swale CSWT",
    "Thanet Margate CSWT",
    "Thanet Ramsgate CSWT",
    "East Kent (Can/Swa) CIC",
    "East Kent (Tha) CIC",
)


@dataclass(frozen=True)
class Reference:
    activity: ActivityTable
    scorecard: Scorecard
    rag_counts: dict[str, int]
    uasc: list[UascSection]
    exceptions: list[ExceptionReport]

    def exception_indicator(self, report: ExceptionReport) -> IndicatorRow:
        """The scorecard row an exception report is about (see EXCEPTION_TITLE_ALIASES)."""
        return self.scorecard.by_title(EXCEPTION_TITLE_ALIASES.get(report.title, report.title))


# --------------------------------------------------------------------------- #
# Numbers: published text <-> value
# --------------------------------------------------------------------------- #


class Number(NamedTuple):
    value: float  # percents as fractions: "22.3%" -> 0.223
    decimals: int  # decimals as displayed: "22.3%" -> 1, "12.97%" -> 2, "35" -> 0
    is_percent: bool


_NUMBER = re.compile(r"^([+-]?)(\d+)(?:\.(\d+))?(%?)$")


def _split_number(text: str) -> re.Match[str]:
    m = _NUMBER.match(text.strip())
    if not m:
        raise ValueError(f"not a published number: {text!r}")
    return m


def exact_value(text: str) -> Decimal:
    """The exact value a text shows, percents as fractions ("13.0%" -> Decimal('0.130'))."""
    m = _split_number(text)
    value = Decimal(text.strip().rstrip("%"))
    return value.scaleb(-2) if m.group(4) else value


def parse_number(text: str) -> Number:
    """"22.3%" -> (0.223, 1, True); "404.3" -> (404.3, 1, False); "+53" -> (53.0, 0, False)."""
    m = _split_number(text)
    decimals = len(m.group(3) or "")
    return Number(float(exact_value(text)), decimals, bool(m.group(4)))


def _to_decimal(value: object) -> Decimal:
    if isinstance(value, bool):
        raise TypeError("a bool is not a figure")
    if isinstance(value, Decimal):
        return value
    if isinstance(value, Fraction):
        with localcontext() as ctx:
            ctx.prec = 40
            return Decimal(value.numerator) / Decimal(value.denominator)
    if isinstance(value, numbers.Integral):  # int, numpy integers
        return Decimal(int(value))
    # float, numpy float: Decimal(float) is the exact binary value.
    return Decimal(float(value))  # type: ignore[arg-type]


def _spreadsheet_value(value: object) -> Decimal:
    """The value as a spreadsheet holds it for display: 15 significant digits.

    Excel (and LibreOffice) show at most 15 significant digits of a double, so a
    computed 0.12349999999999999 (binary noise around 0.1235) is displayed as if
    it were 0.1235. Rounding to display precision happens after this.
    """
    d = _to_decimal(value)
    if d.is_zero():
        return Decimal(0)
    return d.quantize(Decimal(1).scaleb(d.adjusted() - 14), rounding=ROUND_HALF_EVEN)


def display(value: object, decimals: int, is_percent: bool, signed: bool = False) -> str:
    """How a spreadsheet shows `value` with a fixed number of decimals.

    Rounds half away from zero (the spreadsheet rule, not Python's banker's
    rounding) on a Decimal, never via float formatting. A percent is multiplied by
    100 first. `signed` mimics the variance column's three-part number format
    ("+0.0%;-0.0%;0.0%"): the sign comes from the UNROUNDED value, so a small
    positive difference shows "+0.0%", a small negative one "-0.0%" and only an
    exact zero "0.0%". Without `signed`, a negative value shows "-" as usual.
    """
    d = _spreadsheet_value(value)
    if is_percent:
        d = d.scaleb(2)
    rounded = abs(d).quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP)
    text = f"{rounded:f}" + ("%" if is_percent else "")
    if d < 0:
        return "-" + text
    if signed and d > 0:
        return "+" + text
    return text


def is_missing(value: object) -> bool:
    """None, NaN or pandas NA/NaT (checked without importing pandas)."""
    if value is None:
        return True
    try:
        return bool(value != value)  # NaN, NaT and pd.NA are not equal to themselves
    except TypeError:  # pd.NA refuses bool(); it is missing
        return True


def matches(computed: object, published_text: str, signed: bool = False) -> bool:
    """Whether `computed` would be displayed as `published_text`.

    The published text fixes the precision and scale ("12.97%": a percent at two
    decimals). A missing computed value never matches a number. `signed`: see
    `display` (used for the UASC variance column).
    """
    if is_missing(computed):
        return False
    if isinstance(computed, float) and math.isinf(computed):
        return False
    number = parse_number(published_text)
    return display(computed, number.decimals, number.is_percent, signed) == published_text.strip()


def display_like(computed: object, published_text: str, signed: bool = False) -> str:
    """`computed` shown at the precision of `published_text` (for messages)."""
    if is_missing(computed):
        return "<missing>"
    number = parse_number(published_text)
    return display(computed, number.decimals, number.is_percent, signed)


# --------------------------------------------------------------------------- #
# Parsing
# --------------------------------------------------------------------------- #


def _cells(line: str) -> list[str]:
    return [cell.strip() for cell in line.split("\t")]


def _is_blank(line: str) -> bool:
    return not line.strip()


def _index(lines: list[str], wanted: str, start: int = 0) -> int:
    """Index of the first line equal to `wanted` (ignoring surrounding space)."""
    for i in range(start, len(lines)):
        if lines[i].strip() == wanted:
            return i
    raise ReferenceFormatError(f"line {wanted!r} not found after line {start + 1}")


def _index_startswith(lines: list[str], prefix: str, start: int, stop: int | None = None) -> int:
    for i in range(start, len(lines) if stop is None else stop):
        if lines[i].startswith(prefix):
            return i
    raise ReferenceFormatError(f"no line starting {prefix!r} after line {start + 1}")


def _next_nonblank(lines: list[str], start: int) -> int:
    i = start
    while i < len(lines) and _is_blank(lines[i]):
        i += 1
    if i == len(lines):
        raise ReferenceFormatError(f"unexpected end of text after line {start}")
    return i


def _table_rows(lines: list[str], start: int) -> tuple[list[str], int]:
    """Lines from `start` up to the first blank line; returns (rows, index after)."""
    end = start
    while end < len(lines) and not _is_blank(lines[end]):
        end += 1
    return lines[start:end], end


def _int(text: str, where: str) -> int:
    if not re.fullmatch(r"[+-]?\d+", text):
        raise ReferenceFormatError(f"{where}: expected an integer, got {text!r}")
    return int(text)  # int("+53") == 53


def _value_and_rag(cell: str, where: str) -> tuple[str, str]:
    """"22.3% G" -> ("22.3%", "G")."""
    parts = cell.split()
    if len(parts) != 2 or parts[1] not in RAG_LETTERS:
        raise ReferenceFormatError(f"{where}: expected 'value RAG', got {cell!r}")
    parse_number(parts[0])  # must be a number
    return parts[0], parts[1]


def _check_number(text: str, where: str, allow: tuple[str, ...] = ()) -> str:
    if text in allow:
        return text
    try:
        parse_number(text)
    except ValueError:
        raise ReferenceFormatError(f"{where}: expected a number, got {text!r}") from None
    return text


def _parse_activity(lines: list[str]) -> tuple[ActivityTable, int]:
    start = _index(lines, "SCS Activity")
    header_at = _next_nonblank(lines, start + 1)
    header = _cells(lines[header_at])
    if header[0] != "":
        raise ReferenceFormatError("activity header should start with an empty cell")
    headers = header[1:]
    rows_text, end = _table_rows(lines, header_at + 1)
    rows: dict[str, list[int]] = {}
    for line in rows_text:
        cells = _cells(line)
        unit, values = cells[0], cells[1:]
        if len(values) != len(headers):
            raise ReferenceFormatError(f"activity row {unit!r}: {len(values)} values for {len(headers)} headers")
        if unit in rows:
            raise ReferenceFormatError(f"activity row {unit!r} appears twice")
        rows[unit] = [_int(v, f"activity {unit!r} / {h!r}") for v, h in zip(values, headers, strict=False)]
    return ActivityTable(headers, rows), end


def _parse_scorecard(lines: list[str], start: int) -> tuple[Scorecard, int]:
    title_at = _index(lines, "Scorecard - Kent", start)
    month_at = _next_nonblank(lines, title_at + 1)
    month = lines[month_at].strip()
    if not re.fullmatch(r"[A-Z][a-z]{2} \d{4}", month):
        raise ReferenceFormatError(f"scorecard month: expected e.g. 'Aug 2016', got {month!r}")
    # Two header lines ("ID ..." and the sub-header), then sections and indicators.
    header_at = _index_startswith(lines, "ID\t", month_at)
    rows_text, end = _table_rows(lines, header_at + 2)
    section = None
    indicators: list[IndicatorRow] = []
    for line in rows_text:
        cells = _cells(line)
        if len(cells) != _SCORECARD_CELLS:
            raise ReferenceFormatError(f"scorecard row has {len(cells)} cells: {line!r}")
        if cells[0] and not any(cells[1:]):
            section = cells[0]
            continue
        (ind_id, title, polarity, period, latest, num, denom, target,
         month_ago, month_ago_dot, year_ago, year_ago_dot, rolling) = cells  # fmt: skip
        where = f"scorecard indicator {ind_id}"
        if section is None or not ind_id.isdigit():
            raise ReferenceFormatError(f"{where}: not an indicator row under a section: {line!r}")
        if polarity not in ("H", "L", "T") or period not in ("R12M", "SS"):
            raise ReferenceFormatError(f"{where}: bad polarity/period {polarity!r}/{period!r}")
        result, rag = _value_and_rag(latest, where)
        if month_ago_dot not in DOT_ARROWS:
            raise ReferenceFormatError(f"{where}: bad DoT {month_ago_dot!r}")
        # The year-ago figure is blank for indicators too new to have one.
        if bool(year_ago) != bool(year_ago_dot) or (year_ago_dot and year_ago_dot not in DOT_ARROWS):
            raise ReferenceFormatError(f"{where}: bad 1-year-ago cells {year_ago!r}/{year_ago_dot!r}")
        rolling3, rolling3_rag = (None, None) if rolling == "- -" else _value_and_rag(rolling, where)
        indicators.append(
            IndicatorRow(
                section=section,
                id=ind_id,
                title=title,
                polarity=polarity,
                period=period,
                result=result,
                rag=rag,
                numerator=_check_number(num, where, allow=("-",)),
                denominator=_check_number(denom, where, allow=("-",)),
                target=_check_number(target, where),
                month_ago=_check_number(month_ago, where),
                month_ago_dot=month_ago_dot,
                year_ago=_check_number(year_ago, where, allow=("",)),
                year_ago_dot=year_ago_dot,
                rolling3=rolling3,
                rolling3_rag=rolling3_rag,
            )
        )
    return Scorecard(month, indicators), end


def _parse_rag_counts(lines: list[str], start: int) -> tuple[dict[str, int], int]:
    at = _index(lines, "GREEN\tAMBER\tRED", start)
    counts = [_int(c, "RAG counts") for c in _cells(lines[at + 1])]
    if len(counts) != 3:
        raise ReferenceFormatError(f"RAG counts: expected 3 numbers, got {lines[at + 1]!r}")
    return dict(zip(RAG_LETTERS, counts, strict=False)), at + 2


def _parse_uasc(lines: list[str], start: int) -> tuple[list[UascSection], int]:
    title_at = _index(lines, "Scorecard - Impact of UASC", start)
    header_at = _index_startswith(lines, "Indicators\t", title_at)
    rows_text, end = _table_rows(lines, header_at + 2)
    sections: list[UascSection] = []
    for line in rows_text:
        cells = _cells(line)
        if len(cells) != _UASC_CELLS:
            raise ReferenceFormatError(f"UASC row has {len(cells)} cells: {line!r}")
        if cells[0] and not any(cells[1:]):
            sections.append(UascSection(cells[0], []))
            continue
        if not sections:
            raise ReferenceFormatError(f"UASC row before any section: {line!r}")
        title, polarity, period, all_latest, all_num, all_denom, target, excl_latest, excl_num, excl_denom, var = cells
        where = f"UASC {sections[-1].title} / {title!r}"
        all_result, all_rag = _value_and_rag(all_latest, where)
        excl_result, excl_rag = _value_and_rag(excl_latest, where)
        sections[-1].rows.append(
            UascRow(
                title=title,
                polarity=polarity,
                period=period,
                all_result=all_result,
                all_rag=all_rag,
                all_numerator=_check_number(all_num, where, allow=("-",)),
                all_denominator=_check_number(all_denom, where, allow=("-",)),
                target=_check_number(target, where),
                excl_result=excl_result,
                excl_rag=excl_rag,
                excl_numerator=_check_number(excl_num, where, allow=("-",)),
                excl_denominator=_check_number(excl_denom, where, allow=("-",)),
                variance=_check_number(var, where),
            )
        )
    return sections, end


def _trend_line(lines: list[str], label: str, start: int, stop: int) -> list[str]:
    at = _index_startswith(lines, label + "\t", start, stop)
    return _cells(lines[at])[1:]


def _paragraphs(lines: list[str]) -> list[str]:
    """Blank-line separated paragraphs, each stripped, lines within joined by a space."""
    paragraphs, current = [], []
    for line in lines:
        if _is_blank(line):
            if current:
                paragraphs.append(" ".join(current))
                current = []
        else:
            current.append(line.strip())
    if current:
        paragraphs.append(" ".join(current))
    return paragraphs


def _parse_exceptions(lines: list[str], start: int) -> list[ExceptionReport]:
    reports: list[ExceptionReport] = []
    # Each report starts with its owners block ("Cabinet Member ..."); the heading
    # (title and rating) is whatever non-blank text precedes it since the end of the
    # previous report. The heading is one line ("title<TAB><TAB><TAB>Red") or, for
    # the 3+ placements report, two lines (title, blank, "Red").
    previous_end = start
    while True:
        try:
            owners_at = _index_startswith(lines, "Cabinet Member\t", previous_end)
        except ReferenceFormatError:
            break
        heading = [c for line in lines[previous_end:owners_at] for c in _cells(line) if c]
        if len(heading) != 2 or heading[1] not in RAG_WORDS:
            raise ReferenceFormatError(f"exception heading before line {owners_at + 1}: {heading!r}")
        title, rag_word = heading

        owners: dict[str, str] = {}
        # "Cabinet Member\tX\tDirector\tY", "Portfolio\t...\tDivision\t..."
        for line in lines[owners_at : owners_at + 2]:
            cells = _cells(line)
            owners.update(zip(cells[0::2], cells[1::2], strict=False))

        end = _index_startswith(lines, "Data Source:", owners_at)
        commentary_at = _index(lines, "Commentary", owners_at)
        notes_at = _index(lines, "Data Notes", commentary_at)
        if not owners_at < commentary_at < notes_at < end:
            raise ReferenceFormatError(f"exception {title!r}: sections out of order")

        trend_at = _index_startswith(lines, "Trend Data", owners_at, commentary_at)
        months = _cells(lines[trend_at])[1:]
        results = _trend_line(lines, "KCC Result", trend_at, commentary_at)
        targets = _trend_line(lines, "Target", trend_at, commentary_at)
        rag_words = _trend_line(lines, "RAG Rating", trend_at, commentary_at)
        if not len(months) == len(results) == len(targets) == len(rag_words):
            raise ReferenceFormatError(f"exception {title!r}: trend rows of different lengths")
        for month in months:
            if not re.fullmatch(r"[A-Z][a-z]{2} \d{4}", month):
                raise ReferenceFormatError(f"exception {title!r}: bad month {month!r}")
        for text in results + targets:
            _check_number(text, f"exception {title!r} trend")
        for word in rag_words:
            if word not in RAG_WORDS:
                raise ReferenceFormatError(f"exception {title!r}: bad RAG word {word!r}")

        commentary = "\n\n".join(_paragraphs(lines[commentary_at + 1 : notes_at]))
        notes = [line.strip() for line in lines[notes_at + 1 : end + 1] if not _is_blank(line)]
        reports.append(
            ExceptionReport(title, rag_word, owners, months, results, targets, rag_words, commentary, notes)
        )
        previous_end = end + 1
    return reports


def parse_reference(text: str) -> Reference:
    """Parse the whole reference text; raises ReferenceFormatError on any surprise."""
    lines = text.splitlines()
    activity, pos = _parse_activity(lines)
    scorecard, pos = _parse_scorecard(lines, pos)
    rag_counts, pos = _parse_rag_counts(lines, pos)
    uasc, pos = _parse_uasc(lines, pos)
    exceptions = _parse_exceptions(lines, pos)
    return Reference(activity, scorecard, rag_counts, uasc, exceptions)


def load_reference(path: Path | str = REFERENCE_PATH) -> Reference:
    return parse_reference(Path(path).read_text(encoding="utf-8"))

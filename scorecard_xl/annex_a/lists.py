"""The Annex A lists scorecard-xl reads: lists.yaml, checked into pydantic models.

Kept as data, beside the code, so the columns a rule relies on are visible in one place
and a council whose system writes a header or a value differently can see what is matched:

- a sheet is a list by its name (list_number: `List 3`, `List_3`, `list3`, `List 3 - Referrals`,
  `Annex A List 3`, `L3 Referrals`, `L 3`), or else by holding every column of one list;
- a header is a column's when equal to its header or an alias ignoring case, spacing and curly
  quotes (header_key), or else when one of its `patterns` matches it (Column.pattern_matches:
  the liia-tools-pipeline Annex A schema's header_regex, case-insensitive, from the start);
- a coded value is read by Column's `codes`, `prefix_codes`, `known` and `phrases`, in that
  order (reading.py's _CodeReader; lists.yaml describes each).
"""

from __future__ import annotations

import functools
import importlib.resources
import re
import unicodedata
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from ..names import name_key

# Curly quotes and the other apostrophes people's files hold, as the straight ones.
_QUOTES = str.maketrans({"\u2018": "'", "\u2019": "'", "\u201b": "'", "\u2032": "'", "`": "'",
                         "\u201c": '"', "\u201d": '"', "\u201f": '"', "\u2033": '"'})
# "List 3" anywhere in the name ("Annex A List 3", "List_3 - Referrals"), or "L3"/"L 3" at its start.
_LIST_SHEET = re.compile(r"(?<![a-z])list[\s_\-.]*(\d+)(?!\d)", re.IGNORECASE)
_L_SHEET = re.compile(r"l[\s_\-.]?(\d+)(?!\d)", re.IGNORECASE)
_SPACES = re.compile(r"[\s\u200b\u2060\ufeff]+")
_WORDS = re.compile(r"[a-z0-9]+")
CODE_TOKEN = re.compile(r"[A-Z]{1,2}\d{1,2}")  # what a code such as C2, V3 or F1 looks like


def header_key(text: object) -> str:
    """A header as compared: case, spacing, curly quotes and trailing spaces ignored."""
    return name_key(str(text).translate(_QUOTES))


def header_text(text: object) -> str:
    """A header as a pattern sees it: runs of white space as one space, stripped, straight quotes."""
    return _SPACES.sub(" ", unicodedata.normalize("NFKC", str(text)).translate(_QUOTES)).strip()


def list_number(sheet_name: str) -> int | None:
    """The list a sheet holds, from its name: `List 3`, `List_3`, `list3`, `List 3 - Referrals`,
    `Annex A List 3`, `L3 Referrals`, `L 3`; None if the name gives no number."""
    name = sheet_name.strip()
    found = _LIST_SHEET.search(name) or _L_SHEET.match(name)
    return int(found.group(1)) if found else None


def words(text: object) -> str:
    """A value as phrases see it: lower case, runs of anything but letters and digits as one space."""
    return " ".join(_WORDS.findall(unicodedata.normalize("NFKC", str(text)).casefold()))


class Phrase:
    """One `phrases` entry: words (a final * on a word: any word starting so), anchored at the
    value's start by a leading ^ (after a leading number such as `1 -`), several joined by +
    all required."""

    def __init__(self, text: str, code: str):
        self.text, self.code = text, code
        self._parts = [self._compile(part.strip()) for part in text.split("+")]

    @staticmethod
    def _compile(part: str) -> re.Pattern:
        anchored = part.startswith("^")
        tokens = part.lstrip("^").split()
        if not tokens or any(not re.fullmatch(r"[a-z0-9]+\*?", t) for t in tokens):
            raise ValueError(f"phrase {part!r}: words of lower-case letters and digits, a word may end in *")
        body = " ".join(re.escape(t[:-1]) + "[a-z0-9]*" if t.endswith("*") else re.escape(t) for t in tokens)
        return re.compile((r"^(?:\d+ )?" if anchored else r"(?<![a-z0-9])") + body + r"(?![a-z0-9])")

    def matches(self, normalised: str) -> bool:
        """Whether `normalised` (words()) holds the phrase."""
        return all(part.search(normalised) for part in self._parts)


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Column(_Model):
    name: str  # the rules' name for it
    header: str  # the Ofsted template's header
    kind: Literal["id", "team", "date", "count", "code"]
    aliases: list[str] = Field(default_factory=list)
    patterns: list[str] = Field(default_factory=list)  # regexes: case-insensitive, from the header's start
    required: bool = True  # False: a blank cell is allowed
    optional: bool = False  # True: the column may be missing from the sheet (then it is empty in every row)
    codes: dict[str, str] = Field(default_factory=dict)  # written value (prefix dropped) -> the rules' value
    prefix_codes: bool = False  # the code is the value's first word: "V3: Short term breaks" -> "V3"
    known: list[str] = Field(default_factory=list)  # codes found as a whole word anywhere in the value
    phrases: list[dict[str, str]] = Field(default_factory=list)  # in order: {phrase: code}, the first held wins

    @model_validator(mode="after")
    def _check(self) -> Column:
        if self.kind == "code" and not (self.codes or self.prefix_codes or self.known or self.phrases):
            raise ValueError(f"column {self.name!r}: a code column needs `codes`, `prefix_codes`, `known` "
                             "or `phrases`")
        if self.kind != "code" and (self.codes or self.prefix_codes or self.known or self.phrases):
            raise ValueError(f"column {self.name!r}: only a code column has codes")
        for pattern in self.patterns:
            re.compile(pattern)
        for code in self.known:
            if not CODE_TOKEN.fullmatch(code):
                raise ValueError(f"column {self.name!r}: known code {code!r} is not like C2 or V3")
        for entry in self.phrases:
            if len(entry) != 1:
                raise ValueError(f"column {self.name!r}: each phrase is one `phrase: code` entry, not {entry}")
        self.phrase_list  # noqa: B018 (compiles them: a bad phrase is refused when lists.yaml is read)
        return self

    @functools.cached_property
    def keys(self) -> frozenset[str]:
        return frozenset(header_key(h) for h in (self.header, *self.aliases))

    @functools.cached_property
    def _patterns(self) -> list[re.Pattern]:
        return [re.compile(p, re.IGNORECASE) for p in self.patterns]

    def pattern_matches(self, text: str) -> bool:
        """Whether one of `patterns` matches the header (as header_text gives it)."""
        return any(p.match(text) for p in self._patterns)

    @functools.cached_property
    def phrase_list(self) -> list[Phrase]:
        return [Phrase(text, code) for entry in self.phrases for text, code in entry.items()]

    @functools.cached_property
    def outputs(self) -> list[str]:
        """The values a code column gives the rules, in the order lists.yaml first names them."""
        return list(dict.fromkeys([*self.codes.values(), *self.known, *(p.code for p in self.phrase_list)]))


class ListSpec(_Model):
    number: int
    name: str
    item: str  # what one row is, for messages: "referral"
    optional: bool = False
    key: list[str]
    one_row_per_child: bool = False
    columns: list[Column]

    @property
    def label(self) -> str:
        return f"List {self.number}"

    def column(self, name: str) -> Column:
        return next(c for c in self.columns if c.name == name)


class ListsSpec(_Model):
    lists: list[ListSpec]
    ignored: list[int]

    def get(self, number: int) -> ListSpec | None:
        return next((s for s in self.lists if s.number == number), None)


@functools.cache
def lists_spec() -> ListsSpec:
    """lists.yaml, shipped in the package."""
    import yaml

    text = importlib.resources.files(__package__).joinpath("lists.yaml").read_text(encoding="utf-8")
    return ListsSpec.model_validate(yaml.safe_load(text))


# ----------------------------------------------------------------------------- headers

def header_cells(row: list) -> list[tuple[int, str, str]]:
    """A row's non-blank cells as (position, header_key, header_text), for matching headers."""
    return [(i, header_key(h), header_text(h)) for i, h in enumerate(row) if h is not None and str(h).strip()]


def holds(column: Column, cells: list[tuple[int, str, str]]) -> bool:
    """Whether a row (header_cells) has a header that is the column's: exactly, by an alias or by a pattern."""
    keys = column.keys
    if any(key in keys for _, key, _ in cells):
        return True
    return bool(column.patterns) and any(column.pattern_matches(text) for _, _, text in cells)


def match_headers(columns: list[Column], row: list) -> tuple[dict[str, int], list[tuple[Column, str]]]:
    """Each column's position in a header row, and the problems: (column, message), the message
    "missing" for a column not there.

    A header equal to the column's header or an alias (header_key) wins; else one matched by a
    pattern (and not another column's exactly). A column matched twice is a problem; a missing
    one is a problem unless it is `optional`.
    """
    cells = header_cells(row)
    exact = {c.name: [i for i, key, _ in cells if key in c.keys] for c in columns}
    claimed = {i for found in exact.values() for i in found}
    positions: dict[str, int] = {}
    problems: list[tuple[Column, str]] = []
    for column in columns:
        at = exact[column.name]
        if len(at) > 1:
            problems.append((column, f"column {column.header!r} appears {len(at)} times; keep one"))
            continue
        if at:
            positions[column.name] = at[0]
            continue
        by_pattern = [(i, text) for i, _, text in cells if i not in claimed and column.pattern_matches(text)]
        if len(by_pattern) > 1:
            named = " and ".join(repr(text) for _, text in by_pattern)
            problems.append((column, f"headers {named} {'both' if len(by_pattern) == 2 else 'all'} match "
                                     f"{column.header!r}; rename all but one, or name "
                                     f"the one to read {column.header!r}"))
        elif by_pattern:
            positions[column.name] = by_pattern[0][0]
        elif not column.optional:
            problems.append((column, "missing"))
    return positions, problems

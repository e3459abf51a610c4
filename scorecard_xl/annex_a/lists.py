"""The Annex A lists scorecard-xl reads: lists.yaml, checked into pydantic models.

Kept as data, beside the code, so the columns a rule relies on are visible in one place
and a council whose system writes a header differently can see what is matched.
"""

from __future__ import annotations

import functools
import importlib.resources
import re
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from ..names import name_key

# Curly quotes and the other apostrophes people's files hold, as the straight ones.
_QUOTES = str.maketrans({"\u2018": "'", "\u2019": "'", "\u201b": "'", "\u2032": "'", "`": "'",
                         "\u201c": '"', "\u201d": '"', "\u201f": '"', "\u2033": '"'})
_LIST_SHEET = re.compile(r"list[\s_\-.]*(\d+)(?!\d)", re.IGNORECASE)


def header_key(text: object) -> str:
    """A header as compared: case, spacing, curly quotes and trailing spaces ignored."""
    return name_key(str(text).translate(_QUOTES))


def list_number(sheet_name: str) -> int | None:
    """The list a sheet holds, from its name: `List 3`, `List_3`, `list3`, `List 3 - Referrals`."""
    found = _LIST_SHEET.match(sheet_name.strip())
    return int(found.group(1)) if found else None


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Column(_Model):
    name: str  # the rules' name for it
    header: str  # the Ofsted template's header
    kind: Literal["id", "team", "date", "count", "code"]
    aliases: list[str] = Field(default_factory=list)
    required: bool = True  # False: a blank cell is allowed
    codes: dict[str, str] = Field(default_factory=dict)  # written value (prefix dropped) -> the rules' value
    prefix_codes: bool = False  # the code is the value's first word: "V3: Short term breaks" -> "V3"

    @model_validator(mode="after")
    def _codes_for_codes(self) -> Column:
        if self.kind == "code" and not (self.codes or self.prefix_codes):
            raise ValueError(f"column {self.name!r}: a code column needs `codes` or `prefix_codes`")
        return self

    @property
    def keys(self) -> set[str]:
        return {header_key(h) for h in (self.header, *self.aliases)}


class ListSpec(_Model):
    number: int
    name: str
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

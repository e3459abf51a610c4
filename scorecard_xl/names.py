"""One rule for matching the names people type to the names a template defines.

Exports are typed, pasted and exported by different systems, so the same team arrives as
`Ashford CSWT`, `ASHFORD  CSWT` or `Ashford\u00a0CSWT` (a non-breaking space from a web
page). None of these differences is visible or meaningful to the analyst, so every name
the reader matches (sheet, column, team, indicator ID) is compared by `name_key`, and the
template refuses names that the key cannot tell apart.
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from collections.abc import Iterable

# White space of any kind (Python's \s covers NBSP and the other Unicode spaces) and the
# invisible characters that come with pasted text: zero-width space, word joiner, BOM.
_IGNORED = re.compile(r"[\s\u200b\u2060\ufeff]+")


def name_key(name: object) -> str:
    """The name as compared: case and every kind of white space ignored.

    NFKC first, so that characters Unicode treats as the same (é typed as one character or
    as e plus an accent) compare equal.
    """
    return _IGNORED.sub("", unicodedata.normalize("NFKC", str(name))).casefold()


def closest(name: object, candidates: Iterable[str]) -> str:
    """' (closest: 'A', 'B')' naming up to 3 candidates like `name`, or '' if none is.

    Names are compared by their keys, so 'ASHFROD CSWT' finds 'Ashford CSWT' rather than
    whichever name shares the most capitals.
    """
    by_key: dict[str, str] = {}
    for candidate in candidates:
        by_key.setdefault(name_key(candidate), candidate)
    matches = difflib.get_close_matches(name_key(name), list(by_key), n=3, cutoff=0.6)
    return f" (closest: {', '.join(repr(by_key[m]) for m in matches)})" if matches else ""


def clashes(names: Iterable[str]) -> list[list[str]]:
    """Groups of names with the same key (two or more each), in the order first met."""
    groups: dict[str, list[str]] = {}
    for name in names:
        groups.setdefault(name_key(name), []).append(name)
    return [group for group in groups.values() if len(group) > 1]


def match(name: object, candidates: Iterable[str]) -> str | None:
    """The candidate `name` means under the rule above, or None."""
    key = name_key(name)
    return next((c for c in candidates if name_key(c) == key), None)


def slug(name: str) -> str:
    """A file-name part safe on every system: `East Kent (Can/Swa) CIC` -> `east-kent-can-swa-cic`."""
    ascii_text = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-") or "unit"


# ----------------------------------------------------------------------------- file names

COMPANION = "-data"  # a workbook's raw-data companion (--raw-data separate): scorecard-2016-08-data.xlsx


def workbook_name(month, unit: str | None = None) -> str:
    """scorecard-YYYY-MM.xlsx; a unit's own workbook, scorecard-YYYY-MM-<slug of the unit>.xlsx."""
    return f"scorecard-{month:%Y-%m}{'-' + slug(unit) if unit else ''}.xlsx"


def companion_name(workbook: str) -> str:
    """The raw-data companion's name beside a workbook: NAME-data.xlsx."""
    stem, dot, suffix = workbook.rpartition(".")
    return f"{stem}{COMPANION}.{suffix}" if dot else f"{workbook}{COMPANION}"


def file_name_clashes(units: Iterable[str], root: str) -> list[str]:
    """Units whose files would have the same name (case ignored, as Windows and macOS do): two
    units' workbooks, or one's workbook and another's raw-data companion. One text per pair,
    naming both units and the file."""
    taken: dict[str, tuple[str, str]] = {}  # the name after "scorecard-YYYY-MM" -> (unit, which file)
    clashes, seen = [], set()
    for unit in units:
        # The county's own workbook has no suffix, except among generate --each's (scorecard-2016-08-kent.xlsx).
        mine = ["", "-" + slug(unit)] if unit == root else ["-" + slug(unit)]
        for tail, what in [pair for m in mine for pair in ((m, "workbook"), (m + COMPANION, "raw-data companion"))]:
            other = taken.setdefault(tail.lower(), (unit, what))
            pair = frozenset((other[0], unit))
            if other[0] != unit and pair not in seen:
                seen.add(pair)
                both = (f"the workbooks of {other[0]!r} and {unit!r}" if other[1] == what else
                        f"the {other[1]} of {other[0]!r} and the {what} of {unit!r}")
                clashes.append(f"{both} would both be scorecard-YYYY-MM{tail.lower()}.xlsx")
    return clashes

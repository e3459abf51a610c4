"""Allocated Team, free text in Annex A, as the template's teams.

A written name that is a unit's name (ignoring case and spaces) needs no mapping; the others
come from the template's `annex_a: teams:` and a CSV given on the command line (which wins).
The empty name maps a blank Allocated Team (a referral closed at the front door has none): the
reader allows blank teams only when it is mapped.
Every name must end at a team, a unit with none under it, so that the reader's check against
counting a figure twice holds. An unmapped name is never dropped: it is an error listing
every such name with its row count, so one run shows the whole mapping still to write.
"""

from __future__ import annotations

import csv
from collections import Counter
from pathlib import Path

from ..engine.template import Template
from ..model import InputError, Problem
from ..names import closest, name_key
from .lists import header_key

CSV_COLUMNS = ("Allocated Team", "Unit")


def read_teams_csv(path: Path, template: Template) -> dict[str, str]:
    """A mapping CSV: columns `Allocated Team` and `Unit`; every problem in it at once."""
    problems: list[Problem] = []
    try:
        with path.open(encoding="utf-8-sig", newline="") as handle:
            rows = list(csv.reader(handle))
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError([Problem("error", f"cannot read the teams CSV {path.name}: {exc}")]) from None
    header = [header_key(h) for h in rows[0]] if rows else []
    where = {}
    for column in CSV_COLUMNS:
        if header_key(column) not in header:
            problems.append(Problem("error", f"missing column {column!r}; the CSV needs {' and '.join(CSV_COLUMNS)}",
                                    path.name, 1, column))
        else:
            where[column] = header.index(header_key(column))
    if problems:
        raise InputError(problems)
    mapping: dict[str, str] = {}
    units = {name_key(u): u for u in template.units}
    for number, row in enumerate(rows[1:], start=2):
        written, unit = (row[where[c]].strip() if where[c] < len(row) else "" for c in CSV_COLUMNS)
        if not written and not unit:
            continue
        found = units.get(name_key(unit))
        # An empty Allocated Team with a unit maps the blank team (referrals closed at the front door).
        if found is None:
            problems.append(Problem("error", f"{unit!r} is not a unit of the template{closest(unit, template.units)}",
                                    path.name, number, CSV_COLUMNS[1]))
        elif template.units[found].units:
            problems.append(Problem("error", f"{found!r} has units under it; map {written!r} to a team, so that no "
                                             "figure is counted twice", path.name, number, CSV_COLUMNS[1]))
        else:
            mapping[written] = found
    if problems:
        raise InputError(problems)
    return mapping


class TeamMap:
    """Written team name -> unit, by header_key (case, spacing and curly quotes ignored)."""

    def __init__(self, template: Template, extra: dict[str, str] | None = None):
        self.template = template
        self._by_key: dict[str, str] = {}
        for unit in template.units:
            self._by_key[header_key(unit)] = unit
        for written, unit in [*template.annex_a.teams.items(), *(extra or {}).items()]:
            self._by_key[header_key(written)] = unit

    def unit(self, written: str) -> str | None:
        return self._by_key.get(header_key(written))

    def check(self, counts: Counter) -> list[Problem]:
        """Errors for written names (with their row counts, {name: {where: rows}}) that do not map
        to a team."""
        problems = []
        leaves = [u for u, node in self.template.units.items() if not node.units]
        for written, where in sorted(counts.items(), key=lambda item: (-sum(item[1].values()), item[0])):
            unit = self.unit(written)
            rows = sum(where.values())
            found_in = "; ".join(f"{place}: {n:,}" for place, n in sorted(where.items()))
            if unit is None:
                problems.append(Problem(
                    "error", f"Allocated Team {written!r} ({rows:,} row{'s' if rows > 1 else ''} - {found_in}) is not "
                             f"a unit of the template{closest(written, leaves)}; map it under annex_a: teams: in the "
                             "template, or in a CSV given with --teams"))
            elif self.template.units[unit].units:
                problems.append(Problem(
                    "error", f"Allocated Team {written!r} ({rows:,} rows - {found_in}) is the unit {unit!r}, which has "
                             "units under it; map it to one of its teams under annex_a: teams: or in --teams"))
        return problems

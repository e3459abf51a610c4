"""Several Annex A files as one history.

A file with report date R covers the six calendar months ending with R's month (List 10:
twelve): its lists hold that window's events and the cases open at R. Files are stacked so
that months outside one file's window come from another:

- each month is counted from the **newest file that covers it** (the newest file wins: a
  row corrected or removed since is corrected or removed in the count);
- Lists 6 to 8 hold one row per child, their latest episode; an earlier episode that the
  newest file no longer shows, because the child has since started another, is taken from
  the earlier files (newest first), and, if it was open there, it is closed when the next
  one starts;
- a child is UASC when List 8 flags them in any file; every other child is not;
- the snapshot-at-R rules use the file whose report date falls in the month.
"""

from __future__ import annotations

import functools
from collections import Counter
from dataclasses import dataclass, field
from functools import cached_property

import pandas as pd

from ..model import InputError, Problem
from .lists import lists_spec
from .reading import AnnexAFile
from .teams import TeamMap

WINDOW_MONTHS = 6
ADOPTION_WINDOW_MONTHS = 12  # List 10 covers a year of adoptions
ADOPTION_LIST = 10


@functools.lru_cache(maxsize=None)
def window(report: pd.Timestamp, list_number: int) -> pd.DatetimeIndex:
    """The months (their first days) a file with this report date covers for a list."""
    length = ADOPTION_WINDOW_MONTHS if list_number == ADOPTION_LIST else WINDOW_MONTHS
    last = report.to_period("M")
    return pd.period_range(last - (length - 1), last, freq="M").to_timestamp()


@dataclass
class Stack:
    files: list[AnnexAFile]  # oldest report date first
    root: str  # the organisation's unit: rows without a team (List 10) count there
    uasc_children: frozenset[str]
    _rows: dict[tuple[int, int], pd.DataFrame] = field(default_factory=dict, repr=False)

    def months(self, list_number: int) -> pd.DatetimeIndex:
        """Every month some file covers for this list, in order."""
        covered = [window(f.report_date, list_number) for f in self.files if list_number in f.lists]
        return pd.DatetimeIndex(sorted(set().union(*covered))) if covered else pd.DatetimeIndex([])

    def source(self, list_number: int, month: pd.Timestamp) -> int | None:
        """The index of the newest file covering the month for this list."""
        for i in range(len(self.files) - 1, -1, -1):
            if list_number in self.files[i].lists and month in window(self.files[i].report_date, list_number):
                return i
        return None

    def rows(self, list_number: int, month: pd.Timestamp) -> pd.DataFrame | None:
        """The list's rows to count the month from (see the module's description), or None."""
        i = self.source(list_number, month)
        if i is None:
            return None
        if (list_number, i) not in self._rows:
            rows = self._with_earlier_episodes(list_number, i)
            if "start" in rows.columns:  # in start order: "each child once, their latest episode" is then the last
                rows = rows.sort_values("start", kind="stable")
            self._rows[list_number, i] = rows
        return self._rows[list_number, i]

    def at_report(self, month: pd.Timestamp, list_number: int) -> AnnexAFile | None:
        """The newest file whose report date is in the month and that holds the list: the list as at
        its report date."""
        for f in reversed(self.files):
            if f.report_date.to_period("M") == month.to_period("M") and list_number in f.lists:
                return f
        return None

    def report_months(self, list_number: int) -> pd.DatetimeIndex:
        return pd.DatetimeIndex(sorted({f.report_date.to_period("M").to_timestamp()
                                        for f in self.files if list_number in f.lists}))

    @cached_property
    def referral_history(self) -> pd.DataFrame:
        """Every referral in any file, each (child, date) once, the newest file's row."""
        frames = [f.lists[3] for f in self.files if 3 in f.lists]
        return pd.concat(frames, ignore_index=True).drop_duplicates(["child", "referral"], keep="last")

    def _with_earlier_episodes(self, list_number: int, newest: int) -> pd.DataFrame:
        rows = self.files[newest].lists[list_number]
        if not (lists_spec().get(list_number).one_row_per_child and "start" in rows.columns):
            return rows  # every event of the window is there (Lists 3, 4), or there are no episodes (9, 10)
        latest_start = rows.groupby("child")["start"].max()
        earlier = []
        for f in self.files[newest - 1::-1] if newest else []:
            if list_number not in f.lists:
                continue
            old = f.lists[list_number]
            shown = latest_start.reindex(old["child"]).to_numpy()
            # Hidden: the newest file shows the child with a later episode.
            earlier.append(old[pd.notna(shown) & (old["start"].to_numpy() < shown)])
        if not any(len(e) for e in earlier):
            return rows
        combined = pd.concat([rows, *earlier], ignore_index=True).drop_duplicates(["child", "start"], keep="first")
        combined = combined.sort_values(["child", "start"], kind="stable")
        following = combined.groupby("child")["start"].shift(-1)
        open_ended = combined["end"].isna() & following.notna()
        combined.loc[open_ended, "end"] = following[open_ended]  # closed when the next one started
        return combined


def stack(files: list[AnnexAFile], teams: TeamMap, root: str) -> Stack:
    """Map every row's team to a unit and flag UASC children; InputError for unmapped teams or
    two files with the same report date."""
    files = sorted(files, key=lambda f: f.report_date)
    problems = []
    for a, b in zip(files, files[1:]):
        if a.report_date == b.report_date:
            problems.append(Problem("error", f"{a.path.name} and {b.path.name} have the same report date "
                                             f"{a.report_date:%d/%m/%Y}; give each month's file once"))
    counts: dict[str, Counter] = {}
    for f in files:
        for number, frame in f.lists.items():
            if "team" in frame.columns:
                for written, n in frame["team"].value_counts(sort=False).items():
                    counts.setdefault(written, Counter())[f"{f.path.name} List {number}"] += int(n)
    problems += teams.check(counts)
    if problems:
        raise InputError(problems)
    uasc = set()
    for f in files:
        if 8 in f.lists:
            frame = f.lists[8]
            uasc.update(frame.loc[frame["uasc"] == "Yes", "child"])
    uasc = frozenset(uasc)
    mapped = {written: teams.unit(written) for written in counts}
    for f in files:
        for number, frame in f.lists.items():
            frame["unit"] = frame["team"].map(mapped) if "team" in frame.columns else root
            frame["uasc"] = frame["child"].isin(uasc)
    return Stack(files, root, uasc)

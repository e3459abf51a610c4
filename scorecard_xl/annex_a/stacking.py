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
- one event listed twice in a file (Lists 3 and 4: the same child and date, say under two
  teams) is one event: the lower row is kept, and a note names both rows;
- the snapshot-at-R rules use the file dated the month's last day.

A month is **partial** when the newest file covering it is dated before its last day (Ofsted
dates Annex A to the inspection notice, often mid-month): it is left out of every figure, with
a note, and the months before it come out as usual. A month of Lists 6 to 8 is **exact** when a
file dated its last day is among those given; otherwise its figures are reconstructed from
later files, which list each child once, with their latest episode, so a child whose episode
then was replaced by a newer one is missing: such figures are noted, and `--into` never
replaces a figure already in the export with one.
"""

from __future__ import annotations

import functools
from collections import Counter
from dataclasses import dataclass, field
from functools import cached_property

import numpy as np
import pandas as pd

from ..model import InputError, Problem
from .lists import lists_spec
from .reading import AnnexAFile
from .teams import TeamMap

WINDOW_MONTHS = 6
ADOPTION_WINDOW_MONTHS = 12  # List 10 covers a year of adoptions
ADOPTION_LIST = 10


@functools.cache
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
    children: int = 0  # how many children the files hold: each row's child_number is below it
    notes: list[Problem] = field(default_factory=list)  # what stacking decided: events once, partial months
    _rows: dict[tuple[int, int], pd.DataFrame] = field(default_factory=dict, repr=False)

    def months(self, list_number: int) -> pd.DatetimeIndex:
        """Every complete month some file covers for this list, in order (partial months left out)."""
        covered = [window(f.report_date, list_number) for f in self.files if list_number in f.lists]
        months = set().union(*covered) if covered else set()
        return pd.DatetimeIndex(sorted(m for m in months if not self.partial(list_number, m)))

    def partial(self, list_number: int, month: pd.Timestamp) -> bool:
        """True when the newest file covering the month is dated before the month's last day."""
        i = self.source(list_number, month)
        return i is not None and self.files[i].report_date < month_end(month)

    def partial_months(self) -> list[tuple[AnnexAFile, pd.Timestamp]]:
        """(file, month) for each month left out as partial: the newest file covering it ends inside it."""
        found = {}
        for number in sorted({n for f in self.files for n in f.lists}):
            covered = set().union(*(window(f.report_date, number) for f in self.files if number in f.lists))
            for month in covered:
                if self.partial(number, month):
                    found.setdefault(month, self.files[self.source(number, month)])
        return [(f, m) for m, f in sorted(found.items())]

    def exact(self, list_number: int, month: pd.Timestamp) -> bool:
        """Whether the month's figures from this list are exact: always for the lists that hold every
        event of their window (3, 4, 9, 10); for Lists 6 to 8, when a file dated the month's last
        day holds the list (see the module's description)."""
        if not _one_row_per_episode_child(list_number):
            return True
        day = month_end(month)
        return any(f.report_date == day and list_number in f.lists for f in self.files)

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
        """The file dated the month's last day that holds the list: the list as at the month's end."""
        day = month_end(month)
        return next((f for f in self.files if f.report_date == day and list_number in f.lists), None)

    def report_months(self, list_number: int) -> pd.DatetimeIndex:
        """The months a file dated their last day holds the list for (a mid-month date is partial)."""
        return pd.DatetimeIndex(sorted({f.report_date.to_period("M").to_timestamp() for f in self.files
                                        if list_number in f.lists and f.report_date == month_end(f.report_date)}))

    @cached_property
    def referral_history(self) -> pd.DataFrame:
        """Every referral in any file, each (child, date) once, the newest file's row."""
        frames = [f.lists[3] for f in self.files if 3 in f.lists]
        return pd.concat(frames, ignore_index=True).drop_duplicates(["child", "referral"], keep="last")

    def _with_earlier_episodes(self, list_number: int, newest: int) -> pd.DataFrame:
        rows = self.files[newest].lists[list_number]
        if not _one_row_per_episode_child(list_number) or newest == 0:
            return rows  # every event of the window is there (Lists 3, 4), no episodes (9, 10), or no earlier file
        # Each child's start in the newest file, by the child's number (one row per child there).
        latest_start = np.full(self.children, np.datetime64("NaT"), dtype="datetime64[ns]")
        latest_start[rows["child_number"].to_numpy()] = rows["start"].to_numpy()
        earlier = []
        for f in self.files[newest - 1::-1]:
            if list_number not in f.lists:
                continue
            old = f.lists[list_number]
            shown = latest_start[old["child_number"].to_numpy()]
            # Hidden: the newest file shows the child with a later episode (NaT compares False: not shown).
            hidden = old["start"].to_numpy() < shown
            if hidden.any():
                earlier.append(old[hidden])
        if not earlier:
            return rows
        combined = pd.concat([rows, *earlier], ignore_index=True).drop_duplicates(["child_number", "start"],
                                                                                   keep="first")
        combined = combined.sort_values(["child_number", "start"], kind="stable")
        following = combined.groupby("child_number")["start"].shift(-1)
        open_ended = combined["end"].isna() & following.notna()
        combined.loc[open_ended, "end"] = following[open_ended]  # closed when the next one started
        return combined


def month_end(day: pd.Timestamp) -> pd.Timestamp:
    """The last day of the day's month."""
    return day.normalize() + pd.offsets.MonthEnd(0)


@functools.cache
def _one_row_per_episode_child(list_number: int) -> bool:
    """Lists 6 to 8: each child once, with their latest episode (a start date)."""
    spec = lists_spec().get(list_number)
    return bool(spec and spec.one_row_per_child and any(c.name == "start" for c in spec.columns))


def _one_event_once(files: list[AnnexAFile]) -> list[Problem]:
    """An event listed twice in one file (the same key, e.g. a child referred on one day under two
    teams) is one event: the lower row is kept. A note names the rows; never the child."""
    notes = []
    for f in files:
        for number, frame in list(f.lists.items()):
            spec = lists_spec().get(number)
            if spec.one_row_per_child:  # a child twice is an error there (reading.py)
                continue
            twice = frame.duplicated(spec.key, keep=False)
            if not twice.any():
                continue
            what = {3: "referral", 4: "assessment"}.get(number, "event")
            for _, group in frame[twice].groupby(spec.key, sort=False):
                rows = " and ".join(map(str, group["Row"])) if len(group) == 2 else ", ".join(map(str, group["Row"]))
                teams = list(dict.fromkeys(group["team"])) if "team" in group else []
                under = (f" under {' and '.join(repr(t) for t in teams)}" if len(teams) > 1 else "")
                kept = f", under {group['team'].iloc[-1]!r}" if len(teams) > 1 else ""
                notes.append(Problem("warning", f"List {number} rows {rows}: one {what} (the same child and date) "
                                                f"listed {len(group)} times{under}; counted once{kept} (the lower row)",
                                     file=f.path.name))
            f.lists[number] = frame[~frame.duplicated(spec.key, keep="last")].reset_index(drop=True)
    return notes


def stack(files: list[AnnexAFile], teams: TeamMap, root: str) -> Stack:
    """Map every row's team to a unit and flag UASC children; InputError for unmapped teams or
    two files with the same report date."""
    files = sorted(files, key=lambda f: f.report_date)
    problems = []
    for a, b in zip(files, files[1:], strict=False):
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
    notes = _one_event_once(files)
    # Each child as a number, the same in every file and list: episodes are matched on numbers, not text.
    frames = [frame for f in files for frame in f.lists.values()]
    numbers, children = pd.factorize(pd.concat([frame["child"] for frame in frames], ignore_index=True))
    at = 0
    for frame in frames:
        frame["child_number"] = numbers[at:at + len(frame)]
        at += len(frame)
    for f in files:
        for frame in f.lists.values():
            frame["unit"] = frame["team"].map(mapped) if "team" in frame.columns else root
            frame["uasc"] = frame["child"].isin(uasc)
    stacked = Stack(files, root, uasc, len(children), notes=notes)
    for f, month in stacked.partial_months():
        stacked.notes.append(Problem(
            "warning", f"{month:%b %Y} is left out: the newest file covering it is dated "
                       f"{f.report_date:%d/%m/%Y}, before the month's last day, so its events and month-end counts "
                       "would be short; the months before it come out as usual", file=f.path.name))
    return stacked

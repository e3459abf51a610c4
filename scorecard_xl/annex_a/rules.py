"""The Annex A rules: how each activity measure and indicator is counted from the lists.

Every rule is listed once, as data, in the catalogue (engine/annex_a_catalogue.py: its name,
what it gives, the list it counts, its months and settings). Here each catalogue entry gets its
counting function, `@rule("name")`: a function of (stack, month, settings) giving one row per
counted child or event: its Unit, UASC, Numerator and Denominator (an activity measure counts
the rows). A rule with something to tell the analyst about how its figures were counted has
notes too, `@rule("name", notes=...)`: a function of (stack, months, settings, what) giving
warnings for the export's Notes. At import, every catalogue entry must have exactly one
function and every function an entry (CatalogueError otherwise).

The template names the rule for each measure and indicator (`annex_a: re_referral_12m`);
build.py sums the rows per unit, UASC status and month. The README ("From Annex A lists")
states each rule in words; tests/test_annex_a_rules.py works each one by hand.

"Open at M's end": started on or before M's last day, and no end date or one after it.
Every List 8 rule leaves out the short-break legal statuses V3 and V4.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..engine.annex_a_catalogue import CATALOGUE, CatalogueRule
from ..engine.template import AnnexARule
from ..model import Problem
from ..names import closest
from .stacking import Stack, month_end

SHORT_BREAKS = ("V3", "V4")
EET_CODES = ("F", "P")  # Annex A activity codes: F full time, P part time in education, employment or training
RE_REFERRAL_YEARS = 1
CP_LONG_MONTHS = 18
A_LOT_OF_PLACEMENTS = 3
WORKING_DAYS_LIMIT = 45
ITEM_COLUMNS = ["Unit", "UASC", "Numerator", "Denominator"]


Count = Callable[[Stack, pd.Timestamp, AnnexARule | None], pd.DataFrame]
# (stack, the months computed, the template's settings, what the figures are, e.g. "indicator 4") -> warnings
Notes = Callable[[Stack, pd.DatetimeIndex, AnnexARule | None, str], list[Problem]]


def no_notes(stack: Stack, months: pd.DatetimeIndex, settings: AnnexARule | None, what: str) -> list[Problem]:
    """A rule with nothing to tell."""
    return []


@dataclass(frozen=True)
class Rule:
    """A catalogue entry with its counting function and its notes."""

    entry: CatalogueRule  # name, what it gives, the list it counts, its months and settings
    count: Count
    notes: Notes = no_notes

    @property
    def name(self) -> str:
        return self.entry.name

    @property
    def list_number(self) -> int:
        """The list it counts."""
        return self.entry.list_number

    @property
    def months(self) -> str:
        """Which months it can give: covered, report or year_before (see months_for)."""
        return self.entry.months


def months_for(rule: Rule, stack: Stack) -> pd.DatetimeIndex:
    """covered: every month a file covers for the list; report: the months of the files' report
    dates (the list keeps only the latest value); year_before: covered months whose previous
    twelve months are covered too."""
    if rule.months == "report":
        return stack.report_months(rule.list_number)
    covered = stack.months(rule.list_number)
    if rule.months == "covered":
        return covered
    have = set(covered)
    return pd.DatetimeIndex([m for m in covered
                             if all(m - pd.DateOffset(months=k) in have for k in range(1, 12 * RE_REFERRAL_YEARS + 1))])


def in_month(dates: pd.Series, month: pd.Timestamp) -> pd.Series:
    return (dates >= month) & (dates <= month_end(month))


def _open_at(rows: pd.DataFrame, day: pd.Timestamp) -> pd.DataFrame:
    """Rows open at the day's end, each child once (their latest-starting episode; the stack's rows
    are in start order)."""
    is_open = (rows["start"] <= day) & (rows["end"].isna() | (rows["end"] > day))
    found = rows[is_open]
    return found[~found["child"].duplicated(keep="last")]


def _items(rows: pd.DataFrame, numerator: pd.Series | np.ndarray | int = 1) -> pd.DataFrame:
    """One item per row, counting 1 in the denominator and `numerator` (1, a flag or days) above it."""
    return pd.DataFrame({"Unit": rows["unit"].to_numpy(), "UASC": rows["uasc"].to_numpy(dtype=bool),
                         "Numerator": np.broadcast_to(np.asarray(numerator, dtype=np.int64), len(rows)),
                         "Denominator": np.ones(len(rows), dtype=np.int64)})


def _care(rows: pd.DataFrame) -> pd.DataFrame:
    """List 8 without short breaks."""
    return rows[~rows["legal_status"].isin(SHORT_BREAKS)]


def authorised_in(stack: Stack, month: pd.Timestamp) -> pd.DataFrame:
    """List 4's assessments authorised in M."""
    rows = stack.rows(4, month)
    return rows[in_month(rows["authorised"], month)]


class CatalogueError(Exception):
    """The rule catalogue and the counting functions do not match (raised at import)."""


RULES: dict[str, Rule] = {}  # every catalogue entry's Rule, by name


def attach(rules: dict[str, Rule], catalogue: dict[str, CatalogueRule], name: str, count: Count,
           notes: Notes | None = None) -> None:
    """Add the catalogue entry `name` with its counting function (and notes) to `rules`."""
    where = f"{count.__name__} in scorecard_xl/annex_a/rules.py"
    if name not in catalogue:
        raise CatalogueError(f"Annex A rule {name!r} ({where}) is not in the rule catalogue{closest(name, catalogue)}: "
                             "add its entry to scorecard_xl/engine/annex_a_catalogue.py (CATALOGUE)")
    if name in rules:
        raise CatalogueError(f"Annex A rule {name!r} has two counting functions, {rules[name].count.__name__} and "
                             f"{where}: each rule has exactly one")
    rules[name] = Rule(catalogue[name], count, notes or no_notes)


def check_every_entry_counted(rules: dict[str, Rule], catalogue: dict[str, CatalogueRule]) -> None:
    """Every catalogue entry has its counting function (attach refused those of no entry)."""
    missing = [name for name in catalogue if name not in rules]
    if missing:
        raise CatalogueError(f"Annex A rule{'s' if len(missing) > 1 else ''} {', '.join(map(repr, missing))} of the "
                             "rule catalogue (scorecard_xl/engine/annex_a_catalogue.py) ha"
                             f"{'ve' if len(missing) > 1 else 's'} no counting function: add one to "
                             "scorecard_xl/annex_a/rules.py under @rule(name)")


def rule(name: str, notes: Notes | None = None):
    """Attach the decorated counting function, and `notes` if the rule has any, to the catalogue's
    entry `name`."""
    def register(count):
        attach(RULES, CATALOGUE, name, count, notes)
        return count
    return register


# ----------------------------------------------------------------------------- activity

@rule("caseloads")
def caseloads(stack, month, settings):
    """List 6 children open at M's end."""
    return _items(_open_at(stack.rows(6, month), month_end(month)))


@rule("referrals")
def referrals(stack, month, settings):
    """List 3 referrals dated in M."""
    rows = stack.rows(3, month)
    return _items(rows[in_month(rows["referral"], month)])


@rule("cf_assessments")
def cf_assessments(stack, month, settings):
    """List 4 assessments authorised in M."""
    return _items(authorised_in(stack, month))


@rule("cp_plans")
def cp_plans(stack, month, settings):
    """List 7 plans open at M's end."""
    return _items(_open_at(stack.rows(7, month), month_end(month)))


@rule("cp_starts")
def cp_starts(stack, month, settings):
    rows = stack.rows(7, month)
    return _items(rows[in_month(rows["start"], month)])


@rule("cp_ends")
def cp_ends(stack, month, settings):
    rows = stack.rows(7, month)
    return _items(rows[in_month(rows["end"], month)])


@rule("lac")
def lac(stack, month, settings):
    """List 8 children looked after at M's end (not short breaks)."""
    return _items(_open_at(_care(stack.rows(8, month)), month_end(month)))


@rule("uasc_lac")
def uasc_lac(stack, month, settings):
    """Of those, the UASC children."""
    looked_after = _open_at(_care(stack.rows(8, month)), month_end(month))
    return _items(looked_after[looked_after["uasc"]])


@rule("lac_starts")
def lac_starts(stack, month, settings):
    rows = _care(stack.rows(8, month))
    return _items(rows[in_month(rows["start"], month)])


@rule("lac_ends")
def lac_ends(stack, month, settings):
    rows = _care(stack.rows(8, month))
    return _items(rows[in_month(rows["end"], month)])


# ----------------------------------------------------------------------------- indicators

@rule("re_referral_12m")
def re_referral_12m(stack, month, settings):
    """Referrals in M whose child had another referral in the 12 months before (from every file)."""
    rows = stack.rows(3, month)
    rows = rows[in_month(rows["referral"], month)]
    history = stack.referral_history[["child", "referral"]].sort_values(["child", "referral"])
    previous = history.assign(previous=history.groupby("child")["referral"].shift(1))
    # The latest earlier referral of the same child: within [d - 12 months, d) or not.
    found = rows[["child", "referral"]].merge(previous, on=["child", "referral"], how="left")["previous"]
    since = rows["referral"].reset_index(drop=True) - pd.DateOffset(years=RE_REFERRAL_YEARS)
    again = (found.notna() & (found >= since)).to_numpy()
    return _items(rows, again)


@functools.cache
def _bank_holidays(first_year: int, last_year: int) -> np.ndarray:
    import holidays

    days = holidays.country_holidays("GB", subdiv="ENG", years=range(first_year, last_year + 1))
    return np.array(sorted(days), dtype="datetime64[D]")


def working_days(start: pd.Series, end: pd.Series) -> np.ndarray:
    """Working days after `start` up to and including `end` (the same day: 0). Weekends and
    England's bank holidays (the `holidays` package) are not working days."""
    first = start.to_numpy(dtype="datetime64[D]")
    last = end.to_numpy(dtype="datetime64[D]")
    if len(first) == 0:
        return np.zeros(0, dtype=np.int64)
    holidays = _bank_holidays(int(start.min().year), int(end.max().year))
    one = np.timedelta64(1, "D")
    return np.busday_count(first + one, last + one, holidays=holidays)


@rule("assessment_45_working_days")
def assessment_45_working_days(stack, month, settings):
    """Assessments authorised in M within 45 working days of their start."""
    rows = authorised_in(stack, month)
    return _items(rows, working_days(rows["start"], rows["authorised"]) <= WORKING_DAYS_LIMIT)


def seen_notes(stack, months, settings, what) -> list[Problem]:
    """Each month's assessments authorised with child seen Unknown or blank (counted as not seen)."""
    notes = []
    for month in months:
        unknown = int((~authorised_in(stack, month)["seen"].isin(["Yes", "No"])).sum())
        if unknown:
            notes.append(Problem("warning", f"{month:%b %Y}: {what}: {unknown} assessment"
                                            f"{'s' if unknown > 1 else ''} authorised with child seen Unknown or "
                                            "blank, counted as not seen (Annex A List 4)"))
    return notes


@rule("child_seen_at_assessment", notes=seen_notes)
def child_seen_at_assessment(stack, month, settings):
    """Assessments authorised in M whose child was seen (Unknown and blank are not seen)."""
    rows = authorised_in(stack, month)
    return _items(rows, (rows["seen"] == "Yes").to_numpy())


@rule("cp_plan_18_months")
def cp_plan_18_months(stack, month, settings):
    """Plans open at M's end that started on or before M's last day minus 18 months."""
    day = month_end(month)
    plans = _open_at(stack.rows(7, month), day)
    return _items(plans, (plans["start"] <= day - pd.DateOffset(months=CP_LONG_MONTHS)).to_numpy())


@rule("cp_second_or_subsequent")
def cp_second_or_subsequent(stack, month, settings):
    """Plans starting in M whose child had a plan before."""
    rows = stack.rows(7, month)
    rows = rows[in_month(rows["start"], month)]
    return _items(rows, (rows["previous_plans"] >= 1).to_numpy())


@rule("cla_3plus_placements")
def cla_3plus_placements(stack, month, settings):
    """Children looked after at R with 3 or more placements in the last 12 months."""
    file = stack.at_report(month, 8)
    looked_after = _open_at(_care(file.lists[8]), file.report_date)
    return _items(looked_after, (looked_after["placements"] >= A_LOT_OF_PLACEMENTS).to_numpy())


@rule("cp_visit_within_days")
def cp_visit_within_days(stack, month, settings):
    """Plans open at R whose last statutory visit is at most N days before R."""
    file = stack.at_report(month, 7)
    day = file.report_date
    plans = _open_at(file.lists[7], day)
    recent = plans["last_visit"].notna() & ((day - plans["last_visit"]).dt.days <= settings.days)
    return _items(plans, recent.to_numpy())


# Care leavers DfE leaves out of every care leaver measure's denominator (its statistics'
# footnotes: young people who have died, or returned home to live with parents for 6 months
# or more). The template may keep them in (`died_and_returned_home: include`).
LEFT_OUT_LEAVERS = ("Died", "Returned home")


def _care_leavers(stack, month, settings, over_in_touch: bool) -> tuple[pd.DataFrame, pd.Series]:
    """List 9 at M's end: the denominator's care leavers, and which of them are in touch."""
    rows = stack.at_report(month, 9).lists[9]
    if settings is None or settings.died_and_returned_home != "include":
        rows = rows[~rows["in_touch"].isin(LEFT_OUT_LEAVERS)]
    in_touch = rows["in_touch"] == "Yes"
    if over_in_touch:
        return rows[in_touch], in_touch[in_touch]
    return rows, in_touch


def care_leavers_left_out(stack, month) -> int:
    """How many care leavers DfE's definition leaves out of the denominators (for the notes)."""
    return int(stack.at_report(month, 9).lists[9]["in_touch"].isin(LEFT_OUT_LEAVERS).sum())


def care_leaver_notes(stack, months, settings, what) -> list[Problem]:
    """How many care leavers DfE's definition left out of the denominator, month by month (unless the
    template keeps them in)."""
    if settings is not None and settings.died_and_returned_home == "include":
        return []
    left_out = {month: care_leavers_left_out(stack, month) for month in months}
    if not any(left_out.values()):
        return []
    counts = ", ".join(f"{m:%b %Y} {n}" for m, n in left_out.items() if n)
    return [Problem("warning", f"{what}: care leavers who died or returned home to live with parents are left out "
                               f"of the denominator, as DfE's statistics do ({counts}; Annex A List 9)")]


@rule("care_leavers_in_touch", notes=care_leaver_notes)
def care_leavers_in_touch(stack, month, settings):
    rows, in_touch = _care_leavers(stack, month, settings, over_in_touch=False)
    return _items(rows, in_touch.to_numpy())


@rule("care_leavers_suitable_accommodation", notes=care_leaver_notes)
def care_leavers_suitable_accommodation(stack, month, settings):
    rows, in_touch = _care_leavers(stack, month, settings, over_in_touch=settings.denominator == "in_touch")
    return _items(rows, (in_touch & (rows["suitable"] == "Suitable")).to_numpy())


@rule("care_leavers_eet", notes=care_leaver_notes)
def care_leavers_eet(stack, month, settings):
    rows, in_touch = _care_leavers(stack, month, settings, over_in_touch=settings.denominator == "in_touch")
    eet = rows["activity"].fillna("").astype(str).str[:1].isin(EET_CODES)
    return _items(rows, (in_touch & eet).to_numpy())


# The List 10 dates each adoption rule counts the days between.
ADOPTION_SPANS = {"adoption_a1_days": ("entered_care", "placed"), "adoption_a2_days": ("placement_order", "matched")}


def adopted_in(stack: Stack, month: pd.Timestamp) -> pd.DataFrame:
    """List 10's children adopted in M."""
    rows = stack.rows(10, month)
    return rows[in_month(rows["adopted"], month)]


def _adoption_days(stack, month, name: str) -> tuple[pd.DataFrame, pd.Series]:
    """Children adopted in M with both dates of the span (rows lacking either left out), and the days."""
    since, until = ADOPTION_SPANS[name]
    rows = adopted_in(stack, month)
    rows = rows[rows[since].notna() & rows[until].notna()]
    end = rows[until]
    if name == "adoption_a1_days":
        # DfE's A1 runs to the day the child moved in with the family that adopted them: for a
        # Fostering for Adoption or concurrent planning placement, that placement's start.
        end = end.where(rows["ffa_placed"].isna() | (rows["ffa_placed"] >= end), rows["ffa_placed"])
    return rows.assign(unit=stack.root), (end - rows[since]).dt.days


def _lacking_dates(adopted: pd.DataFrame, month: pd.Timestamp, name: str, what: str) -> list[Problem]:
    """The month's adopted children left out of the rule `name`: either date of its span missing."""
    since, until = ADOPTION_SPANS[name]
    lacking = int((adopted[since].isna() | adopted[until].isna()).sum())
    if not lacking:
        return []
    return [Problem("warning", f"{month:%b %Y}: {what}: {lacking} adopted child{'ren' if lacking > 1 else ''} "
                               f"left out: no date in Annex A List 10 for {since.replace('_', ' ')} or "
                               f"{until.replace('_', ' ')}")]


def a1_notes(stack, months, settings, what) -> list[Problem]:
    """Each month's adopted children left out for want of a date."""
    return [note for month in months
            for note in _lacking_dates(adopted_in(stack, month), month, "adoption_a1_days", what)]


def a2_notes(stack, months, settings, what) -> list[Problem]:
    """Each month's adopted children matched before the placement order (counted as 0 days), then
    those left out for want of a date."""
    notes = []
    for month in months:
        adopted = adopted_in(stack, month)
        early = int((adopted["matched"] < adopted["placement_order"]).sum())
        if early:
            notes.append(Problem("warning", f"{month:%b %Y}: {what}: {early} adopted child{'ren' if early > 1 else ''} "
                                            "matched before the placement order, counted as 0 days (as DfE's A2)"))
        notes += _lacking_dates(adopted, month, "adoption_a2_days", what)
    return notes


@rule("adoption_a1_days", notes=a1_notes)
def adoption_a1_days(stack, month, settings):
    """Children adopted in M: days from entering care to moving in with the adopters (placed for
    adoption, or the FFA / concurrent planning placement where that came first)."""
    rows, days = _adoption_days(stack, month, "adoption_a1_days")
    return _items(rows, days.to_numpy())


@rule("adoption_a2_days", notes=a2_notes)
def adoption_a2_days(stack, month, settings):
    """Children adopted in M: days from the placement order to the match with adopters; a match
    before the order counts 0 days, as DfE's A2 does."""
    rows, days = _adoption_days(stack, month, "adoption_a2_days")
    return _items(rows, days.clip(lower=0).to_numpy())


check_every_entry_counted(RULES, CATALOGUE)

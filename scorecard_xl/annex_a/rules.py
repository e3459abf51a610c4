"""The Annex A rules: how each activity measure and indicator is counted from the lists.

Every rule is a named function of (stack, month, settings) giving one row per counted child
or event: its Unit, UASC, Numerator and Denominator (an activity measure counts the rows).
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
from typing import Literal

import numpy as np
import pandas as pd

from ..engine.template import AnnexARule
from .stacking import Stack, month_end

SHORT_BREAKS = ("V3", "V4")
EET_CODES = ("F", "P")  # Annex A activity codes: F full time, P part time in education, employment or training
RE_REFERRAL_YEARS = 1
CP_LONG_MONTHS = 18
A_LOT_OF_PLACEMENTS = 3
WORKING_DAYS_LIMIT = 45
ITEM_COLUMNS = ["Unit", "UASC", "Numerator", "Denominator"]


@dataclass(frozen=True)
class Rule:
    name: str
    list_number: int  # the list it counts
    months: Literal["covered", "report", "year_before"]  # which months it can give (see months_for)
    count: Callable[[Stack, pd.Timestamp, AnnexARule | None], pd.DataFrame]


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


RULES: dict[str, Rule] = {}


def rule(name: str, list_number: int, months: str = "covered"):
    def register(count):
        RULES[name] = Rule(name, list_number, months, count)
        return count
    return register


# ----------------------------------------------------------------------------- activity

@rule("caseloads", 6)
def caseloads(stack, month, settings):
    """List 6 children open at M's end."""
    return _items(_open_at(stack.rows(6, month), month_end(month)))


@rule("referrals", 3)
def referrals(stack, month, settings):
    """List 3 referrals dated in M."""
    rows = stack.rows(3, month)
    return _items(rows[in_month(rows["referral"], month)])


@rule("cf_assessments", 4)
def cf_assessments(stack, month, settings):
    """List 4 assessments authorised in M."""
    return _items(authorised_in(stack, month))


@rule("cp_plans", 7)
def cp_plans(stack, month, settings):
    """List 7 plans open at M's end."""
    return _items(_open_at(stack.rows(7, month), month_end(month)))


@rule("cp_starts", 7)
def cp_starts(stack, month, settings):
    rows = stack.rows(7, month)
    return _items(rows[in_month(rows["start"], month)])


@rule("cp_ends", 7)
def cp_ends(stack, month, settings):
    rows = stack.rows(7, month)
    return _items(rows[in_month(rows["end"], month)])


@rule("lac", 8)
def lac(stack, month, settings):
    """List 8 children looked after at M's end (not short breaks)."""
    return _items(_open_at(_care(stack.rows(8, month)), month_end(month)))


@rule("uasc_lac", 8)
def uasc_lac(stack, month, settings):
    """Of those, the UASC children."""
    looked_after = _open_at(_care(stack.rows(8, month)), month_end(month))
    return _items(looked_after[looked_after["uasc"]])


@rule("lac_starts", 8)
def lac_starts(stack, month, settings):
    rows = _care(stack.rows(8, month))
    return _items(rows[in_month(rows["start"], month)])


@rule("lac_ends", 8)
def lac_ends(stack, month, settings):
    rows = _care(stack.rows(8, month))
    return _items(rows[in_month(rows["end"], month)])


# ----------------------------------------------------------------------------- indicators

@rule("re_referral_12m", 3, months="year_before")
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


@rule("assessment_45_working_days", 4)
def assessment_45_working_days(stack, month, settings):
    """Assessments authorised in M within 45 working days of their start."""
    rows = authorised_in(stack, month)
    return _items(rows, working_days(rows["start"], rows["authorised"]) <= WORKING_DAYS_LIMIT)


@rule("child_seen_at_assessment", 4)
def child_seen_at_assessment(stack, month, settings):
    """Assessments authorised in M whose child was seen (Unknown and blank are not seen)."""
    rows = authorised_in(stack, month)
    return _items(rows, (rows["seen"] == "Yes").to_numpy())


@rule("cp_plan_18_months", 7)
def cp_plan_18_months(stack, month, settings):
    """Plans open at M's end that started on or before M's last day minus 18 months."""
    day = month_end(month)
    plans = _open_at(stack.rows(7, month), day)
    return _items(plans, (plans["start"] <= day - pd.DateOffset(months=CP_LONG_MONTHS)).to_numpy())


@rule("cp_second_or_subsequent", 7)
def cp_second_or_subsequent(stack, month, settings):
    """Plans starting in M whose child had a plan before."""
    rows = stack.rows(7, month)
    rows = rows[in_month(rows["start"], month)]
    return _items(rows, (rows["previous_plans"] >= 1).to_numpy())


@rule("cla_3plus_placements", 8, months="report")
def cla_3plus_placements(stack, month, settings):
    """Children looked after at R with 3 or more placements in the last 12 months."""
    file = stack.at_report(month, 8)
    looked_after = _open_at(_care(file.lists[8]), file.report_date)
    return _items(looked_after, (looked_after["placements"] >= A_LOT_OF_PLACEMENTS).to_numpy())


@rule("cp_visit_within_days", 7, months="report")
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


@rule("care_leavers_in_touch", 9, months="report")
def care_leavers_in_touch(stack, month, settings):
    rows, in_touch = _care_leavers(stack, month, settings, over_in_touch=False)
    return _items(rows, in_touch.to_numpy())


@rule("care_leavers_suitable_accommodation", 9, months="report")
def care_leavers_suitable_accommodation(stack, month, settings):
    rows, in_touch = _care_leavers(stack, month, settings, over_in_touch=settings.denominator == "in_touch")
    return _items(rows, (in_touch & (rows["suitable"] == "Suitable")).to_numpy())


@rule("care_leavers_eet", 9, months="report")
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


@rule("adoption_a1_days", 10)
def adoption_a1_days(stack, month, settings):
    """Children adopted in M: days from entering care to moving in with the adopters (placed for
    adoption, or the FFA / concurrent planning placement where that came first)."""
    rows, days = _adoption_days(stack, month, "adoption_a1_days")
    return _items(rows, days.to_numpy())


@rule("adoption_a2_days", 10)
def adoption_a2_days(stack, month, settings):
    """Children adopted in M: days from the placement order to the match with adopters; a match
    before the order counts 0 days, as DfE's A2 does."""
    rows, days = _adoption_days(stack, month, "adoption_a2_days")
    return _items(rows, days.clip(lower=0).to_numpy())


"""Every Annex A rule on hand-worked cases: small files written as a council's system would,
read, stacked and computed through the real modules, each figure worked out by hand here."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd
import pytest
from annex_a_fixtures import write_annex_a

from scorecard_xl.annex_a.build import compute
from scorecard_xl.annex_a.reading import read_annex_a
from scorecard_xl.annex_a.rules import working_days
from scorecard_xl.annex_a.stacking import stack
from scorecard_xl.annex_a.teams import TeamMap
from scorecard_xl.engine.template import load_template

D = dt.date
AUG, JUL = pd.Timestamp("2016-08-01"), pd.Timestamp("2016-07-01")


@pytest.fixture(scope="module")
def kent():
    return load_template("kent_scs")


def run(tmp_path, kent, files: dict[dt.date, dict], **options):
    read = []
    for report, lists in files.items():
        path = write_annex_a(tmp_path / f"annex-a-{report:%Y-%m-%d}.xlsx", lists, **options)
        read.append(read_annex_a(path, report))
    return compute(stack(read, TeamMap(kent), kent.organisation_tree.name), kent)


def activity(computed, month, unit, measure) -> int:
    rows = computed.activity
    return int(rows.loc[(rows["Month"] == month) & (rows["Unit"] == unit), measure].iloc[0])


def figure(computed, indicator, month, unit=None, uasc=None) -> tuple[int, int]:
    rows = computed.indicators
    rows = rows[(rows["Indicator"] == indicator) & (rows["Month"] == month)]
    if unit is not None:
        rows = rows[rows["Unit"] == unit]
    if uasc is not None:
        rows = rows[rows["UASC"] == uasc]
    return int(rows["Numerator"].sum()), int(rows["Denominator"].sum())


ASH = "Ashford CSWT"


# ----------------------------------------------------------------------------- working days

@pytest.mark.parametrize("start, end, days", [
    (D(2016, 8, 1), D(2016, 8, 1), 0),  # authorised the day it started
    (D(2016, 8, 1), D(2016, 8, 2), 1),
    (D(2016, 8, 5), D(2016, 8, 8), 1),  # Friday to Monday: the weekend does not count
    (D(2015, 12, 24), D(2015, 12, 29), 1),  # Christmas Day (Fri) and Boxing Day's substitute (Mon 28th)
    (D(2016, 3, 24), D(2016, 3, 29), 1),  # Good Friday 25th and Easter Monday 28th
    (D(2016, 8, 26), D(2016, 8, 30), 1),  # the summer bank holiday, Mon 29 Aug 2016
])
def test_working_days(start, end, days):
    assert working_days(pd.Series([pd.Timestamp(start)]), pd.Series([pd.Timestamp(end)]))[0] == days


def test_45_working_days_around_bank_holidays(tmp_path, kent):
    # From Mon 22 Feb 2016: Feb 23-29 has 5 working days; March 23 weekdays less Good Friday (25th) and
    # Easter Monday (28th) = 21, so 26 by 31 March; April 1, 4-8, 11-15, 18-22, 25-27 make the 45th Wed 27 Apr.
    # From Thu 25 Feb, Tue 3 May is the 45th only because Mon 2 May is a bank holiday.
    lists = {4: [
        {"child": "1", "start": D(2016, 2, 22), "authorised": D(2016, 4, 27), "team": ASH},  # 45: in time
        {"child": "2", "start": D(2016, 2, 22), "authorised": D(2016, 4, 28), "team": ASH},  # 46: late
        {"child": "3", "start": D(2016, 2, 25), "authorised": D(2016, 5, 3), "team": ASH},  # 45: in time
        {"child": "4", "start": D(2016, 2, 24), "authorised": D(2016, 5, 3), "team": ASH},  # 46: late
    ]}
    computed = run(tmp_path, kent, {D(2016, 5, 31): lists})
    assert figure(computed, "2", pd.Timestamp("2016-04-01"), ASH) == (1, 2)
    assert figure(computed, "2", pd.Timestamp("2016-05-01"), ASH) == (1, 2)
    assert activity(computed, pd.Timestamp("2016-05-01"), ASH, "CF Assessments") == 2


def test_child_seen_unknown_is_not_seen_and_noted(tmp_path, kent):
    lists = {4: [
        {"child": "1", "start": D(2016, 8, 1), "authorised": D(2016, 8, 10), "team": ASH, "seen": "a) Yes"},
        {"child": "2", "start": D(2016, 8, 1), "authorised": D(2016, 8, 10), "team": ASH, "seen": "No"},
        {"child": "3", "start": D(2016, 8, 1), "authorised": D(2016, 8, 10), "team": ASH, "seen": "c) Unknown"},
        {"child": "4", "start": D(2016, 8, 1), "authorised": D(2016, 8, 10), "team": ASH, "seen": None},
        {"child": "5", "start": D(2016, 8, 1), "team": ASH},  # not authorised yet: not counted
    ]}
    computed = run(tmp_path, kent, {D(2016, 8, 31): lists})
    assert figure(computed, "4", AUG, ASH) == (1, 4)
    assert any("2 assessments authorised with child seen Unknown or blank" in n.message for n in computed.notes)


# ----------------------------------------------------------------------------- open at the month's end

def test_open_ended_and_ending_on_the_last_day(tmp_path, kent):
    lists = {7: [
        {"child": "1", "start": D(2016, 3, 1), "team": ASH},  # open-ended: open at every month end
        {"child": "2", "start": D(2016, 3, 1), "end": D(2016, 7, 31), "team": ASH},  # ends on July's last day
        {"child": "3", "start": D(2016, 7, 31), "end": D(2016, 8, 1), "team": ASH},  # starts on it
    ]}
    computed = run(tmp_path, kent, {D(2016, 8, 31): lists})
    assert activity(computed, JUL, ASH, "CP Plans") == 2  # 1 and 3: 2's plan is not open at July's end
    assert activity(computed, AUG, ASH, "CP Plans") == 1
    assert activity(computed, JUL, ASH, "CP Ends") == 1
    assert activity(computed, AUG, ASH, "CP Ends") == 1
    assert activity(computed, JUL, ASH, "CP Starts") == 1
    assert activity(computed, pd.Timestamp("2016-03-01"), ASH, "CP Starts") == 2


def test_cp_plan_18_months(tmp_path, kent):
    # Aug 2016's last day minus 18 months is 28 Feb 2015 (31 Feb does not exist: the month's last day).
    lists = {7: [
        {"child": "1", "start": D(2015, 2, 28), "team": ASH},
        {"child": "2", "start": D(2015, 3, 1), "team": ASH},
        {"child": "3", "start": D(2014, 1, 1), "end": D(2016, 8, 31), "team": ASH},  # ended on Aug's last day
    ]}
    computed = run(tmp_path, kent, {D(2016, 8, 31): lists})
    assert figure(computed, "10", AUG, ASH) == (1, 2)
    # July: 31 Jul 2016 - 18 months = 31 Jan 2015; of the three plans open at July's end only child 3's
    # (Jan 2014) had started by then.
    assert figure(computed, "10", JUL, ASH) == (1, 3)


def test_cp_second_or_subsequent(tmp_path, kent):
    lists = {7: [
        {"child": "1", "start": D(2016, 8, 2), "previous": 0, "team": ASH},
        {"child": "2", "start": D(2016, 8, 3), "previous": 1, "team": ASH},
        {"child": "3", "start": D(2016, 8, 4), "previous": 3, "team": ASH},
        {"child": "4", "start": D(2016, 7, 4), "previous": 3, "team": ASH},
    ]}
    computed = run(tmp_path, kent, {D(2016, 8, 31): lists})
    assert figure(computed, "13", AUG, ASH) == (2, 3)
    assert figure(computed, "13", JUL, ASH) == (1, 1)


# ----------------------------------------------------------------------------- care

def test_looked_after_short_breaks_uasc_and_a_second_period(tmp_path, kent):
    uasc_team = "Unaccompanied Asylum Seeking Children Service"
    may = {8: [{"child": "7", "start": D(2016, 1, 4), "end": D(2016, 4, 20), "team": "South Kent CIC"}]}
    aug = {8: [
        {"child": "1", "start": D(2016, 2, 1), "team": "South Kent CIC", "placements": 3},
        {"child": "2", "start": D(2016, 2, 1), "team": "South Kent CIC", "legal": "V3: short breaks", "placements": 5},
        {"child": "3", "start": D(2016, 8, 1), "team": uasc_team, "uasc": "Y"},
        {"child": "4", "start": D(2016, 5, 1), "end": D(2016, 8, 12), "team": "South Kent CIC", "legal": "V2"},
        # Child 7's second period of care: the first (Jan-Apr) is in May's file only.
        {"child": "7", "start": D(2016, 6, 6), "team": "South Kent CIC", "placements": 4},
    ]}
    computed = run(tmp_path, kent, {D(2016, 5, 31): may, D(2016, 8, 31): aug})
    cic = "South Kent CIC"
    assert activity(computed, AUG, cic, "LAC") == 2  # 1 and 7; 2 is a short break, 4 ceased
    assert activity(computed, AUG, "SUASC Service", "LAC") == 1
    assert activity(computed, AUG, "SUASC Service", "UASC LAC") == 1
    assert activity(computed, AUG, cic, "LAC Ends") == 1
    assert activity(computed, AUG, cic, "LAC Starts") == 0
    assert activity(computed, pd.Timestamp("2016-04-01"), cic, "LAC Ends") == 1  # the first period, from May's file
    assert activity(computed, pd.Timestamp("2016-03-01"), cic, "LAC") == 2  # children 1 and 7's first period
    assert activity(computed, pd.Timestamp("2016-06-01"), cic, "LAC Starts") == 1
    # Placement stability at the report date: 1 (3) and 7 (4) of 1, 7, 3.
    assert figure(computed, "17", AUG) == (2, 3)
    assert figure(computed, "17", AUG, "SUASC Service", uasc=True) == (0, 1)
    assert figure(computed, "17", pd.Timestamp("2016-05-01")) == (0, 0)  # May's file: child 7 had ceased


def test_uasc_in_any_file_marks_every_row_of_the_child(tmp_path, kent):
    jul = {8: [{"child": "9", "start": D(2016, 6, 1), "team": "South Kent CIC", "uasc": "Y"}],
           3: [{"child": "9", "referral": D(2016, 5, 1), "team": ASH}]}
    aug = {4: [{"child": "9", "start": D(2016, 8, 1), "authorised": D(2016, 8, 2), "team": ASH},
               {"child": "10", "start": D(2016, 8, 1), "authorised": D(2016, 8, 2), "team": ASH}],
           8: [{"child": "9", "start": D(2016, 6, 1), "team": "South Kent CIC", "uasc": "N"}]}
    computed = run(tmp_path, kent, {D(2016, 7, 31): jul, D(2016, 8, 31): aug})
    # Child 9 is UASC, flagged only in July's List 8: so in every list and month.
    assert figure(computed, "2", AUG, ASH, uasc=True) == (1, 1)
    assert figure(computed, "2", AUG, ASH, uasc=False) == (1, 1)
    assert activity(computed, JUL, "South Kent CIC", "UASC LAC") == 1
    assert activity(computed, AUG, "South Kent CIC", "UASC LAC") == 1


def test_care_leavers(tmp_path, kent):
    team = "Leaving Care 18+"
    lists = {9: [
        {"child": "1", "team": team, "in_touch": "a) Yes", "suitable": "a) Suitable", "activity": "F1: Full time HE"},
        {"child": "2", "team": team, "in_touch": "Yes", "suitable": "b) Unsuitable", "activity": "P2: Part time"},
        {"child": "3", "team": team, "in_touch": "a) Yes", "suitable": "Suitable", "activity": "G4: NEET"},
        {"child": "4", "team": team, "in_touch": "b) No"},
        {"child": "5", "team": team, "in_touch": "d) Refused"},
    ]}
    computed = run(tmp_path, kent, {D(2016, 8, 31): lists})
    leavers = "Care Leaver Service (18+)"
    assert figure(computed, "32", AUG, leavers) == (3, 5)  # in touch, over all
    assert figure(computed, "33", AUG, leavers) == (2, 3)  # suitable, over those in touch
    assert figure(computed, "34", AUG, leavers) == (2, 3)  # F or P, over those in touch
    assert figure(computed, "32", JUL) == (0, 0)  # a snapshot at the report date only: no July row
    assert JUL not in set(computed.indicators.loc[computed.indicators["Indicator"] == "32", "Month"])


def test_adoption_days_for_the_county(tmp_path, kent):
    lists = {10: [
        {"child": "1", "entered": D(2015, 1, 1), "order": D(2015, 6, 1), "matched": D(2015, 9, 1),
         "placed": D(2015, 10, 1), "adopted": D(2016, 8, 3)},
        {"child": "2", "entered": D(2015, 3, 1), "order": D(2015, 7, 1), "matched": D(2015, 8, 1),
         "placed": D(2015, 9, 1), "adopted": D(2016, 8, 10)},
        {"child": "3", "entered": D(2015, 3, 1), "order": D(2015, 7, 1)},  # not adopted yet
    ]}
    computed = run(tmp_path, kent, {D(2016, 8, 31): lists})
    # A1: 273 (1 Jan to 1 Oct 2015) + 184 (1 Mar to 1 Sep) days; A2: 92 + 31.
    assert figure(computed, "29", AUG, "Kent") == (273 + 184, 2)
    assert figure(computed, "30", AUG, "Kent") == (92 + 31, 2)
    months = set(computed.indicators.loc[computed.indicators["Indicator"] == "29", "Month"])
    assert len(months) == 12  # List 10 covers a year


# ----------------------------------------------------------------------------- referrals and stacking

@pytest.mark.slow
def test_re_referral_needs_the_year_before(tmp_path, kent):
    files = {}
    for end in pd.date_range("2015-09-30", "2016-08-31", freq="ME"):
        files[end.date()] = {}
    files[D(2016, 8, 31)] = {3: [
        {"child": "1", "referral": D(2016, 8, 10), "team": ASH},
        {"child": "2", "referral": D(2016, 8, 10), "team": ASH},
        {"child": "3", "referral": D(2016, 8, 15), "team": ASH},
    ]}
    files[D(2015, 12, 31)] = {3: [
        {"child": "1", "referral": D(2015, 8, 10), "team": ASH},  # exactly 12 months before: counts
        {"child": "2", "referral": D(2015, 8, 9), "team": ASH},  # a day more: does not
    ]}
    files[D(2016, 4, 30)] = {3: [{"child": "3", "referral": D(2016, 3, 1), "team": "Dover CSWT"}]}
    computed = run(tmp_path, kent, files)
    assert figure(computed, "1", AUG, ASH) == (2, 3)  # children 1 and 3
    months = sorted(set(computed.indicators.loc[computed.indicators["Indicator"] == "1", "Month"]))
    assert months[0] == pd.Timestamp("2016-04-01")  # the files cover from Apr 2015
    assert any("indicator 1 (re_referral_12m) is left empty for Apr 2015 to Mar 2016" in n.message
               for n in computed.notes)


def test_same_child_in_two_files_counted_once_newest_wins(tmp_path, kent):
    jul = {7: [{"child": "1", "start": D(2016, 5, 1), "team": ASH}],
           3: [{"child": "1", "referral": D(2016, 5, 1), "team": ASH}]}
    # August's file has the same plan, now ended, and the referral moved to Dover.
    aug = {7: [{"child": "1", "start": D(2016, 5, 1), "end": D(2016, 7, 20), "team": ASH}],
           3: [{"child": "1", "referral": D(2016, 5, 1), "team": "Dover CSWT"}]}
    computed = run(tmp_path, kent, {D(2016, 7, 31): jul, D(2016, 8, 31): aug})
    assert activity(computed, JUL, ASH, "CP Plans") == 0  # the newest file: ended on 20 July
    assert activity(computed, JUL, ASH, "CP Ends") == 1
    may = pd.Timestamp("2016-05-01")
    assert activity(computed, may, ASH, "Referrals") + activity(computed, may, "Dover CSWT", "Referrals") == 1
    assert activity(computed, may, "Dover CSWT", "Referrals") == 1
    assert computed.activity_months[0] == pd.Timestamp("2016-02-01")


def test_a_child_in_two_teams_across_lists(tmp_path, kent):
    lists = {3: [{"child": "1", "referral": D(2016, 8, 1), "team": ASH}],
             6: [{"child": "1", "start": D(2016, 8, 1), "team": ASH}],
             7: [{"child": "1", "start": D(2016, 8, 20), "team": "Dover CSWT"}]}
    computed = run(tmp_path, kent, {D(2016, 8, 31): lists})
    assert activity(computed, AUG, ASH, "Caseloads") == 1
    assert activity(computed, AUG, "Dover CSWT", "Caseloads") == 0  # counted once, where List 6 has the child
    assert activity(computed, AUG, "Dover CSWT", "CP Plans") == 1
    assert activity(computed, AUG, ASH, "CP Plans") == 0


def test_every_team_every_month_and_zero_filled_indicator_rows(tmp_path, kent):
    lists = {4: [{"child": "1", "start": D(2016, 8, 1), "authorised": D(2016, 8, 2), "team": ASH}]}
    computed = run(tmp_path, kent, {D(2016, 8, 31): lists})
    teams = [u for u, node in kent.units.items() if not node.units]
    assert len(computed.activity) == 6 * len(teams)
    rows = computed.indicators[computed.indicators["Indicator"] == "2"]
    assert len(rows) == 6 and rows["Denominator"].sum() == 1  # Mar..Aug for (Ashford, not UASC)


# ----------------------------------------------------------------------------- properties

from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from scorecard_xl.annex_a.lists import lists_spec  # noqa: E402
from scorecard_xl.annex_a.reading import AnnexAFile  # noqa: E402
from scorecard_xl.annex_a.rules import RULES, months_for  # noqa: E402

DAYS = st.dates(min_value=D(2014, 12, 1), max_value=D(2016, 8, 31))


def in_memory_file(report: dt.date, referrals: list[tuple[str, dt.date]]) -> AnnexAFile:
    """A file as the reader returns it: List 3 as given (inside its six months), the others empty."""
    first = (pd.Timestamp(report) - pd.offsets.MonthBegin(6)).date()
    lists = {}
    for spec in lists_spec().lists:
        columns = {c.name: [] for c in spec.columns}
        if spec.number == 3:
            kept = [(c, d) for c, d in referrals if first <= d <= report]
            columns = {"child": [c for c, _ in kept], "referral": pd.to_datetime([d for _, d in kept]),
                       "team": [ASH] * len(kept)}
        frame = pd.DataFrame(columns)
        for c in spec.columns:
            if c.kind == "date":
                frame[c.name] = pd.to_datetime(frame[c.name])
        lists[spec.number] = frame.assign(Row=range(2, len(frame) + 2))
    return AnnexAFile(Path(f"annex-a-{report}.xlsx"), pd.Timestamp(report), lists)


KENT = load_template("kent_scs")
REPORTS = [(m + pd.offsets.MonthEnd(0)).date() for m in pd.date_range("2015-09-01", "2016-08-01", freq="MS")]


@pytest.mark.slow
@settings(max_examples=50, deadline=None)
@given(referrals=st.lists(st.tuples(st.sampled_from("ABCDE"), DAYS), max_size=40, unique=True))
def test_re_referrals_agree_with_a_count_by_hand(referrals):
    stacked = stack([in_memory_file(r, referrals) for r in REPORTS], TeamMap(KENT), "Kent")
    rule = RULES["re_referral_12m"]
    assert list(months_for(rule, stacked)) == list(pd.date_range("2016-04-01", "2016-08-01", freq="MS"))
    for month in months_for(rule, stacked):
        items = rule.count(stacked, month, None)
        in_month = [(c, d) for c, d in referrals if (d.year, d.month) == (month.year, month.month)]
        again = sum(1 for c, d in in_month
                    if any(c == c2 and (pd.Timestamp(d) - pd.DateOffset(years=1)).date() <= d2 < d
                           for c2, d2 in referrals))
        assert (int(items["Numerator"].sum()), int(items["Denominator"].sum())) == (again, len(in_month))


@settings(max_examples=200, deadline=None)
@given(start=DAYS, length=st.integers(0, 120))
def test_working_days_agree_with_a_day_by_day_count(start, length):
    import holidays

    end = start + dt.timedelta(days=length)
    bank = holidays.country_holidays("GB", subdiv="ENG", years=range(start.year, end.year + 1))
    by_hand = sum(1 for k in range(1, length + 1)
                  if (day := start + dt.timedelta(days=k)).weekday() < 5 and day not in bank)
    assert working_days(pd.Series([pd.Timestamp(start)]), pd.Series([pd.Timestamp(end)]))[0] == by_hand


def test_cp_visit_within_days_at_the_report_date(tmp_path):
    """Not mapped by Kent (its indicator 11 counts visits, Annex A holds only the last one): the rule
    counts plans open at R whose last visit is at most `days` before R."""
    from scorecard_xl.engine.template import AnnexARule

    lists = {7: [
        {"child": "1", "start": D(2016, 1, 4), "visit": D(2016, 8, 21), "team": ASH},  # 10 days before R
        {"child": "2", "start": D(2016, 1, 4), "visit": D(2016, 8, 20), "team": ASH},  # 11 days
        {"child": "3", "start": D(2016, 1, 4), "team": ASH},  # no visit recorded
        {"child": "4", "start": D(2016, 1, 4), "visit": D(2016, 8, 30), "end": D(2016, 8, 31), "team": ASH},
    ]}
    path = write_annex_a(tmp_path / "annex-a-2016-08-31.xlsx", lists)
    stacked = stack([read_annex_a(path, D(2016, 8, 31))], TeamMap(KENT), "Kent")
    rule = RULES["cp_visit_within_days"]
    assert list(months_for(rule, stacked)) == [AUG]
    items = rule.count(stacked, AUG, AnnexARule(rule="cp_visit_within_days", days=10))
    assert (int(items["Numerator"].sum()), int(items["Denominator"].sum())) == (1, 3)  # 4's plan has ended


# ----------------------------------------------------------------------------- the catalogue

from scorecard_xl.annex_a import rules as rules_module  # noqa: E402
from scorecard_xl.annex_a.rules import CatalogueError, attach, check_every_entry_counted, no_notes  # noqa: E402
from scorecard_xl.engine.annex_a_catalogue import CATALOGUE, CatalogueRule  # noqa: E402


def test_each_rule_is_its_catalogue_entry_with_its_function():
    for name, entry in CATALOGUE.items():
        rule = RULES[name]
        assert (rule.name, rule.list_number, rule.months) == (name, entry.list_number, entry.months)
        assert rule.count is getattr(rules_module, name)  # each counting function is named for its rule


def test_a_function_without_an_entry_fails_saying_what_to_do():
    def referals(stack, month, settings):
        return None

    with pytest.raises(CatalogueError) as caught:
        attach({}, CATALOGUE, "referals", referals)
    assert str(caught.value) == ("Annex A rule 'referals' (referals in scorecard_xl/annex_a/rules.py) is not in the "
                                 "rule catalogue (closest: 'referrals', 're_referral_12m'): add its entry to "
                                 "scorecard_xl/engine/annex_a_catalogue.py (CATALOGUE)")


def test_a_second_function_for_a_rule_fails():
    def lac_again(stack, month, settings):
        return None

    rules = {}
    attach(rules, CATALOGUE, "lac", rules_module.lac)
    with pytest.raises(CatalogueError) as caught:
        attach(rules, CATALOGUE, "lac", lac_again)
    assert str(caught.value) == ("Annex A rule 'lac' has two counting functions, lac and lac_again in "
                                 "scorecard_xl/annex_a/rules.py: each rule has exactly one")


def test_an_entry_without_a_function_fails_naming_it():
    catalogue = {**CATALOGUE, "cp_visits": CatalogueRule("cp_visits", "percent", 7)}
    with pytest.raises(CatalogueError) as caught:
        check_every_entry_counted(dict(RULES), catalogue)
    assert str(caught.value) == ("Annex A rule 'cp_visits' of the rule catalogue "
                                 "(scorecard_xl/engine/annex_a_catalogue.py) has no counting function: add one to "
                                 "scorecard_xl/annex_a/rules.py under @rule(name)")
    check_every_entry_counted(dict(RULES), CATALOGUE)  # as at import


def test_notes_hang_on_their_rules():
    """build.py calls each rule's notes, comparing no names: a rule's notes are its own."""
    with_notes = {name: rule.notes.__name__ for name, rule in RULES.items() if rule.notes is not no_notes}
    assert with_notes == {"child_seen_at_assessment": "seen_notes", "care_leavers_in_touch": "care_leaver_notes",
                          "care_leavers_suitable_accommodation": "care_leaver_notes",
                          "care_leavers_eet": "care_leaver_notes", "adoption_a1_days": "a1_notes",
                          "adoption_a2_days": "a2_notes"}
    build = (Path(rules_module.__file__).parent / "build.py").read_text(encoding="utf-8")
    assert not [name for name in CATALOGUE if f'"{name}"' in build or f"'{name}'" in build]


def test_a_rules_notes_say_what_they_are_for(tmp_path):
    """The notes name the measure or indicator build.py passes, month by month."""
    lists = {4: [{"child": "1", "start": D(2016, 8, 1), "authorised": D(2016, 8, 2), "seen": "Unknown", "team": ASH}]}
    path = write_annex_a(tmp_path / "annex-a-2016-08-31.xlsx", lists)
    stacked = stack([read_annex_a(path, D(2016, 8, 31))], TeamMap(KENT), "Kent")
    notes = RULES["child_seen_at_assessment"].notes(stacked, pd.DatetimeIndex([JUL, AUG]), None, "indicator 99")
    assert [n.message for n in notes] == ["Aug 2016: indicator 99: 1 assessment authorised with child seen Unknown "
                                          "or blank, counted as not seen (Annex A List 4)"]
    assert RULES["caseloads"].notes(stacked, pd.DatetimeIndex([AUG]), None, "Caseloads") == []

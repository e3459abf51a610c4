"""Annex A as councils run it: mid-month report dates, one file run into a year built from monthly
files, a year typed wrong, an event listed twice, an analyst's own sheets and columns, the export
named as an input, blank teams, and the definitions checked against DfE's. Each case is a small
file written here, read, stacked and computed through the real modules, or run as a user would."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import pandas as pd
import pytest
from annex_a_fixtures import write_annex_a
from workbook_fixtures import load_workbook, run_cli

from scorecard_xl.annex_a.build import compute
from scorecard_xl.annex_a.convert import convert, report_dates
from scorecard_xl.annex_a.reading import read_annex_a
from scorecard_xl.annex_a.rules import RULES
from scorecard_xl.annex_a.stacking import stack
from scorecard_xl.annex_a.teams import TeamMap
from scorecard_xl.engine.template import AnnexARule, AnnexASettings, load_template
from scorecard_xl.model import InputError
from scorecard_xl.reading.reader import read_export

D = dt.date
ASH, SWALE = "Ashford CSWT", "Swale CSWT"
SAMPLE = Path(__file__).resolve().parents[1] / "samples" / "kent_liberi_export_2016-08.xlsx"
M = pd.Timestamp


@pytest.fixture(scope="module")
def kent():
    return load_template("kent_scs")


def stacked(tmp_path, kent, files: dict[dt.date, dict], template=None):
    template = template or kent
    tmp_path.mkdir(parents=True, exist_ok=True)
    read = [read_annex_a(write_annex_a(tmp_path / f"annex-a-{day:%Y-%m-%d}.xlsx", lists), day)
            for day, lists in files.items()]
    return stack(read, TeamMap(template), template.organisation_tree.name)


def activity(computed, month, unit, measure):
    rows = computed.activity
    found = rows.loc[(rows["Month"] == M(month)) & (rows["Unit"] == unit), measure]
    return None if found.empty else int(found.iloc[0])


def figure(computed, indicator, month):
    rows = computed.indicators
    rows = rows[(rows["Indicator"] == indicator) & (rows["Month"] == M(month))]
    return int(rows["Numerator"].sum()), int(rows["Denominator"].sum())


def notes(computed) -> str:
    return "\n".join(str(n) for n in computed.notes)


# ----------------------------------------------------------------------------- a report date mid-month

def test_a_mid_month_report_date_leaves_its_month_out_and_the_months_before_as_usual(tmp_path, kent):
    # Ofsted dates Annex A to the inspection notice: 15 December holds half of December.
    referrals = [{"child": str(i), "referral": D(2016, 11, 2 + i), "team": ASH} for i in range(3)]
    referrals += [{"child": str(10 + i), "referral": D(2016, 12, 1 + i), "team": ASH} for i in range(2)]
    lists = {3: referrals,
             8: [{"child": "20", "start": D(2016, 1, 20), "team": "South Kent CIC", "placements": 4}]}
    computed = compute(stacked(tmp_path, kent, {D(2016, 12, 15): lists}), kent)
    assert activity(computed, "2016-11-01", ASH, "Referrals") == 3
    assert activity(computed, "2016-12-01", ASH, "Referrals") is None  # not 2: the month is partial
    assert M("2016-12-01") not in set(computed.activity["Month"])
    assert M("2016-07-01") in set(computed.activity["Month"])
    # The snapshot at the report date is a mid-month one: no month-end figure comes from it.
    assert "17" not in computed.indicator_months
    assert ("file 'annex-a-2016-12-15.xlsx': Dec 2016 is left out: the newest file covering it is dated 15/12/2016, "
            "before the month's last day, so its events and month-end counts would be short; the months before it "
            "come out as usual") in notes(computed)


def test_a_later_month_end_file_completes_a_mid_month_one(tmp_path, kent):
    lists_mid = {3: [{"child": "1", "referral": D(2016, 12, 1), "team": ASH}]}
    lists_end = {3: [{"child": "1", "referral": D(2016, 12, 1), "team": ASH},
                     {"child": "2", "referral": D(2016, 12, 20), "team": ASH}]}
    computed = compute(stacked(tmp_path, kent, {D(2016, 12, 15): lists_mid, D(2016, 12, 31): lists_end}), kent)
    assert activity(computed, "2016-12-01", ASH, "Referrals") == 2
    assert "is left out" not in notes(computed)


# ----------------------------------------------------------------------------- month-end counts

# A child's CP plan from February to May, then a new plan from July: an August file lists the child
# once, with the July plan, so March to May's count from it alone misses the first plan.
PLANS_MARCH = {7: [{"child": "1", "start": D(2016, 2, 1), "team": ASH}]}
PLANS_AUGUST = {7: [{"child": "1", "start": D(2016, 7, 1), "team": ASH, "previous": 1}]}


def test_month_end_counts_are_exact_with_the_months_own_file_and_noted_when_reconstructed(tmp_path, kent):
    both = compute(stacked(tmp_path, kent, {D(2016, 3, 31): PLANS_MARCH, D(2016, 8, 31): PLANS_AUGUST}), kent)
    assert activity(both, "2016-03-01", ASH, "CP Plans") == 1  # exact: the March file is given
    assert activity(both, "2016-04-01", ASH, "CP Plans") == 1  # the first plan recovered from March's file
    assert activity(both, "2016-08-01", ASH, "CP Plans") == 1
    assert 3 not in {m.month for m in both.reconstructed["CP Plans"]}
    # Oct-Feb (the March file's earlier months) and Apr-Jul have no file dated their last day.
    assert {m.month for m in both.reconstructed["CP Plans"]} == {10, 11, 12, 1, 2, 4, 5, 6, 7}
    alone = compute(stacked(tmp_path / "alone", kent, {D(2016, 8, 31): PLANS_AUGUST}), kent)
    assert activity(alone, "2016-04-01", ASH, "CP Plans") == 0  # lost: Annex A lists the later plan only
    assert {m.month for m in alone.reconstructed["CP Plans"]} == {3, 4, 5, 6, 7}
    assert M("2016-08-01") not in alone.reconstructed["CP Plans"]
    assert "Caseloads" in alone.reconstructed and "indicator 10" not in alone.reconstructed
    assert alone.reconstructed["10"] == {M(f"2016-0{m}-01") for m in (3, 4, 5, 6, 7)}
    assert ("Mar 2016 to Jul 2016: Caseloads, CP Plans, CP Starts, CP Ends, LAC, UASC LAC, LAC Starts, LAC Ends, "
            "indicator 10, indicator 13 reconstructed from later files, since no file dated those months' last "
            "day was given") in notes(alone)


@pytest.mark.slow
def test_into_never_replaces_the_exports_figure_with_a_reconstruction(tmp_path, kent):
    target = shutil.copy(SAMPLE, tmp_path / "export.xlsx")
    annex = write_annex_a(tmp_path / "annex-a-2016-08-31.xlsx", PLANS_AUGUST)
    result = run_cli("annex-a", annex, "--into", target)
    assert result.returncode == 0, result.stderr
    before, after = read_export(SAMPLE, kent), read_export(target, kent)
    key = ["Month", "Unit"]
    old = before.activity.set_index(key).sort_index()
    new = after.activity.set_index(key).sort_index()
    for month in ("2016-03-01", "2016-07-01"):
        # Month-end counts (and the lists' other figures) of March to July: the export's own.
        for measure in ("Caseloads", "CP Plans", "LAC", "CP Starts"):
            assert new.loc[(M(month), ASH), measure] == old.loc[(M(month), ASH), measure], (month, measure)
        # Lists 3 and 4 hold every event of the window: replaced.
        assert new.loc[(M(month), ASH), "Referrals"] == 0
    assert new.loc[(M("2016-08-01"), ASH), "CP Plans"] == 1  # August's own file: exact, replaced
    ind = after.indicators
    old_ind = before.indicators
    for month in ("2016-03-01", "2016-07-01"):
        mine = ind[(ind["Indicator"] == "10") & (ind["Month"] == M(month))][["Unit", "UASC", "Numerator"]]
        theirs = old_ind[(old_ind["Indicator"] == "10") & (old_ind["Month"] == M(month))][["Unit", "UASC", "Numerator"]]
        assert mine.sort_values(["Unit", "UASC"]).to_numpy().tolist() == \
            theirs.sort_values(["Unit", "UASC"]).to_numpy().tolist()
    assert ("CP Plans: 5 months, Mar 2016 to Jul 2016 kept as the export had them; Annex A could only reconstruct "
            "them from later files") in result.stderr


# ----------------------------------------------------------------------------- report dates

def test_a_report_date_after_today_is_refused(tmp_path):
    with pytest.raises(InputError) as caught:
        report_dates([Path("annex-a-2027-06-30.xlsx")], None, today=D(2026, 12, 8))
    assert str(caught.value.problems[0]) == (
        "error: file 'annex-a-2027-06-30.xlsx': the report date 30/06/2027 is after today (08/12/2026); check the "
        "year (in the file name, or --report-date)")
    assert report_dates([Path("annex-a-2026-11-30.xlsx")], None, today=D(2026, 12, 8)) == [D(2026, 11, 30)]
    annex = write_annex_a(tmp_path / "annex-a-2099-08-31.xlsx", {3: [{"child": "1", "referral": D(2016, 8, 3),
                                                                      "team": ASH}]})
    result = run_cli("annex-a", annex, "-o", tmp_path / "out.xlsx")
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert "the report date 31/08/2099 is after today" in result.stderr
    assert not (tmp_path / "out.xlsx").exists()


# ----------------------------------------------------------------------------- one event twice

def test_one_referral_listed_under_two_teams_is_one_referral_under_the_lower_row(tmp_path, kent):
    lists = {3: [{"child": "1", "referral": D(2016, 8, 3), "team": ASH},
                 {"child": "2", "referral": D(2016, 8, 4), "team": ASH},
                 {"child": "1", "referral": D(2016, 8, 3), "team": SWALE}],
             4: [{"child": "1", "start": D(2016, 8, 3), "authorised": D(2016, 8, 20), "team": ASH},
                 {"child": "1", "start": D(2016, 8, 3), "authorised": D(2016, 8, 20), "team": ASH}]}
    computed = compute(stacked(tmp_path, kent, {D(2016, 8, 31): lists}), kent)
    assert activity(computed, "2016-08-01", ASH, "Referrals") == 1
    assert activity(computed, "2016-08-01", SWALE, "Referrals") == 1
    assert activity(computed, "2016-08-01", ASH, "CF Assessments") == 1
    text = notes(computed)
    assert ("file 'annex-a-2016-08-31.xlsx': List 3 rows 2 and 4: one referral (the same child and date) listed 2 "
            "times under 'Ashford CSWT' and 'Swale CSWT'; counted once, under 'Swale CSWT' (the lower row)") in text
    assert ("List 4 rows 2 and 3: one assessment (the same child and date) listed 2 times; counted once "
            "(the lower row)") in text
    assert "child 1" not in text  # notes go into the export and the scorecard: no child's ID


# ----------------------------------------------------------------------------- nothing of the analyst's lost

def _analysts_export(path: Path) -> Path:
    """The sample export with an analyst's own sheet and a column of their own on Activity and Indicators."""
    workbook = load_workbook(SAMPLE)
    own = workbook.create_sheet("My workings")
    own["A1"] = "Checked"
    own["B1"] = dt.datetime(2016, 9, 2)
    own["B1"].number_format = "dd mmm yyyy"
    own["A2"] = 41.5
    own["A3"] = "=A2*2"
    own["C4"] = "=Activity!C2"
    activity_sheet, indicators = workbook["Activity"], workbook["Indicators"]
    column = activity_sheet.max_column + 1
    activity_sheet.cell(1, column, "Checked by")
    for row in range(2, activity_sheet.max_row + 1):
        if activity_sheet.cell(row, 2).value == ASH:
            activity_sheet.cell(row, column, f"JB {row}")
    column = indicators.max_column + 1
    indicators.cell(1, column, "Query")
    indicators.cell(2, column, "ask the team")
    workbook.save(path)
    return path


@pytest.mark.slow
def test_into_keeps_the_analysts_sheets_and_columns(tmp_path, kent):
    target = _analysts_export(tmp_path / "export.xlsx")
    before = load_workbook(target)
    first = [c.value for c in before["Indicators"][2]]
    checked = {(r[0].value, r[1].value): r[-1].value for r in before["Activity"].iter_rows(min_row=2)
               if r[-1].value is not None}
    annex = write_annex_a(tmp_path / "annex-a-2016-08-31.xlsx",
                          {3: [{"child": "1", "referral": D(2016, 8, 3), "team": ASH}]})
    result = run_cli("annex-a", annex, "--into", target)
    assert result.returncode == 0, result.stderr
    after = load_workbook(target)
    assert after.sheetnames[-1] == "My workings"
    own = after["My workings"]
    assert own["A1"].value == "Checked" and own["A2"].value == 41.5
    assert own["B1"].value == dt.datetime(2016, 9, 2) and own["B1"].number_format == "dd mmm yyyy"
    assert own["A3"].value == "=A2*2" and own["C4"].value == "=Activity!C2"  # formulas stay formulas
    header = [c.value for c in after["Activity"][1]]
    assert header[-1] == "Checked by"
    kept = {(r[0].value, r[1].value): r[-1].value for r in after["Activity"].iter_rows(min_row=2)
            if r[-1].value is not None}
    assert kept == checked and len(kept) > 20  # every value, on its month and team's row
    ind_header = [c.value for c in after["Indicators"][1]]
    assert ind_header[-1] == "Query"
    rows = [[c.value for c in r] for r in after["Indicators"].iter_rows(min_row=2)]
    queried = [r for r in rows if r[-1] == "ask the team"]
    assert len(queried) == 1 and queried[0][:4] == first[:4]
    assert "Activity: column 'Checked by' kept" in result.stdout
    assert "Sheet 'My workings' kept (5 cells, 2 formulas; values, formulas and number formats)" in result.stdout
    # The result is still an export the scorecard reads.
    assert read_export(target, kent).activity.shape[0] > 0


# ----------------------------------------------------------------------------- the export named as an input

@pytest.mark.slow
@pytest.mark.parametrize("option", ["-o", "--into"])
def test_the_export_may_not_be_one_of_the_files_read(tmp_path, option):
    annex = write_annex_a(tmp_path / "annex-a-2016-08-31.xlsx", {3: [{"child": "1", "referral": D(2016, 8, 3),
                                                                      "team": ASH}]})
    before = annex.read_bytes()
    result = run_cli("annex-a", annex, option, annex)
    assert result.returncode == 1, result.stderr
    assert ("annex-a-2016-08-31.xlsx is one of the Annex A files being read; write the export to another file (it "
            "is left as it was)") in result.stderr
    assert annex.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["annex-a-2016-08-31.xlsx"]


# ----------------------------------------------------------------------------- blank teams

BLANK_TEAM = {3: [{"child": "1", "referral": D(2016, 8, 3), "team": None},
                  {"child": "2", "referral": D(2016, 8, 4), "team": ASH}]}


@pytest.mark.slow
def test_a_blank_team_needs_a_mapping_and_the_error_says_how(tmp_path):
    annex = write_annex_a(tmp_path / "annex-a-2016-08-31.xlsx", BLANK_TEAM)
    result = run_cli("annex-a", annex, "-o", tmp_path / "out.xlsx")
    assert result.returncode == 1
    assert "--teams row whose Allocated Team is empty" in result.stderr
    (tmp_path / "teams.csv").write_text("Allocated Team,Unit\n,Swale CSWT\n", encoding="utf-8")
    result = run_cli("annex-a", annex, "-o", tmp_path / "out.xlsx", "--teams", tmp_path / "teams.csv")
    assert result.returncode == 0, result.stderr
    rows = [[c.value for c in r] for r in load_workbook(tmp_path / "out.xlsx")["Activity"].iter_rows(min_row=2)]
    referrals = {r[1]: r[3] for r in rows if r[0] == dt.datetime(2016, 8, 1)}
    assert referrals[SWALE] == 1 and referrals[ASH] == 1


def test_a_blank_team_mapped_in_the_template(tmp_path, kent):
    template = kent.model_copy(update={"annex_a": AnnexASettings(teams={**kent.annex_a.teams, "": SWALE})})
    annex = write_annex_a(tmp_path / "annex-a-2016-08-31.xlsx", BLANK_TEAM)
    done = convert([annex], template, tmp_path / "out.xlsx")
    activity_rows = done.export.activity
    aug = activity_rows[activity_rows["Month"] == M("2016-08-01")].set_index("Unit")
    assert aug.loc[SWALE, "Referrals"] == 1 and aug.loc[ASH, "Referrals"] == 1


# ----------------------------------------------------------------------------- DfE's definitions

ADOPTED = {10: [
    # Placed with foster carers for adoption (FFA) on 1 June 2015, before being placed for adoption.
    {"child": "1", "entered": D(2015, 1, 1), "order": D(2015, 5, 1), "matched": D(2015, 8, 1),
     "placed": D(2015, 9, 1), "adopted": D(2016, 8, 10),
     "Date the child was placed for fostering in FFA or concurrent planning placement": D(2015, 6, 1)},
    # Matched with adopters before the placement order: A2 counts 0 days.
    {"child": "2", "entered": D(2015, 3, 1), "order": D(2015, 10, 1), "matched": D(2015, 9, 1),
     "placed": D(2015, 11, 1), "adopted": D(2016, 8, 20)},
]}


def test_a1_runs_to_an_earlier_ffa_placement_and_a2_is_never_negative(tmp_path, kent, monkeypatch):
    import annex_a_fixtures

    monkeypatch.setitem(annex_a_fixtures.HEADERS, 10, [
        *annex_a_fixtures.HEADERS[10],
        "Date the child was placed for fostering in FFA or concurrent planning placement"])
    computed = compute(stacked(tmp_path, kent, {D(2016, 8, 31): ADOPTED}), kent)
    # A1: child 1 from 1 Jan 2015 to the FFA placement on 1 Jun 2015 (151 days, not 243 to 1 Sep);
    # child 2 from 1 Mar 2015 to 1 Nov 2015 (245 days).
    assert figure(computed, "29", "2016-08-01") == (151 + 245, 2)
    # A2: child 1 from 1 May to 1 Aug 2015 (92 days); child 2 matched first: 0, not -30.
    assert figure(computed, "30", "2016-08-01") == (92, 2)
    assert ("Aug 2016: indicator 30: 1 adopted child matched before the placement order, counted as 0 days (as "
            "DfE's A2)") in notes(computed)


def test_an_older_list_10_without_the_ffa_column_still_reads(tmp_path, kent):
    computed = compute(stacked(tmp_path, kent, {D(2016, 8, 31): {10: [
        {k: v for k, v in row.items() if not k.startswith("Date the child")} for row in ADOPTED[10]]}}), kent)
    assert figure(computed, "29", "2016-08-01") == (243 + 245, 2)


LEAVERS = {9: [{"child": "1", "team": "Leaving Care 18+", "in_touch": "a) Yes", "suitable": "a) Suitable",
                "activity": "F2"},
               {"child": "2", "team": "Leaving Care 18+", "in_touch": "b) No"},
               {"child": "3", "team": "Leaving Care 18+", "in_touch": "c) Died"},
               {"child": "4", "team": "Leaving Care 18+", "in_touch": "f) Rhom"}]}


def test_care_leavers_who_died_or_returned_home_leave_the_denominator_as_dfe_does(tmp_path, kent):
    computed = compute(stacked(tmp_path, kent, {D(2016, 8, 31): LEAVERS}), kent)
    assert figure(computed, "32", "2016-08-01") == (1, 2)  # of 4 leavers, 2 left out
    assert figure(computed, "33", "2016-08-01") == (1, 1)  # over those in touch
    assert ("indicator 32: care leavers who died or returned home to live with parents are left out of the "
            "denominator, as DfE's statistics do (Aug 2016 2; Annex A List 9)") in notes(computed)
    stack_ = stacked(tmp_path / "include", kent, {D(2016, 8, 31): LEAVERS})
    counted = RULES["care_leavers_in_touch"].count(
        stack_, M("2016-08-01"), AnnexARule(rule="care_leavers_in_touch", died_and_returned_home="include"))
    assert (int(counted["Numerator"].sum()), int(counted["Denominator"].sum())) == (1, 4)


def test_the_care_leaver_setting_is_checked(kent):
    with pytest.raises(ValueError, match="takes no 'died_and_returned_home' setting"):
        AnnexARule(rule="referrals", died_and_returned_home="exclude")
    with pytest.raises(ValueError):
        AnnexARule(rule="care_leavers_in_touch", died_and_returned_home="sometimes")
    assert AnnexARule(rule="care_leavers_eet", denominator="all").died_and_returned_home is None


def test_a_binary_workbook_is_refused_as_its_formulas_cannot_be_checked(tmp_path):
    import zipfile

    path = tmp_path / "annex-a-2016-08-31.xlsb"
    with zipfile.ZipFile(path, "w") as archive:  # an .xlsb's parts: XML content types, binary sheets
        archive.writestr("[Content_Types].xml", '<?xml version="1.0"?><Types/>')
        archive.writestr("xl/workbook.bin", b"\x83\x01\x00")
        archive.writestr("xl/worksheets/sheet1.bin", b"\x81\x01\x00")
    with pytest.raises(InputError) as caught:
        read_annex_a(path, D(2016, 8, 31))
    assert str(caught.value.problems[0]) == (
        "error: file 'annex-a-2016-08-31.xlsb': a binary workbook (.xlsb): its formulas and Excel error cells cannot "
        "be checked, so it is not read; open it in Excel and save it as an Excel Workbook (.xlsx)")


def test_an_analysts_value_whose_row_is_gone_is_named_in_a_note():
    from scorecard_xl.annex_a.export import ACTIVITY_KEY, _with_kept

    ours = pd.DataFrame({"Month": [M("2016-08-01")], "Unit": [ASH]})
    kept = pd.DataFrame({"Month": [M("2016-08-01"), M("2016-08-01"), M("2016-08-01")], "Unit": [ASH, SWALE, "Gone"],
                         "Checked by": ["JB", "", None]})  # Swale's and Gone's hold nothing: not values lost
    summary, found = [], []
    out, extra = _with_kept(ours, kept.iloc[[0, 1]], ACTIVITY_KEY, "Activity", summary, found)
    assert extra == ["Checked by"] and out["Checked by"].tolist() == ["JB"] and found == []
    kept.loc[2, "Checked by"] = "AK"
    _with_kept(ours, kept, ACTIVITY_KEY, "Activity", summary, found)
    assert [n.message for n in found] == [
        "Activity: 1 row with values in 'Checked by' are no longer in the export (their month, team and status are "
        "not among the rows computed); those values were dropped"]

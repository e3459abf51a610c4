"""`annex-a --into` and `-o`: what is replaced, what is kept, and the result read back as an
export by the real reader."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import pandas as pd
import pytest
from annex_a_fixtures import write_annex_a
from workbook_fixtures import load_workbook, run_cli

from scorecard_xl.engine.template import load_template
from scorecard_xl.reading.reader import read_export

D = dt.date
ASH = "Ashford CSWT"
SAMPLE = Path(__file__).resolve().parents[1] / "samples" / "kent_liberi_export_2016-08.xlsx"
LISTS = {3: [{"child": "1", "referral": D(2016, 8, 3), "team": ASH},
             {"child": "2", "referral": D(2016, 7, 3), "team": "dover cswt"}],
         4: [{"child": "1", "start": D(2016, 8, 3), "authorised": D(2016, 8, 20), "team": ASH}],
         6: [{"child": "1", "start": D(2016, 8, 3), "team": ASH}],
         7: [{"child": "1", "start": D(2016, 8, 20), "team": ASH}],
         8: [{"child": "2", "start": D(2016, 1, 20), "team": "South Kent CIC", "placements": 3}]}
SIX = pd.date_range("2016-03-01", "2016-08-01", freq="MS")
# The months each mapped indicator is computed for from one August file: the six months it covers;
# a year for adoption (List 10); the report month for snapshots; none for re-referrals (no year before).
YEAR = pd.date_range("2015-09-01", "2016-08-01", freq="MS")
COMPUTED = {"2": SIX, "4": SIX, "10": SIX, "13": SIX, "17": SIX[-1:], "29": YEAR, "30": YEAR,
            "32": SIX[-1:], "33": SIX[-1:], "34": SIX[-1:]}


@pytest.fixture(scope="module")
def kent():
    return load_template("kent_scs")


@pytest.fixture
def merged(tmp_path, kent):
    annex = write_annex_a(tmp_path / "annex-a-2016-08-31.xlsx", LISTS)
    target = shutil.copy(SAMPLE, tmp_path / "export.xlsx")
    result = run_cli("annex-a", annex, "--into", target)
    assert result.returncode == 0, result.stderr
    return read_export(SAMPLE, kent), read_export(target, kent), result


@pytest.mark.slow
def test_into_replaces_the_computed_months_and_keeps_the_rest(merged, kent):
    before, after, result = merged
    months = pd.date_range("2016-03-01", "2016-08-01", freq="MS")
    # Activity: the computed measures of Mar-Aug 2016 are Annex A's; PF Cases and other months as before.
    key = ["Month", "Unit"]
    old = before.activity.set_index(key).sort_index()
    new = after.activity.set_index(key).sort_index()
    assert new.loc[(pd.Timestamp("2016-08-01"), ASH), "Referrals"] == 1
    assert new.loc[(pd.Timestamp("2016-07-01"), "Dover CSWT"), "Referrals"] == 1
    assert new.loc[(pd.Timestamp("2016-08-01"), "Maidstone CSWT"), "Caseloads"] == 0
    pf = old["PF Cases"].reindex(new.index).fillna(0)
    assert (new["PF Cases"] == pf).all()
    earlier = ~new.index.get_level_values("Month").isin(months)
    pd.testing.assert_frame_equal(new[earlier].drop(columns="Row"), old.loc[new[earlier].index].drop(columns="Row"))
    # Indicators: other indicators, and the computed ones' other months, are kept row for row.
    columns = ["Month", "Indicator", "Unit", "UASC", "Numerator", "Denominator"]

    def kept(frame):
        untouched = pd.Series(True, index=frame.index)
        for indicator, when in COMPUTED.items():
            untouched &= ~((frame["Indicator"] == indicator) & frame["Month"].isin(when))
        return frame.loc[untouched, columns].sort_values(columns[:4]).reset_index(drop=True)
    pd.testing.assert_frame_equal(kept(after.indicators), kept(before.indicators))
    aug = after.indicators[(after.indicators["Month"] == months[-1]) & (after.indicators["Indicator"] == "2")]
    assert (aug["Numerator"].sum(), aug["Denominator"].sum()) == (10_000, 10_000)  # 1 of 1, in 1/SCALE units
    assert len(after.commentary) == len(before.commentary) == 3
    assert "6 month(s) replaced, 0 added" in result.stdout
    assert "PF Cases kept" in result.stdout


@pytest.mark.slow
def test_notes_sheet_holds_the_runs_notes(merged, tmp_path):
    book = load_workbook(tmp_path / "export.xlsx", read_only=True)
    notes = [row[0] for row in book["Notes"].iter_rows(values_only=True)]
    assert notes[0] == "Note"
    assert any("indicator 1 (re_referral_12m) is left empty" in (n or "") for n in notes)


@pytest.mark.slow
def test_same_input_same_bytes(tmp_path):
    annex = write_annex_a(tmp_path / "annex-a-2016-08-31.xlsx", LISTS)
    outputs = []
    for name in ("one.xlsx", "two.xlsx"):
        target = shutil.copy(SAMPLE, tmp_path / name)
        assert run_cli("annex-a", annex, "--into", target).returncode == 0
        outputs.append(Path(target).read_bytes())
    assert outputs[0] == outputs[1]


@pytest.mark.slow
def test_an_area_row_in_a_computed_month_is_refused(tmp_path, kent):
    import openpyxl

    target = shutil.copy(SAMPLE, tmp_path / "export.xlsx")
    book = openpyxl.load_workbook(target)
    sheet = book["Activity"]
    # South Kent's Aug 2016 figures as one row for the area instead of its teams' rows: the reader
    # takes that, but Annex A's team rows beside it would count them twice.
    south = {"Ashford CSWT", "Dover CSWT", "Shepway CSWT", "South Kent CIC", "South Kent other units"}
    rows = [row[0].row for row in sheet.iter_rows(min_row=2)
            if isinstance(row[0].value, dt.datetime) and (row[0].value.year, row[0].value.month) == (2016, 8)
            and row[1].value in south]
    sheet.cell(rows[0], 2).value = "South Kent"
    for number in reversed(rows[1:]):
        sheet.delete_rows(number)
    book.save(target)
    before = Path(target).read_bytes()
    annex = write_annex_a(tmp_path / "annex-a-2016-08-31.xlsx", LISTS)
    result = run_cli("annex-a", annex, "--into", target)
    assert result.returncode == 1, result.stdout + result.stderr
    assert "the export has Activity rows for 'South Kent', which has units under it, in Aug 2016" in result.stderr
    assert Path(target).read_bytes() == before


def test_an_export_open_in_excel_is_found_before_any_work(tmp_path, immutable):
    """chattr +i stands in for a workbook open in Excel (conftest.py): refused at once, unchanged."""
    annex = write_annex_a(tmp_path / "annex-a-2016-08-31.xlsx", LISTS)
    target = Path(shutil.copy(SAMPLE, tmp_path / "export.xlsx"))
    immutable(target)
    result = run_cli("annex-a", annex, "--into", target)
    assert result.returncode == 1
    assert "export.xlsx is open in another program (Excel?) or locked" in result.stderr
    assert "Traceback" not in result.stderr
    assert target.read_bytes() == SAMPLE.read_bytes()


def test_from_python(tmp_path):
    from scorecard_xl import from_annex_a
    from scorecard_xl.model import InputError

    annex = write_annex_a(tmp_path / "annex-a-2016-08-31.xlsx", LISTS)
    done = from_annex_a([annex], output=tmp_path / "new.xlsx")
    assert (tmp_path / "new.xlsx").is_file()
    assert done.summary[0].startswith("Activity: ") and len(done.export.activity) > 0
    with pytest.raises(ValueError, match="give either into= "):
        from_annex_a([annex])
    bad = write_annex_a(tmp_path / "annex-a-2016-07-31.xlsx", LISTS, omit=(7,))
    with pytest.raises(InputError) as caught:
        from_annex_a([bad], output=tmp_path / "other.xlsx")
    assert "missing List 7" in str(caught.value)
    assert not (tmp_path / "other.xlsx").exists()

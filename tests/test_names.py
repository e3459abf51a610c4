"""Names are matched by one rule: ignoring case and white space of every kind.

Teams and indicator IDs are matched like sheet and column names, become the template's
names everywhere downstream (duplicates, double counting, figures, raw data), and a
misspelt name in capitals still gets the right suggestion. The sample export with its
team names rewritten must read without errors and give exactly the same scorecard.
"""

from __future__ import annotations

import string
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from scorecard_xl.engine.calculator import calculate
from scorecard_xl.engine.template import load_template
from scorecard_xl.model import InputError
from scorecard_xl.names import clashes, closest, name_key
from scorecard_xl.reading.reader import read_export

SAMPLE = Path(__file__).resolve().parents[1] / "samples" / "kent_liberi_export_2016-08.xlsx"
KENT = load_template("kent_scs")

# White space as it arrives in exports: pasted from web pages, Word, other systems.
SPACES = [" ", "  ", "\t", "\n", "\u00a0", "\u2007", "\u2009", "\u202f", "\u3000", "\u200b", "\ufeff", " \u00a0 "]


# ----------------------------------------------------------------------------- the sample, respelt

@pytest.fixture(scope="module")
def sample():
    """The sample as read and calculated, unchanged: what every respelling must give."""
    export = read_export(SAMPLE, KENT)
    return export, calculate(export, KENT)


@pytest.fixture(scope="module")
def sample_book():
    """The sample opened once with openpyxl (each test puts back what it changes)."""
    return openpyxl.load_workbook(SAMPLE)


def respelt(book, path: Path, spell, typos: dict[tuple[str, int], str] | None = None, column: str = "Team",
            sheets: tuple[str, ...] = ("Activity", "Indicators")) -> Path:
    """A copy of the sample with each name in `column` spelt by spell(name, i), and typos at (sheet, row)."""
    cells = []
    for sheet in sheets:
        ws = book[sheet]
        at = [c.value for c in ws[1]].index(column)
        cells += [(sheet, row[at], row[at].value) for row in ws.iter_rows(min_row=2)]
    changed = 0
    try:
        for i, (sheet, cell, name) in enumerate(cells):
            cell.value = (typos or {}).get((sheet, cell.row)) or spell(name, i)
            changed += cell.value != name
        book.save(path)
    finally:
        for _, cell, name in cells:
            cell.value = name
    assert changed > len(cells) // 2, "the respelling left most names as they were: the test would prove nothing"
    return path


ONE_WAY = {
    "upper case": str.upper,
    "lower case": str.lower,
    "non-breaking space inside": lambda name: name.replace(" ", "\u00a0"),
    "double spaces": lambda name: name.replace(" ", "  "),
    "leading and trailing spaces": lambda name: f"  {name}\u00a0 ",
    "other unicode spaces": lambda name: name.replace(" ", "\u202f\u200b"),
}
SPELLINGS = {
    **{label: lambda name, i, spell=spell: spell(name) for label, spell in ONE_WAY.items()},
    # One team spelt several ways in the same export: its rows must still add up as one unit.
    "every row differently": lambda name, i: list(ONE_WAY.values())[i % len(ONE_WAY)](name),
}


def assert_same_scorecard(got, expected) -> None:
    assert got.month == expected.month
    for frame in ("activity", "results", "definitions"):
        pd.testing.assert_frame_equal(getattr(got, frame), getattr(expected, frame))
    assert got.rag_counts == expected.rag_counts
    assert [(e.indicator, e.title, e.commentary) for e in got.exceptions] == \
        [(e.indicator, e.title, e.commentary) for e in expected.exceptions]
    for a, b in zip(got.exceptions, expected.exceptions, strict=False):
        pd.testing.assert_frame_equal(a.trend, b.trend)
    assert got.warnings == expected.warnings


@pytest.mark.slow
@pytest.mark.parametrize("spelling", list(SPELLINGS))
def test_team_names_spelt_differently_give_the_same_scorecard(tmp_path, sample_book, sample, spelling):
    path = respelt(sample_book, tmp_path / "export.xlsx", SPELLINGS[spelling])
    export = read_export(path, KENT)  # raises InputError on any error
    original, scorecard = sample
    # The template's names downstream: the raw data sheets are written from these frames.
    for frame in ("activity", "indicators", "commentary"):
        pd.testing.assert_frame_equal(getattr(export, frame), getattr(original, frame))
    assert export.warnings == original.warnings
    assert_same_scorecard(calculate(export, KENT), scorecard)


@pytest.mark.slow
def test_misspelt_names_in_capitals_suggest_the_right_team(tmp_path, sample_book):
    typos = {("Indicators", 214): "SWALE CWST", ("Activity", 30): "ASHFROD  CSWT", ("Indicators", 300): "ADOPTON & SG"}
    path = respelt(sample_book, tmp_path / "export.xlsx", SPELLINGS["upper case"], typos)
    with pytest.raises(InputError) as info:
        read_export(path, KENT)
    assert sorted(str(p) for p in info.value.errors) == [
        ("error: sheet 'Activity', row 30, column 'Team': unknown team 'ASHFROD  CSWT' (closest: 'Ashford CSWT', "
         "'Dartford CSWT')"),
        ("error: sheet 'Indicators', row 214, column 'Team': unknown team 'SWALE CWST' (closest: 'Swale CSWT', "
         "'Shepway CSWT')"),
        "error: sheet 'Indicators', row 300, column 'Team': unknown team 'ADOPTON & SG' (closest: 'Adoption & SG')",
    ]


@pytest.mark.parametrize("typed, first", [
    ("ASHFORD CSWT", "Ashford CSWT"),  # compared as names, not by the capitals they share with 'Swale CSWT'
    ("ASHFROD CSWT", "Ashford CSWT"),
    ("ADOPTION & SG", "Adoption & SG"),
    ("adoption and sg", "Adoption & SG"),
    ("thanet\u00a0margate cwst", "Thanet Margate CSWT"),
    ("CARE LEAVERS", "Care Leaver Service (18+)"),
])
def test_suggestions_compare_names_by_the_same_rule(typed, first):
    assert closest(typed, KENT.units).startswith(f" (closest: {first!r}")


def test_no_suggestion_for_a_name_like_none():
    assert closest("Quarterly return", KENT.units) == ""


# ----------------------------------------------------------------------------- what matching means downstream

def test_ids_teams_and_uasc_in_any_case_and_spacing(write_export, tiny):
    activity = [["2016-08", "n 1", 12, 3], ["2016-08", "S1\u00a0", 6, 2]]
    indicators = [
        ["2016-08", "pss", "N\u00a01", "\u200bn", 13, 100],
        ["2016-08", " P S S ", "s1", "Y\u00a0", 2, 10],
        ["2016-08", "cnt", "NORTH", "N", 3, None],
    ]
    commentary = [["2016-08", "Cnt\u3000", "Two workers left."]]
    export = read_export(write_export(activity, indicators, commentary), tiny)
    assert list(export.activity["Unit"]) == ["N1", "S1"]
    assert list(export.indicators["Indicator"]) == ["PSS", "PSS", "CNT"]
    assert list(export.indicators["Unit"]) == ["N1", "S1", "North"]
    assert list(export.indicators["UASC"]) == [False, True, False]
    assert list(export.commentary["Indicator"]) == ["CNT"]


def test_sheet_and_column_names_with_unicode_spaces(write_export, tiny):
    path = write_export(
        [["2016-08", "N1", 12, 3]], [["2016-08", "PSS", "N1", "N", 13, 100]], [["2016-08", "CNT", "note"]],
        names={"Indicators": "Indicators\u00a0", "Commentary": "COM\u2009MENTARY"},
        activity_header=["\ufeffMonth", "Team", "Case\u00a0loads", "New  Referrals"],
        indicator_header=["Month", "Indicator", "Team", "U\u200bASC", "Numerator", "Denominator\u00a0"],
    )
    export = read_export(path, tiny)
    assert list(export.activity["Caseloads"]) == [12]
    assert list(export.indicators["UASC"]) == [False]
    assert list(export.commentary["Commentary"]) == ["note"]


def test_rows_for_one_team_spelt_two_ways_are_duplicates(write_export, tiny):
    activity = [["2016-08", "N1", 1, 1], ["2016-08", "S1", 1, 1], ["2016-08", "n  1", 2, 2]]
    indicators = [["2016-08", "PSS", "N1", "N", 1, 2], ["Aug 2016", "pss", "N\u00a01", "n", 1, 3]]
    commentary = [["2016-08", "CNT", "a"], ["2016-08", "cnt ", "b"]]
    with pytest.raises(InputError) as info:
        read_export(write_export(activity, indicators, commentary), tiny)
    errors = info.value.errors
    assert len(errors) == 3, "\n".join(map(str, errors))
    by_sheet = {p.sheet: p.message for p in errors}
    assert "duplicate rows for the same month and team (rows 2, 4)" in by_sheet["Activity"]
    assert "duplicate rows for the same month, indicator, team and UASC status (rows 2, 3)" in by_sheet["Indicators"]
    assert "duplicate rows for the same month, indicator and team (rows 2, 3)" in by_sheet["Commentary"]


def test_double_counting_is_found_across_spellings(write_export, tiny):
    indicators = [["2016-08", "PSS", "N1", "N", 1, 2], ["2016-08", "pss", "NORTH", "N", 1, 2]]
    with pytest.raises(InputError) as info:
        read_export(write_export([["2016-08", "N1", 1, 1]], indicators), tiny)
    (p,) = info.value.errors
    assert p.message.startswith("'N1' (row 2) and 'North' (row 3) both have rows for Aug 2016, indicator PSS")


# ----------------------------------------------------------------------------- the key itself

NAME_CHARACTERS = string.ascii_letters + string.digits + "&()/+-'.,éüçøñ"


@st.composite
def respellings(draw, name: str) -> str:
    """`name` with each letter's case drawn and white space runs put between, around or inside words."""
    out = []
    for char in name:
        out.append(draw(st.sampled_from([char.upper(), char.lower()])) if char != " " else "")
        if char == " " or draw(st.integers(0, 9)) == 0:
            out.append(draw(st.sampled_from(SPACES)))
    return draw(st.sampled_from(SPACES + [""])) + "".join(out) + draw(st.sampled_from(SPACES + [""]))


@settings(max_examples=200, deadline=None)
@given(st.text(NAME_CHARACTERS + " ", min_size=1), st.data())
def test_key_ignores_case_and_white_space_runs(name, data):
    assert name_key(name) == name_key(name.upper()) == name_key(name.lower())
    assert name_key(data.draw(respellings(name))) == name_key(name)


@settings(max_examples=200, deadline=None)
@given(st.sampled_from(sorted(KENT.units) + [i.id for i in KENT.indicators]), st.data())
def test_every_kent_name_respelt_finds_itself_and_nothing_else(name, data):
    typed = data.draw(respellings(name))
    names = KENT.units if name in KENT.units else [i.id for i in KENT.indicators]
    assert [n for n in names if name_key(n) == name_key(typed)] == [name]


def test_kent_names_stay_distinct():
    assert clashes(KENT.units) == []
    assert clashes(i.id for i in KENT.indicators) == []
    assert clashes(["Month", "Team", *(m.column for m in KENT.activity_measures)]) == []


@pytest.mark.parametrize("a, b", [
    ("N1", "N11"), ("Dartford CSWT", "Dartford CIC"), ("4", "41"), ("East Kent (Tha) CIC", "East Kent (Can/Swa) CIC"),
])
def test_key_keeps_real_differences(a, b):
    assert name_key(a) != name_key(b)


def test_clashes_groups_names_in_order():
    assert clashes(["N1", "S1", "n 1", "N\u00a01", "s2"]) == [["N1", "n 1", "N\u00a01"]]


# ----------------------------------------------------------------------------- the sample's other sheets

@pytest.mark.slow
def test_respelt_indicator_ids_and_commentary_read_the_same(tmp_path, sample_book, sample):
    """Indicator IDs are matched like teams: 41 pasted with a byte order mark and a zero-width
    space around it (invisible, and not removed by str.strip) is 41."""
    path = respelt(sample_book, tmp_path / "export.xlsx", lambda name, i: f"\ufeff{name}\u200b", column="Indicator",
                   sheets=("Indicators", "Commentary"))
    export = read_export(path, KENT)
    original, scorecard = sample
    pd.testing.assert_frame_equal(export.indicators, original.indicators)
    pd.testing.assert_frame_equal(export.commentary, original.commentary)
    assert_same_scorecard(calculate(export, KENT), scorecard)


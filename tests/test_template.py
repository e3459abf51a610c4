"""Template loading and validation: every mistake is refused with a message saying where."""

from __future__ import annotations

import datetime as dt
from fractions import Fraction

import pytest
import yaml
from conftest import TINY_DICT, tiny_dict
from pydantic import ValidationError

from scorecard_xl.engine.template import (
    Indicator,
    Template,
    TemplateError,
    load_template,
)


def write_yaml(tmp_path, data, name="tiny.yaml"):
    path = tmp_path / name
    path.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True), encoding="utf-8")
    return path


def load_error(tmp_path, data) -> str:
    with pytest.raises(TemplateError) as info:
        load_template(write_yaml(tmp_path, data))
    return str(info.value)


def indicator(**changes) -> dict:
    base = {"id": "X", "title": "x", "polarity": "H", "period": "SS", "unit": "percent", "decimals": 1,
            "targets": [{"from": "2016-04", "target": "90%", "red": "85%"}]}
    base.update(changes)
    return base


# ----------------------------------------------------------------------------- loading

def test_tiny_template_loads_from_yaml(tmp_path):
    t = load_template(write_yaml(tmp_path, TINY_DICT))
    assert t == Template.model_validate(TINY_DICT)
    assert [i.id for i in t.indicators] == ["P12", "PSS", "CNT", "AVG", "TGT", "CHG", "FTE", "CASE"]
    assert t.section_of["TGT"] == "SECTION B"
    assert t.ancestors("N1") == ["N1", "North", "County"]
    assert t.ancestors("County") == ["County"]
    assert t.area_of("S2") == "South"
    assert t.area_of("South") == "South"
    assert t.area_of("County") == "County"
    assert t.parent_of["North"] == "County"
    assert t.indicator("CNT").has_denominator is False
    assert t.indicator("AVG").has_denominator is True


def test_kent_template_loads(kent):
    assert kent.organisation_tree.name == "Kent"
    assert [i.id for i in kent.indicators] == [str(n) for n in range(1, 46)]
    assert set(kent.activity_rows) <= set(kent.units)
    t13 = kent.indicator("13").targets[0]
    assert (t13.target, t13.red, t13.green_tolerance) == (Fraction(7, 40), Fraction(3, 40), Fraction(1, 40))
    assert kent.indicator("2").targets[0].target == Fraction(9, 10)
    assert kent.indicator("17").targets[0].red == Fraction(13, 100)
    assert [p.from_month for p in kent.indicator("25").targets] == [dt.date(2016, 4, 1), dt.date(2016, 6, 1)]
    assert kent.indicator("41").fractional_numerator and kent.indicator("41").fractional_denominator
    assert kent.indicator("3").unit == "count"
    assert kent.area_of("Dartford CSWT") == "North Kent"


def test_missing_template_names_the_bundled_ones():
    with pytest.raises(TemplateError, match="kent_scs"):
        load_template("no_such_template")


def test_invalid_yaml_is_a_template_error(tmp_path):
    path = tmp_path / "bad.yaml"
    path.write_text("name: [unclosed\n", encoding="utf-8")
    with pytest.raises(TemplateError, match="not valid YAML"):
        load_template(path)


# ----------------------------------------------------------------------------- exact numbers

def test_percent_text_and_decimal_read_as_the_same_exact_fraction(tmp_path):
    text = yaml.safe_dump(TINY_DICT, sort_keys=False)
    # As the author would type them in YAML: a percentage string, a bare decimal.
    text = text.replace("target: 90%", "target: 0.9").replace("red: 85%", "red: '85%'")
    text = text.replace("target: 17.5%", "target: 0.175")
    assert "target: 0.9\n" in text and "red: '85%'" in text and "target: 0.175\n" in text
    t = load_template(_write_text(tmp_path, text))
    p12 = t.indicator("P12").targets[0]
    assert p12.target == Fraction(9, 10)
    assert p12.red == Fraction(85, 100)
    assert t.indicator("TGT").targets[0].target == Fraction(7, 40)  # not 0.17499999999999998...
    # "90%" and 0.9 directly:
    for written in ["90%", 0.9, "0.9", " 90 % ", "90.0%"]:
        period = Indicator.model_validate(indicator(targets=[{"from": "2016-04", "target": written,
                                                              "red": "85%"}])).targets[0]
        assert period.target == Fraction(9, 10), written
        assert isinstance(period.target, Fraction)
    assert Template.model_validate(TINY_DICT).indicator("CNT").targets[0].target == Fraction(5)


def _write_text(tmp_path, text):
    path = tmp_path / "text.yaml"
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize("bad", ["ninety", "", True, [0.9]])
def test_a_target_that_is_not_a_number_is_refused(bad):
    with pytest.raises(ValidationError):
        Indicator.model_validate(indicator(targets=[{"from": "2016-04", "target": bad, "red": "85%"}]))


@pytest.mark.parametrize("written, expected", [
    ("2016-06", dt.date(2016, 6, 1)),
    ("2016-06-15", dt.date(2016, 6, 1)),
    (dt.date(2016, 6, 30), dt.date(2016, 6, 1)),
])
def test_target_month_formats(written, expected):
    ind = Indicator.model_validate(indicator(targets=[{"from": written, "target": "90%", "red": "85%"}]))
    assert ind.targets[0].from_month == expected


def test_yaml_date_is_accepted_as_a_month(tmp_path):
    text = yaml.safe_dump(TINY_DICT, sort_keys=False).replace("from: 2016-06\n", "from: 2016-06-01\n")
    assert "from: 2016-06-01" in text
    t = load_template(_write_text(tmp_path, text))
    assert t.indicator("CHG").targets[1].from_month == dt.date(2016, 6, 1)


def test_bad_target_month_is_refused(tmp_path):
    data = tiny_dict()
    data["sections"][0]["indicators"][0]["targets"][0]["from"] = "April 2016"
    message = load_error(tmp_path, data)
    assert "sections.0.indicators.0.targets.0.from" in message
    assert "YYYY-MM" in message


def test_target_for_a_month(tiny):
    chg = tiny.indicator("CHG")
    assert chg.target_for(dt.date(2016, 3, 1)) is None
    assert chg.target_for(dt.date(2016, 4, 1)).target == Fraction(4, 5)
    assert chg.target_for(dt.date(2016, 5, 1)).target == Fraction(4, 5)
    assert chg.target_for(dt.date(2016, 6, 1)).target == Fraction(9, 10)
    assert chg.target_for(dt.date(2017, 1, 1)).target == Fraction(9, 10)


# ----------------------------------------------------------------------------- refusals

def test_unknown_key_names_its_path(tmp_path):
    data = tiny_dict()
    data["sections"][1]["indicators"][0]["polarty"] = "H"  # typo, next to the real key
    message = load_error(tmp_path, data)
    assert "sections.1.indicators.0.polarty" in message
    assert "unknown key" in message
    assert "tiny.yaml" in message


def test_unknown_top_level_and_nested_tree_keys(tmp_path):
    data = tiny_dict()
    data["titel"] = "typo"
    data["organisation_tree"]["units"][0]["units"][1]["levle"] = "Team"
    message = load_error(tmp_path, data)
    assert "titel: unknown key" in message
    assert "organisation_tree.units.0.units.1.levle" in message
    assert "2 problem(s)" in message


def test_unknown_key_in_target_period(tmp_path):
    data = tiny_dict()
    data["sections"][0]["indicators"][1]["targets"][0]["green"] = "1%"
    message = load_error(tmp_path, data)
    assert "sections.0.indicators.1.targets.0.green" in message


def test_duplicate_unit_names(tmp_path):
    data = tiny_dict()
    data["organisation_tree"]["units"][1]["units"].append({"name": "N1", "level": "Team"})
    message = load_error(tmp_path, data)
    assert "organisation_tree: unit names must be unique; 'N1' appears 2 times" in message


@pytest.mark.parametrize("other", ["n1", "N 1", "N\u00a01", " N1 "])
def test_unit_names_the_reader_cannot_tell_apart_are_refused(tmp_path, other):
    """The reader matches teams ignoring case and white space: two such units would be one to it."""
    data = tiny_dict()
    data["organisation_tree"]["units"][1]["units"].append({"name": other, "level": "Team"})
    message = load_error(tmp_path, data)
    assert (f"organisation_tree: unit names must be unique; 'N1' and {other!r} are the same name to the reader, "
            "which ignores case and white space in names") in message


@pytest.mark.parametrize("first, second, file", [
    ("Team A&B", "Team A+B", "scorecard-YYYY-MM-team-a-b.xlsx"),
    ("\u00c9quipe Nord", "Equipe Nord", "scorecard-YYYY-MM-equipe-nord.xlsx"),
])
def test_units_whose_workbooks_would_share_a_file_name_are_refused(tmp_path, first, second, file):
    """Each unit may have its own workbook (generate --unit, --each): file names keep letters and digits."""
    data = tiny_dict()
    data["organisation_tree"]["units"][1]["units"] += [{"name": first, "level": "Team"},
                                                      {"name": second, "level": "Team"}]
    message = load_error(tmp_path, data)
    assert (f"organisation_tree: units whose workbooks would have the same file name: the workbooks of {first!r} and "
            f"{second!r} would both be {file}. File names keep only letters and digits (without accents), so rename "
            "one of each pair") in message


@pytest.mark.parametrize("unit, other, file", [("S1 Data", "S1", "scorecard-YYYY-MM-s1-data.xlsx"),
                                               ("Data", "County", "scorecard-YYYY-MM-data.xlsx"),
                                               # generate --each names the county's own workbook too
                                               ("County Data", "County", "scorecard-YYYY-MM-county-data.xlsx")])
def test_a_units_workbook_may_not_be_another_units_companion(tmp_path, unit, other, file):
    data = tiny_dict()
    data["organisation_tree"]["units"][1]["units"].append({"name": unit, "level": "Team"})
    message = load_error(tmp_path, data)
    assert (f"the raw-data companion of {other!r} and the workbook of {unit!r} would both be {file}") in message


def test_indicator_ids_the_reader_cannot_tell_apart_are_refused(tmp_path):
    data = tiny_dict()
    data["sections"][1]["indicators"][0]["id"] = "p 12"
    message = load_error(tmp_path, data)
    assert "sections: indicator IDs must be unique; 'P12' and 'p 12' are the same name to the reader" in message


@pytest.mark.parametrize("column, fragment", [
    ("case loads", "'Caseloads' and 'case loads' are the same name"),
    ("TEAM", "'Team' and 'TEAM' are the same name"),  # the Activity sheet's own Team column
])
def test_activity_columns_the_reader_cannot_tell_apart_are_refused(tmp_path, column, fragment):
    data = tiny_dict()
    data["activity_measures"].append({"column": column, "label": "Again", "kind": "events"})
    message = load_error(tmp_path, data)
    assert "activity_measures: each column may appear once" in message and fragment in message


@pytest.mark.parametrize("typed", ["Nroth", "NROTH"])  # names are compared by their keys: capitals hide nothing
def test_unknown_unit_in_activity_rows_suggests_the_closest(tmp_path, typed):
    data = tiny_dict()
    data["activity_rows"][1] = typed
    message = load_error(tmp_path, data)
    assert "activity_rows" in message
    assert repr(typed) in message
    assert "closest: 'North'" in message


def test_bad_polarity(tmp_path):
    data = tiny_dict()
    data["sections"][0]["indicators"][2]["polarity"] = "X"
    message = load_error(tmp_path, data)
    assert "sections.0.indicators.2.polarity" in message
    assert "'H', 'L' or 'T'" in message


def test_t_without_green_tolerance(tmp_path):
    data = tiny_dict()
    del data["sections"][1]["indicators"][0]["targets"][0]["green_tolerance"]
    message = load_error(tmp_path, data)
    assert "TGT" in message
    assert "green_tolerance" in message


@pytest.mark.parametrize("changes, fragment", [
    ({"targets": [{"from": "2016-04", "target": "90%", "red": "85%", "green_tolerance": "1%"}]},
     "green_tolerance is only for polarity T"),
    ({"targets": [{"from": "2016-04", "target": "80%", "red": "85%"}]}, "must not exceed the target"),
    ({"polarity": "L", "targets": [{"from": "2016-04", "target": "10%", "red": "10%"}]},
     "must be above the target"),
    ({"polarity": "T", "targets": [{"from": "2016-04", "target": "17.5%", "red": "2.5%",
                                    "green_tolerance": "2.5%"}]}, "green_tolerance must be below"),
    ({"targets": [{"from": "2016-06", "target": "90%", "red": "85%"},
                  {"from": "2016-04", "target": "90%", "red": "85%"}]}, "date order"),
    ({"targets": [{"from": "2016-04", "target": "90%", "red": "85%"},
                  {"from": "2016-04-15", "target": "90%", "red": "85%"}]}, "one per month"),
    ({"unit": "count", "fractional_denominator": True}, "no denominator"),
    ({"targets": []}, "targets"),
    ({"period": "R3M"}, "period"),
    ({"decimals": 9}, "decimals"),
])
def test_indicator_rules(tmp_path, changes, fragment):
    data = tiny_dict()
    data["sections"][0]["indicators"][0] = indicator(**changes)
    message = load_error(tmp_path, data)
    assert fragment in message
    assert "sections.0.indicators.0" in message


def test_duplicate_indicator_ids(tmp_path):
    data = tiny_dict()
    data["sections"][1]["indicators"][0]["id"] = "P12"
    message = load_error(tmp_path, data)
    assert "indicator IDs must be unique" in message
    assert "P12" in message


def test_numeric_indicator_id_is_read_as_text():
    data = tiny_dict()
    data["sections"][0]["indicators"][0]["id"] = 7
    assert Template.model_validate(data).indicators[0].id == "7"


def test_duplicate_activity_measure_column(tmp_path):
    data = tiny_dict()
    data["activity_measures"].append({"column": "Caseloads", "label": "Again", "kind": "events"})
    assert "each column may appear once" in load_error(tmp_path, data)


def test_bad_activity_kind(tmp_path):
    data = tiny_dict()
    data["activity_measures"][0]["kind"] = "stock"
    assert "activity_measures.0.kind" in load_error(tmp_path, data)


def test_uasc_impact_references_are_checked(tmp_path):
    data = tiny_dict()
    data["uasc_impact"] = {"unit_sections": [{"unit": "Sooth", "title": "S"}], "unit_indicators": ["PSS"],
                           "other_title": "Other", "other_unit": "County", "other_indicators": ["CNT"]}
    message = load_error(tmp_path, data)
    assert "'Sooth'" in message and "closest: 'South'" in message
    data["uasc_impact"]["unit_sections"][0]["unit"] = "South"
    data["uasc_impact"]["other_indicators"] = ["CTN"]
    message = load_error(tmp_path, data)
    assert "'CTN'" in message and "CNT" in message
    data["uasc_impact"]["other_indicators"] = ["CNT"]
    assert load_template(write_yaml(tmp_path, data)).uasc_impact.other_unit == "County"


def test_missing_required_key(tmp_path):
    data = tiny_dict()
    del data["owners"]["director"]
    assert "owners.director" in load_error(tmp_path, data)


# ----------------------------------------------------------------------------- sheet names

def test_sheet_names_come_from_the_template(kent, tiny):
    assert (kent.activity_sheet, kent.uasc_impact.sheet, kent.uasc_impact.heading) == \
        ("SCS Activity", "Impact of UASC", "Scorecard - Impact of UASC")
    assert tiny.activity_sheet == "Activity"  # the default, with nothing council-specific in it


@pytest.mark.parametrize(("changes", "words"), [
    ({"activity_sheet": "Scorecard - Tiny"},
     "scorecard_sheet for 'County': 'Scorecard - Tiny' is already the name of activity_sheet"),
    ({"activity_sheet": "CONTENTS"}, "is already the workbook's own 'Contents' sheet"),
    ({"scorecard_sheet": "data quality"}, "is already the workbook's own 'Data Quality' sheet"),
    ({"activity_sheet": "History"}, "a name Excel keeps for itself"),
    ({"activity_sheet": "Activity: North/South"}, "an Excel sheet name cannot contain / :"),
    ({"activity_sheet": "An activity sheet name far too long"}, "1 to 31 characters"),
])
def test_sheet_names_excel_refuses_are_refused(tmp_path, changes, words):
    data = tiny_dict()
    data.update(changes)
    assert words in load_error(tmp_path, data)


def test_uasc_sheet_name_is_checked(tmp_path):
    data = tiny_dict()
    data["uasc_impact"] = {"sheet": "Results", "unit_sections": [{"unit": "North", "title": "NORTH"}],
                           "unit_indicators": ["P12"], "other_title": "OTHER", "other_unit": "County",
                           "other_indicators": ["PSS"]}
    assert "uasc_impact.sheet: 'Results' is already the workbook's own 'Results' sheet" in load_error(tmp_path, data)

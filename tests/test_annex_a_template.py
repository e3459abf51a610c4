"""The template's `annex_a` keys: rule names, kinds and settings, and the team mapping, checked
when the template loads, with messages that say what to write."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
import yaml

from scorecard_xl.annex_a.rules import RULES
from scorecard_xl.engine.annex_a_catalogue import CATALOGUE, SETTINGS, CatalogueRule, _catalogue
from scorecard_xl.engine.template import (
    ANNEX_A_ACTIVITY_RULES,
    ANNEX_A_INDICATOR_RULES,
    ANNEX_A_OPTIONAL_SETTINGS,
    ANNEX_A_RULE_SETTINGS,
    AnnexARule,
    TemplateError,
    load_template,
)

ROOT = Path(__file__).resolve().parents[1]
KENT = ROOT / "workbook_templates" / "kent_scs.yaml"


def kent_with(tmp_path, change) -> Path:
    data = yaml.safe_load(KENT.read_text(encoding="utf-8"))
    change(data)
    path = tmp_path / "variant.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    return path


def indicator(data, wanted: str) -> dict:
    return next(i for s in data["sections"] for i in s["indicators"] if i["id"] == wanted)


def test_every_named_rule_is_registered_and_every_registered_rule_named():
    assert list(RULES) == list(CATALOGUE)  # rules.py checks this at import
    assert all(RULES[name].entry is entry for name, entry in CATALOGUE.items())
    assert list(ANNEX_A_ACTIVITY_RULES) + list(ANNEX_A_INDICATOR_RULES) == list(CATALOGUE)


def test_the_template_reads_the_rules_from_the_catalogue():
    """Names, kinds and settings are written once, in the catalogue; the template's tables are made from it."""
    assert ANNEX_A_ACTIVITY_RULES == {"caseloads": "snapshot", "referrals": "events", "cf_assessments": "events",
                                      "cp_plans": "snapshot", "cp_starts": "events", "cp_ends": "events",
                                      "lac": "snapshot", "uasc_lac": "snapshot", "lac_starts": "events",
                                      "lac_ends": "events"}
    assert set(ANNEX_A_INDICATOR_RULES.values()) == {"percent", "average"}
    assert ANNEX_A_RULE_SETTINGS == {"cp_visit_within_days": {"days"},
                                     "care_leavers_suitable_accommodation": {"denominator"},
                                     "care_leavers_eet": {"denominator"}}
    assert ANNEX_A_OPTIONAL_SETTINGS == {name: {"died_and_returned_home"} for name in CATALOGUE
                                         if name.startswith("care_leavers_")}
    assert set(SETTINGS) == set(AnnexARule.model_fields) - {"rule"}  # template.py checks this at import


def test_the_engine_never_imports_annex_a():
    """scorecard_xl/annex_a is an optional adapter: it imports the engine, never the other way."""
    engine = ROOT / "scorecard_xl" / "engine"
    found = []
    for path in sorted(engine.glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom):
                package = ["scorecard_xl", "engine"]
                base = package[:len(package) - node.level + 1] if node.level else []
                names = [".".join([*base, *([node.module] if node.module else []), alias.name]) for alias in node.names]
            elif isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            else:
                continue
            found += [f"{path.name}: {n}" for n in names if n.startswith("scorecard_xl.annex_a.")
                      or n == "scorecard_xl.annex_a"]
    assert not found


@pytest.mark.parametrize("entry, message", [
    (CatalogueRule("lac", "snapshot", 8), "rule 'lac' is in the catalogue twice"),
    (CatalogueRule("new_rule", "ratio", 3), "rule 'new_rule' gives 'ratio', not one of snapshot, events, percent"),
    (CatalogueRule("new_rule", "events", 12), "rule 'new_rule' counts List 12, not one of Annex A's Lists 1 to 11"),
    (CatalogueRule("new_rule", "events", 3, months="latest"),
     "rule 'new_rule' gives the months 'latest', not one of covered, report, year_before"),
    (CatalogueRule("new_rule", "percent", 3, needs=("weeks",)),
     "rule 'new_rule' takes 'weeks', not one of the settings days, denominator, died_and_returned_home"),
])
def test_a_slip_in_the_catalogue_fails_at_import_saying_which(entry, message):
    with pytest.raises(ValueError, match="Annex A rule catalogue: ") as caught:
        _catalogue(*CATALOGUE.values(), entry)
    assert message in str(caught.value)


def test_kent_maps_the_issue_table():
    kent = load_template("kent_scs")
    mapped = {i.id: i.annex_a.rule for i in kent.indicators if i.annex_a}
    assert mapped == {"1": "re_referral_12m", "2": "assessment_45_working_days", "4": "child_seen_at_assessment",
                      "10": "cp_plan_18_months", "13": "cp_second_or_subsequent", "17": "cla_3plus_placements",
                      "29": "adoption_a1_days", "30": "adoption_a2_days", "32": "care_leavers_in_touch",
                      "33": "care_leavers_suitable_accommodation", "34": "care_leavers_eet"}
    assert [m.column for m in kent.activity_measures if m.annex_a is None] == ["PF Cases"]


@pytest.mark.parametrize("change, message", [
    (lambda d: indicator(d, "1").update(annex_a="re_referal_12m"),
     "indicator 1: unknown annex_a rule 're_referal_12m' (closest: 're_referral_12m'"),
    (lambda d: indicator(d, "29").update(annex_a="re_referral_12m"),
     "indicator 29: rule 're_referral_12m' gives a percent, but the indicator's unit is 'average'"),
    (lambda d: indicator(d, "34").update(annex_a="care_leavers_eet"),
     "annex_a rule 'care_leavers_eet' needs `denominator:` (all or in_touch)"),
    (lambda d: indicator(d, "1").update(annex_a={"rule": "re_referral_12m", "days": 5}),
     "annex_a rule 're_referral_12m' takes no 'days' setting"),
    (lambda d: indicator(d, "1").update(annex_a={"rule": "cp_visit_within_days"}),
     "annex_a rule 'cp_visit_within_days' needs `days:` (a number of days)"),
    (lambda d: indicator(d, "32").update(annex_a={"rule": "care_leavers_in_touch", "denominator": "all"}),
     "annex_a rule 'care_leavers_in_touch' takes no 'denominator' setting"),
    (lambda d: d["activity_measures"][0].update(annex_a="re_referral_12m"),
     "activity measure 'Caseloads': unknown annex_a rule 're_referral_12m' (closest: 'referrals'); the rules are "
     "caseloads, referrals, "
     "cf_assessments, cp_plans, cp_starts, cp_ends, lac, uasc_lac, lac_starts, lac_ends"),
    (lambda d: d["activity_measures"][0].update(annex_a="referrals"),
     "activity measure 'Caseloads': rule 'referrals' counts the month's events, but the measure is kind 'snapshot'"),
    (lambda d: d["annex_a"]["teams"].update({"North Duty": "North Kent"}),
     "annex_a.teams: 'North Duty' maps to 'North Kent', which has units under it"),
    (lambda d: d["annex_a"]["teams"].update({"North Duty": "Nowhere CSWT"}),
     "annex_a.teams: 'North Duty' maps to 'Nowhere CSWT', which is not in organisation_tree"),
])
def test_mistakes_are_refused_with_what_to_write(tmp_path, change, message):
    with pytest.raises(TemplateError) as caught:
        load_template(kent_with(tmp_path, change))
    assert message in str(caught.value)

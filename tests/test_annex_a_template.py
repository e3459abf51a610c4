"""The template's `annex_a` keys: rule names, kinds and settings, and the team mapping, checked
when the template loads, with messages that say what to write."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from scorecard_xl.annex_a.rules import RULES
from scorecard_xl.engine.template import ANNEX_A_ACTIVITY_RULES, ANNEX_A_INDICATOR_RULES, TemplateError, load_template

KENT = Path(__file__).resolve().parents[1] / "workbook_templates" / "kent_scs.yaml"


def kent_with(tmp_path, change) -> Path:
    data = yaml.safe_load(KENT.read_text(encoding="utf-8"))
    change(data)
    path = tmp_path / "variant.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    return path


def indicator(data, wanted: str) -> dict:
    return next(i for s in data["sections"] for i in s["indicators"] if i["id"] == wanted)


def test_every_named_rule_is_registered_and_every_registered_rule_named():
    assert set(RULES) == set(ANNEX_A_ACTIVITY_RULES) | set(ANNEX_A_INDICATOR_RULES)


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

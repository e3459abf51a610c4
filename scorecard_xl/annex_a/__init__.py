"""Ofsted Annex A lists in, the monthly export out (`scorecard-xl annex-a`).

The pipeline, one module each:

- lists.py / lists.yaml ... the lists and columns read, as data
- reading.py ............. one workbook's lists, checked cell by cell
- teams.py ............... Allocated Team (free text) to the template's units
- stacking.py ............ several files as one history: deduplicated, newest file wins
- rules.py ............... the named rules: every activity measure and indicator figure
- build.py ............... the rules the template names, as the export's rows
- export.py .............. written as a new export, or merged into an existing one

This file holds only the rule names (no heavy imports), so the template can check the
names it is given without loading pandas.
"""

# Rule name -> what it gives: an activity measure ("snapshot": open at the month's end;
# "events": the month's count) or an indicator ("percent": children over children;
# "average": days over children).
ACTIVITY_RULES = {
    "caseloads": "snapshot",
    "referrals": "events",
    "cf_assessments": "events",
    "cp_plans": "snapshot",
    "cp_starts": "events",
    "cp_ends": "events",
    "lac": "snapshot",
    "uasc_lac": "snapshot",
    "lac_starts": "events",
    "lac_ends": "events",
}
INDICATOR_RULES = {
    "re_referral_12m": "percent",
    "assessment_45_working_days": "percent",
    "child_seen_at_assessment": "percent",
    "cp_plan_18_months": "percent",
    "cp_second_or_subsequent": "percent",
    "cla_3plus_placements": "percent",
    "cp_visit_within_days": "percent",
    "care_leavers_in_touch": "percent",
    "care_leavers_suitable_accommodation": "percent",
    "care_leavers_eet": "percent",
    "adoption_a1_days": "average",
    "adoption_a2_days": "average",
}
# Rules that take a setting in the template, and what it is.
RULE_SETTINGS = {
    "cp_visit_within_days": {"days"},
    "care_leavers_suitable_accommodation": {"denominator"},
    "care_leavers_eet": {"denominator"},
}

"""The Annex A rule catalogue: every rule a template may name (`annex_a: re_referral_12m`), once, as data.

Each entry says what the rule gives (an activity measure: "snapshot", open at the month's end,
or "events", the month's count; an indicator: "percent", children over children, or
"average", days over children), the Annex A list it counts, which months it can give, and
the template settings it needs and may take.

Two readers, one catalogue: engine/template.py checks a template's `annex_a:` keys against it,
and the optional adapter (scorecard_xl/annex_a/rules.py) attaches a counting function, and
the notes it writes, to each entry by name, failing at import when an entry has no function
or a function no entry. The engine never imports scorecard_xl.annex_a, so the catalogue lives
here, plain data without pandas (`import scorecard_xl` stays light).

A new rule: add its entry below, then its function in annex_a/rules.py under
`@rule("its_name")` (with `notes=` if it has something to tell the analyst), its row in the
README's rule table, and its test in tests/test_annex_a_rules.py.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal, get_args

Gives = Literal["snapshot", "events", "percent", "average"]
# covered: every month a file covers for the list; report: the months of the files' report dates
# (the list keeps only the latest value); year_before: covered months whose previous twelve
# months are covered too (annex_a/rules.py, months_for).
Months = Literal["covered", "report", "year_before"]

ACTIVITY_KINDS = ("snapshot", "events")
INDICATOR_KINDS = ("percent", "average")
LISTS = range(1, 12)  # Annex A's Lists 1 to 11

# The settings a rule may take in the template (`annex_a: {rule: cp_visit_within_days, days: 10}`),
# each a field of engine.template.AnnexARule, with what to write (said when a rule needs it).
SETTINGS = {
    "days": "a number of days",
    "denominator": "all or in_touch",
    "died_and_returned_home": "exclude or include",
}


@dataclass(frozen=True)
class CatalogueRule:
    """One rule of the catalogue."""

    name: str
    gives: Gives
    list_number: int  # the list it counts
    months: Months = "covered"  # which months it can give
    needs: tuple[str, ...] = ()  # settings the template must give
    may_take: tuple[str, ...] = ()  # settings the template may give (each has a default)

    @property
    def activity(self) -> bool:
        """An activity measure's rule (else an indicator's)."""
        return self.gives in ACTIVITY_KINDS

    @property
    def settings(self) -> tuple[str, ...]:
        """Every setting it takes: those it needs, then those it may take."""
        return self.needs + self.may_take


def _catalogue(*rules: CatalogueRule) -> dict[str, CatalogueRule]:
    """The rules by name, in the order written (the order error messages list them in); a slip in
    an entry fails here, at import, saying which."""
    catalogue: dict[str, CatalogueRule] = {}
    for entry in rules:
        problems = []
        if entry.name in catalogue:
            problems.append("is in the catalogue twice")
        if entry.gives not in get_args(Gives):
            problems.append(f"gives {entry.gives!r}, not one of {', '.join(get_args(Gives))}")
        if entry.list_number not in LISTS:
            problems.append(f"counts List {entry.list_number}, not one of Annex A's Lists 1 to 11")
        if entry.months not in get_args(Months):
            problems.append(f"gives the months {entry.months!r}, not one of {', '.join(get_args(Months))}")
        unknown = [s for s in entry.settings if s not in SETTINGS]
        if unknown:
            problems.append(f"takes {', '.join(map(repr, unknown))}, not one of the settings {', '.join(SETTINGS)}")
        if set(entry.needs) & set(entry.may_take):
            problems.append("both needs and may take the same setting")
        if problems:
            raise ValueError(f"Annex A rule catalogue: rule {entry.name!r} {'; '.join(problems)}")
        catalogue[entry.name] = entry
    return catalogue


_LEAVERS = ("died_and_returned_home",)  # care leavers who died or returned home: left out (default) or counted

CATALOGUE: dict[str, CatalogueRule] = _catalogue(
    # ---- activity measures: what the month's row counts
    CatalogueRule("caseloads", "snapshot", 6),
    CatalogueRule("referrals", "events", 3),
    CatalogueRule("cf_assessments", "events", 4),
    CatalogueRule("cp_plans", "snapshot", 7),
    CatalogueRule("cp_starts", "events", 7),
    CatalogueRule("cp_ends", "events", 7),
    CatalogueRule("lac", "snapshot", 8),
    CatalogueRule("uasc_lac", "snapshot", 8),
    CatalogueRule("lac_starts", "events", 8),
    CatalogueRule("lac_ends", "events", 8),
    # ---- indicators: a numerator over a denominator
    CatalogueRule("re_referral_12m", "percent", 3, months="year_before"),
    CatalogueRule("assessment_45_working_days", "percent", 4),
    CatalogueRule("child_seen_at_assessment", "percent", 4),
    CatalogueRule("cp_plan_18_months", "percent", 7),
    CatalogueRule("cp_second_or_subsequent", "percent", 7),
    CatalogueRule("cla_3plus_placements", "percent", 8, months="report"),
    CatalogueRule("cp_visit_within_days", "percent", 7, months="report", needs=("days",)),
    CatalogueRule("care_leavers_in_touch", "percent", 9, months="report", may_take=_LEAVERS),
    CatalogueRule("care_leavers_suitable_accommodation", "percent", 9, months="report",
                  needs=("denominator",), may_take=_LEAVERS),
    CatalogueRule("care_leavers_eet", "percent", 9, months="report", needs=("denominator",), may_take=_LEAVERS),
    CatalogueRule("adoption_a1_days", "average", 10),
    CatalogueRule("adoption_a2_days", "average", 10),
)

"""Scorecard templates: what a council's scorecard contains, as validated models.

A template is a YAML file (see README, "Template format"). Everything council-specific
lives there: titles and owners, the organisation tree, the activity measures and the
indicators with their polarity, data period, targets and RAG thresholds. The code only
knows the rules.

Targets and thresholds are kept as exact `Fraction`s so that a RAG rating or a
direction of travel never depends on binary floating point (0.175 is 7/40, not
0.17499999999999998...).
"""

from __future__ import annotations

import datetime as dt
import importlib.resources
from fractions import Fraction
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)
from pydantic.functional_validators import BeforeValidator

from ..months import parse_month
from ..names import clashes, closest, file_name_clashes, match, name_key
from .annex_a_catalogue import CATALOGUE
from .annex_a_catalogue import SETTINGS as ANNEX_A_SETTINGS

if TYPE_CHECKING:
    from importlib.abc import Traversable  # importlib.resources.abc from Python 3.11

# The bundled templates live in workbook_templates/ at the top of the repository; the
# wheel ships them inside the package as scorecard_xl.workbook_templates (pyproject.toml).
TEMPLATES_PACKAGE = "scorecard_xl.workbook_templates"
DEFAULT_TEMPLATE = "kent_scs"


class TemplateError(Exception):
    """A template that cannot be read or does not make sense; the message says where."""


def _exact(value: object) -> Fraction:
    """Read a YAML number as the decimal the author wrote (0.175 -> 7/40)."""
    if isinstance(value, bool) or not isinstance(value, (int, float, str)):
        raise ValueError(f"expected a number, got {value!r}")
    text = str(value).strip()
    try:
        if text.endswith("%"):
            return Fraction(text[:-1].strip()) / 100
        return Fraction(text)
    except ValueError:
        raise ValueError(f"expected a number such as 0.9 or 90%, got {value!r}") from None


def _month(value: object) -> dt.date:
    """A target period's start: 2016-06, 2016-06-01 or a YAML date, as the first of the month."""
    month = parse_month(value, iso_only=True) if isinstance(value, (dt.date, str)) else None
    if month is None:
        raise ValueError(f"expected a month as YYYY-MM, got {value!r}")
    return month


ExactNumber = Annotated[Fraction, BeforeValidator(_exact)]
Month = Annotated[dt.date, BeforeValidator(_month)]


class _Model(BaseModel):
    # Unknown keys are almost always typos in a hand-written template: refuse them.
    model_config = ConfigDict(extra="forbid", frozen=True, arbitrary_types_allowed=True)


class Owners(_Model):
    cabinet_member: str
    director: str
    portfolio: str
    division: str


class Unit(_Model):
    """A node of the organisation tree: the county, an area, a service or a team."""

    name: str
    level: str
    short: str | None = None  # a shorter name for its sheet and file names, e.g. "EK Can-Swa CIC"
    units: list[Unit] = Field(default_factory=list)

    @property
    def label(self) -> str:
        """The name its sheet and file names are made from."""
        return self.short or self.name

    def walk(self, parent: Unit | None = None):
        """Yield (unit, parent) for this unit and everything under it, depth first."""
        yield self, parent
        for child in self.units:
            yield from child.walk(self)


# The Annex A rules a template may name, each once in the catalogue (annex_a_catalogue.py), by name -> what
# each gives: an activity measure ("snapshot": open at the month's end; "events": the month's count) or an
# indicator ("percent": children over children; "average": days over children).
ANNEX_A_ACTIVITY_RULES = {name: rule.gives for name, rule in CATALOGUE.items() if rule.activity}
ANNEX_A_INDICATOR_RULES = {name: rule.gives for name, rule in CATALOGUE.items() if not rule.activity}
# Rules that take a setting in the template, and what it is: settings a rule needs, and
# settings it may take (with their default when not given).
ANNEX_A_RULE_SETTINGS = {name: set(rule.needs) for name, rule in CATALOGUE.items() if rule.needs}
ANNEX_A_OPTIONAL_SETTINGS = {name: set(rule.may_take) for name, rule in CATALOGUE.items() if rule.may_take}


class AnnexARule(_Model):
    """The Annex A rule that computes a measure or an indicator (`scorecard-xl annex-a`), and
    its settings: written `annex_a: re_referral_12m` or `annex_a: {rule: ..., days: 10}`."""

    rule: str
    days: int | None = Field(default=None, ge=1, le=366)  # cp_visit_within_days: the visits' timescale
    denominator: Literal["all", "in_touch"] | None = None  # care leavers: over all of them, or those in touch
    # Care leavers who died or returned home for 6 months or more: left out of the denominators, as
    # DfE's statistics do (exclude, the default), or counted as not in touch (include).
    died_and_returned_home: Literal["exclude", "include"] | None = None

    @model_validator(mode="after")
    def _settings_fit(self) -> AnnexARule:
        entry = CATALOGUE.get(self.rule)  # an unknown rule is named by the measure or indicator (_known_rule)
        needed = entry.needs if entry else ()
        allowed = entry.settings if entry else ()
        for setting, what in ANNEX_A_SETTINGS.items():
            given = getattr(self, setting) is not None
            if given and setting not in allowed:
                raise ValueError(f"annex_a rule {self.rule!r} takes no {setting!r} setting")
            if not given and setting in needed:
                raise ValueError(f"annex_a rule {self.rule!r} needs `{setting}:` ({what})")
        return self


# Every setting of the catalogue is a field of AnnexARule, and every field but `rule` a setting.
if set(AnnexARule.model_fields) - {"rule"} != set(ANNEX_A_SETTINGS):
    raise TypeError(f"AnnexARule's settings {sorted(set(AnnexARule.model_fields) - {'rule'})} are not the "
                    f"Annex A rule catalogue's {sorted(ANNEX_A_SETTINGS)} (engine/annex_a_catalogue.py, SETTINGS)")


def _rule(value: object) -> object:
    return {"rule": value} if isinstance(value, str) else value


RuleChoice = Annotated[AnnexARule | None, BeforeValidator(_rule)]


def _known_rule(rule: AnnexARule | None, rules: dict[str, str], what: str) -> str | None:
    """The kind of a rule the template names (ValueError naming the closest if unknown)."""
    if rule is None:
        return None
    if rule.rule not in rules:
        raise ValueError(f"{what}: unknown annex_a rule {rule.rule!r}{closest(rule.rule, rules)}; "
                         f"the rules are {', '.join(rules)}")
    return rules[rule.rule]


class ActivityMeasure(_Model):
    column: str  # the column of the export's Activity sheet
    label: str  # the heading on the activity table
    kind: Literal["snapshot", "events"]  # month-end count, or the month's events
    annex_a: RuleChoice = None  # the rule computing it from Annex A lists, if it can be

    @model_validator(mode="after")
    def _rule_fits(self) -> ActivityMeasure:
        kind = _known_rule(self.annex_a, ANNEX_A_ACTIVITY_RULES, f"activity measure {self.column!r}")
        if kind is not None and kind != self.kind:
            counts = "cases open at the month's end" if kind == "snapshot" else "the month's events"
            raise ValueError(f"activity measure {self.column!r}: rule {self.annex_a.rule!r} counts {counts}, "
                             f"but the measure is kind {self.kind!r}")
        return self


class AnnexASettings(_Model):
    """How Annex A's free-text Allocated Team names map to the organisation tree's teams (a name
    that is already a unit's, ignoring case and spaces, needs no entry; "" maps a blank team,
    such as a referral closed at the front door), and coded values a council writes its own way,
    by the lists.yaml column they belong to: {column: {written value: code}}."""

    teams: dict[str, str] = Field(default_factory=dict)
    values: dict[str, dict[str, str]] = Field(default_factory=dict)


class TargetPeriod(_Model):
    """A target and its RAG thresholds, in force from a month until the next period.

    `red` means, by polarity: H, Red below it; L, Red at or above it; T, Red when the
    distance from the target is at least this. `green_tolerance` (T only): Green when the
    distance from the target is at most this.
    """

    from_month: Month = Field(alias="from")
    target: ExactNumber
    red: ExactNumber
    green_tolerance: ExactNumber | None = None

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


class Indicator(_Model):
    id: str
    title: str
    exception_title: str | None = None  # heading of its exception report, if different
    polarity: Literal["H", "L", "T"]
    period: Literal["R12M", "SS"]
    unit: Literal["percent", "count", "average"]
    decimals: int = Field(ge=0, le=6)
    fractional_numerator: bool = False
    fractional_denominator: bool = False
    targets: list[TargetPeriod] = Field(min_length=1)

    @field_validator("id", mode="before")
    @classmethod
    def _id_as_text(cls, value: object) -> str:
        return str(value)

    unit_targets: dict[str, list[TargetPeriod]] = Field(default_factory=dict)  # a unit's own, instead of targets
    annex_a: RuleChoice = None  # the rule computing it from Annex A lists, if it can be

    @model_validator(mode="after")
    def _check_targets(self) -> Indicator:
        kind = _known_rule(self.annex_a, ANNEX_A_INDICATOR_RULES, f"indicator {self.id}")
        if kind is not None and kind != self.unit:
            raise ValueError(f"indicator {self.id}: rule {self.annex_a.rule!r} gives a {kind}, "
                             f"but the indicator's unit is {self.unit!r}")
        self._check_periods(self.targets, "")
        for unit, periods in self.unit_targets.items():
            if not periods:
                raise ValueError(f"indicator {self.id}: unit_targets for {unit!r} needs at least one target period")
            self._check_periods(periods, f" (unit_targets for {unit!r})")
        if self.unit == "count" and self.fractional_denominator:
            raise ValueError(f"indicator {self.id}: a count indicator has no denominator")
        return self

    def _check_periods(self, periods: list[TargetPeriod], where: str) -> None:
        months = [t.from_month for t in periods]
        if months != sorted(months) or len(set(months)) != len(months):
            raise ValueError(f"indicator {self.id}{where}: target periods must be in date order, one per month")
        for t in periods:
            if self.polarity == "T" and t.green_tolerance is None:
                raise ValueError(f"indicator {self.id}{where}: polarity T needs green_tolerance")
            if self.polarity != "T" and t.green_tolerance is not None:
                raise ValueError(f"indicator {self.id}{where}: green_tolerance is only for polarity T")
            if self.polarity == "H" and t.red > t.target:
                raise ValueError(f"indicator {self.id}{where}: for H the red threshold must not exceed the target")
            if self.polarity == "L" and t.red <= t.target:
                raise ValueError(f"indicator {self.id}{where}: for L the red threshold must be above the target")
            if self.polarity == "T" and not t.green_tolerance < t.red:
                raise ValueError(f"indicator {self.id}{where}: green_tolerance must be below the red tolerance")

    @property
    def has_denominator(self) -> bool:
        return self.unit != "count"

    def periods(self, unit: str | None = None) -> list[TargetPeriod]:
        """The unit's target periods: its own (unit_targets) if it has them, else the indicator's."""
        return self.unit_targets.get(unit, self.targets) if unit is not None else self.targets

    def target_for(self, month: dt.date, unit: str | None = None) -> TargetPeriod | None:
        """The target period in force in `month` (for `unit`), or None before the first one."""
        current = None
        for period in self.periods(unit):
            if period.from_month <= month:
                current = period
        return current


class Section(_Model):
    title: str
    indicators: list[Indicator]


class SpcSettings(_Model):
    """Statistical process control (Making Data Count XmR charts): see README, "Signal or noise"."""

    enabled: bool = True
    window_months: int = Field(default=36, ge=13, le=240)  # the calendar months to the reporting month
    min_points: int = Field(default=13, ge=2)  # fewer points: no limits, no icons
    trend_run: int = Field(default=6, ge=3)  # points each strictly above (below) the one before
    shift_run: int = Field(default=6, ge=3)  # points strictly on one side of the mean
    screen_moving_ranges: bool = False  # leave out moving ranges above 3.267 x their mean (NHSRplotthedots)

    @model_validator(mode="after")
    def _fits(self) -> SpcSettings:
        if self.min_points > self.window_months:
            raise ValueError(f"min_points ({self.min_points}) cannot be more than window_months ({self.window_months})")
        return self


class UnitChoice(_Model):
    """Units by name (`unit: East Kent`) or by level (`level: Area`: every unit of that level)."""

    unit: str | None = None
    level: str | None = None

    @model_validator(mode="after")
    def _one(self) -> UnitChoice:
        if (self.unit is None) == (self.level is None):
            raise ValueError("give either unit: NAME or level: LEVEL")
        return self


class UascUnitSection(_Model):
    unit: str
    title: str


class UascImpact(_Model):
    """Which indicators the impact of UASC sheet shows, for which units."""

    sheet: str = "Impact of UASC"  # the sheet's name
    heading: str | None = None  # its title in A1 (before the month), if not the sheet's name
    unit_sections: list[UascUnitSection]
    unit_indicators: list[str]
    other_title: str
    other_unit: str
    other_indicators: list[str]

    @field_validator("unit_indicators", "other_indicators", mode="before")
    @classmethod
    def _ids_as_text(cls, value: object) -> object:
        return [str(v) for v in value] if isinstance(value, list) else value

    @field_validator("sheet")
    @classmethod
    def _sheet_name(cls, name: str) -> str:
        return excel_sheet_name(name)


class Template(_Model):
    name: str
    organisation: str
    organisation_short: str | None = None  # e.g. "KCC", used in "KCC Result"
    directorate: str = ""
    title: str
    scorecard_sheet: str  # e.g. "Scorecard - {unit}"; {unit} becomes each unit's name (see scorecard_sheet_for)
    # The county workbook's scorecard sheets; default the root's.
    scorecards: list[UnitChoice] = Field(default_factory=list)
    overview_sheet: str = "RAG Overview"  # units side by side, when there are scorecards for several
    activity_sheet: str = "Activity"  # the activity table's sheet, e.g. "SCS Activity"
    owners: Owners
    data_source: str
    financial_year_start_month: int = Field(default=4, ge=1, le=12)
    organisation_tree: Unit
    activity_rows: list[str]
    activity_measures: list[ActivityMeasure]
    sections: list[Section]
    uasc_impact: UascImpact | None = None
    spc: SpcSettings = Field(default_factory=SpcSettings)
    annex_a: AnnexASettings = Field(default_factory=AnnexASettings)

    @field_validator("activity_sheet", "overview_sheet")
    @classmethod
    def _sheet_name(cls, name: str) -> str:
        return excel_sheet_name(name)

    @field_validator("scorecard_sheet")
    @classmethod
    def _sheet_pattern(cls, pattern: str) -> str:
        return pattern if "{unit}" in pattern else excel_sheet_name(pattern)  # a pattern is checked per unit

    def _check_sheet_names(self) -> None:
        """Every workbook's sheet names must differ, ignoring case, as Excel requires: the county
        workbook's (a scorecard sheet per `scorecards` unit, the overview) and each unit's own."""
        fixed = {name.casefold(): f"the workbook's own {name!r} sheet" for name in WORKBOOK_SHEETS}
        fixed["history"] = "a name Excel keeps for itself"
        named = {"activity_sheet": self.activity_sheet}
        if self.uasc_impact:
            named["uasc_impact.sheet"] = self.uasc_impact.sheet
        if len(self.scorecard_units) > 1:
            named["overview_sheet"] = self.overview_sheet
        county = {**named, **{f"scorecard_sheet for {u!r}": self.scorecard_sheet_for(u) for u in self.scorecard_units}}
        workbooks = [county] + [{**named, f"scorecard_sheet for {u!r}": self.scorecard_sheet_for(u)}
                                for u in self.units]
        for sheets in workbooks:
            taken = dict(fixed)
            for key, name in sheets.items():
                if name.casefold() in taken:
                    hint = (" (set a shorter `short` name for the unit in organisation_tree)"
                            if key.startswith("scorecard_sheet for") else "")
                    raise ValueError(f"{key}: {name!r} is already {taken[name.casefold()]} (sheet names are the "
                                     f"same to Excel whatever their case){hint}")
                taken[name.casefold()] = f"the name of {key}"

    @model_validator(mode="after")
    def _check_references(self) -> Template:
        names = [u.name for u, _ in self.organisation_tree.walk()]
        _refuse_clashes(names, "organisation_tree: unit names must be unique")
        # Every unit may have its own workbook (generate --unit/--each): its file name must be its own.
        same_file = file_name_clashes(names, self.organisation_tree.name)
        if same_file:
            raise ValueError(f"organisation_tree: units whose workbooks would have the same file name: "
                             f"{'; '.join(same_file)}. File names keep only letters and digits (without accents), so "
                             "rename one of each pair")
        known = set(names)
        for name in self.activity_rows:
            if name not in known:
                raise ValueError(f"activity_rows: {name!r} is not in organisation_tree{closest(name, names)}")
        ids = [i.id for s in self.sections for i in s.indicators]
        _refuse_clashes(ids, "sections: indicator IDs must be unique")
        # Month and Team are columns of the Activity sheet too; a measure may not take their names.
        _refuse_clashes(["Month", "Team", *(m.column for m in self.activity_measures)],
                        "activity_measures: each column may appear once")
        for ind in self.indicators:
            for unit in ind.unit_targets:
                if unit not in known:
                    raise ValueError(f"indicator {ind.id}: unit_targets: {unit!r} is not in organisation_tree"
                                     f"{closest(unit, names)}")
        levels = {u.level for u, _ in self.organisation_tree.walk()}
        for choice in self.scorecards:
            if choice.unit is not None and choice.unit not in known:
                raise ValueError(f"scorecards: unit {choice.unit!r} is not in organisation_tree"
                                 f"{closest(choice.unit, names)}")
            if choice.level is not None and choice.level not in levels:
                raise ValueError(f"scorecards: no unit has the level {choice.level!r}"
                                 f"{closest(choice.level, sorted(levels))}")
        if self.uasc_impact:
            u = self.uasc_impact
            for unit in [s.unit for s in u.unit_sections] + [u.other_unit]:
                if unit not in known:
                    raise ValueError(f"uasc_impact: unit {unit!r} is not in organisation_tree{closest(unit, names)}")
            for ind in u.unit_indicators + u.other_indicators:
                if ind not in ids:
                    raise ValueError(f"uasc_impact: indicator {ind!r} is not defined{closest(ind, ids)}")
        for written, unit in self.annex_a.teams.items():
            if unit not in known:
                raise ValueError(f"annex_a.teams: {written!r} maps to {unit!r}, which is not in organisation_tree"
                                 f"{closest(unit, names)}")
            if self.units[unit].units:
                raise ValueError(f"annex_a.teams: {written!r} maps to {unit!r}, which has units under it; map it "
                                 "to a team (a unit with none under it), so that no figure is counted twice")
        _refuse_clashes(list(self.annex_a.teams), "annex_a.teams: each written name may appear once")
        self._check_sheet_names()  # after the references: it names the units
        return self

    # ----- lookups used by the reader and the calculator -----

    @cached_property
    def indicators(self) -> list[Indicator]:
        return [i for s in self.sections for i in s.indicators]

    @cached_property
    def section_of(self) -> dict[str, str]:
        return {i.id: s.title for s in self.sections for i in s.indicators}

    def indicator(self, indicator_id: str) -> Indicator:
        for ind in self.indicators:
            if ind.id == str(indicator_id):
                return ind
        raise KeyError(indicator_id)

    @cached_property
    def units(self) -> dict[str, Unit]:
        return {u.name: u for u, _ in self.organisation_tree.walk()}

    @cached_property
    def parent_of(self) -> dict[str, str | None]:
        return {u.name: (p.name if p else None) for u, p in self.organisation_tree.walk()}

    def ancestors(self, name: str) -> list[str]:
        """The unit itself, then its parent, up to the root."""
        chain = []
        current: str | None = name
        while current is not None:
            chain.append(current)
            current = self.parent_of[current]
        return chain

    @cached_property
    def scorecard_units(self) -> list[str]:
        """The units with a scorecard sheet in the county workbook, in the order `scorecards` gives
        them (a level's units in tree order); the root alone when the template names none."""
        chosen: list[str] = []
        for choice in self.scorecards or [UnitChoice(unit=self.organisation_tree.name)]:
            chosen += [choice.unit] if choice.unit is not None else self.units_at(choice.level)
        return list(dict.fromkeys(chosen))

    def choose_units(self, unit: str | None = None, each: list[str] | None = None) -> list[str]:
        """The units named by `unit` (a name) and `each` (levels, or "all"), matched as the reader
        matches names (ignoring case and white space), in tree order. ValueError naming the closest
        when one is unknown."""
        chosen: set[str] = set()
        if unit is not None:
            if not unit.strip():
                example = list(self.units)[1 if len(self.units) > 1 else 0]
                raise ValueError(f"no unit named (an empty name); give one of the template's units, e.g. {example!r}")
            found = match(unit, self.units)
            if found is None:
                raise ValueError(f"unknown unit {unit!r}{closest(unit, self.units)}")
            chosen.add(found)
        levels = list(dict.fromkeys(u.level for u, _ in self.organisation_tree.walk()))
        for level in each or []:
            if name_key(level) == "all":
                chosen.update(self.units)
                continue
            found = match(level, levels)
            if found is None:
                raise ValueError(f"unknown level {level!r}; the levels are {', '.join(levels)}, or all")
            chosen.update(self.units_at(found))
        return [u for u in self.units if u in chosen]

    def units_at(self, level: str) -> list[str]:
        """Every unit of a level, in tree order."""
        return [u.name for u, _ in self.organisation_tree.walk() if u.level == level]

    def subtree(self, name: str) -> list[str]:
        """The unit and every unit under it, in tree order."""
        return [u.name for u, _ in self.units[name].walk()]

    def scorecard_sheet_for(self, unit: str) -> str:
        """The unit's scorecard sheet name: `scorecard_sheet` with {unit} filled in (a name without
        {unit} is the root's; another unit's is that name, " - ", the unit's), made safe for Excel
        (excel_safe_sheet_name)."""
        label = self.units[unit].label
        if "{unit}" in self.scorecard_sheet:
            name = self.scorecard_sheet.replace("{unit}", label)
        else:
            name = self.scorecard_sheet if unit == self.organisation_tree.name else f"{self.scorecard_sheet} - {label}"
        return excel_safe_sheet_name(name)

    def area_of(self, name: str) -> str:
        """The unit's area: the child of the root it sits under (the root for itself)."""
        chain = self.ancestors(name)
        return chain[-2] if len(chain) >= 2 else chain[-1]


# The sheets every workbook has, named by the program; a template's sheets must differ from them.
WORKBOOK_SHEETS = ("Contents", "Exceptions", "Results", "Definitions", "Activity Data", "Indicator Data", "Trends",
                   "SPC", "SPC Chart Data", "Data Quality")


def excel_safe_sheet_name(name: str) -> str:
    """`name` made into a sheet name Excel accepts (the documented shortening, see scorecard_sheet_for):
    each of [ ] : * ? / \\ becomes "-"; past 31 characters it is cut at the last space within them
    (or at 31 when that would leave under 20)."""
    name = "".join("-" if ch in "[]:*?/\\" else ch for ch in name).strip().strip("'")
    if len(name) > 31:
        cut = name[:32].rfind(" ")
        name = name[:cut] if cut >= 20 else name[:31]
    return name.rstrip(" -") or "Scorecard"


def excel_sheet_name(name: str) -> str:
    """`name` if Excel accepts it as a sheet name, else ValueError saying why."""
    bad = sorted(set(name) & set("[]:*?/\\"))
    if bad:
        raise ValueError(f"an Excel sheet name cannot contain {' '.join(bad)} (in {name!r})")
    if not name.strip() or len(name) > 31 or name.startswith("'") or name.endswith("'"):
        raise ValueError(f"an Excel sheet name has 1 to 31 characters and does not start or end with ' "
                         f"({name!r} has {len(name)})")
    return name


def _refuse_clashes(names: list[str], rule: str) -> None:
    """Names the reader could not tell apart: it matches them ignoring case and white space."""
    for group in clashes(names):
        first, other = group[0], next((n for n in group if n != group[0]), None)
        if other is None:
            raise ValueError(f"{rule}; {first!r} appears {len(group)} times")
        raise ValueError(f"{rule}; {first!r} and {other!r} are the same name to the reader, which ignores case "
                         "and white space in names")


def bundled_templates() -> Traversable:
    """The folder of bundled templates, wherever the package is installed.

    Installed (wheel or editable), importlib.resources finds it in the package; run from
    a source checkout that is not installed, it is the checkout's workbook_templates/.
    """
    try:
        return importlib.resources.files(TEMPLATES_PACKAGE)
    except ModuleNotFoundError:
        return Path(__file__).resolve().parents[2] / "workbook_templates"


def template_path(name_or_path: str | Path) -> Path | Traversable:
    """A bundled template's name (e.g. 'kent_scs') or the path to a YAML file."""
    path = Path(name_or_path)
    if path.suffix.lower() in {".yaml", ".yml"} or path.exists():
        return path
    return bundled_templates() / f"{name_or_path}.yaml"


def available_templates() -> list[str]:
    names = (entry.name for entry in bundled_templates().iterdir() if entry.is_file())
    return sorted(name.removesuffix(".yaml") for name in names if name.endswith(".yaml"))


def load_template(name_or_path: str | Path = DEFAULT_TEMPLATE) -> Template:
    import yaml

    path = template_path(name_or_path)
    if not path.is_file():
        raise TemplateError(
            f"template {str(name_or_path)!r} not found; bundled templates: {', '.join(available_templates())}"
        )
    try:
        # libyaml's safe loader when present: same rules as yaml.safe_load, several times faster.
        loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
        data = yaml.load(path.read_text(encoding="utf-8"), Loader=loader)  # noqa: S506 - a safe loader
    except yaml.YAMLError as exc:
        raise TemplateError(f"{path.name}: not valid YAML: {exc}") from None
    try:
        return Template.model_validate(data)
    except ValidationError as exc:
        lines = []
        for err in exc.errors():
            where = ".".join(str(p) for p in err["loc"]) or "(top level)"
            message = err["msg"].removeprefix("Value error, ")
            if err["type"] == "extra_forbidden":
                message = "unknown key (check its spelling against the template format in the README)"
            lines.append(f"  {where}: {message}")
        raise TemplateError(f"{path.name}: {len(lines)} problem(s)\n" + "\n".join(lines)) from None

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
from ..names import clashes, closest

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
    units: list[Unit] = Field(default_factory=list)

    def walk(self, parent: Unit | None = None):
        """Yield (unit, parent) for this unit and everything under it, depth first."""
        yield self, parent
        for child in self.units:
            yield from child.walk(self)


class ActivityMeasure(_Model):
    column: str  # the column of the export's Activity sheet
    label: str  # the heading on the activity table
    kind: Literal["snapshot", "events"]  # month-end count, or the month's events


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

    @model_validator(mode="after")
    def _check_targets(self) -> Indicator:
        months = [t.from_month for t in self.targets]
        if months != sorted(months) or len(set(months)) != len(months):
            raise ValueError(f"indicator {self.id}: target periods must be in date order, one per month")
        for t in self.targets:
            if self.polarity == "T" and t.green_tolerance is None:
                raise ValueError(f"indicator {self.id}: polarity T needs green_tolerance")
            if self.polarity != "T" and t.green_tolerance is not None:
                raise ValueError(f"indicator {self.id}: green_tolerance is only for polarity T")
            if self.polarity == "H" and t.red > t.target:
                raise ValueError(f"indicator {self.id}: for H the red threshold must not exceed the target")
            if self.polarity == "L" and t.red <= t.target:
                raise ValueError(f"indicator {self.id}: for L the red threshold must be above the target")
            if self.polarity == "T" and not t.green_tolerance < t.red:
                raise ValueError(f"indicator {self.id}: green_tolerance must be below the red tolerance")
        if self.unit == "count" and self.fractional_denominator:
            raise ValueError(f"indicator {self.id}: a count indicator has no denominator")
        return self

    @property
    def has_denominator(self) -> bool:
        return self.unit != "count"

    def target_for(self, month: dt.date) -> TargetPeriod | None:
        """The target period in force in `month`, or None before the first one."""
        current = None
        for period in self.targets:
            if period.from_month <= month:
                current = period
        return current


class Section(_Model):
    title: str
    indicators: list[Indicator]


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
    scorecard_sheet: str
    activity_sheet: str = "Activity"  # the activity table's sheet, e.g. "SCS Activity"
    owners: Owners
    data_source: str
    financial_year_start_month: int = Field(default=4, ge=1, le=12)
    organisation_tree: Unit
    activity_rows: list[str]
    activity_measures: list[ActivityMeasure]
    sections: list[Section]
    uasc_impact: UascImpact | None = None

    @field_validator("scorecard_sheet", "activity_sheet")
    @classmethod
    def _sheet_name(cls, name: str) -> str:
        return excel_sheet_name(name)

    @model_validator(mode="after")
    def _check_sheet_names(self) -> Template:
        named = {"scorecard_sheet": self.scorecard_sheet, "activity_sheet": self.activity_sheet}
        if self.uasc_impact:
            named["uasc_impact.sheet"] = self.uasc_impact.sheet
        taken = {name.casefold(): f"the workbook's own {name!r} sheet" for name in WORKBOOK_SHEETS}
        taken["history"] = "a name Excel keeps for itself"
        for key, name in named.items():
            if name.casefold() in taken:
                raise ValueError(f"{key}: {name!r} is already {taken[name.casefold()]} (sheet names are the same "
                                 "to Excel whatever their case)")
            taken[name.casefold()] = f"the name of {key}"
        return self

    @model_validator(mode="after")
    def _check_references(self) -> Template:
        names = [u.name for u, _ in self.organisation_tree.walk()]
        _refuse_clashes(names, "organisation_tree: unit names must be unique")
        known = set(names)
        for name in self.activity_rows:
            if name not in known:
                raise ValueError(f"activity_rows: {name!r} is not in organisation_tree{closest(name, names)}")
        ids = [i.id for s in self.sections for i in s.indicators]
        _refuse_clashes(ids, "sections: indicator IDs must be unique")
        # Month and Team are columns of the Activity sheet too; a measure may not take their names.
        _refuse_clashes(["Month", "Team", *(m.column for m in self.activity_measures)],
                        "activity_measures: each column may appear once")
        if self.uasc_impact:
            u = self.uasc_impact
            for unit in [s.unit for s in u.unit_sections] + [u.other_unit]:
                if unit not in known:
                    raise ValueError(f"uasc_impact: unit {unit!r} is not in organisation_tree{closest(unit, names)}")
            for ind in u.unit_indicators + u.other_indicators:
                if ind not in ids:
                    raise ValueError(f"uasc_impact: indicator {ind!r} is not defined{closest(ind, ids)}")
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

    def area_of(self, name: str) -> str:
        """The unit's area: the child of the root it sits under (the root for itself)."""
        chain = self.ancestors(name)
        return chain[-2] if len(chain) >= 2 else chain[-1]


# The sheets every workbook has, named by the program; a template's sheets must differ from them.
WORKBOOK_SHEETS = ("Contents", "Exceptions", "Results", "Definitions", "Activity Data", "Indicator Data", "Trends",
                   "Data Quality")


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

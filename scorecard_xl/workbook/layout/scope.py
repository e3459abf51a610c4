"""A unit's own workbook sees the scorecard and the export cut down to the unit and the units under it."""

from __future__ import annotations

import dataclasses

import pandas as pd

from ...engine.template import Template
from ...model import Export, Scorecard


def unit_scope(scorecard: Scorecard, export: Export, template: Template, unit: str) -> tuple[Scorecard, Export]:
    """The scorecard and export as a unit's workbook sees them: the unit is the root, and only the rows
    of the unit and the units under it are there (a team manager never receives another team's rows)."""
    under = set(template.subtree(unit))
    return scoped_scorecard(scorecard, template, unit, list(export.warnings)), dataclasses.replace(
        export, activity=_rows_of(export.activity, under), indicators=_rows_of(export.indicators, under),
        commentary=_rows_of(export.commentary, under))


def scoped_scorecard(scorecard: Scorecard, template: Template, unit: str,
                     warnings: list | None = None) -> Scorecard:
    """The scorecard with `unit` as its root and the results of its subtree only (see unit_scope)."""
    if unit == scorecard.root:
        return scorecard
    if unit not in scorecard.views:
        raise KeyError(f"no view calculated for {unit!r}: pass it to calculate(units=...)")
    under = set(template.subtree(unit))
    return dataclasses.replace(scorecard, results=_rows_of(scorecard.results, under), root=unit,
                               views={unit: scorecard.views[unit]},
                               spc=None if scorecard.spc is None else _rows_of(scorecard.spc, under),
                               spc_series=None if scorecard.spc_series is None else _rows_of(scorecard.spc_series,
                                                                                           under),
                               warnings=scorecard.warnings if warnings is None else warnings)


def _rows_of(frame: pd.DataFrame, units: set[str]) -> pd.DataFrame:
    return frame[frame["Unit"].isin(units)].reset_index(drop=True) if "Unit" in frame.columns else frame

"""`scorecard-xl annex-a`: Annex A workbooks in, the monthly export out.

Read every file (every problem in every file reported at once), stack them, run the
template's rules, merge into the existing export if one is given, and write the result
atomically after reading it back through the export reader.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

from ..engine.template import Template, load_template
from ..files import check_replaceable
from ..model import Export, InputError, Problem
from ..progress import Stages
from .build import compute
from .export import merge, save_export
from .reading import AnnexAFile, read_annex_a, report_date_from_name
from .stacking import stack
from .teams import TeamMap, read_teams_csv


@dataclass
class Converted:
    export: Export  # the export written, as the reader read it back
    summary: list[str]  # what was added, replaced and kept
    warnings: list[Problem] = field(default_factory=list)
    files: list[AnnexAFile] = field(default_factory=list)


def report_dates(paths: list[Path], given: list[dt.date] | None) -> list[dt.date]:
    """Each file's report date: given one per file, in order, or read from its name."""
    if given:
        if len(given) != len(paths):
            raise InputError([Problem("error", f"{len(given)} --report-date for {len(paths)} files; give one per file, "
                                               "in the files' order, or none (dates from the file names)")])
        return list(given)
    dates, problems = [], []
    for path in paths:
        date = report_date_from_name(path)
        if date is None:
            problems.append(Problem("error", "cannot tell the report date: name the file like annex-a-2016-08-31.xlsx, "
                                             "or give --report-date for each file", file=path.name))
        dates.append(date)
    if problems:
        raise InputError(problems)
    return dates


def _ignored_lists(files: list[AnnexAFile]) -> list[Problem]:
    """One note for the lists no rule reads, however many files have them."""
    lists = sorted({n for f in files for n in f.ignored})
    if not lists:
        return []
    having = sum(1 for f in files if f.ignored)
    named = ", ".join(map(str, lists[:-1])) + (" and " if len(lists) > 1 else "") + str(lists[-1])
    return [Problem("warning", f"List{'s' if len(lists) > 1 else ''} {named} read past in {having} file"
                               f"{'s' if having > 1 else ''}: no scorecard rule uses them")]


def convert(paths: list[Path], template: Template, target: Path, *, into: bool = False,
            dates: list[dt.date] | None = None, teams_csv: Path | None = None, stages: Stages | None = None
            ) -> Converted:
    """Compute the export from the Annex A files and write it to `target` (merging into it when
    `into`). InputError, with nothing written, lists every problem."""
    from ..reading.reader import read_export

    stages = stages or Stages(enabled=False)
    check_replaceable(target)  # before any work: an export open in Excel is found now, not after reading
    paths = [Path(p) for p in paths]
    when = report_dates(paths, dates)
    teams = TeamMap(template, read_teams_csv(teams_csv, template) if teams_csv else None)
    files, problems = [], []
    for number, (path, date) in enumerate(zip(paths, when), start=1):
        with stages.stage(f"Reading {path.name} ({number} of {len(paths)})"):
            try:
                files.append(read_annex_a(path, date))
            except InputError as exc:
                problems += exc.problems
    if any(p.severity == "error" for p in problems):
        raise InputError(problems)
    with stages.stage("Counting: every rule, team and month"):
        stacked = stack(files, teams, template.organisation_tree.name)
        computed = compute(stacked, template)
    if into:
        with stages.stage(f"Reading {target.name}"):
            existing = read_export(target, template)
    merged = merge(computed, template, existing if into else None)
    warnings = [p for f in files for p in f.problems] + _ignored_lists(files) + computed.notes
    created = dt.datetime.combine(max(when), dt.time())
    with stages.stage(f"Writing {target.name} and reading it back"):
        written = save_export(merged, warnings, template, target, created, lambda p: read_export(p, template))
    return Converted(written, merged.summary, warnings, files)


def from_annex_a(files: list[str | Path], *, into: str | Path | None = None, output: str | Path | None = None,
            template: str | Path | Template = "kent_scs", report_dates: list[dt.date] | None = None,
            teams: str | Path | None = None) -> Converted:
    """From Python: `scorecard-xl annex-a`. Give `into` (an existing export, rewritten with the computed
    months) or `output` (a new export). Raises InputError (nothing written), WriteError or ValueError."""
    if (into is None) == (output is None):
        raise ValueError("give either into= (an existing export) or output= (a new one)")
    target = Path(into if into is not None else output)
    if target.suffix.lower() != ".xlsx":
        raise ValueError(f"the export's name must end in .xlsx (got {target.name})")
    tmpl = template if isinstance(template, Template) else load_template(template)
    return convert([Path(f) for f in files], tmpl, target, into=into is not None, dates=report_dates,
                   teams_csv=Path(teams) if teams is not None else None)

"""`scorecard-xl annex-a`: Annex A workbooks in, the monthly export out.

Read every file (every problem in every file reported at once), stack them, run the
template's rules, merge into the existing export if one is given, and write the result
atomically after reading it back through the export reader.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
import os
from dataclasses import dataclass, field
from pathlib import Path

from ..engine.template import Template, load_template
from ..files import check_replaceable
from ..model import Export, InputError, Problem
from ..parallel import default_workers, forked_map
from ..progress import Stages
from .build import compute
from .export import merge, read_kept, save_export
from .lists import lists_spec
from .reading import AnnexAFile, code_readers, read_annex_a, report_date_from_name
from .stacking import stack
from .teams import TeamMap, read_teams_csv


@dataclass(repr=False)
class Converted:
    export: Export  # the export written, as the reader read it back (its path: the export's own)
    summary: list[str]  # what was added, replaced and kept
    warnings: list[Problem] = field(default_factory=list)
    files: list[AnnexAFile] = field(default_factory=list)

    @property
    def path(self) -> Path:
        return self.export.path

    def __repr__(self) -> str:  # short: the frames it holds would print tens of thousands of characters
        months = sorted(set(self.export.activity["Month"])) if len(self.export.activity) else []
        span = f"{months[0]:%b %Y} to {months[-1]:%b %Y}" if months else "no month"
        return (f"<Converted {self.path}: {len(self.files)} Annex A file(s), {span}, "
                f"{len(self.export.activity):,} activity and {len(self.export.indicators):,} indicator rows, "
                f"{len(self.warnings)} note(s)>")


def report_dates(paths: list[Path], given: list[dt.date] | None, today: dt.date | None = None) -> list[dt.date]:
    """Each file's report date: given one per file, in order, or read from its name. A date after
    today is refused: a list cannot hold what has not happened (a year typed wrong, 2027 for 2017,
    would otherwise add future months that generate then takes as the latest)."""
    today = today or dt.date.today()
    if given:
        if len(given) != len(paths):
            raise InputError([Problem("error", f"{len(given)} --report-date for {len(paths)} files; give one per file, "
                                               "in the files' order, or none (dates from the file names)")])
        dates = list(given)
    else:
        dates, problems = [], []
        for path in paths:
            date = report_date_from_name(path)
            if date is None:
                problems.append(Problem("error", "cannot tell the report date: name the file like "
                                                 "annex-a-2016-08-31.xlsx, or give --report-date for each file",
                                        file=path.name))
            dates.append(date)
        if problems:
            raise InputError(problems)
    future = [Problem("error", f"the report date {date:%d/%m/%Y} is after today ({today:%d/%m/%Y}); check the year "
                               "(in the file name, or --report-date)", file=path.name)
              for path, date in zip(paths, dates, strict=False) if date > today]
    if future:
        raise InputError(future)
    return dates


def _refuse_reading_the_target(paths: list[Path], target: Path) -> None:
    """The export written must not be one of the Annex A files read: it would be overwritten."""
    def same(a: Path, b: Path) -> bool:
        try:
            return a.exists() and b.exists() and a.samefile(b)
        except OSError:
            return False
    for path in paths:
        if same(path, target) or os.path.normcase(path.resolve()) == os.path.normcase(target.resolve()):
            raise InputError([Problem("error", f"{target.name} is one of the Annex A files being read; write the "
                                               "export to another file (it is left as it was)", file=target.name)])


def _read_one(job: tuple[Path, dt.date], values: dict, blank_team: bool) -> AnnexAFile | list[Problem]:
    """One file read, or its problems (returned, not raised: an exception crossing from a reading
    process keeps only its text)."""
    try:
        return read_annex_a(job[0], job[1], values=values, blank_team=blank_team)
    except InputError as exc:
        return exc.problems


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
            dates: list[dt.date] | None = None, teams_csv: Path | None = None, stages: Stages | None = None,
            today: dt.date | None = None) -> Converted:
    """Compute the export from the Annex A files and write it to `target` (merging into it when
    `into`). InputError, with nothing written, lists every problem."""
    from ..reading.reader import check_export, read_export, read_sheets

    stages = stages or Stages(enabled=False)
    paths = [Path(p) for p in paths]
    # Reading is most of the work, one file at a time to a core: forked processes where they
    # pay (Linux, several files; parallel.py), else one after another.
    workers = min(default_workers(), len(paths)) if len(paths) >= 3 else 1
    _refuse_reading_the_target(paths, target)
    check_replaceable(target)  # before any work: an export open in Excel is found now, not after reading
    when = report_dates(paths, dates, today)
    code_readers(lists_spec(), template.annex_a.values)  # the template's own values, checked once before reading
    teams = TeamMap(template, read_teams_csv(teams_csv, template) if teams_csv else None)
    files, problems = [], []
    reading = functools.partial(_read_one, values=template.annex_a.values, blank_team=teams.unit("") is not None)
    lists_spec()  # loaded once, before the reading processes fork
    with stages.stage(f"Reading {len(paths)} Annex A file(s)" + (f" ({workers} at a time)" if workers > 1 else "")):
        for read in forked_map(reading, list(zip(paths, when, strict=False)), workers):
            if isinstance(read, AnnexAFile):
                files.append(read)
            else:
                problems += read
    if any(p.severity == "error" for p in problems):
        raise InputError(problems)
    with stages.stage("Counting: every rule, team and month"):
        stacked = stack(files, teams, template.organisation_tree.name)
        computed = compute(stacked, template)
    kept = None
    if into:
        with stages.stage(f"Reading {target.name}"):
            sheets = read_sheets(target)
            existing = check_export(sheets, target, template)
            kept = read_kept(target, sheets, existing, template)
    merged = merge(computed, template, existing if into else None, kept)
    warnings = [p for f in files for p in f.problems] + _ignored_lists(files) + computed.notes + merged.notes
    created = dt.datetime.combine(max(when), dt.time())
    with stages.stage(f"Writing {target.name} and reading it back"):
        written = save_export(merged, warnings, template, target, created, lambda p: read_export(p, template))
    # Read back from the temporary file, which is now the target: say the target, never the gone file.
    return Converted(dataclasses.replace(written, path=target), merged.summary, warnings, files)


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

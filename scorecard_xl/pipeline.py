"""generate and validate, as plain functions: read, check, calculate, lay out, write.

This is the public API (`from scorecard_xl import generate`), for a notebook or a
scheduled script; the command line validates its options and calls the same functions,
and the benchmark times their stages. Bad input raises `InputError` (its `problems` list
every error and warning, each with sheet, row and column); a file that cannot be written
raises `WriteError` naming it; nothing is printed and the process is never ended.

    >>> from scorecard_xl import generate
    >>> result = generate("input-2016-08.xlsx", "scorecard-2016-08.xlsx", raw_data="separate")
    >>> result.paths, result.rag_counts, result.warnings

The files of one run (the workbook, its companion, the PDF) are written as one set: all
new, or all as they were (files.FileSet).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import html
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from .engine.template import Template, load_template
from .files import FileSet, check_folder, check_replaceable
from .model import InputError, OptionError, Problem, Scorecard, problem_count
from .months import reporting_month_text
from .names import companion_name, workbook_name
from .progress import Stages

if TYPE_CHECKING:
    import pandas as pd

    from .model import Export
    from .workbook.layout.model import WorkbookLayout

RawData = Literal["include", "separate"]


@dataclass
class Checked:
    """What `validate` found: the export's rows and every warning generate would give."""

    month: pd.Timestamp
    rows_read: dict[str, int]
    warnings: list[Problem]


@dataclass
class Book:
    """One workbook of a run, for one unit: the files written, its RAG counts and warnings."""

    unit: str
    workbook: Path
    companion: Path | None
    pdf: Path | None
    rag_counts: dict[str, int]
    warnings: list[Problem]
    layout: WorkbookLayout

    @property
    def paths(self) -> list[Path]:
        return [p for p in (self.workbook, self.companion, self.pdf) if p is not None]


@dataclass
class Generated:
    """What `generate` wrote: one book (the county's, or one unit's), or one per unit (`each`)."""

    month: pd.Timestamp
    books: list[Book]
    scorecard: Scorecard
    notes: list[str] = field(default_factory=list)  # about the run, not the data (e.g. a slower path taken)

    @property
    def paths(self) -> list[Path]:
        """Every file written: each workbook, then its companion and PDF if any."""
        return [p for book in self.books for p in book.paths]

    @property
    def warnings(self) -> list[Problem]:
        """Every book's warnings, each once (the export's own are in every book)."""
        return list(dict.fromkeys(w for book in self.books for w in book.warnings))

    # The first (for the county workbook, the only) book's, for a run that writes one.
    @property
    def workbook(self) -> Path:
        return self.books[0].workbook

    @property
    def companion(self) -> Path | None:
        return self.books[0].companion

    @property
    def pdf(self) -> Path | None:
        return self.books[0].pdf

    @property
    def layout(self) -> WorkbookLayout:
        return self.books[0].layout

    @property
    def rag_counts(self) -> dict[str, int]:
        return self.books[0].rag_counts

    def summary(self) -> str:
        counts = self.rag_counts
        what = (f"{counts['G']} Green, {counts['A']} Amber, {counts['R']} Red" if len(self.books) == 1
                else f"{len(self.books)} workbooks")
        return (f"{self.month:%b %Y}: {what}; wrote {', '.join(str(p) for p in self.paths)}; "
                f"{problem_count(self.warnings):,} warning(s)")

    def __repr__(self) -> str:
        return f"<Generated {self.summary()}>"

    def _repr_html_(self) -> str:  # shown by Jupyter
        books = "".join(f"<li>{html.escape(b.unit)}: {b.rag_counts['G']} Green, {b.rag_counts['A']} Amber, "
                        f"{b.rag_counts['R']} Red: {html.escape(', '.join(str(p) for p in b.paths))}</li>"
                        for b in self.books)
        warnings = "".join(f"<li>{html.escape(str(w))}</li>" for w in self.warnings[:20])
        more = f"<li>... and {len(self.warnings) - 20} more</li>" if len(self.warnings) > 20 else ""
        return (f"<p><b>{self.month:%B %Y}</b></p><p>Wrote:</p><ul>{books}</ul>"
                f"<p>{problem_count(self.warnings):,} warning(s)</p><ul>{warnings}{more}</ul>")


def default_output(month: pd.Timestamp, unit: str | None = None) -> Path:
    """scorecard-YYYY-MM.xlsx; a unit's own, scorecard-YYYY-MM-<unit>.xlsx (a name safe on any system)."""
    return Path(workbook_name(month, unit))


def companion_of(out: Path) -> Path:
    return out.with_name(companion_name(out.name))


def output_paths(out: Path, raw_data: RawData = "include", pdf: bool = False) -> list[Path]:
    """The files of one workbook: the workbook, its companion (raw_data "separate"), its PDF."""
    paths = [out]
    if raw_data == "separate":
        paths.append(companion_of(out))
    if pdf:
        paths.append(out.with_suffix(".pdf"))
    return paths


def check_output_name(output: Path, option: str = "--output") -> None:
    if output.suffix.lower() != ".xlsx":
        raise OptionError(f"the workbook's name must end in .xlsx (got {output.name})", option)


@dataclass(frozen=True)
class Plan:
    """What a generate run is to do, every option checked (plan_run)."""

    template: Template
    units: list[str]  # the units a workbook is written for, in tree order
    output: Path | None  # -o; None: each workbook's default name
    folder: Path | None  # out_dir, for each's workbooks
    month: str | None  # YYYY-MM; None: the export's latest
    raw_data: RawData
    pdf: bool
    each: bool  # one workbook per unit of the levels given (named after the unit, the county's too)


@dataclass(frozen=True)
class _Book:
    """One workbook of a run, laid out."""

    unit: str
    out: Path
    layout: WorkbookLayout
    companion: WorkbookLayout | None  # the raw-data tables (raw_data "separate")
    source: dict[str, str]


def plan_run(template: str | Path | Template = "kent_scs", output: str | Path | None = None, *,
             month: str | None = None, raw_data: RawData = "include", pdf: bool = False, unit: str | None = None,
             each: list[str] | str | None = None, out_dir: str | Path | None = None) -> Plan:
    """Every option of a run, checked once: OptionError (a ValueError naming the command line's
    option) for the first that cannot be used. The command line calls it before anything else."""
    tmpl = _template(template)
    if raw_data not in ("include", "separate"):
        raise OptionError(f"raw_data must be 'include' or 'separate', not {raw_data!r}", "--raw-data")
    if month is not None:
        try:
            reporting_month_text(month)
        except ValueError as exc:
            raise OptionError(str(exc), "--month") from None
    if isinstance(each, str):  # each="Area": one level, as the command line's --each Area
        each = [each]
    if each and output is not None:
        raise OptionError("--each writes one workbook per unit, named after the unit: give a folder with --out-dir "
                          "instead", "--output")
    if out_dir is not None and not each:
        raise OptionError("--out-dir is for the workbooks of --each; use -o for one workbook", "--out-dir")
    if output is not None:
        output = Path(output)
        check_output_name(output)
    try:
        units = tmpl.choose_units(unit, each) if (unit is not None or each) else [tmpl.organisation_tree.name]
    except ValueError as exc:  # a bad level is --each's; otherwise the unit's (even "", which is no unit)
        raise OptionError(str(exc), "--each" if "level" in str(exc) else "--unit") from None
    return Plan(tmpl, units, output, Path(out_dir) if out_dir is not None else None, month, raw_data, pdf,
                bool(each))


def generate(input_path: str | Path, output: str | Path | None = None, *, template: str | Path | Template = "kent_scs",
             month: str | None = None, raw_data: RawData = "include", produced: dt.date | None = None,
             pdf: bool = False, unit: str | None = None, each: list[str] | str | None = None,
             out_dir: str | Path | None = None, workers: int | None = None, stages: Stages | None = None) -> Generated:
    """Read and check the export, calculate every figure and write the scorecard workbook(s).

    output: the workbook (.xlsx); default scorecard-YYYY-MM.xlsx (a unit's: scorecard-YYYY-MM-unit.xlsx).
    month: the reporting month as YYYY-MM; default the latest in the export.
    raw_data: "separate" writes Results, SPC, Activity Data and Indicator Data to a companion
        OUT-data.xlsx, keeping the workbook small enough to email.
    produced: the date shown as produced; default SOURCE_DATE_EPOCH if set, else today.
    pdf: also print the presentation sheets to OUT.pdf (needs LibreOffice).
    unit: write that unit's own workbook instead of the county's (any unit of the template).
    each: write one workbook per unit of these levels (e.g. "Area", ["Area", "Team"] or "all"),
        into out_dir (default the current folder), each with its default name. All the files of
        the run are put in place together, or none; the export is read and calculated once.
    workers: processes writing several workbooks at once (default: one per CPU on Linux, where
        they can start as copies of this one; one elsewhere).

    Raises InputError (bad input), TemplateError, WriteError (a file that cannot be
    written: nothing is then changed), PdfError, or ValueError (OptionError: a bad argument).
    """
    plan = plan_run(template, output, month=month, raw_data=raw_data, pdf=pdf, unit=unit, each=each, out_dir=out_dir)
    return run(plan, input_path, produced=produced, workers=workers, stages=stages)


def run(plan: Plan, input_path: str | Path, *, produced: dt.date | None = None, workers: int | None = None,
        stages: Stages | None = None) -> Generated:
    """generate, for a checked plan (plan_run)."""
    input_path = Path(input_path)
    tmpl, units, output, folder, month, raw_data, pdf = (plan.template, plan.units, plan.output, plan.folder,
                                                         plan.month, plan.raw_data, plan.pdf)
    soffice = None
    if pdf:
        from .delivery.pdf import find_soffice

        soffice = find_soffice()
    root = tmpl.organisation_tree.name

    def files_for(when: dt.date) -> dict[str, Path]:
        """Each unit's workbook, by its name (default names carry the reporting month)."""
        outputs = {}
        for name in units:
            default = default_output(when, None if name == root and not plan.each else name)
            outputs[name] = output or (folder / default if folder is not None else default)
        return outputs

    def check_files(when: dt.date | None) -> None:
        """Say now, not after the work, that a file cannot be written: every target is checked (its
        folder takes a new file; an existing one is not open in Excel, read-only or locked)."""
        outputs = {"": output} if when is None else files_for(when)
        for path in (p for out in outputs.values() for p in output_paths(out, raw_data, pdf)):
            if path.resolve() == input_path.resolve():
                raise InputError([Problem("error", f"the output {path.name} would replace the export being read; "
                                                   "choose another name with -o")])
            check_replaceable(path)

    # Before any reading: the files' names are known when -o or --month gives them; else they are
    # checked as soon as the export says its latest month, before calculating.
    known_month = dt.date.fromisoformat(f"{month}-01") if month is not None else None
    if output is not None or known_month is not None:
        check_files(known_month if output is None else None)
    else:
        check_folder(folder if folder is not None else Path("."))
    stages = stages or Stages(enabled=False)
    export, scorecard = _calculate(input_path, tmpl, month, stages, units,
                                   None if output is not None or known_month is not None else check_files)
    outputs = files_for(scorecard.month)
    targets = [p for out in outputs.values() for p in output_paths(out, raw_data, pdf)]
    books: list[_Book] = []
    sha256 = hashlib.sha256(input_path.read_bytes()).hexdigest()  # once, however many workbooks
    with stages.stage("Laying out the sheets"):
        for name, out in outputs.items():
            source = _source(input_path, sha256, produced, companion_of(out))
            books.append(_Book(name, out, *_lay_out(scorecard, tmpl, export, source, raw_data, name), source))

    with FileSet(targets) as files:
        with stages.stage("Writing the workbook" + ("s" if len(books) > 1 else "")):
            jobs = [(book.layout, files.temporary(book.out)) for book in books]
            jobs += [(book.companion, files.temporary(companion_of(book.out))) for book in books
                     if book.companion is not None]
            render_all(jobs, workers)
        if pdf:
            from .delivery.pdf import print_pdfs
            from .workbook.layout.printing import printable_layout

            with stages.stage("Printing the PDF" + ("s" if len(books) > 1 else "")):
                print_pdfs([(printable_layout(book.layout, scorecard, tmpl, book.source, book.unit),
                             files.temporary(book.out.with_suffix(".pdf"))) for book in books], soffice)
    return Generated(
        month=scorecard.month, scorecard=scorecard, notes=_notes(),
        books=[Book(book.unit, book.out, companion_of(book.out) if book.companion is not None else None,
                    book.out.with_suffix(".pdf") if pdf else None, scorecard.views[book.unit].rag_counts,
                    book.layout.warnings, book.layout)
               for book in books])


def validate(input_path: str | Path, *, template: str | Path | Template = "kent_scs", month: str | None = None,
             stages: Stages | None = None) -> Checked:
    """Everything generate does but writing: the same errors (InputError) and the same warnings."""
    input_path = Path(input_path)
    tmpl = plan_run(template, month=month).template
    stages = stages or Stages(enabled=False)
    export, scorecard = _calculate(input_path, tmpl, month, stages)
    with stages.stage("Laying out the sheets"):
        sha256 = hashlib.sha256(input_path.read_bytes()).hexdigest()
        main, _ = _lay_out(scorecard, tmpl, export, _source(input_path, sha256, None, None), "include")
    return Checked(scorecard.month, dict(export.rows_read), main.warnings)


def _template(template: str | Path | Template) -> Template:
    return template if isinstance(template, Template) else load_template(template)


def _calculate(input_path: Path, template: Template, month: str | None, stages: Stages,
               units: list[str] | None = None, before_calculating=None) -> tuple[Export, Scorecard]:
    """Read, check and calculate; before_calculating(the reporting month), if given, runs first."""
    import pandas as pd

    from .engine.calculator import calculate, reporting_month
    from .reading.reader import check_export, read_sheets

    with stages.stage("Reading the export"):
        sheets = read_sheets(input_path)
    with stages.stage("Checking it against the template"):
        export = check_export(sheets, input_path, template)
    del sheets
    if month is not None:
        available = set(export.indicators["Month"]) | set(export.activity["Month"])
        if pd.Timestamp(reporting_month_text(month)) not in available:
            raise InputError([Problem("error", f"the export has no data for {month}; it covers "
                                               f"{min(available):%Y-%m} to {max(available):%Y-%m}")])
    if before_calculating is not None:
        before_calculating(reporting_month(export, month))
    with stages.stage("Calculating"):
        scorecard = calculate(export, template, month, units)
    return export, scorecard


def _source(input_path: Path, sha256: str, produced: dt.date | None, companion: Path | None) -> dict[str, str]:
    """What the Contents sheet says about the run."""
    return {"name": input_path.name, "sha256": sha256,
            "produced": (produced or produced_date()).isoformat(),
            "companion": companion.name if companion else ""}


def _lay_out(scorecard: Scorecard, template: Template, export: Export, source: dict[str, str], raw_data: str,
             unit: str | None = None):
    from .workbook.layout import workbook_layout

    return workbook_layout(scorecard, template, export, source, raw_data, unit)


def render_all(jobs: list[tuple[WorkbookLayout, Path]], workers: int | None = None) -> None:
    """Write each layout to its path; several workbooks at once in processes forked from this one
    (parallel.py: Linux only, elsewhere one after another)."""
    from .parallel import forked_map

    for _ in forked_map(_render_job, jobs, workers):
        pass  # an exception in a worker is raised here, and the pool is stopped


def _render_job(job: tuple[WorkbookLayout, Path]) -> None:
    from .workbook.writer import render

    render(*job)


def _notes() -> list[str]:
    """About the run, not the data: a slower way the writer had to take (workbook/hooks.py)."""
    from .workbook.xlsx.hooks import fallback_note

    note = fallback_note()
    return [note] if note else []


def produced_date() -> dt.date:
    """SOURCE_DATE_EPOCH when set (reproducible builds), else today."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch and epoch.isdigit():
        return dt.datetime.fromtimestamp(int(epoch), dt.timezone.utc).date()
    return dt.date.today()

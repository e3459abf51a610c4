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
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from .engine.template import Template, load_template
from .files import FileSet, check_replaceable
from .model import InputError, Problem, Scorecard, problem_count
from .months import reporting_month_text
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
class Generated:
    """What `generate` wrote."""

    month: pd.Timestamp
    workbook: Path
    companion: Path | None
    pdf: Path | None
    warnings: list[Problem]
    scorecard: Scorecard
    layout: WorkbookLayout  # the main workbook's
    notes: list[str] = field(default_factory=list)  # about the run, not the data (e.g. a slower path taken)

    @property
    def paths(self) -> list[Path]:
        """Every file written: the workbook, then its companion and PDF if any."""
        return [p for p in (self.workbook, self.companion, self.pdf) if p is not None]

    @property
    def rag_counts(self) -> dict[str, int]:
        return self.scorecard.rag_counts

    def summary(self) -> str:
        counts = self.rag_counts
        return (f"{self.month:%b %Y}: {counts['G']} Green, {counts['A']} Amber, {counts['R']} Red; "
                f"wrote {', '.join(str(p) for p in self.paths)}; {problem_count(self.warnings):,} warning(s)")

    def __repr__(self) -> str:
        return f"<Generated {self.summary()}>"

    def _repr_html_(self) -> str:  # shown by Jupyter
        items = "".join(f"<li>{html.escape(str(p))}</li>" for p in self.paths)
        warnings = "".join(f"<li>{html.escape(str(w))}</li>" for w in self.warnings[:20])
        more = f"<li>... and {len(self.warnings) - 20} more</li>" if len(self.warnings) > 20 else ""
        counts = self.rag_counts
        return (f"<p><b>{self.month:%B %Y}</b>: {counts['G']} Green, {counts['A']} Amber, {counts['R']} Red</p>"
                f"<p>Wrote:</p><ul>{items}</ul><p>{problem_count(self.warnings):,} warning(s)</p>"
                f"<ul>{warnings}{more}</ul>")


def default_output(month: pd.Timestamp) -> Path:
    return Path(f"scorecard-{month:%Y-%m}.xlsx")


def companion_of(out: Path) -> Path:
    return out.with_name(f"{out.stem}-data{out.suffix}")


def output_paths(out: Path, raw_data: RawData = "include", pdf: bool = False) -> list[Path]:
    """The files of one run: the workbook, its companion (raw_data "separate"), its PDF."""
    paths = [out]
    if raw_data == "separate":
        paths.append(companion_of(out))
    if pdf:
        paths.append(out.with_suffix(".pdf"))
    return paths


def check_output_name(output: Path) -> None:
    if output.suffix.lower() != ".xlsx":
        raise ValueError(f"the workbook's name must end in .xlsx (got {output.name})")


def generate(input_path: str | Path, output: str | Path | None = None, *, template: str | Path | Template = "kent_scs",
             month: str | None = None, raw_data: RawData = "include", produced: dt.date | None = None,
             pdf: bool = False, stages: Stages | None = None) -> Generated:
    """Read and check the export, calculate every figure and write the scorecard workbook.

    output: the workbook (.xlsx); default scorecard-YYYY-MM.xlsx in the current folder.
    month: the reporting month as YYYY-MM; default the latest in the export.
    raw_data: "separate" writes Results, Activity Data and Indicator Data to a companion
        OUT-data.xlsx, keeping the workbook small enough to email.
    produced: the date shown as produced; default SOURCE_DATE_EPOCH if set, else today.
    pdf: also print the presentation sheets to OUT.pdf (needs LibreOffice).

    Raises InputError (bad input), TemplateError, WriteError (a file that cannot be
    written: nothing is then changed), PdfError, or ValueError (a bad argument).
    """
    input_path = Path(input_path)
    tmpl = _template(template)
    _check_options(raw_data, month)
    soffice = None
    if pdf:
        from .delivery.pdf import find_soffice

        soffice = find_soffice()
    if output is not None:  # say now, not after the work, that a file cannot be replaced
        output = Path(output)
        check_output_name(output)
        for path in output_paths(output, raw_data, pdf):
            check_replaceable(path)
    stages = stages or Stages(enabled=False)
    export, scorecard = _calculate(input_path, tmpl, month, stages)

    out = output or default_output(scorecard.month)
    targets = output_paths(out, raw_data, pdf)
    for path in targets:
        if path.resolve() == input_path.resolve():
            raise InputError([Problem("error", f"the output {path.name} would replace the export being read; "
                                               "choose another name with -o")])
    with stages.stage("Laying out the sheets"):
        source = _source(input_path, produced, companion_of(out))
        main, extra = _lay_out(scorecard, tmpl, export, source, raw_data)

    from .workbook.writer import render

    with FileSet(targets) as files:
        with stages.stage("Writing the workbook"):
            render(main, files.temporary(out))
            if extra is not None:
                render(extra, files.temporary(targets[1]))
        if pdf:
            from .delivery.pdf import print_pdf
            from .workbook.layout.printing import printable_layout

            with stages.stage("Printing the PDF"):
                print_pdf(printable_layout(main, scorecard, tmpl, source), files.temporary(targets[-1]), soffice)
    return Generated(
        month=scorecard.month, workbook=out, companion=targets[1] if extra is not None else None,
        pdf=targets[-1] if pdf else None, warnings=main.warnings, scorecard=scorecard, layout=main,
        notes=_notes())


def validate(input_path: str | Path, *, template: str | Path | Template = "kent_scs", month: str | None = None,
             stages: Stages | None = None) -> Checked:
    """Everything generate does but writing: the same errors (InputError) and the same warnings."""
    input_path = Path(input_path)
    tmpl = _template(template)
    _check_options("include", month)
    stages = stages or Stages(enabled=False)
    export, scorecard = _calculate(input_path, tmpl, month, stages)
    with stages.stage("Laying out the sheets"):
        main, _ = _lay_out(scorecard, tmpl, export, _source(input_path, None, None), "include")
    return Checked(scorecard.month, dict(export.rows_read), main.warnings)


def _template(template: str | Path | Template) -> Template:
    return template if isinstance(template, Template) else load_template(template)


def _check_options(raw_data: str, month: str | None) -> None:
    if raw_data not in ("include", "separate"):
        raise ValueError(f"raw_data must be 'include' or 'separate', not {raw_data!r}")
    if month is not None:
        reporting_month_text(month)  # ValueError unless YYYY-MM


def _calculate(input_path: Path, template: Template, month: str | None, stages: Stages) -> tuple[Export, Scorecard]:
    import pandas as pd

    from .engine.calculator import calculate
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
    with stages.stage("Calculating"):
        scorecard = calculate(export, template, month)
    return export, scorecard


def _source(input_path: Path, produced: dt.date | None, companion: Path | None) -> dict[str, str]:
    """What the Contents sheet says about the run."""
    return {"name": input_path.name, "sha256": hashlib.sha256(input_path.read_bytes()).hexdigest(),
            "produced": (produced or produced_date()).isoformat(),
            "companion": companion.name if companion else ""}


def _lay_out(scorecard: Scorecard, template: Template, export: Export, source: dict[str, str], raw_data: str):
    from .workbook.layout import workbook_layout

    return workbook_layout(scorecard, template, export, source, raw_data)


def _notes() -> list[str]:
    """About the run, not the data: a slower way the writer had to take (workbook/hooks.py)."""
    from .workbook.hooks import fallback_note

    note = fallback_note()
    return [note] if note else []


def produced_date() -> dt.date:
    """SOURCE_DATE_EPOCH when set (reproducible builds), else today."""
    import os

    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch and epoch.isdigit():
        return dt.datetime.fromtimestamp(int(epoch), dt.timezone.utc).date()
    return dt.date.today()

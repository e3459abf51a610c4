"""The command line: validate paths and options, then delegate to plain functions.

Heavy libraries (pandas, XlsxWriter) are imported inside the commands so that
`scorecard-xl --help` answers at once.
"""

from __future__ import annotations

import re
import sys
from datetime import datetime
from enum import Enum
from pathlib import Path
from typing import Annotated, Optional

import typer

app = typer.Typer(
    add_completion=False,
    pretty_exceptions_enable=False,
    no_args_is_help=True,
    help="Turn a month's case-management export into the performance scorecard workbook.",
)

InputPath = Annotated[Path, typer.Argument(
    exists=True, dir_okay=False, readable=True, help="The month's export (.xlsx, .xlsm or .ods).")]
TemplateOption = Annotated[str, typer.Option(
    "--template", "-t", help="A bundled template's name or the path to a template YAML file.")]


def _month_option(value: Optional[str]) -> Optional[str]:
    if value is not None and not re.fullmatch(r"\d{4}-(0[1-9]|1[0-2])", value):
        raise typer.BadParameter("expected YYYY-MM, for example 2016-08")
    return value


MonthOption = Annotated[Optional[str], typer.Option(
    "--month", callback=_month_option, help="Reporting month as YYYY-MM (default: the latest in the export).")]


class RawData(str, Enum):
    include = "include"
    separate = "separate"


def _err(message: str) -> None:
    typer.echo(message, err=True)


def _load(input_path: Path, template_name: str, consequence: str = ""):
    """Template and export, or exit 1 with every problem listed."""
    from .problems import InputError
    from .reader import read_export
    from .template import TemplateError, load_template

    try:
        template = load_template(template_name)
    except TemplateError as exc:
        _err(f"error: {exc}")
        raise typer.Exit(1)
    try:
        export = read_export(input_path, template)
    except InputError as exc:
        for problem in exc.problems:
            _err(str(problem))
        _err(f"{input_path.name}: {len(exc.errors)} error(s){consequence}.")
        raise typer.Exit(1)
    return template, export


@app.command()
def validate(input_path: InputPath, template: TemplateOption = "kent_scs") -> None:
    """Read and check an export; list every problem with its sheet, row and column."""
    _, export = _load(input_path, template)
    for problem in export.warnings:
        _err(str(problem))
    counts = ", ".join(f"{sheet} {n:,} rows" for sheet, n in export.rows_read.items())
    typer.echo(f"{input_path.name}: no errors, {len(export.warnings)} warning(s); read {counts}.")


@app.command()
def generate(
    input_path: InputPath,
    output: Annotated[Optional[Path], typer.Option(
        "--output", "-o", dir_okay=False, help="The workbook to write (default: scorecard-YYYY-MM.xlsx).")] = None,
    month: MonthOption = None,
    template: TemplateOption = "kent_scs",
    raw_data: Annotated[RawData, typer.Option(
        "--raw-data", help="include: raw tables in the workbook; separate: Results, Activity Data and "
        "Indicator Data in a companion OUT-data.xlsx, keeping the emailed workbook small.")] = RawData.include,
    produced: Annotated[Optional[datetime], typer.Option(
        "--produced", formats=["%Y-%m-%d"],
        help="The date produced shown on Contents (default: SOURCE_DATE_EPOCH if set, else today).")] = None,
) -> None:
    """Calculate every figure and write the scorecard workbook."""
    import hashlib

    from .calculator import calculate
    from .layout import produced_date, workbook_layout
    from .writer import write_workbook

    if output is not None and not output.parent.exists():
        _err(f"error: the folder {output.parent} does not exist.")
        raise typer.Exit(1)
    tmpl, export = _load(input_path, template, "; no workbook was written")
    available = set(export.indicators["Month"]) | set(export.activity["Month"])
    if month is not None:
        import pandas as pd

        if pd.Timestamp(f"{month}-01") not in available:
            _err(f"error: the export has no data for {month}; it covers "
                 f"{min(available):%Y-%m} to {max(available):%Y-%m}.")
            raise typer.Exit(1)
    scorecard = calculate(export, tmpl, month)
    for problem in scorecard.warnings:
        _err(str(problem))
    out = output or Path(f"scorecard-{scorecard.month:%Y-%m}.xlsx")
    try:
        companion_path = out.with_name(f"{out.stem}-data{out.suffix}")
        source = {"name": input_path.name, "sha256": hashlib.sha256(input_path.read_bytes()).hexdigest(),
                  "produced": produced.date().isoformat() if produced else produced_date().isoformat(),
                  "companion": companion_path.name}
        main, companion = workbook_layout(scorecard, tmpl, export, source, raw_data.value)
        if companion is not None:
            write_workbook(companion, companion_path)
        write_workbook(main, out)
    except OSError as exc:
        _err(f"error: cannot write {out}: {exc.strerror or exc}. Is it open in another program?")
        raise typer.Exit(1)
    counts = scorecard.rag_counts
    typer.echo(f"Wrote {out} for {scorecard.month:%b %Y}: "
               f"{counts['G']} Green, {counts['A']} Amber, {counts['R']} Red.")


@app.command("templates")
def list_templates() -> None:
    """List the bundled templates."""
    from .template import available_templates

    for name in available_templates():
        typer.echo(name)


def main() -> None:  # pragma: no cover - the console script
    """Run the app; an unexpected failure is reported in one line, not a traceback."""
    import os

    try:
        app(prog_name="scorecard-xl")
    except KeyboardInterrupt:
        _err("interrupted; no workbook was written.")
        sys.exit(130)
    except Exception as exc:  # a bug, not bad input: say so plainly
        if os.environ.get("SCORECARD_XL_DEBUG"):
            raise
        _err(f"internal error: {type(exc).__name__}: {exc}. Nothing was written. "
             "Set SCORECARD_XL_DEBUG=1 to see the details, and please report it.")
        sys.exit(1)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())

"""generate, as a plain function: read, check, calculate, lay out, write.

The CLI validates its options and delegates here; the benchmark times the same stages.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from .engine.calculator import Scorecard, calculate
from .engine.template import Template
from .model import InputError, Problem
from .progress import Stages
from .reading.reader import check_export, read_sheets
from .workbook.layout import WorkbookLayout, workbook_layout
from .workbook.writer import write_workbooks


@dataclass
class Generated:
    scorecard: Scorecard
    layout: WorkbookLayout  # the main workbook's
    paths: list[Path]  # the workbook, then the companion if any
    warnings: list[Problem]


def default_output(month: pd.Timestamp) -> Path:
    return Path(f"scorecard-{month:%Y-%m}.xlsx")


def generate_workbook(input_path: Path, template: Template, output: Path | None = None, month: str | None = None,
                      raw_data: str = "include", produced: dt.date | None = None,
                      stages: Stages | None = None) -> Generated:
    """Write the scorecard workbook (and its companion); raise InputError on bad input.

    Nothing is written unless every stage succeeds.
    """
    stages = stages or Stages(enabled=False)
    with stages.stage("Reading the export"):
        sheets = read_sheets(input_path)
    with stages.stage("Checking it against the template"):
        export = check_export(sheets, input_path, template)
    if month is not None:
        available = set(export.indicators["Month"]) | set(export.activity["Month"])
        if pd.Timestamp(f"{month}-01") not in available:
            raise InputError([Problem("error", f"the export has no data for {month}; it covers "
                                               f"{min(available):%Y-%m} to {max(available):%Y-%m}")])
    with stages.stage("Calculating"):
        scorecard = calculate(export, template, month)

    out = output or default_output(scorecard.month)
    companion = out.with_name(f"{out.stem}-data{out.suffix}")
    for path in (out, companion) if raw_data == "separate" else (out,):
        if path.resolve() == input_path.resolve():
            raise InputError([Problem("error", f"the output {path.name} would replace the export being read; "
                                               "choose another name with -o")])
    with stages.stage("Laying out the sheets"):
        source = {"name": input_path.name, "sha256": hashlib.sha256(input_path.read_bytes()).hexdigest(),
                  "produced": (produced or produced_date()).isoformat(), "companion": companion.name}
        main, extra = workbook_layout(scorecard, template, export, source, raw_data)
    with stages.stage("Writing the workbook"):
        books = [(main, out)] + ([(extra, companion)] if extra is not None else [])
        paths = write_workbooks(books)
    return Generated(scorecard, main, paths, main.warnings)


def produced_date() -> dt.date:
    """SOURCE_DATE_EPOCH when set (reproducible builds), else today."""
    import os

    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch and epoch.isdigit():
        return dt.datetime.fromtimestamp(int(epoch), dt.timezone.utc).date()
    return dt.date.today()

"""A PDF of the scorecard's presentation sheets, printed by LibreOffice (headless).

The PDF holds the sheets a manager reads, as the layout marks them (layout/printing.py
builds that workbook: the cover, the activity table, the scorecard, the impact of UASC
and the exception reports, with the sheets their charts read from kept hidden). Its
print setup does the rest: A4 landscape at a scale that keeps type at 8 pt or more,
each sheet starting on a new page, each exception report on its own.

`print_pdf` writes the PDF to the path it is given; `generate` gives it a temporary file
of its set (files.FileSet), so the PDF, the workbook and its companion are put in place
together or not at all. LibreOffice itself is found and run by soffice.py.
"""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

from ..workbook.layout.model import WorkbookLayout
from . import soffice as libreoffice
from .soffice import SofficeError, convert

TIMEOUT_SECONDS = 300
PER_EXTRA_BOOK_SECONDS = 30  # a run printing several workbooks may take longer

__all__ = ["PdfError", "find_soffice", "print_pdf", "print_pdfs"]


class PdfError(Exception):
    """LibreOffice is missing or could not print the workbook; the message says what to do."""


def find_soffice() -> str:
    """The LibreOffice program (soffice.py), or PdfError saying how to get it."""
    try:
        return libreoffice.find_soffice()
    except SofficeError as exc:
        raise PdfError(str(exc)) from None


def print_pdf(layout: WorkbookLayout, into: Path, soffice: str | None = None,
              timeout: float = TIMEOUT_SECONDS) -> Path:
    """Print `layout` (the printable workbook: layout/printing.py) to the file `into`. Raises PdfError."""
    return print_pdfs([(layout, Path(into))], soffice, timeout)[0]


def print_pdfs(books: list[tuple[WorkbookLayout, Path]], soffice: str | None = None,
               timeout: float = TIMEOUT_SECONDS) -> list[Path]:
    """Print each printable workbook to its file, with one LibreOffice run for them all. Raises PdfError."""
    from ..workbook.writer import render

    soffice = soffice or find_soffice()
    with tempfile.TemporaryDirectory(prefix="scorecard-xl-pdf-") as tmp:
        work = Path(tmp)
        workbooks = []
        for k, (layout, _) in enumerate(books, start=1):
            workbooks.append(work / f"scorecard-{k}.xlsx")
            render(layout, workbooks[-1])
        (work / "pdf").mkdir()
        detail = ""
        # LibreOffice now and then fails to set up a new profile on its first start: one more try.
        for attempt in range(2):
            try:
                produced = convert(soffice, workbooks, work / "pdf", "pdf", work / f"profile-{attempt}",
                                   timeout + PER_EXTRA_BOOK_SECONDS * (len(books) - 1))
            except SofficeError as exc:
                detail = str(exc)
                if "did not finish" in detail or "cannot start" in detail:
                    raise PdfError(detail) from None
                continue
            for pdf, (_, into) in zip(produced, books, strict=False):
                shutil.copyfile(pdf, into)
            return [into for _, into in books]
    raise PdfError(f"LibreOffice could not print the workbook to PDF ({detail})")

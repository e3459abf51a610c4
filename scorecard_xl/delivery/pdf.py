"""A PDF of the scorecard's presentation sheets, printed by LibreOffice (headless).

The PDF holds Contents (the cover: month, source file and its SHA-256, RAG counts) and
the sheets a manager reads: SCS Activity, the scorecard, Impact of UASC and Exceptions.
A temporary copy of the workbook is written with only those sheets; the sheets their
charts and sparklines take data from (Trends) stay in it, hidden, so the charts are
drawn but not printed. The workbook's own print setup does the rest: A4 landscape, one
page wide, each sheet starting on a new page, each exception report on its own page.

LibreOffice runs with a private profile folder (so a LibreOffice already open on the
machine does not interfere, and the user's settings do not change the output) and a
time limit; the PDF is written to a temporary name beside the workbook and renamed into
place, so an interrupted run never leaves half a PDF.
"""

from __future__ import annotations

import dataclasses
import os
import re
import shutil
import signal
import subprocess
import tempfile
from pathlib import Path

from ..engine.template import Template
from ..files import replacing
from ..workbook.layout.model import WorkbookLayout

INSTALL_HINT = ("install LibreOffice: on Debian or Ubuntu `apt-get install libreoffice-calc-nogui`, "
                "elsewhere from https://www.libreoffice.org")
TIMEOUT_SECONDS = 300
_SHEET_REF = re.compile(r"'((?:[^']|'')+)'!")


class PdfError(Exception):
    """LibreOffice is missing or could not print the workbook; the message says what to do."""


def find_soffice() -> str:
    """The LibreOffice program on PATH, or PdfError saying how to install it."""
    for name in ("soffice", "libreoffice"):
        found = shutil.which(name)
        if found:
            return found
    raise PdfError(f"--pdf needs LibreOffice, and soffice is not on PATH; {INSTALL_HINT}")


def presentation_names(template: Template) -> list[str]:
    return ["Contents", "SCS Activity", template.scorecard_sheet, "Impact of UASC", "Exceptions"]


def presentation_layout(layout: WorkbookLayout, template: Template) -> WorkbookLayout:
    """The workbook with only the presentation sheets shown; the sheets their charts and
    sparklines read from are kept, hidden."""
    shown = set(presentation_names(template))
    needed: set[str] = set()
    for sheet in layout.sheets:
        if sheet.name in shown:
            refs = [s.data_range for s in sheet.sparklines]
            refs += [r for c in sheet.charts for s in c.series for r in (s.categories, s.values)]
            needed |= {m.replace("''", "'") for ref in refs for m in _SHEET_REF.findall(ref)}
    sheets = []
    for sheet in layout.sheets:
        if sheet.name in shown:
            sheets.append(sheet)
        elif sheet.name in needed:
            sheets.append(dataclasses.replace(sheet, hidden=True))
    return dataclasses.replace(layout, sheets=sheets)


def write_pdf(layout: WorkbookLayout, template: Template, pdf_path: Path, soffice: str | None = None,
              timeout: float = TIMEOUT_SECONDS) -> Path:
    """Print the presentation sheets of `layout` to `pdf_path`. Raises PdfError."""
    from ..workbook.writer import write_workbook

    soffice = soffice or find_soffice()
    pdf_path = Path(pdf_path)
    with tempfile.TemporaryDirectory(prefix="scorecard-xl-pdf-") as tmp:
        work = Path(tmp)
        workbook = work / f"{pdf_path.stem}.xlsx"
        write_workbook(presentation_layout(layout, template), workbook)
        produced = _convert(soffice, workbook, work, timeout)
        _move_into_place(produced, pdf_path)
    return pdf_path


def _convert(soffice: str, workbook: Path, work: Path, timeout: float) -> Path:
    out_dir = work / "pdf"
    out_dir.mkdir()
    expected = out_dir / f"{workbook.stem}.pdf"
    detail = ""
    # LibreOffice now and then fails to set up a new profile on its first start: one more try.
    for attempt in range(2):
        profile = work / f"profile-{attempt}"
        args = [soffice, f"-env:UserInstallation={profile.as_uri()}", "--headless", "--norestore",
                "--nolockcheck", "--convert-to", "pdf", "--outdir", str(out_dir), str(workbook)]
        try:
            proc = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, stdin=subprocess.DEVNULL,
                                    start_new_session=True)
        except OSError as exc:
            raise PdfError(f"cannot start LibreOffice ({soffice}): {exc.strerror or exc}; {INSTALL_HINT}") from None
        try:
            stdout, stderr = proc.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            _kill_group(proc)
            raise PdfError(f"LibreOffice did not finish printing the PDF within {timeout:g} s; it was stopped. "
                           "Is the machine short of memory? The workbook itself was written.") from None
        if proc.returncode == 0 and expected.is_file() and expected.stat().st_size > 0:
            return expected
        lines = [ln.strip() for ln in (stderr + stdout).decode("utf-8", "replace").splitlines()
                 if ln.strip() and "javaldx" not in ln]
        detail = f"exit code {proc.returncode}" + (f": {lines[-1]}" if lines else "")
    raise PdfError(f"LibreOffice could not print the workbook to PDF ({detail}). The workbook itself was written.")


def _kill_group(proc: subprocess.Popen) -> None:
    """Stop soffice and the soffice.bin it starts (their own process group)."""
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass
    proc.communicate()


def _move_into_place(produced: Path, target: Path) -> None:
    try:
        with replacing(target) as (tmp,):
            shutil.copyfile(produced, tmp)
    except OSError as exc:
        hint = " Is it open in another program?" if isinstance(exc, PermissionError) else ""
        raise PdfError(f"cannot write {target}: {exc.strerror or exc}.{hint}") from None

"""`generate --pdf`: the presentation sheets printed by LibreOffice, each from a new page.

The PDF is read back with pdftotext, page by page: each presentation sheet's title (its
A1, read from the workbook with openpyxl) is the first text of a page, in the workbook's
order; every page's footer names one of those sheets (so no raw data sheet is printed);
and the scorecard's first and last column headings share a page (one page wide).

Needs `soffice` (apt-get install libreoffice-calc-nogui) and `pdftotext` (poppler-utils);
.ci/run installs both. Without LibreOffice the command must say how to install it.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))

from workbook_fixtures import (  # noqa: E402
    PRODUCED,
    SCORECARD_SHEET,
    load_workbook,
    mini_export,
)

__all__ = ["mini_export"]  # a fixture, imported so pytest finds it

SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")
PDFTOTEXT = shutil.which("pdftotext")
UNIT_SCORECARDS = [f"Scorecard - {unit}" for unit in
                   ("North Kent", "East Kent", "South Kent", "West Kent", "Disability Service")]
PRESENTATION = ["Contents", "SCS Activity", "RAG Overview", SCORECARD_SHEET, *UNIT_SCORECARDS, "Impact of UASC",
                "Exceptions"]
LEFT_OUT = ["Results", "Definitions", "Activity Data", "Indicator Data", "Trends", "Data Quality"]

needs_libreoffice = pytest.mark.skipif(SOFFICE is None or PDFTOTEXT is None,
                                       reason="needs soffice (libreoffice-calc-nogui) and pdftotext (poppler-utils)")


def run(*args, cwd: Path, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    base = {k: v for k, v in os.environ.items() if k != "SOURCE_DATE_EPOCH"}
    base.update(env or {})
    return subprocess.run([sys.executable, "-m", "scorecard_xl.cli", *map(str, args)], cwd=cwd, env=base,
                          stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=600)


@pytest.fixture(scope="module")
def printed(mini_export, tmp_path_factory):
    """(workbook, pdf, pages as text, command output) from `generate --pdf` with raw data included."""
    folder = tmp_path_factory.mktemp("pdf")
    out = folder / "scorecard-2016-08.xlsx"
    proc = run("generate", mini_export, "-o", out, "--produced", PRODUCED, "--pdf", cwd=folder)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    pdf = out.with_suffix(".pdf")
    text = subprocess.run([PDFTOTEXT, "-layout", str(pdf), "-"], check=True, capture_output=True, text=True,
                          timeout=120).stdout
    pages = text.split("\f")
    if pages and not pages[-1].strip():
        pages.pop()
    return out, pdf, pages, proc


def _lines(page: str) -> list[str]:
    return [" ".join(line.split()) for line in page.splitlines() if line.strip()]


def _titles(workbook: Path) -> dict[str, str]:
    book = load_workbook(workbook, read_only=True)
    try:
        return {name: book[name]["A1"].value for name in PRESENTATION}
    finally:
        book.close()


@needs_libreoffice
def test_pdf_is_written_beside_the_workbook(printed):
    out, pdf, pages, proc = printed
    assert pdf.parent == out.parent and pdf.name == "scorecard-2016-08.pdf"
    assert pdf.read_bytes().startswith(b"%PDF-") and pdf.stat().st_size > 10_000
    assert str(pdf) in proc.stdout
    assert not [p.name for p in out.parent.iterdir() if p.name.startswith(".")], "a temporary file was left"


@needs_libreoffice
def test_each_presentation_sheet_starts_a_page(printed):
    out, _, pages, _ = printed
    titles = _titles(out)
    first_lines = [(_lines(p) or [""])[0] for p in pages]
    starts = []
    for name in PRESENTATION:
        found = [i for i, line in enumerate(first_lines) if line == " ".join(titles[name].split())]
        assert len(found) == 1, f"{name}: its title {titles[name]!r} starts {len(found)} pages; first lines: " \
                                f"{first_lines}"
        starts.append(found[0])
    assert starts == sorted(starts) and starts[0] == 0, \
        f"sheets out of order: {dict(zip(PRESENTATION, starts, strict=False))}"
    # Every page's footer names the sheet it belongs to: the sheet's pages run from its start to the next one's.
    bounds = [*starts, len(pages)]
    for k, name in enumerate(PRESENTATION):
        for i in range(bounds[k], bounds[k + 1]):
            footer = _lines(pages[i])[-1]
            assert footer.startswith(name) and "Page" in footer and "Aug 2016" in footer, (i, name, footer)


@needs_libreoffice
def test_only_presentation_sheets_are_printed(printed):
    _, _, pages, _ = printed
    footers = [_lines(p)[-1] for p in pages]
    for name in LEFT_OUT:
        assert not [f for f in footers if f.startswith(name)], f"{name} is printed"


@needs_libreoffice
def test_scorecard_prints_one_page_wide(printed):
    _, _, pages, _ = printed
    scorecard_pages = [p for p in pages if _lines(p)[-1].startswith(SCORECARD_SHEET)]
    assert scorecard_pages
    assert any("Polarity" in p and "Months" in p.split("Polarity", 1)[1].split("\n", 1)[0]
               for p in scorecard_pages), "the first and last column headings are not on one line of a page"


def test_without_libreoffice_says_how_to_install_it(mini_export, tmp_path):
    """No soffice on PATH nor in the usual install folders (emptied for this run): the command
    says how to install it and writes nothing."""
    empty = tmp_path / "bin"
    empty.mkdir()
    out = tmp_path / "scorecard.xlsx"
    code = ("import sys; import scorecard_xl.delivery.soffice as s; s.usual_places = lambda *a, **k: []; "
            "from scorecard_xl.cli import main; sys.exit(main(sys.argv[1:]))")
    env = {k: v for k, v in os.environ.items() if k != "SOFFICE"}
    env["PATH"] = str(empty)
    proc = subprocess.run([sys.executable, "-c", code, "generate", str(mini_export), "-o", str(out), "--pdf"],
                          cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert "Traceback" not in proc.stderr and "internal error" not in proc.stderr, proc.stderr
    assert "apt-get install libreoffice-calc-nogui" in proc.stderr, proc.stderr
    assert "SOFFICE" in proc.stderr and "Nothing was written" in proc.stderr
    assert not out.exists() and not out.with_suffix(".pdf").exists()


def test_soffice_setting_that_is_not_a_file_is_named(mini_export, tmp_path):
    out = tmp_path / "scorecard.xlsx"
    missing = tmp_path / "LibreOffice" / "program" / "soffice.exe"
    proc = run("generate", mini_export, "-o", out, "--pdf", cwd=tmp_path, env={"SOFFICE": str(missing)})
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert f"SOFFICE is set to {missing}, which is not a file" in proc.stderr, proc.stderr
    assert not out.exists()

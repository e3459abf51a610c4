"""Printing for committee: the sheets to print, as LibreOffice prints them to PDF.

The Kent workbook is laid out from the sample, with a commentary of about 15,000
characters given to the first Red indicator; cut down to the sheets to print
(layout.printing.printable_layout); written by the real writer; and printed once for the
module by LibreOffice (headless, private profile). The PDF is read back with pdfminer.six,
character by character:

- every character on every page is 8 pt or more: tables, titles, notes, charts and
  footers alike, nothing left out;
- every page is A4 landscape;
- the scorecard's sparkline column is not printed (LibreOffice draws sparklines as
  scattered dots): neither its heading nor any mark of a sparkline;
- the scorecard and Impact of UASC break between sections, and repeat their header;
- the printed Contents lists exactly the sheets in the PDF (each page's footer names its
  sheet), and names those it leaves out;
- the long commentary comes out whole: every word, in order (a row too short for its text
  would cut words off).

Needs `soffice` (apt-get install libreoffice-calc-nogui); .ci/run installs it.
"""

from __future__ import annotations

import random
import re
import shutil
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from pdfminer.converter import PDFPageAggregator
from pdfminer.layout import LAParams, LTChar, LTContainer, LTCurve, LTImage, LTTextLine
from pdfminer.pdfinterp import PDFPageInterpreter, PDFResourceManager
from pdfminer.pdfpage import PDFPage
from pdfminer.utils import apply_matrix_pt

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "samples" / "kent_liberi_export_2016-08.xlsx"
SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")
SMALLEST_PT = 8
A4_LANDSCAPE = (841.89, 595.28)  # points
FOOTER_TOP = 40  # the footer sits in the bottom margin (0.6 in = 43 pt), below this height
SPARKLINE_HEADING = "Last 13 Months"
LEFT_OUT = ["Definitions", "Trends", "Data Quality"]  # with the raw data in the companion workbook
NOTE = "Also in the workbook, not printed:"

pytestmark = [
    pytest.mark.skipif(SOFFICE is None, reason="LibreOffice (soffice) is not installed"),
    pytest.mark.skipif(not SAMPLE.exists(), reason="the sample export has not been built"),
]


def long_commentary(length: int = 15_000) -> tuple[str, list[str]]:
    """Three paragraphs of words, each word unique (a word and a number), about `length` characters."""
    vocabulary = ("placement stability review children social worker visit plan assessment referral "
                  "timescale performance improvement quarter team caseload permanence adoption").split()
    rng = random.Random(2016)
    words: list[str] = []
    while sum(len(w) + 1 for w in words) < length:
        words.append(f"{rng.choice(vocabulary)}{len(words):05d}")
    third = len(words) // 3
    paragraphs = [words[:third], words[third:2 * third], words[2 * third:]]
    return "\n".join(" ".join(p) for p in paragraphs), words


class _Interpreter(PDFPageInterpreter):
    """pdfminer's interpreter, keeping track of the clipping rectangle, which pdfminer ignores.

    Text cut off at a cell's edge is still in the PDF, outside the clip: it is not seen on
    paper, so only text inside the clip counts as printed.
    """

    def init_state(self, ctm):
        super().init_state(ctm)
        self.clip = None  # (x0, y0, x1, y1) on the page; None: nothing clipped

    def get_current_state(self):
        return (*super().get_current_state(), self.clip)

    def set_current_state(self, state):
        *rest, self.clip = state
        super().set_current_state(tuple(rest))

    def do_W(self):
        points = [apply_matrix_pt(self.ctm, seg[i:i + 2]) for seg in self.curpath for i in range(1, len(seg), 2)]
        if points:
            xs, ys = [x for x, _ in points], [y for _, y in points]
            box = (min(xs), min(ys), max(xs), max(ys))
            if self.clip is not None:
                box = (max(box[0], self.clip[0]), max(box[1], self.clip[1]),
                       min(box[2], self.clip[2]), min(box[3], self.clip[3]))
            self.clip = box

    do_W_a = do_W


class _Aggregator(PDFPageAggregator):
    """Notes on each character the clip it was drawn in."""

    interpreter: _Interpreter

    def render_char(self, *args, **kwargs):
        advance = super().render_char(*args, **kwargs)
        self.cur_item._objs[-1].clip = self.interpreter.clip
        return advance


def shown(ch: LTChar) -> bool:
    """Whether `ch` is inside the clip it was drawn in (half a point of grace)."""
    if ch.clip is None:
        return True
    x, y = (ch.x0 + ch.x1) / 2, (ch.y0 + ch.y1) / 2
    x0, y0, x1, y1 = ch.clip
    return x0 - 0.5 <= x <= x1 + 0.5 and y0 - 0.5 <= y <= y1 + 0.5


@dataclass
class Page:
    width: float
    height: float
    chars: list = field(default_factory=list)  # LTChar, with its clip
    lines: list = field(default_factory=list)  # LTTextLine
    graphics: list = field(default_factory=list)  # LTCurve (rectangles and lines too), LTImage

    @property
    def sheet(self) -> str:
        """The sheet the page belongs to: the left part of its footer."""
        footer = [c for c in self.chars if c.y1 < FOOTER_TOP and c.x0 < self.width / 3]
        return "".join(c.get_text() for c in sorted(footer, key=lambda c: c.x0)).strip()

    def body_lines(self) -> list:
        """Text lines above the footer, top first."""
        return sorted((ln for ln in self.lines if ln.y0 >= FOOTER_TOP), key=lambda ln: -ln.y1)

    def text(self) -> str:
        """The text printed above the footer: what is clipped away is left out."""
        return "\n".join("".join(c.get_text() for c in ln if not isinstance(c, LTChar) or shown(c))
                         for ln in self.body_lines())


def point_size(ch: LTChar) -> float:
    """A character's type size. pdfminer gives the height of the glyph's box, which for text
    turned a quarter turn (the activity table's headings) is its advance: there the size is
    the box's width."""
    a, b = ch.matrix[0], ch.matrix[1]
    return ch.width if abs(b) > abs(a) else ch.size


def read_pdf(path: Path) -> list[Page]:
    pages = []
    manager = PDFResourceManager()
    device = _Aggregator(manager, laparams=LAParams())
    device.interpreter = interpreter = _Interpreter(manager, device)
    with path.open("rb") as fh:
        for pdf_page in PDFPage.get_pages(fh):
            interpreter.process_page(pdf_page)
            layout = device.get_result()
            page = Page(layout.width, layout.height)
            stack = list(layout)
            while stack:
                item = stack.pop()
                if isinstance(item, LTChar):
                    page.chars.append(item)
                elif isinstance(item, (LTCurve, LTImage)):
                    page.graphics.append(item)
                if isinstance(item, LTTextLine):
                    page.lines.append(item)
                if isinstance(item, LTContainer):
                    stack.extend(item)
            pages.append(page)
    return pages


@pytest.fixture(scope="module")
def printable(tmp_path_factory):
    """(the printable layout of the Kent workbook, the workbook written from it, the long commentary's
    words, the template)."""
    from scorecard_xl.engine.calculator import calculate
    from scorecard_xl.engine.template import load_template
    from scorecard_xl.reading.reader import read_export
    from scorecard_xl.workbook.layout import workbook_layout
    from scorecard_xl.workbook.layout.printing import printable_layout
    from scorecard_xl.workbook.writer import write_workbook

    tmp = tmp_path_factory.mktemp("printing")
    template = load_template()
    export = read_export(SAMPLE, template)
    scorecard = calculate(export, template)
    text, words = long_commentary()
    scorecard.exceptions[0].commentary = text
    source = {"name": SAMPLE.name, "sha256": "0" * 64, "produced": "2016-11-10",
              "companion": "scorecard-data.xlsx"}
    main, _ = workbook_layout(scorecard, template, export, source, "separate")
    layout = printable_layout(main, scorecard, template, source)
    return layout, write_workbook(layout, tmp / "printable.xlsx"), words, template


@pytest.fixture(scope="module")
def printed(printable):
    """(pages, the long commentary's words, the template) for the printable Kent workbook."""
    _, workbook, words, template = printable
    tmp = workbook.parent
    profile = f"-env:UserInstallation={(tmp / 'lo-profile').as_uri()}"
    subprocess.run([SOFFICE, profile, "--headless", "--convert-to", "pdf", "--outdir", str(tmp), str(workbook)],
                   check=True, capture_output=True, timeout=300)
    return read_pdf(tmp / "printable.pdf"), words, template


def pages_of(pages: list[Page], sheet: str) -> list[Page]:
    found = [p for p in pages if p.sheet == sheet]
    assert found, f"no page of {sheet!r}; the pages' sheets: {[p.sheet for p in pages]}"
    return found


def test_every_character_is_8_pt_or_more(printed):
    pages, _, _ = printed
    small = []
    for number, page in enumerate(pages, 1):
        for ch in page.chars:
            if ch.get_text().strip() and point_size(ch) < SMALLEST_PT - 0.01:
                small.append(f"page {number} ({page.sheet}): {ch.get_text()!r} at {point_size(ch):.1f} pt")
    assert not small, f"{len(small)} characters under {SMALLEST_PT} pt, e.g. {small[:5]}"


def test_pages_are_a4_landscape(printed):
    pages, _, _ = printed
    sizes = {(round(p.width), round(p.height)) for p in pages}
    assert sizes == {tuple(round(v) for v in A4_LANDSCAPE)}, sizes


def test_each_printed_sheet_fits_its_pages(printed, printable):
    """The activity table takes a page, the cover (which lists six scorecards for Kent) two at most, each
    scorecard exactly the pages its layout placed breaks for (page.py), three at most, and no text runs
    past the right margin (each sheet prints one page wide).

    Three, not two as before SPC: the Variation and Assurance words (two lines in columns narrow enough
    for the page at 8 pt) make about half the rows two lines tall, and take width from the titles."""
    pages, _, template = printed
    layout = printable[0]
    scorecards = [template.scorecard_sheet_for(unit) for unit in template.scorecard_units]
    counts = {name: len(pages_of(pages, name)) for name in ("Contents", "SCS Activity", *scorecards)}
    assert counts["SCS Activity"] == 1 and counts["Contents"] <= 2, counts
    planned = {name: len(layout.sheet(name).page_breaks) + 1 for name in scorecards}
    assert all(counts[name] == planned[name] <= 3 for name in scorecards), (counts, planned)
    right_margin = A4_LANDSCAPE[0] - 0.4 * 72
    for page in pages:
        widest = max(c.x1 for c in page.chars if c.y0 >= FOOTER_TOP)
        assert widest <= right_margin + 1, f"{page.sheet}: text reaches {widest:.0f} pt, the margin is at " \
                                           f"{right_margin:.0f} pt"


def test_sparklines_are_not_printed(printed):
    pages, _, template = printed
    for page in (p for unit in template.scorecard_units for p in pages_of(pages, template.scorecard_sheet_for(unit))):
        assert SPARKLINE_HEADING not in " ".join(page.text().split()), "the sparkline column's heading is printed"
        # A sparkline prints as a polyline (a curve) or as dots; the table has rectangles and lines.
        marks = [g for g in page.graphics if type(g) is LTCurve or (g.width < 2 and g.height < 2)]
        where = [tuple(round(v) for v in m.bbox) for m in marks[:3]]
        assert not marks, f"{len(marks)} sparkline marks printed, e.g. at {where}"


@pytest.mark.parametrize("sheet, header", [("scorecard", "ID"), ("Impact of UASC", "Indicators")])
def test_pages_break_between_sections_under_the_header(printed, sheet, header):
    """Each page of the scorecard and Impact of UASC starts with the header row, then a
    section's heading: no section is split (each is shorter than a page)."""
    pages, _, template = printed
    name = template.scorecard_sheet_for(template.organisation_tree.name) if sheet == "scorecard" else sheet
    sections = ({s.title for s in template.sections} if sheet == "scorecard"
                else {s.title for s in template.uasc_impact.unit_sections} | {template.uasc_impact.other_title})
    sheet_pages = pages_of(pages, name)
    assert len(sheet_pages) > 1, "too few pages to check the breaks"
    for number, page in enumerate(sheet_pages[1:], 2):
        margin = min(ln.x0 for ln in page.body_lines())
        first_column = [ln.get_text().strip() for ln in page.body_lines() if ln.x0 < margin + 2]
        assert first_column[0].startswith(header), f"{name} page {number} starts {first_column[:2]}, not the header"
        assert first_column[1] in sections, f"{name} page {number}: after the header comes {first_column[1]!r}, " \
                                            "not a section's heading"


def test_printed_contents_lists_the_printed_sheets(printed):
    pages, _, _ = printed
    in_pdf = list(dict.fromkeys(p.sheet for p in pages))
    assert in_pdf[0] == "Contents", in_pdf
    cover = pages[0]
    lines = cover.body_lines()
    header = next(ln for ln in lines if ln.get_text().strip() == "Sheet")
    description = next(ln for ln in lines if ln.get_text().strip() == "What it holds")
    # The table ends at the note under it (or, without one, at the next heading).
    end = next(ln for ln in lines if ln.y1 < header.y0 and abs(ln.x0 - header.x0) < 2
               and (ln.get_text().startswith(NOTE) or ln.get_text().strip() == "Reading the scorecard"))
    rows: dict[int, list] = {}
    for c in cover.chars:  # the names: column A, between the table's header and its end
        if header.x0 - 1 <= c.x0 < description.x0 and end.y1 < c.y0 < header.y0:
            rows.setdefault(round(c.y0), []).append(c)
    listed = ["".join(c.get_text() for c in sorted(row, key=lambda c: c.x0)).strip()
              for _, row in sorted(rows.items(), reverse=True)]
    assert listed == in_pdf[1:], f"the cover lists {listed}; the PDF holds {in_pdf}"
    note = " ".join(end.get_text().split())
    assert note.startswith(NOTE), "the cover does not say which sheets are left out"
    for name in LEFT_OUT:
        assert name in note and name not in in_pdf, (name, note)


def test_long_commentary_is_printed_whole(printed):
    pages, words, _ = printed
    by_page = [re.findall(r"[a-z]+\d{5}", page.text()) for page in pages_of(pages, "Exceptions")]
    printed_words = [w for page in by_page for w in page]
    differ = next((i for i, (a, b) in enumerate(zip(words, printed_words, strict=False)) if a != b), None)
    assert printed_words == words, f"{len(words)} words written, {len(printed_words)} printed, first difference " \
                                   f"at word {differ}"
    assert sum(1 for page in by_page if page) > 1, "the long commentary did not flow onto a further page"


def test_spc_icons_print_beside_their_words(printed, printable):
    """Every SPC icon of a scorecard is printed (an image per non-empty Variation and Assurance cell),
    at a readable size, left of its words on the same line and over none of the text."""
    pages, _, template = printed
    layout = printable[0]
    for unit in template.scorecard_units:
        name = template.scorecard_sheet_for(unit)
        icons = [(page, g) for page in pages_of(pages, name) for g in page.graphics if isinstance(g, LTImage)]
        assert len(icons) == len(layout.sheet(name).images) > 0, (name, len(icons), len(layout.sheet(name).images))
        for page, icon in icons:
            assert 6 <= icon.width <= 14 and 6 <= icon.height <= 14, f"{name}: an icon {icon.width:.1f} pt wide"
            text = [c for c in page.chars if c.get_text().strip() and shown(c)]
            over = [c.get_text() for c in text if c.x0 < icon.x1 - 0.5 and c.x1 > icon.x0 + 0.5
                    and c.y0 < icon.y1 - 0.5 and c.y1 > icon.y0 + 0.5]
            assert not over, f"{name}: an icon at {icon.bbox} is printed over {''.join(over)!r}"
            beside = [c for c in text if 0 <= c.x0 - icon.x1 <= 12 and icon.y0 - 2 <= (c.y0 + c.y1) / 2 <= icon.y1 + 2]
            assert beside, f"{name}: no words beside the icon at {tuple(round(v) for v in icon.bbox)}"


def test_each_exception_report_starts_its_page_with_its_spc_chart(printed, printable):
    """Each exception report starts a page (below the sheet's heading on the first), with its SPC chart
    on that page; each is whole on its page but the one given the long commentary, which flows on."""
    pages, _, _ = printed
    sheet = printable[0].sheet("Exceptions")
    titles = [next(c.value for c in sheet.cells if c.row == row and c.col == 0)
              for row in sorted(sheet.anchors.values())]
    exceptions = pages_of(pages, "Exceptions")
    heading = [c.value for c in sheet.cells if c.row < 3 and c.col == 0]
    starts = []
    for title in titles:
        found = [i for i, page in enumerate(exceptions)
                 if [ln.get_text().strip() for ln in page.body_lines()
                     if ln.get_text().strip() not in heading][:1] == [title]]
        assert len(found) == 1, f"{title!r} starts {len(found)} pages"
        starts.append(found[0])
        text = " ".join(exceptions[found[0]].text().split())
        charts = re.findall(r"SPC: each month's value, \d+ months to", text)
        assert len(charts) == 1, f"{title!r}: its SPC chart is not on its first page"
    assert starts == sorted(starts)
    for k, start in enumerate(starts[1:], 1):
        assert "Data Source:" in exceptions[start].text(), f"{titles[k]!r} does not end on its page"

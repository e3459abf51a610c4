"""SPC where managers read it: the scorecard sheets' Variation and Assurance columns and icons, the
exception reports' SPC charts, the Contents summary and notes, and the email.

Each is read back from a generated workbook as a user's program would see it: the cells with
openpyxl, the pictures and charts from the xlsx package's own XML (drawing anchors, alt text, the
PNGs read with Pillow, chart series and their ranges), the message from a --dry-run .eml. Each is
checked against the figures the workbook itself holds in its `Results` and `SPC` tables, and the
icons' colours and letters against Making Data Count's (written out here, not taken from the code).
"""

from __future__ import annotations

import datetime as dt
import email
import email.policy
import io
import posixpath
import re
import sys
import xml.etree.ElementTree as ET
import zipfile
from collections import Counter
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))

from conftest import indicator_rows, make_export, months_between, tiny_dict  # noqa: E402
from workbook_fixtures import (  # noqa: E402
    export_path,
    generate_ok,
    generated,
    kent_template,
    load_workbook,
    run_cli,
    wb,
)

pytestmark = pytest.mark.filterwarnings("ignore:Sparkline Group extension is not supported")

__all__ = ["export_path", "generated", "wb"]  # fixtures, imported so pytest finds them

REPORTING_MONTH = "2016-08"
CHART_DATA = "SPC Chart Data"
# Making Data Count's colours (#RRGGBB), by what the icon or point says.
BLUE, ORANGE, GREY, PURPLE = "00B0F0", "E46C0A", "A6A6A6", "490092"
KIND_COLOURS = {"improvement": BLUE, "concern": ORANGE, "neutral": PURPLE}
ASSURANCE = {"Consistently pass": (BLUE, "P"), "Consistently fail": (ORANGE, "F"), "Hit and miss": (GREY, "~")}
SPECIAL_SERIES = {"Improvement": "Special cause improvement", "Concern": "Special cause concern",
                  "Neutral": "Special cause neutral"}
NS = {"r": "http://schemas.openxmlformats.org/officeDocument/2006/relationships",
      "m": "http://schemas.openxmlformats.org/spreadsheetml/2006/main",
      "rel": "http://schemas.openxmlformats.org/package/2006/relationships",
      "xdr": "http://schemas.openxmlformats.org/drawingml/2006/spreadsheetDrawing",
      "a": "http://schemas.openxmlformats.org/drawingml/2006/main",
      "c": "http://schemas.openxmlformats.org/drawingml/2006/chart"}
EMU_PER_PX = 9525
SPACE_PX = 3  # a space of 10 pt Arial is 3.7 px: the narrowest an indent's space can be drawn


# ----------------------------------------------------------------------------- the package's XML

class Package:
    """The parts of an xlsx file: sheets, their pictures (anchor, alt text, PNG) and charts."""

    def __init__(self, path: Path):
        self.zip = zipfile.ZipFile(path)

    def xml(self, part: str) -> ET.Element:
        return ET.fromstring(self.zip.read(part))

    def rels(self, part: str) -> dict[str, str]:
        folder, name = posixpath.split(part)
        rels = f"{folder}/_rels/{name}.rels"
        if rels not in self.zip.namelist():
            return {}
        return {r.get("Id"): posixpath.normpath(posixpath.join(folder, r.get("Target")))
                for r in self.xml(rels).findall("rel:Relationship", NS)}

    def sheet_part(self, name: str) -> str:
        sheets = self.xml("xl/workbook.xml").find("m:sheets", NS)
        rid = next(s.get(f"{{{NS['r']}}}id") for s in sheets if s.get("name") == name)
        return self.rels("xl/workbook.xml")[rid]

    def drawing(self, sheet: str) -> str | None:
        part = self.sheet_part(sheet)
        element = self.xml(part).find("m:drawing", NS)
        return None if element is None else self.rels(part)[element.get(f"{{{NS['r']}}}id")]

    def pictures(self, sheet: str) -> list[dict]:
        """Each picture: its cell (0-based row, col), offset and size in pixels, alt text and PNG bytes."""
        drawing = self.drawing(sheet)
        if drawing is None:
            return []
        rels, out = self.rels(drawing), []
        for anchor in self.xml(drawing):
            pic = anchor.find("xdr:pic", NS)
            if pic is None:
                continue
            start = anchor.find("xdr:from", NS)
            ext = pic.find("xdr:spPr/a:xfrm/a:ext", NS)
            blip = pic.find("xdr:blipFill/a:blip", NS)
            out.append({
                "cell": (int(start.find("xdr:row", NS).text), int(start.find("xdr:col", NS).text)),
                "offset_px": int(start.find("xdr:colOff", NS).text) / EMU_PER_PX,
                "width_px": int(ext.get("cx")) / EMU_PER_PX,
                "alt": pic.find("xdr:nvPicPr/xdr:cNvPr", NS).get("descr"),
                "png": self.zip.read(rels[blip.get(f"{{{NS['r']}}}embed")]),
            })
        return out

    def charts(self, sheet: str) -> list[dict]:
        """Each chart, in the order anchored: its title, alt text and series (name, values and categories
        ranges, marker colour, whether the line is drawn)."""
        drawing = self.drawing(sheet)
        rels, out = self.rels(drawing), []
        for anchor in self.xml(drawing):
            ref = anchor.find(".//c:chart", NS)
            if ref is None:
                continue
            chart = self.xml(rels[ref.get(f"{{{NS['r']}}}id")])
            title = "".join(t.text or "" for t in chart.findall("c:chart/c:title//a:t", NS))
            series = []
            for ser in chart.iter(f"{{{NS['c']}}}ser"):
                marker = ser.find("c:marker/c:spPr/a:solidFill/a:srgbClr", NS)
                series.append({
                    "name": ser.find("c:tx//c:v", NS).text,
                    "values": ser.find("c:val//c:f", NS).text,
                    "categories": ser.find("c:cat//c:f", NS).text,
                    "marker": None if marker is None else marker.get("val").upper(),
                    "line": ser.find("c:spPr/a:ln/a:noFill", NS) is None,
                })
            frame = anchor.find("xdr:graphicFrame/xdr:nvGraphicFramePr/xdr:cNvPr", NS)
            out.append({"title": title, "series": series, "alt": frame.get("descr")})
        return out


def cells(book, reference: str) -> list:
    """The values of a one-row range such as 'SPC Chart Data'!$D$4:$AM$4."""
    sheet, _, area = reference.lstrip("=").rpartition("!")
    ws = book[sheet.strip("'").replace("''", "'")]
    return [c.value for row in ws[area.replace("$", "")] for c in row]


def sheet_of(reference: str) -> str:
    return reference.lstrip("=").rpartition("!")[0].strip("'").replace("''", "'")


# ----------------------------------------------------------------------------- what the workbook says

_tables: dict[tuple[int, str], list[dict]] = {}


def table(book, sheet: str) -> list[dict]:
    """The rows of the sheet's Excel table, as dicts by heading (read once a workbook)."""
    if (id(book), sheet) not in _tables:
        ws = book[sheet]
        rows = ws[next(iter(ws.tables.values())).ref]
        headers = [c.value for c in rows[0]]
        _tables[(id(book), sheet)] = [dict(zip(headers, (c.value for c in row), strict=False)) for row in rows[1:]]
    return _tables[(id(book), sheet)]


def latest_signals(book, unit: str) -> dict[str, tuple]:
    """(Variation, Assurance) of the unit's indicators in the reporting month, cohort All, from Results."""
    month = f"{REPORTING_MONTH}-01"
    return {r["Indicator"]: (r["Variation"], r["Assurance"]) for r in table(book, "Results")
            if r["Unit"] == unit and r["Cohort"] == "All" and r["Month"].strftime("%Y-%m-%d") == month}


def scorecard_rows(book, sheet: str) -> tuple[dict[str, int], dict[str, int]]:
    """(1-based column by heading, 1-based row by indicator ID) of a scorecard sheet."""
    ws = book[sheet]
    header = next(r for r in range(1, 15) if ws.cell(r, 1).value == "ID")
    columns = {c.value: c.column for c in ws[header] if isinstance(c.value, str)}
    ids = {i.id for i in kent_template().indicators}
    rows = {ws.cell(r, 1).value: r for r in range(header + 1, ws.max_row + 1) if ws.cell(r, 1).value in ids}
    return columns, rows


def scorecard_words(book, sheet: str) -> dict[str, tuple]:
    ws = book[sheet]
    columns, rows = scorecard_rows(book, sheet)
    return {i: (ws.cell(r, columns["Variation"]).value, ws.cell(r, columns["Assurance"]).value)
            for i, r in rows.items()}


def kind(variation: str) -> str:
    """"Special cause concern (high)" -> "Special cause concern"."""
    return re.sub(r" \((high|low)\)$", "", variation)


# ----------------------------------------------------------------------------- the icons, read back

def icon_colour(png: bytes) -> str:
    """The disc's colour: the commonest opaque colour of the picture that is not the white mark."""
    from PIL import Image

    picture = Image.open(io.BytesIO(png)).convert("RGBA")
    opaque = [(n, p[:3]) for n, p in picture.getcolors(picture.width * picture.height)
              if p[3] == 255 and min(p[:3]) < 240]
    return "".join(f"{v:02X}" for v in max(opaque)[1])


def white_at(png: bytes, x: float, y: float) -> bool:
    """Whether the mark (white) covers the point (x, y) of a 16 by 16 grid over the icon."""
    from PIL import Image

    picture = Image.open(io.BytesIO(png)).convert("RGBA")
    r, g, b, a = picture.getpixel((int(x / 16 * picture.width), int(y / 16 * picture.height)))
    return a == 255 and min(r, g, b) > 200


def expected_icon(words: str) -> tuple[str, str]:
    """(colour, mark) the icon for these words must have: H or L, P or F, "..." or "~"."""
    if words in ASSURANCE:
        return ASSURANCE[words]
    if words == "Common cause":
        return GREY, "..."
    m = re.fullmatch(r"Special cause (improvement|concern|neutral) \((high|low)\)", words)
    assert m, words
    return KIND_COLOURS[m.group(1)], "H" if m.group(2) == "high" else "L"


# Each mark, as points of a 16 by 16 grid that its white strokes cover, and points well clear of them.
MARKS = {
    "H": ([(5, 5), (5, 11), (11, 5), (11, 11), (8, 8)], [(8, 4.5), (8, 11.5)]),
    "L": ([(6, 5), (6, 11), (10, 12)], [(11, 5), (9, 8)]),
    "P": ([(6, 5), (6, 11), (11, 6)], [(11, 11), (9, 11)]),
    "F": ([(6, 11), (10.5, 4), (9, 8)], [(11, 6.2), (11, 11)]),
    "...": ([(4, 8), (8, 8), (12, 8)], [(8, 5), (8, 11), (5.75, 5.8)]),
    "~": ([(5.75, 5.8), (8, 8), (10.25, 10.2)], [(5.75, 10.2), (10.25, 5.8)]),
}


def mark_of(png: bytes) -> str:
    """Which mark the icon carries: the one whose points are white and whose clear points are not."""
    found = [mark for mark, (on, off) in MARKS.items()
             if all(white_at(png, *p) for p in on) and not any(white_at(png, *p) for p in off)]
    return found[0] if len(found) == 1 else f"unclear: {found}"


# ----------------------------------------------------------------------------- the scorecard sheets

@pytest.mark.slow
def test_scorecard_sheets_show_each_units_variation_and_assurance(wb):
    """Every scorecard sheet has Variation and Assurance after the rolling 3 months' RAG, holding the
    words of the unit's Results rows (cohort All, the reporting month), empty where Results is."""
    template = kent_template()
    special = 0
    for unit in template.scorecard_units:
        sheet = template.scorecard_sheet_for(unit)
        columns, _ = scorecard_rows(wb, sheet)
        order = sorted(columns, key=columns.get)
        assert order[order.index("Rolling 3 Months RAG") + 1:][:2] == ["Variation", "Assurance"], (sheet, order)
        expected = latest_signals(wb, unit)
        shown = scorecard_words(wb, sheet)
        assert shown == {i: expected.get(i, (None, None)) for i in shown}, sheet
        special += sum(1 for v, _ in shown.values() if v and v.startswith("Special cause"))
    assert special, "no special cause on any scorecard: the sample should have some"


def test_an_icon_in_each_spc_cell_in_the_colour_of_its_words(generated, wb):
    """One picture anchored in each non-empty Variation and Assurance cell, none elsewhere: alt text
    the cell's words, colour and mark as Making Data Count's, left of the words (in the cell's
    indent); each distinct icon stored once."""
    template = kent_template()
    package = Package(generated)
    distinct: dict[str, bytes] = {}
    for unit in template.scorecard_units:
        sheet = template.scorecard_sheet_for(unit)
        ws = wb[sheet]
        columns, rows = scorecard_rows(wb, sheet)
        spc_cells = {(r - 1, columns[h] - 1): ws.cell(r, columns[h]) for r in rows.values()
                     for h in ("Variation", "Assurance")}
        pictures = package.pictures(sheet)
        anchored = Counter(p["cell"] for p in pictures)
        words = {k: c.value for k, c in spc_cells.items() if c.value is not None}
        assert set(anchored) == set(words) and set(anchored.values()) == {1}, sheet
        for picture in pictures:
            cell = spc_cells[picture["cell"]]
            assert picture["alt"] == cell.value
            colour, mark = expected_icon(cell.value)
            assert icon_colour(picture["png"]) == colour, (sheet, cell.coordinate, cell.value)
            assert mark_of(picture["png"]) == mark, (sheet, cell.coordinate, cell.value)
            assert distinct.setdefault(cell.value, picture["png"]) == picture["png"]
            # The words start after the indent (3 spaces a level); the icon ends before it.
            assert cell.alignment.horizontal == "left" and cell.alignment.wrap_text
            assert picture["offset_px"] + picture["width_px"] <= 3 * SPACE_PX * cell.alignment.indent, cell.coordinate
    media = [n for n in package.zip.namelist() if n.startswith("xl/media/")]
    assert len(media) == len(distinct) == len(set(distinct.values())), (len(media), sorted(distinct))


# ----------------------------------------------------------------------------- the exception reports' charts

def check_exception_charts(path: Path, book, unit: str, results: list[dict], spc: list[dict]) -> int:
    """The Exceptions sheet's charts (one per indicator the Results table rates Red for the unit)
    against the unit's rows of the SPC table; returns how many were checked."""
    template = kent_template()
    charts = Package(path).charts("Exceptions")
    reds = [r["Indicator"] for r in results if r["Unit"] == unit and r["Cohort"] == "All"
            and r["Month"].strftime("%Y-%m") == REPORTING_MONTH and r["RAG"] == "R"]
    assert len(charts) == len(reds) > 0, (len(charts), reds)
    for chart in charts:
        series = {s["name"]: s for s in chart["series"]}
        assert {sheet_of(s[k]) for s in chart["series"] for k in ("values", "categories")} == {CHART_DATA}
        value = series["Value"]
        row = int(re.search(r"\$(\d+)$", value["values"]).group(1))
        ind = template.indicator(str(book[CHART_DATA].cell(row, 1).value))
        reds.remove(ind.id)
        months = cells(book, value["categories"])
        assert chart["title"] == f"SPC: each month's value, {len(months)} months to Aug 2016", chart["title"]
        assert chart["alt"].startswith(f"SPC chart of {ind.exception_title or ind.title}: "), chart["alt"]
        assert months[-1] == dt.date.fromisoformat(f"{REPORTING_MONTH}-01").strftime("%b %Y")
        own = [r for r in spc if r["Indicator"] == ind.id and r["Unit"] == unit and r["Cohort"] == "All"]
        plotted = {m: v for m, v in zip(months, cells(book, value["values"]), strict=False) if v is not None}
        assert plotted == pytest.approx({r["Month"].strftime("%b %Y"): r["Value"] for r in own}, rel=1e-12)
        assert next(iter(plotted)) == months[0], "the chart starts at the first point"
        assert value["marker"] == GREY and value["line"]
        for cause, name in SPECIAL_SERIES.items():
            wanted = {r["Month"].strftime("%b %Y"): r["Value"] for r in own if r["Special Cause"] == cause}
            assert (name in series) == bool(wanted), f"{ind.id}: {name}"
            if wanted:
                got = {m: v for m, v in zip(months, cells(book, series[name]["values"]), strict=False) if v is not None}
                assert got == pytest.approx(wanted, rel=1e-12), (ind.id, name)
                assert series[name]["marker"] == KIND_COLOURS[cause.lower()] and not series[name]["line"]
        enough = own[0]["Upper Process Limit"] is not None
        assert ("Lower Process Limit" in series) == ("Upper Process Limit" in series) == enough
        for name in ("Mean", "Lower Process Limit", "Upper Process Limit"):
            if name in series:
                assert all(v == pytest.approx(own[0][name], rel=1e-12) for v in cells(book, series[name]["values"]))
        targets = [ind.target_for(dt.datetime.strptime(m, "%b %Y").date(), unit) for m in months]
        assert cells(book, series["Target"]["values"]) == [float(t.target) if t else None for t in targets]
    return len(charts)


def test_exception_charts_plot_the_spc_points(generated, wb):
    """Each exception report's chart: the window's points from the first (each month's own value), the
    special cause points coloured by kind over the grey line, the mean, the limits and the target,
    read from cells of the workbook (SPC Chart Data) that equal the SPC table's."""
    assert check_exception_charts(generated, wb, kent_template().organisation_tree.name, table(wb, "Results"),
                                  table(wb, "SPC")) == 3


@pytest.mark.slow
def test_with_the_raw_data_apart_the_charts_read_their_own_workbook(export_path, tmp_path):
    """--raw-data separate: the SPC table is in the companion; the charts read SPC Chart Data, here."""
    out = generate_ok(export_path, tmp_path / "scorecard.xlsx", "--raw-data", "separate")
    book = load_workbook(out)
    companion = load_workbook(tmp_path / "scorecard-data.xlsx")
    assert "SPC" not in book.sheetnames and CHART_DATA in book.sheetnames and "SPC" in companion.sheetnames
    assert check_exception_charts(out, book, kent_template().organisation_tree.name, table(companion, "Results"),
                                  table(companion, "SPC")) == 3


def _tiny_layout(spc_enabled: bool, months: int):
    """The layout of a workbook for the tiny template with indicator PSS Red for County, from
    `months` months of data to Aug 2016."""
    from scorecard_xl.engine.calculator import calculate
    from scorecard_xl.engine.template import Template
    from scorecard_xl.workbook.layout import workbook_layout

    data = tiny_dict()
    data["spc"] = {"enabled": spc_enabled}
    template = Template.model_validate(data)
    records = [(m.strftime("%Y-%m"), "PSS", "N1", "N", 3 + k % 2, 10)
               for k, m in enumerate(months_between("2013-01", REPORTING_MONTH)[-months:])]
    export = make_export(indicator_rows(records))
    scorecard = calculate(export, template, REPORTING_MONTH)
    source = {"name": "tiny.xlsx", "sha256": "0" * 64, "produced": "2016-09-01"}
    return workbook_layout(scorecard, template, export, source)[0], template


def test_a_chart_without_enough_points_shows_points_mean_and_target_and_says_why(tmp_path):
    from scorecard_xl.workbook.writer import write_workbook

    layout, template = _tiny_layout(True, 8)
    path = write_workbook(layout, tmp_path / "tiny.xlsx")
    (chart,) = Package(path).charts("Exceptions")
    assert [s["name"] for s in chart["series"]] == ["Value", "Mean", "Target"]
    book = load_workbook(path)
    assert len([v for v in cells(book, chart["series"][0]["values"]) if v is not None]) == 8
    notes = [c.value for row in book["Exceptions"].iter_rows() for c in row if isinstance(c.value, str)]
    why = [n for n in notes if n.startswith("No process limits or special causes")]
    assert why == [(f"No process limits or special causes: 8 point(s) in the {template.spc.window_months} "
                    f"months to Aug 2016, where SPC needs {template.spc.min_points}, one of them Aug 2016.")], why
    scorecard = layout.sheet("Scorecard - Tiny")
    assert not scorecard.images, "too few points: no icons"


def test_with_spc_switched_off_nothing_of_it_is_shown():
    layout, _ = _tiny_layout(False, 30)
    scorecard = layout.sheet("Scorecard - Tiny")
    assert not {"Variation", "Assurance"} & {c.value for c in scorecard.cells} and not scorecard.images
    assert CHART_DATA not in [s.name for s in layout.sheets]
    (chart,) = layout.sheet("Exceptions").charts
    assert all(sheet_of(s.values) == "Trends" for s in chart.series), "the 13-month trend chart"
    contents = {c.value for c in layout.sheet("Contents").cells}
    assert "Reading SPC" not in contents and not any(str(v).startswith("SPC this month") for v in contents)


def test_with_enough_points_the_tiny_chart_has_limits():
    layout, _ = _tiny_layout(True, 30)
    (chart,) = layout.sheet("Exceptions").charts
    names = [s.name for s in chart.series]
    assert names[:5] == ["Value", "Mean", "Lower Process Limit", "Upper Process Limit", "Target"], names
    assert layout.sheet("Scorecard - Tiny").images


# ----------------------------------------------------------------------------- Contents

def contents_counts(book, heading: str) -> dict[str, int]:
    """The small table headed `heading` (Variation, Assurance) on Contents: label -> count."""
    ws = book["Contents"]
    where = next(c for row in ws.iter_rows() for c in row if c.value == heading)
    counts, r = {}, where.row + 1
    while ws.cell(r, where.column).value is not None:
        counts[ws.cell(r, where.column).value] = ws.cell(r, where.column + 1).value
        r += 1
    return counts


def check_contents(book, sheet: str) -> None:
    words = scorecard_words(book, sheet)
    variation = Counter(kind(v) if v else "Not assessed" for v, _ in words.values())
    assurance = Counter(a or "Not assessed" for _, a in words.values())
    shown = contents_counts(book, "Variation")
    assert {k: v for k, v in shown.items() if v} == dict(variation), (shown, variation)
    assert sum(shown.values()) == len(words)
    shown = contents_counts(book, "Assurance")
    assert {k: v for k, v in shown.items() if v} == dict(assurance), (shown, assurance)
    assert sum(shown.values()) == len(words)


def test_contents_counts_the_scorecards_words(wb):
    template = kent_template()
    check_contents(wb, template.scorecard_sheet_for(template.organisation_tree.name))
    text = " ".join(str(c.value) for row in wb["Contents"].iter_rows() for c in row if c.value)
    assert "Reading SPC" in text
    spc = template.spc
    for words in (f"over the {spc.window_months} months", f"needs {spc.min_points} points", "common cause",
                  "Special cause improvement (blue icon) or concern (orange)", "neutral (purple)", "H or L",
                  "consistently pass (blue", "consistently fail (orange", "hit and miss (grey"):
        assert words in text, words


# ----------------------------------------------------------------------------- a unit's own workbook

@pytest.fixture(scope="module")
def east_kent(export_path, tmp_path_factory) -> Path:
    return generate_ok(export_path, tmp_path_factory.mktemp("unit") / "east-kent.xlsx", "--unit", "East Kent")


@pytest.mark.slow
def test_a_units_workbook_shows_its_own_spc(east_kent):
    book = load_workbook(east_kent)
    sheet = kent_template().scorecard_sheet_for("East Kent")
    expected = latest_signals(book, "East Kent")
    assert scorecard_words(book, sheet) == {i: expected.get(i, (None, None)) for i in scorecard_words(book, sheet)}
    check_contents(book, sheet)
    assert check_exception_charts(east_kent, book, "East Kent", table(book, "Results"), table(book, "SPC"))


# ----------------------------------------------------------------------------- the email

@pytest.mark.slow
def test_the_email_names_exactly_the_special_cause_concerns(generated, wb, tmp_path):
    """--dry-run: the text and HTML bodies list the indicators whose Variation (Results, the county,
    this month) is special cause concern, with their words, and no other."""
    template = kent_template()
    concerns = [(i.id, i.title, v) for i in template.indicators
                for v in [latest_signals(wb, template.organisation_tree.name).get(i.id, (None, None))[0]]
                if v and v.startswith("Special cause concern")]
    assert concerns, "the sample has special cause concerns"
    eml = tmp_path / "message.eml"
    proc = run_cli("email", generated, "--to", "director@example.org", "--from", "performance@example.org",
                   "--eml", eml)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    msg = email.message_from_bytes(eml.read_bytes(), policy=email.policy.default)
    text = msg.get_body(("plain",)).get_content().replace("\r\n", "\n")
    html = msg.get_body(("html",)).get_content()
    lines = text.splitlines()
    start = next(k for k, ln in enumerate(lines) if ln.startswith("Special cause concern"))
    block = lines[start + 1:lines.index("", start)]
    assert block == [f"- {i}: {t}: {v}" for i, t, v in concerns], block
    mentioned = [ln.split(":")[0][2:] for ln in lines if ln.startswith("- ") and "Special cause concern" in ln]
    assert mentioned == [i for i, _, _ in concerns]
    table_html = html[html.index("<h2 style=\"font-size:12pt\">Special cause concern"):]
    assert re.findall(r"Special cause concern \((?:high|low)\)", table_html) == [v for *_, v in concerns]

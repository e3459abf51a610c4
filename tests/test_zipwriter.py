"""The zip package (xlsx/zipwriter.py): what it writes must read back, part for part, exactly as
XlsxWriter's own zipfile packaging would, in every zip reader we can run.

- parts written through DeflatingPart in pieces that cross block boundaries decompress to
  the text written, with the right CRC, in Python's zipfile and in `unzip -t`;
- the same text gives the same bytes whatever the number of deflate threads;
- a workbook past 4 GiB (the limit lowered) is refused with a clear OSError;
- a real workbook zipped by ZipPackage has the same parts, in the same order, with the same
  content, as the same workbook zipped by zipfile (the writer's fallback: xlsx/hooks.py), and is
  about the same size;
- a failure inside XlsxWriter's close leaves zipfile in place and no thread running.
"""

from __future__ import annotations

import errno
import shutil
import subprocess
import threading
import zipfile
import zlib
from pathlib import Path

import pandas as pd
import pytest
import xlsxwriter.workbook
from hypothesis import given, settings
from hypothesis import strategies as st

from scorecard_xl.workbook import writer
from scorecard_xl.workbook.layout.model import Sheet, Table, WorkbookLayout
from scorecard_xl.workbook.xlsx import hooks, zipwriter

UNZIP = shutil.which("unzip")


def _package(path: Path, parts: list[tuple[str, list[str]]], plain: dict[str, bytes] | None = None) -> None:
    """Write parts (name, text pieces) through DeflatingPart, then plain files, into one zip."""
    package = zipwriter.Package()
    temporaries = []
    with package.installed():
        for i, (name, pieces) in enumerate(parts):
            temporary = path.parent / f"part{i}.tmp"
            part = package.part(str(temporary))  # as a StreamingWorksheet's _set_xml_writer has it
            for piece in pieces:
                part.write(piece)
            part.close()
            temporaries.append((str(temporary), name))
        for name, data in (plain or {}).items():
            temporary = path.parent / f"{name.replace('/', '_')}.tmp"
            temporary.write_bytes(data)
            temporaries.append((str(temporary), name))
        archive = xlsxwriter.workbook.ZipFile(str(path), "w", compression=zipfile.ZIP_DEFLATED, allowZip64=False)
        for temporary, name in temporaries:
            archive.write(temporary, name)
        archive.close()


def _check_with_unzip(path: Path) -> None:
    """Info-ZIP's unzip tests every entry (CI installs it; skip where it is missing)."""
    if UNZIP is None:
        pytest.skip("unzip is not installed")
    run = subprocess.run([UNZIP, "-t", str(path)], capture_output=True, text=True)
    assert run.returncode == 0 and "No errors detected" in run.stdout, run.stdout + run.stderr


def read_parts(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as archive:
        assert archive.testzip() is None  # every CRC checks
        return {info.filename: archive.read(info) for info in archive.infolist()}


@settings(max_examples=25, deadline=None)
@given(pieces=st.lists(st.text(alphabet=st.characters(min_codepoint=32, max_codepoint=0x2FFF), max_size=400),
                       max_size=40),
       block=st.sampled_from([1, 7, 100, 1000]))
def test_parts_read_back_as_written(tmp_path_factory, pieces, block):
    """Any text, written in any pieces, with blocks small enough that a part spans many."""
    path = tmp_path_factory.mktemp("zip") / "out.zip"
    original = zipwriter.BLOCK_CHARS
    zipwriter.BLOCK_CHARS = block
    try:
        _package(path, [("xl/worksheets/sheet1.xml", pieces), ("empty.xml", [])], {"plain.xml": b"<a/>" * 50})
    finally:
        zipwriter.BLOCK_CHARS = original
    parts = read_parts(path)
    assert list(parts) == ["xl/worksheets/sheet1.xml", "empty.xml", "plain.xml"]
    assert parts["xl/worksheets/sheet1.xml"] == "".join(pieces).encode("utf-8")
    assert parts["empty.xml"] == b"" and parts["plain.xml"] == b"<a/>" * 50


def _xml_like(rows: int) -> list[str]:
    return [f'<row r="{r}"><c r="A{r}" s="3"><v>{r * 0.37!r}</v></c><c r="B{r}" t="s"><v>{r % 17}</v></c></row>'
            for r in range(rows)]


def test_unzip_agrees_and_blocks_keep_the_ratio(tmp_path, monkeypatch):
    """Many blocks, each primed with the text before it: unzip reads them, and the size stays
    within 1% of one continuous deflate."""
    monkeypatch.setattr(zipwriter, "BLOCK_CHARS", 64 * 1024)
    pieces = _xml_like(60_000)
    path = tmp_path / "out.zip"
    _package(path, [("sheet.xml", pieces)])
    data = "".join(pieces).encode()
    assert read_parts(path)["sheet.xml"] == data
    with zipfile.ZipFile(path) as archive:
        ours = archive.getinfo("sheet.xml").compress_size
        assert archive.getinfo("sheet.xml").CRC == zlib.crc32(data)
    one_stream = len(zlib.compress(data, zipwriter.LEVEL))
    assert ours <= one_stream * 1.01, (ours, one_stream)
    _check_with_unzip(path)


def test_same_bytes_whatever_the_threads(tmp_path, monkeypatch):
    monkeypatch.setattr(zipwriter, "BLOCK_CHARS", 10_000)
    outputs = []
    for threads in (1, 2, 4):
        monkeypatch.setattr(zipwriter, "THREADS", threads)
        path = tmp_path / f"out{threads}.zip"
        _package(path, [("a.xml", _xml_like(5_000)), ("b.xml", _xml_like(300))], {"c.xml": b"<c/>"})
        outputs.append(path.read_bytes())
    assert outputs[0] == outputs[1] == outputs[2]


def small_layout(rows: int = 600) -> WorkbookLayout:
    frame = pd.DataFrame({
        "Month": pd.date_range("2015-01-01", periods=rows, freq="D"),
        "Unit": [f"Team {i % 7}" for i in range(rows)],
        "Value": [i / 3 for i in range(rows)],
        "Count": list(range(rows)),
    })
    sheets = [Sheet("Notes", "Notes"), Sheet("Data", "Data", tables=[Table("Data", 1, frame)])]
    sheets[0].put(0, 0, "A workbook zipped two ways")
    sheets[1].put(0, 0, "Data")
    return WorkbookLayout("t", "s", "c", pd.Timestamp("2016-08-01"), sheets)


def _zipped_by_zipfile(monkeypatch, layout: WorkbookLayout, path: Path) -> None:
    """The same workbook, packaged by XlsxWriter's own zipfile route: the writer's fallback (xlsx/hooks.py)."""
    with monkeypatch.context() as patch:
        patch.setattr(hooks, "missing", lambda name: ("forced",) if name == hooks.DEFLATE else ())
        writer.write_workbook(layout, path)


def test_workbook_parts_match_zipfile_packaging(tmp_path, monkeypatch):
    layout = small_layout()
    ours, theirs = tmp_path / "ours.xlsx", tmp_path / "theirs.xlsx"
    writer.write_workbook(layout, ours)
    _zipped_by_zipfile(monkeypatch, layout, theirs)
    ours_parts, their_parts = read_parts(ours), read_parts(theirs)
    assert list(ours_parts) == list(their_parts)  # same parts, same order ([Content_Types].xml first)
    assert ours_parts == their_parts
    assert abs(ours.stat().st_size - theirs.stat().st_size) <= 0.02 * theirs.stat().st_size
    assert xlsxwriter.workbook.ZipFile is zipfile.ZipFile  # put back after the write
    _check_with_unzip(ours)


def test_past_4_gib_is_refused_clearly(tmp_path, monkeypatch):
    """No ZIP64 records: a workbook that would pass the limit (lowered here) is an OSError that
    says why and what to do; the CLI reports it as an error and writes nothing."""
    monkeypatch.setattr(zipwriter, "ZIP_LIMIT", 20_000)
    with pytest.raises(OSError, match="would pass 4 GiB") as raised:
        writer.write_workbook(small_layout(), tmp_path / "out.xlsx")
    assert raised.value.errno == errno.EFBIG and "--raw-data separate" in str(raised.value)
    assert not (tmp_path / "out.xlsx").exists()
    assert xlsxwriter.workbook.ZipFile is zipfile.ZipFile


def test_failure_in_close_puts_zipfile_back_and_stops_threads(tmp_path, monkeypatch):
    def failing(self, filename, arcname):
        raise OSError("disk full (injected)")

    monkeypatch.setattr(zipwriter.ZipPackage, "write", failing)
    with pytest.raises(OSError, match="injected"):  # the OSError itself, not XlsxWriter's wrapper
        writer.write_workbook(small_layout(), tmp_path / "out.xlsx")
    assert xlsxwriter.workbook.ZipFile is zipfile.ZipFile
    assert not [t for t in threading.enumerate() if t.name.startswith("deflate")]
    assert not (tmp_path / "out.xlsx").exists()

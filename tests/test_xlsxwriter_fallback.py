"""Without the XlsxWriter internals it reaches into (xlsx/hooks.py), the writer falls back to
XlsxWriter's public API, path by path, and writes the same workbook, more slowly.

- on this XlsxWriter every hooked name is there, and there is no note;
- every hooked name, removed from its class (or renamed, for an attribute a new object
  gets), is reported by the check, for the path that uses it;
- an XlsxWriter that renamed an internal throughout its own code (simulated by renaming
  it in the compiled code of its methods) gets the fallback for that path alone, the
  same workbook, and a one-line note naming the internal;
- the Kent sample written with the streamed tables fallen back holds what the hooked
  workbook holds: the same sheets, every cell's value, type and number format as openpyxl
  reads them back, the same tables (name, range, columns: their parts are identical);
  written with the deflating zip fallen back, the very same parts; each a valid zip;
- the worksheet class the writer gives XlsxWriter (xlsx/worksheet.py) writes what
  XlsxWriter's own writes until a path is switched on, and hands a reshaped method's
  calls on to XlsxWriter as they are.
"""

from __future__ import annotations

import inspect
import types
from pathlib import Path

import pytest
import xlsxwriter
import xlsxwriter.workbook
from test_rowstream import same_cells, sheet_cells
from test_zipwriter import read_parts, small_layout
from xlsxwriter.format import Format
from xlsxwriter.sharedstrings import SharedStringTable
from xlsxwriter.worksheet import Worksheet
from xlsxwriter.xmlwriter import XMLwriter

from scorecard_xl.engine.calculator import calculate
from scorecard_xl.engine.template import load_template
from scorecard_xl.reading.reader import read_export
from scorecard_xl.workbook import writer
from scorecard_xl.workbook.layout import workbook_layout
from scorecard_xl.workbook.xlsx import hooks, rowstream, zipwriter
from scorecard_xl.workbook.xlsx.hooks import DEFLATE, STREAM
from scorecard_xl.workbook.xlsx.worksheet import StreamingWorksheet

SAMPLE = Path(__file__).resolve().parents[1] / "samples" / "kent_liberi_export_2016-08.xlsx"


@pytest.fixture(autouse=True)
def fresh_check():
    """Each test checks XlsxWriter afresh (it may change it), and leaves no answer behind for others."""
    hooks.missing.cache_clear()
    yield
    hooks.missing.cache_clear()


FAST_CODE = {STREAM: (rowstream, "write_rows"), DEFLATE: (zipwriter, "Package")}  # what each path runs


def _forbid_fast_code(monkeypatch, path: str) -> None:
    def not_used(*args, **kwargs):
        raise AssertionError(f"the {path} path ran although the check found its internals missing")
    monkeypatch.setattr(*FAST_CODE[path], not_used)


def _without(monkeypatch, *paths: str) -> None:
    """Have the check find `paths` missing, and fail if their fast code runs all the same."""
    monkeypatch.setattr(hooks, "missing", lambda path: ("Forced._away",) if path in paths else ())
    for path in paths:
        _forbid_fast_code(monkeypatch, path)


def _same_parts(path: Path, hooked: Path) -> None:
    """The same parts, in the same order, byte for byte: the same XML, only zipped another way."""
    assert list(read_parts(path).items()) == list(read_parts(hooked).items())


def _same_workbook(path: Path, hooked: Path) -> None:
    """Same sheets, cells (floats to 16 digits: see test_rowstream) and tables; valid zips."""
    parts, hooked_parts = read_parts(path), read_parts(hooked)  # read_parts checks every CRC
    assert list(parts) == list(hooked_parts)
    tables = [name for name in parts if name.startswith("xl/tables/")]
    assert tables and all(parts[name] == hooked_parts[name] for name in tables)
    cells, hooked_cells = sheet_cells(path), sheet_cells(hooked)
    assert list(cells) == list(hooked_cells)
    for sheet in cells:
        assert same_cells(cells[sheet], hooked_cells[sheet]), sheet


def test_every_hook_is_there_on_this_xlsxwriter():
    assert hooks.missing(STREAM) == () and hooks.missing(DEFLATE) == ()
    assert hooks.fallback_note() is None


def test_note_is_one_line_naming_the_release_the_internals_and_both_fallbacks(monkeypatch):
    _without(monkeypatch, STREAM, DEFLATE)
    note = hooks.fallback_note()
    assert note.startswith(f"XlsxWriter {xlsxwriter.__version__} lacks the internals scorecard-xl "
                           "streams through (Forced._away); ")
    assert hooks.INSTEAD[STREAM] in note and hooks.INSTEAD[DEFLATE] in note and "\n" not in note


# ----------------------------------------------------------------------------- every name checked

def _delete(owner, name: str):
    return lambda monkeypatch: monkeypatch.delattr(owner, name)


def _drop_on_init(cls, name: str):
    """A release that renamed an attribute its objects get in __init__: a new one lacks it."""
    def drop(monkeypatch):
        init = cls.__init__

        def without(self, *args, **kwargs):
            init(self, *args, **kwargs)
            setattr(self, f"{name}_renamed", getattr(self, name))
            delattr(self, name)
        monkeypatch.setattr(cls, "__init__", without)
    return drop


REMOVALS = {  # each name the check reports, and how a release might lose it
    "Worksheet._write_sheet_data": (_delete(Worksheet, "_write_sheet_data"), {STREAM}),
    "Worksheet._write_rows": (_delete(Worksheet, "_write_rows"), {STREAM}),
    "Worksheet._xml_start_tag": (_delete(XMLwriter, "_xml_start_tag"), {STREAM}),
    "Worksheet._xml_end_tag": (_delete(XMLwriter, "_xml_end_tag"), {STREAM}),
    "Worksheet.fh": (_drop_on_init(Worksheet, "fh"), {STREAM, DEFLATE}),
    "Worksheet.dim_rowmax": (_drop_on_init(Worksheet, "dim_rowmax"), {STREAM}),
    "Worksheet.dim_colmax": (_drop_on_init(Worksheet, "dim_colmax"), {STREAM}),
    "Worksheet.str_table": (_drop_on_init(Worksheet, "str_table"), {STREAM}),
    "SharedStringTable._get_shared_string_index": (_delete(SharedStringTable, "_get_shared_string_index"), {STREAM}),
    "SharedStringTable.count": (_drop_on_init(SharedStringTable, "count"), {STREAM}),
    "Format._get_xf_index": (_delete(Format, "_get_xf_index"), {STREAM}),
    "Worksheet.tables (range, a_range, autofilter)": (_drop_on_init(Worksheet, "tables"), {STREAM}),
    "workbook.ZipFile": (_delete(xlsxwriter.workbook, "ZipFile"), {DEFLATE}),
    "Worksheet._set_xml_writer": (_delete(XMLwriter, "_set_xml_writer"), {DEFLATE}),
    "Worksheet.internal_fh": (_drop_on_init(Worksheet, "internal_fh"), {DEFLATE}),
}


def test_every_checked_name_has_a_removal():
    assert set(REMOVALS) == {name for checks in hooks.CHECKS.values() for name in checks}


@pytest.mark.parametrize("name", list(REMOVALS))
def test_a_name_removed_is_reported_for_the_paths_using_it(monkeypatch, name):
    remove, paths = REMOVALS[name]
    remove(monkeypatch)
    assert {path for path in hooks.CHECKS if name in hooks.missing(path)} == paths


def test_a_reshaped_method_is_reported(monkeypatch):
    """A replaced method must keep exactly the parameters XlsxWriter calls it with."""
    original = XMLwriter._set_xml_writer

    def _set_xml_writer(self, filename, encoding="utf-8"):
        original(self, filename)
    monkeypatch.setattr(XMLwriter, "_set_xml_writer", _set_xml_writer)
    assert hooks.missing(DEFLATE) == ("Worksheet._set_xml_writer",) and hooks.missing(STREAM) == ()


# ----------------------------------------------------------------------------- a release that renamed an internal

def _renamed(function, old: str, new: str):
    """`function` with every use of the name `old` in its code made a use of `new`."""
    code = function.__code__
    names = tuple(new if name == old else name for name in code.co_names)
    renamed = types.FunctionType(code.replace(co_names=names), function.__globals__, function.__name__,
                                 function.__defaults__, function.__closure__)
    renamed.__kwdefaults__ = function.__kwdefaults__
    return renamed


def _rename(monkeypatch, cls, old: str, new: str) -> None:
    """`cls` as a release that renamed its member or attribute `old` would have it, its own code included."""
    for name, member in list(vars(cls).items()):
        if inspect.isfunction(member) and old in member.__code__.co_names:
            monkeypatch.setattr(cls, name, _renamed(member, old, new))
    if old in vars(cls):
        monkeypatch.setattr(cls, new, vars(cls)[old], raising=False)
        monkeypatch.delattr(cls, old)


@pytest.mark.parametrize("path, cls, old, reported", [
    # XlsxWriter's own rows then written by "_write_rows_renamed", which the stream does not know
    (STREAM, Worksheet, "_write_rows", "Worksheet._write_rows"),
    # hooked regardless, XlsxWriter would never close a DeflatingPart: every sheet zipped empty
    (DEFLATE, XMLwriter, "internal_fh", "Worksheet.internal_fh"),
])
def test_a_release_that_renamed_an_internal_gets_that_path_s_fallback(tmp_path, monkeypatch, path, cls, old, reported):
    layout = small_layout()  # a 600-row table: streamed, when the stream can be
    hooked = writer.write_workbook(layout, tmp_path / "hooked.xlsx")
    _rename(monkeypatch, cls, old, f"{old}_renamed")
    hooks.missing.cache_clear()  # checked afresh, as a process started on that release would
    other = DEFLATE if path == STREAM else STREAM
    assert reported in hooks.missing(path) and hooks.missing(other) == ()
    _forbid_fast_code(monkeypatch, path)
    fallen_back = writer.write_workbook(layout, tmp_path / "fallen-back.xlsx")
    (_same_workbook if path == STREAM else _same_parts)(fallen_back, hooked)
    note = hooks.fallback_note()
    assert reported in note and hooks.INSTEAD[path] in note and hooks.INSTEAD[other] not in note


# ----------------------------------------------------------------------------- the worksheet class

class _XlsxWritersOwn(Worksheet):
    """XlsxWriter's worksheet with none of its methods overridden, and no fast path to switch on."""

    def last_row_written(self) -> int:
        return self.dim_rowmax or 0

    def stream_table(self, *args):
        raise AssertionError("the stream was switched on")

    def deflate_into(self, package):
        raise AssertionError("the deflating zip was switched on")


def test_the_worksheet_class_is_xlsxwriter_s_own_until_a_path_is_switched_on(tmp_path, monkeypatch):
    """Both paths fallen back, StreamingWorksheet writes the very bytes XlsxWriter's own worksheet does."""
    _without(monkeypatch, STREAM, DEFLATE)
    ours = writer.write_workbook(small_layout(), tmp_path / "ours.xlsx")
    monkeypatch.setattr(writer, "StreamingWorksheet", _XlsxWritersOwn)
    own = writer.write_workbook(small_layout(), tmp_path / "own.xlsx")
    assert ours.read_bytes() == own.read_bytes()


@pytest.mark.parametrize("path, owner, method", [
    (STREAM, Worksheet, "_write_sheet_data"), (DEFLATE, XMLwriter, "_set_xml_writer")])
def test_a_method_reshaped_gets_that_path_s_fallback_and_is_handed_what_xlsxwriter_passes(
        tmp_path, monkeypatch, path, owner, method):
    """An overridden method given a new parameter: the path falls back, and StreamingWorksheet passes
    XlsxWriter's calls on to XlsxWriter's method as they are."""
    layout = small_layout()
    hooked = writer.write_workbook(layout, tmp_path / "hooked.xlsx")
    original, calls = getattr(owner, method), []

    def reshaped(self, *args, new_option=None):
        calls.append(self)
        return original(self, *args)
    monkeypatch.setattr(owner, method, reshaped)
    hooks.missing.cache_clear()
    assert hooks.missing(path) == (f"Worksheet.{method}",)
    _forbid_fast_code(monkeypatch, path)
    fallen_back = writer.write_workbook(layout, tmp_path / "fallen-back.xlsx")
    sheets = [call for call in calls if isinstance(call, StreamingWorksheet)]  # (_set_xml_writer: every part's)
    assert len(sheets) == len(layout.sheets)  # every sheet's call reached XlsxWriter's method
    (_same_workbook if path == STREAM else _same_parts)(fallen_back, hooked)


# ----------------------------------------------------------------------------- the Kent sample

@pytest.fixture(scope="module")
def kent(tmp_path_factory) -> dict[tuple[str, ...], Path]:
    """The Kent sample's workbook, by the paths fallen back: none, the stream, the deflating zip."""
    if not SAMPLE.exists():
        pytest.skip("the sample export has not been built")
    template = load_template("kent_scs")
    export = read_export(SAMPLE, template)
    source = {"name": SAMPLE.name, "sha256": "-", "produced": "2016-09-15", "companion": "-"}
    layout, _ = workbook_layout(calculate(export, template), template, export, source)
    folder = tmp_path_factory.mktemp("kent")
    written = {}
    for paths in ((), (STREAM,), (DEFLATE,)):
        with pytest.MonkeyPatch.context() as monkeypatch:
            _without(monkeypatch, *paths)
            written[paths] = writer.write_workbook(layout, folder / f"{'-'.join(paths) or 'hooked'}.xlsx")
    return written


@pytest.mark.slow
def test_kent_without_the_stream_reads_back_the_same(kent):
    _same_workbook(kent[(STREAM,)], kent[()])


def test_kent_without_the_deflating_zip_has_the_very_same_parts(kent):
    _same_parts(kent[(DEFLATE,)], kent[()])

"""Whether this XlsxWriter still has the internals the two fast paths reach into.

Two paths use XlsxWriter's private names for speed: the streamed tables ("stream":
StreamingWorksheet.stream_table and its _write_sheet_data in worksheet.py, and
rowstream.py) and the deflating zip ("deflate": StreamingWorksheet._set_xml_writer and
zipwriter.py, whose swap of xlsxwriter.workbook.ZipFile is the one patch of XlsxWriter).
Any release may rename, remove or reshape a private name. pyproject.toml
pins the releases tested; on any other, a path whose names are not all here as it expects
them falls back to XlsxWriter's public API (slower, the same workbook) instead of failing
or writing a broken file, each path on its own, and `fallback_note` says so.

Checked once a process, in about 2 ms, for every name a path uses: that it
is there (a method of the class, an attribute of a new worksheet); that a method called
accepts the arguments given; that a method StreamingWorksheet overrides keeps exactly the
parameters XlsxWriter calls it with, and that XlsxWriter still calls it by that name (its
compiled code names it, so no source is needed); and, on a table declared on a new
worksheet, that the attributes the stream reads or widens hold what it expects. What a
method does beyond that, only running it shows: the tests across releases, and the pin.
"""

from __future__ import annotations

import dis
import functools
import importlib
import inspect
from collections.abc import Callable

STREAM, DEFLATE = "stream", "deflate"
INSTEAD = {  # what the writer does without a path's internals
    STREAM: "wrote large tables cell by cell",
    DEFLATE: "deflated the workbook's parts after writing them, one after another",
}


def _xlsxwriter(qualified: str):
    """A class of XlsxWriter by module and name, e.g. "worksheet.Worksheet"."""
    module, name = qualified.rsplit(".", 1)
    return getattr(importlib.import_module(f"xlsxwriter.{module}"), name)


def _accepts(owner: str, method: str, *args: object) -> bool:
    """Whether the method can be called (on an object of `owner`) with `args`."""
    inspect.signature(getattr(_xlsxwriter(owner), method)).bind(None, *args)  # TypeError if not
    return True


def _names(owner: str, method: str) -> tuple[str, ...]:
    """The global and attribute names the method's code uses."""
    return getattr(_xlsxwriter(owner), method).__code__.co_names


def _called_by(owner: str, name: str) -> bool:
    """Whether a method of `owner` (its own or inherited) uses `name`: calls it, for a method."""
    return any(name in function.__code__.co_names
               for _, function in inspect.getmembers(_xlsxwriter(owner), inspect.isfunction))


def _replaceable(owner: str, method: str, parameters: list[str], caller: str) -> bool:
    """A method the fast path overrides (StreamingWorksheet): same parameters, still called by name from `caller`."""
    signature = inspect.signature(getattr(_xlsxwriter(owner), method))
    return list(signature.parameters) == parameters and _called_by(caller, method)


def _new_worksheet():
    return _xlsxwriter("worksheet.Worksheet")()


def _declared_table():
    """A new worksheet with a table over A1:B2, declared as StreamingWorksheet.stream_table declares one."""
    sheet = _new_worksheet()
    sheet.str_table = _xlsxwriter("sharedstrings.SharedStringTable")()
    sheet.add_table(0, 0, 1, 1)  # writes the header strings "Column1", "Column2" in row 0
    return sheet


def _strings_counted() -> bool:
    """New strings get 0, 1, ... and every use counts, as rowstream.shared_string_indices assumes."""
    strings = _xlsxwriter("sharedstrings.SharedStringTable")()
    indices = [strings._get_shared_string_index(text) for text in ("a", "b", "a")]
    return indices == [0, 1, 0] and strings.count == 3


def _xml_goes_to_fh() -> bool:
    """The sheet's XML is written to `fh`: where the streamed rows go, and what a DeflatingPart is set as."""
    return hasattr(_new_worksheet(), "fh") and "fh" in _names("worksheet.Worksheet", "_xml_start_tag")


def _zip_made_by_name() -> bool:
    """_store_workbook makes the zip with the module-level name ZipFile, the name swapped for ZipPackage."""
    store = _xlsxwriter("workbook.Workbook")._store_workbook
    return (hasattr(importlib.import_module("xlsxwriter.workbook"), "ZipFile")
            and any(i.opname == "LOAD_GLOBAL" and i.argval == "ZipFile" for i in dis.get_instructions(store)))


def _table_ranges() -> bool:
    table = _declared_table().tables[-1]
    return table["range"] == table["a_range"] == table["autofilter"] == "A1:B2"


CHECKS: dict[str, dict[str, Callable[[], bool]]] = {
    STREAM: {
        "Worksheet._write_sheet_data": lambda: _replaceable(
            "worksheet.Worksheet", "_write_sheet_data", ["self"], caller="worksheet.Worksheet"),
        "Worksheet._write_rows": lambda: _accepts("worksheet.Worksheet", "_write_rows"),
        "Worksheet._xml_start_tag": lambda: _accepts("worksheet.Worksheet", "_xml_start_tag", "sheetData"),
        "Worksheet._xml_end_tag": lambda: _accepts("worksheet.Worksheet", "_xml_end_tag", "sheetData"),
        "Worksheet.fh": _xml_goes_to_fh,
        # The last row written, 0-based: its own rows end there (lowered while they are written).
        "Worksheet.dim_rowmax": lambda: (_declared_table().dim_rowmax == 0
                                         and "dim_rowmax" in _names("worksheet.Worksheet", "_write_rows")),
        "Worksheet.dim_colmax": lambda: _declared_table().dim_colmax == 1,
        "Worksheet.str_table": lambda: (hasattr(_new_worksheet(), "str_table")
                                        and _declared_table().str_table.count == 2),  # the header's strings
        "SharedStringTable._get_shared_string_index": _strings_counted,
        "SharedStringTable.count": _strings_counted,
        "Format._get_xf_index": lambda: _accepts("format.Format", "_get_xf_index"),
        "Worksheet.tables (range, a_range, autofilter)": _table_ranges,
    },
    DEFLATE: {
        "workbook.ZipFile": _zip_made_by_name,
        "Worksheet._set_xml_writer": lambda: _replaceable(
            "worksheet.Worksheet", "_set_xml_writer", ["self", "filename"], caller="packager.Packager"),
        "Worksheet.fh": _xml_goes_to_fh,
        # XlsxWriter closes a sheet's file, so a DeflatingPart deflates its last block, only when this
        # is set: without that, every sheet would be zipped empty.
        "Worksheet.internal_fh": lambda: (hasattr(_new_worksheet(), "internal_fh")
                                          and "internal_fh" in _names("worksheet.Worksheet", "_xml_close")
                                          and _called_by("worksheet.Worksheet", "_xml_close")),
    },
}


def _holds(check: Callable[[], bool]) -> bool:
    try:
        return bool(check())
    except Exception:  # noqa: BLE001 - an import, attribute, key or signature not as expected: not usable
        return False


@functools.cache
def missing(path: str) -> tuple[str, ...]:
    """The private names `path` (STREAM or DEFLATE) uses that this XlsxWriter lacks, or has reshaped."""
    return tuple(name for name, check in CHECKS[path].items() if not _holds(check))


def fallback_note() -> str | None:
    """One line for the user when a path fell back to XlsxWriter's public API, else None."""
    paths = [path for path in CHECKS if missing(path)]
    if not paths:
        return None
    release = getattr(importlib.import_module("xlsxwriter"), "__version__", "(release unknown)")
    names = ", ".join(dict.fromkeys(name for path in paths for name in missing(path)))
    return (f"XlsxWriter {release} lacks the internals scorecard-xl streams through "
            f"({names}); {' and '.join(INSTEAD[path] for path in paths)}, which is slower")

"""Look at a file before parsing it: is it a workbook we can read safely?

Refuses, with a message that says what to do: empty or truncated files, files that are
not spreadsheets, old .xls workbooks, password-protected workbooks, and archives that
would expand to more than we are prepared to read (zip bombs) or that carry XML
document type declarations (entity expansion tricks). Only the zip directory and the
first bytes of each part are read, so a hostile file is refused within a second and
without using memory.
"""

from __future__ import annotations

import re
import zipfile
import zlib
from pathlib import Path

from ..model import InputError, Problem

MAX_UNCOMPRESSED_BYTES = 2 * 1024**3  # the whole workbook, expanded
MAX_CELLS = 60_000_000  # over all sheets, from each sheet's declared dimension
MAX_RATIO = 200  # a part this many times smaller than it expands to is a bomb

_OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_ZIP = b"PK\x03\x04"
_ENCRYPTED = "EncryptedPackage".encode("utf-16-le")
_DIMENSION = re.compile(rb'<dimension ref="([A-Z]+)(\d+)(?::([A-Z]+)(\d+))?"')


def _refuse(message: str) -> InputError:
    return InputError([Problem("error", message)])


MAX_PROLOG = 1024 * 1024  # bytes allowed before a part's first element


def _prolog(archive: zipfile.ZipFile, member: zipfile.ZipInfo) -> bytes | None:
    """A part's first bytes, read until its first element has started (a DOCTYPE would
    have to come before it; the sheet dimension follows it closely); None if no element
    starts within MAX_PROLOG bytes.
    """
    seen = b""
    with archive.open(member) as fh:
        while len(seen) < MAX_PROLOG:
            chunk = fh.read(16384)
            if not chunk:
                break
            seen += chunk
            # The first "<" followed by a letter opens the root element; comments,
            # processing instructions and declarations start with "<!" or "<?".
            if re.search(rb"<[A-Za-z_]", _strip_comments(seen)):
                return seen
    return None


def _strip_comments(data: bytes) -> bytes:
    """Blank out complete <!-- --> comments, which may contain any text."""
    return re.sub(rb"<!--.*?-->", lambda m: b" " * len(m.group()), data, flags=re.S)


def _column_number(letters: bytes) -> int:
    n = 0
    for ch in letters.decode():
        n = n * 26 + ord(ch) - 64
    return n


def check_file(path: Path, max_bytes: int = MAX_UNCOMPRESSED_BYTES, max_cells: int = MAX_CELLS) -> None:
    """Raise InputError if `path` is not a workbook that can be read safely."""
    name = path.name
    try:
        if path.is_dir():
            raise _refuse(f"{path} is a folder, not a workbook; give the export's file")
        size = path.stat().st_size
    except FileNotFoundError:
        raise _refuse(f"cannot find {path}: no such file (check the name and the folder)") from None
    except PermissionError as exc:
        raise _refuse(f"cannot read {path}: {exc.strerror} (is it open in a program that locks it?)") from None
    if size == 0:
        raise _refuse(f"{name} is empty (0 bytes); export the data again")
    with path.open("rb") as fh:
        head = fh.read(8)
    if head.startswith(_OLE2):
        with path.open("rb") as fh:
            start = fh.read(4 * 1024**2)
        if _ENCRYPTED in start:
            raise _refuse(f"{name} is protected with a password; open it in Excel, remove the password "
                          "(File > Info > Protect Workbook > Encrypt with Password, clear it) and save it again")
        raise _refuse(f"{name} is an old Excel 97-2003 workbook (.xls); open it in Excel and save it as an "
                      "Excel Workbook (.xlsx)")
    if not head.startswith(_ZIP):
        text = head.decode("latin-1")
        hint = (" It looks like CSV or text: open it in Excel and save it as an Excel Workbook (.xlsx)."
                if all(ch.isprintable() or ch in "\r\n\t" for ch in text) else "")
        raise _refuse(f"{name} is not a spreadsheet (expected .xlsx, .xlsm or .ods).{hint}")
    try:
        archive = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError):
        raise _refuse(f"{name} is damaged or incomplete (perhaps cut short while copying); "
                      "export or copy it again") from None
    with archive:
        _check_archive(archive, name, max_bytes, max_cells)


def _check_archive(archive: zipfile.ZipFile, name: str, max_bytes: int, max_cells: int) -> None:
    members = archive.infolist()
    names = {m.filename for m in members}
    if "[Content_Types].xml" not in names and "mimetype" not in names:
        raise _refuse(f"{name} is a zip archive but not a workbook (expected .xlsx, .xlsm or .ods)")
    expanded = sum(m.file_size for m in members)
    if expanded > max_bytes:
        raise _refuse(f"{name} would expand to {expanded / 1024**3:.1f} GiB, more than the "
                      f"{max_bytes / 1024**3:.1f} GiB this tool reads; split the export")
    cells = 0
    for member in members:
        if member.file_size > 10 * 1024**2 and member.file_size > MAX_RATIO * max(member.compress_size, 1):
            raise _refuse(f"{name}: part {member.filename} expands {member.file_size // max(member.compress_size, 1)}"
                          " times over; refused as a possible zip bomb")
        if not member.filename.endswith((".xml", ".rels")) or member.file_size == 0:
            continue
        try:
            start = _prolog(archive, member)
        except (zipfile.BadZipFile, zlib.error, OSError, EOFError, NotImplementedError):
            raise _refuse(f"{name} is damaged (part {member.filename} cannot be read); export it again") from None
        if start is None:
            raise _refuse(f"{name}: part {member.filename} has no XML element in its first "
                          f"{MAX_PROLOG // 1024} KB; refused as malformed")
        if b"<!DOCTYPE" in start or b"<!ENTITY" in start:
            raise _refuse(f"{name}: part {member.filename} declares a document type (XML entities); "
                          "refused, as workbooks never need one")
        if member.filename.startswith("xl/worksheets/"):
            found = _DIMENSION.search(start)
            if found and found[3]:
                rows = int(found[4]) - int(found[2]) + 1
                cols = _column_number(found[3]) - _column_number(found[1]) + 1
                cells += rows * cols
    if cells > max_cells:
        raise _refuse(f"{name} declares {cells:,} cells, more than the {max_cells:,} this tool reads; "
                      "split the export")

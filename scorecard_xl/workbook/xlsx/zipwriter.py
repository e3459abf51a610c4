"""The workbook's zip package, its worksheets deflated while their XML is written.

XlsxWriter writes every part of a workbook (sheets, styles, strings, ...) to a temporary
file, then deflates the parts one after another into the zip with `zipfile`. For the Kent
sample that deflate was a third of the write: 29 MB of raw-data XML. Here each worksheet's
XML is deflated as it is written, by background threads (zlib and crc32 release the GIL,
so they run beside the Python that generates the XML), and the zip is then put together
from parts already deflated. On an XlsxWriter without the internals this relies on
(hooks.py checks them), the writer lets XlsxWriter zip the workbook itself instead.

Two pieces, both made by `Package` for one workbook's close():

- `DeflatingPart`: the text file a worksheet writes its XML into (`Package.part`, which the
  sheet's StreamingWorksheet calls from its `_set_xml_writer`: worksheet.py). It encodes
  the text and hands blocks of a megabyte or more to the threads, which deflate them
  independently, each primed with the 32 KiB before it (as pigz does), so the blocks
  joined in order are one deflate stream, compressed as well as a single pass would.
- `ZipPackage`: what XlsxWriter's `Workbook._store_workbook` is given in place of
  `zipfile.ZipFile` (it constructs one, calls write(filename, arcname) for each part, then
  close(); its in_memory mode, which would call writestr, is not used). It copies deflated
  parts as they are and deflates the other, small parts itself. XlsxWriter has no public
  way to choose how the zip is made, so this is the one patch left: `Package.installed`
  swaps the name ZipFile in xlsxwriter.workbook for one close(), and puts it back.

The zip is plain: deflate, no data descriptors, no ZIP64 records (see _check_fits). Same
input, same bytes: every entry is dated 1980-01-01 00:00 (as XlsxWriter dates its
in-memory parts), and block boundaries depend only on the text, not on the threads.
"""

from __future__ import annotations

import contextlib
import errno
import os
import shutil
import struct
import zlib
from collections import deque
from collections.abc import Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from typing import BinaryIO

BLOCK_CHARS = 1 << 20  # XML characters (at least) handed to the deflate threads at a time
BACKLOG = 8  # blocks waiting at most, so memory stays bounded if the XML outpaces the deflate
WINDOW = 32 * 1024  # deflate's window: how far back a block's matches may reach
LEVEL = 6  # zlib's default, what zipfile uses
THREADS = max(1, min(4, os.cpu_count() or 1))  # the output is the same whatever the number
ZIP_LIMIT = 0xFFFFFFFF  # sizes and offsets must stay below this (no ZIP64 records: see _check_fits)
DOS_TIME, DOS_DATE = 0, (0 << 9) | (1 << 5) | 1  # 1980-01-01 00:00, the earliest a zip can say


def _compressor(dictionary: bytes = b""):
    # Raw deflate, as a zip entry holds it; primed with the text before, when there is some.
    if dictionary:
        return zlib.compressobj(LEVEL, zlib.DEFLATED, -15, zdict=dictionary)
    return zlib.compressobj(LEVEL, zlib.DEFLATED, -15)


def _deflate_block(data: bytes, dictionary: bytes, last: bool) -> bytes:
    """One block of a part, deflated on its own (as pigz does, so blocks can go in parallel).

    Primed with the 32 KiB before it, the block's back-references reach into the previous
    block just as one long deflate's would; a sync flush ends it on a byte boundary with
    the deflate stream still open, so the blocks, put end to end, are one valid stream.
    """
    compressor = _compressor(dictionary)
    return compressor.compress(data) + compressor.flush(zlib.Z_FINISH if last else zlib.Z_SYNC_FLUSH)


class DeflatingPart:
    """A text file for one part's XML, deflated block by block by the package's threads."""

    def __init__(self, path: str, worker: ThreadPoolExecutor):
        self._file = open(path, "wb")  # noqa: SIM115 - closed by wait(), or abandon()
        self._worker = worker
        self._text: list[str] = []
        self._chars = 0
        self._window = b""  # the last 32 KiB of text submitted: the next block's dictionary
        self._blocks: deque[Future] = deque()
        self.crc = self.size = self.compressed_size = 0

    def write(self, text: str) -> int:
        self._text.append(text)
        self._chars += len(text)
        if self._chars >= BLOCK_CHARS:
            self._submit(last=False)
        return len(text)

    def close(self) -> None:
        """XlsxWriter has written the whole part: deflate the rest."""
        self._submit(last=True)

    def wait(self) -> DeflatingPart:
        """Write every deflated block to the file, in order; re-raise what went wrong in a thread."""
        while self._blocks:
            self._write_next()
        self._file.close()
        return self

    def abandon(self) -> None:
        self._file.close()

    def _submit(self, last: bool) -> None:
        data = "".join(self._text).encode("utf-8")
        self._text, self._chars = [], 0
        self.crc = zlib.crc32(data, self.crc)
        self.size += len(data)
        while len(self._blocks) >= BACKLOG:
            self._write_next()
        self._blocks.append(self._worker.submit(_deflate_block, data, self._window, last))
        self._window = (self._window + data[-WINDOW:])[-WINDOW:]

    def _write_next(self) -> None:
        deflated = self._blocks.popleft().result()
        self._file.write(deflated)
        self.compressed_size += len(deflated)


class Package:
    """Deflates one workbook's worksheets while XlsxWriter writes them, then zips the parts."""

    def __init__(self) -> None:
        self._worker = ThreadPoolExecutor(max_workers=THREADS, thread_name_prefix="deflate")
        self._parts: dict[str, DeflatingPart] = {}

    def part(self, filename: str) -> DeflatingPart:
        """A new file for one worksheet's XML, at `filename`: deflated as it is written, then
        copied into the zip as it is (ZipPackage.write, given that file name)."""
        self._parts[filename] = DeflatingPart(filename, self._worker)
        return self._parts[filename]

    @contextlib.contextmanager
    def installed(self) -> Iterator[None]:
        """While open, XlsxWriter zips the workbook with ZipPackage.

        Swaps the ZipFile name in xlsxwriter.workbook and puts it back afterwards; the
        writer closes one workbook at a time.
        """
        import xlsxwriter.workbook

        packages: list[ZipPackage] = []

        def zip_package(*args, **kwargs) -> ZipPackage:
            packages.append(ZipPackage(*args, deflated=self._parts, **kwargs))
            return packages[-1]

        original = xlsxwriter.workbook.ZipFile
        xlsxwriter.workbook.ZipFile = zip_package
        try:
            yield
        finally:
            xlsxwriter.workbook.ZipFile = original
            self._worker.shutdown(wait=True, cancel_futures=True)
            for part in self._parts.values():  # left by a failure: close their files
                part.abandon()
            for package in packages:
                package.abandon()


class ZipPackage:
    """The part of zipfile.ZipFile that XlsxWriter uses, taking parts already deflated."""

    def __init__(self, file: str | os.PathLike | BinaryIO, mode: str = "w", compression: int = 8,
                 allowZip64: bool = True, *, deflated: dict[str, DeflatingPart] | None = None):
        if mode != "w" or compression != 8:
            raise ValueError("ZipPackage only writes new, deflated zips")
        self._own = isinstance(file, (str, os.PathLike))
        self._out: BinaryIO = open(file, "wb") if self._own else file  # noqa: SIM115 - closed in close()
        self._deflated = deflated if deflated is not None else {}
        self._offset = 0
        self._entries: list[tuple[bytes, int, int, int, int, int]] = []  # name, flags, crc, sizes, offset

    def write(self, filename: str, arcname: str) -> None:
        part = self._deflated.pop(str(filename), None)
        if part is not None:
            part.wait()
            with open(filename, "rb") as deflated:
                self._add(arcname, part.crc, part.compressed_size, part.size,
                          lambda out: shutil.copyfileobj(deflated, out, 1 << 20))
            return
        compressor, crc, size, blocks = _compressor(), 0, 0, []
        with open(filename, "rb") as plain:
            while data := plain.read(1 << 20):
                crc, size = zlib.crc32(data, crc), size + len(data)
                blocks.append(compressor.compress(data))
        blocks.append(compressor.flush())
        self._add(arcname, crc, sum(map(len, blocks)), size, lambda out: out.writelines(blocks))

    def _add(self, arcname: str, crc: int, compressed_size: int, size: int, write_data) -> None:
        name = arcname.encode("utf-8")
        flags = 0 if name.isascii() else 0x800  # bit 11: the name is UTF-8
        _check_fits(arcname, size, compressed_size, self._offset)
        header = struct.pack("<4s2B4HL2L2H", b"PK\x03\x04", 20, 0, flags, 8, DOS_TIME, DOS_DATE, crc,
                             compressed_size, size, len(name), 0)
        self._out.write(header + name)
        write_data(self._out)
        self._entries.append((name, flags, crc, compressed_size, size, self._offset))
        self._offset += len(header) + len(name) + compressed_size

    def close(self) -> None:
        directory = [struct.pack("<4s4B4HL2L5H2L", b"PK\x01\x02", 20, 0, 20, 0, flags, 8, DOS_TIME, DOS_DATE, crc,
                                 compressed_size, size, len(name), 0, 0, 0, 0, 0, offset) + name
                     for name, flags, crc, compressed_size, size, offset in self._entries]
        start, length, count = self._offset, sum(map(len, directory)), len(directory)
        _check_fits("the zip's directory", length, length, start)
        if count >= 0xFFFF:
            raise OSError(errno.EFBIG, f"{count:,} parts are more than a zip without ZIP64 records holds")
        self._out.writelines(directory)
        self._out.write(struct.pack("<4s4H2LH", b"PK\x05\x06", 0, 0, count, count, length, start, 0))
        self.abandon()

    def abandon(self) -> None:
        """Close the file (if this package opened it); after a failure, what XlsxWriter leaves."""
        if self._own:
            self._out.close()


def _check_fits(what: str, size: int, compressed_size: int, offset: int) -> None:
    """Refuse what a plain zip cannot say: sizes or offsets of 4 GiB or more.

    Excel's row limit splits raw data across sheets long before one sheet's XML nears
    4 GiB, so only a workbook of tens of millions of rows gets here; ZIP64 records would
    hold it, but LibreOffice (7.4) opens no workbook that has them, from zipfile or here.
    """
    if max(size, compressed_size, offset) >= ZIP_LIMIT:
        raise OSError(errno.EFBIG, f"the workbook would pass 4 GiB at {what}, more than a plain zip holds "
                                   "and more than spreadsheet programs open; write the raw data to a "
                                   "companion file (--raw-data separate) or report fewer months")

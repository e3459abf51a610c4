"""Write a set of files so that a reader sees either all of them new or all of them as they were.

A run writes up to three files (the workbook, its raw-data companion, the PDF), an .eml
or an empty input workbook. Managers and analysts open them in Excel, often while the
next run starts, so:

1. Before any work, `FileSet` checks every target: its folder exists and takes new
   files, and an existing target is neither read-only nor locked (open in Excel on
   Windows, or immutable). A problem is reported at once, naming the user's file.
2. Each file is written to a hidden temporary file beside its target.
3. Only when every file is complete are they put in place: first every existing target
   is moved aside (this is what fails for a file open in Excel), then every new file is
   renamed onto its target. If any step fails, whatever was done is undone, so either
   every file of the set is new or every file is as it was; the error says which.

An exception, Ctrl+C or a stop signal (the command line turns SIGTERM into an
exception) removes the temporary files. Only a hard kill (SIGKILL, a power cut) can
leave a hidden `.NAME-xxxx.tmp` behind, and it never replaces anything.
"""

from __future__ import annotations

import errno
import os
import secrets
import stat
import tempfile
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path

# Windows error codes carried by PermissionError.winerror.
_SHARING_VIOLATION, _LOCK_VIOLATION = 32, 33
_DISK_FULL = {errno.ENOSPC, getattr(errno, "EDQUOT", errno.ENOSPC)}


class WriteError(OSError):
    """A file of the set could not be written or put in place; the message names the user's
    file (never a temporary one) and says what became of the others."""


def describe(exc: OSError, target: Path, in_folder: bool = False) -> str:
    """Why `target` could not be written, in words an analyst can act on, then the system's own.

    in_folder: the failure was creating a new file in the target's folder (so a
    permission problem is the folder's, not the existing file's).
    """
    folder = _folder(target)
    code = exc.errno
    system = f" ({exc.strerror})" if exc.strerror else ""
    if code == errno.ENAMETOOLONG:
        return (f"cannot write {target}: its name is too long for the file system ({len(target.name)} characters)"
                f"{system}; choose a shorter name or folder")
    if code in _DISK_FULL:
        return f"cannot write {target}: the disk holding {folder} is full{system}; free some space, or write elsewhere"
    if code == errno.EROFS:
        return f"cannot write {target}: {folder} is on a read-only disk{system}; write elsewhere"
    if code == errno.ENOENT and not folder.is_dir():
        return f"cannot write {target}: the folder {folder} does not exist"
    if isinstance(exc, PermissionError) or code in (errno.EACCES, errno.EPERM):
        if not in_folder and _exists(target):
            if _read_only(target):
                return (f"{target} is read-only, so it cannot be replaced{system}: clear its read-only attribute "
                        "(Properties in Windows Explorer), or choose another name")
            return (f"{target} is open in another program (Excel?) or locked, so it cannot be replaced{system}: "
                    "close it, then run again, or choose another name")
        return (f"cannot write {target}: the folder {folder} does not allow new files{system} (read-only or "
                "protected); choose another folder")
    return f"cannot write {target}: {exc.strerror or exc}"


def _exists(path: Path) -> bool:
    try:
        return path.exists()
    except OSError:  # e.g. a name too long for the file system
        return False


def _folder(target: Path) -> Path:
    return target.parent if str(target.parent) else Path(".")


def _read_only(target: Path) -> bool:
    """No write permission for anyone: Windows' read-only attribute, chmod a-w elsewhere."""
    try:
        return not target.stat().st_mode & (stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH)
    except OSError:
        return False


def check_replaceable(target: Path) -> None:
    """Raise WriteError now if `target` could not be replaced later (see the module's notes).

    Nothing is taken on trust: a new file is created in the folder (the target's own name, when
    it does not exist yet, so that a name the file system refuses is found too) and removed at
    once; an existing target is opened for writing, which Excel's lock refuses."""
    folder = _folder(target)
    try:
        if not folder.is_dir():
            raise FileNotFoundError(errno.ENOENT, "no such folder", str(folder))
        if target.is_dir():
            raise WriteError(errno.EISDIR, f"cannot write {target}: it is a folder", str(target))
        exists = target.exists()
    except WriteError:
        raise
    except OSError as exc:  # a name too long for the file system fails even to be looked up
        raise WriteError(exc.errno, describe(exc, target), str(target)) from None
    _probe(target if not exists else folder / f".scorecard-xl-{secrets.token_hex(4)}.probe", target)
    if not exists:
        return
    try:
        if _read_only(target):
            raise PermissionError(errno.EACCES, os.strerror(errno.EACCES), str(target))
        # Opening for writing is refused for a file open in Excel (Windows) or immutable (chattr +i).
        os.close(os.open(target, os.O_RDWR | getattr(os, "O_BINARY", 0)))
    except OSError as exc:
        raise WriteError(exc.errno, describe(exc, target), str(target)) from None


def check_folder(folder: Path) -> None:
    """Raise WriteError now if the folder does not exist or takes no new files (a file is created in it
    and removed): for when the files' names are not known yet."""
    folder = Path(folder) if str(folder) else Path(".")
    if not folder.is_dir():
        raise WriteError(errno.ENOENT, f"the folder {folder} does not exist", str(folder))
    probe = folder / f".scorecard-xl-{secrets.token_hex(4)}.probe"
    _probe(probe, probe)


def _probe(path: Path, target: Path) -> None:
    """Create a new file and remove it: the folder takes new files (and the name, if it is the target's)."""
    try:
        fd = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY | getattr(os, "O_BINARY", 0), 0o600)
    except OSError as exc:
        raise WriteError(exc.errno, describe(exc, target, in_folder=True), str(target)) from None
    os.close(fd)
    try:
        path.unlink()
    except OSError:  # e.g. a virus scanner holding it for a moment: a hidden empty leftover
        pass


class FileSet:
    """Temporary files for `targets`, put in place together when the block succeeds.

        with FileSet([workbook, pdf]) as files:
            write(files.temporary(workbook)); print_pdf(files.temporary(pdf))
        # here both are in place, or (after an exception) neither was touched
    """

    def __init__(self, targets: Iterable[Path]):
        self.targets = [Path(t) for t in targets]
        self._temporaries: dict[Path, Path] = {}

    def __enter__(self) -> FileSet:
        seen: dict[str, Path] = {}
        for target in self.targets:  # one temporary per target: two targets of one name would lose one
            key = os.path.normcase(os.path.abspath(target)).casefold()
            if key in seen:
                raise WriteError(errno.EEXIST, f"cannot write {target}: two files of this run would have that name "
                                               f"({seen[key].name} and {target.name})", str(target))
            seen[key] = target
        for target in self.targets:
            check_replaceable(target)
        try:
            for target in self.targets:
                self._temporaries[target] = self._make_temporary(target)
        except BaseException:
            self._discard()
            raise
        return self

    def temporary(self, target: Path) -> Path:
        return self._temporaries[Path(target)]

    def _make_temporary(self, target: Path) -> Path:
        try:
            # A short name, whatever the target's: a name near the file system's limit fails at the
            # target's own name (checked first), never at a longer hidden one.
            fd, name = tempfile.mkstemp(prefix=f".{target.stem[:40]}-", suffix=f"{target.suffix[:8]}.tmp",
                                        dir=_folder(target))
        except OSError as exc:
            raise WriteError(exc.errno, describe(exc, target, in_folder=True), str(target)) from None
        os.close(fd)
        return Path(name)

    def __exit__(self, kind, exc, traceback) -> None:
        if kind is not None:
            error = self._while_writing(exc) if isinstance(exc, OSError) and not isinstance(exc, WriteError) else None
            self._discard()
            if error is not None:
                raise error from None
            return
        try:
            self._commit()
        finally:
            self._discard()

    def _while_writing(self, exc: OSError) -> WriteError:
        """An OSError from writing a temporary file, told about the user's file instead."""
        for target, tmp in self._temporaries.items():
            if exc.filename and Path(exc.filename).name == tmp.name:
                return WriteError(exc.errno, f"{describe(exc, target)}. {self._unchanged()}", str(target))
        # Another file (a working file of XlsxWriter or LibreOffice, in the system's temporary folder).
        target = self.targets[0]
        where = f" ({exc.filename})" if exc.filename else ""
        return WriteError(exc.errno, f"cannot write {target}: {exc.strerror or exc}{where}. {self._unchanged()}",
                          str(target))

    def _unchanged(self) -> str:
        names = [t.name for t in self.targets]
        listed = names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]
        return f"Nothing was written: {listed} {'is' if len(names) == 1 else 'are'} as before"

    def _commit(self) -> None:
        # mkstemp makes private files; give them the permissions a new file normally has.
        umask = os.umask(0)
        os.umask(umask)
        for tmp in self._temporaries.values():
            os.chmod(tmp, 0o666 & ~umask)
        moved_aside: dict[Path, Path] = {}
        placed: list[Path] = []
        current = self.targets[0]
        try:
            for current in self.targets:
                if current.exists():
                    aside = _folder(current) / f".{current.name}.{secrets.token_hex(4)}.old"
                    os.replace(current, aside)
                    moved_aside[current] = aside
            for current in self.targets:
                os.replace(self._temporaries[current], current)
                placed.append(current)
        except BaseException as exc:  # an OSError, or Ctrl+C or a stop signal in the middle
            not_restored = self._roll_back(placed, moved_aside)
            if not isinstance(exc, OSError):
                raise
            message = f"{describe(exc, current)}. "
            if not_restored:
                message += "Could not put back: " + "; ".join(
                    f"{t.name} (its previous version is {a.name})" for t, a in not_restored.items())
            else:
                message += self._unchanged()
            raise WriteError(exc.errno, message, str(current)) from None
        for aside in moved_aside.values():
            try:
                aside.unlink()
            except OSError:  # e.g. a virus scanner holding it for a moment: a hidden leftover, not an error
                pass

    @staticmethod
    def _roll_back(placed: list[Path], moved_aside: dict[Path, Path]) -> dict[Path, Path]:
        """Undo a partial commit; return the targets whose previous version could not be put back."""
        for target in placed:
            if target not in moved_aside:
                try:
                    target.unlink()
                except OSError:
                    pass
        failed = {}
        for target, aside in moved_aside.items():
            try:
                os.replace(aside, target)
            except OSError:
                failed[target] = aside
        return failed

    def _discard(self) -> None:
        for tmp in self._temporaries.values():
            try:
                tmp.unlink()
            except OSError:  # already renamed into place, or gone
                pass
        self._temporaries.clear()



@contextmanager
def replacing(*targets: Path) -> Iterator[list[Path]]:
    """Temporary paths to write `targets` to, put in place together if the block succeeds (FileSet)."""
    with FileSet(targets) as files:
        yield [files.temporary(t) for t in files.targets]

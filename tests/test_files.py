"""The files of a run are one set: every file new, or every file as it was; errors name the user's file.

Unit tests drive files.FileSet directly, with failures injected where Windows and full
disks produce them (a PermissionError carrying Windows' sharing-violation code on a
move, ENOSPC while writing). End-to-end tests run the real command and lock a file the
way Linux can (`chattr +i`, which stands in for "open in Excel"): they are skipped where
chattr is unavailable (not root, or a file system without attributes).
"""

from __future__ import annotations

import errno
import os
import signal
import stat
import subprocess
import sys
import time
from pathlib import Path

import pytest
from workbook_fixtures import SAMPLE, load_workbook, run_cli

from scorecard_xl import files
from scorecard_xl.files import FileSet, WriteError, check_replaceable

OLD = b"the earlier file"


def _sharing_violation(path) -> PermissionError:
    """The PermissionError Windows raises for a file open in Excel (WinError 32)."""
    exc = PermissionError(errno.EACCES, "The process cannot access the file because it is being used by "
                                        "another process", str(path))
    exc.winerror = 32
    return exc


def _listing(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir())


@pytest.fixture
def folder(tmp_path) -> Path:
    """A folder whose name has spaces and accents, as on an analyst's OneDrive."""
    path = tmp_path / "Rapports d'été 2016"
    path.mkdir()
    return path


def test_every_file_put_in_place_together(folder):
    targets = [folder / "scorecard août.xlsx", folder / "scorecard août-data.xlsx", folder / "scorecard août.pdf"]
    targets[0].write_bytes(OLD)
    with FileSet(targets) as fs:
        for i, target in enumerate(targets):
            assert fs.temporary(target).parent == folder and fs.temporary(target).name.startswith(".")
            fs.temporary(target).write_bytes(b"new %d" % i)
        assert targets[0].read_bytes() == OLD, "replaced before the set was complete"
    assert [t.read_bytes() for t in targets] == [b"new 0", b"new 1", b"new 2"]
    assert _listing(folder) == sorted(t.name for t in targets), "a temporary or set-aside file was left"
    mode = stat.S_IMODE(targets[1].stat().st_mode)
    umask = os.umask(0)
    os.umask(umask)
    assert mode == 0o666 & ~umask, oct(mode)


def test_a_failure_while_writing_changes_nothing(folder):
    target = folder / "out.xlsx"
    target.write_bytes(OLD)
    with pytest.raises(RuntimeError):
        with FileSet([target, folder / "out.pdf"]) as fs:
            fs.temporary(target).write_bytes(b"half")
            raise RuntimeError("boom")
    assert target.read_bytes() == OLD and _listing(folder) == ["out.xlsx"]


def test_disk_full_names_the_users_file_not_the_temporary_one(folder):
    target = folder / "out.xlsx"
    target.write_bytes(OLD)
    with pytest.raises(WriteError) as caught:
        with FileSet([target]) as fs:
            tmp = fs.temporary(target)
            raise OSError(errno.ENOSPC, "No space left on device", str(tmp))
    message = caught.value.strerror
    assert str(target) in message and ".tmp" not in message, message
    assert "is full" in message and "No space left on device" in message
    assert "Nothing was written: out.xlsx is as before" in message
    assert target.read_bytes() == OLD and _listing(folder) == ["out.xlsx"]


@pytest.mark.parametrize("locked", [1, 2])
def test_a_file_open_in_excel_leaves_the_whole_set_as_it_was(folder, monkeypatch, locked):
    """Windows refuses to move a file open in Excel; the set is rolled back, whichever file it is."""
    targets = [folder / "out.xlsx", folder / "out-data.xlsx", folder / "out.pdf"]
    for t in targets:
        t.write_bytes(OLD + t.name.encode())
    real_replace = os.replace

    def replace(src, dst):
        if Path(src) == targets[locked]:  # moving the locked file aside
            raise _sharing_violation(src)
        real_replace(src, dst)

    monkeypatch.setattr(os, "replace", replace)
    monkeypatch.setattr(files, "check_replaceable", lambda target: None)  # Excel opened it after the check
    with pytest.raises(WriteError) as caught:
        with FileSet(targets) as fs:
            for t in targets:
                fs.temporary(t).write_bytes(b"new")
    message = caught.value.strerror
    assert f"{targets[locked]} is open in another program (Excel?)" in message, message
    assert "Nothing was written: out.xlsx, out-data.xlsx and out.pdf are as before" in message
    assert [t.read_bytes() for t in targets] == [OLD + t.name.encode() for t in targets]
    assert _listing(folder) == sorted(t.name for t in targets)


def test_a_failure_placing_a_new_file_rolls_back_the_ones_placed(folder, monkeypatch):
    """The workbook is placed, then the PDF cannot be: the workbook goes back to its old version
    and the companion, which did not exist before, is removed."""
    out, data, pdf = folder / "out.xlsx", folder / "out-data.xlsx", folder / "out.pdf"
    out.write_bytes(OLD)
    pdf.write_bytes(OLD + b"pdf")
    real_replace = os.replace

    def replace(src, dst):
        if Path(dst) == pdf and Path(src).name.endswith(".tmp"):
            raise OSError(errno.EIO, "Input/output error", str(dst))
        real_replace(src, dst)

    monkeypatch.setattr(os, "replace", replace)
    with pytest.raises(WriteError) as caught:
        with FileSet([out, data, pdf]) as fs:
            for t in (out, data, pdf):
                fs.temporary(t).write_bytes(b"new")
    assert "Nothing was written" in caught.value.strerror
    assert out.read_bytes() == OLD and pdf.read_bytes() == OLD + b"pdf" and not data.exists()
    assert _listing(folder) == ["out.pdf", "out.xlsx"]


def test_read_only_file_is_refused_before_any_work(folder):
    target = folder / "out.xlsx"
    target.write_bytes(OLD)
    target.chmod(0o444)
    try:
        with pytest.raises(WriteError) as caught:
            check_replaceable(target)
        assert f"{target} is read-only" in caught.value.strerror and "read-only attribute" in caught.value.strerror
    finally:
        target.chmod(0o644)


def test_locked_file_is_refused_before_any_work(folder, monkeypatch):
    target = folder / "out.xlsx"
    target.write_bytes(OLD)
    real_open = os.open

    def open_(path, flags, *args):
        if Path(path) == target and flags & os.O_RDWR:
            raise _sharing_violation(path)
        return real_open(path, flags, *args)

    monkeypatch.setattr(os, "open", open_)
    with pytest.raises(WriteError) as caught:
        check_replaceable(target)
    assert f"{target} is open in another program (Excel?) or locked" in caught.value.strerror


def test_missing_folder_and_folder_refusing_new_files(folder, monkeypatch):
    with pytest.raises(WriteError) as caught:
        check_replaceable(folder / "nowhere" / "out.xlsx")
    assert "the folder" in caught.value.strerror and "does not exist" in caught.value.strerror

    def refuse(*args, **kwargs):
        raise PermissionError(errno.EACCES, "Permission denied", str(folder))

    monkeypatch.setattr(files.tempfile, "mkstemp", refuse)
    target = folder / "out.xlsx"
    target.write_bytes(OLD)  # an existing, writable file in a folder that refuses new files: the folder's fault
    with pytest.raises(WriteError) as caught:
        with FileSet([target]):
            pass
    assert f"the folder {folder} does not allow new files" in caught.value.strerror, caught.value.strerror
    assert "open in another program" not in caught.value.strerror


# ----------------------------------------------------------------------------- the real command

def _reporting_month(workbook: Path) -> str:
    book = load_workbook(workbook, read_only=True)
    try:
        for label, value in book["Contents"].iter_rows(max_col=2, values_only=True):
            if label == "Reporting month":
                return f"{value:%Y-%m}"
    finally:
        book.close()
    raise AssertionError("no reporting month")


@pytest.mark.slow
def test_locked_companion_leaves_both_workbooks_as_they_were(tmp_path, immutable):
    """The issue's reproduction: July written, its companion locked, August refused as a whole."""
    out = tmp_path / "out.xlsx"
    first = run_cli("generate", SAMPLE, "-o", out, "--raw-data", "separate", "--month", "2016-07", cwd=tmp_path)
    assert first.returncode == 0, first.stderr
    companion = tmp_path / "out-data.xlsx"
    before = (out.read_bytes(), companion.read_bytes())
    immutable(companion)
    proc = run_cli("generate", SAMPLE, "-o", out, "--raw-data", "separate", cwd=tmp_path)
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert f"{companion} is open in another program (Excel?) or locked" in proc.stderr, proc.stderr
    assert "Wrote" not in proc.stdout and "Traceback" not in proc.stderr
    assert (out.read_bytes(), companion.read_bytes()) == before
    assert _reporting_month(out) == "2016-07"
    assert _listing(tmp_path) == ["out-data.xlsx", "out.xlsx"]


def test_locked_pdf_leaves_the_workbook_as_it_was(tmp_path, immutable):
    out, pdf = tmp_path / "out.xlsx", tmp_path / "out.pdf"
    out.write_bytes(OLD)
    pdf.write_bytes(OLD)
    immutable(pdf)
    proc = run_cli("generate", SAMPLE, "-o", out, "--pdf", cwd=tmp_path, env_extra={"SOFFICE": sys.executable})
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert f"{pdf} is open in another program (Excel?) or locked" in proc.stderr, proc.stderr
    assert out.read_bytes() == OLD and _listing(tmp_path) == ["out.pdf", "out.xlsx"]


def test_read_only_folder_is_named(tmp_path, immutable):
    folder = tmp_path / "published"
    folder.mkdir()
    immutable(folder)
    proc = run_cli("generate", SAMPLE, "-o", folder / "out.xlsx", cwd=tmp_path)
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert f"the folder {folder} does not allow new files" in proc.stderr, proc.stderr
    assert ".tmp" not in proc.stderr and "Traceback" not in proc.stderr


def _fake_soffice(tmp_path: Path, body: str) -> Path:
    """A stand-in for LibreOffice: a script that behaves as told."""
    script = tmp_path / "fake soffice"
    script.write_text(f"#!/bin/sh\n{body}\n")
    script.chmod(0o755)
    return script


@pytest.mark.slow
@pytest.mark.skipif(os.name != "posix", reason="a shell script stands in for soffice")
def test_pdf_that_cannot_be_printed_leaves_the_workbook_as_it_was(tmp_path):
    """The PDF fails after the workbook was written: the workbook is not replaced either."""
    out = tmp_path / "out.xlsx"
    out.write_bytes(OLD)
    soffice = _fake_soffice(tmp_path, "echo 'cannot print' >&2; exit 3")
    proc = run_cli("generate", SAMPLE, "-o", out, "--pdf", cwd=tmp_path, env_extra={"SOFFICE": str(soffice)})
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert "could not print" in proc.stderr and "Nothing was written" in proc.stderr, proc.stderr
    assert "Wrote" not in proc.stdout
    assert out.read_bytes() == OLD
    assert _listing(tmp_path) == ["fake soffice", "out.xlsx"]


def _generate_while_printing(tmp_path: Path):
    """generate --pdf over an earlier out.xlsx, in its own process, stopped at the point where the
    stand-in soffice (which waits) is printing: (out.xlsx, the file of its process IDs, the process)."""
    out = tmp_path / "out.xlsx"
    out.write_bytes(OLD)
    pids = tmp_path / "pids"
    soffice = _fake_soffice(tmp_path, f'echo $$ > "{pids}"; sleep 60 & echo $! >> "{pids}"; wait')
    env = {k: v for k, v in os.environ.items() if k != "SOURCE_DATE_EPOCH"}
    env["SOFFICE"] = str(soffice)
    proc = subprocess.Popen([sys.executable, "-m", "scorecard_xl", "generate", str(SAMPLE), "-o", str(out), "--pdf"],
                            cwd=tmp_path, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 120
    while not (pids.exists() and len(pids.read_text().split()) == 2):
        assert time.monotonic() < deadline and proc.poll() is None, proc.communicate()
        time.sleep(0.05)
    return out, pids, proc


@pytest.mark.slow
@pytest.mark.skipif(os.name != "posix", reason="SIGTERM and a shell script standing in for soffice")
def test_sigterm_removes_the_temporary_files_and_stops_libreoffice(tmp_path):
    """Stopped while LibreOffice prints (a script that waits): exit 143, the temporary files gone,
    the earlier workbook untouched, and the stand-in soffice (and its child) stopped."""
    out, pids, proc = _generate_while_printing(tmp_path)
    assert [n for n in _listing(tmp_path) if n.endswith(".tmp")], "no temporary files while printing"
    proc.send_signal(signal.SIGTERM)
    stdout, stderr = proc.communicate(timeout=60)
    assert proc.returncode == 128 + signal.SIGTERM, stderr
    assert "stopped by signal" in stderr and "Traceback" not in stderr, stderr
    assert out.read_bytes() == OLD
    assert _listing(tmp_path) == ["fake soffice", "out.xlsx", "pids"]
    for pid in map(int, pids.read_text().split()):
        deadline = time.monotonic() + 10
        while _alive(pid):
            assert time.monotonic() < deadline, f"process {pid} of the stand-in soffice is still running"
            time.sleep(0.05)


@pytest.mark.slow
@pytest.mark.skipif(os.name != "posix", reason="SIGINT and a shell script standing in for soffice")
def test_ctrl_c_says_interrupted_exits_130_and_removes_the_temporary_files(tmp_path):
    """Ctrl+C (SIGINT) while LibreOffice prints: the interrupted message and exit 130, whatever typer's
    release makes of a KeyboardInterrupt (0.29 exits 130 without a word); nothing left behind."""
    out, pids, proc = _generate_while_printing(tmp_path)
    proc.send_signal(signal.SIGINT)
    stdout, stderr = proc.communicate(timeout=60)
    assert proc.returncode == 130, stderr
    assert "interrupted: files not reported as written above are as they were." in stderr, stderr
    assert "Traceback" not in stderr and "Aborted" not in stderr
    assert out.read_bytes() == OLD
    assert _listing(tmp_path) == ["fake soffice", "out.xlsx", "pids"]


def test_ctrl_c_from_python_is_reported_too(monkeypatch, capsys):
    """main() in a notebook's process: typer turns the KeyboardInterrupt into an exit, which main
    reports as an interruption."""
    from scorecard_xl import cli

    def interrupted(*args, **kwargs):
        try:
            raise KeyboardInterrupt
        except KeyboardInterrupt as exc:
            raise SystemExit(130) from exc  # typer 0.29's answer; click's is Abort, then exit 1
    monkeypatch.setattr(cli, "app", interrupted)
    assert cli.main(["templates"]) == 130
    assert "interrupted: files not reported as written above are as they were." in capsys.readouterr().err


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    status = Path(f"/proc/{pid}/stat")
    return not (status.exists() and status.read_text().split()[2] == "Z")  # a zombie has finished


@pytest.mark.parametrize("name", ["report", "report.csv", "report.xls"])
def test_output_must_end_in_xlsx(tmp_path, name):
    proc = run_cli("generate", SAMPLE, "-o", tmp_path / name, cwd=tmp_path)
    assert proc.returncode == 2, proc.stdout + proc.stderr
    assert "must end in .xlsx" in proc.stderr
    assert _listing(tmp_path) == []

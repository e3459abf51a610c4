"""Finding and stopping LibreOffice on Windows, macOS and Linux.

CI runs on Linux, so the Windows paths are simulated: the platform and environment are
passed in (or `os.name` patched), and the processes Windows would run are recorded
instead of run.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from scorecard_xl.delivery import soffice
from scorecard_xl.delivery.soffice import SofficeError, find_soffice, install_hint, usual_places


def _program(path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("")
    return path


def test_windows_install_folder_is_found_without_path(tmp_path):
    program_files = tmp_path / "Program Files"
    exe = _program(program_files / "LibreOffice" / "program" / "soffice.exe")
    environ = {"PATH": str(tmp_path / "empty"), "ProgramFiles": str(program_files)}
    assert find_soffice(environ, platform="win32") == str(exe)


def test_windows_per_user_install_is_found(tmp_path):
    exe = _program(tmp_path / "AppData" / "Local" / "Programs" / "LibreOffice" / "program" / "soffice.exe")
    environ = {"PATH": "", "ProgramFiles": str(tmp_path / "none"), "LOCALAPPDATA": str(tmp_path / "AppData" / "Local")}
    places = usual_places("win32", environ)
    assert exe in places
    assert find_soffice(environ, platform="win32") == str(exe)


def test_soffice_setting_wins_and_may_hold_spaces_and_quotes(tmp_path):
    exe = _program(tmp_path / "Portable Apps" / "LibreOffice Portable" / "soffice.exe")
    _program(tmp_path / "Program Files" / "LibreOffice" / "program" / "soffice.exe")
    environ = {"SOFFICE": f'"{exe}"', "PATH": "", "ProgramFiles": str(tmp_path / "Program Files")}
    assert find_soffice(environ, platform="win32") == str(exe)


def test_soffice_setting_that_is_not_a_file(tmp_path):
    with pytest.raises(SofficeError, match="SOFFICE is set to .*which is not a file"):
        find_soffice({"SOFFICE": str(tmp_path / "nope.exe"), "PATH": ""}, platform="win32")


def test_path_comes_before_the_usual_folders(tmp_path, monkeypatch):
    on_path = _program(tmp_path / "bin" / "soffice")
    on_path.chmod(0o755)
    assert find_soffice({"PATH": str(tmp_path / "bin")}, platform="linux") == str(on_path)


@pytest.mark.parametrize(("platform", "hint"), [
    ("win32", "https://www.libreoffice.org/download"),
    ("darwin", "brew install --cask libreoffice"),
    ("linux", "apt-get install libreoffice-calc-nogui"),
])
def test_not_found_names_the_right_install_for_the_system(platform, hint, monkeypatch, tmp_path):
    monkeypatch.setattr(soffice, "usual_places", lambda *a, **k: [])
    with pytest.raises(SofficeError) as caught:
        find_soffice({"PATH": str(tmp_path)}, platform=platform)
    message = str(caught.value)
    assert hint in message and "SOFFICE" in message, message
    assert hint in install_hint(platform)


def test_macos_application_folder_is_a_usual_place():
    assert Path("/Applications/LibreOffice.app/Contents/MacOS/soffice") in usual_places("darwin", {"HOME": "/Users/a"})


def test_windows_stops_the_process_tree_with_taskkill(monkeypatch):
    """On Windows there is no killpg: taskkill /T stops soffice.exe and its soffice.bin."""
    calls = []
    monkeypatch.setattr(os, "name", "nt")
    monkeypatch.setattr(soffice.subprocess, "run", lambda args, **kw: calls.append(args))
    monkeypatch.setattr(soffice.os, "killpg", lambda *a: pytest.fail("killpg does not exist on Windows"),
                        raising=False)
    proc = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(30)"])
    try:
        soffice.stop_tree(proc)
    finally:
        proc.kill()
        proc.wait()
    assert calls == [["taskkill", "/F", "/T", "/PID", str(proc.pid)]]


def test_windows_starts_soffice_in_its_own_process_group(monkeypatch):
    monkeypatch.setattr(os, "name", "nt")
    monkeypatch.setattr(subprocess, "CREATE_NEW_PROCESS_GROUP", 0x200, raising=False)
    assert soffice._own_process_group() == {"creationflags": 0x200}
    monkeypatch.setattr(os, "name", "posix")
    assert soffice._own_process_group() == {"start_new_session": True}


@pytest.mark.slow
@pytest.mark.skipif(os.name != "posix", reason="a shell script stands in for soffice")
def test_a_time_out_stops_soffice_and_what_it_started(tmp_path):
    pids = tmp_path / "pids"
    script = tmp_path / "slow soffice"
    script.write_text(f'#!/bin/sh\necho $$ > "{pids}"\nsleep 60 &\necho $! >> "{pids}"\nwait\n')
    script.chmod(0o755)
    document = tmp_path / "book.xlsx"
    document.write_bytes(b"")
    with pytest.raises(SofficeError, match="did not finish within 1 s"):
        soffice.convert(str(script), [document], tmp_path, "pdf", tmp_path / "profile", timeout=1)
    for pid in map(int, pids.read_text().split()):
        assert not Path(f"/proc/{pid}").exists() or Path(f"/proc/{pid}/stat").read_text().split()[2] == "Z", pid

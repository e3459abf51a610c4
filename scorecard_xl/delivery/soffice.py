"""Find LibreOffice and run it headless, on Windows, macOS and Linux alike.

Analysts' laptops rarely have LibreOffice on PATH: on Windows it lives in
`C:\\Program Files\\LibreOffice\\program`, on macOS inside `LibreOffice.app`. So it is
looked for in this order: the `SOFFICE` environment variable (the full path of the
program, for an install anywhere else), PATH, then the usual install folders.

A conversion runs with a private profile folder (so a LibreOffice already open on the
machine does not interfere and the user's settings do not change the output) and a time
limit. `soffice` starts `soffice.bin`; on a time-out or an interruption both are stopped,
as a process tree: POSIX by its own process group, Windows with `taskkill /T`.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
from pathlib import Path

ENVIRONMENT_VARIABLE = "SOFFICE"


class SofficeError(Exception):
    """LibreOffice is missing, failed or took too long; the message says what to do."""


def install_hint(platform: str | None = None) -> str:
    """How to get LibreOffice on this kind of machine."""
    platform = platform or sys.platform
    if platform.startswith("win"):
        how = ("install LibreOffice from https://www.libreoffice.org/download (or ask IT for it); if it is "
               "installed somewhere unusual, set the environment variable SOFFICE to the full path of soffice.exe")
    elif platform == "darwin":
        how = ("install LibreOffice from https://www.libreoffice.org/download (or `brew install --cask "
               "libreoffice`); if it is installed somewhere unusual, set the environment variable SOFFICE to the "
               "full path of the soffice program")
    else:
        how = ("install LibreOffice: on Debian or Ubuntu `apt-get install libreoffice-calc-nogui`, on Fedora "
               "`dnf install libreoffice-calc`; or set the environment variable SOFFICE to the full path of the "
               "soffice program")
    return how


def usual_places(platform: str | None = None, environ: dict[str, str] | None = None) -> list[Path]:
    """Where LibreOffice's installers put the program, most usual first."""
    platform = platform or sys.platform
    environ = os.environ if environ is None else environ
    if platform.startswith("win"):
        roots = [environ.get(v) for v in ("ProgramFiles", "ProgramW6432", "ProgramFiles(x86)")]
        roots += [r"C:\Program Files", r"C:\Program Files (x86)"]
        local = environ.get("LOCALAPPDATA")
        if local:  # a per-user install, possible without administrator rights
            roots.append(str(Path(local) / "Programs"))
        places = [Path(root) / "LibreOffice" / "program" / "soffice.exe" for root in dict.fromkeys(filter(None, roots))]
        return places
    if platform == "darwin":
        home = environ.get("HOME", "")
        return [Path("/Applications/LibreOffice.app/Contents/MacOS/soffice"),
                *([Path(home) / "Applications/LibreOffice.app/Contents/MacOS/soffice"] if home else [])]
    opt = sorted(Path("/opt").glob("libreoffice*/program/soffice"), reverse=True)  # the newest version first
    return [Path("/usr/bin/soffice"), Path("/usr/lib/libreoffice/program/soffice"), *opt,
            Path("/snap/bin/libreoffice"), Path("/var/lib/flatpak/exports/bin/org.libreoffice.LibreOffice")]


def find_soffice(environ: dict[str, str] | None = None, platform: str | None = None) -> str:
    """The LibreOffice program to run, or SofficeError saying how to get it."""
    environ = os.environ if environ is None else environ
    chosen = environ.get(ENVIRONMENT_VARIABLE, "").strip().strip('"')
    if chosen:
        if Path(chosen).is_file():
            return chosen
        raise SofficeError(f"the environment variable {ENVIRONMENT_VARIABLE} is set to {chosen}, which is not a "
                           "file; set it to the full path of the soffice program, or unset it")
    for name in ("soffice", "libreoffice"):
        found = shutil.which(name, path=environ.get("PATH"))
        if found:
            return found
    for place in usual_places(platform, environ):
        if place.is_file():
            return str(place)
    raise SofficeError(f"printing a PDF needs LibreOffice, which was not found; {install_hint(platform)}")


def convert(soffice: str, documents: list[Path], out_dir: Path, to: str, profile: Path, timeout: float) -> list[Path]:
    """Convert `documents` to `to` (e.g. "pdf") in `out_dir`, in one LibreOffice run (it starts once
    for them all); the paths written, in order, or SofficeError."""
    expected = [out_dir / f"{document.stem}.{to.split(':')[0]}" for document in documents]
    args = [soffice, f"-env:UserInstallation={profile.as_uri()}", "--headless", "--norestore",
            "--nolockcheck", "--convert-to", to, "--outdir", str(out_dir), *map(str, documents)]
    try:
        proc = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, stdin=subprocess.DEVNULL,
                                **_own_process_group())
    except OSError as exc:
        raise SofficeError(f"cannot start LibreOffice ({soffice}): {exc.strerror or exc}; {install_hint()}") from None
    try:
        stdout, stderr = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        raise SofficeError(f"LibreOffice did not finish within {timeout:g} s and was stopped; is the machine "
                           "short of memory?") from None
    finally:  # a time-out, Ctrl+C or a stop signal: leave no soffice.bin behind
        if proc.poll() is None:
            stop_tree(proc)
    if proc.returncode == 0 and all(path.is_file() and path.stat().st_size > 0 for path in expected):
        return expected
    lines = [ln.strip() for ln in (stderr + stdout).decode("utf-8", "replace").splitlines()
             if ln.strip() and "javaldx" not in ln]
    raise SofficeError(f"exit code {proc.returncode}" + (f": {lines[-1]}" if lines else ""))


def _own_process_group() -> dict:
    """Start soffice in a process group of its own, so that it and soffice.bin can be stopped together."""
    if os.name == "nt":
        return {"creationflags": subprocess.CREATE_NEW_PROCESS_GROUP}
    return {"start_new_session": True}


def stop_tree(proc: subprocess.Popen) -> None:
    """Stop a process and every process it started."""
    if os.name == "nt":
        # taskkill ships with every Windows; /T takes the children (soffice.bin), /F does not ask.
        subprocess.run(["taskkill", "/F", "/T", "/PID", str(proc.pid)], stdout=subprocess.DEVNULL,
                       stderr=subprocess.DEVNULL, check=False)
    else:
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass
    try:
        proc.kill()  # in case the tree was already gone but the process itself was not
    except OSError:
        pass
    proc.communicate()

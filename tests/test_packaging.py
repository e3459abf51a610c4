"""The wheel holds what the checkout holds, and works from any folder.

Users install the built wheel, not the checkout. This builds it (pip wheel), checks that
every module and package of scorecard_xl/ and every bundled template is inside, then
installs it into an empty folder and runs the command from elsewhere with nothing of the
checkout importable (an editable install's finders are removed), so a module or data
file that only the checkout has makes these tests fail. `.ci/run` also installs the
wheel into a fresh virtual environment before the tests.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "samples" / "kent_liberi_export_2016-08.xlsx"

# Run the package from `site` only: drop the checkout's editable finders and the current folder.
RUNNER = """
import runpy, sys
site = sys.argv.pop(1)
sys.meta_path[:] = [f for f in sys.meta_path if "editable" not in repr(f).lower()]
sys.path[:] = [site] + [p for p in sys.path if p and "editable" not in p.lower()]
sys.argv[0] = "scorecard-xl"
runpy.run_module("scorecard_xl", run_name="__main__", alter_sys=True)
"""


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    """Built from a copy of what the build reads, so setuptools' build/ folder (which can carry
    files from an earlier build into a wheel) is neither used nor left in the checkout."""
    return _build(_source_copy(tmp_path_factory.mktemp("source")), tmp_path_factory.mktemp("dist"))


def _source_copy(source: Path) -> Path:
    source.mkdir(parents=True, exist_ok=True)
    for name in ("pyproject.toml", "setup.py", "README.md"):
        shutil.copy2(ROOT / name, source / name)
    for folder in ("scorecard_xl", "workbook_templates"):
        shutil.copytree(ROOT / folder, source / folder, ignore=shutil.ignore_patterns("__pycache__"))
    return source


def _build(source: Path, dist: Path) -> Path:
    proc = subprocess.run([sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "-w", str(dist), str(source)],
                          capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    (built,) = dist.glob("scorecard_xl-*.whl")
    return built


def _modules(names) -> set[str]:
    return {n for n in names if n.startswith("scorecard_xl/") and n.endswith(".py")}


@pytest.fixture(scope="module")
def site(wheel, tmp_path_factory) -> Path:
    target = tmp_path_factory.mktemp("site")
    proc = subprocess.run([sys.executable, "-m", "pip", "install", "-q", "--no-deps", "--target", str(target),
                           str(wheel)], capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    return target


def _run(site: Path, *args, cwd: Path) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "SOURCE_DATE_EPOCH")}
    return subprocess.run([sys.executable, "-c", RUNNER, str(site), *map(str, args)], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=300)


@pytest.mark.slow
def test_wheel_holds_every_module_and_template(wheel):
    names = set(zipfile.ZipFile(wheel).namelist())
    package = ROOT / "scorecard_xl"
    modules = {p.relative_to(ROOT).as_posix() for p in package.rglob("*.py") if "__pycache__" not in p.parts}
    assert modules and not modules - names, f"missing from the wheel: {sorted(modules - names)}"
    folders = {p.parent.relative_to(ROOT).as_posix() for p in package.rglob("*.py")}
    assert all(f"{folder}/__init__.py" in names for folder in folders), "a package folder lacks its __init__.py"
    templates = {f"scorecard_xl/workbook_templates/{p.name}" for p in (ROOT / "workbook_templates").glob("*.yaml")}
    assert templates and not templates - names, f"templates missing: {sorted(templates - names)}"
    data = {p.relative_to(ROOT).as_posix() for p in package.rglob("*.yaml")}  # e.g. annex_a/lists.yaml
    assert data and not data - names, f"data files missing: {sorted(data - names)}"
    assert not [n for n in names if n.startswith(("tests/", "samples/", "benchmarks/"))]
    assert _modules(names) == modules, f"in the wheel, not the checkout: {sorted(_modules(names) - modules)}"


@pytest.mark.slow
def test_a_module_gone_since_an_earlier_build_is_not_in_the_wheel(tmp_path):
    """An earlier build in the same folder left build/lib behind, with a module since moved away
    (as workbook/rowstream.py moved to workbook/xlsx/): the wheel holds the checkout, not that."""
    source = _source_copy(tmp_path / "source")
    stale = source / "build" / "lib" / "scorecard_xl" / "workbook" / "rowstream.py"
    stale.parent.mkdir(parents=True)
    stale.write_text("# from an earlier build\n", encoding="utf-8")
    names = zipfile.ZipFile(_build(source, tmp_path / "dist")).namelist()
    assert "scorecard_xl/workbook/rowstream.py" not in names
    assert "scorecard_xl/workbook/xlsx/rowstream.py" in names


def test_the_readme_names_the_wheel_of_this_version(wheel):
    """The README tells an analyst which file to install: the wheel this checkout builds."""
    assert f"pip install {wheel.name}" in (ROOT / "README.md").read_text(encoding="utf-8")


def test_wheel_declares_the_console_script(wheel):
    with zipfile.ZipFile(wheel) as archive:
        entry_points = next(n for n in archive.namelist() if n.endswith("entry_points.txt"))
        text = archive.read(entry_points).decode()
    assert "scorecard-xl = scorecard_xl.cli:console_main" in text


@pytest.mark.slow
def test_installed_wheel_runs_from_another_folder(site, tmp_path):
    version = _run(site, "--version", cwd=tmp_path)
    assert version.returncode == 0 and version.stdout.startswith("scorecard-xl "), version.stderr
    listed = _run(site, "templates", cwd=tmp_path)
    assert listed.returncode == 0 and "kent_scs" in listed.stdout.split(), listed.stdout + listed.stderr
    generated = _run(site, "generate", SAMPLE, "-o", "scorecard.xlsx", cwd=tmp_path)
    assert generated.returncode == 0, generated.stdout + generated.stderr
    assert "22 Green, 20 Amber, 3 Red" in generated.stdout
    blank = _run(site, "template", "-o", "input.xlsx", cwd=tmp_path)
    assert blank.returncode == 0, blank.stdout + blank.stderr
    assert (tmp_path / "scorecard.xlsx").is_file() and (tmp_path / "input.xlsx").is_file()
    annex = sorted((ROOT / "samples" / "annex_a").glob("annex-a-2016-0[78]-*.xlsx"))
    computed = _run(site, "annex-a", *annex, "-o", "from-annex-a.xlsx", cwd=tmp_path)
    assert computed.returncode == 0, computed.stdout + computed.stderr
    assert "from 2 Annex A file(s)" in computed.stdout


def test_installed_package_is_the_one_that_ran(site, tmp_path):
    """The runner really runs the wheel's copy, not the checkout's."""
    code = "import scorecard_xl, sys; print(scorecard_xl.__file__)"
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    runner = RUNNER.replace('runpy.run_module("scorecard_xl", run_name="__main__", alter_sys=True)', code)
    proc = subprocess.run([sys.executable, "-c", runner, str(site)], cwd=tmp_path, env=env, capture_output=True,
                          text=True, timeout=60)
    assert Path(proc.stdout.strip()).is_relative_to(site), proc.stdout + proc.stderr


def test_tests_run_the_command_through_this_interpreter():
    """A test environment whose scripts folder is not on PATH (a venv not activated, Windows' user
    Scripts folder) still runs every test: the tests start the command as `python -m scorecard_xl`,
    never by the name `scorecard-xl` looked up on PATH."""
    import re

    by_name = re.compile(r"""(?:run|Popen|call|check_output)\(\s*\[\s*["']scorecard-xl["']""")
    found = [f"{path.name}:{n}" for path in sorted(Path(__file__).parent.glob("*.py"))
             for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1) if by_name.search(line)]
    assert found == [], f"run by name from PATH: {found}"

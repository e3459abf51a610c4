"""Every "before any work" check comes first, and no temporary file is left on any failure:
the files of a run are checked before the export is read (or, when their names carry a month
the export alone gives, before anything is calculated), by creating a file where they go."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from workbook_fixtures import SAMPLE, run_cli

from scorecard_xl import generate
from scorecard_xl.files import FileSet, WriteError
from scorecard_xl.progress import Stages


def _listing(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir())


@pytest.fixture
def east_kent_open_in_excel(tmp_path, immutable) -> Path:
    """East Kent's August workbook in tmp_path, locked as Excel locks an open workbook."""
    locked = tmp_path / "scorecard-2016-08-east-kent.xlsx"
    locked.write_bytes(b"an earlier workbook, open in Excel")
    immutable(locked)
    return locked


def test_each_target_open_in_excel_is_found_before_calculating(tmp_path, east_kent_open_in_excel):
    stages = Stages(enabled=False)
    with pytest.raises(WriteError, match="scorecard-2016-08-east-kent.xlsx is open in another program"):
        generate(SAMPLE, each=["Area"], out_dir=tmp_path, stages=stages)
    assert "Calculating" not in stages.timings  # the month came from the export; nothing was calculated
    assert _listing(tmp_path) == ["scorecard-2016-08-east-kent.xlsx"]


def test_with_the_month_given_each_target_is_checked_before_reading(tmp_path, east_kent_open_in_excel):
    stages = Stages(enabled=False)
    with pytest.raises(WriteError, match="open in another program"):
        generate(SAMPLE, each=["Area"], out_dir=tmp_path, month="2016-08", stages=stages)
    assert stages.timings == {}  # not even read


def test_a_folder_that_takes_no_new_files_is_found_before_reading(tmp_path, immutable):
    folder = tmp_path / "out"
    folder.mkdir()
    immutable(folder)  # as root, permissions do not stop a new file; an immutable folder does
    for options in ({}, {"month": "2016-08"}):
        stages = Stages(enabled=False)
        with pytest.raises(WriteError, match="does not allow new files"):
            generate(SAMPLE, each=["Area"], out_dir=folder, stages=stages, **options)
        assert stages.timings == {}
    assert _listing(folder) == []


@pytest.mark.slow
def test_a_name_near_the_file_systems_limit(tmp_path):
    """The hidden temporary name is short whatever the target's: a name the file system takes works,
    and one it refuses is named, not a temporary one, before any work."""
    longest = tmp_path / ("s" * (255 - len(".xlsx")) + ".xlsx")
    result = run_cli("generate", SAMPLE, "-o", longest, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert _listing(tmp_path) == [longest.name]
    too_long = tmp_path / ("t" * 252 + ".xlsx")
    result = run_cli("generate", SAMPLE, "-o", too_long, cwd=tmp_path)
    assert result.returncode == 1
    assert f"cannot write {too_long}: its name is too long for the file system (257 characters)" in result.stderr
    assert ".tmp" not in result.stderr and "Traceback" not in result.stderr
    # The companion's name (NAME-data.xlsx) is five characters longer than the workbook's.
    result = run_cli("generate", SAMPLE, "-o", longest, "--raw-data", "separate", cwd=tmp_path)
    assert result.returncode == 1
    assert "-data.xlsx: its name is too long for the file system (260 characters)" in result.stderr
    assert _listing(tmp_path) == [longest.name]


def test_two_targets_of_one_name_leave_no_temporary_file(tmp_path):
    a = tmp_path / "Out.xlsx"
    with pytest.raises(WriteError, match="two files of this run would have that name"):
        with FileSet([a, tmp_path / "out.xlsx" if os.name == "nt" else a]):
            pass
    assert _listing(tmp_path) == []


def test_a_failure_while_writing_leaves_no_temporary_file(tmp_path):
    with pytest.raises(RuntimeError):
        with FileSet([tmp_path / "a.xlsx", tmp_path / "b.pdf"]) as files:
            files.temporary(tmp_path / "a.xlsx").write_bytes(b"half")
            raise RuntimeError("the writer failed")
    assert _listing(tmp_path) == []

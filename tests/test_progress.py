"""Progress shows on a terminal only, and every stage is timed either way."""

from __future__ import annotations

import subprocess
import sys

from scorecard_xl.progress import Stages


def test_disabled_prints_nothing_but_times_each_stage(capsys):
    with Stages(enabled=False) as stages:
        with stages.stage("Reading"):
            pass
        with stages.stage("Writing"):
            pass
    captured = capsys.readouterr()
    assert captured.out == "" and captured.err == ""
    assert list(stages.timings) == ["Reading", "Writing"]


def test_enabled_lists_the_stages_on_stderr(capsys):
    with Stages(enabled=True) as stages:
        with stages.stage("Calculating"):
            pass
    captured = capsys.readouterr()
    assert "Calculating" in captured.err and captured.out == ""


def test_not_a_terminal_means_no_progress(tmp_path):
    """Run as a scheduled job would: stderr is a pipe, so only warnings and errors appear on it."""
    code = "import sys; from scorecard_xl.progress import Stages; print(Stages().enabled, file=sys.stderr)"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stderr.strip() == "False"

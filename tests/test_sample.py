"""The committed sample export agrees with its plain-text sources.

samples/kent_sample_check.py is the sample builder's own, independent check (loops and
exact fractions, no engine code): it reads the committed workbook back and compares it
with samples/sources/. test_acceptance.py then checks the engine against the published
reference. A sample rebuilt by `python samples/build_kent_sample.py` must pass both.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "samples"))

import kent_sample_check  # noqa: E402

from scorecard_xl.engine.template import load_template  # noqa: E402


@pytest.mark.slow
def test_committed_sample_matches_its_sources():
    problems, compared = kent_sample_check.check_workbook(
        ROOT / "samples" / "kent_liberi_export_2016-08.xlsx", load_template(), ROOT / "samples" / "sources")
    assert compared > 1000
    assert problems == []

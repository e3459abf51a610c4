"""The benchmark runs: a tiny synthetic export through generate, the baseline and the floor.

Checks only that each measurement produces its numbers and the report has the expected
rows and columns; no timing is asserted (see benchmarks/README.md for the figures).
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parent.parent / "benchmarks"
sys.path.insert(0, str(BENCH))

import make_export  # noqa: E402
import run  # noqa: E402

pytestmark = pytest.mark.filterwarnings("ignore:Sparkline Group extension is not supported")

PARAMS = {"councils": 2, "areas": 1, "teams": 1, "months": 24, "indicators": 20}  # 1,920 indicator rows


@pytest.fixture(scope="module")
def export(tmp_path_factory):
    path, template = make_export.make_export(tmp_path_factory.mktemp("bench") / "tiny.xlsx", **PARAMS)
    return path, template


def test_rows_for_parameters():
    assert make_export.indicator_rows(**PARAMS) == 1_920
    assert make_export.indicator_rows(**make_export.params_for_rows(1_000_000)) == 1_008_000
    for name, params in run.SIZES.items():
        target = {"10k": 10_000, "100k": 100_000, "1m": 1_000_000}[name]
        assert target <= make_export.indicator_rows(**params) < 1.01 * target


def test_generate_baseline_floor_and_report(export, tmp_path):
    path, template = export
    tables = run.output_tables(path, template)
    assert {name for name, _ in tables["baseline"]} == set(run.BASELINE_SHEETS)

    gen = run.measure_generate(path, template, tmp_path / "generate.xlsx")
    base = run.measure_baseline(path, tables, tmp_path / "baseline.xlsx")
    floor = run.measure_floor(path, tables, tmp_path / "floor.xlsx")

    assert gen["indicator_rows"] == 1_920 and gen["activity_rows"] == 2 * 24
    assert set(gen["steps"]) == {"import", *run.STAGES}
    assert base["rows_read"] == {"Activity": 48, "Indicators": 1_920}
    assert floor["rows_read"]["Indicators"] == 1_921  # with the header row
    for result in (gen, base, floor):
        assert result["output_bytes"] > 0 and result["peak_mb"] > 0
        assert all(step["s"] >= 0 and step["mb"] > 0 for step in result["steps"].values())

    size = {"name": "tiny", "runs": 1, "input_bytes": path.stat().st_size, "generate": gen, "baseline": base,
            "floor": floor, "end_to_end": {"s": 1.0, "cpu": 1.0, "mb": 100.0}}
    lines = run.size_table(size).splitlines()
    assert lines[0].startswith("size tiny: 1,920 indicator rows")
    measures = [line.split("  ")[0] for line in lines[3:]]
    assert measures == [
        "generate: import + template", *[f"generate: {s}" for s in run.STAGES], "generate: total (5 stages)",
        "generate: end to end (CLI)", "baseline: read (pandas/openpyxl)", "baseline: write (pandas/openpyxl)",
        "baseline: total", "floor: read (calamine)", "floor: write (XlsxWriter constant_memory)", "floor: total",
        "speed-up: baseline / generate", "generate / floor",
    ]
    summary = run.summary_table([size]).splitlines()
    assert len(summary) == 3
    assert [len(line.strip("|").split("|")) for line in summary] == [16, 16, 16]
    assert len(run.calculator_table([size]).splitlines()) == 3


def test_child_process_measurement(export, tmp_path):
    path, template = export
    result = run.run_child("generate", path, template, tmp_path / "child.xlsx")
    assert result["indicator_rows"] == 1_920
    assert result["process_s"] > 0 and result["process_peak_mb"] >= result["peak_mb"] * 0.9

"""Benchmark `scorecard-xl generate` against a pandas/openpyxl baseline and a read/write floor.

    python benchmarks/run.py                          # kent, 10k, 100k
    python benchmarks/run.py --sizes kent,10k,100k,1m # add a million indicator rows
    python benchmarks/run.py --sizes 1m --runs 1 --profile 1m

For each size, on the same input, every measurement runs in its own fresh Python process
(peak memory is that process's VmHWM, reset between stages with /proc/self/clear_refs):

- generate: the package's stages, each timed (read = reader.read_sheets, validate =
  reader.check_export, calculate = calculator.calculate, lay out = layout.workbook_layout,
  write = writer.write_workbook), and end to end: `scorecard-xl generate INPUT -o OUT
  --template T` from process start to the workbook closed (renamed into place), and to exit;
- baseline: what a user would write instead: pandas read_excel(engine="openpyxl") of the
  Activity and Indicators sheets, and DataFrame.to_excel(engine="openpyxl") of the same
  output tables generate writes (Results, Definitions, Activity Data, Indicator Data);
- floor: python-calamine reading the same input cells, and XlsxWriter in constant_memory
  mode writing the same output cells (every cell of every sheet of generate's workbook:
  same rows, columns and values) with plain typed writes, nothing else.

Times are medians over --runs runs (default 5; 1 for the 1m size); peak memory is the
largest of the runs. Each size's report is also written to benchmarks/results/<date>-<size>.txt.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))
if str(HERE) not in sys.path:
    sys.path.insert(0, str(HERE))

KENT_INPUT = ROOT / "samples" / "kent_liberi_export_2016-08.xlsx"
KENT_TEMPLATE = "kent_scs"
RESULTS_DIR = HERE / "results"

# Synthetic sizes: make_export parameters (56 months, 45 indicators: teams x 45 x 2 x 56 rows).
SIZES = {
    "10k": {"councils": 1, "areas": 1, "teams": 2, "months": 56, "indicators": 45},     # 10,080 rows
    "100k": {"councils": 2, "areas": 2, "teams": 5, "months": 56, "indicators": 45},    # 100,800 rows
    "1m": {"councils": 5, "areas": 4, "teams": 10, "months": 56, "indicators": 45},     # 1,008,000 rows
}
STAGES = ("read", "validate", "calculate", "lay out", "write")
BASELINE_SHEETS = ("Results", "Definitions", "Activity Data", "Indicator Data")


# ============================================================================ memory

def scrub_paths(text: str) -> str:
    """Recorded results name files relative to the repository and site-packages, not this machine."""
    import site
    import sysconfig
    import tempfile

    paths = sysconfig.get_paths()
    prefixes = [(str(ROOT) + "/", ""), (tempfile.gettempdir() + "/", "$TMPDIR/"),
                (paths["purelib"] + "/", "site-packages/"),
                *((p + "/", "site-packages/") for p in site.getsitepackages()),
                (paths["stdlib"] + "/", "stdlib/"), (paths["scripts"] + "/", "")]
    for prefix, short in prefixes:
        text = text.replace(prefix, short)
    return text


def peak_mb() -> float:
    """This process's peak resident memory since start (or the last reset), in MB."""
    try:
        status = Path("/proc/self/status").read_text()
        return int(re.search(r"VmHWM:\s+(\d+)", status)[1]) / 1024
    except (OSError, TypeError):
        import resource

        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def reset_peak() -> bool:
    """Reset the peak to the current resident size (Linux 4.0+); False if not possible."""
    try:
        with open("/proc/self/clear_refs", "w") as fh:
            fh.write("5")
        return True
    except OSError:
        return False


class ChildFailed(RuntimeError):
    def __init__(self, message: str, seconds: float, peak_mb: float):
        super().__init__(message)
        self.seconds, self.peak_mb = seconds, peak_mb


class Meter:
    """Wall time and peak memory of named steps, each step's peak measured from its own start."""

    def __init__(self) -> None:
        self.steps: dict[str, dict[str, float]] = {}
        self.overall_peak = peak_mb()

    def step(self, name: str):
        meter = self

        class _Step:
            def __enter__(self):
                meter.overall_peak = max(meter.overall_peak, peak_mb())
                reset_peak()
                self.start = time.perf_counter()
                self.cpu = time.process_time()

            def __exit__(self, *exc):
                seconds = time.perf_counter() - self.start
                cpu = time.process_time() - self.cpu
                peak = peak_mb()
                meter.overall_peak = max(meter.overall_peak, peak)
                meter.steps[name] = {"s": seconds, "cpu": cpu, "mb": peak}

        return _Step()


# ============================================================================ the three measurements
# Each function runs in the calling process; main() runs each in a fresh child process.

def _stage_name(description: str) -> str:
    """pipeline.py's stage descriptions ("Reading the export", ...) as this report's stage names."""
    text = description.lower()
    for key, name in (("read", "read"), ("check", "validate"), ("valid", "validate"), ("calcul", "calculate"),
                      ("lay", "lay out"), ("writ", "write")):
        if key in text:
            return name
    return description


class _StageMeter:
    """Stands in for scorecard_xl.progress.Stages: pipeline.generate reports its stages here."""

    def __init__(self, meter: Meter):
        self.meter = meter
        self.timings: dict[str, float] = {}

    def __enter__(self):
        return self

    def __exit__(self, *exc) -> None:
        pass

    def stage(self, description: str):
        return self.meter.step(_stage_name(description))


def measure_generate(input_path: str | Path, template: str | Path, out: str | Path) -> dict:
    """generate's stages, as the CLI runs them, each timed, with its peak memory.

    Runs scorecard_xl.pipeline.generate (what `scorecard-xl generate` calls; generate_workbook
    in older packages) with a stage recorder; with a package older than pipeline.py, runs the
    same stages by hand.
    """
    meter = Meter()
    input_path, out = Path(input_path), Path(out)
    with meter.step("import"):
        from scorecard_xl.engine.template import load_template

        try:
            from scorecard_xl.pipeline import generate as pipeline_generate

            def generate_workbook(input_path, tmpl, out, stages):
                return pipeline_generate(input_path, out, template=tmpl, stages=stages)
        except ImportError:
            try:
                from scorecard_xl.pipeline import generate_workbook
            except ImportError:
                generate_workbook = None
        tmpl = load_template(template)
    if generate_workbook is not None:
        generated = generate_workbook(input_path, tmpl, out, stages=_StageMeter(meter))
        indicator_rows = _rows_read(generated, "Indicators")
        activity_rows = _rows_read(generated, "Activity")
        results_rows = len(generated.scorecard.results)
    else:  # the stages by hand, as cli.generate ran them before pipeline.py
        import datetime as _dt
        import hashlib

        from scorecard_xl.engine.calculator import calculate
        from scorecard_xl.reading import reader
        from scorecard_xl.workbook.layout import workbook_layout
        from scorecard_xl.workbook.writer import write_workbook

        with meter.step("read"):
            sheets = reader.read_sheets(input_path)
        with meter.step("validate"):
            export = reader.check_export(sheets, input_path, tmpl)
        del sheets
        with meter.step("calculate"):
            scorecard = calculate(export, tmpl)
        with meter.step("lay out"):
            source = {"name": input_path.name, "sha256": hashlib.sha256(input_path.read_bytes()).hexdigest(),
                      "produced": _dt.date.today().isoformat(), "companion": f"{out.stem}-data{out.suffix}"}
            main, _ = workbook_layout(scorecard, tmpl, export, source, "include")
        with meter.step("write"):
            write_workbook(main, out)
        indicator_rows, activity_rows = len(export.indicators), len(export.activity)
        results_rows = len(scorecard.results)
    missing = [s for s in STAGES if s not in meter.steps]
    if missing:
        raise RuntimeError(f"stages not reported by the pipeline: {missing}; seen {list(meter.steps)}")
    return {
        "steps": meter.steps,
        "total_s": sum(meter.steps[s]["s"] for s in STAGES),
        "total_cpu": sum(meter.steps[s]["cpu"] for s in STAGES),
        "peak_mb": meter.overall_peak,
        "indicator_rows": indicator_rows,
        "activity_rows": activity_rows,
        "results_rows": results_rows,
        "output_bytes": out.stat().st_size,
    }


def _rows_read(generated, sheet: str) -> int:
    """Rows read from an input sheet, from the Data Quality table of the generated layout."""
    for layout_sheet in generated.layout.sheets:
        if layout_sheet.name == "Data Quality":
            frame = layout_sheet.tables[0].frame
            return int(frame.loc[frame["Sheet"] == sheet, "Rows Read"].iloc[0])
    raise LookupError("no Data Quality sheet")


def output_tables(input_path: str | Path, template: str | Path) -> dict:
    """Every sheet of generate's workbook as plain data: its cells and its tables' frames.

    {"sheets": [{"name", "cells": [(row, col, value)], "tables": [(first_row, frame)]}],
     "baseline": [(sheet name, frame)] for Results, Definitions, Activity Data, Indicator Data}
    """
    from scorecard_xl.engine.calculator import calculate
    from scorecard_xl.engine.template import load_template
    from scorecard_xl.reading.reader import read_export
    from scorecard_xl.workbook.layout import workbook_layout

    tmpl = load_template(template)
    export = read_export(Path(input_path), tmpl)
    scorecard = calculate(export, tmpl)
    source = {"name": Path(input_path).name, "sha256": "0" * 64, "produced": "2016-09-01", "companion": "x"}
    main, _ = workbook_layout(scorecard, tmpl, export, source, "include")
    sheets, baseline = [], []
    for sheet in main.sheets:
        sheets.append({"name": sheet.name, "cells": [(c.row, c.col, c.value) for c in sheet.cells],
                       "tables": [(t.first_row, t.frame) for t in sheet.tables]})
        if sheet.name.split(" (")[0] in BASELINE_SHEETS:
            baseline.extend((sheet.name, t.frame) for t in sheet.tables)
    return {"sheets": sheets, "baseline": baseline}


def measure_baseline(input_path: str | Path, tables: dict, out: str | Path) -> dict:
    """pandas + openpyxl: read the two input sheets; write the same output tables."""
    import pandas as pd

    meter = Meter()
    with meter.step("read"):
        frames = pd.read_excel(input_path, sheet_name=["Activity", "Indicators"], engine="openpyxl")
    rows = {k: len(v) for k, v in frames.items()}
    del frames
    with meter.step("write"):
        with pd.ExcelWriter(out, engine="openpyxl") as writer:
            for name, frame in tables["baseline"]:
                frame.to_excel(writer, sheet_name=name, index=False)
    return {"steps": meter.steps, "total_s": meter.steps["read"]["s"] + meter.steps["write"]["s"],
            "total_cpu": meter.steps["read"]["cpu"] + meter.steps["write"]["cpu"],
            "peak_mb": meter.overall_peak, "rows_read": rows, "output_bytes": Path(out).stat().st_size,
            "cells": sum(f.size + len(f.columns) for _, f in tables["baseline"])}


def _floor_columns(frame) -> list[tuple[str, list]]:
    """Each column as ('n' number | 'd' date serial | 's' text, values with None for missing). Untimed."""
    import numpy as np
    import pandas as pd

    columns = []
    for name in frame.columns:
        s = frame[name]
        if pd.api.types.is_datetime64_any_dtype(s):
            serial = ((s - pd.Timestamp("1899-12-30")) / pd.Timedelta(days=1)).astype("float64").to_numpy()
            kind, values = "d", serial
        elif pd.api.types.is_numeric_dtype(s) and not pd.api.types.is_bool_dtype(s):
            kind, values = "n", pd.to_numeric(s).astype("float64").to_numpy()
        else:
            columns.append(("s", [None if v is None or v is pd.NA or (isinstance(v, float) and v != v)
                                  else str(v) for v in s.tolist()]))
            continue
        values = values.astype(object)
        values[np.isnan(values.astype(float))] = None
        columns.append((kind, values.tolist()))
    return columns


def _cell_kind(value) -> tuple[str, object] | None:
    import datetime as _dt
    import math

    import pandas as pd

    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, (pd.Timestamp, _dt.datetime, _dt.date)):
        return "d", (pd.Timestamp(value) - pd.Timestamp("1899-12-30")) / pd.Timedelta(days=1)
    if isinstance(value, bool):
        return "b", value
    if isinstance(value, (int, float)) or hasattr(value, "dtype"):
        number = float(value)
        return None if math.isnan(number) else ("n", number)
    return "s", str(value)


STREAM_MIN_ROWS = 2_000  # as writer.py: tables this long are the last thing on their sheet


def measure_floor(input_path: str | Path, tables: dict, out: str | Path) -> dict:
    """python-calamine reading every input sheet; XlsxWriter (constant_memory) writing every output cell."""
    import xlsxwriter
    from python_calamine import CalamineWorkbook

    meter = Meter()
    with meter.step("read"):
        workbook = CalamineWorkbook.from_path(str(input_path))
        read = {name: workbook.get_sheet_by_name(name).to_python() for name in workbook.sheet_names}
    rows = {k: len(v) for k, v in read.items()}
    del read, workbook

    # Untimed: the values as typed Python lists, in row order per sheet.
    plan = []
    for sheet in tables["sheets"]:
        small: dict[int, list] = {}
        big = []
        for row, col, value in sheet["cells"]:
            typed = _cell_kind(value)
            if typed:
                small.setdefault(row, []).append((col, *typed))
        for first_row, frame in sheet["tables"]:
            header = [(col, "s", str(name)) for col, name in enumerate(frame.columns)]
            if len(frame) >= STREAM_MIN_ROWS:
                big.append((first_row, header, _floor_columns(frame), len(frame)))
                continue
            small.setdefault(first_row, []).extend(header)
            for col, (kind, values) in enumerate(_floor_columns(frame)):
                for i, v in enumerate(values):
                    if v is not None:
                        small.setdefault(first_row + 1 + i, []).append((col, kind, v))
        plan.append((sheet["name"], sorted(small.items()), big))

    cells = 0
    with meter.step("write"):
        book = xlsxwriter.Workbook(str(out), {"constant_memory": True, "strings_to_formulas": False,
                                              "strings_to_urls": False, "strings_to_numbers": False})
        date_fmt = book.add_format({"num_format": "yyyy-mm-dd"})
        for name, small, big in plan:
            ws = book.add_worksheet(name)
            by_kind = {"n": ws.write_number, "s": ws.write_string, "b": ws.write_boolean}
            for row, items in small:
                for col, kind, value in sorted(items, key=lambda item: item[0]):
                    if kind == "d":
                        ws.write_number(row, col, value, date_fmt)
                    else:
                        by_kind[kind](row, col, value)
                    cells += 1
            for first_row, header, columns, n in big:
                for col, _, text in header:
                    ws.write_string(first_row, col, text)
                writers = [(col, ws.write_string if kind == "s" else ws.write_number,
                            date_fmt if kind == "d" else None, values)
                           for col, (kind, values) in enumerate(columns)]
                for i in range(n):
                    row = first_row + 1 + i
                    for col, write, fmt, values in writers:
                        value = values[i]
                        if value is not None:
                            write(row, col, value, fmt)
                            cells += 1
                cells += len(header)
        book.close()
    return {"steps": meter.steps, "total_s": meter.steps["read"]["s"] + meter.steps["write"]["s"],
            "total_cpu": meter.steps["read"]["cpu"] + meter.steps["write"]["cpu"],
            "peak_mb": meter.overall_peak, "rows_read": rows, "cells": cells,
            "output_bytes": Path(out).stat().st_size}


def profile_generate(input_path: str | Path, template: str | Path, out: str | Path, top: int = 20) -> str:
    """cProfile of generate's stages: the top functions by cumulative time."""
    import cProfile
    import io
    import pstats

    profiler = cProfile.Profile()
    profiler.enable()
    result = measure_generate(input_path, template, out)
    profiler.disable()
    text = io.StringIO()
    stats = pstats.Stats(profiler, stream=text)
    stats.sort_stats("cumulative").print_stats(top)
    body = text.getvalue()
    body = body[body.find("   ncalls"):] if "   ncalls" in body else body
    stages = ", ".join(f"{s} {result['steps'][s]['s']:.2f}s" for s in STAGES)
    return f"cProfile of generate (under the profiler: {stages}), top {top} by cumulative time:\n{body.rstrip()}"


# ============================================================================ child processes

def _child(args: argparse.Namespace) -> None:
    """Run one measurement in this (fresh) process and print its result as JSON."""
    import pickle

    mode = args.child
    if mode == "generate":
        result = measure_generate(args.input, args.template, args.out)
    elif mode == "tables":
        with open(args.tables, "wb") as fh:
            pickle.dump(output_tables(args.input, args.template), fh, protocol=pickle.HIGHEST_PROTOCOL)
        result = {}
    elif mode in ("baseline", "floor"):
        _limit_memory()
        with open(args.tables, "rb") as fh:
            tables = pickle.load(fh)  # untimed: the output tables, as a user would already have them
        measure = measure_baseline if mode == "baseline" else measure_floor
        result = measure(args.input, tables, args.out)
    elif mode == "profile":
        result = {"text": profile_generate(args.input, args.template, args.out)}
    else:
        raise SystemExit(f"unknown child mode {mode}")
    print("RESULT " + json.dumps(result))


def _limit_memory(share: float = 0.85) -> None:
    """Fail with MemoryError rather than push the machine into swap or the OOM killer."""
    try:
        import resource

        kb = int(re.search(r"MemTotal:\s+(\d+)", Path("/proc/meminfo").read_text())[1])
        limit = int(kb * 1024 * share)
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    except (OSError, TypeError, ValueError, ImportError):
        pass


def run_child(mode: str, input_path: Path, template: str, out: Path, tables: Path | None = None,
              timeout: float | None = None) -> dict:
    """Run one measurement in a fresh process; its JSON result plus the process's own peak (wait4)."""
    cmd = [sys.executable, str(Path(__file__).resolve()), "--child", mode, "--input", str(input_path),
           "--template", str(template), "--out", str(out)]
    if tables is not None:
        cmd += ["--tables", str(tables)]
    rc, seconds, maxrss, stdout, stderr = _run(cmd, timeout)
    if rc != 0:
        raise ChildFailed(f"{mode} child failed (exit {rc}):\n{stderr[-3000:]}", seconds, maxrss)
    line = next(text for text in reversed(stdout.splitlines()) if text.startswith("RESULT "))
    result = json.loads(line[len("RESULT "):])
    result["process_s"], result["process_cpu"], result["process_peak_mb"] = seconds, _run.cpu, maxrss
    return result


def _run(cmd: list[str], timeout: float | None = None, cwd: Path | None = None, watch: Path | None = None):
    """(exit code, wall seconds, peak memory MB of that process, stdout, stderr).

    With `watch`, _run.appeared is the seconds from start until that file first exists
    (checked every 2 ms; None if never seen while the process ran).
    """
    _run.appeared = None
    with tempfile.TemporaryFile("w+") as out, tempfile.TemporaryFile("w+") as err:
        start = time.perf_counter()
        proc = subprocess.Popen(cmd, stdout=out, stderr=err, cwd=cwd)
        deadline = None if timeout is None else start + timeout
        while True:
            pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
            if pid:
                break
            if watch is not None and _run.appeared is None and watch.exists():
                _run.appeared = time.perf_counter() - start
            if deadline and time.perf_counter() > deadline:
                proc.kill()
                pid, status, usage = os.wait4(proc.pid, 0)
                seconds = time.perf_counter() - start
                out.seek(0), err.seek(0)
                _run.cpu = usage.ru_utime + usage.ru_stime
                return -9, seconds, usage.ru_maxrss / 1024, out.read(), "timeout"
            time.sleep(0.002)
        seconds = time.perf_counter() - start
        _run.cpu = usage.ru_utime + usage.ru_stime  # CPU seconds of that process (all its threads)
        proc.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0), err.seek(0)
        return proc.returncode, seconds, usage.ru_maxrss / 1024, out.read(), err.read()


def cpu_busy(interval: float = 0.5) -> float | None:
    """The share of all CPUs busy over `interval` seconds (this process is asleep meanwhile)."""
    def sample():
        fields = [int(x) for x in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
        idle = fields[3] + (fields[4] if len(fields) > 4 else 0)
        return sum(fields[:8]), idle
    try:
        total0, idle0 = sample()
        time.sleep(interval)
        total1, idle1 = sample()
    except (OSError, ValueError, IndexError):
        return None
    return 1 - (idle1 - idle0) / max(1, total1 - total0)


def wait_for_quiet(max_wait: float, threshold: float = 0.25) -> float | None:
    """Wait (up to max_wait s) until other processes leave the CPUs mostly idle; the last load seen."""
    deadline = time.monotonic() + max_wait
    busy = cpu_busy()
    while busy is not None and busy > threshold and time.monotonic() < deadline:
        time.sleep(1)
        busy = cpu_busy()
    return busy


def scorecard_command() -> list[str]:
    """The console script as installed beside this Python (not a version manager's shim)."""
    beside = Path(sys.executable).parent / "scorecard-xl"
    if beside.exists():
        return [str(beside)]
    found = shutil.which("scorecard-xl")
    return [found] if found else [sys.executable, "-m", "scorecard_xl.cli"]


def end_to_end(input_path: Path, template: str, out: Path) -> dict:
    """The command as a user runs it: seconds to the workbook closed, and to the process's exit.

    The workbook is written under a temporary name and renamed into place once closed
    (atomic.py), so the moment `out` appears is the moment the file is closed.
    """
    out.unlink(missing_ok=True)
    cmd = [*scorecard_command(), "generate", str(input_path), "-o", str(out), "--template", str(template)]
    rc, seconds, maxrss, _, stderr = _run(cmd, watch=out)
    if rc != 0:
        raise RuntimeError(f"scorecard-xl generate failed (exit {rc}):\n{stderr[-3000:]}")
    closed = _run.appeared if _run.appeared is not None else seconds
    return {"s": seconds, "closed_s": closed, "cpu": _run.cpu, "mb": maxrss}


def without_spc(template: str, workdir: Path) -> str:
    """A copy of the template with SPC switched off: generate beside it shows what SPC costs."""
    import yaml

    from scorecard_xl.engine.template import template_path

    data = yaml.safe_load(template_path(template).read_text(encoding="utf-8"))
    data["spc"] = {**data.get("spc", {}), "enabled": False}
    path = workdir / f"{Path(str(template)).stem}-without-spc.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True), encoding="utf-8")
    return str(path)


UNIT_LEVELS = {"kent": ["Area", "Team"]}  # the sizes whose workbook-per-unit run is measured, and its levels


def units_end_to_end(input_path: Path, template: str, out_dir: Path, levels: list[str]) -> dict:
    """`generate --each LEVEL ...` as a user runs it: seconds to exit, and the workbooks written."""
    shutil.rmtree(out_dir, ignore_errors=True)
    out_dir.mkdir(parents=True)
    cmd = [*scorecard_command(), "generate", str(input_path), "--out-dir", str(out_dir), "--template", str(template),
           *[arg for level in levels for arg in ("--each", level)]]
    rc, seconds, maxrss, _, stderr = _run(cmd)
    if rc != 0:
        raise RuntimeError(f"scorecard-xl generate --each failed (exit {rc}):\n{stderr[-3000:]}")
    written = sorted(out_dir.glob("*.xlsx"))
    return {"s": seconds, "cpu": _run.cpu, "mb": maxrss, "workbooks": len(written),
            "bytes": sum(p.stat().st_size for p in written)}


def help_time(runs: int = 10) -> float:
    times = []
    for _ in range(runs):
        rc, seconds, _, _, stderr = _run([*scorecard_command(), "--help"])
        if rc != 0:
            raise RuntimeError(f"scorecard-xl --help failed: {stderr}")
        times.append(seconds)
    return statistics.median(times)


def deflate_time(path: Path) -> dict:
    """Seconds to deflate the workbook's XML parts alone (zlib level 6, as zipfile does for XlsxWriter).

    Every .xlsx writer pays this; it bounds how fast any writer of the same cells can be.
    """
    import zipfile
    import zlib

    seconds, raw = 0.0, 0
    with zipfile.ZipFile(path) as zf:
        for info in zf.infolist():
            with zf.open(info) as part:
                packer = zlib.compressobj(6, zlib.DEFLATED, -15)
                while chunk := part.read(1 << 20):
                    start = time.perf_counter()
                    packer.compress(chunk)
                    seconds += time.perf_counter() - start
                    raw += len(chunk)
                start = time.perf_counter()
                packer.flush()
                seconds += time.perf_counter() - start
    return {"s": seconds, "xml_bytes": raw}


def libreoffice_open(path: Path, timeout: float = 1800) -> dict | None:
    """Seconds for LibreOffice to open the workbook and save its first sheet as CSV (None if no soffice)."""
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if not soffice:
        return None
    with tempfile.TemporaryDirectory(prefix="bench-lo-") as tmp:
        tmp = Path(tmp)
        profile = f"-env:UserInstallation=file://{tmp / 'profile'}"
        # Warm up: the first start creates the private profile.
        warm = tmp / "warm.csv"
        warm.write_text("a\n1\n")
        _run([soffice, profile, "--headless", "--convert-to", "xlsx", "--outdir", str(tmp / "w"), str(warm)],
             timeout=300)
        rc, seconds, maxrss, _, stderr = _run(
            [soffice, profile, "--headless", "--convert-to", "csv", "--outdir", str(tmp / "out"), str(path)],
            timeout=timeout)
        ok = rc == 0 and any((tmp / "out").glob("*.csv"))
        return {"s": seconds, "mb": maxrss, "ok": ok, "timeout": rc == -9}


# ============================================================================ report

def machine() -> str:
    import numpy
    import openpyxl
    import pandas
    import python_calamine
    import xlsxwriter

    cpu = platform.processor() or "?"
    try:
        cpu = re.search(r"model name\s*:\s*(.+)", Path("/proc/cpuinfo").read_text())[1].strip()
    except (OSError, TypeError):
        pass
    ram = "?"
    try:
        kb = int(re.search(r"MemTotal:\s+(\d+)", Path("/proc/meminfo").read_text())[1])
        ram = f"{kb / 1024 / 1024:.1f} GB"
    except (OSError, TypeError):
        pass
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    return (f"{cpu}, {cores} cores, {ram} RAM; Python {platform.python_version()}, pandas {pandas.__version__}, "
            f"numpy {numpy.__version__}, XlsxWriter {xlsxwriter.__version__}, openpyxl {openpyxl.__version__}, "
            f"python-calamine {_version('python-calamine', python_calamine)}")


def _version(distribution: str, module) -> str:
    try:
        from importlib.metadata import version

        return version(distribution)
    except Exception:  # noqa: BLE001 - a version is only informative
        return getattr(module, "__version__", "?")


def code_state() -> str:
    """The commit measured, and package files changed since it (others may be editing)."""
    try:
        head = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True,
                              text=True).stdout.strip()
        dirty = subprocess.run(["git", "status", "--short", "--", "scorecard_xl"], cwd=ROOT, capture_output=True,
                               text=True).stdout.split("\n")
        dirty = [line[3:] for line in dirty if line.strip()]
        return f"commit {head}" + (f" + uncommitted changes to {', '.join(dirty)}" if dirty else "")
    except OSError:
        return "commit ?"


def _mb(n: float) -> str:
    return f"{n:,.0f}"


def _s(x: float | None) -> str:
    return "-" if x is None else (f"{x:.3f}" if x < 10 else f"{x:.1f}")


def size_table(size: dict) -> str:
    """One size's measurements as a text table: measure, wall s, CPU s, peak MB, note."""
    g, b, f = size["generate"], size["baseline"], size["floor"]
    rows = [("measure", "wall s", "cpu s", "peak MB", "note")]

    def step(label: str, r: dict, name: str, note: str = "") -> None:
        rows.append((label, _s(r["steps"][name]["s"]), _s(r["steps"][name]["cpu"]), _mb(r["steps"][name]["mb"]),
                     note))

    step("generate: import + template", g, "import")
    for stage in STAGES:
        step(f"generate: {stage}", g, stage)
    rows.append(("generate: total (5 stages)", _s(g["total_s"]), _s(g["total_cpu"]), _mb(g["peak_mb"]),
                 "peak of the whole process"))
    e2e = size["end_to_end"]
    if "closed_s" in e2e:  # records made before this measure existed have only the exit
        rows.append(("generate: end to end, file closed", _s(e2e["closed_s"]), "", "",
                     "process start to the workbook closed (renamed into place)"))
    rows.append(("generate: end to end (CLI)", _s(e2e["s"]), _s(e2e["cpu"]), _mb(e2e["mb"]),
                 "process start to exit"))
    if size.get("generate_without_spc"):
        n = size["generate_without_spc"]
        rows.append(("generate without SPC (5 stages)", _s(n["total_s"]), _s(n["total_cpu"]), _mb(n["peak_mb"]),
                     "the template's spc: enabled: false"))
        rows.append(("SPC adds", f"{g['total_s'] / n['total_s'] - 1:+.0%}", "", "",
                     f"{g['total_s'] - n['total_s']:.2f} s: the calculation and the SPC table; the goal is +20% "
                     "or less at a million rows"))
    if size.get("units"):
        u = size["units"]
        rows.append((f"generate --each {' --each '.join(u['levels'])}", _s(u["s"]), _s(u["cpu"]), _mb(u["mb"]),
                     f"{u['workbooks']} unit workbooks, {u['bytes'] / 1e6:.1f} MB, end to end"))
        rows.append(("unit workbooks / county workbook", f"{u['s'] / e2e['s']:.2f}x", "", "",
                     "end to end; the goal is 3x or less"))
    if "failed" in b:
        rows.append(("baseline (pandas/openpyxl)", "failed", "", "", b["failed"]))
    else:
        step("baseline: read (pandas/openpyxl)", b, "read")
        step("baseline: write (pandas/openpyxl)", b, "write", f"{b['cells']:,} cells (table shapes)")
        rows.append(("baseline: total", _s(b["total_s"]), _s(b["total_cpu"]), _mb(b["peak_mb"]), ""))
    step("floor: read (calamine)", f, "read")
    step("floor: write (XlsxWriter constant_memory)", f, "write", f"{f['cells']:,} non-empty cells, every sheet")
    rows.append(("floor: total", _s(f["total_s"]), _s(f["total_cpu"]), _mb(f["peak_mb"]), ""))
    if "failed" not in b:
        rows.append(("speed-up: baseline / generate", f"{b['total_s'] / g['total_s']:.1f}x",
                     f"{b['total_cpu'] / g['total_cpu']:.1f}x", "", "higher is better"))
    rows.append(("generate / floor", f"{g['total_s'] / f['total_s']:.2f}x", f"{g['total_cpu'] / f['total_cpu']:.2f}x",
                 "", "1.00x = at the floor"))
    widths = [max(len(r[i]) for r in rows) for i in range(5)]
    lines = []
    for k, r in enumerate(rows):
        lines.append(f"{r[0]:<{widths[0]}}  {r[1]:>{widths[1]}}  {r[2]:>{widths[2]}}  {r[3]:>{widths[3]}}  "
                     f"{r[4]}".rstrip())
        if k == 0:
            lines.append("-" * len(lines[0]))
    head = (f"size {size['name']}: {g['indicator_rows']:,} indicator rows, {g['activity_rows']:,} activity rows "
            f"-> {g['results_rows']:,} results; input {size['input_bytes'] / 1e6:.1f} MB, "
            f"output {g['output_bytes'] / 1e6:.1f} MB; median of {size['runs']} run(s)")
    if size.get("busy") is not None:
        head += f"; other load on the machine before each run: median {size['busy']:.0%} of the CPUs"
    out = [head, *lines]
    if size.get("deflate"):
        d = size["deflate"]
        out.append(f"Deflating the output's {d['xml_bytes'] / 1e6:,.0f} MB of XML alone, in one thread (zlib "
                   f"level 6): {_s(d['s'])} s; generate's write ({_s(g['steps']['write']['s'])} s wall, "
                   f"{_s(g['steps']['write']['cpu'])} s CPU) deflates in background threads as the XML is written")
    if size.get("libreoffice"):
        lo = size["libreoffice"]
        state = "ok" if lo["ok"] else ("TIMED OUT" if lo["timeout"] else "FAILED")
        out.append(f"LibreOffice open + save first sheet as CSV: {_s(lo['s'])} s, peak {_mb(lo['mb'])} MB ({state})")
    return "\n".join(out)


def summary_table(sizes: list[dict]) -> str:
    """All sizes side by side (a Markdown table)."""
    header = ["size", "indicator rows", "read", "validate", "calculate", "lay out", "write", "generate",
              "generate cpu", "peak MB", "end to end", "baseline (r+w)", "floor (r+w)", "speed-up", "vs floor",
              "output MB"]
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    for size in sizes:
        g, b, f = size["generate"], size["baseline"], size["floor"]
        cells = [size["name"], f"{g['indicator_rows']:,}",
                 *[_s(g["steps"][s]["s"]) for s in STAGES], _s(g["total_s"]), _s(g["total_cpu"]),
                 _mb(g["peak_mb"]), _s(size["end_to_end"]["s"]),
                 "failed" if "failed" in b else
                 f"{_s(b['total_s'])} ({_s(b['steps']['read']['s'])} + {_s(b['steps']['write']['s'])})",
                 f"{_s(f['total_s'])} ({_s(f['steps']['read']['s'])} + {_s(f['steps']['write']['s'])})",
                 "-" if "failed" in b else f"{b['total_s'] / g['total_s']:.1f}x", f"{g['total_s'] / f['total_s']:.2f}x",
                 f"{g['output_bytes'] / 1e6:.1f}"]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def calculator_table(sizes: list[dict]) -> str:
    lines = ["| size | indicator rows | calculate s (wall) | cpu s | ms per 1k rows (wall) |", "|---|---|---|---|---|"]
    for size in sizes:
        g = size["generate"]
        s, cpu = g["steps"]["calculate"]["s"], g["steps"]["calculate"]["cpu"]
        lines.append(f"| {size['name']} | {g['indicator_rows']:,} | {_s(s)} | {_s(cpu)} | "
                     f"{1e6 * s / g['indicator_rows']:.2f} |")
    return "\n".join(lines)


def _median_result(results: list[dict]) -> dict:
    """Median times, largest peaks, over runs of the same measurement."""
    out = dict(results[0])
    out["steps"] = {name: {"s": statistics.median(r["steps"][name]["s"] for r in results),
                           "cpu": statistics.median(r["steps"][name]["cpu"] for r in results),
                           "mb": max(r["steps"][name]["mb"] for r in results)} for name in results[0]["steps"]}
    out["total_s"] = statistics.median(r["total_s"] for r in results)
    out["total_cpu"] = statistics.median(r["total_cpu"] for r in results)
    out["peak_mb"] = max(r["peak_mb"] for r in results)
    return out


# ============================================================================ driver

def prepare_input(name: str, workdir: Path) -> tuple[Path, str]:
    """The input and template for a size, generating a synthetic export once."""
    if name == "kent":
        return KENT_INPUT, KENT_TEMPLATE
    from make_export import make_export

    params = SIZES[name]
    path = workdir / f"export-{name}.xlsx"
    stamp = path.with_suffix(".params.json")
    if not (path.exists() and stamp.exists() and json.loads(stamp.read_text()) == params):
        print(f"  making the {name} export ...", flush=True)
        start = time.perf_counter()
        make_export(path, **params)
        stamp.write_text(json.dumps(params))
        print(f"  made {path} in {time.perf_counter() - start:.1f} s", flush=True)
    return path, str(path.with_suffix(".yaml"))


def run_size(name: str, workdir: Path, runs: int, libreoffice: bool = False, profile: bool = False,
             log=print, quiet_wait: float = 0) -> dict:
    input_path, template = prepare_input(name, workdir)
    out_dir = workdir / f"out-{name}"
    out_dir.mkdir(parents=True, exist_ok=True)
    tables = out_dir / "tables.pickle"
    run_child("tables", input_path, template, out_dir / "unused.xlsx", tables)  # untimed preparation

    gen, e2e, base, floor, units, no_spc = [], [], [], [], [], []
    levels = UNIT_LEVELS.get(name)
    template_without_spc = without_spc(template, out_dir)
    base_failed = None
    busy = []

    def quiet() -> None:
        if quiet_wait > 0:
            seen = wait_for_quiet(quiet_wait)
            if seen is not None:
                busy.append(seen)

    for k in range(runs):
        quiet()
        gen.append(run_child("generate", input_path, template, out_dir / "generate.xlsx"))
        log(f"  run {k + 1}/{runs}: generate {gen[-1]['total_s']:.2f} s", end="", flush=True)
        quiet()
        no_spc.append(run_child("generate", input_path, template_without_spc, out_dir / "generate-no-spc.xlsx"))
        log(f" ({no_spc[-1]['total_s']:.2f} s without SPC)", end="", flush=True)
        quiet()
        e2e.append(end_to_end(input_path, template, out_dir / "cli.xlsx"))
        log(f", end to end {e2e[-1]['closed_s']:.2f} s to the file closed, {e2e[-1]['s']:.2f} s to exit",
            end="", flush=True)
        if levels:  # beside the county's run, so the two are measured alike
            quiet()
            units.append(units_end_to_end(input_path, template, out_dir / "units", levels))
            log(f", {units[-1]['workbooks']} unit workbooks {units[-1]['s']:.2f} s", end="", flush=True)
        quiet()
        try:
            base.append(run_child("baseline", input_path, template, out_dir / "baseline.xlsx", tables))
            log(f", baseline {base[-1]['total_s']:.2f} s", end="", flush=True)
        except ChildFailed as exc:  # e.g. MemoryError under the child's memory cap
            last = str(exc).strip().splitlines()[-1]
            base_failed = f"{last[:100]} after {exc.seconds:.0f} s, peak {exc.peak_mb:,.0f} MB"
            log(f", baseline FAILED: {base_failed}", end="", flush=True)
        quiet()
        floor.append(run_child("floor", input_path, template, out_dir / "floor.xlsx", tables))
        log(f", floor {floor[-1]['total_s']:.2f} s", flush=True)
    size = {
        "name": name, "runs": runs, "input": str(input_path), "template": template,
        "input_bytes": input_path.stat().st_size,
        "generate": _median_result(gen), "generate_without_spc": _median_result(no_spc),
        "floor": _median_result(floor),
        "baseline": _median_result(base) if base else {"failed": base_failed},
        "end_to_end": {"s": statistics.median(r["s"] for r in e2e), "cpu": statistics.median(r["cpu"] for r in e2e),
                       "closed_s": statistics.median(r["closed_s"] for r in e2e), "mb": max(r["mb"] for r in e2e)},
        "busy": statistics.median(busy) if busy else None,
    }
    if units:
        size["units"] = {"levels": levels, "workbooks": units[0]["workbooks"], "bytes": units[0]["bytes"],
                         "s": statistics.median(r["s"] for r in units),
                         "cpu": statistics.median(r["cpu"] for r in units),
                         "mb": max(r["mb"] for r in units)}
    size["deflate"] = deflate_time(out_dir / "generate.xlsx")
    if libreoffice:
        log("  LibreOffice opening the output ...", flush=True)
        size["libreoffice"] = libreoffice_open(out_dir / "generate.xlsx")
    if profile:
        log("  profiling generate ...", flush=True)
        quiet()
        size["profile"] = run_child("profile", input_path, template, out_dir / "profile.xlsx")["text"]
    tables.unlink(missing_ok=True)
    return size


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="kent,10k,100k", help="comma-separated: kent, 10k, 100k, 1m")
    parser.add_argument("--runs", type=int, help="runs per measurement (default 5; 1 for 1m)")
    parser.add_argument("--workdir", default=str(Path(tempfile.gettempdir()) / "scorecard-bench"),
                        help="where the synthetic exports and outputs go")
    parser.add_argument("--profile", default=None,
                        help="size to profile with cProfile (default: the largest of --sizes, if 100k or more)")
    parser.add_argument("--no-libreoffice", action="store_true", help="skip timing LibreOffice on the largest size")
    parser.add_argument("--quiet-wait", type=float, default=60,
                        help="before each measurement wait up to this many seconds for other processes to leave "
                             "the CPUs idle (0: do not wait); the load seen is reported")
    parser.add_argument("--no-record", action="store_true", help="do not write benchmarks/results/*.txt")
    parser.add_argument("--report", nargs="+", metavar="JSON",
                        help="print the summary tables of recorded runs (benchmarks/results/*.json) and exit")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--input", help=argparse.SUPPRESS)
    parser.add_argument("--template", help=argparse.SUPPRESS)
    parser.add_argument("--out", help=argparse.SUPPRESS)
    parser.add_argument("--tables", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        _child(args)
        return

    if args.report:
        recorded = [json.loads(Path(f).read_text()) for f in args.report]
        print(summary_table(recorded) + "\n\n" + calculator_table(recorded))
        return

    names = [s.strip() for s in args.sizes.split(",") if s.strip()]
    unknown = [n for n in names if n != "kent" and n not in SIZES]
    if unknown:
        parser.error(f"unknown size(s) {', '.join(unknown)}; choose from kent, {', '.join(SIZES)}")
    order = ["kent", *SIZES]
    largest = max(names, key=order.index)
    profile = args.profile if args.profile is not None else (largest if largest in ("100k", "1m") else "")
    workdir = Path(args.workdir)
    workdir.mkdir(parents=True, exist_ok=True)

    today = dt.date.today().isoformat()
    header = [f"Machine: {machine()}", f"Code: {code_state()}", f"Command: {' '.join(scorecard_command())}"]
    if args.quiet_wait > 0:
        wait_for_quiet(args.quiet_wait)
    help_s = help_time()
    header.append(f"scorecard-xl --help: {help_s:.3f} s (median of 10)")
    print("\n".join(header), flush=True)

    done = []
    for name in names:
        runs = args.runs or (1 if name == "1m" else 5)
        print(f"\n== {name} ({runs} run{'s' if runs > 1 else ''}) ==", flush=True)
        size = run_size(name, workdir, runs, libreoffice=(name == largest and not args.no_libreoffice),
                        profile=(name == profile), quiet_wait=args.quiet_wait)
        done.append(size)
        report = size_table(size)
        print(report, flush=True)
        if size.get("profile"):
            print("\n" + size["profile"], flush=True)
        if not args.no_record:
            RESULTS_DIR.mkdir(exist_ok=True)
            text = "\n".join([*header, f"Date: {today}", "", report, "",
                              "Calculator alone:", calculator_table([size])])
            if size.get("profile"):
                text += "\n\n" + size["profile"]
            (RESULTS_DIR / f"{today}-{name}.txt").write_text(scrub_paths(text) + "\n", encoding="utf-8")
            (RESULTS_DIR / f"{today}-{name}.json").write_text(scrub_paths(
                json.dumps({k: v for k, v in size.items() if k != "profile"}, indent=1)) + "\n", encoding="utf-8")

    print("\nAll sizes (seconds; generate = the 5 stages in one process; baseline and floor = read + write):")
    print(summary_table(done))
    print("\nCalculator alone (the calculate stage):")
    print(calculator_table(done))


if __name__ == "__main__":
    main()

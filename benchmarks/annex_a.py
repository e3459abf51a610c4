"""How fast `scorecard-xl annex-a` turns a county's year of Annex A lists into the export.

    python benchmarks/annex_a.py                 # county scale, 3 runs (~2 minutes with the files' making)
    python benchmarks/annex_a.py --scale sample --runs 5 --no-record

The files come from the sample generator (samples/annex_a/make_annex_a.py --scale county:
about 25,000 referrals, 15,000 assessments, 3,000 child protection plans and 2,500 children in
care a year, in 12 monthly files), made once in the work folder. Each run is the command as a
user runs it, in a fresh process: `annex-a FILES -o OUT` (a new export) and `annex-a FILES --into
COPY` (merged into a copy of the Kent sample export). Times are wall-clock medians; cpu s and
peak MB are the process's. A separate process then times the stages (reading each file,
counting, writing) through the pipeline's stages hook. The report goes to
benchmarks/results/<date>-annex-a.txt and .json.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))

from run import _run, scorecard_command, scrub_paths, wait_for_quiet  # noqa: E402

GOAL_SECONDS = 10  # the goal for a county-sized year on this 2-core machine
SAMPLE_EXPORT = ROOT / "samples" / "kent_liberi_export_2016-08.xlsx"


def make_files(scale: str, workdir: Path) -> list[Path]:
    folder = workdir / f"annex-a-{scale}"
    files = sorted(folder.glob("annex-a-*.xlsx"))
    if len(files) != 12:
        folder.mkdir(parents=True, exist_ok=True)
        subprocess.run([sys.executable, str(ROOT / "samples" / "annex_a" / "make_annex_a.py"), "--out", str(folder),
                        "--scale", scale], check=True, stdout=subprocess.DEVNULL)
        files = sorted(folder.glob("annex-a-*.xlsx"))
    return files


def rows_in(files: list[Path]) -> dict[str, int]:
    """Rows per list over the files, as the reader reads them."""
    from scorecard_xl.annex_a.reading import read_annex_a, report_date_from_name

    counts: dict[str, int] = {}
    for path in files:
        for number, frame in read_annex_a(path, report_date_from_name(path)).lists.items():
            counts[f"List {number}"] = counts.get(f"List {number}", 0) + len(frame)
    return dict(sorted(counts.items(), key=lambda item: int(item[0].split()[1])))


STAGES_CHILD = """
import json, sys, time
from pathlib import Path
from scorecard_xl.annex_a.convert import convert
from scorecard_xl.engine.template import load_template
from scorecard_xl.progress import Stages
stages = Stages(enabled=False)
started = time.perf_counter()
convert([Path(p) for p in sys.argv[2:]], load_template("kent_scs"), Path(sys.argv[1]), stages=stages)
print(json.dumps({"total": time.perf_counter() - started, **stages.timings}))
"""


def stage_times(files: list[Path], out: Path) -> dict[str, float]:
    done = subprocess.run([sys.executable, "-c", STAGES_CHILD, str(out), *map(str, files)], check=True,
                          capture_output=True, text=True)
    timings = json.loads(done.stdout)
    total = timings.pop("total")
    # The files are read in one stage, several at a time where processes can be forked (Linux).
    reading = {f"reading the files ({k.split('(', 2)[-1].rstrip(')')})" if "at a time" in k else "reading the files": v
               for k, v in timings.items() if k.startswith("Reading ") and "Annex A file" in k}
    rest = {k: v for k, v in timings.items() if not (k.startswith("Reading ") and "Annex A file" in k)}
    return {**reading, **rest, "total (in-process, after imports)": total}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scale", choices=["sample", "county"], default="county")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--workdir", type=Path, default=Path("/tmp/scorecard-bench"))
    parser.add_argument("--quiet-wait", type=float, default=60)
    parser.add_argument("--no-record", action="store_true")
    args = parser.parse_args()

    files = make_files(args.scale, args.workdir)
    size = sum(p.stat().st_size for p in files)
    counts = rows_in(files)
    command = scorecard_command()
    results = {}
    for mode in ("new export (-o)", "merged (--into)"):
        runs = []
        for _ in range(args.runs):
            load = wait_for_quiet(args.quiet_wait)
            out = args.workdir / "annex-a-export.xlsx"
            if mode.startswith("new"):
                out.unlink(missing_ok=True)
                target = ["-o", str(out)]
            else:
                shutil.copy(SAMPLE_EXPORT, out)
                target = ["--into", str(out)]
            code, seconds, peak, _, err = _run([*command, "annex-a", *map(str, files), *target])
            if code != 0:
                sys.exit(f"annex-a failed ({code}):\n{err}")
            runs.append({"s": seconds, "cpu": _run.cpu, "mb": peak, "load": load})
        results[mode] = {"s": statistics.median(r["s"] for r in runs),
                         "cpu": statistics.median(r["cpu"] for r in runs),
                         "mb": max(r["mb"] for r in runs), "load": max((r["load"] or 0) for r in runs),
                         "out_bytes": out.stat().st_size}
    stages = stage_times(files, args.workdir / "annex-a-stages.xlsx")

    lines = [f"# annex-a, {args.scale} scale: {len(files)} files, {size / 1e6:.1f} MB, "
             f"{dt.date.today():%Y-%m-%d}",
             f"machine: {platform.processor() or platform.machine()}, {os.cpu_count()} CPUs, Python "
             f"{platform.python_version()}; {args.runs} run(s) each, medians",
             "", "rows read: " + ", ".join(f"{k} {v:,}" for k, v in counts.items()), "",
             "| command | wall s | cpu s | peak MB | export MB | busy CPUs before |",
             "| --- | --- | --- | --- | --- | --- |"]
    for mode, r in results.items():
        lines.append(f"| annex-a FILES {mode} | {r['s']:.2f} | {r['cpu']:.2f} | {r['mb']:.0f} | "
                     f"{r['out_bytes'] / 1e6:.2f} | {r['load'] * 100:.0f}% |")
    lines += ["", "stages of -o (one run, in-process):", ""]
    lines += [f"- {name}: {seconds:.2f} s" for name, seconds in stages.items()]
    if args.scale == "county":
        worst = max(r["s"] for r in results.values())
        lines += ["", f"goal: under {GOAL_SECONDS} s for a county-sized year: "
                      f"{'met' if worst < GOAL_SECONDS else 'NOT met'} ({worst:.1f} s at worst)"]
    report = scrub_paths("\n".join(lines))
    print(report)
    if not args.no_record:
        stem = HERE / "results" / f"{dt.date.today():%Y-%m-%d}-annex-a"
        stem.with_suffix(".txt").write_text(report + "\n", encoding="utf-8")
        stem.with_suffix(".json").write_text(json.dumps({"scale": args.scale, "files": len(files), "bytes": size,
                                                         "rows": counts, "results": results, "stages": stages},
                                                        indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()

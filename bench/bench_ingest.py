"""Ingestion throughput and peak memory on generated complaint CSVs.

Runs `voc ingest` in a child process for each size, so that the peak RSS measured is
that of one ingestion, and prints rows/s, peak RSS and CPU time (all processes) side by side: a flat RSS across
sizes shows that memory does not grow with the file.

    .venv/bin/python bench/bench_ingest.py [--rows 200000 1000000]
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def run(rows: int, workdir: Path) -> dict:
    from voc.demo_data import write_complaints_csv

    csv_path = workdir / f"complaints_{rows}.csv"
    if not csv_path.exists():
        started = time.perf_counter()
        write_complaints_csv(csv_path, rows, seed=7)
        print(f"generated {rows:,} rows in {time.perf_counter() - started:.1f} s", file=sys.stderr)
    db = workdir / f"bench_{rows}.duckdb"
    db.unlink(missing_ok=True)
    started = time.perf_counter()
    cpu_before = resource.getrusage(resource.RUSAGE_CHILDREN)
    with tempfile.TemporaryFile("w+") as stdout:
        child = subprocess.Popen([sys.executable, "-m", "voc.cli", "ingest", str(csv_path), "--source", "complaints",
                                  "--db", str(db), "--json", "-q"], cwd=ROOT, stdout=stdout)
        _, status, usage = os.wait4(child.pid, 0)  # this child's own peak RSS
        child.returncode = os.waitstatus_to_exitcode(status)
        seconds = time.perf_counter() - started
        if child.returncode != 0:
            raise SystemExit(f"voc ingest failed with status {child.returncode}")
        stdout.seek(0)
        counts = json.loads(stdout.read())
    peak_kib = usage.ru_maxrss
    cpu_after = resource.getrusage(resource.RUSAGE_CHILDREN)  # the child and its reaped workers
    cpu = (cpu_after.ru_utime + cpu_after.ru_stime) - (cpu_before.ru_utime + cpu_before.ru_stime)
    return {"rows": rows, "seconds": round(seconds, 1), "rows_per_s": round(rows / seconds),
            "peak_rss_mib": round(peak_kib / 1024), "cpu_seconds": round(cpu, 1), "file_mib": round(csv_path.stat().st_size / 2**20),
            "stored": counts["stored"], "duplicates": counts["duplicates"], "quarantined": counts["quarantined"]}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, nargs="+", default=[100_000, 1_000_000])
    parser.add_argument("--workdir", type=Path, default=None)
    args = parser.parse_args()
    workdir = args.workdir or Path(tempfile.mkdtemp(prefix="voc-bench-"))
    workdir.mkdir(parents=True, exist_ok=True)
    print(f"{'rows':>10} {'file MiB':>9} {'seconds':>8} {'rows/s':>9} {'peak RSS MiB':>13} {'CPU s':>7}")
    for rows in sorted(args.rows):
        result = run(rows, workdir)
        print(f"{result['rows']:>10,} {result['file_mib']:>9} {result['seconds']:>8} {result['rows_per_s']:>9,} "
              f"{result['peak_rss_mib']:>13} {result['cpu_seconds']:>7}")
        print(json.dumps(result), file=sys.stderr)


if __name__ == "__main__":
    os.environ.setdefault("DO_NOT_TRACK", "1")
    main()

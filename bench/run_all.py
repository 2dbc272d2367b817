"""Run every benchmark of the desk one after another and print their figures.

    python bench/run_all.py            # everything (about 5 minutes on 2 cores)
    python bench/run_all.py --quick    # the headline point of each

Each benchmark is its own script (bench/bench_*.py) and can be run alone. Results
depend on the machine's load: run on a quiet machine and record the date and size
with the figures (docs/benchmarks.md).
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
BENCHES: list[tuple[str, list[str], list[str]]] = [
    # script, full arguments, quick arguments
    ("bench_marketdata.py", [], ["--runs", "3"]),
    ("bench_model.py", [], ["--quick"]),
    ("bench_backtest.py", [], ["--quick"]),
    ("bench_execution.py", [], []),
    ("bench_console.py", [], ["--runs", "3"]),
    ("bench_risk.py", [], ["--trials", "10"]),
    ("bench_cli.py", [], ["--runs", "3"]),
]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="the headline point of each")
    args = parser.parse_args()
    failed = []
    for script, full, quick in BENCHES:
        argv = [sys.executable, str(HERE / script), *(quick if args.quick else full)]
        print(f"\n=== {script} {' '.join(argv[2:])}", flush=True)
        started = time.perf_counter()
        code = subprocess.call(argv, cwd=HERE.parent)
        print(f"=== {script}: exit {code} after {time.perf_counter() - started:.0f} s", flush=True)
        if code:
            failed.append(script)
    if failed:
        print(f"\nfailed: {', '.join(failed)}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())

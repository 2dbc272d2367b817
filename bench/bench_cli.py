"""CLI start-up: `desk --help` and one light command, as whole processes.

With `--against DIR` (another checkout, e.g. `git worktree add /tmp/old REV`) each run
times that checkout's CLI right after this one's, interleaved, and prints the ratio:
the machine is shared, so the ratio is the figure to quote.

    python bench/bench_cli.py [--runs 5] [--against /tmp/old]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CASES = {
    "desk --help": ["--help"],
    "desk rules 600000.SSE": ["rules", "600000.SSE", "--date", "2026-12-01", "--prev-close", "10"],
}


def timed(checkout: Path, args: list[str]) -> float:
    env = {**os.environ, "PYTHONPATH": str(checkout)}
    started = time.perf_counter()
    subprocess.run([sys.executable, "-m", "services.cli.main", *args], cwd=checkout, env=env,
                   check=True, capture_output=True)
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--against", type=Path, default=None)
    args = parser.parse_args()
    for name, argv in CASES.items():
        ours, theirs = [], []
        for _ in range(args.runs):
            ours.append(timed(ROOT, argv))
            if args.against:
                theirs.append(timed(args.against, argv))
        line = f"{name}: median {statistics.median(ours):.3f} s over {args.runs} runs"
        if theirs:
            peer = statistics.median(theirs)
            line += (f"; {args.against}: {peer:.3f} s; "
                     f"{peer / statistics.median(ours):.1f}x faster")
        print(line)


if __name__ == "__main__":
    main()

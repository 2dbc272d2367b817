"""Benchmark: how long a paper day takes through the whole desk on the stepped clock.

    python bench/bench_paper_days.py                  # 1,000 and 5,000 stocks, 3 days each
    python bench/bench_paper_days.py --stocks 1000 --days 5 --rounds 2

Each round runs `desk demo --days N --auto-approve --json` in a fresh process (the real
services, Redis and simulated gateway) and then, as the peer in the same round, the
desk's own backtest over the same days on the same store (`desk backtest`), so the ratio
says what the live path costs over the model's arithmetic. Prints wall seconds per day
(the first day carries the opening batch of ~100 orders; later days the rotation's few)
and the ratio. The machine is shared: compare ratios, not seconds, across runs.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
DESK = [sys.executable, "-m", "services.cli.main"]
TARGET_S_PER_DAY = 10.0  # at 5,000 stocks on 2 cores (issue 13)


def paper_run(data_dir: Path, stocks: int, days: int) -> dict[str, Any]:
    started = time.perf_counter()
    out = subprocess.run(
        [*DESK, "--data-dir", str(data_dir), "demo", "--days", str(days), "--auto-approve",
         "--json", "--keep", "--stocks", str(stocks)],
        capture_output=True, text=True, cwd=ROOT, stdin=subprocess.DEVNULL, check=False)
    wall = time.perf_counter() - started
    if out.returncode != 0:
        raise SystemExit(f"desk demo failed ({out.returncode}): {out.stdout[-2000:]}"
                         f"{out.stderr[-2000:]}")
    summary: dict[str, Any] = json.loads(out.stdout.strip().splitlines()[-1])
    summary["process_s"] = wall
    return summary


def backtest_run(data_dir: Path, first: str, last: str) -> float:
    started = time.perf_counter()
    out = subprocess.run(
        [*DESK, "--data-dir", str(data_dir / "demo-days"), "backtest", "--start", first,
         "--end", last], capture_output=True, text=True, cwd=ROOT, stdin=subprocess.DEVNULL,
        check=False)
    if out.returncode != 0:
        raise SystemExit(f"desk backtest failed: {out.stdout[-1500:]}{out.stderr[-1500:]}")
    return time.perf_counter() - started


def round_of(stocks: int, days: int) -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="bench-paper-") as tmp:
        summary = paper_run(Path(tmp), stocks, days)
        per_day = [d["wall_s"] for d in summary["per_day"]]
        backtest_s = backtest_run(Path(tmp), summary["first_day"], summary["last_day"])
    return {"per_day": per_day, "process_s": summary["process_s"], "backtest_s": backtest_s,
            "orders": summary["orders_proposed"], "breaks": summary["reconciliation_breaks"],
            "waited_for": summary.get("waited_for", {})}


def verdict(seconds_per_day: float) -> str:
    return "met" if seconds_per_day <= TARGET_S_PER_DAY else "NOT met"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--stocks", type=int, nargs="*", default=[1000, 5000])
    parser.add_argument("--days", type=int, default=3)
    parser.add_argument("--rounds", type=int, default=1)
    args = parser.parse_args()
    print(f"paper days on the stepped clock (1-minute steps): {args.days} days, "
          f"{args.rounds} round(s), interleaved with the backtest of the same days")
    for _ in range(args.rounds):
        for stocks in args.stocks:
            r = round_of(stocks, args.days)
            later = r["per_day"][1:] or r["per_day"]
            mean_day = statistics.fmean(r["per_day"])
            print(f"{stocks:>6,} stocks: day 1 {r['per_day'][0]:.1f} s ({r['orders']} orders "
                  f"in all), later days {statistics.fmean(later):.1f} s each, whole process "
                  f"{r['process_s']:.1f} s, reconciliation breaks {r['breaks']}; backtest of "
                  f"the same days {r['backtest_s']:.1f} s; paper/backtest per day "
                  f"{mean_day / (r['backtest_s'] / args.days):.1f}x; target <= "
                  f"{TARGET_S_PER_DAY:.0f} s/day: {verdict(mean_day)}; the clock waited for "
                  + ", ".join(f"{k} {v:.0f} s" for k, v in r["waited_for"].items()),
                  flush=True)


if __name__ == "__main__":
    main()

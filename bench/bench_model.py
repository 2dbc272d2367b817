"""Benchmark: the nightly model end to end (load data, universe, factors, portfolio,
orders) on a synthetic market; wall time and peak memory, and how they grow.

    python bench/bench_model.py                 # 5,400 stocks, lookback 250 + the grid
    python bench/bench_model.py --quick         # 5,400 stocks only

Each measurement runs in a fresh process, which reports its own peak RSS (VmHWM,
bench/peak_memory.py: Python, pandas and the model included, not the parent's
store-building peak that ru_maxrss would carry over). Synthetic stores are cached
under --cache.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import time
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

from peak_memory import own_peak_mb

ROOT = Path(__file__).resolve().parents[1]
TARGET_SECONDS, TARGET_MB = 2.0, 1536.0


def demo_store(cache: Path, stocks: int, days: int, seed: int = 11) -> Path:
    """A cached synthetic store of `stocks` x `days` (built once)."""
    from marketdata.calendar import load_calendar
    from marketdata.synthetic import write_demo_store

    root = cache / f"market_{stocks}x{days}_s{seed}"
    if not (root / "manifest.json").exists():
        started = time.perf_counter()
        write_demo_store(root, stocks, days, seed,
                         calendar=load_calendar(ROOT / "config" / "holidays.yaml"))
        print(f"  (built {root.name} in {time.perf_counter() - started:.1f} s)", flush=True)
    return root


def child(store_dir: str, lookback: int, repeats: int) -> None:
    """One process: time load_panel + build_batch `repeats` times, report peak RSS."""
    from marketdata.store import MarketStore
    from strategies.config import ModelConfig
    from strategies.nightly import build_batch
    from strategies.portfolio_state import Book

    store = MarketStore(Path(store_dir))
    signal = store.trade_dates()[-1]
    config = ModelConfig(lookback_days=lookback)
    times, loads = [], []
    for _ in range(repeats):
        started = time.perf_counter()
        panel = store.load_panel(signal, lookback)
        loaded = time.perf_counter()
        batch = build_batch(panel, Book(Decimal("100000000")), signal + timedelta(days=1), config)
        times.append(time.perf_counter() - started)
        loads.append(loaded - started)
    peak_mb = own_peak_mb()
    print(json.dumps({"seconds": statistics.median(times), "load": statistics.median(loads),
                      "peak_mb": peak_mb, "orders": len(batch.orders),
                      "universe": batch.universe_size}))


def measure(store: Path, lookback: int, repeats: int = 3) -> dict[str, float]:
    out = subprocess.run([sys.executable, __file__, "--child", str(store), str(lookback),
                          str(repeats)], capture_output=True, text=True, cwd=ROOT, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--cache", type=Path, default=Path("/tmp/desk-bench"))
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args()
    grid = [(5400, 250)] if args.quick else [(5400, 250), (1350, 250), (2700, 250),
                                             (5400, 500)]
    print("nightly model, end to end (median of 3 runs, fresh process each grid point)")
    print(f"{'stocks':>7} {'lookback':>8} {'total s':>8} {'load s':>7} {'model s':>8} "
          f"{'peak MB':>8} {'universe':>8} {'orders':>6}")
    for stocks, lookback in grid:
        store = demo_store(args.cache, stocks, max(lookback + 5, 260))
        r = measure(store, lookback)
        print(f"{stocks:>7} {lookback:>8} {r['seconds']:>8.2f} {r['load']:>7.2f} "
              f"{r['seconds'] - r['load']:>8.2f} {r['peak_mb']:>8.0f} {r['universe']:>8.0f} "
              f"{r['orders']:>6.0f}", flush=True)
        if (stocks, lookback) == (5400, 250):
            verdict = r["seconds"] <= TARGET_SECONDS and r["peak_mb"] <= TARGET_MB
            print(f"  target <= {TARGET_SECONDS} s and <= {TARGET_MB:.0f} MB: "
                  f"{'met' if verdict else 'NOT met'}", flush=True)


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    if len(sys.argv) > 1 and sys.argv[1] == "--child":
        child(sys.argv[2], int(sys.argv[3]), int(sys.argv[4]))
    else:
        main()

"""Benchmark: the daily backtest over a synthetic market; wall time, its phases, peak
memory, and how they grow with stocks and days.

    python bench/bench_backtest.py              # 5,400 stocks x 750 days + the grid
    python bench/bench_backtest.py --quick      # 5,400 x 750 only

Reference (product.md): Qlib's TopkDropout backtest takes ~106 s for 5,400 x 750 on
this kind of machine; the target here is <= 30 s (aim 10 s).
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_model import demo_store  # noqa: E402
from peak_memory import own_peak_mb  # noqa: E402

TARGET_SECONDS = 30.0
LOOKBACK = 250


def child(store_dir: str, days: int) -> None:
    from marketdata.store import MarketStore
    from strategies.backtest import run_backtest
    from strategies.backtest.memory import reuse_freed_memory
    from strategies.config import ModelConfig

    reuse_freed_memory()  # as `desk backtest` does

    store = MarketStore(Path(store_dir))
    dates = store.trade_dates()
    started = time.perf_counter()
    result = run_backtest(store, dates[-days], dates[-1], ModelConfig())
    seconds = time.perf_counter() - started
    peak_mb = own_peak_mb()  # this process's own, not the parent's (peak_memory.py)
    print(json.dumps({"seconds": seconds, **result.timings, "peak_mb": peak_mb,
                      "days": result.metrics.days,
                      "orders": int(result.daily["buys"].sum() + result.daily["sells"].sum())}))


def measure(store: Path, days: int) -> dict[str, float]:
    out = subprocess.run([sys.executable, __file__, "--child", str(store), str(days)],
                         capture_output=True, text=True, cwd=ROOT, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--cache", type=Path, default=Path("/tmp/desk-bench"))
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args()
    grid = [(5400, 750)] if args.quick else [(5400, 750), (1350, 750), (2700, 750),
                                             (5400, 250), (5400, 500)]
    print("daily backtest (one run per grid point, fresh process each)")
    print(f"{'stocks':>7} {'days':>5} {'total s':>8} {'load s':>7} {'signals s':>9} "
          f"{'simulate s':>10} {'peak MB':>8} {'fills':>7}")
    for stocks, days in grid:
        store = demo_store(args.cache, stocks, 750 + LOOKBACK)
        r = measure(store, days)
        print(f"{stocks:>7} {days:>5} {r['seconds']:>8.2f} {r['load']:>7.2f} "
              f"{r['signals']:>9.2f} {r['simulate']:>10.2f} {r['peak_mb']:>8.0f} "
              f"{r['orders']:>7.0f}", flush=True)
        if (stocks, days) == (5400, 750):
            print(f"  target <= {TARGET_SECONDS:.0f} s: "
                  f"{'met' if r['seconds'] <= TARGET_SECONDS else 'NOT met'}", flush=True)


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "--child":
        child(sys.argv[2], int(sys.argv[3]))
    else:
        main()

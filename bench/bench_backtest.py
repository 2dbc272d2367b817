"""Benchmark: the daily backtest over a synthetic market; wall time, its phases, CPU
time, peak memory, and how they grow with stocks and days.

    python bench/bench_backtest.py              # 5,400 stocks x 750 days + the grid
    python bench/bench_backtest.py --quick      # 5,400 x 750 only
    python bench/bench_backtest.py --quick --runs 3 --against /tmp/old
                                                # interleaved with another checkout

With `--against DIR` (another checkout, e.g. `git archive REV | tar -x -C /tmp/old`)
each run of this tree is followed by the same run of DIR's code on the same store, and
the medians and per-pair ratios are printed: on a shared machine the ratio is the
figure to quote. Each child ends as `desk backtest` ends in its checkout: with the
fast exit (`services.cli.main.end_process`, no interpreter teardown) where it has one.

Goal (issue 15): 5,400 x 750 in <= 8 s on a quiet 2-core machine, and >= 15x faster
than Qlib 0.9.7's TopkDropout fed the desk's scores (170.6 s in the issue's run).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_model import demo_store  # noqa: E402
from peak_memory import own_peak_mb  # noqa: E402

TARGET_SECONDS = 8.0
LOOKBACK = 250


def child(store_dir: str, days: int, tree: str) -> None:
    sys.path.insert(0, tree)  # that checkout's code, this file's report
    from marketdata.store import MarketStore
    from strategies.backtest import run_backtest
    from strategies.config import ModelConfig

    with contextlib.suppress(ImportError):  # a checkout from before issue 15 lacks it
        from strategies.backtest.memory import reuse_freed_memory  # as `desk backtest` does
        reuse_freed_memory()
    store = MarketStore(Path(store_dir))
    dates = store.trade_dates()
    started = time.perf_counter()
    result = run_backtest(store, dates[-days], dates[-1], ModelConfig())
    seconds = time.perf_counter() - started
    peak_mb = own_peak_mb()  # this process's own, not the parent's (peak_memory.py)
    print(json.dumps({"seconds": seconds, **result.timings, "peak_mb": peak_mb,
                      "days": result.metrics.days,
                      "orders": int(result.daily["buys"].sum() + result.daily["sells"].sum()),
                      "final_nav": float(result.daily["nav"].iloc[-1])}), flush=True)
    try:  # end as `desk backtest` ends in that checkout (without the teardown if it can)
        from services.cli.main import end_process
    except ImportError:
        return
    end_process(0)


def measure(store: Path, days: int, tree: Path = ROOT) -> dict[str, float]:
    """One fresh process of `tree`'s code: its report, its wall time (start-up and
    imports included) and its CPU time."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    out = subprocess.run([sys.executable, __file__, "--child", str(store), str(days), str(tree)],
                         capture_output=True, text=True, cwd=tree, check=True)
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    report: dict[str, float] = json.loads(out.stdout.strip().splitlines()[-1])
    report.update(wall=wall, user=after.ru_utime - before.ru_utime,
                  sys=after.ru_stime - before.ru_stime)
    return report


def _line(label: str, r: dict[str, float]) -> str:
    return (f"{label:>7} wall {r['wall']:6.2f} s (run {r['seconds']:5.2f}: load {r['load']:4.2f}"
            f" signals {r['signals']:4.2f} simulate {r['simulate']:4.2f}) cpu user "
            f"{r['user']:5.2f} sys {r['sys']:4.2f}  peak {r['peak_mb']:5.0f} MB  "
            f"fills {r['orders']:.0f}  NAV {r['final_nav']:,.2f}")


def compare(store: Path, days: int, runs: int, other: Path) -> None:
    ours: list[dict[str, float]] = []
    theirs: list[dict[str, float]] = []
    for _ in range(runs):
        ours.append(measure(store, days))
        print(_line("this", ours[-1]), flush=True)
        theirs.append(measure(store, days, other))
        print(_line("other", theirs[-1]), flush=True)
    for key in ("wall", "seconds", "load", "signals", "simulate", "user", "sys"):
        mine = statistics.median(r[key] for r in ours)
        peer = statistics.median(r[key] for r in theirs)
        print(f"median {key:>8}: this {mine:6.2f} s, {other}: {peer:6.2f} s, "
              f"{peer / mine:.2f}x")
    pairs = [t["wall"] / o["wall"] for o, t in zip(ours, theirs, strict=True)]
    print("wall ratio per pair:", ", ".join(f"{p:.2f}x" for p in pairs))
    same = all(o["final_nav"] == t["final_nav"] and o["orders"] == t["orders"]
               for o, t in zip(ours, theirs, strict=True))
    print(f"same final NAV and fills as {other}: {same}")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--cache", type=Path, default=Path("/tmp/desk-bench"))
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--runs", type=int, default=1)
    parser.add_argument("--against", type=Path, default=None)
    args = parser.parse_args()
    if args.against is not None:
        compare(demo_store(args.cache, 5400, 750 + LOOKBACK), 750, args.runs, args.against)
        return
    grid = [(5400, 750)] if args.quick else [(5400, 750), (1350, 750), (2700, 750),
                                             (5400, 250), (5400, 500)]
    print("daily backtest (one run per grid point, fresh process each)")
    print(f"{'stocks':>7} {'days':>5} {'wall s':>7} {'run s':>6} {'load s':>7} "
          f"{'signals s':>9} {'simulate s':>10} {'cpu s':>6} {'peak MB':>8} {'fills':>7}")
    for stocks, days in grid:
        store = demo_store(args.cache, stocks, 750 + LOOKBACK)
        for _ in range(args.runs):
            r = measure(store, days)
            print(f"{stocks:>7} {days:>5} {r['wall']:>7.2f} {r['seconds']:>6.2f} "
                  f"{r['load']:>7.2f} {r['signals']:>9.2f} {r['simulate']:>10.2f} "
                  f"{r['user'] + r['sys']:>6.2f} {r['peak_mb']:>8.0f} {r['orders']:>7.0f}",
                  flush=True)
            if (stocks, days) == (5400, 750):
                print(f"  target <= {TARGET_SECONDS:.0f} s wall (quiet machine): "
                      f"{'met' if r['wall'] <= TARGET_SECONDS else 'NOT met'}", flush=True)


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "--child":
        child(sys.argv[2], int(sys.argv[3]), sys.argv[4] if len(sys.argv) > 4 else str(ROOT))
    else:
        main()

"""Benchmark: the nightly model end to end (load data, universe, factors, portfolio,
orders) on a synthetic market; wall time and peak memory, and how they grow.

    python bench/bench_model.py                 # 5,400 stocks, lookback 250 + the grid
    python bench/bench_model.py --quick         # 5,400 stocks only
    python bench/bench_model.py --process --against /tmp/old-src   # whole `desk model run`
    python bench/bench_model.py --process --peer                   # beside plain pandas

`--process` times what an operator waits for: the whole `desk model run --dry-run
--json` process (interpreter, imports, settings, calendar, the embedded Redis, data
gate, model) on a 5,400-stock demo store, `--rounds` times. With `--against SRC` (a
source tree of another commit: `git archive COMMIT | tar -x -C SRC`) each round also runs
that tree's desk in the same venv, alternating which goes first, checks both print the
same batch, and prints the ratio; the machine may be noisy, the ratio is the figure.

Each measurement runs in a fresh process, which reports its own peak RSS (VmHWM,
bench/peak_memory.py: Python, pandas and the model included, not the parent's
store-building peak that ru_maxrss would carry over). Synthetic stores are cached
under --cache.
"""

from __future__ import annotations

import argparse
import json
import os
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


DESK_MAIN = "import sys; sys.argv[0] = 'desk'; from services.cli.main import cli; cli()"
PROCESS_TARGET_S = 1.5


def demo_data_dir(cache: Path, stocks: int = 5400) -> Path:
    """A desk data directory holding the demo market (`desk data demo`, built once)."""
    data_dir = cache / f"nightly_{stocks}"
    if not (data_dir / "marketdata" / "manifest.json").exists():
        subprocess.run([sys.executable, "-c", DESK_MAIN, "--data-dir", str(data_dir), "data",
                        "demo", "--stocks", str(stocks)], cwd=ROOT, check=True,
                       capture_output=True)
    return data_dir


def desk_process(data_dir: Path, src: Path | None) -> tuple[float, float, float, bytes]:
    """One whole `desk model run --dry-run --json`: (wall s, CPU s, peak MB, its stdout).

    CPU (user + system) is the steadier figure on a shared machine: waiting for a core
    adds to the wall time only.
    The peak is the child's own ru_maxrss from wait4; this parent imports no pandas and
    builds no store, so the floor it hands the child at exec is a few tens of MB."""
    env = {**os.environ, "PYTHONPATH": str(src)} if src else dict(os.environ)
    argv = [sys.executable, "-c", DESK_MAIN, "--data-dir", str(data_dir), "model", "run",
            "--dry-run", "--json"]
    started = time.perf_counter()
    proc = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, env=env,
                            cwd=data_dir.parent)
    assert proc.stdout is not None
    out = proc.stdout.read()
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - started
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode != 0:
        raise RuntimeError(f"desk model run exited {proc.returncode} ({src or ROOT})")
    return wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024, out


PEER = Path(__file__).resolve().parent / "peers" / "pandas_nightly.py"


def peer_process(data_dir: Path) -> tuple[float, float, float]:
    """One whole plain-pandas factor pass on the same store: (wall s, CPU s, peak MB)."""
    started = time.perf_counter()
    proc = subprocess.Popen([sys.executable, str(PEER), str(data_dir / "marketdata")],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _, status, usage = os.wait4(proc.pid, 0)
    if os.waitstatus_to_exitcode(status) != 0:
        raise RuntimeError("the pandas peer failed")
    return time.perf_counter() - started, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024


def process_main(cache: Path, rounds: int, against: Path | None, peer: bool = False) -> None:
    data_dir = demo_data_dir(cache)
    variants: list[tuple[str, Path | None]] = [("this tree", None)]
    if against is not None:
        variants.append((f"{against}", against))
    peer_walls: list[float] = []
    peer_cpus: list[float] = []
    walls: dict[str, list[float]] = {name: [] for name, _ in variants}
    peaks: dict[str, list[float]] = {name: [] for name, _ in variants}
    cpus: dict[str, list[float]] = {name: [] for name, _ in variants}
    print(f"whole `desk model run --dry-run --json`, 5,400 stocks, {rounds} rounds "
          f"({os.cpu_count()} cores, load {os.getloadavg()[0]:.1f})")
    for i in range(rounds):
        order = variants if i % 2 == 0 else variants[::-1]
        outputs = []
        for name, src in order:
            wall, cpu, peak, out = desk_process(data_dir, src)
            walls[name].append(wall)
            cpus[name].append(cpu)
            peaks[name].append(peak)
            outputs.append(out)
            print(f"  round {i + 1}: {name:<12} {wall:5.2f} s wall {cpu:5.2f} s CPU "
                  f"{peak:6.0f} MB", flush=True)
        if len(set(outputs)) != 1:
            raise RuntimeError("the two trees printed different batches")
        if peer:
            wall, cpu, peak = peer_process(data_dir)
            peer_walls.append(wall)
            peer_cpus.append(cpu)
            print(f"  round {i + 1}: {'pandas peer':<12} {wall:5.2f} s wall {cpu:5.2f} s CPU "
                  f"{peak:6.0f} MB", flush=True)
    for name, _ in variants:
        print(f"{name:<14} median {statistics.median(walls[name]):5.2f} s wall, "
              f"{statistics.median(cpus[name]):5.2f} s CPU, peak {max(peaks[name]):.0f} MB")
    mine = statistics.median(walls["this tree"])
    if against is not None:
        ratios = [a / b for a, b in zip(walls["this tree"], walls[f"{against}"], strict=True)]
        print(f"ratio this/against per round: {', '.join(f'{r:.2f}' for r in ratios)} "
              f"(median {statistics.median(ratios):.2f}); same batch every round")
        cpu_ratio = statistics.median(cpus["this tree"]) / statistics.median(cpus[f"{against}"])
        print(f"CPU ratio this/against (medians): {cpu_ratio:.2f}")
    if peer:
        ratios = [a / b for a, b in zip(walls["this tree"], peer_walls, strict=True)]
        print(f"pandas peer    median {statistics.median(peer_walls):5.2f} s wall, "
              f"{statistics.median(peer_cpus):5.2f} s CPU; desk/pandas wall per round: "
              f"{', '.join(f'{r:.2f}' for r in ratios)}; CPU (medians) "
              f"{statistics.median(cpus['this tree']) / statistics.median(peer_cpus):.2f}")
    print(f"  target <= {PROCESS_TARGET_S} s whole process: "
          f"{'met' if mine <= PROCESS_TARGET_S else 'NOT met'} (median {mine:.2f} s)")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--cache", type=Path, default=Path("/tmp/desk-bench"))
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--process", action="store_true",
                        help="time the whole `desk model run` process instead")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--against", type=Path, help="another source tree to alternate with")
    parser.add_argument("--peer", action="store_true",
                        help="with --process: also the plain-pandas factor pass each round")
    args = parser.parse_args()
    if args.process:
        process_main(args.cache, args.rounds, args.against, args.peer)
        return
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

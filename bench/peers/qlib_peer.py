"""Peer benchmark: `desk backtest` against Qlib's TopkDropoutStrategy on the same market.

    .venv/bin/python bench/peers/qlib_peer.py --stocks 1000 --days 250 --rounds 1   # quick
    .venv/bin/python bench/peers/qlib_peer.py --stocks 5400 --days 750 --rounds 3   # issue 15

Optional, never in CI. Both sides get the synthetic market of bench/bench_backtest.py
(`demo_store`, seed 11, 750 + 250 days) and the desk model's combined factor score per
stock and day, so they trade on the same signal: the desk through its own rotation and
fills, Qlib through TopkDropoutStrategy(topk=100, n_drop=20), with the desk's costs
(commission, transfer and handling fees, stamp duty on sells, minimum commission) and
the desk's limit-up/limit-down rule (a day locked at the limit blocks that side) as
Qlib's `limit_threshold` expressions, dealing at the day's VWAP as the desk's window
fill does. The desk side is a whole `desk backtest` process; the Qlib side a whole
process under Qlib's venv (bench/peers/qlib_side.py). Rounds alternate the two, which
goes first swapped each round, and each process's wall time, CPU time and peak memory
are printed with the ratio desk / Qlib: on a shared machine the ratio is the figure.

Qlib lives in its own venv outside the repo (--qlib-venv, default
~/.cache/smallcap-desk/qlib-venv), created here on first use with `python3.11 -m venv`
and `pip install pyqlib==0.9.7`. The market, Qlib's binary copy of it and the desk's
data directory are cached under --cache (the same cache as bench_backtest.py).

This process stays small (standard library only): the store and the conversion run in
a child (`--prepare`), so the children's peak memory is their own.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
DEFAULT_VENV = Path.home() / ".cache" / "smallcap-desk" / "qlib-venv"
QLIB_REQUIREMENT = "pyqlib==0.9.7"
LOOKBACK = 250  # bench_backtest.LOOKBACK (checked in --prepare)
STORE_DAYS = 750  # bench_backtest's stores: 750 trade days after the lookback
SAMPLE_SECONDS = 0.1


def ensure_qlib_venv(venv: Path, python: str = "python3.11") -> Path:
    """The venv's python, after creating the venv and installing Qlib when missing."""
    interpreter = venv / "bin" / "python"
    if not interpreter.exists():
        print(f"creating {venv} ({python} -m venv; pip install {QLIB_REQUIREMENT})", flush=True)
        subprocess.run([python, "-m", "venv", str(venv)], check=True)
        subprocess.run([str(interpreter), "-m", "pip", "install", "-q", "--upgrade", "pip"],
                       check=True)
    probe = subprocess.run([str(interpreter), "-c", "import qlib; print(qlib.__version__)"],
                           capture_output=True, text=True, check=False)
    if probe.returncode != 0:
        subprocess.run([str(interpreter), "-m", "pip", "install", QLIB_REQUIREMENT], check=True)
    return interpreter


def prepared_dirs(cache: Path, stocks: int, days: int) -> tuple[Path, Path]:
    """(Qlib data directory, desk data directory) for this size, built by --prepare."""
    tag = f"{stocks}x{days}_s11"
    return cache / f"qlib_{tag}", cache / f"deskdata_{tag}"


def prepare(cache: Path, stocks: int, days: int) -> None:
    """Child: the bench's store, the desk data dir pointing at it, and Qlib's copy."""
    sys.path[:0] = [str(ROOT), str(ROOT / "bench")]
    from bench_backtest import LOOKBACK as BENCH_LOOKBACK
    from bench_model import demo_store

    from bench.peers.qlib_data import export

    if BENCH_LOOKBACK != LOOKBACK:
        raise SystemExit(f"bench_backtest.LOOKBACK is {BENCH_LOOKBACK}, this bench {LOOKBACK}")
    store = demo_store(cache, stocks, max(days, STORE_DAYS) + LOOKBACK)
    qlib_dir, desk_dir = prepared_dirs(cache, stocks, days)
    desk_dir.mkdir(parents=True, exist_ok=True)
    link = desk_dir / "marketdata"  # the desk's default data.store_dir
    if not link.exists():
        link.symlink_to(store, target_is_directory=True)
    if not (qlib_dir / "meta.json").exists():
        started = time.perf_counter()
        meta = export(store, days, qlib_dir)
        print(f"  (wrote Qlib data {qlib_dir.name} in {time.perf_counter() - started:.1f} s: "
              f"{meta['stocks']} stocks, {meta['start']} to {meta['end']})", flush=True)


def _tree_rss_mb(root_pid: int) -> float:
    """Resident memory of a process and all its descendants now (MiB)."""
    parents: dict[int, int] = {}
    rss: dict[int, int] = {}
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            with open(f"/proc/{entry.name}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        pid = int(entry.name)
        parents[pid], rss[pid] = int(fields[1]), int(fields[21])
    tree, grew = {root_pid}, True
    while grew:
        more = {p for p, parent in parents.items() if parent in tree} - tree
        tree |= more
        grew = bool(more)
    return sum(rss.get(p, 0) for p in tree) * os.sysconf("SC_PAGE_SIZE") / 2**20


def measured(argv: list[str], cwd: Path) -> dict[str, Any]:
    """Run one process: wall, CPU (it and the children it waited for), peak RSS of its
    largest single process (wait4) and of its whole tree (sampled), its last JSON line."""
    with tempfile.TemporaryFile("w+") as out, tempfile.TemporaryFile("w+") as err:
        started = time.perf_counter()
        child = subprocess.Popen(argv, cwd=cwd, stdout=out, stderr=err,
                                 stdin=subprocess.DEVNULL)
        tree_peak = 0.0
        while True:
            pid, status, usage = os.wait4(child.pid, os.WNOHANG)
            if pid:
                break
            tree_peak = max(tree_peak, _tree_rss_mb(child.pid))
            time.sleep(SAMPLE_SECONDS)
        wall = time.perf_counter() - started
        child.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        stdout, stderr = out.read(), err.read()
    if child.returncode != 0:
        raise SystemExit(f"{argv[:3]} failed ({child.returncode}):\n{stdout[-2000:]}"
                         f"\n{stderr[-3000:]}")
    report = json.loads(stdout.strip().splitlines()[-1])
    return {"wall": wall, "cpu": usage.ru_utime + usage.ru_stime,
            "peak_mb": usage.ru_maxrss / 1024, "tree_peak_mb": max(tree_peak, 0.0),
            "report": report}


def desk_run(desk_dir: Path, meta: dict[str, Any]) -> dict[str, Any]:
    report = desk_dir / "reports" / "peer.html"
    return measured([sys.executable, "-m", "services.cli.main", "--data-dir", str(desk_dir),
                     "backtest", "--start", meta["start"], "--end", meta["end"], "--json",
                     "--report", str(report)], ROOT)


def qlib_run(qlib_python: Path, qlib_dir: Path) -> dict[str, Any]:
    return measured([str(qlib_python), str(HERE / "qlib_side.py"), str(qlib_dir)], HERE)


def describe(side: str, r: dict[str, Any]) -> str:
    rep = r["report"]
    if side == "desk":
        extra = (f"backtest {sum(rep['timings'].values()):.1f} s, final NAV "
                 f"{rep['final_nav']:,.0f}, costs {rep['metrics']['total_cost']:,.0f}")
    else:
        extra = (f"backtest {rep['seconds']:.1f} s, final account {rep['final_account']:,.0f}, "
                 f"costs {rep['total_cost']:,.0f}")
    return (f"  {side:>4}: wall {r['wall']:7.2f} s  cpu {r['cpu']:7.2f} s  peak "
            f"{r['peak_mb']:6.0f} MB (tree {r['tree_peak_mb']:6.0f} MB)  {extra}")


def summary(desk: list[dict[str, Any]], qlib: list[dict[str, Any]]) -> list[str]:
    lines = []
    for key, unit in (("wall", "s"), ("cpu", "s"), ("peak_mb", "MB"), ("tree_peak_mb", "MB")):
        mine = statistics.median(r[key] for r in desk)
        peer = statistics.median(r[key] for r in qlib)
        lines.append(f"median {key:>12}: desk {mine:8.2f} {unit}, Qlib {peer:8.2f} {unit}, "
                     f"desk/Qlib {mine / peer:.3f}")
    for key in ("wall", "cpu"):
        pairs = [d[key] / q[key] for d, q in zip(desk, qlib, strict=True)]
        lines.append(f"{key} desk/Qlib per round: " + ", ".join(f"{p:.3f}" for p in pairs))
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--stocks", type=int, default=1000)
    parser.add_argument("--days", type=int, default=250)
    parser.add_argument("--rounds", type=int, default=1)
    parser.add_argument("--cache", type=Path, default=Path("/tmp/desk-bench"))
    parser.add_argument("--qlib-venv", type=Path, default=DEFAULT_VENV)
    args = parser.parse_args()
    qlib_python = ensure_qlib_venv(args.qlib_venv)
    subprocess.run([sys.executable, __file__, "--prepare", str(args.cache), str(args.stocks),
                    str(args.days)], cwd=ROOT, check=True)
    qlib_dir, desk_dir = prepared_dirs(args.cache, args.stocks, args.days)
    meta = json.loads((qlib_dir / "meta.json").read_text())
    print(f"{args.stocks} stocks x {args.days} trade days ({meta['start']} to {meta['end']}), "
          f"{args.rounds} round(s); Qlib costs {meta['costs']}; load average "
          f"{os.getloadavg()[0]:.1f}", flush=True)
    desk: list[dict[str, Any]] = []
    qlib: list[dict[str, Any]] = []
    for n in range(args.rounds):
        order = ("desk", "qlib") if n % 2 == 0 else ("qlib", "desk")
        for side in order:
            if side == "desk":
                desk.append(desk_run(desk_dir, meta))
                print(describe("desk", desk[-1]), flush=True)
            else:
                qlib.append(qlib_run(qlib_python, qlib_dir))
                print(describe("qlib", qlib[-1]), flush=True)
    for line in summary(desk, qlib):
        print(line)
    print(f"Qlib {qlib[-1]['report']['qlib_version']}; load average now "
          f"{os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "--prepare":
        prepare(Path(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]))
    else:
        main()

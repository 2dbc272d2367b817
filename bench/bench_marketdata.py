"""Market-data benchmark: generate, load a lookback panel, import one day (docs/data.md).

    python bench/bench_marketdata.py [--stocks 5400] [--days 750] [--lookback 250] [--runs 5]

Prints the three figures the issue asks for, each with its target.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from marketdata.calendar import load_calendar
from marketdata.importers import import_folder
from marketdata.importers.export import export_folder
from marketdata.store import MarketStore
from marketdata.synthetic import generate_market
from marketdata.synthetic.market import write_market

HOLIDAYS = Path(__file__).resolve().parents[1] / "config" / "holidays.yaml"


def timed(action: Callable[[], object], runs: int) -> list[float]:
    seconds = []
    for _ in range(runs):
        start = time.perf_counter()
        action()
        seconds.append(time.perf_counter() - start)
    return seconds


def report(name: str, seconds: list[float], target: float) -> None:
    median = statistics.median(seconds)
    verdict = "ok" if median <= target else "SLOWER THAN TARGET"
    print(f"{name:<58} median {median:6.3f} s  (min {min(seconds):.3f}, max {max(seconds):.3f}, "
          f"n={len(seconds)})  target <= {target:g} s  {verdict}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--stocks", type=int, default=5400)
    parser.add_argument("--days", type=int, default=750)
    parser.add_argument("--lookback", type=int, default=250)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    calendar = load_calendar(HOLIDAYS)
    markets = []
    gen = timed(lambda: markets.append(
        generate_market(args.stocks, args.days, args.seed, calendar=calendar)), 3)
    market = markets[-1]
    last, before = market.days[-1], market.days[-2]
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        full = MarketStore(root / "full")
        write = timed(lambda: write_market(full, market), 1)
        load = timed(lambda: MarketStore(full.root).load_panel(last, args.lookback), args.runs)
        partial = MarketStore(root / "partial")
        write_market(partial, market, through=before)
        export_folder(full, root / "day", [last], fmt="csv", with_tables=False)
        imports = timed(lambda: import_folder(partial, calendar, root / "day"), args.runs)
        assert partial.latest_date() == last
    print(f"market: {args.stocks} stocks x {args.days} trading days "
          f"({market.days[0]} .. {last}), seed {args.seed}")
    report(f"generate {args.stocks} stocks x {args.days} days", gen, 30.0)
    report(f"load all fields, {args.stocks} stocks x {args.lookback}-day lookback", load, 0.5)
    report(f"import one day of {args.stocks} stocks (CSV) with validation", imports, 1.0)
    print(f"(write the whole synthetic store once: {write[0]:.2f} s)")


if __name__ == "__main__":
    main()

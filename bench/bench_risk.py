"""Risk daemon benchmarks: NAV recompute for 300 positions; breach to hedge order in the queue.

    python bench/bench_risk.py [--trials 10]

1. NAV: the pure chain the daemon runs every check for a 300-stock book (parse the
   ledger JSON, lay last prices over the closes with the limit check, value the book,
   judge the NAV and move the ladder), and `compute_nav` alone.
2. Breach to queue: a real Redis, a synthetic store, the risk service running its own
   loop (`check_interval_s` 0.5) and the approval queue's intake consuming proposals, each
   in a thread. Prices are written that take the drawdown across the 20% rung; the clock
   stops when the hedge order is in the queue (its order record exists). The breach lands
   at a random moment between two checks, so the figure includes waiting for the next one.
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import tempfile
import threading
import time
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

import numpy as np
import redis

from bus import streams
from execution.approval.intake import intake_consumers
from execution.approval.queue import OrderQueue
from marketdata.calendar import load_calendar
from marketdata.clock import EXCHANGE_TZ, FixedClock
from marketdata.synthetic import write_demo_store
from risk.config import RiskConfig
from risk.drawdown import HighWaterMark
from risk.ledger_view import book_from_ledger
from risk.market_inputs import DailyInputs, live_prices
from risk.monitor import MonitorState, observe_nav
from risk.nav import compute_nav
from services.redis_server import EmbeddedRedis
from services.risk_service import RiskService
from services.runtime import Runner, ServiceContext
from services.settings import DeskSettings

REPO = Path(__file__).resolve().parents[1]
NOW = datetime(2024, 3, 18, 10, 0, tzinfo=EXCHANGE_TZ)


def bench_nav(positions: int = 300, runs: int = 2000) -> dict[str, float]:
    rng = np.random.default_rng(1)
    symbols = [f"{600000 + i:06d}.SSE" for i in range(positions)]
    closes = {s: Decimal(f"{rng.uniform(3, 40):.2f}") for s in symbols}
    ledger = json.dumps({"account": "paper", "cash": "5000000.00", "at": NOW.isoformat(),
                         "positions": {s: {"quantity": "1000", "sellable": "1000",
                                           "avg_cost": str(closes[s])} for s in symbols},
                         "futures": {"IM2404.CFFEX": {"short": "10", "avg_price": "6000.0"}}})
    raw = {s: str((p * Decimal("1.01")).quantize(Decimal("0.01"))) for s, p in closes.items()}
    raw["IM2404.CFFEX"] = "5990.2"
    daily = DailyInputs(date(2024, 3, 15), closes, closes, frozenset(), {}, {}, [6000.0], {})
    cfg = RiskConfig()

    def chain() -> None:
        book = book_from_ledger(ledger, "bench", "paper")
        live = live_prices(raw, list(book.positions), ["IM2404.CFFEX"], daily, NOW.date())
        nav = compute_nav(book, live.prices, multiplier=200, margin_rate=cfg.margin_total_rate)
        observe_nav(MonitorState(), None, cfg, nav.nav, NOW, 0.05)

    book = book_from_ledger(ledger, "bench", "paper")
    prices = live_prices(raw, list(book.positions), ["IM2404.CFFEX"], daily, NOW.date()).prices
    return {"chain_ms": _median_ms(chain, runs),
            "compute_nav_ms": _median_ms(lambda: compute_nav(
                book, prices, multiplier=200, margin_rate=Decimal("0.15")), runs)}


def _median_ms(fn: object, runs: int) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()  # type: ignore[operator]
        times.append(time.perf_counter() - start)
    return statistics.median(times) * 1000


def bench_breach(trials: int) -> list[float]:
    calendar = load_calendar(REPO / "config" / "holidays.yaml")
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        store = write_demo_store(root / "store", 400, 90, 3, end=date(2024, 3, 15),
                                 calendar=calendar)
        server = EmbeddedRedis(root)
        server.start()
        try:
            client = redis.Redis.from_url(server.url, decode_responses=True)
            return [_one_breach(client, store, calendar) for _ in range(trials)]
        finally:
            server.stop()


def _one_breach(client: redis.Redis, store: object, calendar: object) -> float:
    client.flushall()
    row = store.load_panel(date(2024, 3, 15), 1, ["close"])["close"].iloc[-1].dropna()  # type: ignore[attr-defined]
    prices = {str(s): Decimal(str(v)).quantize(Decimal("0.01")) for s, v in row.head(300).items()}
    qty = {s: max(int(100_000 / p / 100), 1) * 100 for s, p in prices.items()}
    stocks = sum((prices[s] * q for s, q in qty.items()), Decimal(0))
    cash = (stocks / 6).quantize(Decimal("0.01"))
    client.set(streams.LEDGER.format(account="paper"), json.dumps({
        "account": "paper", "cash": str(cash), "at": NOW.isoformat(), "futures": {},
        "positions": {s: {"quantity": str(q), "sellable": str(q), "avg_cost": "1"}
                      for s, q in qty.items()}}))
    client.hset(streams.LAST_PRICES, mapping={s: str(p) for s, p in prices.items()})
    peak = ((stocks + cash) / Decimal("0.82")).quantize(Decimal("0.01"))  # 18% down now
    client.set(streams.HWM.format(account="paper"), HighWaterMark(peak, NOW).to_json())
    clock = FixedClock(NOW)
    ctx = ServiceContext(settings=DeskSettings(mode="paper"), client=client,
                         clock=clock, data_dir=Path("."), _store=store, _calendar=calendar)  # type: ignore[arg-type]
    runner = Runner(RiskService(ctx), heartbeat_interval_s=60)
    consumers = intake_consumers(client, OrderQueue(client, clock), "bench")
    stop = threading.Event()

    def intake() -> None:
        while not stop.is_set():
            for consumer in consumers:
                consumer.block_ms = 50
                consumer.poll(block=consumer.stream == streams.PROPOSALS)

    threads = [threading.Thread(target=runner.run), threading.Thread(target=intake)]
    for thread in threads:
        thread.start()
    time.sleep(1.5 + random.uniform(0, 0.5))  # a few checks at 18% down; a random phase
    assert not client.keys("desk:order:*"), "no hedge expected before the breach"
    dropped = {s: str((p * Decimal("0.96")).quantize(Decimal("0.01"))) for s, p in prices.items()}
    start = time.perf_counter()
    client.hset(streams.LAST_PRICES, mapping=dropped)  # about 21% down: the 20% rung
    while not client.keys("desk:order:hedge-*"):
        time.sleep(0.001)
    elapsed = time.perf_counter() - start
    runner.request_stop()
    stop.set()
    for thread in threads:
        thread.join()
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--trials", type=int, default=10)
    args = parser.parse_args()
    nav = bench_nav()
    print(f"NAV, 300 positions: full check chain {nav['chain_ms']:.3f} ms (median), "
          f"compute_nav alone {nav['compute_nav_ms']:.3f} ms")
    latencies = bench_breach(args.trials)
    print(f"breach -> hedge order in the queue, {args.trials} trials: "
          f"median {statistics.median(latencies) * 1000:.0f} ms, "
          f"max {max(latencies) * 1000:.0f} ms")


if __name__ == "__main__":
    main()

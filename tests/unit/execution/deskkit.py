"""A desk on a simulated day, driven by a FixedClock, for integration and fault tests."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import replace
from datetime import date, datetime, timedelta
from datetime import time as dtime
from decimal import Decimal
from pathlib import Path
from typing import Any

import redis

from exchange import Side
from execution.approval.lifecycle import Action
from execution.approval.queue import OrderQueue
from execution.config import ExecutionConfig
from execution.gateway.sim.gateway import SimDeps, SimGateway
from execution.gateway.sim.scenario import DayBar, scenario
from execution.gateway.sim.source import FrameSource
from execution.worker.desk import DeskDeps, ExecutionDesk
from marketdata.clock import EXCHANGE_TZ, FixedClock
from orders.order import Algo, Offset, Order, OrderKind, OrderRecord

DAY = date(2026, 11, 23)
STOCK = "600000.SSE"
DEFAULT_TAPE = {STOCK: DayBar(10.0, 10.0, 10.3, 9.8, 10.1, 5e6)}


def at(clock_time: dtime) -> datetime:
    return datetime.combine(DAY, clock_time, tzinfo=EXCHANGE_TZ)


def make_order(order_id: str, quantity: int, *, symbol: str = STOCK, side: Side = Side.BUY,
               algo: Algo = Algo.TWAP, start: dtime = dtime(9, 30), end: dtime = dtime(10, 30),
               limit: str | None = None, reference: str = "10.00",
               kind: OrderKind = OrderKind.STOCK, offset: Offset = Offset.NONE) -> Order:
    return Order(order_id=order_id, trade_date=DAY, symbol=symbol, side=side, quantity=quantity,
                 reference_price=Decimal(reference),
                 limit_price=Decimal(limit) if limit else None, algo=algo, start_time=start,
                 end_time=end, kind=kind, offset=offset)


def approve(queue: OrderQueue, order: Order) -> OrderRecord:
    queue.ingest(order, actor="model")
    return queue.apply(order.order_id, Action.APPROVE, actor="trader")


class SimDay:
    """A desk, its queue, clock and simulated broker, stepped by hand."""

    wait: Callable[[float], None] | None = None  # the standby's wait for a lease

    def __init__(self, client: redis.Redis, data_dir: Path, source: FrameSource | None = None,
                 cfg: ExecutionConfig | None = None, start: dtime = dtime(9, 29),
                 wait: Callable[[float], None] | None = None) -> None:
        self.client = client
        self.wait = wait
        self.clock = FixedClock(at(start))
        self.queue = OrderQueue(client, self.clock)
        self.source = source or scenario(DAY, DEFAULT_TAPE)
        self.cfg = cfg or ExecutionConfig()
        self.data_dir = data_dir
        self.desk = self.new_desk()

    def new_desk(self) -> ExecutionDesk:
        sim = SimDeps(self.client, self.clock, self.source, self.cfg.sim, self.cfg.initial_cash,
                      auto_match=False)
        deps = DeskDeps(self.client, self.clock, self.queue, self.cfg, self.data_dir, sim)
        return ExecutionDesk(deps if self.wait is None else replace(deps, wait=self.wait))

    @property
    def gateway(self) -> SimGateway:
        gateway: SimGateway = self.desk.bridge.gateway("SIM")
        return gateway

    def run(self, until: dtime, every_s: int = 20) -> None:
        """Advance the clock to `until`: match, let events arrive, step the desk."""
        while self.clock.now() < at(until):
            self.clock.advance(min(at(until) - self.clock.now(), timedelta(seconds=every_s)))
            self.gateway.advance()
            self.settle()

    def settle(self) -> None:
        """Apply every event in flight, then let the desk decide."""
        self.desk.step(self.desk.bridge.barrier())

    def broker_orders(self) -> list[Any]:
        return self.gateway.exchange.book.orders(DAY) if self.gateway.exchange else []

    def broker_trades(self) -> list[Any]:
        return self.gateway.exchange.book.trades(DAY) if self.gateway.exchange else []


@contextmanager
def sim_day(client: redis.Redis, data_dir: Path, **kwargs: Any) -> Iterator[SimDay]:
    day = SimDay(client, data_dir, **kwargs)
    try:
        day.desk.start()
        yield day
    finally:
        day.desk.stop()

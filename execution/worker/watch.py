"""Prices from the start of the day: subscribe what traders will look at, not only parents.

A parent subscribes its symbol when it is taken on, which is after approval: too late
for the pending page's Last and Move, the price-moved re-confirmation and manual
orders without a limit. So every symbol of today's orders and of the current batch
(which the intake may bring in after the desk started), and every holding, is
subscribed as soon as it is known. The gateway answers with the previous close before
the open (`price_source`), the auction's indicative price where it gives one, then
trades. The queue's order index is only re-read when its size changes.
"""

from __future__ import annotations

import time as wall
from collections.abc import Callable, Iterable
from datetime import date
from typing import TYPE_CHECKING

import redis
from loguru import logger

from bus import streams
from exchange import RulesError, classify
from execution.approval.queue import OrderQueue
from execution.worker.sender import Routes

if TYPE_CHECKING:
    from execution.worker.desk import ExecutionDesk

EVERY_S = 1.0  # wall seconds between looks at the queue's order index
# A subscription can cost tens of ms (the simulator loads the symbol's day), and the
# service must keep answering halts and approvals: so at most this many per look, and
# a backlog is worked off every BACKLOG_S.
MAX_PER_POLL = 16
BACKLOG_S = 0.2


class MarketWatch:
    def __init__(self, client: redis.Redis, queue: OrderQueue, day: date, routes: Routes,
                 subscribe: Callable[[str, str], None]) -> None:
        self.client, self.queue, self.day, self.routes = client, queue, day, routes
        self._subscribe = subscribe
        self.subscribed: set[str] = set()
        self._sizes: dict[date, int] = {}  # orders per trade date when last read
        self.backlog: list[str] = []  # known, not subscribed yet (in order)
        self._polled = float("-inf")

    def poll_due(self) -> list[str]:
        """`poll` every `EVERY_S`, or `BACKLOG_S` while a backlog is left."""
        wait = BACKLOG_S if self.backlog else EVERY_S
        if wall.monotonic() - self._polled < wait:
            return []
        return self.poll()

    def poll(self, held: Iterable[str] = (), limit: int = MAX_PER_POLL) -> list[str]:
        """Subscribe up to `limit` symbols not subscribed yet; returns them."""
        self._polled = wall.monotonic()
        queued = set(self.backlog)
        wanted = set(held) | self._order_symbols()
        self.backlog += sorted(wanted - self.subscribed - queued)
        new, self.backlog = self.backlog[:limit], self.backlog[limit:]
        for symbol in new:
            self._add(symbol)
        if new:
            logger.info("market watch: subscribed {} more symbols ({} in all, {} to go)",
                        len(new), len(self.subscribed), len(self.backlog))
        return new

    def _order_symbols(self) -> set[str]:
        symbols: set[str] = set()
        for day in self._days():
            size = int(self.client.zcard(streams.ORDERS_BY_DATE.format(trade_date=day)))
            if self._sizes.get(day) == size:
                continue
            self._sizes[day] = size
            symbols |= {r.order.symbol for r in self.queue.list_orders(day)}
        return symbols

    def _days(self) -> list[date]:
        """Today and, when later, the current batch's trade date (published the evening
        before): its prices are today's, which is what its traders compare with."""
        batch = self.queue.current_trade_date()
        return [self.day] + ([batch] if batch is not None and batch > self.day else [])

    def _add(self, symbol: str) -> None:
        try:
            classify(symbol)
        except RulesError:
            logger.warning("market watch: {} is not a symbol the desk trades", symbol)
            self.subscribed.add(symbol)  # not asked again
            return
        # CFFEX contracts (IM futures, MO options) trade on the futures gateway.
        gateway = self.routes.hedge if classify(symbol).is_derivative else self.routes.stock
        self._subscribe(symbol, gateway)
        self.subscribed.add(symbol)


def watch_for(desk: ExecutionDesk) -> MarketWatch:
    """A started desk's watch, its holdings (stocks, futures, options) subscribed first."""
    watch = MarketWatch(desk.client, desk.deps.queue, desk.day, desk.routes,
                        desk.parents.subscribe)
    ledger = desk.fills.ledger()
    options = getattr(ledger, "options", {})  # option holdings, where the ledger has them
    watch.poll(held=[*ledger.positions, *ledger.futures, *options])
    return watch

"""What a parent's sizing needs: the position it may sell (ledger, book), POV's base (market)."""

from __future__ import annotations

from datetime import date, datetime, time

import redis

from execution.algos.planner import Position
from execution.algos.window import at
from execution.worker.book import ChildBook
from execution.worker.fills import FillBook
from execution.worker.keys import DAY_TTL_S, POV_BASE
from execution.worker.market import MarketState
from execution.worker.parent import ParentWorker
from orders.order import Algo, Order, OrderKind

UNLIMITED = 10**12  # a futures sell opens a short: no holding limits it


def sizing_position(fills: FillBook, book: ChildBook, order: Order) -> Position:
    """The ledger's holding and T+1 sellable shares, less sells already working."""
    if order.kind is OrderKind.HEDGE:
        return Position(UNLIMITED, UNLIMITED)
    if order.side.value == "buy":
        return Position()
    held = fills.ledger().positions.get(order.symbol)
    if held is None:
        return Position()
    busy = book.open_sells(order.symbol)
    return Position(max(held.quantity - busy, 0), max(held.sellable - busy, 0))


def pov_base(market: MarketState, client: redis.Redis, day: date, worker: ParentWorker,
             now: datetime) -> int:
    """Market volume when a POV window opened (0 from the open), kept across restarts."""
    order = worker.record.order
    quote = market.quote(order.symbol)
    if order.algo is not Algo.POV or quote is None or now < worker.window.start:
        return worker.pov_base
    if worker.window.start <= at(day, time(9, 30)):
        return 0
    key = POV_BASE.format(trade_date=day.isoformat())
    if client.hsetnx(key, order.order_id, quote.volume):
        client.expire(key, DAY_TTL_S)
    return int(client.hget(key, order.order_id) or 0)

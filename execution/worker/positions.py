"""What a parent's sizing needs from the desk: the position it may sell, POV's base."""

from __future__ import annotations

from datetime import datetime, time
from typing import TYPE_CHECKING

from execution.algos.planner import Position
from execution.algos.window import at
from execution.worker.keys import DAY_TTL_S, POV_BASE
from execution.worker.parent import ParentWorker
from orders.order import Algo, Order, OrderKind

if TYPE_CHECKING:
    from execution.worker.desk import ExecutionDesk

UNLIMITED = 10**12  # a futures sell opens a short: no holding limits it


def sizing_position(desk: ExecutionDesk, order: Order) -> Position:
    """The ledger's holding and T+1 sellable shares, less sells already working."""
    if order.kind is OrderKind.HEDGE:
        return Position(UNLIMITED, UNLIMITED)
    if order.side.value == "buy":
        return Position()
    held = desk.fills.ledger().positions.get(order.symbol)
    if held is None:
        return Position()
    busy = desk.book.open_sells(order.symbol)
    return Position(max(held.quantity - busy, 0), max(held.sellable - busy, 0))


def pov_base(desk: ExecutionDesk, worker: ParentWorker, now: datetime) -> int:
    """Market volume when a POV window opened (0 from the open), kept across restarts."""
    order = worker.record.order
    quote = desk.market.quote(order.symbol)
    if order.algo is not Algo.POV or quote is None or now < worker.window.start:
        return worker.pov_base
    if worker.window.start <= at(desk.day, time(9, 30)):
        return 0
    key = POV_BASE.format(trade_date=desk.day.isoformat())
    if desk.client.hsetnx(key, order.order_id, quote.volume):
        desk.client.expire(key, DAY_TTL_S)
    return int(desk.client.hget(key, order.order_id) or 0)

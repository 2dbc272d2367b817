"""Gateway events, applied on the service's thread: orders, trades, ticks.

An order event moves its child's state (and records the broker's traded quantity, so
a child that is done but whose trades have not arrived yet still counts in full). A
trade goes to the fill book, which applies it once by trade id. Events about orders
the desk does not know are collected for reconciliation and alerts.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from loguru import logger
from vnpy.trader.constant import Status
from vnpy.trader.event import EVENT_ORDER, EVENT_TICK, EVENT_TRADE

from exchange import CommissionConfig
from execution.config import ExecutionConfig
from execution.gateway.convert import VNPY_TO_OFFSET, exact, whole
from execution.worker.book import ChildBook
from execution.worker.children import ChildOrder, ChildState
from execution.worker.fills import FillBook, Trade, fill_fees
from execution.worker.market import MarketState

STATE_OF = {
    Status.SUBMITTING: ChildState.WORKING, Status.NOTTRADED: ChildState.WORKING,
    Status.PARTTRADED: ChildState.WORKING, Status.ALLTRADED: ChildState.FILLED,
    Status.CANCELLED: ChildState.CANCELLED, Status.REJECTED: ChildState.REJECTED,
}


@dataclass
class Seen:
    """What one batch of events showed: for reconciliation and the desk's bookkeeping."""

    references: set[str] = field(default_factory=set)
    vt_orderids: set[str] = field(default_factory=set)
    strangers: list[str] = field(default_factory=list)  # broker orders the desk did not send
    changed: set[str] = field(default_factory=set)  # parent ids whose children moved
    rejected: list[ChildOrder] = field(default_factory=list)


class Inbox:
    def __init__(self, book: ChildBook, fills: FillBook, market: MarketState,
                 cfg: ExecutionConfig) -> None:
        self.book, self.fills, self.market = book, fills, market
        self.commission = CommissionConfig(rate=cfg.sim.commission_rate,
                                           minimum=cfg.sim.min_commission)

    def handle(self, events: list[Any], seen: Seen | None = None) -> Seen:
        """Apply a batch of events. At its end, even if an event fails on the way, the
        children's changes from order events reach Redis (one round trip), then its
        trades go to the fill book together (one transaction): a child's trades and its
        order events commute, so applying the trades last changes no outcome."""
        seen = seen or Seen()
        trades: list[Trade] = []
        try:
            for event in events:
                if event.type == EVENT_TICK:
                    self.market.on_tick(event.data)
                elif event.type == EVENT_ORDER:
                    self._order(event.data, seen)
                elif event.type == EVENT_TRADE:
                    self._trade(event.data, seen, trades)
        finally:
            try:
                self.book.flush()  # links and states first: a trade's MULTI writes its child
            finally:
                self._apply(trades, seen)
        return seen

    def _order(self, data: Any, seen: Seen) -> None:
        seen.vt_orderids.add(data.vt_orderid)
        if data.reference:
            seen.references.add(data.reference)
        child = self.book.find(data.reference, data.vt_orderid)
        if child is None:
            seen.strangers.append(f"{data.vt_orderid} {data.vt_symbol} ref={data.reference!r}")
            return
        state = STATE_OF.get(data.status, child.state)
        if not child.open and state is not child.state:
            return  # a late or replayed event never reopens a finished child
        reported = max(child.reported, whole(data.traded, "traded volume"))
        updated = child.model_copy(update={
            "state": state, "reported": reported, "vt_orderid": data.vt_orderid,
            "updated_at": data.datetime or child.updated_at,
        })
        if updated != child:
            self.book.stage(updated, link=updated.vt_orderid != child.vt_orderid)
            seen.changed.add(child.order_id)
            if state is ChildState.REJECTED and child.state is not ChildState.REJECTED:
                seen.rejected.append(updated)

    def _trade(self, data: Any, seen: Seen, trades: list[Trade]) -> None:
        child = self.book.find("", data.vt_orderid)
        if child is None:
            seen.strangers.append(f"trade {data.vt_tradeid} of unknown order {data.vt_orderid}")
            return
        quantity = whole(data.volume, "trade volume")
        price = exact(data.price)
        offset = VNPY_TO_OFFSET.get(data.offset, "none")
        at: datetime = data.datetime or child.updated_at
        fee = fill_fees(child, offset, quantity, price, self.commission)
        trades.append(Trade(data.vt_tradeid, child.reference, quantity, price, fee, offset, at))

    def _apply(self, trades: list[Trade], seen: Seen) -> None:
        """The batch's trades, each applied once, on their children as memory has them."""
        for trade, updated in self.fills.apply_all(trades, self.book.by_ref.__getitem__):
            self.book.kept(updated)
            seen.changed.add(updated.order_id)
            logger.debug("fill {} {}@{} for {}", trade.trade_id, trade.quantity, trade.price,
                         updated.reference)

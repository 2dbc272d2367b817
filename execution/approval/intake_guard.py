"""What the intake refuses before an order reaches the queue: the checks that need
today's date, the trading calendar or the market (the static bounds are on `Order`).

A batch trades on the next session (today's while it has not closed, else the next
trading day) and only there; an order trades on that session or the one after; a
stock's prices stay inside that day's limit band when its previous close is known.
A refusal raises `MessageRefused`: the message is dead-lettered with the reason.
docs/bus.md "Hostile messages".
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, time
from decimal import Decimal
from typing import Protocol

from bus.bus import MessageRefused
from bus.messages import BatchPublished
from exchange import limit_prices, price_band
from execution.approval.reference_data import ReferenceData
from marketdata.calendar import TradingCalendar
from marketdata.clock import Clock
from orders.order import Order, OrderKind

SESSION_END = time(15, 0)
MAX_BATCH_ORDERS = 5_000


class PreviousCloses(Protocol):
    def prev_close(self, symbol: str, trade_date: date) -> Decimal | None: ...


class NoCloses:
    """No market data: the limit band is not checked (the gateway's checks still are)."""

    def prev_close(self, symbol: str, trade_date: date) -> Decimal | None:
        return None


@dataclass
class IntakeGuard:
    calendar: TradingCalendar
    clock: Clock
    closes: PreviousCloses = field(default_factory=NoCloses)

    def session_day(self) -> date:
        """The session the next batch trades on."""
        now = self.clock.now()
        today = now.date()
        if self._trading_day(today) and now.time() < SESSION_END:
            return today
        return self.calendar.next_trading_day(today)

    def check_batch(self, batch: BatchPublished) -> None:
        session = self.session_day()
        if batch.trade_date != session:
            raise MessageRefused(f"batch {batch.batch_id[:80]} trades on {batch.trade_date}; "
                                 f"only the next session ({session}) takes a batch")
        if not batch.signal_date < batch.trade_date:
            raise MessageRefused(f"batch signal date {batch.signal_date} is not before its "
                                 f"trade date {batch.trade_date}")
        if len(batch.orders) > MAX_BATCH_ORDERS:
            raise MessageRefused(f"batch of {len(batch.orders)} orders (at most "
                                 f"{MAX_BATCH_ORDERS})")
        for order in batch.orders:
            if order.trade_date != batch.trade_date or order.batch_id != batch.batch_id:
                raise MessageRefused(f"order {order.order_id} is not of batch "
                                     f"{batch.batch_id[:80]} for {batch.trade_date}")
            self._check_band(order)

    def check_order(self, order: Order) -> None:
        session = self.session_day()
        allowed = (session, self.calendar.next_trading_day(session))
        if order.trade_date not in allowed:
            raise MessageRefused(f"order {order.order_id} trades on {order.trade_date}; "
                                 f"only {allowed[0]} or {allowed[1]}")
        self._check_band(order)

    def _check_band(self, order: Order) -> None:
        if order.kind is not OrderKind.STOCK:
            return
        prev = self.closes.prev_close(order.symbol, order.trade_date)
        if prev is None:
            return
        band = price_band(order.symbol, order.trade_date, st=order.name.lstrip("*").upper()
                          .startswith("ST"))
        up, down = limit_prices(prev, band)
        for what, price in (("reference", order.reference_price),
                            ("limit", order.limit_price)):
            if price is None:
                continue
            if (up is not None and price > up) or (down is not None and price < down):
                raise MessageRefused(f"order {order.order_id}: {what} price {price} outside "
                                     f"the {order.trade_date} band {down}-{up} of "
                                     f"{order.symbol}")

    def _trading_day(self, day: date) -> bool:
        try:
            return self.calendar.is_trading_day(day)
        except Exception as exc:  # a day no calendar covers: refuse, never crash
            raise MessageRefused(f"calendar: {exc}") from exc


class StoreCloses:
    """Previous closes from the store, when its latest day is the one before the trade
    date (production at night); a paper desk replaying its latest day has none."""

    def __init__(self, reference: ReferenceData, calendar: TradingCalendar) -> None:
        self.reference, self.calendar = reference, calendar

    def prev_close(self, symbol: str, trade_date: date) -> Decimal | None:
        facts = self.reference.facts(symbol)
        if facts.as_of is None or facts.as_of != self.calendar.previous_trading_day(trade_date):
            return None
        return facts.prev_close

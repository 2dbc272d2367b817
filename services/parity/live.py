"""What the live desk did each trade date: its fills (from the order records), fees,
and the closing NAV the end of day recorded."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

import redis

from bus import streams
from execution.eod.nav_series import NavRecord, read_stored
from orders.order import OrderKind, OrderRecord


@dataclass
class Traded:
    """Shares, value and fees of one (symbol, side) over a day, on one side of the
    comparison (live or backtest)."""

    quantity: int = 0
    value: Decimal = Decimal(0)
    fees: Decimal = Decimal(0)
    ordered: int = 0

    @property
    def price(self) -> Decimal | None:
        return self.value / self.quantity if self.quantity else None


TradeKey = tuple[str, str]  # (vt_symbol, "buy" | "sell")


@dataclass
class LiveDay:
    day: date
    stocks: dict[TradeKey, Traded] = field(default_factory=dict)
    hedge_fees: Decimal = Decimal(0)
    manual_orders: int = 0  # stock orders not made by the model (the backtest has none)


def live_days(client: redis.Redis, days: list[date],
              errors: list[str]) -> dict[date, LiveDay]:
    return {day: _live_day(client, day, errors) for day in days}


def _live_day(client: redis.Redis, day: date, errors: list[str]) -> LiveDay:
    out = LiveDay(day)
    for record in _records(client, day, errors):
        if record.order.kind is OrderKind.HEDGE:
            out.hedge_fees += record.fees
            continue
        if record.order.kind is not OrderKind.STOCK:
            continue
        if record.order.created_by != "model":
            out.manual_orders += 1
        traded = out.stocks.setdefault((record.order.symbol, record.order.side.value), Traded())
        traded.quantity += record.filled_quantity
        traded.value += record.filled_value
        traded.fees += record.fees
        traded.ordered += record.order.quantity
    return out


def _records(client: redis.Redis, day: date, errors: list[str]) -> list[OrderRecord]:
    ids = client.zrange(streams.ORDERS_BY_DATE.format(trade_date=day.isoformat()), 0, -1)
    raws = client.mget([streams.ORDER.format(order_id=_text(i)) for i in ids]) if ids else []
    found = []
    for order_id, raw in zip(ids, raws, strict=True):
        if not raw:
            continue
        try:
            found.append(OrderRecord.from_json(raw))
        except ValueError as exc:
            errors.append(f"order {_text(order_id)[:80]} of {day}: unreadable ({exc})"[:300])
    return found


def live_navs(client: redis.Redis, account: str,
              errors: list[str]) -> dict[date, NavRecord]:
    records, unreadable = read_stored(client, account)
    errors += unreadable
    return {r.day: r for r in records}


def _text(value: object) -> str:
    return value.decode() if isinstance(value, bytes) else str(value)

"""What the simulated exchange and broker refuse, each with the reason they would give.

Exchange rules (lots, tick, limit prices, price cage, sessions, T+1) come from
`exchange.check_order`; the broker adds cash, margin, offsets and closeable lots.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from exchange import OrderFacts, check_order
from execution.gateway.sim.models import FuturePosition, Position, SimOrder, StockPosition
from execution.gateway.sim.tape import SymbolRef


def refusal(order: SimOrder, ref: SymbolRef | None, position: Position, last: Decimal | None,
            at: datetime) -> str:
    """Why the exchange rules or the position refuse the order, or "" if they accept it."""
    if ref is None:
        return f"{order.symbol}: no market data today (unknown or suspended)"
    offset_problem = _offset_problem(order, position)
    if offset_problem:
        return offset_problem
    facts = _facts(ref, position, last)
    violations = check_order(order.symbol, order.side, order.volume, order.price, at, facts)
    return "; ".join(v.reason for v in violations)


def cash_refusal(position: Position, to_freeze: Decimal, available_cash: Decimal) -> str:
    if to_freeze <= available_cash:
        return ""
    what = "margin" if isinstance(position, FuturePosition) else "cash"
    return f"not enough {what}: needs {to_freeze}, available {available_cash}"


def _facts(ref: SymbolRef, position: Position, last: Decimal | None) -> OrderFacts:
    if isinstance(position, StockPosition):
        holding = position.quantity - position.frozen
        bought_today = position.quantity - position.sellable
        return OrderFacts(prev_close=ref.prev_close, reference=last, holding=max(holding, 0),
                          bought_today=max(bought_today, 0), st=ref.st, listed=ref.listed)
    return OrderFacts(prev_close=ref.prev_close, reference=last)


def _offset_problem(order: SimOrder, position: Position) -> str:
    if isinstance(position, StockPosition):
        return "" if order.offset == "none" else f"stock order with offset {order.offset}"
    if order.offset not in ("open", "close", "close_today"):
        return f"{order.symbol}: futures need an open or close offset, got {order.offset!r}"
    if order.offset == "open":
        return ""
    held = position.long if order.side == "sell" else position.short
    free = held - position.frozen_close
    if order.volume > free:
        side = "long" if order.side == "sell" else "short"
        return f"close of {order.volume} lots but only {free} {side} lots free to close"
    return ""

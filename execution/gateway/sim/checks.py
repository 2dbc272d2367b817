"""What the simulated exchange and broker refuse, each with the reason they would give.

Exchange rules (lots, tick, limit prices, price cage, sessions, T+1) come from
`exchange.check_order`; the broker adds cash, margin, offsets and closeable lots. Options
(MO) are contracts like IM: open/close offsets, lots, the exchange's limits; writing one
(sell to open) needs the short-option margin (`accounts.cash_to_freeze`).
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from exchange import OrderFacts, cage_reference, check_order
from execution.gateway.sim.models import FuturePosition, Position, SimOrder, StockPosition
from execution.gateway.sim.tape import Bar, SymbolRef, touch


def refusal(order: SimOrder, ref: SymbolRef | None, position: Position, last: Bar | None,
            at: datetime) -> str:
    """Why the exchange rules or the position refuse the order, or "" if they accept it.

    `last`: the symbol's last bar today (None before the first), whose simulated book
    gives the price cage its reference.
    """
    if ref is None:
        return f"{order.symbol}: no market data today (unknown or suspended)"
    offset_problem = _offset_problem(order, position)
    if offset_problem:
        return offset_problem
    facts = _facts(ref, position, reference(order.side, ref, last))
    violations = check_order(order.symbol, order.side, order.volume, order.price, at, facts)
    return "; ".join(v.reason for v in violations)


def reference(side: str, ref: SymbolRef, last: Bar | None) -> Decimal | None:
    """The cage reference the exchange would use: best opposite quote, else own side,
    else the last price, else the previous close (`exchange.cage_reference`)."""
    bid, ask = touch(last, ref) if last is not None else (None, None)
    return cage_reference(side, bid=bid, ask=ask, last=last.close if last else None,
                          prev_close=ref.prev_close)


def cash_refusal(position: Position, to_freeze: Decimal, available_cash: Decimal) -> str:
    if to_freeze <= available_cash:
        return ""
    what = "margin" if isinstance(position, FuturePosition) else "cash"
    return f"not enough {what}: needs {to_freeze}, available {available_cash}"


def _facts(ref: SymbolRef, position: Position, reference: Decimal | None) -> OrderFacts:
    if isinstance(position, StockPosition):
        holding = position.quantity - position.frozen
        bought_today = position.quantity - position.sellable
        return OrderFacts(prev_close=ref.prev_close, reference=reference,
                          holding=max(holding, 0), bought_today=max(bought_today, 0),
                          st=ref.st, listed=ref.listed)
    # The day's limits are the exchange's (SymbolRef), not recomputed from the settlement.
    return OrderFacts(limit_up=ref.limit_up, limit_down=ref.limit_down, reference=reference)


def _offset_problem(order: SimOrder, position: Position) -> str:
    if isinstance(position, StockPosition):
        return "" if order.offset == "none" else f"stock order with offset {order.offset}"
    if order.offset not in ("open", "close", "close_today"):
        return (f"{order.symbol}: futures and options need an open or close offset, "
                f"got {order.offset!r}")
    if order.offset == "open":
        return ""
    held = position.long if order.side == "sell" else position.short
    free = held - position.frozen_close
    if order.volume > free:
        side = "long" if order.side == "sell" else "short"
        return f"close of {order.volume} lots but only {free} {side} lots free to close"
    return ""

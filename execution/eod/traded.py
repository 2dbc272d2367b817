"""Shares of each stock the desk traded on a day, from its fill journals.

The desk's side of its volume share (risk.crowding): buys and sells both count, as both
take part of the day's volume. Hedges and options are not stocks and are left out.
"""

from __future__ import annotations

from collections import defaultdict

from execution.eod.views import DeskDay
from orders.order import OrderKind


def traded_shares(desk: DeskDay) -> dict[str, int]:
    """Stock symbol -> shares filled on the day (every fill of every parent order)."""
    symbol_of = {r.order_id: r.order.symbol for r in desk.records
                 if r.order.kind is OrderKind.STOCK}
    out: dict[str, int] = defaultdict(int)
    for fill in desk.fills:
        symbol = symbol_of.get(fill.order_id)
        if symbol is not None:
            out[symbol] += fill.quantity
    return dict(out)

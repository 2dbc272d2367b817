"""How a resting limit order trades against one minute bar (pure).

A buy priced at or above the bar's average price trades at the average; one priced
between the low and the average trades at its own price, on the share of the bar's
volume that traded that low. We take at most `participation` of what traded, shared
by all our orders in the symbol. A bar locked at limit-up gives buyers nothing (they
queue behind everyone else), and one locked at limit-down gives sellers nothing.
Auctions trade at one price: the first bar's open, or the last bar's close.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_FLOOR, Decimal

from exchange import classify, quantity_rule
from execution.gateway.sim.models import SimOrder
from execution.gateway.sim.tape import Bar, SymbolRef


@dataclass(frozen=True)
class Match:
    quantity: int
    price: Decimal


def _lot(symbol: str) -> int:
    return 1 if classify(symbol).is_derivative else quantity_rule(symbol).lot


def _capacity(bar: Bar, participation: Decimal, share: Decimal, used: int) -> int:
    cap = (participation * bar.volume * share).to_integral_value(ROUND_FLOOR)
    return max(int(cap) - used, 0)


def _whole(order: SimOrder, capacity: int) -> int:
    """Fill in whole lots, except the order's last odd piece."""
    if capacity >= order.remaining:
        return order.remaining
    lot = _lot(order.symbol)
    return capacity - capacity % lot


def _locked_against(order: SimOrder, bar: Bar, ref: SymbolRef) -> bool:
    if bar.high != bar.low:
        return False
    if order.side == "buy":
        return ref.limit_up is not None and bar.high >= ref.limit_up
    return ref.limit_down is not None and bar.low <= ref.limit_down


def match_continuous(order: SimOrder, bar: Bar, ref: SymbolRef, participation: Decimal,
                     used: int) -> Match | None:
    if _locked_against(order, bar, ref):
        return None
    buy = order.side == "buy"
    if (buy and order.price < bar.low) or (not buy and order.price > bar.high):
        return None
    through = order.price >= bar.vwap if buy else order.price <= bar.vwap
    if through:
        price, share = bar.vwap, Decimal(1)
    else:
        reach = order.price - bar.low if buy else bar.high - order.price
        spread = bar.vwap - bar.low if buy else bar.high - bar.vwap
        price, share = order.price, (reach / spread if spread > 0 else Decimal(1))
    quantity = _whole(order, _capacity(bar, participation, share, used))
    return Match(quantity, price) if quantity > 0 else None


def match_auction(order: SimOrder, bar: Bar, price: Decimal, participation: Decimal,
                  used: int) -> Match | None:
    crosses = order.price >= price if order.side == "buy" else order.price <= price
    if not crosses:
        return None
    quantity = _whole(order, _capacity(bar, participation, Decimal(1), used))
    return Match(quantity, price) if quantity > 0 else None

"""How many IM lots a hedge needs, how to split them, and whether the margin is there.

Lots = beta x hedge ratio x stock exposure / (futures price x multiplier), rounded to
the nearest lot (half up): with lots of about 1.2 m CNY each, rounding down would
leave a small book without any hedge, rounding up over-hedges by at most half a lot.
The futures price, not the index, is used: the index would understate the lots by the
basis.
"""

from __future__ import annotations

from decimal import ROUND_DOWN, ROUND_HALF_UP, Decimal


def hedge_lots(
    exposure: Decimal, beta: float, ratio: float, futures_price: Decimal, multiplier: int
) -> int:
    if futures_price <= 0:
        raise ValueError(f"hedge size: futures price {futures_price} must be positive")
    if exposure <= 0 or ratio <= 0:
        return 0
    notional = exposure * Decimal(str(beta)) * Decimal(str(ratio))
    return int((notional / (futures_price * multiplier)).to_integral_value(ROUND_HALF_UP))


def hedged_ratio(
    lots: int, exposure: Decimal, beta: float, futures_price: Decimal, multiplier: int
) -> float:
    """The share of beta-weighted exposure that `lots` cover (0 without exposure)."""
    if exposure <= 0:
        return 0.0
    return float(lots * futures_price * multiplier / (exposure * Decimal(str(beta))))


def split_lots(lots: int, max_per_order: int) -> list[int]:
    """`lots` as near-equal orders of at most `max_per_order` each, largest first."""
    if lots < 0 or max_per_order < 1:
        raise ValueError(f"split: lots {lots} must be >= 0 and max {max_per_order} >= 1")
    if lots == 0:
        return []
    count = -(-lots // max_per_order)
    base, extra = divmod(lots, count)
    return [base + 1] * extra + [base] * (count - extra)


def margin_for(lots: int, price: Decimal, multiplier: int, rate: Decimal) -> Decimal:
    return (price * lots * multiplier * rate).quantize(Decimal("0.01"))


def affordable_lots(free_cash: Decimal, price: Decimal, multiplier: int, rate: Decimal) -> int:
    """Most lots whose margin `free_cash` covers."""
    per_lot = price * multiplier * rate
    if free_cash <= 0 or per_lot <= 0:
        return 0
    return int((free_cash / per_lot).to_integral_value(ROUND_DOWN))


def on_tick(price: float | Decimal, tick: Decimal) -> Decimal:
    """`price` rounded half up to the contract's tick, with the tick's places (0.2 -> 1)."""
    steps = (Decimal(str(price)) / tick).to_integral_value(ROUND_HALF_UP)
    return (steps * tick).quantize(tick)

"""What a trade costs: exchange fees and commission (exchange) plus slippage.

The same functions price the nightly batch's expected cost and the backtest's fills.
"""

from __future__ import annotations

import math
from datetime import date
from decimal import ROUND_CEILING, ROUND_FLOOR, ROUND_HALF_UP, Decimal
from functools import lru_cache

from exchange import tick_size
from exchange.fees import fee_total
from strategies.config import CostConfig

CENT = Decimal("0.01")


def slippage_fraction(value: float, adv: float, config: CostConfig) -> float:
    """Expected price concession as a fraction: fixed part plus square-root impact."""
    fixed = config.slippage_bps / 10_000.0
    if not adv > 0 or config.impact_coefficient == 0.0:
        return fixed
    return fixed + config.impact_coefficient * math.sqrt(max(value, 0.0) / adv)


def fill_price(symbol: str, side: str, reference: Decimal, slippage: float) -> Decimal:
    """The reference price moved against us by `slippage`, on the tick grid."""
    tick = tick_size(symbol)
    if side == "buy":
        moved = reference * Decimal(repr(1.0 + slippage))
        return moved.quantize(tick, rounding=ROUND_CEILING)
    moved = reference * Decimal(repr(1.0 - slippage))
    return max(moved.quantize(tick, rounding=ROUND_FLOOR), tick)


def trade_cost(symbol: str, side: str, quantity: int, price: Decimal, on: date,
               config: CostConfig) -> Decimal:
    """Fees and commission of one fill (exact, CNY)."""
    return fee_total(symbol, side, quantity, price, on, config.commission)


def expected_cost(symbol: str, side: str, quantity: int, price: Decimal, on: date,
                  adv: float, config: CostConfig) -> Decimal:
    """Fees plus estimated slippage of an order at `price` (CNY, to the cent)."""
    value = price * quantity
    slip = Decimal(repr(slippage_fraction(float(value), adv, config)))
    slip_value = (value * slip).quantize(CENT, rounding=ROUND_HALF_UP)
    return trade_cost(symbol, side, quantity, price, on, config) + slip_value


def to_price(value: float, what: str) -> Decimal:
    """A float price from the panel as an exact two-place Decimal."""
    if not math.isfinite(value) or value <= 0:
        raise ValueError(f"{what}: price {value!r} is not a positive number")
    return _two_places(float(value))


@lru_cache(maxsize=65536)  # a backtest prices the same closes day after day
def _two_places(value: float) -> Decimal:
    return Decimal(repr(value)).quantize(CENT, rounding=ROUND_HALF_UP)

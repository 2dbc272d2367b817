"""What a fill costs: stamp duty, transfer fee, handling fee, commission; IM fees.

Rates come from the dated tables in `data`; each item is rounded half-up to 0.01 CNY.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from exchange.config import CommissionConfig
from exchange.data import FUTURE_FEES, HANDLING_FEE, STAMP_DUTY_SELL, TRANSFER_FEE, in_force
from exchange.enums import Side, parse_side
from exchange.errors import UnsupportedSecurity
from exchange.futures import future_spec
from exchange.prices import check_price
from exchange.securities import classify, require_stock

CENT = Decimal("0.01")
FUTURE_OFFSETS = ("open", "close", "close_today")


@dataclass(frozen=True)
class FeeBreakdown:
    stamp_duty: Decimal
    transfer_fee: Decimal
    handling_fee: Decimal
    commission: Decimal
    total: Decimal


def fees(
    symbol: str,
    side: str,
    quantity: int,
    price: Decimal,
    on: date,
    commission: CommissionConfig,
) -> FeeBreakdown:
    """Fees of one stock fill of `quantity` shares at `price` on day `on`."""
    info = classify(symbol, on)
    if info.is_future:
        raise UnsupportedSecurity(f"{symbol}: use future_fee() for futures (offset matters)")
    require_stock(info, "fees")
    check_price(price, f"fill price of {symbol}")
    if quantity <= 0:
        raise ValueError(f"fill quantity {quantity} of {symbol}: expected > 0")
    value = price * quantity
    selling = parse_side(side) is Side.SELL
    stamp = _cents(value * in_force(STAMP_DUTY_SELL, on, "stamp duty")) if selling else CENT * 0
    transfer = _cents(value * in_force(TRANSFER_FEE, on, "transfer fee"))
    handling = _cents(value * in_force(HANDLING_FEE, on, "handling fee"))
    broker = _commission(value, commission)
    return FeeBreakdown(stamp, transfer, handling, broker, stamp + transfer + handling + broker)


def future_fee(symbol: str, offset: str, lots: int, price: Decimal, on: date) -> Decimal:
    """Exchange fee of an index-future fill; `offset` is open, close or close_today."""
    spec = future_spec(symbol)
    check_price(price, f"fill price of {symbol}", spec.tick)
    if lots <= 0:
        raise ValueError(f"fill of {symbol}: lots {lots}, expected > 0")
    if offset not in FUTURE_OFFSETS:
        raise ValueError(f"offset {offset!r}: expected one of {', '.join(FUTURE_OFFSETS)}")
    rates = in_force(FUTURE_FEES[spec.product], on, f"{spec.product} fees")
    rate: Decimal = getattr(rates, offset)
    return _cents(price * spec.multiplier * lots * rate)


def _commission(value: Decimal, config: CommissionConfig) -> Decimal:
    amount = value * config.rate
    if not config.minimum_waived:
        amount = max(amount, config.minimum)
    return _cents(amount)


def _cents(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)

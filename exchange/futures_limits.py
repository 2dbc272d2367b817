"""CFFEX daily price limits of index futures: the day's band and the limit prices.

The band is the previous settlement price's ±10%, ±20% on the contract's last trading
day, and ±20% of the listing benchmark price (挂盘基准价) on its first day. The last
trading day comes in as an argument: it is the exchange's, from the contract's listing.
"""

from __future__ import annotations

from datetime import date
from decimal import ROUND_CEILING, ROUND_FLOOR, Decimal

from exchange.futures import future_spec


def future_band(symbol: str, on: date, last_day: date, *, listed: date | None = None) -> Decimal:
    """The band on `on` of a contract whose last trading day is `last_day`.

    `listed`: the contract's first trading day, when known; on that day the band is
    the first-day band around the listing benchmark price instead of the previous
    settlement.
    """
    spec = future_spec(symbol)
    if on > last_day:
        raise ValueError(f"{symbol} expired on {last_day}: no band on {on}")
    if listed is not None and on < listed:
        raise ValueError(f"{symbol} is listed from {listed}: no band on {on}")
    if on == listed:
        return spec.first_day_band
    return spec.last_day_band if on == last_day else spec.band


def future_limit_prices(
    symbol: str, reference: Decimal, band: Decimal
) -> tuple[Decimal, Decimal]:
    """Limit-up and limit-down around `reference` for a band of `band`.

    `reference` is the previous settlement price (a volume-weighted price to 0.1 that
    need not sit on the tick) or, on a contract's first day, its listing benchmark
    price. A limit off the tick is rounded inward (limit-up down, limit-down up), so
    the limit itself is a legal price inside the band.
    """
    spec = future_spec(symbol)
    check_settlement(reference, spec.settlement_step)
    if not isinstance(band, Decimal) or not 0 < band < 1:
        raise ValueError(f"band {band!r}: expected a Decimal between 0 and 1")
    tick = spec.tick
    up = (reference * (1 + band) / tick).to_integral_value(ROUND_FLOOR) * tick
    down = (reference * (1 - band) / tick).to_integral_value(ROUND_CEILING) * tick
    return up.quantize(tick), max(down, tick).quantize(tick)


def check_settlement(price: Decimal, step: Decimal) -> None:
    """Raise unless `price` is a positive Decimal on the settlement grid (0.1)."""
    if not isinstance(price, Decimal):
        raise TypeError(f"settlement price {price!r}: expected a Decimal")
    if not price.is_finite() or price <= 0 or price % step != 0:
        raise ValueError(f"settlement price {price}: expected a positive multiple of {step}")

"""CSI 1000 index futures (IM): contract spec, last trading day, daily limit prices."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import ROUND_CEILING, ROUND_FLOOR, Decimal

from execution.rules.data import FUTURE_SPECS, FutureSpec
from execution.rules.days import TradingDays, first_trading_day_from
from execution.rules.securities import SecurityInfo, classify


def future_spec(symbol: str) -> FutureSpec:
    """Contract spec of an index future such as "IM2612.CFFEX"."""
    info = _future_info(symbol)
    return FUTURE_SPECS[_product(info)]


def last_trading_day(symbol: str, calendar: TradingDays | None = None) -> date:
    """Third Friday of the contract month, or the next trading day if it is a holiday.

    Without a calendar holidays are unknown and the third Friday itself is returned.
    """
    info = _future_info(symbol)
    year = 2000 + int(info.code[-4:-2])
    month = int(info.code[-2:])
    first = date(year, month, 1)
    first_friday = first + timedelta(days=(4 - first.weekday()) % 7)
    return first_trading_day_from(first_friday + timedelta(days=14), calendar)


def future_band(symbol: str, on: date, calendar: TradingDays | None = None) -> Decimal:
    """Daily limit band: the normal band, or the wider one on the last trading day."""
    spec = future_spec(symbol)
    last_day = last_trading_day(symbol, calendar)
    if on > last_day:
        raise ValueError(f"{symbol} expired on {last_day}: no band on {on}")
    return spec.last_day_band if on == last_day else spec.band


def future_limit_prices(
    symbol: str, prev_settlement: Decimal, band: Decimal
) -> tuple[Decimal, Decimal]:
    """Limit-up and limit-down from the previous settlement price.

    A result off the 0.2 tick is rounded inward (limit-up down, limit-down up) so the
    limit itself is a legal price inside the band.
    """
    tick = future_spec(symbol).tick
    if prev_settlement <= 0 or prev_settlement % tick != 0:
        raise ValueError(
            f"previous settlement {prev_settlement}: expected a positive multiple of {tick}"
        )
    up = (prev_settlement * (1 + band) / tick).to_integral_value(ROUND_FLOOR) * tick
    down = (prev_settlement * (1 - band) / tick).to_integral_value(ROUND_CEILING) * tick
    return up, max(down, tick)


def _future_info(symbol: str) -> SecurityInfo:
    info = classify(symbol)
    if not info.is_future:
        raise ValueError(f"symbol {symbol!r} is a stock, not an index future")
    return info


def _product(info: SecurityInfo) -> str:
    return info.code[:-4]

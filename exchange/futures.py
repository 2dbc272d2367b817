"""CSI 1000 index futures (IM): contract spec and last trading day.

Daily limit prices are in `futures_limits`.
"""

from __future__ import annotations

from datetime import date, timedelta

from exchange.data import FUTURE_SPECS, FutureSpec
from exchange.days import TradingDays, first_trading_day_from
from exchange.securities import SecurityInfo, classify

_FRIDAY = 4


def future_spec(symbol: str) -> FutureSpec:
    """Contract spec of an index future such as "IM2612.CFFEX"."""
    info = _future_info(symbol)
    return FUTURE_SPECS[_product(info)]


def contract_symbol(product: str, year: int, month: int) -> str:
    """vt_symbol of `product`'s contract of a month: ("IM", 2026, 12) -> "IM2612.CFFEX"."""
    return classify(f"{product}{year % 100:02d}{month:02d}.CFFEX").symbol


def contract_month(symbol: str) -> tuple[int, int]:
    """(year, month) of an index-future contract such as "IM2612.CFFEX"."""
    info = _future_info(symbol)
    return 2000 + int(info.code[-4:-2]), int(info.code[-2:])


def third_friday(year: int, month: int) -> date:
    """The third Friday of a month, holidays or not."""
    first = date(year, month, 1)
    return first + timedelta(days=(_FRIDAY - first.weekday()) % 7 + 14)


def last_trading_day(symbol: str, calendar: TradingDays | None = None) -> date:
    """Third Friday of the contract month, or the next trading day if it is a holiday
    (CFFEX: 合约到期月份的第三个周五, 遇国家法定假日顺延).

    The rule alone. Where the exchange's listed date is known (store, feed, replay file),
    `exchange.contracts.contract_expiry` uses it and keeps this rule as a
    cross-check. Without a calendar holidays are unknown and the third Friday itself is
    returned. A calendar that does not cover the days asked about raises (the desk does
    not guess); simulations past its end pass `WeekdaysBeyondCalendar(calendar)` instead.
    """
    return first_trading_day_from(third_friday(*contract_month(symbol)), calendar)


def _future_info(symbol: str) -> SecurityInfo:
    info = classify(symbol)
    if not info.is_future:
        raise ValueError(f"symbol {symbol!r} is a stock, not an index future")
    return info


def _product(info: SecurityInfo) -> str:
    return info.code[:-4]

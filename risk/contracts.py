"""Which IM contracts are listed on a day, when each expires, and when to roll.

CFFEX lists the current month, the next month and the next two quarter months. A
contract's last trading day is the third Friday of its month, moved to the next
trading day when that Friday is a holiday (the calendar knows which). The current
month is the earliest contract that has not yet expired.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from typing import Protocol

QUARTER_MONTHS = (3, 6, 9, 12)
_SYMBOL = re.compile(r"^([A-Z]{1,2})(\d{2})(\d{2})\.([A-Z]+)$")


class ExpiryCalendar(Protocol):
    """What this module needs of `marketdata.calendar.TradingCalendar`."""

    def im_expiry(self, year: int, month: int) -> date: ...

    def trading_days(self, start: date, end: date) -> list[date]: ...


@dataclass(frozen=True, order=True)
class Contract:
    expiry: date
    symbol: str  # vt_symbol, e.g. "IM2612.CFFEX"

    @property
    def code(self) -> str:
        return self.symbol.split(".")[0]


def contract_symbol(product: str, year: int, month: int, exchange: str) -> str:
    return f"{product}{year % 100:02d}{month:02d}.{exchange}"


def parse_contract(symbol: str, calendar: ExpiryCalendar) -> Contract:
    """The contract named by a vt_symbol such as "IM2612.CFFEX"."""
    match = _SYMBOL.match(symbol)
    if match is None or not 1 <= int(match.group(3)) <= 12:
        raise ValueError(f"futures symbol {symbol!r}: expected e.g. 'IM2612.CFFEX'")
    year, month = 2000 + int(match.group(2)), int(match.group(3))
    return Contract(calendar.im_expiry(year, month), symbol)


def listed_contracts(
    day: date, calendar: ExpiryCalendar, product: str = "IM", exchange: str = "CFFEX"
) -> list[Contract]:
    """The four contracts trading on `day`, nearest expiry first."""
    year, month = day.year, day.month
    if day > calendar.im_expiry(year, month):
        year, month = _next_month(year, month)
    months = [(year, month), _next_month(year, month)]
    candidate = months[-1]
    while len(months) < 4:
        candidate = _next_month(*candidate)
        if candidate[1] in QUARTER_MONTHS:
            months.append(candidate)
    return [
        Contract(calendar.im_expiry(y, m), contract_symbol(product, y, m, exchange))
        for y, m in months
    ]


def trading_days_left(contract: Contract, day: date, calendar: ExpiryCalendar) -> int:
    """Trading days after `day` up to and including expiry (0 on the last trading day)."""
    if day > contract.expiry:
        return -1
    days = calendar.trading_days(day, contract.expiry)
    return len(days) - (1 if days and days[0] == day else 0)


def must_roll(contract: Contract, day: date, calendar: ExpiryCalendar, roll_days: int) -> bool:
    """True once `contract` is within `roll_days` trading days of its expiry (or past it)."""
    return trading_days_left(contract, day, calendar) <= roll_days


def calendar_days_left(contract: Contract, day: date) -> int:
    return (contract.expiry - day).days


def _next_month(year: int, month: int) -> tuple[int, int]:
    return (year + 1, 1) if month == 12 else (year, month + 1)

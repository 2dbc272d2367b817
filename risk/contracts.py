"""IM contracts as the hedge sees them: each with its last trading day, and when to roll.

Which contracts are listed on a day and when each expires are `exchange`'
(`contract_schedule`, `last_trading_day`, holiday-adjusted with the calendar passed in);
this module adds the roll arithmetic.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import TypeAlias

from exchange import TradingDays, classify, contract_schedule, last_trading_day

# What this module needs of `marketdata.calendar.TradingCalendar`: `trading_days`.
ExpiryCalendar: TypeAlias = TradingDays


@dataclass(frozen=True, order=True)
class Contract:
    expiry: date
    symbol: str  # vt_symbol, e.g. "IM2612.CFFEX"

    @property
    def code(self) -> str:
        return self.symbol.split(".")[0]


def parse_contract(symbol: str, calendar: ExpiryCalendar) -> Contract:
    """The contract named by a vt_symbol such as "IM2612.CFFEX"."""
    expiry = last_trading_day(symbol, calendar)  # refuses stocks and unknown contracts
    written = classify(symbol).symbol
    if written != symbol:
        raise ValueError(f"futures symbol {symbol!r}: write it as {written!r}")
    return Contract(expiry, symbol)


def listed_contracts(day: date, calendar: ExpiryCalendar, product: str = "IM") -> list[Contract]:
    """The four contracts trading on `day`, nearest expiry first.

    Days before the product was listed get the contracts the listing rule would have
    given, so that replays of older history can be priced.
    """
    return [parse_contract(s, calendar) for s in contract_schedule(day, product, calendar)]


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

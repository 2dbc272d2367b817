"""IM contracts as the hedge sees them: each with its last trading day, and when to roll.

A contract's last trading day is the exchange's listed date where the desk has it (the
store's futures table, the replay's futures file); otherwise the third-Friday rule with
the trading calendar, where the calendar covers it; otherwise it is refused
(`ExpiryUnknown`). Next to a listed date the rule is a cross-check: a disagreement is
reported (`ContractDays.mismatches`), the listed date is used. Trading days left to an
expiry past the calendar's end are counted with `MinimumTradingDays`, so a roll never
comes later than it would with the true holidays.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from typing import TypeAlias

from exchange import TradingDays, classify, contract_schedule
from exchange.contracts import ContractExpiry, ExpiryUnknown, contract_expiry
from exchange.days import CoveredTradingDays, MinimumTradingDays

__all__ = ["Contract", "ContractDays", "ExpiryCalendar", "ExpiryUnknown", "calendar_days_left",
           "contract_days", "listed_contracts", "must_roll", "parse_contract",
           "trading_days_left"]

# A trading calendar (`marketdata.calendar.TradingCalendar`: `trading_days`,
# `covered_through`) or a `ContractDays` that adds the listed expiries to one.
ExpiryCalendar: TypeAlias = TradingDays


@dataclass(frozen=True, order=True)
class Contract:
    expiry: date
    symbol: str  # vt_symbol, e.g. "IM2612.CFFEX"

    @property
    def code(self) -> str:
        return self.symbol.split(".")[0]


class ContractDays:
    """Expiries (listed first, the rule where the calendar covers it) and a day count that
    never overstates the trading days left past the calendar's end."""

    def __init__(self, calendar: TradingDays, listed: Mapping[str, date] | None = None) -> None:
        self.calendar = calendar
        self.listed = dict(listed or {})
        self._covered: CoveredTradingDays = (
            calendar if isinstance(calendar, CoveredTradingDays) else _Unbounded(calendar))
        self._counting = MinimumTradingDays(self._covered)
        self._seen: dict[str, ContractExpiry] = {}

    def trading_days(self, start: date, end: date) -> list[date]:
        return self._counting.trading_days(start, end)

    def expiry(self, symbol: str) -> ContractExpiry:
        if symbol not in self._seen:
            self._seen[symbol] = self._resolve(symbol)
        return self._seen[symbol]

    def contract(self, symbol: str) -> Contract:
        written = classify(symbol).symbol
        if written != symbol:
            raise ValueError(f"futures symbol {symbol!r}: write it as {written!r}")
        return Contract(self.expiry(symbol).day, symbol)

    def mismatches(self) -> dict[str, str]:
        """Contracts looked at so far whose listed expiry the rule contradicts: symbol -> why."""
        return {s: e.mismatch for s, e in sorted(self._seen.items()) if e.mismatch}

    def _resolve(self, symbol: str) -> ContractExpiry:
        return contract_expiry(symbol, self.listed.get(symbol), self._covered)


class _Unbounded:
    """A calendar that does not say where it ends (simulations): taken to cover every day."""

    def __init__(self, calendar: TradingDays) -> None:
        self.calendar = calendar
        self.covered_through = date.max - timedelta(days=60)

    def trading_days(self, start: date, end: date) -> list[date]:
        return self.calendar.trading_days(start, end)


def contract_days(calendar: ExpiryCalendar) -> ContractDays:
    """`calendar` itself when it already is a `ContractDays`, else one without listed dates."""
    return calendar if isinstance(calendar, ContractDays) else ContractDays(calendar)


def parse_contract(symbol: str, calendar: ExpiryCalendar) -> Contract:
    """The contract named by a vt_symbol such as "IM2612.CFFEX"; refuses stocks, malformed
    contracts and expiries that are neither listed nor covered by the calendar."""
    return contract_days(calendar).contract(symbol)


def listed_contracts(day: date, calendar: ExpiryCalendar, product: str = "IM") -> list[Contract]:
    """The four contracts trading on `day`, nearest expiry first.

    Days before the product was listed get the contracts the listing rule would have
    given, so that replays of older history can be priced.
    """
    days = contract_days(calendar)
    symbols = contract_schedule(day, product, expiry_of=lambda s: days.expiry(s).day)
    return [days.contract(s) for s in symbols]


def trading_days_left(contract: Contract, day: date, calendar: ExpiryCalendar) -> int:
    """Trading days after `day` up to and including expiry (0 on the last trading day).

    The expiry itself trades (the exchange listed it); the days before it past the
    calendar's end are counted as few as the true holidays could leave.
    """
    if day > contract.expiry:
        return -1
    if day == contract.expiry:
        return 0
    between = contract_days(calendar).trading_days(day + timedelta(days=1),
                                                   contract.expiry - timedelta(days=1))
    return len(between) + 1


def must_roll(contract: Contract, day: date, calendar: ExpiryCalendar, roll_days: int) -> bool:
    """True once `contract` is within `roll_days` trading days of its expiry (or past it)."""
    return trading_days_left(contract, day, calendar) <= roll_days


def calendar_days_left(contract: Contract, day: date) -> int:
    return (contract.expiry - day).days

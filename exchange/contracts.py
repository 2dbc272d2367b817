"""IM contracts: their last trading day, which are listed on a day, how many lots may
still be opened, and the final settlement price."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum

from errors import FixData
from exchange.data import FUTURE_SPECS
from exchange.days import CoveredTradingDays, TradingDays, first_covered_trading_day_from
from exchange.futures import (
    contract_month,
    contract_symbol,
    future_spec,
    last_trading_day,
    third_friday,
)

_CENT = Decimal("0.01")


class ExpiryUnknown(ValueError, FixData):
    """A contract's last trading day is neither listed nor known to the trading calendar."""


class ExpirySource(StrEnum):
    LISTED = "listed"  # the exchange's own date (store, feed, replay file)
    RULE = "rule"  # third Friday, next trading day if closed, from the calendar


@dataclass(frozen=True)
class ContractExpiry:
    symbol: str
    day: date
    source: ExpirySource
    rule_day: date | None  # what the third-Friday rule says, where the calendar covers it

    @property
    def mismatch(self) -> str:
        """Why the listed date and the rule disagree ("" when they agree or the rule is unknown)."""
        if self.source is not ExpirySource.LISTED or self.rule_day in (None, self.day):
            return ""
        return (f"{self.symbol}: the listed last trading day is {self.day}, the third-Friday "
                f"rule with the trading calendar says {self.rule_day}; the listed date is used. "
                "Check config/holidays.yaml and the imported futures bars")


def contract_expiry(
    symbol: str, listed: date | None, calendar: CoveredTradingDays
) -> ContractExpiry:
    """Last trading day of an index-future contract: the exchange's listed date when known,
    else the third-Friday rule where `calendar` covers it; otherwise `ExpiryUnknown`.

    The rule is also computed next to a listed date, as a cross-check (`mismatch`).
    """
    year, month = contract_month(symbol)  # refuses stocks and malformed contracts
    rule = first_covered_trading_day_from(third_friday(year, month), calendar)
    if listed is not None:
        return ContractExpiry(symbol, listed, ExpirySource.LISTED, rule)
    if rule is not None:
        return ContractExpiry(symbol, rule, ExpirySource.RULE, rule)
    raise ExpiryUnknown(
        f"{symbol}: last trading day unknown: no listed expiry for it (the store's futures "
        f"table or the futures file carries one) and the trading calendar ends "
        f"{calendar.covered_through}, before the rule's third Friday {third_friday(year, month)}. "
        "Import its bars with their expiry, or extend config/holidays.yaml"
    )


def listed_contracts(
    on: date, product: str = "IM", calendar: TradingDays | None = None
) -> list[str]:
    """vt_symbols listed on `on`: this month, next month and the next two quarter months.

    "This month" rolls to the next one the day after its contract's last trading day.
    Days before the product was first listed raise.
    """
    spec = FUTURE_SPECS[product]
    if on < spec.listed:
        raise ValueError(f"{product} was first listed on {spec.listed}, not trading on {on}")
    return contract_schedule(on, product, calendar)


def contract_schedule(
    on: date, product: str = "IM", calendar: TradingDays | None = None,
    expiry_of: Callable[[str], date] | None = None,
) -> list[str]:
    """The contracts the listing rule gives for `on`, whether or not `product` traded then.

    `listed_contracts` without its check of the product's first listing day: simulations
    and replays of history from before the product existed price these. `expiry_of`
    gives a contract's last trading day (e.g. the listed one); by default the rule's.
    """
    quarter_months = FUTURE_SPECS[product].quarter_months
    year, month = on.year, on.month
    this_month = contract_symbol(product, year, month)
    expiry = expiry_of(this_month) if expiry_of else last_trading_day(this_month, calendar)
    if on > expiry:
        year, month = _next_month(year, month)
    months = [(year, month), _next_month(year, month)]
    year, month = months[-1]
    while len(months) < 4:
        year, month = _next_month(year, month)
        if month in quarter_months:
            months.append((year, month))
    return [contract_symbol(product, y, m) for y, m in months]


def open_room(
    symbol: str, opened_today: int, position: int, *, hedging: bool = False
) -> int | None:
    """Lots of `symbol` that may still be opened today on one side; None = no exchange cap.

    Speculative opens are capped per day and by the position limit. Hedging under an
    exchange hedging quota is exempt from both (the quota itself is the broker's check).
    """
    if opened_today < 0 or position < 0:
        raise ValueError(f"opened_today {opened_today}, position {position}: expected >= 0")
    spec = future_spec(symbol)
    if hedging:
        return None
    return max(min(spec.daily_open_limit - opened_today, spec.position_limit - position), 0)


def final_settlement_price(symbol: str, index_values: Sequence[Decimal]) -> Decimal:
    """Arithmetic mean of the index values published in the settlement window (the last
    two hours of the last trading day), rounded half-up to 0.01."""
    future_spec(symbol)
    if not index_values:
        raise ValueError(f"final settlement of {symbol}: no index values given")
    mean = sum(index_values, Decimal(0)) / len(index_values)
    return mean.quantize(_CENT, rounding=ROUND_HALF_UP)


def _next_month(year: int, month: int) -> tuple[int, int]:
    return (year + 1, 1) if month == 12 else (year, month + 1)

"""The replay's futures book: short lots, marks, P&L, fees and basis paid, day by day."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

import pandas as pd

from exchange import Side, future_spec
from risk.basis import Quote, annualised_basis
from risk.contracts import ExpiryCalendar, ExpiryUnknown, calendar_days_left, parse_contract
from risk.sizing import hedged_ratio, on_tick


@dataclass(frozen=True)
class ReplayDay:
    date: pd.Timestamp
    nav: float
    hedged_nav: float
    index: float
    beta: float
    ladder_ratio: float  # hedge ratio the ladder has in force
    hedged_share: float  # what the lots (and puts, by delta) held cover of beta x exposure
    short_lots: int
    contract: str
    annual_basis: float  # of the contract held; NaN when flat
    futures_pnl: float
    fees: float
    basis_paid: float
    # The puts (zero without an option chain): lots held, their mark, premium paid so
    # far, and their P&L net of fees (mark + sales + expiry payouts - premium - fees).
    put_lots: int = 0
    options_value: float = 0.0
    premium_paid: float = 0.0
    options_pnl: float = 0.0
    option_fees: float = 0.0


@dataclass
class Book:
    multiplier: int
    lots: dict[str, int] = field(default_factory=dict)
    last_prices: dict[str, Decimal] = field(default_factory=dict)
    marks: dict[str, Decimal] = field(default_factory=dict)
    last_index: float = 0.0
    pnl: Decimal = Decimal(0)
    fees: Decimal = Decimal(0)
    basis_paid: Decimal = Decimal(0)

    @property
    def net_pnl(self) -> Decimal:
        return self.pnl - self.fees

    def mark(self, quotes: list[Quote], index: float) -> None:
        """Move every held contract to today's price and book its P&L and basis."""
        for quote in quotes:
            self.last_prices[quote.contract.symbol] = quote.price
        for symbol, lots in self.lots.items():
            old, new = self.marks[symbol], self.last_prices[symbol]
            self.pnl += (old - new) * lots * self.multiplier
            basis_change = (new - Decimal(str(index))) - (old - Decimal(str(self.last_index)))
            self.basis_paid += basis_change * lots * self.multiplier
            self.marks[symbol] = new
        self.last_index = index

    def trade(self, symbol: str, side: Side, lots: int, price: Decimal, fee: Decimal) -> None:
        change = lots if side is Side.SELL else -lots
        self.lots[symbol] = self.lots.get(symbol, 0) + change
        if self.lots[symbol] < 0:
            raise ValueError(f"replay: buying back {lots} {symbol} leaves a long position")
        if self.lots[symbol] == 0:
            del self.lots[symbol]
            self.marks.pop(symbol, None)
        else:
            self.marks[symbol] = price
        self.fees += fee

    def row(self, stamp: pd.Timestamp, nav: float, index: float, beta: float, ratio: float,
            exposure: float, calendar: ExpiryCalendar) -> ReplayDay:
        lots = sum(self.lots.values())
        contract = max(self.lots, key=lambda s: self.lots[s]) if self.lots else ""
        basis, share = float("nan"), 0.0
        if contract:
            price = self.marks[contract]
            days = calendar_days_left(parse_contract(contract, calendar), stamp.date())
            basis = annualised_basis(float(price), index, days)
            share = hedged_ratio(lots, Decimal(str(exposure)), beta, price, self.multiplier)
        return ReplayDay(stamp, nav, nav + float(self.net_pnl), index, beta, ratio, share, lots,
                         contract, basis, float(self.pnl), float(self.fees),
                         float(self.basis_paid))


@dataclass
class DayQuotes:
    quotes: list[Quote]
    skipped: dict[str, str] = field(default_factory=dict)  # symbol -> why it cannot be used


def quotes_on(
    rows: pd.DataFrame | None, calendar: ExpiryCalendar, last_prices: dict[str, Decimal],
    held: set[str], day: date,
) -> DayQuotes:
    """The day's quotes, on the tick; a held contract missing that day keeps its last price.

    A contract whose last trading day is unknown (not listed, past the calendar) is left
    out and said why.
    """
    quotes: dict[str, Quote] = {}
    skipped: dict[str, str] = {}
    for row in [] if rows is None else rows.itertuples(index=False):
        symbol = str(row.symbol)
        try:
            contract = parse_contract(symbol, calendar)
        except ExpiryUnknown as exc:
            skipped[symbol] = str(exc)
            continue
        if contract.expiry < day:
            continue
        price = on_tick(float(row.close), future_spec(symbol).tick)  # type: ignore[arg-type]
        quotes[symbol] = Quote(contract, price, float(row.volume),  # type: ignore[arg-type]
                               float(row.open_interest))  # type: ignore[arg-type]
    for symbol in held - quotes.keys():
        if symbol not in last_prices:
            raise ValueError(f"replay: {symbol} is held but has never been quoted")
        quotes[symbol] = Quote(parse_contract(symbol, calendar), last_prices[symbol])
    return DayQuotes(list(quotes.values()), skipped)

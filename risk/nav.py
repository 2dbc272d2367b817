"""Net asset value of one account: stocks at their latest price, cash, futures P&L, long
options at their mark, and dividends receivable (entitled on the ex-date, paid later: the
ex-date's price drop is matched by them, so it is not a drawdown).

Money is `Decimal` here because the figures feed the high-water mark and the hedge
size; the maths is a few hundred multiplications, well within the time budget
(docs/risk.md has the measured figure).

Futures are marked against their average open price: a short of `lots` at `avg_price`
is worth `lots x (avg_price - price) x multiplier`. The margin it blocks is part of the
cash, so it is reported (it limits new hedges) but not subtracted from NAV.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from errors import FixData

ZERO = Decimal(0)


class MissingPrice(KeyError, FixData):
    """A holding has no price to value it at; the message names the symbol."""

    def __str__(self) -> str:
        return str(self.args[0])


@dataclass(frozen=True)
class FuturesShort:
    symbol: str
    lots: int  # short lots (>= 0)
    avg_price: Decimal


@dataclass(frozen=True)
class OptionLong:
    """Long MO puts (or calls) held: marked at their last price x 100 per lot."""

    symbol: str
    lots: int  # long lots (>= 0)
    avg_price: Decimal


OPTION_MULTIPLIER = 100  # MO: CNY per index point


@dataclass(frozen=True)
class Book:
    """What an account holds, as read from the ledger."""

    account: str
    cash: Decimal
    positions: Mapping[str, int]  # symbol -> shares
    futures: Mapping[str, FuturesShort] = field(default_factory=dict)
    options: Mapping[str, OptionLong] = field(default_factory=dict)
    receivable: Decimal = ZERO  # dividends between ex-date and pay date, net of tax
    corporate_day: date | None = None  # the day whose corporate statement the book took

    @property
    def short_lots(self) -> int:
        return sum(f.lots for f in self.futures.values())

    def awaits_corporate(self, today: date) -> bool:
        """The execution desk has not yet taken today's corporate statement (new shares,
        dividends): the book still holds the shares and cash of before the ex-date."""
        return self.corporate_day is not None and self.corporate_day < today


@dataclass(frozen=True)
class NavBreakdown:
    nav: Decimal
    stock_value: Decimal
    cash: Decimal
    futures_pnl: Decimal
    futures_notional: Decimal  # short exposure at current prices, positive
    futures_margin: Decimal
    options_value: Decimal = ZERO  # long options at their last price (in `nav`)
    receivable: Decimal = ZERO  # dividends entitled to, not yet paid (in `nav`)

    @property
    def free_cash(self) -> Decimal:
        """Cash not blocked as futures margin: what a new hedge's margin can use."""
        return self.cash + self.futures_pnl - self.futures_margin


def stock_value(positions: Mapping[str, int], prices: Mapping[str, Decimal]) -> Decimal:
    total = ZERO
    for symbol, quantity in positions.items():
        if quantity == 0:
            continue
        price = prices.get(symbol)
        if price is None:
            raise MissingPrice(f"no price for {symbol} (holding {quantity} shares)")
        total += price * quantity
    return total


def compute_nav(
    book: Book,
    prices: Mapping[str, Decimal],
    *,
    multiplier: int,
    margin_rate: Decimal,
) -> NavBreakdown:
    """NAV of `book` at `prices` (stocks and futures in one mapping)."""
    stocks = stock_value(book.positions, prices)
    pnl = notional = ZERO
    for short in book.futures.values():
        if short.lots == 0:
            continue
        price = prices.get(short.symbol)
        if price is None:
            raise MissingPrice(f"no price for {short.symbol} (short {short.lots} lots)")
        pnl += (short.avg_price - price) * short.lots * multiplier
        notional += price * short.lots * multiplier
    options = options_value(book, prices)
    return NavBreakdown(
        nav=stocks + book.cash + pnl + options + book.receivable,
        stock_value=stocks,
        cash=book.cash,
        futures_pnl=pnl,
        futures_notional=notional,
        futures_margin=(notional * margin_rate).quantize(Decimal("0.01")),
        options_value=options,
        receivable=book.receivable,
    )


def options_value(book: Book, prices: Mapping[str, Decimal]) -> Decimal:
    """Long options at their last price: lots x price x 100 (the premium paid is already
    out of the ledger's cash)."""
    total = ZERO
    for held in book.options.values():
        if held.lots == 0:
            continue
        price = prices.get(held.symbol)
        if price is None:
            raise MissingPrice(f"no price for {held.symbol} (long {held.lots} lots)")
        total += price * held.lots * OPTION_MULTIPLIER
    return total

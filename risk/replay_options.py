"""The replay's puts: quotes with their delta from the chain file, and the long put book.

Each day the chain's puts become `PutQuote`s: the expiry is the IM contract's of the same
month (MO and IM share the last trading day), the forward is that IM contract's price
that day (the index when it is not quoted), the volatility the file's `iv` or the one
implied from `settle` (Black-76, `risk.option_pricing`), delta from the same library.
Puts are bought at the ask and sold back at the bid, marked at `settle`; on their last
trading day the ones still held pay max(K - CSI 1000 close, 0) x 100 per lot (the
close stands in for the exchange's two-hour average). A held put missing from a day's
chain keeps its last quote.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from exchange import RuleNotModelled, Side
from exchange.options import OptionRight, option_fee
from risk.basis import Quote
from risk.contracts import ExpiryCalendar, ExpiryUnknown, parse_contract
from risk.hedge_choice import MO_MULTIPLIER, PutQuote, expiry_value
from risk.option_pricing import PricingError, greeks, implied_vol
from risk.replay_options_io import ChainRow

FIRST_FEES = date(2022, 7, 22)  # MO listed: its first fee table


def is_option(symbol: str) -> bool:
    return "-" in symbol


@dataclass
class ChainDay:
    quotes: list[PutQuote]
    skipped: dict[str, str] = field(default_factory=dict)


def put_quotes(rows: Sequence[ChainRow], day: date, calendar: ExpiryCalendar,
               futures: Sequence[Quote], index: float, rate: float,
               last: dict[str, PutQuote], held: set[str]) -> ChainDay:
    forwards = {q.contract.symbol: float(q.price) for q in futures}
    out = ChainDay([])
    for row in rows:
        c = row.contract
        if c.right is not OptionRight.PUT:
            continue
        try:
            expiry = parse_contract(f"IM{c.year % 100:02d}{c.month:02d}.CFFEX", calendar)
        except ExpiryUnknown as exc:
            out.skipped[row.symbol] = str(exc)
            continue
        days = (expiry.expiry - day).days
        if days < 0:
            continue
        forward = forwards.get(expiry.symbol, index)
        t = max(days, 1) / 365
        try:
            vol = row.iv if row.iv is not None else implied_vol(
                float(row.settle), forward, float(c.strike), t, rate, "P")
            delta = greeks(forward, float(c.strike), t, rate, vol, "P").delta
        except PricingError as exc:
            out.skipped[row.symbol] = f"line {row.line}: {exc}"
            continue
        quote = PutQuote(row.symbol, c.strike, expiry, row.bid, row.ask, delta, vol)
        last[row.symbol] = quote
        out.quotes.append(quote)
    quoted = {q.symbol for q in out.quotes}
    out.quotes += [last[s] for s in sorted(held - quoted) if s in last]
    return out


@dataclass
class OptionBook:
    lots: dict[str, int] = field(default_factory=dict)
    marks: dict[str, Decimal] = field(default_factory=dict)
    strikes: dict[str, Decimal] = field(default_factory=dict)
    expiries: dict[str, date] = field(default_factory=dict)
    premium_paid: Decimal = Decimal(0)  # CNY paid buying puts
    sold: Decimal = Decimal(0)  # CNY received selling them back
    settled: Decimal = Decimal(0)  # CNY paid out at expiry
    fees: Decimal = Decimal(0)

    @property
    def value(self) -> Decimal:
        return sum((self.marks[s] * n * MO_MULTIPLIER for s, n in self.lots.items()), Decimal(0))

    @property
    def net_pnl(self) -> Decimal:
        return self.value + self.sold + self.settled - self.premium_paid - self.fees

    @property
    def total_lots(self) -> int:
        return sum(self.lots.values())

    def mark(self, rows: Sequence[ChainRow]) -> None:
        for row in rows:
            if row.symbol in self.lots:
                self.marks[row.symbol] = row.settle

    def settle_expired(self, day: date, index: float) -> list[tuple[str, int, Decimal]]:
        """Puts whose last trading day is `day` or earlier pay out; (symbol, lots, CNY)."""
        paid = []
        for symbol in sorted(s for s, e in self.expiries.items() if e <= day and s in self.lots):
            lots = self.lots.pop(symbol)
            value = expiry_value(self.strikes[symbol], Decimal(str(round(index, 2))), lots)
            self.settled += value
            self.marks.pop(symbol, None)
            paid.append((symbol, lots, value))
        return paid

    def trade(self, quote: PutQuote, side: Side, lots: int, price: Decimal, day: date) -> Decimal:
        """Fill at `price`; returns the fee."""
        symbol = quote.symbol
        amount = price * lots * MO_MULTIPLIER
        if side is Side.BUY:
            self.lots[symbol] = self.lots.get(symbol, 0) + lots
            self.premium_paid += amount
            self.strikes[symbol], self.expiries[symbol] = quote.strike, quote.expiry.expiry
            self.marks.setdefault(symbol, price)
        else:
            left = self.lots.get(symbol, 0) - lots
            if left < 0:
                raise ValueError(f"replay: selling {lots} {symbol} leaves a short option")
            self.sold += amount
            if left:
                self.lots[symbol] = left
            else:
                self.lots.pop(symbol, None)
                self.marks.pop(symbol, None)
        fee = _fee(lots, day)
        self.fees += fee
        return fee


def _fee(lots: int, day: date) -> Decimal:
    try:
        return option_fee(lots, day)
    except RuleNotModelled:  # a replay before MO listed: its first fee table
        return option_fee(lots, FIRST_FEES)

"""The per-account ledger of positions and cash, moved only by fills.

Stored as JSON at `LEDGER.format(account=...)` in the shape the risk daemon reads:
`{"account", "cash", "positions": {symbol: {"quantity", "sellable", "avg_cost"}},
"futures": {symbol: {"short", "avg_price"}}, "options": {symbol: {"long", "avg_price"}},
"at"}`, numbers as strings. Stocks are
T+1: a buy adds to `quantity` only; `sellable` catches up on the next trading day
(`rolled`). Futures: a sell opens (or adds to) a short, a buy closes it; cash moves by
fees and realised P&L, margin is the broker's business. A long future shows as a
negative short. Options (MO): a buy opens (or adds to) a long, a sell closes it; cash
moves by the premium (price x 100 per lot) and fees; a written option shows as a
negative long (the risk daemon refuses it). At expiry (its last trading day) an option
leaves the ledger: worthless out of the money, cash settled in the money at its intrinsic
value at the settlement price x 100 per lot, less CFFEX's exercise fee (`expire_options`).
Corporate actions are booked as the broker's statement shows them (`book_corporate`);
`receivables` (symbol|ex-date -> net cash entitled, not yet paid) are the dividends between
their ex-date and pay date, part of the NAV (`"receivables"` in the JSON, optional);
`corporate_day` is the trading day whose corporate statement the ledger has taken (the
desk's start): before it, the risk daemon values a stock going ex at its cum-rights close.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from exchange import (
    TradingDays,
    classify,
    contract_multiplier,
    future_spec,
    option_fee,
    option_intrinsic,
    option_last_trading_day,
)

AVG = Decimal("0.0001")
CENT = Decimal("0.01")


@dataclass(frozen=True)
class Holding:
    quantity: int = 0
    sellable: int = 0
    avg_cost: Decimal = Decimal(0)
    opened: date | None = None  # the first buy's day: the model counts holding days from it


@dataclass(frozen=True)
class FutureHolding:
    short: int = 0
    avg_price: Decimal = Decimal(0)


@dataclass(frozen=True)
class OptionHolding:
    long: int = 0
    avg_price: Decimal = Decimal(0)


@dataclass(frozen=True)
class OptionExpiry:
    """One option position settled at its expiry: what it paid (negative for a written
    one) and the exercise fee (nil when it expired worthless)."""

    symbol: str
    lots: int
    settlement: Decimal
    value: Decimal
    fee: Decimal


def option_expiry(symbol: str, lots: int, settlement: Decimal, day: date) -> OptionExpiry:
    """European, cash settled: max(K - S, 0) (put) x multiplier per lot, automatic exercise
    of what is in the money, which pays the exercise fee per lot."""
    points = option_intrinsic(symbol, settlement)
    value = (points * contract_multiplier(symbol) * lots).quantize(CENT, ROUND_HALF_UP)
    fee = option_fee(abs(lots), day, exercise=True) if points > 0 else Decimal("0.00")
    return OptionExpiry(symbol, lots, settlement, value, fee)


@dataclass(frozen=True)
class Ledger:
    account: str
    cash: Decimal
    at: datetime
    positions: dict[str, Holding] = field(default_factory=dict)
    futures: dict[str, FutureHolding] = field(default_factory=dict)
    options: dict[str, OptionHolding] = field(default_factory=dict)
    receivables: dict[str, Decimal] = field(default_factory=dict)
    corporate_day: date | None = None

    @property
    def receivable(self) -> Decimal:
        """Dividends entitled to and not yet paid, net of tax (in the NAV, not in cash)."""
        return sum(self.receivables.values(), Decimal(0))

    def rolled(self, today: date) -> Ledger:
        """On a new trading day, yesterday's buys become sellable."""
        if self.at.date() >= today:
            return self
        positions = {s: replace(h, sellable=h.quantity) for s, h in self.positions.items()}
        return replace(self, positions=positions)

    def apply(self, symbol: str, side: str, quantity: int, price: Decimal, fees: Decimal,
              at: datetime) -> Ledger:
        if quantity <= 0:
            raise ValueError(f"fill of {symbol}: quantity {quantity}, expected > 0")
        if classify(symbol).is_future:
            return self._future(symbol, side, quantity, price, fees, at)
        if classify(symbol).is_option:
            return self._option(symbol, side, quantity, price, fees, at)
        return self._stock(symbol, side, quantity, price, fees, at)

    def _stock(self, symbol: str, side: str, qty: int, price: Decimal, fees: Decimal,
               at: datetime) -> Ledger:
        held = self.positions.get(symbol, Holding())
        value = price * qty
        if side == "buy":
            total = held.quantity + qty
            avg = ((held.avg_cost * held.quantity + value) / total).quantize(AVG, ROUND_HALF_UP)
            new = replace(held, quantity=total, avg_cost=avg,
                          opened=held.opened if held.quantity else at.date())
            cash = self.cash - value - fees
        else:
            left = held.quantity - qty
            new = Holding(left, max(held.sellable - qty, 0), held.avg_cost if left else Decimal(0),
                          held.opened if left else None)
            cash = self.cash + value - fees
        positions = {**self.positions, symbol: new}
        if new.quantity == 0:
            positions.pop(symbol)
        return replace(self, cash=cash, positions=positions, at=at)

    def book_corporate(self, symbol: str, cash: Decimal, shares: int, at: datetime) -> Ledger:
        """A corporate action as the broker's statement books it: `cash` (net of the
        dividend tax, negative when the tax on bonus shares exceeds it) and `shares` new
        shares, sellable at once; the holding's cost is spread over the new count."""
        if shares < 0:
            raise ValueError(f"corporate action of {symbol}: {shares} new shares, expected >= 0")
        held = self.positions.get(symbol, Holding())
        positions = dict(self.positions)
        if shares:
            total = held.quantity + shares
            avg = (held.avg_cost * held.quantity / total).quantize(AVG, ROUND_HALF_UP)
            positions[symbol] = Holding(total, held.sellable + shares, avg, held.opened)
        return replace(self, cash=(self.cash + cash).quantize(CENT, ROUND_HALF_UP),
                       positions=positions, at=at)

    def with_receivables(self, due: dict[str, Decimal], day: date, at: datetime) -> Ledger:
        """The broker's receivables as they stand on `day` (replacing the previous ones),
        its corporate statement of `day` taken."""
        return replace(self, receivables={k: v for k, v in sorted(due.items()) if v},
                       corporate_day=day, at=at)

    def _future(self, symbol: str, side: str, qty: int, price: Decimal, fees: Decimal,
                at: datetime) -> Ledger:
        held = self.futures.get(symbol, FutureHolding())
        signed = qty if side == "sell" else -qty  # + opens/adds short, - closes it
        mult = future_spec(symbol).multiplier
        cash = self.cash - fees
        total = held.short + signed
        if held.short == 0 or (held.short > 0) == (signed > 0):  # opening or adding
            avg = (held.avg_price * abs(held.short) + price * qty) / abs(total)
            new = FutureHolding(total, avg.quantize(AVG, ROUND_HALF_UP))
        else:  # closing, possibly through zero into the other side
            closed = min(qty, abs(held.short))
            per_lot = held.avg_price - price if held.short > 0 else price - held.avg_price
            cash += per_lot * mult * closed
            flipped = total != 0 and (total > 0) != (held.short > 0)
            new = FutureHolding(total, price if flipped else held.avg_price)
        futures = {**self.futures, symbol: new}
        if new.short == 0:
            futures.pop(symbol)
        return replace(self, cash=cash.quantize(CENT, ROUND_HALF_UP), futures=futures, at=at)

    def _option(self, symbol: str, side: str, qty: int, price: Decimal, fees: Decimal,
                at: datetime) -> Ledger:
        held = self.options.get(symbol, OptionHolding())
        premium = price * qty * contract_multiplier(symbol)
        if side == "buy":
            total = held.long + qty
            avg = held.avg_price if total <= 0 else (
                (held.avg_price * max(held.long, 0) + price * qty) / total)
            new = OptionHolding(total, avg.quantize(AVG, ROUND_HALF_UP))
            cash = self.cash - premium - fees
        else:
            total = held.long - qty
            new = OptionHolding(total, held.avg_price if total else Decimal(0))
            cash = self.cash + premium - fees
        options = {**self.options, symbol: new}
        if new.long == 0:
            options.pop(symbol)
        return replace(self, cash=cash.quantize(CENT, ROUND_HALF_UP), options=options, at=at)

    def expire_options(self, day: date, settlement: Decimal, at: datetime,
                       calendar: TradingDays | None = None) -> tuple[Ledger, list[OptionExpiry]]:
        """Settle at the index's settlement price every option whose last trading day is
        `day` or earlier: called on trading days, the first one on or after the third
        Friday is the last trading day even without `calendar` (the weekday rule)."""
        expiries = [option_expiry(s, o.long, settlement, day) for s, o in sorted(
            self.options.items()) if _expired(s, day, calendar)]
        if not expiries:
            return self, []
        cash = self.cash + sum((e.value - e.fee for e in expiries), Decimal(0))
        gone = {e.symbol for e in expiries}
        options = {s: o for s, o in self.options.items() if s not in gone}
        return replace(self, cash=cash.quantize(CENT, ROUND_HALF_UP), options=options,
                       at=at), expiries

    # ---- JSON -------------------------------------------------------------------
    def to_dict(self) -> dict[str, Any]:
        return {
            "account": self.account,
            "cash": str(self.cash),
            "positions": {s: _holding_dict(h) for s, h in self.positions.items()},
            "futures": {s: {"short": str(f.short), "avg_price": str(f.avg_price)}
                        for s, f in self.futures.items()},
            "options": {s: {"long": str(o.long), "avg_price": str(o.avg_price)}
                        for s, o in self.options.items()},
            "receivables": {k: str(v) for k, v in self.receivables.items()},
            "corporate_day": self.corporate_day.isoformat() if self.corporate_day else None,
            "at": self.at.isoformat(),
        }

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), sort_keys=True)

    @classmethod
    def from_json(cls, raw: str) -> Ledger:
        data = json.loads(raw)
        try:
            return cls(
                account=data["account"], cash=Decimal(data["cash"]),
                at=datetime.fromisoformat(data["at"]),
                positions={s: _holding(p) for s, p in data["positions"].items()},
                futures={s: FutureHolding(int(f["short"]), Decimal(f["avg_price"]))
                         for s, f in data.get("futures", {}).items()},
                options={s: OptionHolding(int(o["long"]), Decimal(o["avg_price"]))
                         for s, o in data.get("options", {}).items()},
                receivables={str(k): _finite(v) for k, v in data.get("receivables", {}).items()},
                corporate_day=_day(data.get("corporate_day")),
            )
        except (KeyError, ValueError, TypeError, ArithmeticError, AttributeError) as exc:
            raise ValueError(f"ledger JSON is malformed ({exc!r}): {raw[:200]}") from exc


def _expired(symbol: str, day: date, calendar: TradingDays | None) -> bool:
    """By its last trading day on or before `day`. The weekday rule's date comes first and
    never later, so a month past the calendar's end is not asked of the calendar."""
    if option_last_trading_day(symbol) > day:
        return False
    return calendar is None or option_last_trading_day(symbol, calendar) <= day


def _day(raw: Any) -> date | None:
    return None if raw is None else date.fromisoformat(raw)


def _finite(raw: Any) -> Decimal:
    value = Decimal(str(raw))
    if not value.is_finite():
        raise ValueError(f"{raw!r} is not a finite amount")
    return value


def _holding(raw: dict[str, str]) -> Holding:
    return Holding(int(raw["quantity"]), int(raw["sellable"]), Decimal(raw["avg_cost"]),
                   _day(raw.get("opened")))


def _holding_dict(h: Holding) -> dict[str, str]:
    out = {"quantity": str(h.quantity), "sellable": str(h.sellable), "avg_cost": str(h.avg_cost)}
    if h.opened is not None:
        out["opened"] = h.opened.isoformat()
    return out

"""Futures or puts: what each protection costs, which put to buy, which instrument to use.

Pure functions. The protection wanted is a notional, beta x hedge ratio x stock exposure
(CNY). Two ways to buy it:

- **Short IM** in the contract the futures rules chose (`risk.basis.choose_contract`):
  lots = notional / (F x 200); it pays the discount as the contract converges, so its
  cost to expiry is lots x 200 x (S - F), CNY, index unchanged.
- **Long MO puts**: lots = notional / (|delta| x S x 100) (delta-equivalent), bought at
  the ask; the premium is paid at once. Its cost to expiry with the index unchanged is
  the premium less what the put is then worth: lots x 100 x (ask - max(K - S, 0)).

The two run to different expiries, so they are compared **per 30 days**: cost to expiry
x 30 / calendar days to expiry. The put chosen is the one with the lowest cost per 30
days among puts with strike / S in [min_moneyness, max_moneyness], |delta| at least
`min_abs_delta` and expiry in [min_days, max_days] calendar days.

`futures` and `options` always use their instrument; `cheapest` takes the lower cost
per 30 days (futures on a tie, and whichever one is priced when only one is); `mix`
puts `mix_put_share` of the protection in puts, the rest in futures.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from risk.basis import BasisView, cost_to_expiry
from risk.config import HedgeConfig, HedgeInstrument
from risk.contracts import Contract
from risk.sizing import hedge_lots, margin_for

MO_MULTIPLIER = 100  # CNY per index point of one MO lot (exchange.options has the fact)
PERIOD_DAYS = 30  # costs are compared per this many calendar days


@dataclass(frozen=True)
class PutQuote:
    """One MO put as the hedge sees it: quotes, the greeks the caller computed, expiry."""

    symbol: str  # "MO2403-P-5000.CFFEX"
    strike: Decimal
    expiry: Contract  # the IM contract of the same month: same last trading day
    bid: Decimal
    ask: Decimal
    delta: float  # negative for a put
    iv: float | None = None

    @property
    def buy_price(self) -> Decimal:
        return self.ask if self.ask > 0 else self.bid

    @property
    def sell_price(self) -> Decimal:
        return self.bid


@dataclass(frozen=True)
class FuturesCost:
    symbol: str
    lots: int
    price: Decimal
    annual_basis: float
    days: int  # calendar days to expiry
    to_expiry: Decimal  # CNY, index unchanged
    per_period: Decimal  # CNY per 30 days
    margin: Decimal

    def line(self) -> str:
        return (f"futures: short {self.lots} {self.symbol} at {self.price} (basis "
                f"{self.annual_basis:+.1%}/yr, {self.days} days): basis cost to expiry "
                f"CNY {self.to_expiry:,}, CNY {self.per_period:,} per {PERIOD_DAYS} days; "
                f"margin CNY {self.margin:,.0f}")


@dataclass(frozen=True)
class PutCost:
    symbol: str
    lots: int
    price: Decimal  # the ask paid
    strike: Decimal
    delta: float
    moneyness: float  # strike / index
    days: int
    premium: Decimal  # CNY paid now
    to_expiry: Decimal  # premium less the value at expiry with the index unchanged
    per_period: Decimal

    def line(self) -> str:
        return (f"puts: buy {self.lots} {self.symbol} at {self.price} (strike "
                f"{self.moneyness:.0%} of the index, delta {self.delta:+.2f}, {self.days} "
                f"days): premium CNY {self.premium:,}, cost to expiry CNY {self.to_expiry:,}, "
                f"CNY {self.per_period:,} per {PERIOD_DAYS} days; no margin")


@dataclass(frozen=True)
class Choice:
    instrument: HedgeInstrument  # what was configured
    put_share: float  # of the protection bought as puts: 0, 1 or the mix share
    futures: FuturesCost | None
    puts: PutCost | None
    why: str

    def note(self) -> str:
        """Both costs and the decision, for the order's cost note and the state document."""
        lines = [cost.line() for cost in (self.futures, self.puts) if cost is not None]
        return f"{self.why}. Priced for the whole protection: " + "; ".join(lines)


def per_period(to_expiry: Decimal, days: int) -> Decimal:
    return (to_expiry * PERIOD_DAYS / max(days, 1)).quantize(Decimal(1))


def put_lots(notional: Decimal, delta: float, index: float, multiplier: int = MO_MULTIPLIER) -> int:
    """Puts whose delta covers `notional`: notional / (|delta| x index x multiplier), half up."""
    if delta == 0 or index <= 0:
        raise ValueError(f"put size: delta {delta} and index {index} must be non-zero")
    if notional <= 0:
        return 0
    per_lot = Decimal(str(abs(delta))) * Decimal(str(index)) * multiplier
    return int((notional / per_lot).to_integral_value(ROUND_HALF_UP))


def expiry_value(strike: Decimal, settlement: Decimal, lots: int,
                 multiplier: int = MO_MULTIPLIER) -> Decimal:
    """What `lots` puts pay at expiry: max(K - settlement, 0) x multiplier per lot."""
    return max(strike - settlement, Decimal(0)) * lots * multiplier


def futures_cost(view: BasisView, notional: Decimal, multiplier: int,
                 margin_rate: Decimal) -> FuturesCost:
    price = view.quote.price
    lots = hedge_lots(notional, 1.0, 1.0, price, multiplier)
    to_expiry = cost_to_expiry(lots, price, view.index, multiplier)
    return FuturesCost(view.symbol, lots, price, view.annual_basis, view.days_to_expiry,
                       to_expiry, per_period(to_expiry, view.days_to_expiry),
                       margin_for(lots, price, multiplier, margin_rate))


def put_cost(put: PutQuote, notional: Decimal, index: float, day: date) -> PutCost:
    lots = put_lots(notional, put.delta, index)
    days = (put.expiry.expiry - day).days
    premium = put.buy_price * lots * MO_MULTIPLIER
    left = expiry_value(put.strike, Decimal(str(index)), lots)
    to_expiry = (premium - left).quantize(Decimal(1))
    return PutCost(put.symbol, lots, put.buy_price, put.strike, put.delta,
                   float(put.strike) / index, days, premium.quantize(Decimal(1)), to_expiry,
                   per_period(to_expiry, days))


def eligible(put: PutQuote, index: float, day: date, cfg: HedgeConfig) -> bool:
    moneyness = float(put.strike) / index
    days = (put.expiry.expiry - day).days
    return (put.buy_price > 0 and put.delta < 0
            and cfg.min_moneyness <= moneyness <= cfg.max_moneyness
            and abs(put.delta) >= cfg.min_abs_delta
            and cfg.min_days <= days <= cfg.max_days)


def choose_put(puts: Sequence[PutQuote], notional: Decimal, index: float, day: date,
               cfg: HedgeConfig) -> PutCost | None:
    """The cheapest delta-equivalent protection per 30 days, or None when no put is eligible."""
    costs = [put_cost(p, notional, index, day) for p in puts if eligible(p, index, day, cfg)]
    costs = [c for c in costs if c.lots > 0]
    if not costs:
        return None
    return min(costs, key=lambda c: (c.per_period, -c.strike, c.symbol))


def choose_instrument(cfg: HedgeConfig, futures: FuturesCost | None,
                      puts: PutCost | None) -> Choice:
    """The share of the protection to buy as puts, and why; both costs go with it."""
    kind = cfg.instrument
    if futures is None and puts is None:
        raise ValueError("hedge choice: neither a futures contract nor a put is usable")
    if kind is HedgeInstrument.FUTURES or puts is None:
        why = ("configured: futures" if kind is HedgeInstrument.FUTURES
               else f"configured: {kind.value}, but no eligible put: futures")
        return Choice(kind, 0.0, futures, puts, why)
    if kind is HedgeInstrument.OPTIONS or futures is None:
        why = ("configured: options" if kind is HedgeInstrument.OPTIONS
               else f"configured: {kind.value}, but no usable futures contract: puts")
        return Choice(kind, 1.0, futures, puts, why)
    if kind is HedgeInstrument.MIX:
        return Choice(kind, cfg.mix_put_share, futures, puts,
                      f"configured: mix, {cfg.mix_put_share:.0%} puts")
    if puts.per_period < futures.per_period:
        return Choice(kind, 1.0, futures, puts,
                      f"cheapest: puts (CNY {puts.per_period:,} vs futures CNY "
                      f"{futures.per_period:,} per {PERIOD_DAYS} days)")
    return Choice(kind, 0.0, futures, puts,
                  f"cheapest: futures (CNY {futures.per_period:,} vs puts CNY "
                  f"{puts.per_period:,} per {PERIOD_DAYS} days)")

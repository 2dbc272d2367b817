"""The basis of each listed contract, what a short hedge costs, and which contract to use.

Annualised basis = (F / S - 1) x 365 / calendar days to expiry. IM usually trades at
a discount (negative basis). A short hedge sold at a discount converges up to the index
by expiry, so it *pays* the discount: hedged P&L = -(change in F - S). That is the cost
shown to the trader, per month at the current rate and in total to expiry. (A
discount that widens after the hedge is on marks the short to a gain first; the cost
arrives as it converges.)

Contract choice: among contracts that will not need a roll soon and with enough volume,
lowest score = annualised discount + liquidity_weight x (1 - volume / busiest volume).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from risk.config import FuturesConfig
from risk.contracts import Contract, ExpiryCalendar, calendar_days_left, must_roll


@dataclass(frozen=True)
class Quote:
    """A contract's latest price and activity."""

    contract: Contract
    price: Decimal
    volume: float = 0.0
    open_interest: float = 0.0


@dataclass(frozen=True)
class BasisView:
    quote: Quote
    index: float
    annual_basis: float  # negative = discount
    days_to_expiry: int  # calendar days
    volume_share: float  # of the busiest listed contract
    score: float

    @property
    def symbol(self) -> str:
        return self.quote.contract.symbol

    @property
    def discount_points(self) -> float:
        return self.index - float(self.quote.price)


def annualised_basis(futures: float, index: float, days_to_expiry: int) -> float:
    """(F/S - 1) x 365 / days; the last day counts as one day, not zero."""
    if index <= 0 or futures <= 0:
        raise ValueError(f"basis: prices must be positive (futures {futures}, index {index})")
    return (futures / index - 1.0) * 365.0 / max(days_to_expiry, 1)


def monthly_cost(notional: Decimal, annual_basis: float) -> Decimal:
    """CNY per month a short of `notional` pays at `annual_basis` (negative = it earns)."""
    return (notional * Decimal(str(-annual_basis)) / 12).quantize(Decimal(1))


def cost_to_expiry(lots: int, futures: Decimal, index: float, multiplier: int) -> Decimal:
    """CNY the short pays if the discount converges to zero by expiry, index unchanged."""
    points = Decimal(str(index)) - futures
    return (points * lots * multiplier).quantize(Decimal(1))


def basis_views(
    quotes: Sequence[Quote], index: float, day: date, cfg: FuturesConfig
) -> list[BasisView]:
    """Every quoted contract with its basis and choice score, best (lowest) score first."""
    busiest = max((q.volume for q in quotes), default=0.0)
    views = []
    for quote in quotes:
        days = calendar_days_left(quote.contract, day)
        basis = annualised_basis(float(quote.price), index, days)
        share = quote.volume / busiest if busiest > 0 else 1.0
        score = -basis + cfg.liquidity_weight * (1.0 - share)
        views.append(BasisView(quote, index, basis, days, share, score))
    return sorted(views, key=lambda v: (v.score, v.quote.contract))


def choose_contract(
    quotes: Sequence[Quote],
    index: float,
    day: date,
    cfg: FuturesConfig,
    calendar: ExpiryCalendar,
) -> BasisView:
    """The contract to open new hedges in on `day`; raises if none is usable."""
    horizon = max(cfg.roll_days_before_expiry, cfg.open_min_days)
    usable = [q for q in quotes
              if q.price > 0 and not must_roll(q.contract, day, calendar, horizon)]
    views = basis_views(usable, index, day, cfg)
    liquid = [v for v in views if v.volume_share >= cfg.min_volume_share]
    if not liquid:
        symbols = ", ".join(q.contract.symbol for q in quotes) or "none"
        raise ValueError(
            f"no usable {cfg.product} contract on {day}: quoted {symbols}; each expires within "
            f"{horizon} trading days, is unpriced or is below "
            f"{cfg.min_volume_share:.0%} of the busiest volume"
        )
    return liquid[0]

"""A synthetic CSI 1000 option (MO) chain for the demo market, simulations and replays.

For each month `exchange.options` lists on a day, the strikes of its grid around the
index, priced with Black-76 (vollib, the library risk.option_pricing wraps; marketdata
sits below risk, so it calls the library itself) on the month's forward and a
volatility surface:

- forward: F = S x (1 - d x days / 365) as in the synthetic IM bars (`marketdata
  .synthetic.futures`): d = 13% a year, 5 points more for June-August months, plus up
  to 42 points as `regime_stress` goes from 0 (calm) to 1 (the crash's worst day, when
  the near IM discount is ~55% a year). The crash add-on is whole up to 45 days to
  expiry and fades beyond (e^-(days-45)/60): on 2024-02-05 IM2403 was at ~56% a year
  and IM2406 at ~23.5%. A caller holding the real (or stored) IM prices passes them as
  `forwards` instead;
- at-the-money volatility: 20% for a one-year option in calm markets, rising slowly
  with maturity (an upward term structure); under stress the short end spikes (+40
  points at stress 1 for the nearest month, decaying with maturity), so the term
  structure inverts, as it did in February 2024;
- skew: vol = atm - skew x m + smile x m^2 with m = ln(K/F)/sqrt(T): puts are dearer
  than calls, steeper under stress, with a little smile curvature.

Quotes are Decimal on the 0.2 tick: the mid is the model price to the nearest tick
(at least one tick), bid/ask one spread either side (1.5% of the price, at least one
tick, wider under stress; bid at least one tick). Nothing random: the same inputs give
the same chain. docs/risk.md, "Synthetic MO chain".
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_CEILING, ROUND_HALF_UP, Decimal

from vollib.black import black

from exchange.days import TradingDays
from exchange.options import (
    MO_TICK,
    OptionContract,
    OptionRight,
    listed_option_months,
    option_last_trading_day,
    strike_grid,
)

RATE = 0.02  # continuously compounded, for discounting the premium
BASE_DISCOUNT = 0.13  # the IM annualised discount in calm markets (synthetic.futures)
DIVIDEND_SEASON = 0.05  # extra for months in the June dividend season
CRASH_DISCOUNT = 0.42  # added at regime_stress 1 (synthetic.regimes: the crash's widening)
_CALM_ATM = 0.20
_TERM_SLOPE = 0.02  # calm: + this x sqrt(years)
_SPIKE = 0.40  # stressed nearest-month ATM vol add-on at stress 1
_SPIKE_DECAY_YEARS = 0.25
_SKEW = 0.05  # vol per unit of standardised moneyness ln(K/F)/sqrt(T), calm
_SKEW_STRESS = 0.05  # more at stress 1
_SMILE = 0.01
_CRASH_FULL_DAYS = 45  # the crash add-on to the discount is whole up to this
_CRASH_FADE_DAYS = 60  # and fades with this e-folding beyond it
_VOL_FLOOR = 0.05
_SPREAD = Decimal("0.015")
_EXPIRY_DAY_YEARS = 0.5 / 365  # on the last trading day: half a day left


@dataclass(frozen=True)
class OptionQuote:
    contract: OptionContract
    bid: Decimal
    ask: Decimal
    mid: Decimal
    implied_vol: float  # the surface's volatility the quote was priced with
    forward: Decimal  # the month's forward: the synthetic IM price on the tick, or as given
    expiry: date
    t_years: float

    @property
    def vt_symbol(self) -> str:
        return self.contract.vt_symbol


def annual_discount(month: int, days: int, regime_stress: float) -> float:
    """The annualised futures discount of a contract month `days` before its expiry."""
    season = DIVIDEND_SEASON if month in (6, 7, 8) else 0.0
    fade = math.exp(-max(days - _CRASH_FULL_DAYS, 0) / _CRASH_FADE_DAYS)
    return BASE_DISCOUNT + season + CRASH_DISCOUNT * _stress(regime_stress) * fade


def stress_from_discount(discount: float) -> float:
    """The regime stress (0-1) a near contract's annualised discount implies (no season)."""
    return min(max((discount - BASE_DISCOUNT) / CRASH_DISCOUNT, 0.0), 1.0)


def surface_vol(log_moneyness: float, t_years: float, regime_stress: float) -> float:
    """Implied volatility at ln(K/F) and maturity (years) on the synthetic surface."""
    stress = _stress(regime_stress)
    t = max(t_years, _EXPIRY_DAY_YEARS)
    spike = _SPIKE * stress * math.exp(-t / _SPIKE_DECAY_YEARS)
    atm = _CALM_ATM + _TERM_SLOPE * math.sqrt(t) + spike
    m = log_moneyness / math.sqrt(t)
    skew = _SKEW + _SKEW_STRESS * stress
    return max(atm - skew * m + _SMILE * m * m, _VOL_FLOOR)


def synthetic_forward(
    on: date, index_level: Decimal, expiry: date, month: int, regime_stress: float
) -> Decimal:
    """The month's forward on the tick: the synthetic IM price for that expiry."""
    days = (expiry - on).days
    value = float(index_level) * (1.0 - annual_discount(month, days, regime_stress) * days / 365.0)
    return _to_tick(Decimal(repr(value)))


def synthetic_chain(
    on: date,
    index_level: Decimal,
    regime_stress: float,
    calendar: TradingDays | None = None,
    forwards: Mapping[tuple[int, int], Decimal] | None = None,
) -> list[OptionQuote]:
    """Calls and puts of every listed month on `on`, on each month's strike grid around
    `index_level` (the CSI 1000 close the grid is laid from). `calendar` gives the last
    trading days (pass `WeekdaysBeyondCalendar(calendar)` past its coverage).
    `forwards`: (year, month) -> that month's IM price, used instead of the synthetic
    forward where given."""
    _check_level(index_level)
    quotes: list[OptionQuote] = []
    for year, month in listed_option_months(on, calendar):
        forward = (forwards or {}).get((year, month))
        for strike in strike_grid(index_level, year, month, on, calendar):
            for right in (OptionRight.CALL, OptionRight.PUT):
                contract = OptionContract("MO", year, month, right, strike)
                quotes.append(synthetic_quote(contract, on, index_level, regime_stress,
                                              calendar, forward))
    return quotes


def synthetic_quote(
    contract: OptionContract,
    on: date,
    index_level: Decimal,
    regime_stress: float,
    calendar: TradingDays | None = None,
    forward: Decimal | None = None,
) -> OptionQuote:
    """One contract's quote on the surface (its month need not be on today's grid)."""
    _check_level(index_level)
    expiry = option_last_trading_day(contract, calendar)
    if on > expiry:
        raise ValueError(f"{contract.vt_symbol} expired on {expiry}: no quote on {on}")
    days = (expiry - on).days
    t = days / 365.0 if days > 0 else _EXPIRY_DAY_YEARS
    if forward is None:
        forward = synthetic_forward(on, index_level, expiry, contract.month, regime_stress)
    vol = surface_vol(math.log(float(contract.strike) / float(forward)), t, regime_stress)
    return _quote(contract, forward, expiry, t, vol, regime_stress)


def implied_stress(index_close: float, near_future_close: float, days_to_expiry: int) -> float:
    """The regime stress a near IM contract's discount to the index implies (0-1)."""
    if index_close <= 0 or near_future_close <= 0 or days_to_expiry <= 0:
        return 0.0
    discount = (1.0 - near_future_close / index_close) * 365.0 / days_to_expiry
    return stress_from_discount(discount)


def _check_level(index_level: Decimal) -> None:
    if not isinstance(index_level, Decimal) or not index_level.is_finite() or index_level <= 0:
        raise ValueError(f"index level {index_level!r}: expected a positive Decimal")


def _quote(contract: OptionContract, forward: Decimal, expiry: date, t: float, vol: float,
           regime_stress: float) -> OptionQuote:
    flag = "c" if contract.is_call else "p"
    price = float(black(flag, float(forward), float(contract.strike), t, RATE, vol))
    mid = max(_to_tick(Decimal(repr(price))), MO_TICK)
    half = max(_to_tick(mid * _SPREAD * Decimal(repr(1.0 + _stress(regime_stress))),
                        ROUND_CEILING), MO_TICK)
    return OptionQuote(contract, max(mid - half, MO_TICK), mid + half, mid, vol, forward,
                       expiry, t)


def _to_tick(value: Decimal, rounding: str = ROUND_HALF_UP) -> Decimal:
    return ((value / MO_TICK).to_integral_value(rounding) * MO_TICK).quantize(MO_TICK)


def _stress(regime_stress: float) -> float:
    if not math.isfinite(regime_stress):
        raise ValueError(f"regime_stress {regime_stress!r}: expected a number from 0 to 1")
    return min(max(float(regime_stress), 0.0), 1.0)

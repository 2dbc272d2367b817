"""Hard limits on the target portfolio: position caps (NAV and liquidity), industry
caps, and the per-candidate tradability screens (limit-locked, too illiquid).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from exchange import limit_prices, price_band
from marketdata.schema import RiskFlag
from strategies.config import ConstraintConfig
from strategies.costs import to_price
from strategies.signals import DaySignals

# Weights are compared with this slack so that float noise never flips a limit.
WEIGHT_EPSILON = 1e-12


@dataclass(frozen=True)
class PositionCap:
    weight: float  # the largest weight allowed (share of NAV)
    binding: str  # which limit sets it: "max_weight" or "turnover"


def position_cap(day: DaySignals, index: int, nav: float, config: ConstraintConfig) -> PositionCap:
    """The largest weight stock `index` may have: the NAV cap or its ADV cap."""
    adv = float(day.adv[index])
    if math.isfinite(adv) and nav > 0:
        liquidity = config.max_adv_share * adv / nav
        if liquidity < config.max_weight:
            return PositionCap(liquidity, "turnover")
    return PositionCap(config.max_weight, "max_weight")


def position_caps(day: DaySignals, indexes: npt.NDArray[np.int64], nav: float,
                  config: ConstraintConfig) -> npt.NDArray[np.float64]:
    """`position_cap(...).weight` of each stock of `indexes`, as one array."""
    adv = day.adv[indexes]
    with np.errstate(invalid="ignore", divide="ignore"):
        liquidity = config.max_adv_share * adv / nav
    binding = np.isfinite(adv) & (nav > 0) & (liquidity < config.max_weight)
    return np.asarray(np.where(binding, liquidity, config.max_weight), dtype=np.float64)


def describe_breach(cap: PositionCap, weight: float, day: DaySignals, index: int,
                    nav: float, config: ConstraintConfig) -> str:
    if cap.binding == "turnover":
        share = weight * nav / float(day.adv[index])
        return (f"trim: position is {share:.1%} of {config.adv_days}-day average turnover, "
                f"cap {config.max_adv_share:.1%}")
    return f"trim: weight {weight:.2%} above cap {cap.weight:.2%}"


def too_illiquid(day: DaySignals, indexes: npt.NDArray[np.int64], position_value: float,
                 config: ConstraintConfig) -> npt.NDArray[np.bool_]:
    """For each stock of `indexes`: whether a position of `position_value` CNY would
    exceed its share of ADV (or it has no ADV)."""
    adv = day.adv[indexes]
    with np.errstate(invalid="ignore"):
        return np.asarray(~np.isfinite(adv) | (position_value > config.max_adv_share * adv))


def may_be_limit_locked(day: DaySignals, indexes: npt.NDArray[np.int64]) -> npt.NDArray[np.bool_]:
    """For each stock of `indexes`: False where `limit_locked_up` is surely False without
    its exact prices, True where it must be asked.

    A limit-up lies at least a tick above the previous close (`exchange.limit_prices`) and
    rounding a price is monotone, so a close at or below a previous close of at least a
    tick is never locked; neither is a stock without both prices.
    """
    close, prev_close = day.close[indexes], day.prev_close[indexes]
    with np.errstate(invalid="ignore"):
        priced = np.isfinite(close) & np.isfinite(prev_close) & (prev_close > 0)
        at_or_below = (close > 0) & (close <= prev_close) & (prev_close >= 0.01)
    return np.asarray(priced & ~at_or_below)


def limit_locked_up(day: DaySignals, index: int) -> bool:
    """Whether the stock closed at its limit-up price on the signal day.

    Such a stock usually opens at the limit too, where a buy does not fill.
    """
    symbol = str(day.symbols[index])
    close = float(day.close[index])
    prev_close = float(day.prev_close[index])
    if not (math.isfinite(close) and math.isfinite(prev_close) and prev_close > 0):
        return False
    warned = int(day.risk_flag[index]) in (RiskFlag.ST, RiskFlag.STAR_ST)
    band = price_band(symbol, day.signal_date, st=warned)
    up, _down = limit_prices(to_price(prev_close, f"prev_close of {symbol}"), band)
    return up is not None and to_price(close, f"close of {symbol}") >= up


class IndustryBook:
    """Running industry weights, to admit positions only while under the cap."""

    def __init__(self, cap: float) -> None:
        self.cap = cap
        self.weights: dict[str, float] = {}

    def add(self, industry: str, weight: float) -> None:
        self.weights[industry] = self.weights.get(industry, 0.0) + weight

    def remove(self, industry: str, weight: float) -> None:
        self.weights[industry] = self.weights.get(industry, 0.0) - weight

    def fits(self, industry: str, weight: float) -> bool:
        return self.weights.get(industry, 0.0) + weight <= self.cap + WEIGHT_EPSILON

    def over_cap(self) -> list[str]:
        return sorted(k for k, v in self.weights.items() if v > self.cap + WEIGHT_EPSILON)

"""Target curves: how much of a parent should be done by a given moment.

Each curve answers `target(moment, market_volume)` with a whole number of shares
between 0 and the parent's quantity. TWAP spreads evenly over trading time, VWAP
follows an intraday volume profile, POV follows the market volume actually traded
since the start. TWAP and VWAP look one slice interval ahead, so the first child goes
out at once and the last one lands before the end of the window.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import ROUND_FLOOR, Decimal
from fractions import Fraction
from typing import Protocol

from execution.algos.profile import VolumeProfile
from execution.algos.window import TradingWindow


class Curve(Protocol):
    def target(self, moment: datetime, market_volume: int) -> int:
        """Shares that should be done by `moment`; `market_volume` is the market's
        volume in the symbol since the window started (used by POV only)."""
        ...


def _floor(total: int, fraction: Fraction) -> int:
    fraction = min(max(fraction, Fraction(0)), Fraction(1))
    return int(total * fraction.numerator // fraction.denominator)


@dataclass(frozen=True)
class TwapCurve:
    window: TradingWindow
    total: int
    lead_s: int

    def target(self, moment: datetime, market_volume: int = 0) -> int:
        if self.window.empty:
            return 0
        done = self.window.elapsed_seconds(moment + timedelta(seconds=self.lead_s))
        return _floor(self.total, Fraction(done) / Fraction(self.window.total_seconds))


@dataclass(frozen=True)
class VwapCurve:
    window: TradingWindow
    total: int
    lead_s: int
    profile: VolumeProfile

    def target(self, moment: datetime, market_volume: int = 0) -> int:
        minutes = self.window.minutes()
        if not minutes:
            return 0
        horizon = moment + timedelta(seconds=self.lead_s)
        weights = [Fraction(repr(self.profile.weight(m.time()))) for m in minutes]
        whole = sum(weights, Fraction(0))
        done = Fraction(0)
        for start, weight in zip(minutes, weights, strict=True):
            seconds_in = (min(horizon, start + timedelta(minutes=1)) - start).total_seconds()
            if seconds_in <= 0:
                break
            done += weight * Fraction(seconds_in) / 60
        return _floor(self.total, done / whole)


@dataclass(frozen=True)
class PovCurve:
    """Keep our volume at `rate` of the market's volume since the start."""

    total: int
    rate: Decimal

    def target(self, moment: datetime, market_volume: int) -> int:
        wanted = (self.rate * max(market_volume, 0)).to_integral_value(ROUND_FLOOR)
        return min(self.total, int(wanted))

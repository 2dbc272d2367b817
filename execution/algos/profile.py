"""Intraday volume profile for VWAP, estimated from past days' minute bars.

The profile is the average, over the history days, of each minute's share of that
day's volume, pooled over all symbols given (one small-cap's own minutes are too
noisy). A minute never seen gets the smallest observed weight so that VWAP still
trades there; with no history at all the profile is flat (VWAP becomes TWAP).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import time

import pandas as pd


@dataclass(frozen=True)
class VolumeProfile:
    weights: dict[time, float] = field(default_factory=dict)

    def weight(self, minute: time) -> float:
        key = minute.replace(second=0, microsecond=0, tzinfo=None)
        if not self.weights:
            return 1.0
        return self.weights.get(key, self.floor)

    @property
    def floor(self) -> float:
        positive = [w for w in self.weights.values() if w > 0]
        return min(positive) if positive else 1.0

    @property
    def flat(self) -> bool:
        return not self.weights


def estimate_profile(bars: pd.DataFrame) -> VolumeProfile:
    """Profile from long minute bars with columns `datetime` (aware) and `volume`."""
    missing = {"datetime", "volume"} - set(bars.columns)
    if missing:
        raise ValueError(f"minute bars for the volume profile lack column(s) {sorted(missing)}")
    if bars.empty:
        return VolumeProfile()
    stamps = pd.DatetimeIndex(bars["datetime"])
    frame = pd.DataFrame(
        {"day": stamps.date, "minute": stamps.time, "volume": bars["volume"].to_numpy(float)}
    )
    per_minute = frame.groupby(["day", "minute"])["volume"].sum()
    day_totals = per_minute.groupby(level="day").transform("sum")
    shares = (per_minute / day_totals.where(day_totals > 0)).dropna()
    if shares.empty:
        return VolumeProfile()
    mean = shares.groupby(level="minute").mean()
    return VolumeProfile({_as_time(minute): float(w) for minute, w in mean.items() if w > 0})


def _as_time(value: object) -> time:
    if not isinstance(value, time):
        raise TypeError(f"volume profile minute {value!r}: expected a time of day")
    return value

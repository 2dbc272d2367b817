"""Clocks: the one way code in the desk asks what time it is.

Every clock returns aware datetimes in the exchange time zone. Code that needs "now"
takes a `Clock` argument, so tests can pin time (`FixedClock`) and the paper desk can
replay a day faster than real time (`SimulatedClock`).
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Protocol
from zoneinfo import ZoneInfo

EXCHANGE_TZ = ZoneInfo("Asia/Shanghai")


class Clock(Protocol):
    def now(self) -> datetime:
        """The current time, aware, in EXCHANGE_TZ."""
        ...


def require_aware(dt: datetime, what: str) -> datetime:
    """Return `dt` in EXCHANGE_TZ; a naive datetime is refused because its zone is a guess."""
    if dt.tzinfo is None or dt.utcoffset() is None:
        raise ValueError(f"{what} must be timezone-aware (got naive {dt.isoformat()})")
    return dt.astimezone(EXCHANGE_TZ)


def exchange_date(clock: Clock) -> date:
    """The calendar date at the exchange right now."""
    return clock.now().astimezone(EXCHANGE_TZ).date()


class WallClock:
    """The real time of this machine, expressed in the exchange time zone."""

    def now(self) -> datetime:
        return datetime.now(tz=EXCHANGE_TZ)


class FixedClock:
    """A clock that only moves when told to (tests)."""

    def __init__(self, dt: datetime) -> None:
        self._now = require_aware(dt, "FixedClock time")

    def now(self) -> datetime:
        return self._now

    def advance(self, delta: timedelta) -> None:
        self._now = self._now + delta

    def set(self, dt: datetime) -> None:
        self._now = require_aware(dt, "FixedClock time")


@dataclass(frozen=True)
class SimulatedClock:
    """Simulated time that runs `speed` times faster than the wall clock.

    now = sim_start + (time.time() - wall_start) * speed. Processes that share the three
    numbers (see `to_dict`) agree on the simulated time without talking to each other.
    """

    sim_start: datetime
    wall_start: float
    speed: float

    def __post_init__(self) -> None:
        object.__setattr__(self, "sim_start", require_aware(self.sim_start, "sim_start"))
        if not self.speed > 0:
            raise ValueError(f"SimulatedClock speed must be > 0 (got {self.speed})")

    @classmethod
    def starting_now(cls, sim_start: datetime, speed: float) -> SimulatedClock:
        """A clock whose simulated time is `sim_start` at this very moment."""
        return cls(sim_start=sim_start, wall_start=time.time(), speed=speed)

    def now(self) -> datetime:
        elapsed = (time.time() - self.wall_start) * self.speed
        return self.sim_start + timedelta(seconds=elapsed)

    def to_dict(self) -> dict[str, str | float]:
        return {
            "sim_start": self.sim_start.isoformat(),
            "wall_start": self.wall_start,
            "speed": self.speed,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, object]) -> SimulatedClock:
        missing = {"sim_start", "wall_start", "speed"} - set(data)
        if missing:
            raise ValueError(f"SimulatedClock.from_dict: missing keys {sorted(missing)}")
        sim_start = data["sim_start"]
        if not isinstance(sim_start, str | datetime):
            raise ValueError(
                f"SimulatedClock.from_dict: sim_start must be ISO text, got {sim_start!r}"
            )
        start = datetime.fromisoformat(sim_start) if isinstance(sim_start, str) else sim_start
        return cls(
            sim_start=start,
            wall_start=_as_float(data["wall_start"], "wall_start"),
            speed=_as_float(data["speed"], "speed"),
        )


def _as_float(value: object, key: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        raise ValueError(f"SimulatedClock.from_dict: {key} must be a number, got {value!r}")
    try:
        return float(value)
    except ValueError as exc:
        raise ValueError(
            f"SimulatedClock.from_dict: {key} must be a number, got {value!r}"
        ) from exc

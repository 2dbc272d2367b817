"""The clock every service of one desk shares.

Production runs on the wall clock. Paper trading and the demo run a compressed,
simulated trading day: the supervisor writes the clock's three numbers to Redis
once, and every service process reads them, so all agree on the simulated time.
"""

from __future__ import annotations

import json
import time
from datetime import date, datetime

import redis

from bus import streams
from errors import RetryLater
from marketdata.clock import EXCHANGE_TZ, Clock, SimulatedClock, WallClock
from services.settings import DeskSettings
from services.stepped_clock import SteppedClock, Tick, is_stepped

REREAD_S = 1.0  # wall seconds between reads of a fixed-speed clock


class ClockNotStarted(RuntimeError, RetryLater):
    """A simulated desk whose supervisor has not started the day yet."""


def start_simulated_day(client: redis.Redis, settings: DeskSettings, trade_date: date,
                        speed: float | None = None) -> SimulatedClock:
    """Start (or restart) the simulated session of `trade_date` now."""
    start = datetime.combine(trade_date, settings.clock.start, tzinfo=EXCHANGE_TZ)
    clock = SimulatedClock.starting_now(start, speed or settings.clock.speed)
    client.set(streams.CLOCK, json.dumps(clock.to_dict()))
    return clock


def shared_clock(client: redis.Redis, settings: DeskSettings) -> Clock:
    """The desk's clock for a service process."""
    if settings.clock.mode == "wall":
        return WallClock()
    raw = client.get(streams.CLOCK)
    if not raw:
        raise ClockNotStarted(
            "simulated clock not started: run the desk with 'desk run' or 'desk demo'"
        )
    if is_stepped(raw):
        return SteppedClock(client, Tick.from_raw(raw))
    return SharedSimulatedClock(client, SimulatedClock.from_dict(json.loads(raw)))


class SharedSimulatedClock:
    """The fixed-speed simulated clock as Redis holds it now, read again every second,
    so a paper desk over several days can move every service to the next morning."""

    def __init__(self, client: redis.Redis, clock: SimulatedClock) -> None:
        self.client, self.clock = client, clock
        self._read_at = time.monotonic()
        self.errors: list[str] = []

    def now(self) -> datetime:
        if time.monotonic() - self._read_at >= REREAD_S:
            self._reread()
        return self.clock.now()

    def _reread(self) -> None:
        self._read_at = time.monotonic()
        try:
            raw = self.client.get(streams.CLOCK)
            if raw:
                self.clock = SimulatedClock.from_dict(json.loads(raw))
        except (ValueError, TypeError, RecursionError, redis.RedisError) as exc:
            # Unreadable or Redis away: keep running on the last good clock.
            self.errors = [*self.errors[-9:], f"{streams.CLOCK}: {exc}"[:300]]

"""The clock every service of one desk shares.

Production runs on the wall clock. Paper trading and the demo run a compressed,
simulated trading day: the supervisor writes the clock's three numbers to Redis
once, and every service process reads them, so all agree on the simulated time.
"""

from __future__ import annotations

import json
from datetime import date, datetime

import redis

from bus import streams
from errors import RetryLater
from marketdata.clock import EXCHANGE_TZ, Clock, SimulatedClock, WallClock
from services.settings import DeskSettings
from services.stepped_clock import SteppedClock, Tick, is_stepped


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
    return SimulatedClock.from_dict(json.loads(raw))

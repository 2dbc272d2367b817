"""The stepped clock: simulated time that moves only when every service is done.

A conductor (`services.paper_days`) sets the shared time one step at a time in Redis
(`streams.CLOCK`: mode, tick number, time). Each paced service (scheduler, execution,
risk) waits for a tick it has not seen, does one step at that time and acknowledges
the tick (`streams.CLOCK_ACKS`); the conductor moves on once all have. So a paper
month takes minutes, and what happens does not depend on how loaded the machine is:
the same services, Redis and gateway code as at 60x, only the pace differs.

Services that are not paced (alerts, console) read the latest tick, cached briefly.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import redis
from loguru import logger

from bus import streams
from errors import RetryLater
from marketdata.clock import require_aware

POLL_S = 0.001  # between reads of the tick while a service waits for the next one
UNPACED_CACHE_S = 0.02
MODE = "stepped"


class StepTimeout(RuntimeError, RetryLater):
    """A paced service did not finish its step in time (dead, stuck or too slow)."""


@dataclass(frozen=True)
class Tick:
    number: int
    at: datetime

    def to_json(self) -> str:
        return json.dumps({"mode": MODE, "tick": self.number, "now": self.at.isoformat()})

    @classmethod
    def from_raw(cls, raw: bytes | str) -> Tick:
        """The tick in `streams.CLOCK`; anything else there is refused by name."""
        data = json.loads(raw)
        if not isinstance(data, dict) or data.get("mode") != MODE:
            raise ValueError(f"{streams.CLOCK} does not hold a stepped clock: {str(raw)[:80]!r}")
        number, now = data.get("tick"), data.get("now")
        if not isinstance(number, int) or isinstance(number, bool) or number < 0:
            raise ValueError(f"{streams.CLOCK}: tick must be a whole number >= 0, got {number!r}")
        if not isinstance(now, str):
            raise ValueError(f"{streams.CLOCK}: now must be ISO text, got {now!r}")
        return cls(number, require_aware(datetime.fromisoformat(now), f"{streams.CLOCK} now"))


def acked(raw: bytes | str | None) -> int:
    """The tick a service acknowledged; -1 for none or for anything not a tick number
    (a forged acknowledgement does not finish a step)."""
    if raw is None:
        return -1
    text = raw.decode(errors="replace") if isinstance(raw, bytes) else str(raw)
    return int(text) if text.isdigit() and len(text) <= 18 else -1


def is_stepped(raw: bytes | str | None) -> bool:
    if not raw:
        return False
    try:
        data: Any = json.loads(raw)
    except (ValueError, RecursionError):
        return False
    return isinstance(data, dict) and data.get("mode") == MODE


class SteppedClock:
    """A service's view of the stepped clock (a `marketdata.clock.Clock`)."""

    def __init__(self, client: redis.Redis, tick: Tick) -> None:
        self.client = client
        self.tick = tick
        self.paced = False  # set by the runner for services the conductor waits for
        self.errors: list[str] = []  # unreadable clock keys seen (the last few)
        self._read_at = time.monotonic()

    def now(self) -> datetime:
        if not self.paced and time.monotonic() - self._read_at > UNPACED_CACHE_S:
            self._read()
        return self.tick.at

    def _read(self) -> Tick:
        """The tick in Redis; an unreadable one (forged, half-written) is logged and the
        last good tick kept: time stands still and the conductor names who is late."""
        self._read_at = time.monotonic()
        try:  # bytes that are not UTF-8 fail inside the client's decoding already
            raw = self.client.get(streams.CLOCK)
            if not raw:
                return self.tick
            self.tick = Tick.from_raw(raw)
        except (ValueError, TypeError, RecursionError) as exc:
            why = f"{streams.CLOCK} unreadable, time kept at {self.tick.at}: {exc}"[:300]
            if not self.errors or self.errors[-1] != why:
                logger.error("{}", why)
                self.errors = [*self.errors[-9:], why]
        return self.tick

    def wait_next(self, service: str, stop: Callable[[], bool]) -> bool:
        """Block until there is a tick `service` has not finished; False if `stop()`
        said to stop first. A service restarted mid-step finishes the current tick."""
        if self._acked(service) < self._read().number:
            return True
        seen = self.tick.number
        while not stop():
            if self._read().number != seen:
                return True
            time.sleep(POLL_S)
        return False

    def _acked(self, service: str) -> int:
        try:
            return acked(self.client.hget(streams.CLOCK_ACKS, service))
        except ValueError:  # not UTF-8: not an acknowledgement
            return -1

    def ack(self, service: str) -> None:
        self.client.hset(streams.CLOCK_ACKS, service, self.tick.number)


class Conductor:
    """Moves the stepped clock: one tick, then wait until every paced service is done."""

    def __init__(self, client: redis.Redis, services: list[str], timeout_s: float,
                 alive: Callable[[], None] = lambda: None) -> None:
        self.client, self.services, self.timeout_s = client, services, timeout_s
        self.alive = alive  # raises if a service process died (the supervisor's check)
        self.number = 0
        self.at: datetime | None = None
        self.last_to_finish: dict[str, float] = dict.fromkeys(services, 0.0)  # wall s

    def start(self, at: datetime) -> Tick:
        """The first tick; services started after this see it as their first step."""
        self.client.delete(streams.CLOCK_ACKS)
        return self.announce(at)

    def resume(self) -> Tick | None:
        """Carry on from the tick in Redis (a desk restarted mid-run); None if none."""
        raw = self.client.get(streams.CLOCK)
        if not is_stepped(raw):
            return None
        assert raw is not None
        tick = Tick.from_raw(raw)
        self.number, self.at = tick.number, tick.at
        return tick

    def step_to(self, at: datetime) -> Tick:
        """Set the next tick at `at` and return once every paced service acknowledged it."""
        if self.at is not None and at <= self.at:
            raise ValueError(f"the stepped clock only moves forward: {at} after {self.at}")
        tick = self.announce(at)
        self.wait_done(tick)
        return tick

    def wait_done(self, tick: Tick) -> None:
        started = time.monotonic()
        deadline = started + self.timeout_s
        last: list[str] = []
        while True:
            late = [s for s, a in zip(self.services, self._acks(), strict=True)
                    if acked(a) < tick.number]
            if not late:
                for service in last:  # who the step waited for, and how long
                    self.last_to_finish[service] += time.monotonic() - started
                return
            last = late
            if time.monotonic() > deadline:
                raise StepTimeout(f"{', '.join(late)} did not finish the step at "
                                  f"{tick.at:%Y-%m-%d %H:%M} within {self.timeout_s:.0f}s")
            self.alive()
            time.sleep(POLL_S)

    def _acks(self) -> list[Any]:
        try:
            return list(self.client.hmget(streams.CLOCK_ACKS, self.services))
        except ValueError:  # a forged, non-UTF-8 acknowledgement: read them one by one
            return [self._one_ack(s) for s in self.services]

    def _one_ack(self, service: str) -> str | None:
        try:
            value = self.client.hget(streams.CLOCK_ACKS, service)
        except ValueError:
            return None
        return None if value is None else str(value)

    def announce(self, at: datetime) -> Tick:
        """Set the next tick without waiting for anyone (`step_to` waits)."""
        self.number += 1
        self.at = require_aware(at, "stepped clock time")
        tick = Tick(self.number, self.at)
        self.client.set(streams.CLOCK, tick.to_json())
        return tick

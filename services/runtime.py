"""How every desk service runs: setup, a loop of short steps, heartbeats, teardown.

The first SIGTERM (or Ctrl-C) lets the current step finish and then stops; a second
one stops at once. Teardown always runs. While running, the service keeps a
heartbeat key with a TTL in Redis, so `desk status` sees a dead service as dead.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from types import FrameType
from typing import TYPE_CHECKING, Any, NoReturn

import redis
from loguru import logger

from bus import streams
from errors import RetryLater
from services.desk_data import open_calendar, open_store
from services.stepped_clock import SteppedClock

if TYPE_CHECKING:
    from execution.approval.queue import OrderQueue
    from marketdata.calendar import TradingCalendar
    from marketdata.clock import Clock
    from marketdata.store import MarketStore
    from services.settings import DeskSettings


class ServiceState(StrEnum):
    STARTING = "starting"
    RUNNING = "running"
    STOPPING = "stopping"
    STOPPED = "stopped"


class StopNow(BaseException):
    """Raised by the second stop signal: leave the step at once (teardown still runs)."""


class RedisGone(RuntimeError, RetryLater):
    """Redis stayed away longer than a service waits for it."""


# Redis away or restarting (loading its AOF). A refused login or a NOPERM is not
# "away": it is a fault to see, so it is not waited out.
REDIS_AWAY = (redis.ConnectionError, redis.TimeoutError)
REDIS_WAIT_MAX_S = 300.0  # then exit non-zero and let the supervisor act
EXIT_FAILED, EXIT_STOPPED_NOW, EXIT_REDIS_GONE = 2, 1, 3


def exit_process(code: int, grace_s: float = 5.0) -> NoReturn:
    """Exit with `code`, even if a library left a non-daemon thread running (vnpy's
    engines do when a setup fails half-way): after `grace_s` the process ends anyway."""
    timer = threading.Timer(grace_s, os._exit, args=(code,))
    timer.daemon = True
    timer.start()
    sys.exit(code)


@dataclass
class ServiceContext:
    """What a service is given: nothing global, everything passed in."""

    settings: DeskSettings
    client: redis.Redis
    clock: Clock
    data_dir: Path
    _store: MarketStore | None = field(default=None, repr=False)
    _calendar: TradingCalendar | None = field(default=None, repr=False)
    _queue: OrderQueue | None = field(default=None, repr=False)
    _reader: redis.Redis | None = field(default=None, repr=False)

    @property
    def store(self) -> MarketStore:
        if self._store is None:
            self._store = open_store(self.settings, self.data_dir)
        return self._store

    @property
    def calendar(self) -> TradingCalendar:
        if self._calendar is None:
            self._calendar = open_calendar(self.settings)
        return self._calendar

    @property
    def reader(self) -> redis.Redis:
        """A read-only client (Redis user `reader`) for display: metrics, dashboards."""
        if self._reader is None:
            from services.connect import connect, process_user

            # The admin (the operator's own process, tests) reads with its own client.
            own = process_user() == "desk"
            self._reader = self.client if own else connect(self.settings, user="reader")
        return self._reader

    @property
    def queue(self) -> OrderQueue:
        if self._queue is None:
            from services.accounts import desk_queue

            self._queue = desk_queue(self.client, self.clock, self.settings)
        return self._queue


class Service:
    """Base class: subclasses implement setup, step and teardown."""

    name = "service"
    paced = False  # True: on the stepped clock, the conductor waits for each step

    def __init__(self, ctx: ServiceContext) -> None:
        self.ctx = ctx
        self.state = ServiceState.STARTING
        self.info: dict[str, Any] = {}
        # A setup that waits long calls this now and then: the runner beats (with
        # `info`) and raises StopNow once it was told to stop.
        self.pulse: Callable[[], None] = lambda: None

    def setup(self) -> None:
        """Connect, load, recover. Runs once before the first step."""

    def step(self) -> None:
        """One short unit of work (well under a second)."""
        time.sleep(0.2)

    def teardown(self) -> None:
        """Release everything; must be safe after a partial setup."""

    @property
    def stepped(self) -> bool:
        """Paced by the stepped clock: one step per tick, so no waiting of its own."""
        return self.paced and isinstance(self.ctx.clock, SteppedClock)

    def idle(self, seconds: float) -> None:
        """Wait between steps on a running clock; nothing to wait for on a stepped one."""
        if not self.stepped:
            time.sleep(seconds)


class Runner:
    """Runs one service until told to stop."""

    def __init__(
        self, service: Service, *, heartbeat_interval_s: float = 2.0, heartbeat_ttl_s: int = 15
    ) -> None:
        self.service = service
        self.interval = heartbeat_interval_s
        self.ttl = heartbeat_ttl_s
        self._stop_requested = False
        self._last_beat = 0.0
        self.redis_wait_max_s = REDIS_WAIT_MAX_S

    def request_stop(self) -> None:
        self._stop_requested = True

    def install_signal_handlers(self, supervised: bool = False) -> None:
        signal.signal(signal.SIGTERM, self._on_signal)
        # Under the supervisor, Ctrl-C in the terminal reaches the whole process group;
        # only the supervisor's SIGTERM should stop a child, or it would count twice.
        signal.signal(signal.SIGINT, signal.SIG_IGN if supervised else self._on_signal)

    def _on_signal(self, signum: int, _frame: FrameType | None) -> None:
        if self._stop_requested:
            logger.warning(
                "{}: second {}, stopping now", self.service.name, signal.Signals(signum).name
            )
            raise StopNow
        logger.info(
            "{}: {} received, finishing the current step",
            self.service.name,
            signal.Signals(signum).name,
        )
        self._stop_requested = True

    def run(self, max_steps: int | None = None) -> int:
        """Run to completion; returns a process exit code (non-zero if setup failed)."""
        svc = self.service
        code = 0
        try:
            self._ping_until_up(None)
            svc.pulse = self._pulse
            svc.setup()
            svc.state = ServiceState.RUNNING
            self._beat(force=True)
            logger.info("{} running (pid {})", svc.name, os.getpid())
            steps = 0
            while not self._stop_requested and (max_steps is None or steps < max_steps):
                self._step()
                steps += 1
                self._beat()
        except StopNow:
            code = EXIT_STOPPED_NOW
        except RedisGone as exc:
            logger.error("{}: {}; exiting so the supervisor can act", svc.name, exc)
            code = EXIT_REDIS_GONE
        except Exception:
            logger.exception("{} failed", svc.name)
            code = EXIT_FAILED
        finally:
            svc.state = ServiceState.STOPPING
            self._safe_teardown()
            svc.state = ServiceState.STOPPED
            self._clear_beat()
            logger.info("{} stopped", svc.name)
        return code

    def _step(self) -> None:
        """One step; if Redis goes away, wait for it here instead of dying (a dead
        service would only be restarted into the same missing Redis)."""
        try:
            self._paced_step()
        except redis.AuthenticationError:
            raise
        except REDIS_AWAY as exc:
            self._ping_until_up(exc)

    def _pulse(self) -> None:
        if self._stop_requested:
            raise StopNow
        self._beat()

    def _paced_step(self) -> None:
        """On the stepped clock a paced service does one step per tick and says so."""
        clock = self.service.ctx.clock
        if not (self.service.paced and isinstance(clock, SteppedClock)):
            self.service.step()
            return
        clock.paced = True
        if clock.wait_next(self.service.name, lambda: self._stop_requested):
            self.service.step()
            clock.ack(self.service.name)

    def _ping_until_up(self, cause: Exception | None) -> None:
        """Wait for Redis with capped backoff, bounded by `REDIS_WAIT_MAX_S`."""
        name, client = self.service.name, self.service.ctx.client
        started = time.monotonic()
        delay, logged = 0.1, cause is not None
        if cause is not None:
            logger.warning("{}: Redis unavailable ({}); waiting for it, not restarting",
                           name, cause)
        while not self._stop_requested:
            try:
                client.ping()
                break
            except redis.AuthenticationError:
                raise
            except REDIS_AWAY as exc:
                waited = time.monotonic() - started
                if waited > self.redis_wait_max_s:
                    raise RedisGone(f"Redis unavailable for {waited:.0f}s: {exc}") from exc
                if not logged:
                    logger.warning("{}: Redis unavailable ({}); waiting for it", name, exc)
                    logged = True
                self._sleep(delay)
                delay = min(2.0, delay * 2)
        if logged and not self._stop_requested:
            logger.warning("{}: Redis is back after {:.1f}s; carrying on", name,
                           time.monotonic() - started)

    def _sleep(self, seconds: float) -> None:
        """Sleep, but wake for a stop request (the first signal only sets a flag)."""
        end = time.monotonic() + seconds
        while time.monotonic() < end and not self._stop_requested:
            time.sleep(0.05)

    def _safe_teardown(self) -> None:
        try:
            self.service.teardown()
        except StopNow:
            logger.warning("{}: teardown interrupted by a second signal", self.service.name)
        except Exception:
            logger.exception("{}: teardown failed", self.service.name)

    def _beat(self, force: bool = False) -> None:
        now = time.monotonic()
        if not force and now - self._last_beat < self.interval:
            return
        self._last_beat = now
        svc = self.service
        payload = {
            "service": svc.name,
            "pid": os.getpid(),
            "state": svc.state.value,
            "at": svc.ctx.clock.now().isoformat(),
            "wall": time.time(),
            "info": svc.info,
        }
        try:
            svc.ctx.client.set(
                streams.HEARTBEAT.format(service=svc.name),
                json.dumps(payload, default=str),
                ex=self.ttl,
            )
        except redis.RedisError as exc:  # Redis away: keep working, say so
            logger.warning("{}: heartbeat failed: {}", svc.name, exc)

    def _clear_beat(self) -> None:
        with contextlib.suppress(redis.RedisError):
            self.service.ctx.client.delete(streams.HEARTBEAT.format(service=self.service.name))

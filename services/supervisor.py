"""`desk run`: every service as its own process, supervised.

The supervisor's first child is the embedded Redis (unless a URL is configured): it
is started (or a server left by an earlier run adopted), restarted from its AOF if it
dies (capped backoff, a critical alert once it is back), and stopped last. Then the
paper day, then each service, each restarted if it dies (capped backoff and an alert).
On SIGTERM/Ctrl-C it stops them all in order: a polite SIGTERM, then SIGKILL after
the stop timeout. A second signal skips the wait.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field
from datetime import datetime
from types import FrameType
from typing import TYPE_CHECKING

from loguru import logger
from redis import Redis

if TYPE_CHECKING:
    from services.paper_rolling import RollingPaper

from bus.alerts import send_alert
from marketdata.clock import Clock, WallClock
from services.accounts import service_specs, split_service
from services.connect import connect, embedded_for
from services.paper import prepare_paper_day
from services.redis_acl import ENV_USER
from services.redis_keeper import RedisKeeper
from services.settings import DeskSettings
from services.settings_loader import ENV_REDIS_URL


@dataclass
class Child:
    name: str
    args: list[str]
    process: subprocess.Popen[bytes] | None = None
    restarts: int = 0
    next_start: float = 0.0
    started_at: float = field(default=0.0)


class Supervisor:
    def __init__(self, settings: DeskSettings, config_file: str | None,
                 services: list[str]) -> None:
        self.settings = settings
        self.config_file = config_file
        # One execution service and one risk daemon per account (services/accounts.py).
        specs = service_specs(settings, tuple(services))
        self.children = [Child(name, self._args(name)) for name in specs]
        self._stopping = 0
        self.rolling: RollingPaper | None = None  # paper over several days
        self._clock: Clock | None = None
        self.server = embedded_for(settings)
        cap = settings.supervisor.restart_backoff_max_s
        self.keeper = RedisKeeper(self.server, cap) if self.server else None

    def _args(self, name: str) -> list[str]:
        args = [sys.executable, "-m", "services.cli.main"]
        if self.config_file:
            args += ["--config", str(self.config_file)]
        return [*args, "--data-dir", str(self.settings.data_dir), "run", name, "--supervised"]

    def run(self) -> int:
        signal.signal(signal.SIGTERM, self._on_signal)
        signal.signal(signal.SIGINT, self._on_signal)
        try:
            client = self.start()
            while not self._stopping:
                self.tick(client)
                time.sleep(0.2)
        finally:
            self.stop()
        return 0

    def start(self) -> Redis:
        """Redis, the paper day, then every service; returns a client to the desk's Redis."""
        client = self.start_redis()
        if self.settings.mode == "paper" and self.settings.data.demo.paper_days:
            from services.paper_rolling import start_rolling_paper

            self.rolling = start_rolling_paper(self.settings, client)
        elif self.settings.mode == "paper":
            prepare_paper_day(self.settings, client)
        self.start_services()
        return client

    def tick(self, client: Redis) -> None:
        """One pass of the supervisor's loop: Redis, the services, paper's days."""
        if self.keeper:
            self.keeper.check(client)
        self.check_children(client)
        if self.rolling is not None:
            try:
                self.rolling.check(client, self._shared_clock(client))
            except Exception as exc:  # the desk goes on; the operator reads why
                logger.exception("paper over days: {!r}", exc)

    def _shared_clock(self, client: Redis) -> Clock:
        if self._clock is None:
            from services.clock_setup import shared_clock

            self._clock = shared_clock(client, self.settings)
        return self._clock

    def start_redis(self) -> Redis:
        if self.keeper:
            self.keeper.start()
        return connect(self.settings)

    def start_services(self) -> None:
        for child in self.children:
            self._start(child)

    def stop(self) -> None:
        """Stop every service, then the embedded Redis (started or adopted by this desk)."""
        self._stop_children()
        if self.keeper:
            self.keeper.stop()

    def alive(self) -> dict[str, bool]:
        return {c.name: bool(c.process and c.process.poll() is None) for c in self.children}

    def _on_signal(self, signum: int, _frame: FrameType | None) -> None:
        self._stopping += 1
        logger.info("supervisor: {} ({}), stopping the desk", signal.Signals(signum).name,
                    "again: no more waiting" if self._stopping > 1 else "first")

    def _start(self, child: Child) -> None:
        env = dict(os.environ)
        if self.settings.redis.url is None:
            env.pop(ENV_REDIS_URL, None)  # children must use this desk's own Redis
            # Each service logs in as its own Redis user (`execution@B` as `execution`).
            env[ENV_USER] = split_service(child.name)[0]
        child.process = subprocess.Popen(child.args, stdin=subprocess.DEVNULL, env=env)
        child.started_at = time.monotonic()
        logger.info("started {} (pid {})", child.name, child.process.pid)

    def check_children(self, client: Redis) -> None:
        """Restart any service that died, with capped exponential backoff."""
        cap = self.settings.supervisor.restart_backoff_max_s
        for child in self.children:
            if child.process is None:
                if time.monotonic() >= child.next_start:
                    self._start(child)
                continue
            code = child.process.poll()
            if code is None:
                if time.monotonic() - child.started_at > 60:
                    child.restarts = 0  # stable again: reset the backoff
                continue
            child.process = None
            delay = min(cap, 0.5 * 2 ** child.restarts)
            child.restarts += 1
            child.next_start = time.monotonic() + delay
            self._alert(client, child, code, delay)

    def _alert(self, client: Redis, child: Child, code: int, delay: float) -> None:
        logger.error("{} exited with {}; restarting in {:.1f}s", child.name, code, delay)
        try:
            send_alert(client, source="supervisor", severity="critical",
                       title=f"{child.name} exited with code {code}",
                       detail=f"restart #{child.restarts} in {delay:.1f}s", ts=_now())
        except Exception as exc:  # Redis may be what failed; the log has it
            logger.warning("could not publish the alert: {}", exc)

    def _stop_children(self) -> None:
        live = [c for c in self.children if c.process and c.process.poll() is None]
        for child in live:
            assert child.process is not None
            child.process.send_signal(signal.SIGTERM)
        deadline = time.monotonic() + self.settings.supervisor.stop_timeout_s
        for child in live:
            assert child.process is not None
            while child.process.poll() is None and time.monotonic() < deadline:
                if self._stopping > 1:
                    break
                time.sleep(0.05)
            if child.process.poll() is None:
                logger.warning("{} did not stop in time: SIGKILL", child.name)
                child.process.kill()
                child.process.wait()
        logger.info("all services stopped")


def _now() -> datetime:
    return WallClock().now()

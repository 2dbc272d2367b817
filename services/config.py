"""Settings of the service layer: Redis, logging, clock, scheduler, alerts, supervision."""

from __future__ import annotations

from datetime import time
from typing import Literal

from pydantic import Field, HttpUrl

from config.frozen import Frozen


class RedisConfig(Frozen):
    # None: the desk starts its own Redis (Unix socket + AOF in the data directory).
    url: str | None = None
    # Name of the environment variable holding the password; never the password itself.
    password_env: str | None = None
    socket_timeout_s: float = 5.0


class LoggingConfig(Frozen):
    level: Literal["TRACE", "DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"
    json_lines: bool = False
    retention_days: int = Field(default=30, ge=1)
    console: bool = True


class ClockConfig(Frozen):
    # wall: real exchange time (production). simulated: a compressed trading day for
    # paper trading and the demo, shared by every service through Redis.
    mode: Literal["wall", "simulated"] = "wall"
    speed: float = Field(default=60.0, gt=0, le=10_000)
    start: time = time(9, 25)


class SchedulerConfig(Frozen):
    run_time: time = time(20, 0)  # exchange time, on trading days
    # End of day (reconciliation, NAV record, daily report), exchange time, on trading days.
    eod_time: time = time(15, 30)
    misfire_grace_s: int = Field(default=3600, ge=1)
    publish_on_start: bool = False  # paper: a first batch right away for newcomers
    account: str = "paper"


class AlertsConfig(Frozen):
    webhook_url: HttpUrl | None = None
    webhook_timeout_s: float = Field(default=5.0, gt=0)
    webhook_retries: int = Field(default=3, ge=0, le=10)
    # Prometheus metrics of the whole desk on 127.0.0.1:<port>; 0 turns them off.
    metrics_port: int = Field(default=9108, ge=0, le=65535)


class SupervisorConfig(Frozen):
    services: tuple[Literal["scheduler", "execution", "risk", "console", "alerts"], ...] = (
        "scheduler", "execution", "risk", "console", "alerts",
    )
    heartbeat_interval_s: float = Field(default=2.0, gt=0)
    heartbeat_ttl_s: int = Field(default=15, ge=2)
    restart_backoff_max_s: float = Field(default=30.0, gt=0)
    stop_timeout_s: float = Field(default=15.0, gt=0)

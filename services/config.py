"""Settings of the service layer: Redis, logging, clock, scheduler, alerts, supervision."""

from __future__ import annotations

from datetime import time
from typing import Literal
from urllib.parse import urlsplit

from pydantic import Field, HttpUrl, field_validator

from config.frozen import Frozen
from services.alerting.config import AlertingConfig

REDIS_URL_FORMS = "redis://HOST[:PORT][/DB], rediss://HOST[:PORT][/DB] or unix:///PATH[?db=DB]"


def redis_url_problem(url: str) -> str | None:
    """Why `url` is not a Redis URL redis-py can connect to (None: it is one)."""
    try:
        parts = urlsplit(url)
        _ = parts.port  # reading it raises on a non-numeric or out-of-range port
    except ValueError as exc:
        return str(exc)
    if parts.scheme == "unix":
        return None if parts.path else "a unix:// URL needs the socket's path"
    if parts.scheme not in ("redis", "rediss"):
        return f"scheme {parts.scheme or '(none)'!r} is not redis, rediss or unix"
    if not parts.hostname:
        return "no host"
    db = parts.path.removeprefix("/")
    if db and not db.isdigit():
        return f"database {db!r} is not a number"
    return None


class RedisConfig(Frozen):
    # None: the desk starts its own Redis (Unix socket + AOF in the data directory).
    # Otherwise redis://HOST[:PORT][/DB], rediss://... (TLS) or unix:///PATH[?db=DB].
    url: str | None = None
    # Name of the environment variable holding the password; never the password itself.
    password_env: str | None = None
    socket_timeout_s: float = 5.0

    @field_validator("url")
    @classmethod
    def _well_formed(cls, url: str | None) -> str | None:
        problem = None if url is None else redis_url_problem(url)
        if problem:
            raise ValueError(f"a Redis URL ({REDIS_URL_FORMS}): {problem}")
        return url


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


class AlertsConfig(AlertingConfig):
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

"""Settings of the service layer: Redis, logging, clock, scheduler, alerts, supervision."""

from __future__ import annotations

from datetime import time
from typing import Literal
from urllib.parse import urlsplit

from pydantic import Field, HttpUrl, field_validator, model_validator

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


def sentinel_address(text: str) -> tuple[str, int]:
    """`HOST:PORT` of one sentinel as (host, port); ValueError says what is wrong."""
    host, sep, port = text.rpartition(":")
    if not sep or not host or not port.isdigit() or not 0 < int(port) < 65536:
        raise ValueError(f"sentinel {text!r} is not HOST:PORT")
    return host, int(port)


class SentinelConfig(Frozen):
    """Redis Sentinel: every service follows the primary the sentinels name (docs/bus.md)."""

    # Off: one Redis (embedded, or `redis.url`). On: the primary the sentinels name.
    enabled: bool = False
    # HOST:PORT of each sentinel (three, on at least two machines, for a quorum of two).
    hosts: tuple[str, ...] = ()
    master_name: str = "desk"  # the name in each sentinel.conf's `sentinel monitor`
    # Environment variable holding the sentinels' own password (none: they have none).
    password_env: str | None = None

    @field_validator("hosts")
    @classmethod
    def _addresses(cls, hosts: tuple[str, ...]) -> tuple[str, ...]:
        for host in hosts:
            sentinel_address(host)
        return hosts

    @model_validator(mode="after")
    def _hosts_when_enabled(self) -> SentinelConfig:
        if self.enabled and not self.hosts:
            raise ValueError("redis.sentinel.enabled needs at least one HOST:PORT in hosts")
        return self


class RedisConfig(Frozen):
    # None: the desk starts its own Redis (Unix socket + AOF in the data directory).
    # Otherwise redis://HOST[:PORT][/DB], rediss://... (TLS) or unix:///PATH[?db=DB].
    url: str | None = None
    # Name of the environment variable holding the password; never the password itself.
    password_env: str | None = None
    socket_timeout_s: float = 5.0
    sentinel: SentinelConfig = SentinelConfig()
    # Replicas that must hold an approval before the trader is told it is acknowledged
    # (WAIT); 0 is the single-server default: no wait.
    replicas_to_ack: int = Field(default=0, ge=0, le=10)
    # How long an approval waits for those replicas before "not acknowledged".
    ack_timeout_ms: int = Field(default=1000, ge=1, le=60_000)

    @field_validator("url")
    @classmethod
    def _well_formed(cls, url: str | None) -> str | None:
        problem = None if url is None else redis_url_problem(url)
        if problem:
            raise ValueError(f"a Redis URL ({REDIS_URL_FORMS}): {problem}")
        return url

    @model_validator(mode="after")
    def _one_way_in(self) -> RedisConfig:
        if self.sentinel.enabled and self.url is not None:
            raise ValueError("redis.url and redis.sentinel.enabled exclude each other: "
                             "with Sentinel the sentinels name the primary")
        return self


class LoggingConfig(Frozen):
    level: Literal["TRACE", "DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"
    json_lines: bool = False
    retention_days: int = Field(default=30, ge=1)
    console: bool = True


class ClockConfig(Frozen):
    # wall: real exchange time (production). simulated: a compressed trading day for
    # paper trading and the demo, shared by every service through Redis. stepped: the
    # shared clock moves to the next event once every service has finished the last
    # one (`desk demo --days N`): as fast as the desk keeps up, whatever the load.
    mode: Literal["wall", "simulated", "stepped"] = "wall"
    speed: float = Field(default=60.0, gt=0, le=10_000)
    start: time = time(9, 25)
    # Stepped clock: simulated minutes per step inside the session (bars are minutes).
    step_minutes: int = Field(default=1, ge=1, le=30)
    # Stepped clock: wall seconds to wait for every service to finish one step.
    step_timeout_s: float = Field(default=120.0, gt=0, le=3600)


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

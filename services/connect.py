"""Reaching the desk's Redis: the configured URL, or the desk's own embedded server."""

from __future__ import annotations

from pathlib import Path

import redis
from redis.backoff import ExponentialBackoff
from redis.retry import Retry

from services.redis_server import EmbeddedRedis
from services.settings import DeskSettings
from services.settings_loader import resolve_secret


def embedded_for(settings: DeskSettings) -> EmbeddedRedis | None:
    """The embedded server for these settings, or None when a URL is configured."""
    return None if settings.redis.url else EmbeddedRedis(Path(settings.data_dir))


def redis_url(settings: DeskSettings) -> str:
    server = embedded_for(settings)
    return server.url if server is not None else str(settings.redis.url)


def connect(settings: DeskSettings, url: str | None = None) -> redis.Redis:
    """A client with bounded, backed-off retries (Redis restarts must not kill a service)."""
    password = resolve_secret(settings.redis.password_env)
    return redis.Redis.from_url(
        url or redis_url(settings),
        password=password,
        decode_responses=True,
        socket_timeout=settings.redis.socket_timeout_s,
        retry=Retry(ExponentialBackoff(cap=2.0, base=0.05), 5),
        health_check_interval=30,
    )

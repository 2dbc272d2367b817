"""Reaching the desk's Redis: the configured URL, or the desk's own embedded server.

Each process logs in as its own Redis user (`DESK_REDIS_USER`, set by the supervisor
for each service; the operator's CLI is the admin user `desk`), see docs/bus.md.
"""

from __future__ import annotations

import os
from pathlib import Path

import redis
from redis.backoff import ExponentialBackoff
from redis.retry import Retry

from services import redis_acl
from services.redis_server import DECODE_ERRORS, EmbeddedRedis
from services.settings import DeskSettings
from services.settings_loader import resolve_secret


def embedded_for(settings: DeskSettings) -> EmbeddedRedis | None:
    """The embedded server for these settings, or None when a URL is configured."""
    return None if settings.redis.url else EmbeddedRedis(Path(settings.data_dir), acl=True)


def redis_url(settings: DeskSettings) -> str:
    server = embedded_for(settings)
    return server.url if server is not None else str(settings.redis.url)


def process_user() -> str:
    return os.environ.get(redis_acl.ENV_USER) or redis_acl.ADMIN


def credentials(settings: DeskSettings, user: str) -> tuple[str | None, str | None]:
    """(username, password) of `user`: the embedded server's secrets file, or the
    environment (`password_env` for this process's own user, `<password_env>_<USER>`
    for another one, e.g. the reader)."""
    server = embedded_for(settings)
    if server is not None:
        return user, server.password(user)
    name = settings.redis.password_env
    if name and user != process_user():
        name = f"{name}_{user.upper()}"
    password = resolve_secret(name)
    named = user if os.environ.get(redis_acl.ENV_USER) or user != process_user() else None
    return named, password


def connect(settings: DeskSettings, url: str | None = None,
            user: str | None = None) -> redis.Redis:
    """A client with bounded, backed-off retries (Redis restarts must not kill a service)."""
    username, password = credentials(settings, user or process_user())
    return redis.Redis.from_url(
        url or redis_url(settings),
        username=username,
        password=password,
        decode_responses=True,
        encoding_errors=DECODE_ERRORS,
        socket_timeout=settings.redis.socket_timeout_s,
        retry=Retry(ExponentialBackoff(cap=2.0, base=0.05), 5),
        health_check_interval=30,
    )

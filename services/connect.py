"""Reaching the desk's Redis: the configured URL, the primary Sentinel names, or the
desk's own embedded server.

Each process logs in as its own Redis user (`DESK_REDIS_USER`, set by the supervisor
for each service; the operator's CLI is the admin user `desk`), see docs/bus.md.
With Sentinel every connection asks the sentinels for the primary when it (re)connects,
so a service follows a failover: its commands fail over a few backed-off retries.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import redis
from redis.backoff import ExponentialBackoff
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import ReadOnlyError
from redis.exceptions import TimeoutError as RedisTimeoutError
from redis.retry import Retry
from redis.sentinel import Sentinel

from bus.packing import CommandPacker
from services import redis_acl
from services.config import sentinel_address
from services.redis_server import DECODE_ERRORS, EmbeddedRedis
from services.settings import DeskSettings
from services.settings_loader import resolve_secret


def embedded_for(settings: DeskSettings) -> EmbeddedRedis | None:
    """The embedded server for these settings, or None when a URL is configured."""
    if settings.redis.url or settings.redis.sentinel.enabled:
        return None
    return EmbeddedRedis(Path(settings.data_dir), acl=True)


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


# A failover (down-after + election + promotion) takes seconds: 10 retries backed off
# to 2 s ride over ~15 s; a read-only reply (a demoted primary) counts as a lost line.
RETRIES = 5
FAILOVER_RETRIES = 10
RETRY_ON = (RedisConnectionError, RedisTimeoutError, ReadOnlyError)


def retry_policy(retries: int) -> Retry:
    return Retry(ExponentialBackoff(cap=2.0, base=0.05), retries, supported_errors=RETRY_ON)


def connect(settings: DeskSettings, url: str | None = None,
            user: str | None = None) -> redis.Redis:
    """A client with bounded, backed-off retries (Redis restarts must not kill a service)."""
    username, password = credentials(settings, user or process_user())
    options: dict[str, Any] = {
        "username": username, "password": password, "decode_responses": True,
        "encoding_errors": DECODE_ERRORS, "socket_timeout": settings.redis.socket_timeout_s,
        "health_check_interval": 30,
        "command_packer": CommandPacker(DECODE_ERRORS)}  # arguments converted in C
    if settings.redis.sentinel.enabled and url is None:
        return sentinel_client(settings, options)
    return redis.Redis.from_url(url or redis_url(settings), retry=retry_policy(RETRIES),
                                **options)


def sentinel_client(settings: DeskSettings, options: dict[str, Any]) -> redis.Redis:
    """The primary of `redis.sentinel.master_name`, found again at every reconnect."""
    cfg = settings.redis.sentinel
    sentinel_password = resolve_secret(cfg.password_env) if cfg.password_env else None
    sentinel = Sentinel(
        [sentinel_address(host) for host in cfg.hosts],
        sentinel_kwargs={"password": sentinel_password,
                         "socket_timeout": settings.redis.socket_timeout_s},
    )
    client: redis.Redis = sentinel.master_for(
        cfg.master_name, retry=retry_policy(FAILOVER_RETRIES), **options)
    return client

"""A primary, a replica and three sentinels (services/redis_ha.py) and desk settings on them."""

from __future__ import annotations

import os
import signal
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from services import redis_acl
from services.redis_ha import RedisHA
from services.settings import DeskSettings

PASSWORD_ENV = "DESK_TEST_HA_PASSWORD"


def ha_settings(ha: RedisHA, data_dir: Path, replicas_to_ack: int = 1,
                ack_timeout_ms: int = 2000) -> DeskSettings:
    return DeskSettings.model_validate({
        "mode": "paper", "data_dir": str(data_dir),
        "redis": {"password_env": PASSWORD_ENV, "replicas_to_ack": replicas_to_ack,
                  "ack_timeout_ms": ack_timeout_ms, "socket_timeout_s": 2.0,
                  "sentinel": {"enabled": True, "hosts": list(ha.sentinel_hosts),
                               "master_name": ha.master}}})


def log_in_as(monkeypatch: pytest.MonkeyPatch, ha: RedisHA, user: str) -> None:
    """This process is Redis user `user` with its password, as the supervisor sets it."""
    monkeypatch.setenv(redis_acl.ENV_USER, user)
    monkeypatch.setenv(PASSWORD_ENV, ha.passwords[user])


@contextmanager
def frozen(pid: int) -> Iterator[None]:
    """A process stopped (SIGSTOP): alive, silent; resumed whatever happens."""
    os.kill(pid, signal.SIGSTOP)
    try:
        yield
    finally:
        os.kill(pid, signal.SIGCONT)


@contextmanager
def running_ha(root: Path) -> Iterator[RedisHA]:
    ha = RedisHA(root)
    try:
        ha.start()
        yield ha
    finally:
        ha.stop()

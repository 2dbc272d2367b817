"""A console app on the session's Redis, with four users, for each test."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import redis
from fastapi import FastAPI
from fastapi.testclient import TestClient

from marketdata.clock import FixedClock
from services.cli.context import DeskContext
from services.redis_server import EmbeddedRedis
from tests.unit.console.console_kit import add_users, build_app


@pytest.fixture
def app(redis_client: redis.Redis, clock: FixedClock, tmp_path: Path) -> FastAPI:
    add_users(redis_client, clock)
    return build_app(redis_client, clock, tmp_path)


@pytest.fixture
def web(app: FastAPI) -> Iterator[TestClient]:
    with TestClient(app, base_url="http://127.0.0.1:8765") as client:
        yield client


@pytest.fixture
def desk(tmp_path: Path, redis_server: EmbeddedRedis, redis_client: redis.Redis,
         clock: FixedClock, monkeypatch: pytest.MonkeyPatch) -> DeskContext:
    """The CLI's context on the session's Redis (paper settings), with the four users."""
    config = tmp_path / "desk.yaml"
    config.write_text("mode: paper\n", encoding="utf-8")
    monkeypatch.setenv("DESK_REDIS_URL", redis_server.url)
    add_users(redis_client, clock)
    return DeskContext(str(config), str(tmp_path))

"""Shared fixtures: a real Redis server process for the session, flushed per test."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import pytest
import redis

from bus.packing import packed_client
from marketdata.clock import EXCHANGE_TZ, FixedClock
from services.redis_server import EmbeddedRedis


@pytest.fixture(scope="session")
def redis_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[EmbeddedRedis]:
    server = EmbeddedRedis(tmp_path_factory.mktemp("redis"))
    server.start()
    yield server
    server.stop()


@pytest.fixture
def redis_client(redis_server: EmbeddedRedis) -> Iterator[redis.Redis]:
    # Packed as the services pack (`services.connect`): every integration test sends
    # through it.
    client = packed_client(redis_server.url, decode_responses=True)
    client.flushall()
    yield client
    client.close()


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(datetime(2026, 11, 23, 9, 0, tzinfo=EXCHANGE_TZ))


@pytest.fixture
def repo_root() -> Path:
    return Path(__file__).resolve().parent.parent

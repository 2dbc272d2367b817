"""A console app on the session's Redis, with four users, for each test."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import redis
from fastapi import FastAPI
from fastapi.testclient import TestClient

from marketdata.clock import FixedClock
from tests.unit.console.console_kit import add_users, build_app


@pytest.fixture
def app(redis_client: redis.Redis, clock: FixedClock, tmp_path: Path) -> FastAPI:
    add_users(redis_client, clock)
    return build_app(redis_client, clock, tmp_path)


@pytest.fixture
def web(app: FastAPI) -> Iterator[TestClient]:
    with TestClient(app, base_url="http://127.0.0.1:8765") as client:
        yield client

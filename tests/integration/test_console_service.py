"""The console as a desk service: loopback HTTP, first-start admin, policies in step."""

from __future__ import annotations

import socket
from datetime import datetime
from pathlib import Path

import httpx
import pytest
import redis

from execution.approval.policy_config import ApprovalConfig
from marketdata.clock import EXCHANGE_TZ, FixedClock
from orders.order import OrderState
from services.console.config import ConsoleConfig
from services.console_service import ConsoleService
from services.runtime import ServiceContext
from services.settings import DeskSettings
from tests.unit.queue.queue_kit import make_order, set_batch


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_service_serves_on_loopback_and_runs_policies(
        redis_client: redis.Redis, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    port = _free_port()
    settings = DeskSettings(mode="paper", data_dir=tmp_path,
                            console=ConsoleConfig(port=port, policy_interval_s=0.1),
                            approval=ApprovalConfig(expire_at="15:00"))
    clock = FixedClock(datetime(2026, 11, 23, 15, 1, tzinfo=EXCHANGE_TZ))
    ctx = ServiceContext(settings=settings, client=redis_client, clock=clock, data_dir=tmp_path)
    set_batch(redis_client)
    ctx.queue.ingest(make_order("B1-1"), actor="model")
    service = ConsoleService(ctx)
    service.setup()
    try:
        printed = capsys.readouterr().out
        assert "created user 'admin' with password" in printed
        password = printed.split("with password ")[1].split()[0]
        with httpx.Client(base_url=f"http://127.0.0.1:{port}") as web:
            form = web.get("/login")
            assert form.status_code == 200
            response = web.post("/login", data={"username": "admin", "password": password,
                                                 "csrf": web.cookies["desk_login_csrf"]})
            assert response.status_code == 303
        service.step()
        assert ctx.queue.require("B1-1").state is OrderState.EXPIRED
    finally:
        service.teardown()
    assert not service.thread.is_alive()
    service.teardown()  # safe twice

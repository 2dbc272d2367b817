"""Building a real console app on a real Redis for tests, and logging in to it."""

from __future__ import annotations

import re
from pathlib import Path

import redis
from argon2 import PasswordHasher
from fastapi import FastAPI
from fastapi.testclient import TestClient

from exchange import Side
from execution.approval.policy_config import ApprovalConfig
from execution.approval.queue import OrderQueue
from marketdata.calendar import TradingCalendar
from marketdata.clock import FixedClock
from risk.config import RiskConfig
from services.console.app import create_app
from services.console.config import ConsoleConfig
from services.console.users import Role, UserStore
from tests.unit.queue.queue_kit import make_order, set_batch

PASSWORD = "correct horse battery staple"
NAMES = ("浦发银行", "平安银行", "万科Ａ", "中天科技", "贵州茅台", "比亚迪")
CSRF_IN_PAGE = re.compile(r'name="csrf" value="([^"]+)"')


def build_app(client: redis.Redis, clock: FixedClock, data_dir: Path,
              approval: ApprovalConfig | None = None,
              console: ConsoleConfig | None = None,
              calendar: TradingCalendar | None = None) -> FastAPI:
    policy = approval or ApprovalConfig()
    queue = OrderQueue(client, clock, policy)
    return create_app(client, queue, clock, console=console or ConsoleConfig(),
                      approval=policy, risk=RiskConfig(), account="paper", data_dir=data_dir,
                      calendar=calendar)


# Cheap argon2 parameters keep the tests fast; the console verifies any stored cost.
CHEAP_HASHER = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)


def add_users(client: redis.Redis, clock: FixedClock) -> None:
    store = UserStore(client, hasher=CHEAP_HASHER)
    for name, role in (("alice", Role.TRADER), ("bob", Role.TRADER), ("vera", Role.VIEWER),
                       ("root", Role.ADMIN)):
        store.add(name, role, PASSWORD, by="test", at=clock.now())


def seed_batch(queue: OrderQueue, count: int, prefix: str = "B1") -> list[str]:
    set_batch(queue.client)
    ids = []
    for i in range(count):
        code = 600000 + i if i % 2 == 0 else 1 + i
        symbol = f"{code:06d}.SSE" if i % 2 == 0 else f"{code:06d}.SZSE"
        order = make_order(f"{prefix}-{i:04d}", symbol=symbol, name=NAMES[i % len(NAMES)],
                           side=Side.BUY if i % 3 else Side.SELL, quantity=100 * (1 + i % 30),
                           reason=f"reversal rank {i + 1}")
        queue.ingest(order, actor="model")
        ids.append(order.order_id)
    return ids


def login(client: TestClient, name: str, password: str = PASSWORD) -> str:
    """Log in through the form; returns the session's CSRF token."""
    client.get("/login")
    response = client.post("/login", data={"username": name, "password": password,
                                           "csrf": client.cookies.get("desk_login_csrf", "")},
                           follow_redirects=False)
    assert response.status_code == 303, response.text
    return csrf_of(client)


def csrf_of(client: TestClient) -> str:
    match = CSRF_IN_PAGE.search(client.get("/halt").text)
    assert match is not None
    return match.group(1)

"""The Prometheus collector reads the desk's health from a real Redis."""

from __future__ import annotations

import json
import time
from datetime import date
from decimal import Decimal

import redis
from prometheus_client import CollectorRegistry, generate_latest

from bus import streams
from exchange import Side
from execution.approval.queue import OrderQueue
from marketdata.clock import FixedClock
from orders.order import Order
from services.metrics import DeskCollector
from services.redis_server import EmbeddedRedis


def test_metrics_show_services_streams_orders_and_halt(redis_client: redis.Redis,
                                                       clock: FixedClock) -> None:
    redis_client.set(streams.HEARTBEAT.format(service="execution"),
                     json.dumps({"wall": time.time() - 3}))
    queue = OrderQueue(redis_client, clock)
    queue.ingest(Order(order_id="B1-0001", trade_date=date(2026, 11, 23), symbol="600000.SSE",
                       side=Side.BUY, quantity=100, reference_price=Decimal("10")), actor="model")
    redis_client.set(streams.CURRENT_BATCH, "2026-11-23")
    queue.halt(actor="alice", reason="test")
    registry = CollectorRegistry()
    registry.register(DeskCollector(redis_client, "paper"))
    text = generate_latest(registry).decode()
    assert 'desk_service_up{service="execution"} 1.0' in text
    assert 'desk_service_up{service="risk"} 0.0' in text
    assert 'desk_orders{state="pending_approval"} 1.0' in text
    assert "desk_halted 1.0" in text
    assert 'desk_stream_length{stream="desk:controls"} 1.0' in text


def test_metrics_per_account(redis_client: redis.Redis, clock: FixedClock) -> None:
    """Each account's NAV under its own label, from its own newest snapshot; each
    account's services watched."""
    from bus.bus import publish
    from bus.messages import NavSnapshot

    for account, nav in (("alpha", "100"), ("beta", "40"), ("alpha", "101"), ("ghost", "9")):
        snap = NavSnapshot(account=account, nav=Decimal(nav), hwm=Decimal(nav),
                           drawdown=0.0, stock_value=Decimal(0), cash=Decimal(nav),
                           futures_pnl=Decimal(0), hedge_ratio=0.0, at=clock.now())
        publish(redis_client, streams.NAV, "nav", snap, source="risk", ts=clock.now())
    redis_client.set(streams.HEARTBEAT.format(service="execution@beta"),
                     json.dumps({"wall": time.time()}))
    registry = CollectorRegistry()
    registry.register(DeskCollector(redis_client, ("alpha", "beta"),
                                    ["execution", "execution@beta", "risk", "risk@beta"]))
    text = generate_latest(registry).decode()
    assert 'desk_nav_cny{account="alpha"} 101.0' in text
    assert 'desk_nav_cny{account="beta"} 40.0' in text
    assert "ghost" not in text
    assert 'desk_service_up{service="execution@beta"} 1.0' in text
    assert 'desk_service_up{service="risk@beta"} 0.0' in text


def test_a_forged_nav_entry_does_not_break_the_scrape(redis_server: EmbeddedRedis,
                                                      clock: FixedClock) -> None:
    """A non-JSON body and a non-UTF-8 entry on `desk:nav` are skipped (the desk's own
    client decodes with escapes, as every service's does)."""
    from bus.bus import publish
    from bus.messages import NavSnapshot

    client = redis_server.client()
    client.flushall()
    snap = NavSnapshot(account="paper", nav=Decimal("100"), hwm=Decimal("100"), drawdown=0.0,
                       stock_value=Decimal(0), cash=Decimal("100"), futures_pnl=Decimal(0),
                       hedge_ratio=0.0, at=clock.now())
    publish(client, streams.NAV, "nav", snap, source="risk", ts=clock.now())
    raw = redis_server.client(decode_responses=False)
    raw.xadd(streams.NAV, {b"type": b"nav", b"v": b"1", b"body": b"{not json"})
    raw.xadd(streams.NAV, {b"\xc3(": b"\xff" * 10})
    registry = CollectorRegistry()
    registry.register(DeskCollector(client, "paper"))
    text = generate_latest(registry).decode()
    assert 'desk_nav_cny{account="paper"} 100.0' in text

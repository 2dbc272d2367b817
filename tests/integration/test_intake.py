"""Batches and proposals from the bus into the approval queue."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import redis

from bus import streams
from bus.bus import publish
from bus.messages import BatchPublished, OrderProposed
from exchange import Side
from execution.approval.intake import intake_consumers
from execution.approval.lifecycle import Action
from execution.approval.queue import OrderQueue
from marketdata.clock import FixedClock
from orders.order import Offset, Order, OrderKind, OrderState

DAY = date(2026, 11, 23)


def _batch(batch_id: str, n: int = 3) -> BatchPublished:
    orders = [
        Order(
            order_id=f"{batch_id}-{i:04d}",
            batch_id=batch_id,
            trade_date=DAY,
            symbol=f"60000{i}.SSE",
            side=Side.BUY,
            quantity=100 * i,
            reference_price=Decimal("9.99"),
            created_by="model",
        )
        for i in range(1, n + 1)
    ]
    return BatchPublished(
        batch_id=batch_id, trade_date=DAY, signal_date=date(2026, 11, 20), orders=orders
    )


def _drain(client: redis.Redis, queue: OrderQueue) -> None:
    for consumer in intake_consumers(client, queue, "test"):
        consumer.poll(block=False)


def test_batch_lands_pending_and_twice_is_harmless(
    redis_client: redis.Redis, clock: FixedClock
) -> None:
    queue = OrderQueue(redis_client, clock)
    for _ in range(2):
        publish(
            redis_client,
            streams.BATCHES,
            "batch.published",
            _batch("B1"),
            source="t",
            ts=clock.now(),
        )
    _drain(redis_client, queue)
    records = queue.list_orders(DAY)
    assert len(records) == 3
    assert {r.state for r in records} == {OrderState.PENDING_APPROVAL}
    assert queue.current_trade_date() == DAY


def test_new_batch_replaces_pending_one(redis_client: redis.Redis, clock: FixedClock) -> None:
    queue = OrderQueue(redis_client, clock)
    publish(
        redis_client, streams.BATCHES, "batch.published", _batch("B1"), source="t", ts=clock.now()
    )
    _drain(redis_client, queue)
    publish(
        redis_client,
        streams.BATCHES,
        "batch.published",
        _batch("B2", 2),
        source="t",
        ts=clock.now(),
    )
    _drain(redis_client, queue)
    states = {r.order_id: r.state for r in queue.list_orders(DAY)}
    assert [states[f"B1-000{i}"] for i in (1, 2, 3)] == [OrderState.EXPIRED] * 3
    assert states["B2-0001"] is OrderState.PENDING_APPROVAL


def test_batch_with_approvals_is_not_replaced(redis_client: redis.Redis, clock: FixedClock) -> None:
    queue = OrderQueue(redis_client, clock)
    publish(
        redis_client, streams.BATCHES, "batch.published", _batch("B1"), source="t", ts=clock.now()
    )
    _drain(redis_client, queue)
    queue.apply("B1-0001", Action.APPROVE, actor="alice")
    assert "already has approved order B1-0001" in (queue.batch_locked(DAY) or "")
    publish(
        redis_client, streams.BATCHES, "batch.published", _batch("B2"), source="t", ts=clock.now()
    )
    _drain(redis_client, queue)
    assert all(not r.order_id.startswith("B2") for r in queue.list_orders(DAY))
    alerts = [f["body"] for _i, f in redis_client.xrange(streams.ALERTS)]
    assert any("B2" in a and "not taken" in a for a in alerts)


def test_urgent_hedge_proposal_enters_the_queue_and_alerts(
    redis_client: redis.Redis, clock: FixedClock
) -> None:
    queue = OrderQueue(redis_client, clock)
    hedge = Order(
        order_id="H-20261123-1",
        trade_date=DAY,
        symbol="IM2612.CFFEX",
        side=Side.SELL,
        quantity=12,
        reference_price=Decimal("6123.4"),
        kind=OrderKind.HEDGE,
        offset=Offset.OPEN,  # a hedge opens or closes (issue 11)
        urgent=True,
        reason="drawdown 21% >= rung 20%",
        created_by="risk",
    )
    publish(
        redis_client,
        streams.PROPOSALS,
        "order.proposed",
        OrderProposed(order=hedge, author="risk"),
        source="risk",
        ts=clock.now(),
    )
    _drain(redis_client, queue)
    record = queue.require("H-20261123-1")
    assert record.state is OrderState.PENDING_APPROVAL and record.order.urgent
    assert redis_client.xlen(streams.ALERTS) == 1

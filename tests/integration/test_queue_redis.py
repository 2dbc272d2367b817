"""The approval queue on a real Redis: approval is the only way to the execution service."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
import redis

from bus import streams
from exchange import Side
from execution.approval.lifecycle import Action, Fill, IllegalTransition
from execution.approval.policy_config import ApprovalConfig
from execution.approval.queue import OrderQueue
from marketdata.clock import FixedClock
from orders.order import Order, OrderState
from tests.unit.queue.queue_kit import released


def _order(order_id: str = "B1-0001", qty: int = 1000, price: str = "10.00") -> Order:
    return Order(
        order_id=order_id,
        batch_id="B1",
        trade_date=date(2026, 11, 23),
        symbol="600000.SSE",
        name="浦发银行",
        side=Side.BUY,
        quantity=qty,
        reference_price=Decimal(price),
    )


def test_ingest_is_idempotent_and_pending(redis_client: redis.Redis, clock: FixedClock) -> None:
    queue = OrderQueue(redis_client, clock)
    first = queue.ingest(_order(), actor="model")
    again = queue.ingest(_order(qty=5000), actor="model")
    assert first == again and again.order.quantity == 1000
    assert first.state is OrderState.PENDING_APPROVAL
    assert released(queue) == [] and redis_client.xlen(streams.DECISIONS) == 0


def test_approval_rings_the_execution_bell_atomically_with_audit(
    redis_client: redis.Redis, clock: FixedClock
) -> None:
    queue = OrderQueue(redis_client, clock)
    queue.ingest(_order(), actor="model")
    record = queue.apply("B1-0001", Action.APPROVE, actor="alice")
    assert record.state is OrderState.APPROVED
    assert released(queue) == ["B1-0001"]
    audit = [f["body"] for _i, f in redis_client.xrange(streams.AUDIT)]
    assert len(audit) == 2 and '"actor":"alice"' in audit[1]
    assert redis_client.xlen(streams.DECISIONS) == 1


def test_four_eyes_needs_two_different_approvers(
    redis_client: redis.Redis, clock: FixedClock
) -> None:
    queue = OrderQueue(redis_client, clock, ApprovalConfig(four_eyes_above=Decimal("5000")))
    queue.ingest(_order(), actor="model")
    assert (
        queue.apply("B1-0001", Action.APPROVE, actor="alice").state is OrderState.PENDING_APPROVAL
    )
    with pytest.raises(IllegalTransition, match="already approved"):
        queue.apply("B1-0001", Action.APPROVE, actor="alice")
    assert released(queue) == []  # alice's bell rang; her approval alone works nothing
    assert queue.apply("B1-0001", Action.APPROVE, actor="bob").state is OrderState.APPROVED
    assert released(queue) == ["B1-0001"]


def test_edit_needs_a_new_approval(redis_client: redis.Redis, clock: FixedClock) -> None:
    queue = OrderQueue(redis_client, clock)
    queue.ingest(_order(), actor="model")
    queue.apply("B1-0001", Action.APPROVE, actor="alice")
    edited = queue.apply("B1-0001", Action.EDIT, actor="alice", edit={"quantity": 500})
    assert edited.state is OrderState.PENDING_APPROVAL and edited.order.version == 2
    with pytest.raises(IllegalTransition):
        queue.apply("B1-0001", Action.START, actor="execution")
    queue.apply("B1-0001", Action.APPROVE, actor="bob")  # alice edited: she may not
    assert released(queue) == ["B1-0001"]  # version 1's bell is stale, version 2's works


def test_fills_and_overfill_refused(redis_client: redis.Redis, clock: FixedClock) -> None:
    queue = OrderQueue(redis_client, clock)
    queue.ingest(_order(), actor="model")
    queue.apply("B1-0001", Action.APPROVE, actor="alice")
    queue.apply("B1-0001", Action.START, actor="execution")
    clock.advance(timedelta(minutes=1))
    part = queue.apply(
        "B1-0001", Action.FILL, actor="execution", fill=Fill(quantity=400, value=Decimal("4004.00"))
    )
    assert part.state is OrderState.PARTIALLY_FILLED and part.remaining == 600
    with pytest.raises(IllegalTransition, match="exceeds remaining"):
        queue.apply(
            "B1-0001",
            Action.FILL,
            actor="execution",
            fill=Fill(quantity=700, value=Decimal("7000")),
        )
    done = queue.apply(
        "B1-0001", Action.FILL, actor="execution", fill=Fill(quantity=600, value=Decimal("6000.00"))
    )
    assert done.state is OrderState.FILLED
    assert done.average_price == Decimal("10.0040")


def test_reject_needs_a_reason(redis_client: redis.Redis, clock: FixedClock) -> None:
    queue = OrderQueue(redis_client, clock)
    queue.ingest(_order(), actor="model")
    with pytest.raises(IllegalTransition, match="reason"):
        queue.apply("B1-0001", Action.REJECT, actor="alice")
    assert (
        queue.apply("B1-0001", Action.REJECT, actor="alice", reason="news: CEO arrested").state
        is OrderState.REJECTED
    )


def test_reducing_state_refuses_buys_but_not_sells(redis_client: redis.Redis,
                                                   clock: FixedClock) -> None:
    import json

    queue = OrderQueue(redis_client, clock, account="paper")
    queue.ingest(_order("B1-0001"), actor="model")
    sell = _order("B1-0002").model_copy(update={"side": Side.SELL})
    queue.ingest(sell, actor="model")
    redis_client.set(streams.RISK_STATE.format(account="paper"),
                     json.dumps({"reducing": True, "blocked_symbols": []}))
    with pytest.raises(IllegalTransition, match="reducing"):
        queue.apply("B1-0001", Action.APPROVE, actor="alice")
    assert queue.apply("B1-0002", Action.APPROVE, actor="alice").state is OrderState.APPROVED
    bulk = queue.apply_many(["B1-0001"], Action.APPROVE, actor="alice")
    assert "reducing" in bulk.refused["B1-0001"]
    redis_client.set(streams.RISK_STATE.format(account="paper"),
                     json.dumps({"reducing": False, "blocked_symbols": ["600000.SSE"]}))
    with pytest.raises(IllegalTransition, match="over a portfolio limit"):
        queue.apply("B1-0001", Action.APPROVE, actor="alice")

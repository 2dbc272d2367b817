"""Bulk decisions, price re-confirmation and four eyes after an edit, on a real Redis."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest
import redis

from bus import streams
from execution.approval.lifecycle import Action, IllegalTransition
from execution.approval.policy_config import ApprovalConfig
from execution.approval.queue import NeedsReconfirmation, OrderQueue
from marketdata.clock import FixedClock
from orders.order import OrderState
from tests.unit.queue.queue_kit import make_order, released, set_last


def _queue(client: redis.Redis, clock: FixedClock, **policy: object) -> OrderQueue:
    return OrderQueue(client, clock, ApprovalConfig.model_validate(policy))


def test_bulk_approve_changes_all_and_sends_one_work_each(redis_client: redis.Redis,
                                                          clock: FixedClock) -> None:
    queue = _queue(redis_client, clock)
    for i in range(5):
        queue.ingest(make_order(f"B1-{i}"), actor="model")
    result = queue.apply_many([f"B1-{i}" for i in range(5)], Action.APPROVE, actor="alice")
    assert [r.state for r in result.changed] == [OrderState.APPROVED] * 5
    assert result.refused == {}
    assert released(queue) == [f"B1-{i}" for i in range(5)]
    audit = [json.loads(f["body"]) for _i, f in redis_client.xrange(streams.AUDIT)]
    approvals = [a for a in audit if a["action"] == "approve"]
    assert {a["actor"] for a in approvals} == {"alice"}
    assert all(a["before"]["state"] == "pending_approval" for a in approvals)
    assert all(a["after"]["state"] == "approved" for a in approvals)


def test_bulk_refuses_what_cannot_change_and_keeps_the_rest(redis_client: redis.Redis,
                                                            clock: FixedClock) -> None:
    queue = _queue(redis_client, clock)
    queue.ingest(make_order("B1-1"), actor="model")
    queue.ingest(make_order("B1-2"), actor="model")
    queue.apply("B1-2", Action.REJECT, actor="bob", reason="too illiquid")
    result = queue.apply_many(["B1-1", "B1-2", "nope"], Action.APPROVE, actor="alice")
    assert [r.order_id for r in result.changed] == ["B1-1"]
    assert "rejected: cannot approve" in result.refused["B1-2"]
    assert "no order" in result.refused["nope"]
    assert queue.require("B1-2").state is OrderState.REJECTED


def test_bulk_reject_needs_a_reason(redis_client: redis.Redis, clock: FixedClock) -> None:
    queue = _queue(redis_client, clock)
    queue.ingest(make_order("B1-1"), actor="model")
    result = queue.apply_many(["B1-1"], Action.REJECT, actor="alice", reason=" ")
    assert "needs a reason" in result.refused["B1-1"]
    assert queue.require("B1-1").state is OrderState.PENDING_APPROVAL


def test_moved_price_needs_reconfirmation(redis_client: redis.Redis, clock: FixedClock) -> None:
    queue = _queue(redis_client, clock, reconfirm_price_move="0.05")
    queue.ingest(make_order("B1-1"), actor="model")
    set_last(redis_client, "600000.SSE", "10.60")
    with pytest.raises(NeedsReconfirmation, match=r"moved \+6.00%"):
        queue.apply("B1-1", Action.APPROVE, actor="alice")
    assert "re-confirm" in queue.apply_many(["B1-1"], Action.APPROVE, actor="alice").refused["B1-1"]
    assert released(queue) == [] and redis_client.xlen(streams.DECISIONS) == 0
    record = queue.apply("B1-1", Action.APPROVE, actor="alice", confirmed_move=True)
    assert record.state is OrderState.APPROVED


def test_small_move_needs_no_reconfirmation(redis_client: redis.Redis, clock: FixedClock) -> None:
    queue = _queue(redis_client, clock, reconfirm_price_move="0.05")
    queue.ingest(make_order("B1-1"), actor="model")
    set_last(redis_client, "600000.SSE", "9.55")
    assert queue.apply("B1-1", Action.APPROVE, actor="alice").state is OrderState.APPROVED


def test_edit_recomputes_four_eyes_for_the_new_version(redis_client: redis.Redis,
                                                       clock: FixedClock) -> None:
    queue = _queue(redis_client, clock, four_eyes_above="50000")
    queue.ingest(make_order("B1-1", quantity=1000), actor="model")  # 10,000 CNY: one approver
    queue.apply("B1-1", Action.APPROVE, actor="alice")
    edited = queue.apply("B1-1", Action.EDIT, actor="alice", edit={"quantity": 10000})
    assert edited.state is OrderState.PENDING_APPROVAL and edited.approvals_needed == 2
    assert edited.order.version == 2
    with pytest.raises(IllegalTransition, match="alice edited it and cannot also approve"):
        queue.apply("B1-1", Action.APPROVE, actor="alice")
    assert queue.apply("B1-1", Action.APPROVE, actor="bob").state is OrderState.PENDING_APPROVAL
    with pytest.raises(IllegalTransition, match="already approved version 2"):
        queue.apply("B1-1", Action.APPROVE, actor="bob")
    assert queue.apply("B1-1", Action.APPROVE, actor="carol").state is OrderState.APPROVED
    assert released(queue) == ["B1-1"]


def test_policy_price_move_is_signed_and_thresholded() -> None:
    policy = ApprovalConfig(reconfirm_price_move=Decimal("0.05"))
    assert policy.price_move(Decimal("10.00"), Decimal("9.40")) == Decimal("-0.06")
    assert policy.price_move(Decimal("10.00"), Decimal("10.49")) is None
    assert policy.price_move(Decimal("10.00"), None) is None

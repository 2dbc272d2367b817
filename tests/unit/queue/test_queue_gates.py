"""Maker-checker and the halt, on a real Redis: nobody approves their own order or their
own edit, and nothing is approved, added by hand or started while trading is halted."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest
import redis

from bus import streams
from execution.approval.gates import MakerChecker
from execution.approval.lifecycle import Action, IllegalTransition
from execution.approval.manual import ManualOrderRequest, TradingHalted, add_manual_order
from execution.approval.policy_config import ApprovalConfig
from execution.approval.queue import ChangedSinceShown, OrderQueue
from marketdata.clock import FixedClock
from orders.order import OrderState
from tests.unit.queue.queue_kit import make_order, released, set_batch, set_last


@pytest.fixture
def queue(redis_client: redis.Redis, clock: FixedClock) -> OrderQueue:
    set_batch(redis_client)
    set_last(redis_client, "600000.SSE", "10.00")
    ledger = {"account": "paper", "cash": "1000000", "at": "2026-11-23T09:00:00+08:00",
              "positions": {"600000.SSE": {"quantity": 1000, "sellable": 1000,
                                           "avg_cost": "9.50"}}, "futures": {}}
    redis_client.set(streams.LEDGER.format(account="paper"), json.dumps(ledger))
    return OrderQueue(redis_client, clock)


def _manual(queue: OrderQueue, author: str = "alice") -> str:
    request = ManualOrderRequest.model_validate({
        "symbol": "600000.SSE", "side": "sell", "quantity": 500, "name": "浦发银行",
        "reason": "sell on news"})
    return add_manual_order(queue, request, author=author, account="paper").order_id


def test_the_author_of_a_manual_order_cannot_release_it_alone(queue: OrderQueue) -> None:
    order_id = _manual(queue)  # 5,000 CNY: below any four-eyes threshold, one approval
    with pytest.raises(IllegalTransition, match="alice created it and cannot also approve"):
        queue.apply(order_id, Action.APPROVE, actor="alice")
    refused = queue.apply_many([order_id], Action.APPROVE, actor="alice").refused
    assert "maker-checker" in refused[order_id]
    assert queue.apply(order_id, Action.APPROVE, actor="bob").state is OrderState.APPROVED


def test_the_editor_cannot_approve_their_own_edit(queue: OrderQueue) -> None:
    queue.ingest(make_order("B1-1", quantity=2000), actor="model")
    queue.apply("B1-1", Action.EDIT, actor="bob", edit={"quantity": 1000})
    with pytest.raises(IllegalTransition, match="bob edited it"):
        queue.apply("B1-1", Action.APPROVE, actor="bob")
    assert queue.apply("B1-1", Action.APPROVE, actor="alice").state is OrderState.APPROVED


def test_a_model_order_keeps_the_configured_policy(queue: OrderQueue) -> None:
    queue.ingest(make_order("B1-1"), actor="model")
    assert queue.apply("B1-1", Action.APPROVE, actor="alice").state is OrderState.APPROVED


def test_the_stricter_setting_bars_every_earlier_editor(redis_client: redis.Redis,
                                                        clock: FixedClock) -> None:
    set_batch(redis_client)
    strict = ApprovalConfig(maker_checker=MakerChecker.AUTHOR_AND_EVERY_EDITOR)
    queue = OrderQueue(redis_client, clock, strict)
    queue.ingest(make_order("B1-1", quantity=2000), actor="model")
    queue.apply("B1-1", Action.EDIT, actor="bob", edit={"quantity": 1500})
    queue.apply("B1-1", Action.EDIT, actor="carol", edit={"quantity": 1000})
    with pytest.raises(IllegalTransition, match="bob edited it"):
        queue.apply("B1-1", Action.APPROVE, actor="bob")
    lax = OrderQueue(redis_client, clock)  # the default: only the last editor is barred
    assert lax.apply("B1-1", Action.APPROVE, actor="bob").state is OrderState.APPROVED


def test_no_laxer_setting_exists() -> None:
    with pytest.raises(ValueError, match="maker_checker"):
        ApprovalConfig.model_validate({"maker_checker": "nobody"})


def test_a_halt_refuses_approvals_manual_orders_and_starts(queue: OrderQueue) -> None:
    queue.ingest(make_order("B1-1"), actor="model")
    queue.ingest(make_order("B1-2"), actor="model")
    queue.apply("B1-2", Action.APPROVE, actor="alice")  # approved before the halt
    queue.halt(actor="alice", reason="gateway loop")
    with pytest.raises(IllegalTransition, match=r"trading is halted \(alice: gateway loop\)"):
        queue.apply("B1-1", Action.APPROVE, actor="bob")
    assert "halted" in queue.apply_many(["B1-1"], Action.APPROVE, actor="bob").refused["B1-1"]
    with pytest.raises(IllegalTransition, match="nothing can be started"):
        queue.apply("B1-2", Action.START, actor="execution")
    with pytest.raises(TradingHalted, match="trading is halted"):
        _manual(queue, author="bob")
    assert queue.require("B1-1").state is OrderState.PENDING_APPROVAL
    assert queue.require("B1-2").state is OrderState.APPROVED  # waits; not working
    assert released(queue) == ["B1-2"]  # its bell rang before the halt: the start is refused
    queue.halt(actor="admin", reason="fixed", halted=False)
    assert queue.apply("B1-2", Action.START, actor="execution").state is OrderState.WORKING


def test_a_bulk_approval_names_the_versions_seen(queue: OrderQueue) -> None:
    queue.ingest(make_order("B1-1"), actor="model")
    queue.ingest(make_order("B1-2"), actor="model")
    queue.apply("B1-2", Action.EDIT, actor="carol", edit={"limit_price": Decimal("10.10")})
    with pytest.raises(ChangedSinceShown, match="B1-2: you saw version 1, it is now version 2"):
        queue.apply_many(["B1-1", "B1-2"], Action.APPROVE, actor="alice",
                         seen_versions={"B1-1": 1, "B1-2": 1})
    assert queue.require("B1-1").state is OrderState.PENDING_APPROVAL  # nothing was done
    result = queue.apply_many(["B1-1", "B1-2"], Action.APPROVE, actor="alice",
                              seen_versions={"B1-1": 1, "B1-2": 2})
    assert [r.order_id for r in result.changed] == ["B1-1", "B1-2"]

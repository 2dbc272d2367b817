"""Expiry, auto-approval and urgent-hedge approval, applied by run_policies."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from decimal import Decimal

import redis

from bus import streams
from exchange import Side
from execution.approval.lifecycle import Action
from execution.approval.policies import run_policies
from execution.approval.policy_config import ApprovalConfig
from execution.approval.queue import OrderQueue
from marketdata.clock import EXCHANGE_TZ, FixedClock
from orders.order import OrderState
from tests.unit.queue.queue_kit import (
    TRADE_DATE,
    make_hedge,
    make_order,
    released,
    set_batch,
    set_last,
)


def _setup(client: redis.Redis, clock: FixedClock, **policy: object) -> tuple[OrderQueue,
                                                                            ApprovalConfig]:
    config = ApprovalConfig.model_validate(policy)
    set_batch(client)
    return OrderQueue(client, clock, config), config


def test_nothing_is_automatic_by_default(redis_client: redis.Redis, clock: FixedClock) -> None:
    queue, policy = _setup(redis_client, clock)
    queue.ingest(make_order("B1-1", quantity=100), actor="model")
    queue.ingest(make_hedge(), actor="risk")
    clock.advance(timedelta(hours=2))
    assert run_policies(queue, clock, policy, {}) == []
    assert {r.state for r in queue.list_orders()} == {OrderState.PENDING_APPROVAL}


def test_orders_not_working_expire_at_the_configured_time(redis_client: redis.Redis,
                                                          clock: FixedClock) -> None:
    queue, policy = _setup(redis_client, clock, expire_at="10:00")
    queue.ingest(make_order("B1-1"), actor="model")
    queue.ingest(make_order("B1-2"), actor="model")
    queue.apply("B1-2", Action.APPROVE, actor="alice")
    clock.set(datetime(2026, 11, 23, 9, 59, tzinfo=EXCHANGE_TZ))
    assert run_policies(queue, clock, policy, {}) == []
    clock.set(datetime(2026, 11, 23, 10, 0, tzinfo=EXCHANGE_TZ))
    done = run_policies(queue, clock, policy, {})
    assert len(done) == 2 and all("policy:expiry" in line for line in done)
    assert {r.state for r in queue.list_orders()} == {OrderState.EXPIRED}
    audit = [json.loads(f["body"]) for _i, f in redis_client.xrange(streams.AUDIT)]
    assert audit[-1]["actor"] == "policy:expiry" and "expired" in audit[-1]["reason"]


def test_working_orders_do_not_expire(redis_client: redis.Redis, clock: FixedClock) -> None:
    queue, policy = _setup(redis_client, clock)
    queue.ingest(make_order("B1-1"), actor="model")
    queue.apply("B1-1", Action.APPROVE, actor="alice")
    queue.apply("B1-1", Action.START, actor="execution")
    clock.set(datetime(2026, 11, 23, 15, 30, tzinfo=EXCHANGE_TZ))
    assert run_policies(queue, clock, policy, {}) == []
    assert queue.require("B1-1").state is OrderState.WORKING


def test_leftovers_from_an_earlier_trade_date_expire(redis_client: redis.Redis,
                                                     clock: FixedClock) -> None:
    queue, policy = _setup(redis_client, clock)
    old = make_order("OLD-1", trade_date=TRADE_DATE - timedelta(days=3))
    queue.ingest(old, actor="model")
    assert run_policies(queue, clock, policy, {})  # 09:00 on a later day: past its close
    assert queue.require("OLD-1").state is OrderState.EXPIRED


def test_urgent_hedge_auto_approves_after_n_minutes_and_says_so(redis_client: redis.Redis,
                                                                clock: FixedClock) -> None:
    queue, policy = _setup(redis_client, clock, hedge_auto_approve_minutes=10,
                           four_eyes_above="100000")
    record = queue.ingest(make_hedge(), actor="risk")
    assert record.approvals_needed == 2  # 2 lots x 6000 x 200 = 2.4m
    clock.advance(timedelta(minutes=9))
    assert run_policies(queue, clock, policy, {}) == []
    clock.advance(timedelta(minutes=1))
    done = run_policies(queue, clock, policy, {})
    assert len(done) == 1 and "policy:hedge-auto" in done[0]
    after = queue.require("H-0001")
    assert after.state is OrderState.APPROVED
    assert [a.user for a in after.approvals] == ["policy:hedge-auto"]
    assert released(queue) == ["H-0001"]
    audit = json.loads(redis_client.xrange(streams.AUDIT)[-1][1]["body"])
    assert "auto-approved after 10 min without a decision" in audit["reason"]


def test_small_model_orders_auto_approve_but_never_manual_ones(redis_client: redis.Redis,
                                                               clock: FixedClock) -> None:
    queue, policy = _setup(redis_client, clock, auto_approve_below_value="20000")
    queue.ingest(make_order("B1-small", quantity=1000), actor="model")  # 10,000
    queue.ingest(make_order("B1-big", quantity=5000), actor="model")  # 50,000
    queue.ingest(make_order("M-1", quantity=100, created_by="alice"), actor="alice")
    done = run_policies(queue, clock, policy, {})
    assert len(done) == 1 and "B1-small" in done[0]
    states = {r.order_id: r.state for r in queue.list_orders()}
    assert states == {"B1-small": OrderState.APPROVED, "B1-big": OrderState.PENDING_APPROVAL,
                      "M-1": OrderState.PENDING_APPROVAL}


def test_auto_approval_leaves_moved_prices_to_a_person(redis_client: redis.Redis,
                                                       clock: FixedClock) -> None:
    queue, policy = _setup(redis_client, clock, auto_approve_below_value="20000")
    queue.ingest(make_order("B1-1"), actor="model")
    set_last(redis_client, "600000.SSE", "11.00")
    assert run_policies(queue, clock, policy) == []  # prices read from Redis
    assert queue.require("B1-1").state is OrderState.PENDING_APPROVAL


def test_st_sells_auto_approve_when_configured(redis_client: redis.Redis,
                                               clock: FixedClock) -> None:
    queue, policy = _setup(redis_client, clock, auto_approve_st_sells=True)
    queue.ingest(make_order("S-1", side=Side.SELL, name="*ST中天", symbol="000540.SZSE"),
                 actor="model")
    queue.ingest(make_order("S-2", side=Side.SELL, symbol="600001.SSE"), actor="model")
    queue.ingest(make_order("S-3", side=Side.SELL, symbol="600002.SSE"), actor="model")
    queue.ingest(make_order("B-1", name="ST康美", symbol="600518.SSE"), actor="model")
    done = run_policies(queue, clock, policy, {}, st_symbols={"600002.SSE"})
    approved = {r.order_id for r in queue.list_orders() if r.state is OrderState.APPROVED}
    assert approved == {"S-1", "S-3"} and len(done) == 2


def test_four_eyes_orders_are_not_auto_approved(redis_client: redis.Redis,
                                                clock: FixedClock) -> None:
    queue, policy = _setup(redis_client, clock, auto_approve_below_value="20000",
                           four_eyes_above="5000")
    queue.ingest(make_order("B1-1"), actor="model")
    assert run_policies(queue, clock, policy, {"600000.SSE": Decimal("10.00")}) == []

"""The intake and the queue with several accounts: every order names a desk account, and
each account's four-eyes threshold and risk stance are its own (docs/accounts.md)."""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal

import pytest
import redis

from bus import streams
from bus.bus import publish
from bus.messages import BatchPublished, OrderProposed
from exchange import Side
from execution.approval.intake import intake_consumers
from execution.approval.lifecycle import Action, IllegalTransition
from marketdata.clock import FixedClock
from orders.order import Order, OrderState
from services.accounts import desk_queue
from services.settings import DeskSettings

DAY = date(2026, 11, 23)
SETTINGS = DeskSettings.model_validate({
    "mode": "paper", "approval": {"four_eyes_above": "5000000"},
    "accounts": [{"name": "alpha"}, {"name": "beta", "four_eyes_above": "100000"}]})


def _order(number: int, account: str, quantity: int = 1000) -> Order:
    return Order(order_id=f"B1-{account or 'none'}-{number:04d}", batch_id="B1", trade_date=DAY,
                 symbol=f"60000{number}.SSE", side=Side.BUY, quantity=quantity,
                 reference_price=Decimal("99.99"), created_by="model", account=account)


def _publish_batch(client: redis.Redis, clock: FixedClock, orders: list[Order]) -> None:
    batch = BatchPublished(batch_id="B1", trade_date=DAY, signal_date=date(2026, 11, 20),
                           orders=orders)
    publish(client, streams.BATCHES, "batch.published", batch, source="t", ts=clock.now())


def _drain(client: redis.Redis, clock: FixedClock) -> None:
    for consumer in intake_consumers(client, desk_queue(client, clock, SETTINGS), "test"):
        consumer.poll(block=False)


def _dead_letters(client: redis.Redis) -> list[str]:
    return [fields["reason"] for _id, fields in client.xrange(streams.DEAD_LETTER)]


def test_a_batch_naming_an_unknown_account_is_refused_whole(
        redis_client: redis.Redis, clock: FixedClock) -> None:
    _publish_batch(redis_client, clock, [_order(1, "alpha"), _order(2, "ghost")])
    _drain(redis_client, clock)
    assert desk_queue(redis_client, clock, SETTINGS).list_orders(DAY) == []
    reasons = _dead_letters(redis_client)
    assert len(reasons) == 1 and "unknown account(s) ['ghost']" in reasons[0], reasons


def test_a_forged_proposal_for_an_unknown_account_is_refused(
        redis_client: redis.Redis, clock: FixedClock) -> None:
    proposal = OrderProposed(order=_order(1, "ghost"), author="someone")
    publish(redis_client, streams.PROPOSALS, "order.proposed", proposal, source="t",
            ts=clock.now())
    _drain(redis_client, clock)
    assert redis_client.get(streams.ORDER.format(order_id="B1-ghost-0001")) is None
    assert any("unknown account" in r for r in _dead_letters(redis_client))


@pytest.mark.parametrize("account", ["../alpha", "a" * 25, "alpha beta", "α"])
def test_an_impossible_account_name_fails_validation(account: str) -> None:
    with pytest.raises(ValueError, match="account"):
        _order(1, account)


def test_four_eyes_and_the_risk_stance_are_each_accounts_own(
        redis_client: redis.Redis, clock: FixedClock) -> None:
    orders = [_order(1, "alpha", 10_000), _order(2, "beta", 10_000),
              _order(3, "", 10_000)]  # about 1 M CNY each
    _publish_batch(redis_client, clock, orders)
    _drain(redis_client, clock)
    queue = desk_queue(redis_client, clock, SETTINGS)
    needed = {r.order.account: r.approvals_needed for r in queue.list_orders(DAY)}
    assert needed == {"alpha": 1, "beta": 2, "": 1}  # "" is the first account's
    # beta's risk daemon is reducing: beta's buys wait, alpha's go through.
    redis_client.set(streams.RISK_STATE.format(account="beta"),
                     json.dumps({"reducing": True, "blocked_symbols": []}))
    alpha = queue.apply(orders[0].order_id, Action.APPROVE, actor="trader")
    assert alpha.state is OrderState.APPROVED
    with pytest.raises(IllegalTransition, match="reducing"):
        queue.apply(orders[1].order_id, Action.APPROVE, actor="trader")
    bulk = queue.apply_many([orders[1].order_id, orders[2].order_id], Action.APPROVE,
                            actor="trader")
    assert set(bulk.refused) == {orders[1].order_id}  # the default account's goes through

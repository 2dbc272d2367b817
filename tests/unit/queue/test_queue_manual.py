"""Manual orders: same pre-trade checks, author kept, approval still needed."""

from __future__ import annotations

import json
from datetime import date, datetime
from decimal import Decimal

import pytest
import redis

from bus import streams
from exchange import Side
from execution.approval.lifecycle import Action
from execution.approval.manual import ManualOrderRefused, ManualOrderRequest, add_manual_order
from execution.approval.queue import OrderQueue
from marketdata.clock import EXCHANGE_TZ, FixedClock
from orders.order import OrderState
from tests.unit.queue.queue_kit import TRADE_DATE, released, set_batch, set_last


def _ledger(client: redis.Redis, symbol: str, quantity: int, sellable: int) -> None:
    body = {"account": "paper", "cash": "1000000", "at": "2026-11-23T09:00:00+08:00",
            "positions": {symbol: {"quantity": quantity, "sellable": sellable,
                                   "avg_cost": "9.50"}}, "futures": {}}
    client.set(streams.LEDGER.format(account="paper"), json.dumps(body))


def _request(**changes: object) -> ManualOrderRequest:
    data: dict[str, object] = {"symbol": "600000.SSE", "side": "sell", "quantity": 500,
                               "reason": "sell on news: fraud probe", "name": "浦发银行"}
    data.update(changes)
    return ManualOrderRequest.model_validate(data)


@pytest.fixture
def queue(redis_client: redis.Redis, clock: FixedClock) -> OrderQueue:
    set_batch(redis_client)
    set_last(redis_client, "600000.SSE", "10.00")
    _ledger(redis_client, "600000.SSE", 1000, 800)
    return OrderQueue(redis_client, clock)


def test_a_checked_manual_order_waits_for_approval(queue: OrderQueue) -> None:
    record = add_manual_order(queue, _request(), author="alice", account="paper")
    assert record.state is OrderState.PENDING_APPROVAL and record.approvals == ()
    assert record.order.created_by == "alice" and record.order.trade_date == TRADE_DATE
    assert record.order.side is Side.SELL and record.order.reference_price == Decimal("10.00")
    assert released(queue) == []
    assert queue.apply(record.order_id, Action.APPROVE, actor="bob").state is OrderState.APPROVED
    assert released(queue) == [record.order_id]


def test_selling_more_than_is_sellable_is_refused(queue: OrderQueue) -> None:
    with pytest.raises(ManualOrderRefused, match="only 800 sellable") as info:
        add_manual_order(queue, _request(quantity=900), author="alice", account="paper")
    assert info.value.violations[0].rule.value == "holding"
    assert queue.list_orders() == []


def test_buying_an_odd_lot_is_refused(queue: OrderQueue) -> None:
    with pytest.raises(ManualOrderRefused, match="whole lots of 100"):
        add_manual_order(queue, _request(side="buy", quantity=150), author="alice",
                         account="paper")


def test_a_limit_above_limit_up_is_refused(queue: OrderQueue) -> None:
    with pytest.raises(ManualOrderRefused, match=r"above limit-up 11\.00"):
        add_manual_order(queue, _request(side="buy", quantity=100, limit_price="11.50"),
                         author="alice", account="paper", prev_close=Decimal("10.00"))


def test_no_price_at_all_is_refused(queue: OrderQueue) -> None:
    queue.client.delete(streams.LAST_PRICES)
    with pytest.raises(ManualOrderRefused, match="give a limit price"):
        add_manual_order(queue, _request(), author="alice", account="paper")


def test_request_validation_names_the_field() -> None:
    with pytest.raises(ValueError, match="start_time"):
        _request(start_time="14:00", end_time="10:00")
    with pytest.raises(ValueError, match="reason"):
        _request(reason="")


@pytest.mark.parametrize(("now", "want"), [
    (datetime(2026, 12, 5, 4, 10), date(2026, 12, 7)),   # Saturday: the Monday after
    (datetime(2026, 12, 6, 23, 0), date(2026, 12, 7)),   # Sunday night
    (datetime(2027, 1, 2, 10, 0), date(2027, 1, 4)),     # a weekend across the year end
    (datetime(2026, 12, 4, 10, 0), date(2026, 12, 4)),   # a weekday: today
])
def test_a_manual_order_entered_at_the_weekend_is_for_the_next_weekday(
        redis_client: redis.Redis, now: datetime, want: date) -> None:
    """Found by CI on a Saturday: the order was dated that day and refused as 'closed'."""
    queue = OrderQueue(redis_client, FixedClock(now.replace(tzinfo=EXCHANGE_TZ)))
    set_last(redis_client, "000001.SZSE", "11.20")
    record = add_manual_order(queue, ManualOrderRequest(
        symbol="000001.SZSE", side=Side.BUY, quantity=300, reason="on news"),
        author="bob", account="paper")
    assert record.order.trade_date == want

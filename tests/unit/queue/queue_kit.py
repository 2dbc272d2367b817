"""Factories shared by the queue and console tests (real objects, no mocks)."""

from __future__ import annotations

import contextlib
from datetime import date
from decimal import Decimal
from typing import Any

import redis

from bus import streams
from bus.messages import Decision, decode
from exchange import Side
from execution.approval.queue import OrderQueue
from execution.approval.work_check import StaleWork, WorkCheck
from orders.order import Offset, Order, OrderKind

TRADE_DATE = date(2026, 11, 23)


def make_order(order_id: str = "B1-0001", **changes: Any) -> Order:
    data: dict[str, Any] = {
        "order_id": order_id, "batch_id": "B1", "trade_date": TRADE_DATE,
        "symbol": "600000.SSE", "name": "浦发银行", "side": Side.BUY, "quantity": 1000,
        "reference_price": Decimal("10.00"), "reason": "reversal rank 12",
        "created_by": "model",
    }
    data.update(changes)
    return Order.model_validate(data)


def make_hedge(order_id: str = "H-0001", **changes: Any) -> Order:
    hedge: dict[str, Any] = {
        "symbol": "IM2612.CFFEX", "name": "中证1000股指2612", "side": Side.SELL, "quantity": 2,
        "reference_price": Decimal("6000.00"), "kind": OrderKind.HEDGE, "offset": Offset.OPEN,
        "urgent": True, "reason": "drawdown 21% crossed rung 1",
        "cost_note": "basis -1.8% ann., margin 2.16m", "created_by": "risk",
    }
    hedge.update(changes)
    return make_order(order_id, **hedge)


def set_batch(client: redis.Redis, day: date = TRADE_DATE) -> None:
    client.set(streams.CURRENT_BATCH, day.isoformat())


def set_last(client: redis.Redis, symbol: str, price: str) -> None:
    client.hset(streams.LAST_PRICES, symbol, price)


def stream_types(client: redis.Redis, stream: str) -> list[str]:
    return [fields["type"] for _id, fields in client.xrange(stream)]


def released(queue: OrderQueue) -> list[str]:
    """Ids the execution service would start: approve decisions whose stored record
    passes its work check, once each, in the order the bells rang."""
    check, out = WorkCheck(queue), []
    for _id, fields in queue.client.xrange(streams.DECISIONS):
        body = decode(fields).body
        assert isinstance(body, Decision)
        if body.action != "approve":
            continue
        with contextlib.suppress(StaleWork):
            out.append(check.verified(body).order_id)
    return list(dict.fromkeys(out))

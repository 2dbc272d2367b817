"""The approval queue's intake: batches and proposals from the bus into the queue.

Runs inside the execution service process (the queue belongs to `execution/`). Each
handler is idempotent: an order id already in the queue is left as it is. With a
guard (`IntakeGuard`, as the execution service runs it) a batch or order for another
day, or outside the day's limit band, is refused and dead-lettered.
"""

from __future__ import annotations

import json

import redis
from loguru import logger

from bus import streams
from bus.alerts import send_alert
from bus.bus import MessageRefused, StreamConsumer
from bus.messages import BatchPublished, Envelope, OrderProposed
from execution.approval.intake_guard import IntakeGuard
from execution.approval.lifecycle import Action
from execution.approval.queue import OrderQueue
from orders.order import Order, OrderState

SOURCE = "intake"


def handle_batch(queue: OrderQueue, env: Envelope, guard: IntakeGuard | None = None) -> None:
    batch = env.body
    assert isinstance(batch, BatchPublished)
    if guard is not None:
        guard.check_batch(batch)
    _check_accounts(queue, batch.orders)
    client = queue.client
    summary_key = streams.BATCH.format(trade_date=batch.trade_date.isoformat())
    previous = _batch_id(client, summary_key)
    if previous not in (None, batch.batch_id):
        why = queue.batch_locked(batch.trade_date)
        if why:
            _alert(queue, "warning", f"batch {batch.batch_id} not taken", why)
            return
        _expire_pending(queue, batch, previous)
    for order in batch.orders:
        queue.ingest(order, actor="model")
    summary = {
        "batch_id": batch.batch_id,
        "trade_date": batch.trade_date.isoformat(),
        "signal_date": batch.signal_date.isoformat(),
        "orders": len(batch.orders),
        "totals": batch.totals,
        "received_at": queue.clock.now().isoformat(),
    }
    pipe = client.pipeline(transaction=True)
    pipe.set(summary_key, json.dumps(summary, default=str))
    pipe.set(streams.CURRENT_BATCH, batch.trade_date.isoformat())
    pipe.execute()
    logger.info("batch {} for {}: {} orders pending approval", batch.batch_id,
                batch.trade_date, len(batch.orders))


def handle_proposal(queue: OrderQueue, env: Envelope, guard: IntakeGuard | None = None) -> None:
    proposal = env.body
    assert isinstance(proposal, OrderProposed)
    if guard is not None:
        guard.check_order(proposal.order)
    _check_accounts(queue, [proposal.order])
    record = queue.ingest(proposal.order, actor=proposal.author)
    if proposal.order.urgent:
        _alert(queue, "critical", f"urgent {proposal.order.kind.value} order {record.order_id}",
               f"{proposal.order.side.value} {proposal.order.quantity} {proposal.order.symbol}: "
               f"{proposal.order.reason} {proposal.order.cost_note}".strip())


def _check_accounts(queue: OrderQueue, orders: list[Order]) -> None:
    """Every order names one of the desk's accounts (or none: the default one); an
    order for an account no execution service works would wait forever."""
    unknown = sorted({o.account for o in orders if queue.account_of(o) not in queue.four_eyes})
    if unknown:
        raise MessageRefused(f"unknown account(s) {unknown}; the desk has "
                             f"{sorted(queue.four_eyes)}")


def _batch_id(client: redis.Redis, key: str) -> str | None:
    raw = client.get(key)
    return json.loads(raw)["batch_id"] if raw else None


def _expire_pending(queue: OrderQueue, batch: BatchPublished, previous: str | None) -> None:
    for record in queue.list_orders(batch.trade_date, states=[OrderState.PENDING_APPROVAL]):
        if record.order.created_by == "model" and record.order.batch_id == previous:
            queue.apply(record.order_id, Action.EXPIRE, actor="model",
                        reason=f"replaced by batch {batch.batch_id}")


def _alert(queue: OrderQueue, severity: str, title: str, detail: str) -> None:
    send_alert(queue.client, source=SOURCE, severity=severity, title=title, detail=detail,
               ts=queue.clock.now())


def intake_consumers(client: redis.Redis, queue: OrderQueue, name: str,
                     guard: IntakeGuard | None = None) -> list[StreamConsumer]:
    return [
        StreamConsumer(client, streams.BATCHES, streams.GROUP_INTAKE, name,
                       {"batch.published": lambda env: handle_batch(queue, env, guard)},
                       block_ms=0),
        StreamConsumer(client, streams.PROPOSALS, streams.GROUP_INTAKE, name,
                       {"order.proposed": lambda env: handle_proposal(queue, env, guard)},
                       block_ms=0),
    ]

"""The queue's WATCH sent with its reads (one round trip) keeps the transaction's
guarantees: a change between the read and EXEC is seen on retry (halt, edit, a second
approver), a refusal leaves no WATCH on a pooled connection, a hostile key's error
reply does not put the socket out of step, a dropped connection is retried, and a
cold queue still reads the price."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
import redis
from redis.backoff import NoBackoff
from redis.connection import AbstractConnection
from redis.retry import Retry

from bus import streams
from execution.approval.lifecycle import Action, IllegalTransition
from execution.approval.queue import NeedsReconfirmation, OrderQueue
from execution.approval.watched import watched_reads
from marketdata.clock import FixedClock
from orders.order import OrderState
from tests.unit.queue.queue_kit import make_order, set_batch, set_last

ORDER_ID = "B1-0001"


class RacedQueue(OrderQueue):
    """Runs `meanwhile` once, after the reads and before MULTI/EXEC: another writer."""

    def __init__(self, client: redis.Redis, clock: FixedClock, meanwhile: Any) -> None:
        super().__init__(client, clock)
        self.meanwhile, self.decisions = meanwhile, 0

    def _decide(self, *args: Any, **kwargs: Any) -> Any:
        self.decisions += 1
        if self.meanwhile is not None:
            run, self.meanwhile = self.meanwhile, None
            run()
        return super()._decide(*args, **kwargs)


def _ingested(client: redis.Redis, clock: FixedClock, meanwhile: Any = None) -> RacedQueue:
    set_batch(client)
    queue = RacedQueue(client, clock, meanwhile)
    queue.ingest(make_order(ORDER_ID), actor="model")
    return queue


def test_a_halt_set_between_the_read_and_exec_refuses_the_approval(
    redis_client: redis.Redis, clock: FixedClock
) -> None:
    other = OrderQueue(redis_client, clock)
    queue = _ingested(redis_client, clock, lambda: other.halt(actor="admin", reason="drill"))
    with pytest.raises(IllegalTransition, match="trading is halted"):
        queue.apply(ORDER_ID, Action.APPROVE, actor="alice")
    assert queue.decisions == 2  # the first EXEC failed on the watched halt, then re-read
    assert queue.require(ORDER_ID).state is OrderState.PENDING_APPROVAL
    assert redis_client.xlen(streams.DECISIONS) == 0


def test_an_approval_that_raced_another_is_applied_on_the_new_record(
    redis_client: redis.Redis, clock: FixedClock
) -> None:
    other = OrderQueue(redis_client, clock)
    queue = _ingested(redis_client, clock,
                      lambda: other.apply(ORDER_ID, Action.REJECT, actor="bob", reason="no"))
    with pytest.raises(IllegalTransition):
        queue.apply(ORDER_ID, Action.APPROVE, actor="alice")
    assert queue.require(ORDER_ID).state is OrderState.REJECTED
    decisions = [f["type"] for _id, f in redis_client.xrange(streams.DECISIONS)]
    assert decisions == ["decision"]  # bob's rejection only


def test_a_refusal_leaves_no_watch_on_the_pooled_connection(
    redis_client: redis.Redis, clock: FixedClock
) -> None:
    pool = redis.ConnectionPool(connection_class=redis_client.connection_pool.connection_class,
                                max_connections=1,
                                **redis_client.connection_pool.connection_kwargs)
    client = redis.Redis(connection_pool=pool)
    queue = _ingested(client, clock)
    queue.halt(actor="admin", reason="drill")
    with pytest.raises(IllegalTransition, match="halted"):
        queue.apply(ORDER_ID, Action.APPROVE, actor="alice")
    redis_client.delete(streams.HALT)  # a watched key changes, from another connection
    # The one connection is reused: a WATCH left on it would fail this transaction.
    with client.pipeline(transaction=True) as pipe:
        pipe.set("probe", "1")
        assert pipe.execute() == [True]


def test_an_error_reply_is_raised_and_the_socket_stays_in_step(
    redis_client: redis.Redis, clock: FixedClock
) -> None:
    redis_client.set("a-string", "x")
    with redis_client.pipeline(transaction=True) as pipe, \
            pytest.raises(redis.ResponseError, match="WRONGTYPE"):
        watched_reads(pipe, ["a-string"], [("HMGET", "a-string", "f"), ("GET", "a-string")])
    assert redis_client.get("a-string") == "x"
    assert redis_client.ping()


def test_watched_reads_refuses_a_pipeline_in_use(redis_client: redis.Redis) -> None:
    with redis_client.pipeline(transaction=True) as pipe:
        pipe.watch("k")
        with pytest.raises(redis.RedisError, match="fresh pipeline"):
            watched_reads(pipe, ["k"], [("GET", "k")])


def test_a_queue_that_never_saw_the_order_still_checks_the_price(
    redis_client: redis.Redis, clock: FixedClock
) -> None:
    _ingested(redis_client, clock)
    set_last(redis_client, "600000.SSE", "11.50")  # +15% since the batch
    cold = OrderQueue(redis_client, clock)
    with pytest.raises(NeedsReconfirmation, match="moved"):
        cold.apply(ORDER_ID, Action.APPROVE, actor="alice")
    after = cold.apply(ORDER_ID, Action.APPROVE, actor="alice", confirmed_move=True)
    assert after.state is OrderState.APPROVED
    assert after.order.reference_price == Decimal("10.00")


def test_a_connection_dropped_under_the_watched_read_is_retried(
    redis_client: redis.Redis, clock: FixedClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The server drops the queue's connection just as WATCH and its reads go out: with
    a retry policy (the services set one) the read is sent again on a new connection
    and the approval lands, once."""
    pool = redis_client.connection_pool
    kwargs = {**pool.connection_kwargs, "retry": Retry(NoBackoff(), 2)}
    client = redis.Redis(connection_pool=redis.ConnectionPool(
        connection_class=pool.connection_class, **kwargs))
    queue = _ingested(client, clock)
    original = AbstractConnection.send_packed_command
    dropped: list[bool] = []

    def send(conn: AbstractConnection, command: Any, check_health: bool = True) -> None:
        data = b"".join(command) if isinstance(command, list) else command
        if b"WATCH" in data and not dropped:
            dropped.append(True)
            redis_client.client_kill_filter(_type="normal", skipme=True)
        original(conn, command, check_health)

    monkeypatch.setattr(AbstractConnection, "send_packed_command", send)
    queue.apply(ORDER_ID, Action.APPROVE, actor="alice")
    monkeypatch.undo()
    assert dropped == [True]
    assert queue.require(ORDER_ID).state is OrderState.APPROVED
    assert redis_client.xlen(streams.DECISIONS) == 1

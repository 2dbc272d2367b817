"""The bus against a real Redis: ack after acting, crash recovery, dead letters."""

from __future__ import annotations

import contextlib
from datetime import date
from decimal import Decimal
from typing import Any

import redis

from bus import streams, wire
from bus.bus import MessageRefused, Prefetching, StreamConsumer, publish
from bus.messages import Alert, BatchPublished, Envelope, new_id
from exchange import Side
from marketdata.clock import FixedClock
from orders.order import Order


def _alert(title: str) -> Alert:
    return Alert(severity="info", source="test", title=title)


def test_consumer_handles_each_message_once(redis_client: redis.Redis, clock: FixedClock) -> None:
    seen: list[str] = []
    consumer = StreamConsumer(
        redis_client,
        streams.ALERTS,
        "g",
        "c1",
        {"alert": lambda env: seen.append(env.body.title)},
        block_ms=0,
    )
    publish(
        redis_client, streams.ALERTS, "alert", _alert("a"), source="t", ts=clock.now(), msg_id="m1"
    )
    publish(
        redis_client,
        streams.ALERTS,
        "alert",
        _alert("a again"),
        source="t",
        ts=clock.now(),
        msg_id="m1",
    )  # same id: a duplicate
    publish(
        redis_client, streams.ALERTS, "alert", _alert("b"), source="t", ts=clock.now(), msg_id="m2"
    )
    consumer.poll(block=False)
    assert seen == ["a", "b"]
    assert redis_client.xpending(streams.ALERTS, "g")["pending"] == 0


def test_malformed_message_goes_to_dead_letter_and_consumer_goes_on(
    redis_client: redis.Redis, clock: FixedClock
) -> None:
    seen: list[str] = []
    consumer = StreamConsumer(
        redis_client,
        streams.ALERTS,
        "g",
        "c1",
        {"alert": lambda env: seen.append(env.body.title)},
        block_ms=0,
    )
    redis_client.xadd(streams.ALERTS, {"garbage": "x"})
    redis_client.xadd(
        streams.ALERTS,
        {
            "type": "alert",
            "v": "1",
            "id": "bad",
            "source": "t",
            "ts": clock.now().isoformat(),
            "body": '{"severity": "loud", "source": "t", "title": "x"}',
        },
    )
    redis_client.xadd(
        streams.ALERTS,
        {
            "type": "alert",
            "v": "1",
            "id": "nojson",
            "source": "t",
            "ts": clock.now().isoformat(),
            "body": "{not json",
        },
    )
    publish(redis_client, streams.ALERTS, "alert", _alert("good"), source="t", ts=clock.now())
    consumer.poll(block=False)
    assert seen == ["good"]
    dead = redis_client.xrange(streams.DEAD_LETTER)
    assert len(dead) == 3
    reasons = [d[1]["reason"] for d in dead]
    assert "missing field" in reasons[0]
    assert "severity" in reasons[1]
    assert "alert" in reasons[2]
    assert redis_client.xpending(streams.ALERTS, "g")["pending"] == 0


def test_unacked_message_is_finished_after_a_crash(
    redis_client: redis.Redis, clock: FixedClock
) -> None:
    publish(redis_client, streams.ALERTS, "alert", _alert("x"), source="t", ts=clock.now())

    def crash(env: Envelope) -> None:
        raise SystemExit("the process died while handling")

    dying = StreamConsumer(redis_client, streams.ALERTS, "g", "c1", {"alert": crash}, block_ms=0)
    with contextlib.suppress(SystemExit):
        dying.poll(block=False)
    assert redis_client.xpending(streams.ALERTS, "g")["pending"] == 1
    # The same consumer restarted finishes its own pending entry first.
    seen: list[str] = []
    again = StreamConsumer(
        redis_client,
        streams.ALERTS,
        "g",
        "c1",
        {"alert": lambda env: seen.append(env.body.title)},
        block_ms=0,
    )
    again.poll(block=False)
    assert seen == ["x"]
    assert redis_client.xpending(streams.ALERTS, "g")["pending"] == 0


def test_another_consumer_claims_a_stale_pending_entry(
    redis_client: redis.Redis, clock: FixedClock
) -> None:
    publish(redis_client, streams.ALERTS, "alert", _alert("x"), source="t", ts=clock.now())
    redis_client.xgroup_create(streams.ALERTS, "g", id="0")
    redis_client.xreadgroup("g", "dead-consumer", {streams.ALERTS: ">"})
    seen: list[str] = []
    other = StreamConsumer(
        redis_client,
        streams.ALERTS,
        "g",
        "c2",
        {"alert": lambda env: seen.append(env.body.title)},
        block_ms=0,
        claim_idle_ms=0,
    )
    other.poll(block=False)
    assert seen == ["x"]


def test_handler_that_keeps_failing_is_dead_lettered(
    redis_client: redis.Redis, clock: FixedClock
) -> None:
    def broken(env: Envelope) -> None:
        raise ValueError("bug")

    publish(redis_client, streams.ALERTS, "alert", _alert("x"), source="t", ts=clock.now())
    consumer = StreamConsumer(
        redis_client,
        streams.ALERTS,
        "g",
        "c1",
        {"alert": broken},
        block_ms=0,
        claim_idle_ms=0,
        max_attempts=3,
    )
    for _ in range(4):
        consumer.poll(block=False)
    dead = redis_client.xrange(streams.DEAD_LETTER)
    assert len(dead) == 1 and "failed 3 times" in dead[0][1]["reason"]
    assert redis_client.xpending(streams.ALERTS, "g")["pending"] == 0


def test_batch_round_trips_with_exact_prices(redis_client: redis.Redis, clock: FixedClock) -> None:
    order = Order(
        order_id="B1-0001",
        trade_date=date(2026, 11, 23),
        symbol="600000.SSE",
        side=Side.BUY,
        quantity=300,
        reference_price=Decimal("10.15"),
    )
    batch = BatchPublished(
        batch_id="B1", trade_date=date(2026, 11, 23), signal_date=date(2026, 11, 20), orders=[order]
    )
    publish(redis_client, streams.BATCHES, "batch.published", batch, source="t", ts=clock.now())
    got: list[BatchPublished] = []
    consumer = StreamConsumer(
        redis_client,
        streams.BATCHES,
        "g",
        "c",
        {"batch.published": lambda env: got.append(env.body)},
        block_ms=0,
    )
    consumer.poll(block=False)
    assert got[0].orders[0].reference_price == Decimal("10.15")
    assert got[0] == batch


def _fields(clock: FixedClock, body: str, **extra: str | bytes) -> dict[str, str | bytes]:
    return {"type": "alert", "v": "1", "id": new_id(), "source": "t",
            "ts": clock.now().isoformat(), "body": body, **extra}


def _titles_consumer(redis_client: redis.Redis, seen: list[str]) -> StreamConsumer:
    return StreamConsumer(redis_client, streams.ALERTS, "g", "c1",
                          {"alert": lambda env: seen.append(env.body.title)}, block_ms=0)


def test_hostile_entries_are_dead_lettered_with_their_reason(
    redis_client: redis.Redis, clock: FixedClock
) -> None:
    good = '{"severity": "info", "source": "t", "title": "ok"}'
    deep = "[" * 1000 + "]" * 1000
    redis_client.xadd(streams.ALERTS, _fields(clock, good, source=b"\xff\xfe"))  # not UTF-8
    redis_client.xadd(streams.ALERTS, _fields(clock, deep))  # RecursionError in json.loads
    redis_client.xadd(streams.ALERTS, _fields(clock, '{"a": ' * 40 + "1" + "}" * 40))
    redis_client.xadd(streams.ALERTS, _fields(clock, "x" * (wire.MAX_BODY_BYTES + 1)))
    redis_client.xadd(streams.ALERTS, _fields(clock, good, id="i" * 300))
    redis_client.xadd(streams.ALERTS, {b"\x80": b"\x81"})
    publish(redis_client, streams.ALERTS, "alert", _alert("good"), source="t", ts=clock.now())
    seen: list[str] = []
    _titles_consumer(redis_client, seen).poll(block=False)
    assert seen == ["good"]
    reasons = [f["reason"] for _i, f in redis_client.xrange(streams.DEAD_LETTER)]
    assert len(reasons) == 6
    assert "not UTF-8" in reasons[0]
    assert "nested deeper" in reasons[1] and "nested deeper" in reasons[2]
    assert "bytes (at most" in reasons[3] and "field 'id'" in reasons[4]
    assert "not UTF-8" in reasons[5]
    assert redis_client.xpending(streams.ALERTS, "g")["pending"] == 0


def test_a_refused_message_is_dead_lettered_at_once(
    redis_client: redis.Redis, clock: FixedClock
) -> None:
    def refuse(env: Envelope) -> None:
        raise MessageRefused("forged")

    publish(redis_client, streams.ALERTS, "alert", _alert("x"), source="t", ts=clock.now())
    StreamConsumer(redis_client, streams.ALERTS, "g", "c1", {"alert": refuse},
                   block_ms=0).poll(block=False)
    dead = redis_client.xrange(streams.DEAD_LETTER)
    assert [f["reason"] for _i, f in dead] == ["refused: forged"]
    assert redis_client.xpending(streams.ALERTS, "g")["pending"] == 0


def test_an_entry_that_kills_its_consumer_each_time_is_dead_lettered(
    redis_client: redis.Redis, clock: FixedClock
) -> None:
    def die(env: Envelope) -> None:
        raise SystemExit("the process died while handling")

    publish(redis_client, streams.ALERTS, "alert", _alert("x"), source="t", ts=clock.now())
    for _restart in range(7):  # each restart re-reads its own pending entry first
        with contextlib.suppress(SystemExit):
            StreamConsumer(redis_client, streams.ALERTS, "g", "c1", {"alert": die},
                           block_ms=0, max_attempts=5).poll(block=False)
    dead = redis_client.xrange(streams.DEAD_LETTER)
    assert len(dead) == 1 and "never acknowledged" in dead[0][1]["reason"]
    assert redis_client.xpending(streams.ALERTS, "g")["pending"] == 0


def test_stale_entries_are_claimed_every_few_seconds_not_on_every_poll(
    redis_client: redis.Redis, clock: FixedClock
) -> None:
    redis_client.xgroup_create(streams.ALERTS, "g", id="0", mkstream=True)
    now = [100.0]
    seen: list[str] = []
    other = StreamConsumer(
        redis_client, streams.ALERTS, "g", "c2",
        {"alert": lambda env: seen.append(env.body.title)},
        block_ms=0, claim_idle_ms=0, claim_every_s=5.0, monotonic=lambda: now[0],
    )
    other.poll(block=False)  # its first poll claims (nothing is stale yet)
    publish(redis_client, streams.ALERTS, "alert", _alert("x"), source="t", ts=clock.now())
    redis_client.xreadgroup("g", "dead-consumer", {streams.ALERTS: ">"})
    now[0] += 4.9
    other.poll(block=False)
    assert seen == []  # not due yet: the entry stays with the dead consumer
    now[0] += 0.2
    other.poll(block=False)
    assert seen == ["x"]
    assert redis_client.xpending(streams.ALERTS, "g")["pending"] == 0


def test_a_restarted_consumer_finishes_its_pending_entries_before_any_claim_is_due(
    redis_client: redis.Redis, clock: FixedClock
) -> None:
    for title in ("a", "b"):
        publish(redis_client, streams.ALERTS, "alert", _alert(title), source="t", ts=clock.now())
    redis_client.xgroup_create(streams.ALERTS, "g", id="0")
    redis_client.xreadgroup("g", "c1", {streams.ALERTS: ">"})  # read, then the process died
    seen: list[str] = []
    again = StreamConsumer(
        redis_client, streams.ALERTS, "g", "c1",
        {"alert": lambda env: seen.append(env.body.title)},
        block_ms=0, claim_every_s=3600.0,  # never due during this test
    )
    again.poll(block=False)
    assert seen == ["a", "b"]
    assert redis_client.xpending(streams.ALERTS, "g")["pending"] == 0
    again.poll(block=False)
    assert seen == ["a", "b"]  # exactly once: nothing is handled twice


def _prefetching(client: redis.Redis, seen: list[Any], key: str = "pre:key") -> StreamConsumer:
    def handle(env: Envelope, replies: list[Any]) -> None:
        if isinstance(replies[0], Exception):
            raise replies[0]
        seen.append((env.body.title, replies))  # type: ignore[attr-defined]

    return StreamConsumer(client, streams.ALERTS, "g", "c1",
                          {"alert": Prefetching(lambda env: [("GET", key)], handle)},
                          block_ms=0, claim_idle_ms=0, max_attempts=2)


def test_a_prefetching_handler_gets_its_reads_with_the_duplicate_check(
    redis_client: redis.Redis, clock: FixedClock
) -> None:
    redis_client.set("pre:key", "v1")
    msg_id = new_id()
    for _ in range(2):  # the same message published twice: handled once
        publish(redis_client, streams.ALERTS, "alert", _alert("x"), source="t", ts=clock.now(),
                msg_id=msg_id)
    seen: list[Any] = []
    _prefetching(redis_client, seen).poll(block=False)
    assert seen == [("x", [b"v1"])]
    assert redis_client.xpending(streams.ALERTS, "g")["pending"] == 0


def test_a_prefetching_handler_fails_on_an_error_reply_without_stopping_the_consumer(
    redis_client: redis.Redis, clock: FixedClock
) -> None:
    redis_client.hset("pre:key", "f", "a hash, not a string")
    publish(redis_client, streams.ALERTS, "alert", _alert("x"), source="t", ts=clock.now())
    seen: list[Any] = []
    consumer = _prefetching(redis_client, seen)
    for _ in range(3):
        consumer.poll(block=False)
    dead = redis_client.xrange(streams.DEAD_LETTER)
    assert seen == [] and len(dead) == 1 and "ResponseError" in dead[0][1]["reason"]


def test_reads_that_refuse_the_message_dead_letter_it(
    redis_client: redis.Redis, clock: FixedClock
) -> None:
    def refuse(env: Envelope) -> list[Any]:
        raise MessageRefused("not for this handler")

    publish(redis_client, streams.ALERTS, "alert", _alert("x"), source="t", ts=clock.now())
    handled: list[Any] = []
    consumer = StreamConsumer(redis_client, streams.ALERTS, "g", "c1",
                              {"alert": Prefetching(refuse, lambda e, r: handled.append(e))},
                              block_ms=0)
    consumer.poll(block=False)
    dead = redis_client.xrange(streams.DEAD_LETTER)
    assert handled == [] and "not for this handler" in dead[0][1]["reason"]


def test_a_restarted_prefetching_consumer_finishes_its_pending_entry_once(
    redis_client: redis.Redis, clock: FixedClock
) -> None:
    redis_client.set("pre:key", "v1")
    publish(redis_client, streams.ALERTS, "alert", _alert("x"), source="t", ts=clock.now())
    redis_client.xgroup_create(streams.ALERTS, "g", id="0")
    redis_client.xreadgroup("g", "c1", {streams.ALERTS: ">"})  # read, then the process died
    seen: list[Any] = []
    again = _prefetching(redis_client, seen)
    again.poll(block=False)
    again.poll(block=False)
    assert seen == [("x", [b"v1"])]
    assert redis_client.xpending(streams.ALERTS, "g")["pending"] == 0

"""The market watch subscribes what traders look at: today's and the next batch's order
symbols on the right gateway, once each, re-reading the queue only when it grew."""

from datetime import date, datetime

import redis

from bus import streams
from execution.approval.queue import OrderQueue
from execution.worker.sender import Routes
from execution.worker.watch import MAX_PER_POLL, MarketWatch
from marketdata.clock import EXCHANGE_TZ, FixedClock
from tests.unit.queue.queue_kit import make_hedge, make_order

TODAY = date(2026, 11, 23)


def test_symbols_are_subscribed_once_on_their_gateway(redis_client: redis.Redis) -> None:
    queue = OrderQueue(redis_client, FixedClock(datetime(2026, 11, 23, 9, 0, tzinfo=EXCHANGE_TZ)))
    asked: list[tuple[str, str]] = []
    watch = MarketWatch(redis_client, queue, TODAY, Routes(stock="XTP", hedge="CTP"),
                        lambda symbol, gateway: asked.append((symbol, gateway)))
    queue.ingest(make_order("A", symbol="600000.SSE"), actor="model")
    queue.ingest(make_hedge("H"), actor="risk")
    assert watch.poll(held=["000002.SZSE"]) == ["000002.SZSE", "600000.SSE", "IM2612.CFFEX"]
    assert sorted(asked) == [("000002.SZSE", "XTP"), ("600000.SSE", "XTP"),
                             ("IM2612.CFFEX", "CTP")]
    assert watch.poll() == []  # nothing new
    queue.ingest(make_order("B", symbol="600000.SSE"), actor="alice")
    assert watch.poll() == [] and len(asked) == 3  # a known symbol is not asked again


def test_the_next_days_batch_is_watched_too(redis_client: redis.Redis) -> None:
    queue = OrderQueue(redis_client, FixedClock(datetime(2026, 11, 23, 20, 5, tzinfo=EXCHANGE_TZ)))
    asked: list[str] = []
    watch = MarketWatch(redis_client, queue, TODAY, Routes(stock="SIM", hedge="SIM"),
                        lambda symbol, _gateway: asked.append(symbol))
    queue.ingest(make_order("N1", trade_date=date(2026, 11, 24), symbol="600036.SSE"),
                 actor="model")
    redis_client.set(streams.CURRENT_BATCH, "2026-11-24")
    assert watch.poll() == ["600036.SSE"] and asked == ["600036.SSE"]


def test_a_large_batch_is_subscribed_a_few_symbols_at_a_time(redis_client: redis.Redis) -> None:
    queue = OrderQueue(redis_client, FixedClock(datetime(2026, 11, 23, 9, 0, tzinfo=EXCHANGE_TZ)))
    asked: list[str] = []
    watch = MarketWatch(redis_client, queue, TODAY, Routes(stock="SIM", hedge="SIM"),
                        lambda symbol, _gateway: asked.append(symbol))
    for i in range(40):
        queue.ingest(make_order(f"A{i}", symbol=f"{600000 + i:06d}.SSE"), actor="model")
    assert len(watch.poll()) == MAX_PER_POLL and len(watch.backlog) == 40 - MAX_PER_POLL
    while watch.backlog:
        assert 0 < len(watch.poll()) <= MAX_PER_POLL
    assert sorted(asked) == [f"{600000 + i:06d}.SSE" for i in range(40)]
    assert len(set(asked)) == 40

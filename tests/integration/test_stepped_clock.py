"""The stepped clock on a real Redis: the conductor and paced services in lock step,
and what a forged or broken clock key does (nothing moves; nothing dies)."""

from __future__ import annotations

import threading
from datetime import datetime, timedelta

import pytest
import redis

from bus import streams
from marketdata.clock import EXCHANGE_TZ
from services.stepped_clock import Conductor, SteppedClock, StepTimeout, Tick

pytestmark = pytest.mark.integration

T0 = datetime(2026, 12, 31, 14, 58, tzinfo=EXCHANGE_TZ)  # steps across the year end
SERVICES = ["scheduler", "execution"]


def _service(client: redis.Redis, name: str, seen: list[tuple[str, datetime]],
             stop: threading.Event) -> None:
    """A paced service: one step per tick, as the runner does it."""
    clock = SteppedClock(client, Tick.from_raw(client.get(streams.CLOCK) or ""))
    clock.paced = True
    while clock.wait_next(name, stop.is_set):
        seen.append((name, clock.now()))
        clock.ack(name)


def test_each_service_does_each_step_once_in_order(redis_client: redis.Redis) -> None:
    conductor = Conductor(redis_client, SERVICES, timeout_s=10)
    first = conductor.start(T0)
    seen: list[tuple[str, datetime]] = []
    stop = threading.Event()
    threads = [threading.Thread(target=_service, args=(redis_client, n, seen, stop))
               for n in SERVICES]
    for t in threads:
        t.start()
    conductor.wait_done(first)  # both started and did the first tick
    times = [T0 + timedelta(minutes=m) for m in (1, 2, 3)] + [
        datetime(2027, 1, 4, 9, 15, tzinfo=EXCHANGE_TZ)]
    for at in times:
        conductor.step_to(at)
    stop.set()
    for t in threads:
        t.join(5)
    for name in SERVICES:  # the first tick (start) and then each step, once, in order
        assert [at for n, at in seen if n == name] == [T0, *times]


def test_the_clock_only_moves_forward(redis_client: redis.Redis) -> None:
    conductor = Conductor(redis_client, [], timeout_s=1)
    conductor.start(T0)
    with pytest.raises(ValueError, match="only moves forward"):
        conductor.step_to(T0)


@pytest.mark.parametrize("garbage", [b"\xff\x00not json", b'{"mode": "stepped", "tick": -1}',
                                     b'{"mode": "stepped", "tick": 2, "now": "2026-13-45"}',
                                     b'{"mode": "stepped", "tick": 2, "now": "2026-12-31T10:00"}',
                                     b"[" * 10_000, b'{"mode": "simulated"}'])
def test_a_broken_clock_key_keeps_the_last_good_time(redis_client: redis.Redis,
                                                     garbage: bytes) -> None:
    Conductor(redis_client, [], timeout_s=1).start(T0)
    clock = SteppedClock(redis_client, Tick.from_raw(redis_client.get(streams.CLOCK) or ""))
    redis_client.set(streams.CLOCK, garbage)
    stops = iter([False, False, True])
    assert clock.wait_next("risk", lambda: next(stops)) in (True, False)
    assert clock.now() == T0  # unreadable: time does not move, nothing raises
    assert clock.errors and streams.CLOCK in clock.errors[-1]


def test_a_forged_ack_is_not_a_finished_step(redis_client: redis.Redis) -> None:
    conductor = Conductor(redis_client, ["risk"], timeout_s=0.3)
    conductor.start(T0)
    redis_client.hset(streams.CLOCK_ACKS, "risk", "99999999999999999999x")
    with pytest.raises(StepTimeout, match="risk did not finish"):
        conductor.step_to(T0 + timedelta(minutes=1))


def test_a_restarted_service_finishes_the_step_it_was_on(redis_client: redis.Redis) -> None:
    conductor = Conductor(redis_client, ["risk"], timeout_s=5)
    conductor.start(T0)
    redis_client.hset(streams.CLOCK_ACKS, "risk", 1)  # did the first tick, then died
    conductor.announce(T0 + timedelta(minutes=1))  # the next tick is out, not acknowledged
    clock = SteppedClock(redis_client, Tick.from_raw(redis_client.get(streams.CLOCK) or ""))
    assert clock.wait_next("risk", lambda: True)  # no wait: its tick is not done

"""The desk's account lease on a real embedded Redis: renewals on time, a failover's
errors ride on the local deadline, one alert per run of refused sends, a takeover stops."""

from __future__ import annotations

import pytest
import redis

from execution.config import ExecutionConfig
from execution.worker.lease import AccountLease, LeaseLost

CFG = ExecutionConfig.model_validate({"lease": {"enabled": True, "ttl_ms": 10_000}})


class Clock:
    def __init__(self) -> None:
        self.t = 100.0

    def __call__(self) -> float:
        return self.t


class Alerts(list[tuple[str, str]]):
    def __call__(self, severity: str, title: str, _detail: str) -> None:
        self.append((severity, title))


class Broken:
    """A client whose every command fails as during a failover."""

    def __getattr__(self, _name: str) -> object:
        def fail(*_args: object, **_kwargs: object) -> None:
            raise redis.ConnectionError("Connection refused")
        return fail


def lease(client: redis.Redis, clock: Clock, alerts: Alerts) -> AccountLease:
    return AccountLease(client, CFG, alerts, now=clock, sleep=lambda _s: None)


def test_renewed_every_quarter_and_sends_allowed(redis_client: redis.Redis) -> None:
    clock, alerts = Clock(), Alerts()
    held = lease(redis_client, clock, alerts)
    held.take()
    assert alerts == [("info", "execution holds the lease of account paper")]
    clock.t += 2.4
    held.keep()  # not due yet: no round trip
    assert held.renewed_at == 100.0
    clock.t += 0.2
    held.keep()
    assert held.renewed_at == clock.t and held.refusal() is None


def test_a_failover_keeps_the_token_and_the_deadline_refuses_sends_once_alerted(
    redis_client: redis.Redis,
) -> None:
    clock, alerts = Clock(), Alerts()
    held = lease(redis_client, clock, alerts)
    held.take()
    token = held.fence.token
    held.fence.client = Broken()  # type: ignore[assignment]
    for _ in range(4):
        clock.t += 2.5
        held.keep()  # logged, not raised
    assert held.fence.token == token
    assert held.refusal() is not None and held.refusal() is not None
    refused = [a for a in alerts if a[1].startswith("order send refused")]
    assert refused == [("critical", "order send refused: no lease on paper")]
    held.fence.client = redis_client  # Redis is back before the key lapsed in Redis
    clock.t += 0.1
    held.keep()
    assert held.refusal() is None


def test_a_takeover_stops_the_old_holder(redis_client: redis.Redis) -> None:
    clock, alerts = Clock(), Alerts()
    old = lease(redis_client, clock, alerts)
    old.take()
    redis_client.delete("desk:exec:lease:paper")  # lapsed in Redis
    new = lease(redis_client, clock, Alerts())
    new.take()
    clock.t += 3
    with pytest.raises(LeaseLost, match="taken over"):
        old.keep()
    assert alerts[-1] == ("critical", "execution lost the lease of account paper")


def test_a_standby_waits_then_takes_it(redis_client: redis.Redis) -> None:
    clock, alerts = Clock(), Alerts()
    holder = lease(redis_client, clock, Alerts())
    holder.take()
    waits: list[float] = []

    def sleep(seconds: float) -> None:
        waits.append(seconds)
        if len(waits) == 3:
            redis_client.delete("desk:exec:lease:paper")

    standby = AccountLease(redis_client, CFG, alerts, now=clock, sleep=sleep)
    standby.take()
    assert waits == [2.5, 2.5, 2.5]
    assert alerts == [("warning", "execution holds the lease of account paper")]

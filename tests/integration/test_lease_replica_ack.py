"""The lease's fencing token is on a replica before the desk sends (issue 16, item 3):
a primary, a replica and three sentinels on loopback (services/redis_ha.py), the desk
logged in as Redis user `execution`, `redis.replicas_to_ack: 1`.

While the replica is frozen (SIGSTOP) no WAIT is answered: the token the desk took is
given up, not used, and the desk waits; once the replica is back it takes a new token,
which the replica holds the moment `take()` returns. The primary then dies: the
promoted replica's counter has that token, so the next desk's token is larger.
"""

from __future__ import annotations

import os
import signal
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from execution.config import ExecutionConfig
from execution.fencing import FencingLease, ReplicaAck, lease_key, token_key
from execution.worker.lease import AccountLease, LeaseLost
from services.connect import connect
from services.redis_ha import RedisHA
from tests.integration.ha_kit import ha_settings, log_in_as, running_ha

pytestmark = pytest.mark.integration
TTL_MS = 1000
CFG = ExecutionConfig.model_validate({"lease": {"enabled": True, "ttl_ms": TTL_MS}})
ACCOUNT = CFG.account


@pytest.fixture
def ha(tmp_path: Path) -> Iterator[RedisHA]:
    with running_ha(tmp_path / "ha") as started:
        yield started


def test_the_desk_sends_only_once_a_replica_holds_its_token(
        ha: RedisHA, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    log_in_as(monkeypatch, ha, "execution")
    client = connect(ha_settings(ha, tmp_path))
    replica = ha.replica
    assert replica.process is not None
    alerts: list[str] = []
    waits: list[float] = []

    def wait(seconds: float) -> None:
        waits.append(seconds)
        assert len(waits) < 40, f"no confirmed lease in 10 s: {alerts}"
        if len(waits) == 1:
            assert lease.fence.token is None and lease.refusal() is not None
            os.kill(replica.process.pid, signal.SIGCONT)  # type: ignore[union-attr]
        time.sleep(seconds)

    lease = AccountLease(client, CFG, lambda _s, title, _d: alerts.append(title), sleep=wait,
                         ack=ReplicaAck(replicas=1, timeout_ms=300))
    os.kill(replica.process.pid, signal.SIGSTOP)
    try:
        lease.take()
    finally:
        os.kill(replica.process.pid, signal.SIGCONT)
    assert waits, "the desk started on a token no replica confirmed"
    assert f"lease of account {ACCOUNT} not confirmed by a replica" in alerts
    token = lease.fence.token
    assert token == 2, "the unconfirmed token 1 was given up, not kept"
    on_replica = ha.admin(replica.port)
    assert on_replica.get(lease_key(ACCOUNT)) == on_replica.get(token_key(ACCOUNT)) == str(token)
    assert lease.refusal() is None

    old = ha.kill_primary().port
    new = ha.wait_for_failover(old)
    assert new == replica.port
    other = FencingLease(ha.admin(new), ACCOUNT, 60_000)
    until = time.monotonic() + 10
    while not other.acquire() and time.monotonic() < until:  # the holder's lease lapses
        time.sleep(0.1)
    assert other.token is not None and other.token > token, "a failover reissued a token"
    lease.renewed_at = float("-inf")  # a renewal is due
    with pytest.raises(LeaseLost):
        lease.keep()
    assert lease.refusal() is not None

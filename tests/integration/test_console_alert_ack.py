"""The console's acknowledge action for critical alerts: a trader's POST, audited once."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import redis
from fastapi.testclient import TestClient

from bus import streams
from bus.messages import AuditEntry, decode
from marketdata.clock import FixedClock
from services.alerting import escalation
from tests.unit.console.console_kit import add_users, build_app, login

JSON = {"accept": "application/json"}
KEY = "a0123456789"


@pytest.fixture
def web(redis_client: redis.Redis, clock: FixedClock, tmp_path: Path) -> Iterator[TestClient]:
    add_users(redis_client, clock)
    with TestClient(build_app(redis_client, clock, tmp_path),
                    base_url="http://127.0.0.1:8765") as client:
        yield client


def _audit(client: redis.Redis) -> list[AuditEntry]:
    out = []
    for _id, fields in client.xrange(streams.AUDIT):
        body = decode(fields).body
        if isinstance(body, AuditEntry):
            out.append(body)
    return out


def test_a_trader_acknowledges_a_critical_alert_and_it_is_audited(
        web: TestClient, redis_client: redis.Redis, clock: FixedClock) -> None:
    escalation.track(redis_client, KEY, "NAV not computed", clock.now(), 600)
    csrf = login(web, "alice")
    assert KEY in web.get("/alerts/unacked", headers=JSON).json()["unacked"]
    done = web.post(f"/alerts/{KEY}/ack", data={"csrf": csrf}, headers=JSON)
    assert done.status_code == 200 and done.json()["acknowledged"] is True
    assert escalation.unacked(redis_client) == {}
    again = web.post(f"/alerts/{KEY}/ack", data={"csrf": csrf}, headers=JSON)
    assert again.status_code == 404  # nothing waits any more: not audited twice
    (entry,) = _audit(redis_client)
    assert (entry.action, entry.actor, entry.order_id) == ("alert.ack", "alice", "")
    assert "NAV not computed" in entry.reason and entry.after == {"alert": KEY,
                                                                  "acknowledged": True}


def test_a_viewer_cannot_and_a_forged_request_cannot(
        web: TestClient, redis_client: redis.Redis, clock: FixedClock) -> None:
    escalation.track(redis_client, KEY, "NAV not computed", clock.now(), 600)
    csrf = login(web, "vera")
    assert web.post(f"/alerts/{KEY}/ack", data={"csrf": csrf}, headers=JSON).status_code == 403
    csrf = login(web, "alice")
    assert web.post(f"/alerts/{KEY}/ack", data={"csrf": "forged"},
                    headers=JSON).status_code == 403
    assert web.post("/alerts/not-a-key/ack", data={"csrf": csrf}, headers=JSON).status_code == 404
    assert KEY in escalation.unacked(redis_client) and _audit(redis_client) == []

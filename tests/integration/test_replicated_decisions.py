"""Decisions acknowledged only once a replica holds them (WAIT on the write's own
connection), through the console and the CLI, on a real primary + replica + sentinels."""

from __future__ import annotations

import time
from collections.abc import Iterator
from functools import partial
from pathlib import Path

import pytest
import redis
from click.testing import CliRunner
from fastapi.testclient import TestClient

from execution.approval.lifecycle import Action
from execution.approval.policy_config import ApprovalConfig
from execution.approval.queue import OrderQueue
from marketdata.clock import FixedClock
from orders.order import OrderRecord, OrderState
from risk.config import RiskConfig
from services.cli.context import DeskContext
from services.cli.orders_cmd import NOT_ACKNOWLEDGED_EXIT, approve_command
from services.connect import connect
from services.console.app import create_app
from services.console.config import ConsoleConfig
from services.redis_ha import RedisHA, free_port
from services.replicated_ack import AckPolicy, acknowledged, decide, pinned
from tests.integration.ha_kit import frozen, ha_settings, log_in_as, running_ha
from tests.unit.console.console_kit import add_users, login, seed_batch

JSON = {"accept": "application/json"}


@pytest.fixture(scope="module")
def ha(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RedisHA]:
    with running_ha(tmp_path_factory.mktemp("ha")) as started:
        yield started


@pytest.fixture
def client(ha: RedisHA, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> redis.Redis:
    log_in_as(monkeypatch, ha, "desk")
    desk_client = connect(ha_settings(ha, tmp_path))
    desk_client.flushall()
    return desk_client


def _replica_pid(ha: RedisHA) -> int:
    node = next(n for n in ha.nodes[:2] if n.port != ha.primary_port())
    assert node.process is not None
    return node.process.pid


def _approve(order_id: str, queue: OrderQueue) -> OrderRecord:
    return queue.apply(order_id, Action.APPROVE, actor="alice")


def _replica(ha: RedisHA) -> redis.Redis:
    return ha.admin(next(n.port for n in ha.nodes[:2] if n.port != ha.primary_port()))


def test_the_pinned_client_runs_commands_and_transactions_on_one_connection(
    client: redis.Redis,
) -> None:
    with pinned(client) as (one, _):
        with one.pipeline(transaction=True) as pipe:
            pipe.watch("desk:x")
            watched_on = pipe.client_id()
            pipe.multi()
            pipe.client_id()
            in_multi = pipe.execute()[0]
        assert one.client_id() == watched_on == in_multi
    assert client.client_id() != 0  # the pool is usable again


def test_an_acknowledged_approval_is_on_the_replica_when_the_trader_hears_of_it(
    client: redis.Redis, clock: FixedClock, ha: RedisHA,
) -> None:
    queue = OrderQueue(client, clock)
    ids = seed_batch(queue, 3)
    replica = _replica(ha)
    for order_id in ids:
        outcome = decide(queue, AckPolicy(1, 2000), f"approval of {order_id}",
                         partial(_approve, order_id))
        assert outcome.problem is None
        # No sleep, no retry: WAIT returned, so the replica already has it.
        held = replica.get(f"desk:order:{order_id}")
        assert held is not None and '"state":"approved"' in held.replace(" ", "")


def test_a_silent_replica_means_not_acknowledged_and_the_write_stays(
    client: redis.Redis, clock: FixedClock, ha: RedisHA,
) -> None:
    queue = OrderQueue(client, clock)
    [order_id] = seed_batch(queue, 1)
    with frozen(_replica_pid(ha)):
        outcome = decide(queue, AckPolicy(1, 300), f"approval of {order_id}",
                         lambda q: q.apply(order_id, Action.APPROVE, actor="alice"))
    assert outcome.problem is not None and "not yet on a replica" in outcome.problem
    assert f"approval of {order_id}" in outcome.problem
    assert outcome.result.state is OrderState.APPROVED
    record = queue.get(order_id)
    assert record is not None and record.state is OrderState.APPROVED


def test_a_reconnect_between_the_write_and_the_wait_is_not_an_acknowledgement(
    client: redis.Redis,
) -> None:
    def write_then_lose_the_line(one: redis.Redis) -> str:
        one.set("desk:x", "1")
        one.connection_pool.get_connection().disconnect()  # the socket WAIT would count on
        return "written"

    outcome = acknowledged(client, AckPolicy(1, 1000), "write of desk:x",
                           write_then_lose_the_line)
    assert outcome.result == "written"
    assert outcome.problem is not None and "reconnected" in outcome.problem


def test_the_console_says_not_acknowledged(
    client: redis.Redis, clock: FixedClock, ha: RedisHA, tmp_path: Path,
) -> None:
    add_users(client, clock)
    queue = OrderQueue(client, clock)
    ids = seed_batch(queue, 2)
    app = create_app(client, queue, clock, console=ConsoleConfig(), approval=ApprovalConfig(),
                     risk=RiskConfig(), account="paper", data_dir=tmp_path,
                     ack=AckPolicy(1, 300))
    with TestClient(app, base_url="http://127.0.0.1:8765") as web:
        csrf = login(web, "alice")
        done = web.post("/orders/approve", headers=JSON,
                        data={"csrf": csrf, "ids": [f"{ids[0]}@1"]})
        assert done.status_code == 200, done.text
        assert done.json()["message"] == "1 order(s) approved and released to execution"
        with frozen(_replica_pid(ha)):
            late = web.post("/orders/approve", headers=JSON,
                            data={"csrf": csrf, "ids": [f"{ids[1]}@1"]})
    assert late.status_code == 503
    body = late.json()
    assert body["acknowledged"] is False and body["changed"] == [ids[1]]
    assert "NOT acknowledged" in body["message"] and ids[1] in body["message"]


def test_the_cli_says_not_acknowledged_and_exits_75(
    client: redis.Redis, clock: FixedClock, ha: RedisHA, tmp_path: Path,
) -> None:
    add_users(client, clock)
    ids = seed_batch(OrderQueue(client, clock), 2)
    config = tmp_path / "desk.yaml"
    config.write_text(ha_settings(ha, tmp_path, ack_timeout_ms=300).model_dump_json(),
                      encoding="utf-8")
    desk = DeskContext(str(config), str(tmp_path))
    ok = CliRunner().invoke(approve_command, [ids[0], "--as", "alice"], obj=desk)
    assert ok.exit_code == 0, ok.output
    with frozen(_replica_pid(ha)):
        late = CliRunner().invoke(approve_command, [ids[1], "--as", "alice"], obj=desk)
    assert late.exit_code == NOT_ACKNOWLEDGED_EXIT, late.output
    assert f"{ids[1]}: approved" in late.output and "NOT acknowledged" in late.output


def test_the_console_user_may_wait(ha: RedisHA, tmp_path: Path,
                                   monkeypatch: pytest.MonkeyPatch) -> None:
    log_in_as(monkeypatch, ha, "console")
    console = connect(ha_settings(ha, tmp_path))
    console.set("desk:console:probe", "1")
    assert console.execute_command("WAIT", 1, 2000) == 1


@pytest.mark.parametrize("user", ["replica", "sentinel"])
def test_the_replication_and_sentinel_users_touch_no_key(
    ha: RedisHA, user: str,
) -> None:
    login = redis.Redis(host="127.0.0.1", port=ha.primary_port(), username=user,
                        password=ha.passwords[user], decode_responses=True)
    assert login.ping()
    for attempt in (lambda: login.get("desk:order:x"), lambda: login.set("desk:halt", "x"),
                    lambda: login.xadd("desk:decisions", {"type": "decision"}),
                    lambda: login.flushall()):
        with pytest.raises(redis.exceptions.NoPermissionError):
            attempt()


def test_a_planned_switch_over_is_followed_without_a_lost_decision(
    client: redis.Redis, clock: FixedClock, ha: RedisHA,
) -> None:
    """The runbook's switch-over: SENTINEL FAILOVER while the desk's client is open."""
    queue = OrderQueue(client, clock)
    first, second = seed_batch(queue, 2)
    assert decide(queue, AckPolicy(1, 2000), "approval", partial(_approve, first)).problem is None
    old = ha.primary_port()
    ha._sentinel(ha.sentinels[0]).execute_command("SENTINEL", "FAILOVER", ha.master)
    new = ha.wait_for_failover(old)
    demoted = ha.admin(old)
    until = time.monotonic() + 20
    while demoted.info("replication")["role"] != "slave" and time.monotonic() < until:
        time.sleep(0.05)  # the old primary takes writes until Sentinel demotes it
    after = decide(queue, AckPolicy(1, 2000), "approval", partial(_approve, second))
    assert after.problem is None
    assert client.info("replication")["role"] == "master"
    for port in (new, old):  # on the new primary, and on the old one, now its replica
        node = ha.admin(port)
        for order_id in (first, second):
            held = node.get(f"desk:order:{order_id}")
            assert held is not None and '"state":"approved"' in held.replace(" ", "")


def test_a_write_on_a_server_demoted_before_the_wait_is_not_acknowledged(
    client: redis.Redis, ha: RedisHA,
) -> None:
    """A switch-over's last instant: written while primary, WAIT after the demotion."""
    def write_then_demote(one: redis.Redis) -> str:
        one.set("desk:x", "1")
        one.execute_command("REPLICAOF", "127.0.0.1", str(free_port()))  # demoted now
        return "written"

    try:
        outcome = acknowledged(client, AckPolicy(1, 1000), "write of desk:x",
                               write_then_demote)
    finally:
        client.execute_command("REPLICAOF", "NO", "ONE")
    assert outcome.result == "written"
    assert outcome.problem is not None and "no longer the primary" in outcome.problem

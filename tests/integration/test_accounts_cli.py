"""The `desk` commands on a desk of two fund products (issue 16 item 1), on a real Redis:
orders listed per account, a manual order for a chosen account checked against its own
ledger, `desk status` with each account's NAV, drawdown, hedge, day P&L and services and
the desk total, `desk risk status --account`; an unknown account is a usage error
naming it."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest
import redis

from bus import streams
from execution.approval.queue import OrderQueue
from marketdata.clock import FixedClock, SimulatedClock
from services.accounts import desk_queue
from services.redis_server import EmbeddedRedis
from services.settings_loader import load_settings
from tests.integration.cli_kit import run
from tests.integration.two_accounts_kit import AT, BETA_ORDERS, seed_desk
from tests.unit.console.console_kit import add_users
from tests.unit.console.hedge_kit import seed_risk_state

pytestmark = pytest.mark.integration


@pytest.fixture
def config(tmp_path: Path, redis_server: EmbeddedRedis, redis_client: redis.Redis,
           monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "desk.yaml"
    path.write_text(f"mode: paper\ndata_dir: {tmp_path}\nclock: {{mode: simulated}}\n"
                    "accounts:\n  - {name: alpha, initial_cash: 1200000}\n"
                    "  - {name: beta, initial_cash: 565000}\n", encoding="utf-8")
    monkeypatch.setenv("DESK_REDIS_URL", redis_server.url)
    redis_client.set(streams.CLOCK, json.dumps(SimulatedClock.starting_now(AT, 1e-6).to_dict()))
    return path


@pytest.fixture
def queue(config: Path, redis_client: redis.Redis) -> OrderQueue:
    clock = FixedClock(AT)
    add_users(redis_client, clock)
    queue = desk_queue(redis_client, clock, load_settings(str(config)))
    seed_desk(redis_client, queue)
    return queue


def test_orders_of_one_account(config: Path, queue: OrderQueue) -> None:
    every = run("--config", str(config), "orders")
    assert every.exit_code == 0, every.output
    lines = [line.split() for line in every.output.splitlines()]
    owners = {cells[1]: cells[0] for cells in lines if len(cells) > 1 and "-000" in cells[1]}
    assert owners == {"A-0001": "alpha", "A-0002": "alpha", "A-0003": "alpha",
                      "B-0001": "beta", "B-0002": "beta"}
    beta = run("--config", str(config), "orders", "--account", "beta")
    assert beta.exit_code == 0, beta.output
    assert "Orders for 2026-11-23, account beta" in beta.output
    assert all(i in beta.output for i in BETA_ORDERS) and "A-000" not in beta.output
    assert "2 orders: 2 pending approval" in beta.output


def test_an_unknown_account_is_a_usage_error_naming_it(config: Path, queue: OrderQueue) -> None:
    for args in (("orders", "--account", "gamma"),
                 ("approve", "--all", "--account", "gamma", "--as", "alice"),
                 ("order", "add", "600000.SSE", "sell", "100", "--reason", "sell on news",
                  "--account", "gamma", "--as", "alice"),
                 ("risk", "status", "--account", "gamma")):
        result = run("--config", str(config), *args)
        assert result.exit_code == 2, (args, result.output)
        assert "unknown account 'gamma': the desk has alpha, beta" in result.output, args
    assert len(queue.list_orders()) == 5  # nothing added


def test_a_manual_order_for_beta_sells_only_what_beta_holds(config: Path,
                                                            queue: OrderQueue) -> None:
    order = ("order", "add", "600000.SSE", "sell", "--limit", "10.50", "--prev-close",
             "10.40", "--reason", "sell on news", "--as", "alice")
    too_many = run("--config", str(config), *order[:4], "4000", *order[4:],
                   "--account", "beta")
    assert too_many.exit_code == 1 and "sellable" in too_many.output.lower(), too_many.output
    added = run("--config", str(config), *order[:4], "3000", *order[4:], "--account", "beta")
    assert added.exit_code == 0, added.output
    order_id = added.output.split()[0]
    assert f"{order_id} for account beta: pending_approval" in added.output
    assert queue.require(order_id).order.account == "beta"
    first = run("--config", str(config), *order[:4], "4000", *order[4:])  # alpha: 20,000
    assert first.exit_code == 0, first.output
    assert "for account alpha" in first.output


def test_approve_all_of_one_account(config: Path, queue: OrderQueue) -> None:
    result = run("--config", str(config), "approve", "--all", "--account", "beta",
                 "--as", "alice")
    assert result.exit_code == 0, result.output
    assert result.output.count("-> approved") == 2
    assert {r.order_id for r in queue.list_orders() if r.state.value == "approved"} == set(
        BETA_ORDERS)


def test_status_shows_each_account_and_the_desk_total(config: Path, queue: OrderQueue,
                                                      redis_client: redis.Redis) -> None:
    beat = {"pid": 4242, "state": "running", "wall": time.time(), "info": {}}
    redis_client.set(streams.HEARTBEAT.format(service="execution@beta"), json.dumps(beat))
    result = run("--config", str(config), "status")
    assert result.exit_code == 0, result.output
    out = result.output
    print(out)  # the example in docs/accounts.md
    rows = {line.split()[0]: line for line in out.splitlines()
            if line.startswith("  ") and line.split()[0] in ("alpha", "beta", "desk")}
    assert "1,210,000.00" in rows["alpha"] and "+10,000.00" in rows["alpha"]
    assert "0.00%" in rows["alpha"] and "execution DOWN" in rows["alpha"]
    assert "560,500.00" in rows["beta"] and "-0.80%" in rows["beta"]
    assert "-4,500.00" in rows["beta"] and "execution@beta alive" in rows["beta"]
    assert "risk@beta DOWN" in rows["beta"]
    assert "1,770,500.00" in rows["desk"] and "+5,500.00" in rows["desk"]
    assert "execution@beta" in out.split("services:")[1]  # every account's services listed
    report = json.loads(run("--config", str(config), "status", "--json").output)
    assert report["desk"]["total"]["nav"] == "1770500.00"
    assert [a["account"] for a in report["desk"]["accounts"]] == ["alpha", "beta"]


def test_risk_status_of_one_account(config: Path, queue: OrderQueue,
                                    redis_client: redis.Redis) -> None:
    settings = load_settings(str(config))
    seed_risk_state(redis_client, settings.for_account("beta").risk, AT)
    beta = run("--config", str(config), "risk", "status", "--account", "beta")
    assert beta.exit_code == 0, beta.output
    assert "Risk state of account beta" in beta.output
    assert "Other accounts: alpha (desk risk status --account NAME)" in beta.output
    first = run("--config", str(config), "risk", "status")  # the first account: alpha
    assert first.exit_code == 1 and "no risk state for account alpha" in first.output

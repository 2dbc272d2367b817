"""CLI parity: the same decisions as the console, under a desk user's name."""

from __future__ import annotations

import json

import click
import pytest
import redis
from click.testing import CliRunner, Result

from execution.approval.queue import OrderQueue
from marketdata.clock import FixedClock
from orders.order import OrderState
from services.cli.context import DeskContext
from services.cli.orders_cmd import ORDER_COMMANDS
from services.cli.users_cmd import users_group
from tests.unit.console.console_kit import seed_batch
from tests.unit.queue.queue_kit import released, set_last

COMMANDS = {c.name: c for c in ORDER_COMMANDS}


@pytest.fixture
def queue(redis_client: redis.Redis, clock: FixedClock) -> OrderQueue:
    return OrderQueue(redis_client, clock)


def run(desk: DeskContext, command: click.Command, *args: str, stdin: str = "") -> Result:
    return CliRunner().invoke(command, list(args), obj=desk, input=stdin)


def test_users_add_list_disable(desk: DeskContext) -> None:
    added = run(desk, users_group, "add", "carol", "--role", "trader", "--password-stdin",
                stdin="a long enough password\n")
    assert added.exit_code == 0, added.output
    listing = run(desk, users_group, "list").output
    assert "carol" in listing and "trader" in listing
    assert run(desk, users_group, "disable", "carol").exit_code == 0
    assert "disabled" in run(desk, users_group, "list").output
    short = run(desk, users_group, "add", "dave", "--role", "viewer", "--password-stdin",
                stdin="short\n")
    assert short.exit_code == 1 and "at least 12" in short.output


def test_orders_and_approve_all(desk: DeskContext, queue: OrderQueue) -> None:
    seed_batch(queue, 4)
    listing = run(desk, COMMANDS["orders"]).output
    assert "浦发银行" in listing and listing.count("pending_approval") == 4
    result = run(desk, COMMANDS["approve"], "--all", "--as", "alice")
    assert result.exit_code == 0 and result.output.count("-> approved") == 4
    assert {r.state for r in queue.list_orders()} == {OrderState.APPROVED}


def test_a_viewer_or_a_stranger_cannot_approve(desk: DeskContext, queue: OrderQueue) -> None:
    ids = seed_batch(queue, 1)
    viewer = run(desk, COMMANDS["approve"], ids[0], "--as", "vera")
    assert viewer.exit_code == 1 and "vera is a viewer" in viewer.output
    stranger = run(desk, COMMANDS["approve"], ids[0], "--as", "mallory")
    assert stranger.exit_code == 1 and "not an enabled desk user" in stranger.output
    assert queue.require(ids[0]).state is OrderState.PENDING_APPROVAL


def test_approve_reports_refusals_and_confirm_move(desk: DeskContext, queue: OrderQueue) -> None:
    ids = seed_batch(queue, 1)
    set_last(queue.client, queue.require(ids[0]).order.symbol, "12.00")
    refused = run(desk, COMMANDS["approve"], ids[0], "--as", "alice")
    assert refused.exit_code == 1 and "re-confirm" in refused.output
    confirmed = run(desk, COMMANDS["approve"], ids[0], "--confirm-move", "--as", "alice")
    assert confirmed.exit_code == 0


def test_reject_pause_cancel(desk: DeskContext, queue: OrderQueue) -> None:
    ids = seed_batch(queue, 2)
    rejected = run(desk, COMMANDS["reject"], ids[0], "--reason", "news", "--as", "alice")
    assert rejected.exit_code == 0 and queue.require(ids[0]).note == "news"
    paused = run(desk, COMMANDS["pause"], ids[1], "--as", "alice")
    assert paused.exit_code == 1 and "only a working order can pause" in paused.output
    assert run(desk, COMMANDS["cancel"], ids[1], "--as", "alice").exit_code == 0
    assert queue.require(ids[1]).state is OrderState.CANCELLED


def test_halt_and_lift(desk: DeskContext, queue: OrderQueue) -> None:
    halted = run(desk, COMMANDS["halt"], "--reason", "gateway", "--yes", "--as", "alice")
    assert halted.exit_code == 0 and queue.halted() == "alice: gateway"
    by_trader = run(desk, COMMANDS["halt"], "--lift", "--reason", "ok", "--as", "alice")
    assert by_trader.exit_code == 1 and queue.halted() is not None
    assert run(desk, COMMANDS["halt"], "--lift", "--reason", "ok", "--as", "root").exit_code == 0
    assert queue.halted() is None
    declined = run(desk, COMMANDS["halt"], "--reason", "x", "--as", "alice", stdin="n\n")
    assert declined.exit_code == 1 and queue.halted() is None


def test_order_add_and_audit(desk: DeskContext, queue: OrderQueue) -> None:
    seed_batch(queue, 1)
    set_last(queue.client, "000001.SZSE", "11.20")
    added = run(desk, COMMANDS["order"], "add", "000001.SZSE", "buy", "300", "--reason",
                "buy on news", "--name", "平安银行", "--as", "bob")
    assert added.exit_code == 0, added.output
    order_id = added.output.split(":")[0]
    record = queue.require(order_id)
    assert record.order.created_by == "bob" and record.state is OrderState.PENDING_APPROVAL
    odd = run(desk, COMMANDS["order"], "add", "000001.SZSE", "buy", "150", "--reason", "x y z",
              "--as", "bob")
    assert odd.exit_code == 1 and "whole lots" in odd.output
    audit = run(desk, COMMANDS["audit"], "--order", order_id).output
    assert "submit by bob (buy on news)" in audit
    as_json = run(desk, COMMANDS["audit"], "--json", "-n", "1").output
    assert json.loads(as_json)["order_id"] == order_id
    assert released(queue) == []

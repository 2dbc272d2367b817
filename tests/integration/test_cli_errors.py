"""Every `desk` error is one sentence on the terminal (`Error: ...`, exit 1), never a
traceback; a real bug's traceback goes to the CLI's log file instead."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import datetime
from decimal import Decimal
from pathlib import Path

import click
import pytest
import redis
from click.testing import Result

from bus import streams
from bus.bus import publish
from bus.messages import NavSnapshot
from execution.approval.manual import ManualOrderRequest, add_manual_order
from execution.approval.queue import OrderQueue, UnknownOrder
from execution.worker.price_source import PRICE_SOURCES
from marketdata.clock import EXCHANGE_TZ, FixedClock
from services.cli.main import cli
from services.cli.table import width
from services.redis_server import EmbeddedRedis
from tests.integration.cli_kit import run
from tests.unit.console.console_kit import add_users, seed_batch
from tests.unit.queue.queue_kit import set_last


def _one_error_line(output: str) -> str:
    assert "Traceback" not in output, output
    lines = [line for line in output.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("Error: "), output
    return lines[0]


def _config(tmp_path: Path, data: bytes) -> Path:
    path = tmp_path / "desk.yaml"
    path.write_bytes(data)
    return path


def test_a_non_utf8_config_is_one_sentence(tmp_path: Path) -> None:
    path = _config(tmp_path, b"mode: paper\n# \xff\n")
    result = run("--config", str(path), "config", "check")
    assert result.exit_code == 1
    assert _one_error_line(result.output) == (
        f"Error: {path}: not valid YAML: not UTF-8 text (byte 0xff at offset 14)")


@pytest.mark.parametrize(("text", "expected"), [
    (b"mode: paper\nmode: production\n", "duplicate key 'mode' at line 2 (first at line 1)"),
    (b"mode: paper\nexecution: {stock_gateway: {name: XptGateway}}\n",
     "key 'execution.stock_gateway.name': unknown gateway 'XptGateway'"),
])
def test_config_check_refuses_what_a_paper_desk_accepted(tmp_path: Path, text: bytes,
                                                         expected: str) -> None:
    path = _config(tmp_path, text)
    result = run("--config", str(path), "config", "check")
    assert result.exit_code == 1 and expected in result.output, result.output
    assert str(path) in result.output and "Traceback" not in result.output


@pytest.mark.parametrize(("text", "key"), [
    (b'mode: paper\nexecution: {initial_cash: "-1"}\n', "execution.initial_cash"),
    (b"mode: paper\nredis: {url: 'localhost:6379'}\n", "redis.url"),
])
def test_config_check_names_the_key_of_a_bad_value(tmp_path: Path, text: bytes,
                                                   key: str) -> None:
    path = _config(tmp_path, text)
    result = run("--config", str(path), "config", "check")
    assert result.exit_code == 1 and f"key '{key}'" in result.output, result.output
    assert result.output.startswith(f"Error: {path}:") and "Traceback" not in result.output


@pytest.fixture(scope="module")
def demo_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    data_dir = tmp_path_factory.mktemp("desk")
    result = run("--data-dir", str(data_dir), "data", "demo", "--stocks", "100", "--days", "20")
    assert result.exit_code == 0, result.output
    return data_dir


def _copy(demo_dir: Path, tmp_path: Path) -> Path:
    import shutil

    target = tmp_path / "desk"
    shutil.copytree(demo_dir / "marketdata", target / "marketdata")
    return target


def test_a_truncated_manifest_is_one_sentence(demo_dir: Path, tmp_path: Path) -> None:
    data_dir = _copy(demo_dir, tmp_path)
    manifest = data_dir / "marketdata" / "manifest.json"
    manifest.write_bytes(manifest.read_bytes()[:200])
    result = run("--data-dir", str(data_dir), "data", "check", "--date", "2026-11-20")
    assert result.exit_code == 1
    line = _one_error_line(result.output)
    assert str(manifest) in line and "truncated or not JSON" in line


def test_a_corrupt_parquet_partition_is_one_sentence(demo_dir: Path, tmp_path: Path) -> None:
    data_dir = _copy(demo_dir, tmp_path)
    partition = sorted((data_dir / "marketdata" / "stocks").glob("2026-11.*.parquet"))[0]
    partition.write_bytes(partition.read_bytes()[:3000])
    result = run("--data-dir", str(data_dir), "data", "check", "--date", "2026-11-20")
    assert result.exit_code == 1
    line = _one_error_line(result.output)
    assert str(partition) in line and "unreadable" in line


@pytest.fixture
def raising(request: pytest.FixtureRequest) -> Iterator[None]:
    """A sub-command of the real `desk` group that raises the test's exception."""
    exc: BaseException = request.param

    @click.command("raise-for-test")
    def command() -> None:
        raise exc

    cli.add_command(command)
    yield
    cli.commands.pop("raise-for-test")


@pytest.mark.parametrize("raising", [
    UnknownOrder("no order 'NOPE-1'"),
    click.ClickException(str(UnknownOrder("no order 'NOPE-1'"))),  # a command's str(KeyError)
], indirect=True)
def test_a_desk_error_reads_without_doubled_quotes(raising: None, tmp_path: Path) -> None:
    result = run("--data-dir", str(tmp_path), "raise-for-test")
    assert result.exit_code == 1
    assert _one_error_line(result.output) == "Error: no order 'NOPE-1'"


@pytest.mark.parametrize("raising", [redis.ConnectionError("Connection refused")], indirect=True)
def test_an_unreachable_redis_is_a_sentence(raising: None, tmp_path: Path) -> None:
    result = run("--data-dir", str(tmp_path), "raise-for-test")
    assert result.exit_code == 1
    assert "cannot reach the desk's Redis (Connection refused)" in _one_error_line(result.output)


@pytest.mark.parametrize("raising", [ZeroDivisionError("division by zero")], indirect=True)
def test_a_bug_keeps_its_traceback_in_the_log_not_on_the_terminal(raising: None,
                                                                  tmp_path: Path) -> None:
    result = run("--data-dir", str(tmp_path), "raise-for-test")
    assert result.exit_code == 1
    log = tmp_path / "logs" / "cli.log"
    line = _one_error_line(result.output)
    assert "internal error (ZeroDivisionError: division by zero)" in line and str(log) in line
    text = log.read_text(encoding="utf-8")
    assert "Traceback" in text and "ZeroDivisionError" in text and "raise-for-test" in text


# ---- what a trader sees: headers, empty states in words, exit codes, one error style ----

@pytest.fixture
def trading_desk(redis_server: EmbeddedRedis, redis_client: redis.Redis,
                 tmp_path: Path) -> Iterator[Callable[..., Result]]:
    """`desk ...` against the test's Redis, with the console's users (alice, vera, root)."""
    clock = FixedClock(datetime(2026, 11, 23, 9, 10, tzinfo=EXCHANGE_TZ))
    add_users(redis_client, clock)
    env = {"DESK_REDIS_URL": redis_server.url}

    def desk(*args: str, stdin: str | None = None) -> Result:
        return run("--data-dir", str(tmp_path / "desk"), *args, env=env, stdin=stdin)

    yield desk


def _queue(client: redis.Redis) -> OrderQueue:
    return OrderQueue(client, FixedClock(datetime(2026, 11, 23, 9, 10, tzinfo=EXCHANGE_TZ)))


def test_orders_has_a_header_and_says_when_there_is_nothing(
        trading_desk: Callable[..., Result], redis_client: redis.Redis) -> None:
    none = trading_desk("orders")
    assert none.exit_code == 0 and none.output.startswith("no orders: no batch yet"), none.output
    seed_batch(_queue(redis_client), 3)
    redis_client.hset(streams.LAST_PRICES, mapping={"600000.SSE": "10.8", "000002.SZSE": "9.9"})
    redis_client.hset(PRICE_SOURCES, mapping={"600000.SSE": "prev_close", "000002.SZSE": "last"})
    listing = trading_desk("orders").output.splitlines()
    assert listing[0] == "Orders for 2026-11-23"
    assert listing[1].split() == ["ORDER", "VER", "SYMBOL", "NAME", "SIDE", "QTY", "REF",
                                  "LAST", "LIMIT", "STATE", "FILLED", "APPR", "BY"]
    assert [line.split()[7:9] for line in listing[2:5]] == [["10.80", "prev"], ["9.90", "-"],
                                                            ["-", "-"]]
    assert listing[-1] == "3 orders: 3 pending approval"
    header, row = listing[1], listing[2]
    # Right-aligned under its header, counting a Chinese character as two cells.
    assert width(row[:row.index("10.00") + 5]) == width(header[:header.index("REF") + 3])
    working = trading_desk("orders", "--state", "working")
    assert (working.exit_code, working.output) == (0, "no orders in state working for "
                                                       "2026-11-23\n")
    pending = trading_desk("orders", "--state", "pending_approval", "--date", "2026-11-24")
    assert pending.output == "no pending orders for 2026-11-24\n"


def test_approve_all_with_nothing_pending_says_so(trading_desk: Callable[..., Result],
                                                  redis_client: redis.Redis) -> None:
    result = trading_desk("approve", "--all", "--as", "alice")
    assert (result.exit_code, result.output) == (0, "no pending orders to approve\n")
    ids = seed_batch(_queue(redis_client), 2)
    done = trading_desk("approve", "--all", "--as", "alice")
    assert done.exit_code == 0
    assert done.stdout.splitlines() == [f"{ids[0]}: approved -> approved (released to execution)",
                                        f"{ids[1]}: approved -> approved (released to execution)",
                                        "2 approved"]


def test_refusals_are_errors_with_exit_1_and_no_doubled_quotes(
        trading_desk: Callable[..., Result], redis_client: redis.Redis) -> None:
    ids = seed_batch(_queue(redis_client), 1)
    mixed = trading_desk("approve", ids[0], "NOPE-1", "--as", "alice")
    assert mixed.exit_code == 1
    assert mixed.stderr == "Error: NOPE-1: no order 'NOPE-1'\n"
    assert mixed.stdout.splitlines()[-1] == "1 approved, 1 refused"
    for command in (("pause", "NOPE-1"), ("cancel", "NOPE-1"), ("resume", "NOPE-1")):
        result = trading_desk(*command, "--as", "alice")
        assert result.exit_code == 1
        assert _one_error_line(result.output) == "Error: no order 'NOPE-1'"
    stranger = trading_desk("approve", ids[0], "--as", "mallory")
    assert _one_error_line(stranger.output).startswith(
        "Error: mallory is not an enabled desk user")
    short = trading_desk("order", "add", "600000.SSE", "buy", "100", "--reason", "x",
                         "--limit", "10.00", "--as", "alice")
    assert short.exit_code == 1
    assert _one_error_line(short.output) == (
        "Error: reason: String should have at least 3 characters")
    usage = trading_desk("approve", "--as", "alice")
    assert usage.exit_code == 2 and "give order ids or --all" in usage.output


def test_status_separates_the_batch_from_manual_orders_with_clock_halt_and_nav(
        trading_desk: Callable[..., Result], redis_client: redis.Redis) -> None:
    queue = _queue(redis_client)
    seed_batch(queue, 3)
    set_last(redis_client, "600000.SSE", "10.00")
    add_manual_order(queue, ManualOrderRequest.model_validate(
        {"symbol": "600000.SSE", "side": "buy", "quantity": 200, "reason": "news"}),
        author="alice", account="paper")
    at = datetime(2026, 11, 23, 9, 12, tzinfo=EXCHANGE_TZ)
    publish(redis_client, streams.NAV, "nav", NavSnapshot(
        account="paper", nav=Decimal("50123456.78"), hwm=Decimal("50200000"), drawdown=0.0015,
        stock_value=Decimal(0), cash=Decimal("50123456.78"), at=at), source="risk", ts=at)
    queue.halt(actor="alice", reason="broker drill", halted=True)
    text = trading_desk("status").output
    lines = text.splitlines()
    assert lines[1].startswith("exchange time: ") and "Asia/Shanghai" in lines[1]
    assert "trading: HALTED (alice: broker drill)" in lines
    assert "NAV: 50,123,456.78  high-water 50,200,000.00  drawdown 0.15%  hedge 0%  " \
           "(at 09:12:00)" in lines
    assert "batch: B1 for 2026-11-23: 3 (3 pending approval)" in lines
    assert "manual orders: 1 (1 pending approval)" in lines
    assert "hedge orders: none" in lines


@pytest.mark.parametrize(("service", "expected"), [
    ("execution@ghost", "unknown account 'ghost'; the desk has ['paper']"),
    ("console@paper", "one of alerts, console, execution, risk, scheduler"),
    ("nonsense", "one of alerts, console, execution, risk, scheduler"),
])
def test_desk_run_of_an_unknown_service_or_account_starts_nothing(service: str,
                                                                  expected: str) -> None:
    result = run("run", service)
    assert result.exit_code == 2 and expected in result.output, result.output
    assert "Traceback" not in result.output

"""Every `desk` error is one sentence on the terminal (`Error: ...`, exit 1), never a
traceback; a real bug's traceback goes to the CLI's log file instead."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import click
import pytest
import redis

from execution.approval.queue import UnknownOrder
from services.cli.main import cli
from tests.integration.cli_kit import run


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


@pytest.mark.parametrize("raising", [UnknownOrder("no order 'NOPE-1'")], indirect=True)
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

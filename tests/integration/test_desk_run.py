"""`desk run` as a newcomer uses it: everything comes up, a batch is published, a trader
approves it from the CLI, fills flow, a killed service is restarted by the supervisor,
`desk redis-cli` shows the streams, and SIGTERM stops everything cleanly."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import redis
import yaml

from services.redis_server import EmbeddedRedis
from services.settings_loader import DEFAULT_CONFIG

pytestmark = pytest.mark.slow
DESK = [sys.executable, "-m", "services.cli.main"]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def desk_home(tmp_path: Path) -> Path:
    config = yaml.safe_load(DEFAULT_CONFIG.read_text(encoding="utf-8"))
    config["console"]["port"] = _free_port()
    config["clock"]["speed"] = 120
    config["data"]["demo"]["stocks"] = 1500
    (tmp_path / "desk.yaml").write_text(yaml.safe_dump(config), encoding="utf-8")
    return tmp_path


def _cli(home: Path, *args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*DESK, "--config", str(home / "desk.yaml"), "--data-dir",
                           str(home / "data"), *args], input=stdin, capture_output=True,
                          text=True, timeout=120, env={**os.environ, "DESK_USER": "alice"})


def _wait(what: str, check: Callable[[], Any], timeout: float = 120.0) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = check()
        if value:
            return value
        time.sleep(0.5)
    raise AssertionError(f"timed out waiting for {what}")


@pytest.fixture
def running_desk(desk_home: Path) -> Iterator[tuple[subprocess.Popen[bytes], redis.Redis]]:
    log = (desk_home / "desk.out").open("wb")
    proc = subprocess.Popen([*DESK, "--config", str(desk_home / "desk.yaml"), "--data-dir",
                             str(desk_home / "data"), "run"], stdout=log, stderr=subprocess.STDOUT)
    sock = desk_home / "data" / "redis" / "redis.sock"
    _wait("the desk's Redis", sock.exists, 60)
    client = EmbeddedRedis(desk_home / "data", acl=True).client()  # the admin user
    try:
        yield proc, client
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        log.close()


def _status(home: Path) -> dict[str, Any]:
    result = _cli(home, "status", "--json")
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_desk_runs_a_paper_day_and_stops_cleanly(
        desk_home: Path, running_desk: tuple[subprocess.Popen[bytes], redis.Redis]) -> None:
    proc, client = running_desk
    all_alive = lambda: all(s["alive"] for s in _status(desk_home)["services"].values())  # noqa: E731
    _wait("every service's heartbeat", all_alive)
    batch = _wait("the first batch", lambda: _status(desk_home)["batch"])
    assert batch["states"].get("pending_approval", 0) > 0

    added = _cli(desk_home, "users", "add", "alice", "--role", "trader", "--password-stdin",
                 stdin="correct horse battery staple\n")
    assert added.returncode == 0, added.stderr
    # prices flow from the start of day: past the open at demo speed some moved >5%
    approved = _cli(desk_home, "approve", "--all", "--as", "alice",
                    "--confirm-move")
    assert approved.returncode == 0, approved.stderr + approved.stdout

    has_fill = lambda: any(f["type"] == "fill" for _i, f in client.xrange("desk:events"))  # noqa: E731
    _wait("a fill", has_fill)
    length = _cli(desk_home, "redis-cli", "XLEN", "desk:batches")
    assert length.stdout.strip() == "1"

    # A malformed message on every consumed stream is dead-lettered; nothing stops.
    consumed = ["desk:batches", "desk:proposals", "desk:decisions", "desk:controls",
                "desk:alerts"]
    for stream in consumed:
        client.xadd(stream, {"type": "batch.published", "v": "1", "id": f"bad-{stream}",
                             "source": "attacker", "ts": "2026-11-20T09:00:00+08:00",
                             "body": '{"orders": "not a list"}'})
    dead = lambda: {f["stream"] for _i, f in client.xrange("desk:dlq")}  # noqa: E731
    _wait("five dead letters", lambda: dead() >= set(consumed), 60)
    assert all(s["alive"] for s in _status(desk_home)["services"].values())

    # The supervisor restarts a service that dies.
    beat = json.loads(client.get("desk:heartbeat:execution") or "{}")
    os.kill(int(beat["pid"]), signal.SIGKILL)
    restarted = lambda: json.loads(client.get("desk:heartbeat:execution") or "{}").get("pid")  # noqa: E731
    _wait("the execution service back", lambda: restarted() not in (None, beat["pid"]), 60)

    proc.send_signal(signal.SIGTERM)
    assert proc.wait(timeout=60) == 0
    assert not (desk_home / "data" / "redis" / "redis.sock").exists()

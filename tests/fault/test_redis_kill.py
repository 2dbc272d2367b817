"""SIGKILL the desk's Redis mid-session under `desk run`: the supervisor restarts it from
the AOF, no approval is lost, every service waits for it (same pids: no restart loop)
and `desk status` says plainly that Redis is down while it is. Prints the figures."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from services.redis_server import EmbeddedRedis
from services.settings_loader import DEFAULT_CONFIG

pytestmark = [pytest.mark.integration, pytest.mark.slow]
DESK = [sys.executable, "-m", "services.cli.main"]
SERVICES = ("scheduler", "execution", "risk", "console", "alerts")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _wait(what: str, check: Callable[[], Any], timeout: float) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = check()
        if value:
            return value
        time.sleep(0.1)
    raise AssertionError(f"timed out waiting for {what}")


def _cli(home: Path, *args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*DESK, "--config", str(home / "desk.yaml"), "--data-dir",
                           str(home / "data"), *args], input=stdin, capture_output=True, text=True,
                          timeout=60, env={**os.environ, "DESK_USER": "alice"})


def _pids(client: Any, since: float = 0.0) -> dict[str, int]:
    """Pids of the services whose heartbeat was written after `since` (wall time)."""
    beats = [json.loads(b) for s in SERVICES if (b := client.get(f"desk:heartbeat:{s}"))]
    return {b["service"]: b["pid"] for b in beats if b["wall"] > since}


def _approved(client: Any) -> set[str]:
    day = client.get("desk:batch:current")
    ids = client.zrange(f"desk:orders:{day}", 0, -1)
    records = [json.loads(r) for r in client.mget([f"desk:order:{i}" for i in ids]) if r]
    return {r["order"]["order_id"] for r in records if r["approvals"]}


def test_redis_killed_mid_session_comes_back_from_the_aof(tmp_path: Path) -> None:
    config = yaml.safe_load(DEFAULT_CONFIG.read_text(encoding="utf-8"))
    config["console"]["port"] = _free_port()
    config["clock"]["speed"] = 60
    config["data"]["demo"]["stocks"] = 600
    config.setdefault("alerts", {})["metrics_port"] = 0
    (tmp_path / "desk.yaml").write_text(yaml.safe_dump(config), encoding="utf-8")
    server = EmbeddedRedis(tmp_path / "data", acl=True)
    log = (tmp_path / "desk.out").open("wb")
    desk = subprocess.Popen([*DESK, "--config", str(tmp_path / "desk.yaml"), "--data-dir",
                             str(tmp_path / "data"), "run"], stdout=log, stderr=subprocess.STDOUT)
    try:
        _wait("the desk's Redis", server.is_running, 30)
        client = server.client()
        before = _wait("every heartbeat", lambda: (p := _pids(client)) and len(p) == 5 and p, 40)
        _wait("the batch", lambda: client.get("desk:batch:current"), 30)
        _cli(tmp_path, "users", "add", "alice", "--role", "trader", "--password-stdin",
             stdin="correct horse battery staple\n")
        # prices flow from the start of day: past the open at demo speed some moved >5%
        approved = _cli(tmp_path, "approve", "--all", "--as", "alice",
                        "--confirm-move")
        assert approved.returncode == 0, approved.stdout + approved.stderr
        kept = _approved(client)
        assert kept
        time.sleep(1.5)  # appendfsync everysec: what was acknowledged is on disk

        # Freeze the supervisor so the down window can be looked at, then kill Redis.
        os.kill(desk.pid, signal.SIGSTOP)
        redis_pid = int(server.pidfile.read_text())
        os.kill(redis_pid, signal.SIGKILL)
        _wait("Redis gone", lambda: not server.is_running(), 10)
        status = _cli(tmp_path, "status")
        assert status.returncode == 3 and "Redis is DOWN" in status.stdout, status.stdout
        assert not server.is_running(), "desk status started Redis"
        killed_at, killed_wall = time.monotonic(), time.time()
        os.kill(desk.pid, signal.SIGCONT)

        _wait("Redis restarted", server.is_running, 20)
        redis_back_s = time.monotonic() - killed_at
        client = server.client()
        after = _wait("every service beating again",
                      lambda: (p := _pids(client, killed_wall)) and len(p) == 5 and p, 30)
        services_back_s = time.monotonic() - killed_at
        assert after == before, "a service was restarted instead of waiting for Redis"
        assert kept <= _approved(client), "an approval was lost"
        alerts = [json.loads(f["body"])["title"] for _i, f in client.xrange("desk:alerts")]
        assert "Redis restarted from the AOF" in alerts
        assert int(server.pidfile.read_text()) != redis_pid
        assert _cli(tmp_path, "status").returncode == 0
        print(f"\nFIGURES redis_back_s={redis_back_s:.2f} services_back_s={services_back_s:.2f} "
              f"approvals_kept={len(kept)}")

        desk.send_signal(signal.SIGTERM)
        assert desk.wait(timeout=40) == 0
        assert not server.is_running()
    finally:
        if desk.poll() is None:
            os.kill(desk.pid, signal.SIGCONT)
            desk.kill()
            desk.wait()
        log.close()
    out = (tmp_path / "desk.out").read_text(encoding="utf-8", errors="replace")
    assert "exited with" not in out, "a service died while Redis was down"


SETUP_FAILS = """
import sys, threading, time
from pathlib import Path
from marketdata.clock import WallClock
from services.redis_server import EmbeddedRedis
from services.runtime import Runner, Service, ServiceContext, exit_process
from services.settings_loader import load_settings

class Broken(Service):
    name = "broken"
    def setup(self):
        threading.Thread(target=time.sleep, args=(600,)).start()  # as vnpy's engines do
        raise RuntimeError("unknown gateway 'nope'")

server = EmbeddedRedis(Path(sys.argv[1]), acl=True)
ctx = ServiceContext(settings=load_settings(None), client=server.client(), clock=WallClock(),
                     data_dir=Path(sys.argv[1]))
exit_process(Runner(Broken(ctx)).run())
"""


def test_a_service_whose_setup_fails_exits_non_zero(tmp_path: Path) -> None:
    server = EmbeddedRedis(tmp_path, acl=True)
    server.start()
    try:
        started = time.monotonic()
        done = subprocess.run([sys.executable, "-c", SETUP_FAILS, str(tmp_path)],
                              capture_output=True, text=True, timeout=30)
        assert done.returncode == 2, done.stderr
        assert time.monotonic() - started < 20
        assert "unknown gateway" in done.stderr
    finally:
        server.stop()

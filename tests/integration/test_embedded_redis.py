"""The desk's own Redis: a Unix socket (no TCP port at all), AOF that survives a restart."""

from __future__ import annotations

import json
import os
import signal
import stat
import subprocess
import sys
import time
from pathlib import Path

import pytest
import redis

from services.redis_server import EmbeddedRedis, RedisLeftOver


def test_listens_on_no_tcp_port_and_persists(tmp_path: Path) -> None:
    server = EmbeddedRedis(tmp_path)
    assert server.start() is True
    try:
        assert server.start() is False  # already running: reused, not started twice
        client = redis.Redis.from_url(server.url, decode_responses=True)
        assert client.config_get("port")["port"] == "0"
        assert client.config_get("appendonly")["appendonly"] == "yes"
        client.xadd("desk:batches", {"k": "v"})
    finally:
        server.stop()
    server.stop()  # safe twice
    assert not server.is_running()
    again = EmbeddedRedis(tmp_path)
    again.start()
    try:
        client = redis.Redis.from_url(again.url, decode_responses=True)
        assert client.xlen("desk:batches") == 1
    finally:
        again.stop()


def test_long_data_dir_falls_back_to_a_short_socket_path(tmp_path: Path) -> None:
    deep = tmp_path / ("d" * 90)
    server = EmbeddedRedis(deep)
    assert len(str(server.socket)) <= 100
    server.start()
    try:
        assert server.is_running()
    finally:
        server.stop()


# ---- issue 11: pid file, file modes, lifetime, `desk status` while Redis is down -------


def test_files_are_0600_and_the_directory_0700(tmp_path: Path) -> None:
    server = EmbeddedRedis(tmp_path, acl=True)
    server.start()
    try:
        server.client().set("desk:halt", "x")
        time.sleep(1.2)  # appendfsync everysec: the AOF is written
    finally:
        server.stop()
    assert stat.S_IMODE(server.dir.stat().st_mode) == 0o700
    files = {p.name: stat.S_IMODE(p.stat().st_mode) for p in server.dir.iterdir() if p.is_file()}
    assert {"appendonly.aof", "users.json", "users.acl"} <= set(files)
    assert set(files.values()) == {0o600}, files


def test_a_redis_left_by_an_earlier_run_is_adopted_by_the_owner(tmp_path: Path) -> None:
    first = EmbeddedRedis(tmp_path, acl=True)
    first.start()
    pid = first._process.pid if first._process else 0
    try:
        later = EmbeddedRedis(tmp_path, acl=True)  # a new desk: knows only the pid file
        assert later.start(owner=True) is False
        assert later.adopted_pid == pid and later.alive()
        later.stop()
        assert not first.is_running() and not later.alive()
    finally:
        first.stop()


def test_a_left_redis_that_does_not_answer_is_refused(tmp_path: Path) -> None:
    first = EmbeddedRedis(tmp_path, acl=True)
    first.start()
    assert first._process is not None
    os.kill(first._process.pid, signal.SIGSTOP)  # alive, holds the pid file, answers nothing
    try:
        with pytest.raises(RedisLeftOver, match=f"pid {first._process.pid}"):
            EmbeddedRedis(tmp_path, acl=True).start(owner=True)
    finally:
        os.kill(first._process.pid, signal.SIGCONT)
        first.stop()


def test_a_stale_pid_file_is_cleared(tmp_path: Path) -> None:
    server = EmbeddedRedis(tmp_path, acl=True)
    server.dir.mkdir(parents=True)
    server.pidfile.write_text("999999\n")  # no such process
    assert server.start() is True
    server.stop()


def test_redis_stops_when_the_process_that_started_it_is_killed(tmp_path: Path) -> None:
    code = ("import sys, time; from pathlib import Path; "
            "from services.redis_server import EmbeddedRedis; "
            "EmbeddedRedis(Path(sys.argv[1]), acl=True).start(); print('up', flush=True); "
            "time.sleep(60)")
    starter = subprocess.Popen([sys.executable, "-c", code, str(tmp_path)],
                               stdout=subprocess.PIPE)
    assert starter.stdout is not None and starter.stdout.readline().strip() == b"up"
    server = EmbeddedRedis(tmp_path, acl=True)
    assert server.is_running()
    starter.kill()  # SIGKILL: no cleanup in the starter at all
    starter.wait()
    deadline = time.monotonic() + 10
    while server.is_running() and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not server.is_running(), "Redis outlived the desk that started it (orphaned)"


def test_desk_status_says_redis_is_down_and_does_not_start_it(tmp_path: Path) -> None:
    result = subprocess.run([sys.executable, "-m", "services.cli.main", "--data-dir",
                             str(tmp_path), "status"], capture_output=True, text=True,
                            timeout=60)
    assert result.returncode == 3, result.stdout + result.stderr
    assert "Redis is DOWN" in result.stdout
    server = EmbeddedRedis(tmp_path, acl=True)
    assert not server.is_running() and not server.socket.exists()
    as_json = subprocess.run([sys.executable, "-m", "services.cli.main", "--data-dir",
                              str(tmp_path), "status", "--json"], capture_output=True,
                             text=True, timeout=60)
    assert json.loads(as_json.stdout)["redis"] == "down"

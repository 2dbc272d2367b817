"""The two-server configs deploy/ ships are the ones the shipped redis-server accepts:
deploy/redis-replica.conf (a primary without `replicaof`, a replica with it) and
deploy/sentinel.conf, moved onto loopback, free ports and a temporary directory, with
the users of deploy/users.acl — the replica syncs and the sentinel sees the set."""

from __future__ import annotations

import contextlib
import re
import subprocess
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import redis

from services import redis_acl
from services.redis_ha import free_port
from services.redis_server import redis_binary

ROOT = Path(__file__).resolve().parents[2]
DEPLOY = ROOT / "deploy"


def on_loopback(text: str, ports: dict[str, int], directory: Path,
                passwords: dict[str, str]) -> str:
    """The shipped file with this machine's loopback, ports, paths and passwords."""
    text = re.sub(r"^bind .*$", "bind 127.0.0.1", text, flags=re.M)
    text = text.replace("10.0.0.1 6390", f"127.0.0.1 {ports['primary']}")
    text = re.sub(r"^replicaof 10\.0\.0\.1 6390$", f"replicaof 127.0.0.1 {ports['primary']}",
                  text, flags=re.M)
    text = re.sub(r"^sentinel announce-ip .*$", "sentinel announce-ip 127.0.0.1", text,
                  flags=re.M)
    text = re.sub(r"^port 6390$", f"port {ports['self']}", text, flags=re.M)
    text = re.sub(r"^port 26390$", f"port {ports['self']}", text, flags=re.M)
    text = re.sub(r"^(dir|aclfile) /\S+$", lambda m: f"{m[1]} {directory}"
                  + ("/users.acl" if m[1] == "aclfile" else ""), text, flags=re.M)
    for user in (redis_acl.REPLICA, redis_acl.SENTINEL):
        text = text.replace(f"CHANGE-ME-{user}", passwords[user])
    return text


def users_acl(passwords: dict[str, str]) -> str:
    shipped = (DEPLOY / "users.acl").read_text(encoding="utf-8")
    for user, password in passwords.items():
        shipped = shipped.replace(f">CHANGE-ME-{user} ", f">{password} ")
    return shipped


@pytest.fixture
def started(tmp_path: Path) -> Iterator[Callable[[Path, bool], None]]:
    processes: list[subprocess.Popen[bytes]] = []

    def start(conf: Path, sentinel: bool = False) -> None:
        args = [redis_binary(), str(conf), "--daemonize", "no",
                "--logfile", str(conf.with_suffix(".log"))]
        processes.append(subprocess.Popen([*args, "--sentinel"] if sentinel else args,
                                          cwd=conf.parent, stdin=subprocess.DEVNULL))

    yield start
    for process in processes:
        process.terminate()
        process.wait(timeout=10)


def wait_for(check: Callable[[], bool], what: str, timeout_s: float = 20.0) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        with contextlib.suppress(redis.RedisError):  # not up yet
            if check():
                return
        time.sleep(0.1)
    raise AssertionError(what)


def test_the_shipped_two_server_configs_run_as_written(
    tmp_path: Path, started: Callable[[Path, bool], None],
) -> None:
    passwords = redis_acl.load_or_create_passwords(tmp_path / "users.json")
    ports = {"primary": free_port(), "replica": free_port(), "sentinel": free_port()}
    shipped = (DEPLOY / "redis-replica.conf").read_text(encoding="utf-8")
    for name in ("primary", "replica"):
        directory = tmp_path / name
        directory.mkdir()
        (directory / "users.acl").write_text(users_acl(passwords), encoding="utf-8")
        text = on_loopback(shipped, {**ports, "self": ports[name]}, directory, passwords)
        if name == "primary":  # the runbook: on A, the same file without replicaof
            text = re.sub(r"^replicaof .*\n", "", text, flags=re.M)
        (directory / "redis.conf").write_text(text, encoding="utf-8")
        started(directory / "redis.conf", False)
    sentinel_dir = tmp_path / "sentinel"
    sentinel_dir.mkdir()
    sentinel_conf = sentinel_dir / "sentinel.conf"
    sentinel_conf.write_text(on_loopback((DEPLOY / "sentinel.conf").read_text(encoding="utf-8"),
                                         {**ports, "self": ports["sentinel"]}, sentinel_dir,
                                         passwords), encoding="utf-8")
    started(sentinel_conf, True)

    replica = redis.Redis(port=ports["replica"], username="desk", password=passwords["desk"],
                          decode_responses=True)
    wait_for(lambda: replica.info("replication")["master_link_status"] == "up",
             "the replica did not sync with the primary as the replica user")
    sentinel = redis.Redis(port=ports["sentinel"], decode_responses=True)
    wait_for(lambda: int(sentinel.sentinel_master("desk")["num-slaves"]) == 1
             and sentinel.sentinel_master("desk")["flags"] == "master",
             "the sentinel did not see the primary and its replica as the sentinel user")
    with pytest.raises(redis.exceptions.ReadOnlyError):
        replica.set("desk:halt", "x")

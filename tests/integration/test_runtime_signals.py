"""Services stop like services: one SIGTERM finishes the step, a second stops at once,
teardown always runs, and the heartbeat key disappears."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import redis

from bus import streams
from services.redis_server import EmbeddedRedis

SCRIPT = textwrap.dedent("""
    import sys, time
    from pathlib import Path
    import redis
    from services.settings_loader import DEFAULT_CONFIG, load_settings
    from marketdata.clock import WallClock
    from services.runtime import Runner, Service, ServiceContext

    out = Path(sys.argv[2])
    step_seconds = float(sys.argv[3])

    class Slow(Service):
        name = "slowpoke"
        def step(self):
            with out.open("a") as f: f.write("step-start\\n")
            time.sleep(step_seconds)
            with out.open("a") as f: f.write("step-end\\n")
        def teardown(self):
            with out.open("a") as f: f.write("teardown\\n")

    client = redis.Redis.from_url(sys.argv[1], decode_responses=True)
    ctx = ServiceContext(settings=load_settings(DEFAULT_CONFIG), client=client,
                         clock=WallClock(), data_dir=out.parent)
    runner = Runner(Slow(ctx), heartbeat_interval_s=0.1)
    runner.install_signal_handlers()
    sys.exit(runner.run())
""")


def _start(
    redis_server: EmbeddedRedis, tmp_path: Path, step_s: float
) -> tuple[subprocess.Popen[bytes], Path]:
    out = tmp_path / "trace.txt"
    script = tmp_path / "svc.py"
    script.write_text(SCRIPT)
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[2])}
    proc = subprocess.Popen(
        [sys.executable, str(script), redis_server.url, str(out), str(step_s)], env=env
    )
    deadline = time.monotonic() + 30
    while "step-start" not in (out.read_text() if out.exists() else ""):
        assert proc.poll() is None, "the service died at start"
        assert time.monotonic() < deadline, "the service did not start a step in 30 s"
        time.sleep(0.05)
    return proc, out


def test_first_sigterm_finishes_the_step(
    redis_server: EmbeddedRedis, redis_client: redis.Redis, tmp_path: Path
) -> None:
    proc, out = _start(redis_server, tmp_path, 1.0)
    assert redis_client.exists(streams.HEARTBEAT.format(service="slowpoke"))
    proc.send_signal(signal.SIGTERM)
    assert proc.wait(timeout=20) == 0
    lines = out.read_text().split()
    assert lines[-2:] == ["step-end", "teardown"]
    assert not redis_client.exists(streams.HEARTBEAT.format(service="slowpoke"))


def test_second_sigterm_stops_at_once_and_still_tears_down(
    redis_server: EmbeddedRedis, tmp_path: Path
) -> None:
    proc, out = _start(redis_server, tmp_path, 30.0)
    proc.send_signal(signal.SIGTERM)
    time.sleep(0.2)
    started = time.monotonic()
    proc.send_signal(signal.SIGTERM)
    assert proc.wait(timeout=10) == 1
    assert time.monotonic() - started < 5
    lines = out.read_text().split()
    assert lines[-1] == "teardown" and "step-end" not in lines

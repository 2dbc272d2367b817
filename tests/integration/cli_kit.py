"""Run the real `desk` command group in-process (click's runner)."""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import datetime
from pathlib import Path

import pytest
import redis
from click.testing import CliRunner, Result

from bus import streams
from marketdata.clock import SimulatedClock
from services.cli.main import cli


def run(*args: str, env: Mapping[str, str] | None = None, stdin: str | None = None) -> Result:
    """`desk ARGS`; `result.output` holds stdout and stderr as a terminal shows them,
    `result.stdout` / `result.stderr` each alone."""
    return CliRunner().invoke(cli, list(args), catch_exceptions=False, env=dict(env or {}),
                              input=stdin)


def paper_config_at(tmp_path: Path, redis_url: str, client: redis.Redis, at: datetime,
                    monkeypatch: pytest.MonkeyPatch) -> Path:
    """A paper desk's config on the test's Redis, its simulated clock nearly stopped at `at`."""
    path = tmp_path / "desk.yaml"
    path.write_text(f"mode: paper\ndata_dir: {tmp_path}\nclock: {{mode: simulated}}\n",
                    encoding="utf-8")
    monkeypatch.setenv("DESK_REDIS_URL", redis_url)
    client.set(streams.CLOCK, json.dumps(SimulatedClock.starting_now(at, 1e-6).to_dict()))
    return path

"""`desk redis-cli` on a standby deployment talks to the primary the sentinels name,
before and after a failover (it used to pass `-u None`)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from tests.integration.ha_kit import PASSWORD_ENV, running_ha

pytestmark = pytest.mark.integration


def _cli(config: Path, data_dir: Path, password: str, *args: str) -> str:
    out = subprocess.run(
        [sys.executable, "-m", "services.cli.main", "--config", str(config), "--data-dir",
         str(data_dir), "redis-cli", *args],
        capture_output=True, text=True, timeout=60, stdin=subprocess.DEVNULL,
        env={**_env(), PASSWORD_ENV: password})
    assert out.returncode == 0, out.stdout + out.stderr
    return out.stdout.strip()


def _env() -> dict[str, str]:
    import os

    return {k: v for k, v in os.environ.items() if not k.startswith("DESK_")}


def test_redis_cli_follows_the_primary(tmp_path: Path) -> None:
    with running_ha(tmp_path / "ha") as ha:
        config = tmp_path / "desk.yaml"
        config.write_text(yaml.safe_dump({"mode": "paper", "redis": {
            "password_env": PASSWORD_ENV,
            "sentinel": {"enabled": True, "hosts": list(ha.sentinel_hosts),
                         "master_name": ha.master}}}))
        password = ha.passwords["desk"]
        assert _cli(config, tmp_path, password, "SET", "desk:probe", "1") == "OK"
        assert _cli(config, tmp_path, password, "WAIT", "1", "2000") == "1"
        old = ha.primary_port()
        ha.kill_primary()
        ha.wait_for_failover(old)
        assert _cli(config, tmp_path, password, "GET", "desk:probe") == "1"
        assert _cli(config, tmp_path, password, "ROLE").splitlines()[0] == "master"

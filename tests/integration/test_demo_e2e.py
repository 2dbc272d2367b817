"""`desk demo --auto-approve --json`: a whole compressed day through the real services."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow


def test_demo_runs_a_day_end_to_end(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "services.cli.main", "--data-dir", str(tmp_path), "demo",
         "--auto-approve", "--json", "--stocks", "1500", "--speed", "300"],
        capture_output=True, text=True, timeout=600, stdin=subprocess.DEVNULL,
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    lines = result.stdout.strip().splitlines()
    summary = json.loads(lines[-1])
    assert summary["orders_proposed"] > 0
    assert summary["orders_approved"] == summary["orders_proposed"]
    assert summary["orders_filled"] + summary["orders_partially_filled"] > 0
    assert summary["fills"] > 0 and summary["shares_filled"] > 0
    assert summary["dead_letters"] == 0
    assert summary["nav"] is not None and 0 <= summary["drawdown"] < 0.2
    words = "\n".join(lines[:-1])
    assert "the model proposed" in words and "approved" in words
    assert not (tmp_path / "demo").exists()  # cleaned up without --keep

"""The bench's peak-memory figure is the child's own, not its fat parent's."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from bench.peak_memory import own_peak_mb, touch

ROOT = Path(__file__).resolve().parents[3]
HELPER = ROOT / "bench" / "peak_memory.py"


def child_report(megabytes: int) -> dict[str, float]:
    out = subprocess.run([sys.executable, str(HELPER), "--allocate", str(megabytes)],
                         capture_output=True, text=True, cwd=ROOT, check=True, timeout=60)
    report: dict[str, float] = json.loads(out.stdout.strip().splitlines()[-1])
    return report


def test_a_child_of_a_1_gb_parent_reports_its_own_200_mb() -> None:
    parent = touch(1024)  # the parent's store-building peak, alive at the spawn
    report = child_report(200)
    del parent
    assert report["held_mb"] == 200
    # 200 MB plus a bare interpreter (~10-20 MB), nowhere near the parent's gigabyte.
    assert 200 <= report["own_peak_mb"] <= 300
    # The old figure: the parent's size leaks into the child's ru_maxrss.
    assert report["ru_maxrss_mb"] >= 1000


def test_the_figure_grows_with_what_the_child_touches() -> None:
    small, large = child_report(50), child_report(400)
    assert 50 <= small["own_peak_mb"] <= 150
    assert 400 <= large["own_peak_mb"] <= 500


def test_a_status_without_a_peak_line_is_an_error(tmp_path: Path) -> None:
    status = tmp_path / "status"
    status.write_text("Name:\tpython\nVmRSS:\t  1000 kB\n")
    with pytest.raises(RuntimeError, match="VmHWM"):
        own_peak_mb(status)


def test_a_peak_in_another_unit_is_an_error(tmp_path: Path) -> None:
    status = tmp_path / "status"
    status.write_text("VmHWM:\t  1 GB\n")
    with pytest.raises(ValueError, match="kB"):
        own_peak_mb(status)


def test_the_peak_is_read_in_mib(tmp_path: Path) -> None:
    status = tmp_path / "status"
    status.write_text("VmPeak:\t 999999 kB\nVmHWM:\t  204800 kB\nVmRSS:\t 1024 kB\n")
    assert own_peak_mb(status) == 200.0

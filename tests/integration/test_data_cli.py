"""`desk data demo`, `desk data check` and `desk data import` through click, on a temp data dir."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from tests.integration.cli_kit import run


@pytest.fixture(scope="module")
def demo_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    data_dir = tmp_path_factory.mktemp("desk")
    result = run("--data-dir", str(data_dir), "data", "demo", "--stocks", "300", "--days", "40",
                 "--seed", "3")
    assert result.exit_code == 0, result.output
    assert "300 stocks, 40 trading days" in result.output and "2026-11-20" in result.output
    return data_dir


def test_demo_then_check_passes(demo_dir: Path) -> None:
    result = run("--data-dir", str(demo_dir), "data", "check", "--date", "2026-11-20")
    assert result.exit_code == 0, result.output
    assert "FIT to trade on: 0 error(s)" in result.output


def test_check_fails_when_data_is_stale(demo_dir: Path) -> None:
    result = run("--data-dir", str(demo_dir), "data", "check", "--date", "2026-11-24")
    assert result.exit_code == 1
    assert "[stale]" in result.output and "NOT FIT" in result.output


def test_bad_import_exits_non_zero_and_changes_nothing(demo_dir: Path, tmp_path: Path) -> None:
    folder = tmp_path / "bad"
    (folder / "daily").mkdir(parents=True)
    pd.DataFrame({"symbol": ["600000.SSE"], "open": [1.0]}).to_csv(
        folder / "daily" / "2026-11-23.csv", index=False)
    store = demo_dir / "marketdata" / "manifest.json"
    before = store.read_bytes()
    result = run("--data-dir", str(demo_dir), "data", "import", str(folder))
    assert result.exit_code == 1
    assert "daily/2026-11-23.csv" in result.output and "missing column" in result.output
    assert store.read_bytes() == before


def test_demo_refuses_to_overwrite_imported_data(tmp_path: Path, demo_dir: Path) -> None:
    fresh = tmp_path / "real"
    assert run("--data-dir", str(fresh), "data", "demo", "--stocks", "100", "--days", "20"
               ).exit_code == 0
    manifest = fresh / "marketdata" / "manifest.json"
    manifest.write_text(manifest.read_text().replace('"synthetic"', '"import"'))
    result = run("--data-dir", str(fresh), "data", "demo", "--stocks", "100", "--days", "20")
    assert result.exit_code == 1 and "--force" in result.output


def test_import_needs_a_path_or_vnpy(demo_dir: Path) -> None:
    result = run("--data-dir", str(demo_dir), "data", "import")
    assert result.exit_code == 2 and "give either PATH or --vnpy" in result.output

"""`desk backtest` through click on a demo store, and parity with the nightly run's
own data path (store.load_panel + build_batch, as the scheduler calls them)."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest
import yaml

from marketdata.store import MarketStore
from strategies.backtest import run_backtest
from strategies.config import ModelConfig
from strategies.nightly import build_batch
from tests.integration.cli_kit import run

END = date(2026, 6, 30)  # hedge contracts listed then all expire inside the calendar



@pytest.fixture(scope="module")
def demo_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    data_dir = tmp_path_factory.mktemp("desk")
    result = run("--data-dir", str(data_dir), "data", "demo", "--stocks", "400", "--days",
                 "300", "--seed", "5", "--end", END.isoformat())
    assert result.exit_code == 0, result.output
    return data_dir


def _store(demo_dir: Path) -> MarketStore:
    return MarketStore(next(p.parent for p in demo_dir.rglob("manifest.json")))


def test_backtest_prints_metrics_and_writes_the_report(demo_dir: Path) -> None:
    start = _store(demo_dir).trade_dates()[260]
    report = demo_dir / "out" / "bt.html"
    result = run("--data-dir", str(demo_dir), "backtest", "--start", start.isoformat(),
                 "--end", END.isoformat(), "--report", str(report))
    assert result.exit_code == 0, result.output
    assert "annual return" in result.output and "vs csi1000" in result.output
    # The live desk's participation cap (execution.algo.max_participation), as configured.
    assert "fills window: the day's VWAP, at most 20% of its volume" in result.output
    assert "fill ratio" in result.output
    assert f"report: {report}" in result.output
    html = report.read_text(encoding="utf-8")
    assert html.count("<svg") == 6 and "Maximum drawdown" in html


def test_hedged_backtest_as_json(demo_dir: Path) -> None:
    start = _store(demo_dir).trade_dates()[260]
    result = run("--data-dir", str(demo_dir), "backtest", "--start", start.isoformat(),
                 "--end", END.isoformat(), "--hedge", "--json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["hedged"] is True
    assert set(data["metrics"]["excess"]) == {"csi1000", "csi2000", "microcap"}
    assert data["unhedged_metrics"]["days"] == data["metrics"]["days"] == 40
    assert Path(data["report"]).exists()


def test_window_fills_take_the_configured_cap_and_open_fills_ignore_it(demo_dir: Path) -> None:
    """The cap is the execution service's `execution.algo.max_participation` from the
    settings file (set low here so that it binds on the demo's liquid stocks);
    `--fills open` reproduces the old rule on the same data: whole orders at the open."""
    config = demo_dir / "low_cap.yaml"
    config.write_text(yaml.safe_dump({"mode": "paper", "execution": {
        "algo": {"max_participation": "0.002"}}}), encoding="utf-8")
    start = _store(demo_dir).trade_dates()[260]
    runs = {}
    for style in ("window", "open"):
        result = run("--config", str(config), "--data-dir", str(demo_dir), "backtest",
                     "--start", start.isoformat(), "--end", END.isoformat(), "--fills", style,
                     "--json")
        assert result.exit_code == 0, result.output
        runs[style] = json.loads(result.output)
    assert runs["window"]["fills"] == "window" and runs["window"]["participation"] == "0.002"
    assert runs["open"]["fills"] == "open"
    assert runs["window"]["missed_by_reason"]["volume cap"] > 10
    assert "volume cap" not in runs["open"]["missed_by_reason"]
    assert runs["window"]["fill_ratio"] < runs["open"]["fill_ratio"] - 0.1


def test_bad_dates_are_explained(demo_dir: Path) -> None:
    result = run("--data-dir", str(demo_dir), "backtest", "--start", "2025-09-01",
                 "--end", END.isoformat())
    assert result.exit_code == 1
    assert "needs 250 trade dates of history" in result.output
    result = run("--data-dir", str(demo_dir), "backtest", "--end", END.isoformat())
    assert result.exit_code == 2 and "--start is required" in result.output


def test_backtest_orders_equal_what_the_nightly_run_publishes(demo_dir: Path) -> None:
    store = _store(demo_dir)
    config = ModelConfig()
    days = store.trade_dates()
    result = run_backtest(store, days[255], END, config, keep_batches=True)
    checked = 0
    for book, batch in result.batches[::9]:
        panel = store.load_panel(batch.signal_date, config.lookback_days)
        assert build_batch(panel, book, batch.trade_date, config).to_dict() == batch.to_dict()
        checked += len(batch.orders)
    assert checked > 50

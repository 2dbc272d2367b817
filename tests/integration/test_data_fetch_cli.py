"""`desk data fetch` imports a recorded Tushare day, and the nightly model runs on it."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import pytest
import yaml

from marketdata.calendar import load_calendar
from marketdata.importers.export import day_frame
from marketdata.store import MarketStore
from marketdata.synthetic import generate_market
from tests.integration.cli_kit import run
from tests.unit.marketdata.md_kit import HOLIDAYS, store_through
from tests.unit.marketdata.tushare_kit import record_day

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def desk_dir(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, str, int]:
    """A desk whose store ends the day before the recorded day; its config file."""
    calendar = load_calendar(HOLIDAYS)
    market = generate_market(300, 260, seed=23, calendar=calendar)
    root = tmp_path_factory.mktemp("fetch")
    truth = store_through(root / "truth", market)
    day = truth.trade_dates()[-1]
    store_through(root / "desk" / "marketdata", market, calendar.previous_trading_day(day))
    rec = record_day(truth, day, root / "recorded")
    config = root / "desk.yaml"
    config.write_text(yaml.safe_dump({"mode": "paper", "data": {"fetch": {
        "sources": {"tushare": {"kind": "tushare", "replay_dir": str(rec)},
                    "broken": {"kind": "tushare", "replay_dir": str(root / "nothing"),
                               "retries": 0}},
        "order": ["broken", "tushare"]}}}), encoding="utf-8")
    return root / "desk", config, day.isoformat(), len(day_frame(truth, day))


def test_fetch_imports_the_day_and_the_model_runs_on_it(
        desk_dir: tuple[Path, Path, str, int]) -> None:
    data_dir, config, day, listed = desk_dir
    base = ("--config", str(config), "--data-dir", str(data_dir))
    fetched = run(*base, "data", "fetch", "--date", day)
    assert fetched.exit_code == 0, fetched.output
    assert f"fetched {day} from tushare: {listed} stocks, tables: futures, index" \
        in fetched.stdout
    assert "warning: broken failed, fell back" in fetched.stderr
    assert MarketStore(data_dir / "marketdata").trade_dates()[-1].isoformat() == day
    check = run(*base, "data", "check", "--date", day)
    assert check.exit_code == 0, check.output
    model = run(*base, "model", "run", "--date", day, "--dry-run")
    assert model.exit_code == 0, model.output
    assert f"model run for {day}" in model.stdout and "dry-run" in model.stdout


def test_an_unknown_source_is_an_error_naming_the_configured_ones(
        desk_dir: tuple[Path, Path, str, int]) -> None:
    data_dir, config, day, _listed = desk_dir
    result = run("--config", str(config), "--data-dir", str(data_dir), "data", "fetch",
                 "--date", day, "--source", "wind")
    assert result.exit_code == 1
    assert "wind: no such source; configured: ['broken', 'tushare']" in result.stderr


def test_a_backfill_skips_stored_days_and_reports_its_counts(
        desk_dir: tuple[Path, Path, str, int]) -> None:
    data_dir, config, day, _listed = desk_dir
    before = load_calendar(HOLIDAYS).previous_trading_day(date.fromisoformat(day))
    result = run("--config", str(config), "--data-dir", str(data_dir), "data", "fetch",
                 "--start", before.isoformat(), "--end", day, "--source", "tushare")
    assert result.exit_code == 0, result.output
    assert f"backfill {before} .. {day}:" in result.stdout
    assert MarketStore(data_dir / "marketdata").trade_dates()[-1].isoformat() == day
    fetched, stored = map(int, re.findall(r"(\d+) fetched, (\d+) already stored",
                                          result.stdout)[0])
    assert fetched + stored == 2 and stored >= 1


def test_date_and_a_range_together_are_a_usage_error(desk_dir: tuple[Path, Path, str, int]
                                                     ) -> None:
    data_dir, config, day, _listed = desk_dir
    result = run("--config", str(config), "--data-dir", str(data_dir), "data", "fetch",
                 "--date", day, "--start", day, "--end", day)
    assert result.exit_code == 2 and "give --date, or --start with --end" in result.output

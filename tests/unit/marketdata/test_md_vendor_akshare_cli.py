"""`desk data fetch --source akshare` imports a recorded AKShare day through validation into
the store, and the nightly model runs on it (the CLI in-process, no network, no token)."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from marketdata.calendar import load_calendar
from marketdata.importers.export import day_frame
from marketdata.store import MarketStore
from marketdata.synthetic import generate_market
from tests.integration.cli_kit import run
from tests.unit.marketdata.akshare_kit import record_day
from tests.unit.marketdata.md_kit import HOLIDAYS, store_through

pytestmark = pytest.mark.integration  # the real `desk` command group and nightly model


@pytest.fixture(scope="module")
def desk(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, str, int]:
    """A desk whose store ends the day before the recorded day; its config file."""
    calendar = load_calendar(HOLIDAYS)
    market = generate_market(300, 260, seed=29, calendar=calendar)
    root = tmp_path_factory.mktemp("akshare-fetch")
    truth = store_through(root / "truth", market)
    day = truth.trade_dates()[-1]
    store_through(root / "desk" / "marketdata", market, calendar.previous_trading_day(day))
    rec = record_day(truth, day, root / "recorded")
    config = root / "desk.yaml"
    config.write_text(yaml.safe_dump({"mode": "paper", "data": {"fetch": {
        "sources": {"akshare": {"kind": "akshare", "replay_dir": str(rec)}},
        "order": ["akshare"]}}}), encoding="utf-8")
    return root / "desk", config, day.isoformat(), len(day_frame(truth, day))


def test_fetch_from_akshare_imports_the_day_and_the_model_runs_on_it(
        desk: tuple[Path, Path, str, int]) -> None:
    data_dir, config, day, listed = desk
    base = ("--config", str(config), "--data-dir", str(data_dir))
    fetched = run(*base, "data", "fetch", "--date", day, "--source", "akshare")
    assert fetched.exit_code == 0, fetched.output
    assert f"fetched {day} from akshare: {listed} stocks, tables: futures, index" \
        in fetched.stdout
    assert MarketStore(data_dir / "marketdata").trade_dates()[-1].isoformat() == day
    staged = data_dir / "fetch" / "akshare" / day
    assert (staged / "daily" / f"{day}.csv").is_file()  # what was imported is kept
    check = run(*base, "data", "check", "--date", day)
    assert check.exit_code == 0, check.output
    model = run(*base, "model", "run", "--date", day, "--dry-run")
    assert model.exit_code == 0, model.output
    assert f"model run for {day}" in model.stdout and "dry-run" in model.stdout


def test_a_day_akshare_has_not_published_fails_and_leaves_the_store(
        desk: tuple[Path, Path, str, int], tmp_path: Path) -> None:
    data_dir, config, day, _listed = desk
    empty = tmp_path / "not-yet"
    empty.mkdir()
    for name in (p.name for p in (config.parent / "recorded").iterdir()):
        (empty / name).write_text("", encoding="utf-8")  # every answer empty, no columns
    cfg = yaml.safe_load(config.read_text(encoding="utf-8"))
    cfg["data"]["fetch"]["sources"]["akshare"] = {"kind": "akshare", "replay_dir": str(empty),
                                                  "retries": 0}
    late = tmp_path / "late.yaml"
    late.write_text(yaml.safe_dump(cfg), encoding="utf-8")
    before = MarketStore(data_dir / "marketdata").trade_dates()
    result = run("--config", str(late), "--data-dir", str(data_dir), "data", "fetch",
                 "--date", day, "--source", "akshare")
    assert result.exit_code == 1
    assert "akshare: akshare: the exchanges' stock lists returned no stocks" in result.stderr
    assert MarketStore(data_dir / "marketdata").trade_dates() == before

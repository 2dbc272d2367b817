"""`desk risk liquidity` on a real Redis and a synthetic store: the ledger's holdings, the
store's 20-day averages, days to exit at the execution service's participation cap."""

from __future__ import annotations

import json
from datetime import date, datetime
from datetime import time as dtime
from pathlib import Path

import numpy as np
import pytest
import redis

from bus import streams
from marketdata.calendar import TradingCalendar, load_calendar
from marketdata.clock import EXCHANGE_TZ, SimulatedClock
from marketdata.store import MarketStore
from marketdata.synthetic import write_demo_store
from services.redis_server import EmbeddedRedis
from tests.integration.cli_kit import run

pytestmark = pytest.mark.integration
REPO = Path(__file__).resolve().parents[2]
END = date(2026, 11, 20)
AT = datetime.combine(END, dtime(16, 0), tzinfo=EXCHANGE_TZ)


@pytest.fixture(scope="module")
def calendar() -> TradingCalendar:
    return load_calendar(REPO / "config" / "holidays.yaml")


@pytest.fixture
def desk(tmp_path: Path, redis_server: EmbeddedRedis, redis_client: redis.Redis,
         monkeypatch: pytest.MonkeyPatch, calendar: TradingCalendar) -> tuple[Path, MarketStore]:
    store = write_demo_store(tmp_path / "marketdata", 60, 40, 5, end=END, calendar=calendar)
    path = tmp_path / "desk.yaml"
    path.write_text(f"mode: paper\ndata_dir: {tmp_path}\nclock: {{mode: simulated}}\n",
                    encoding="utf-8")
    monkeypatch.setenv("DESK_REDIS_URL", redis_server.url)
    redis_client.set(streams.CLOCK, json.dumps(SimulatedClock.starting_now(AT, 1e-6).to_dict()))
    return path, store


def held(store: MarketStore) -> dict[str, int]:
    """Five stocks trading on every day of the window: 1 to 5 times their 20-day volume."""
    panel = store.load_panel(END, 20, ["volume", "suspended"])
    ok = [str(s) for s in panel.symbols if (panel["suspended"][s] == 0).all()][:5]
    return {s: int(panel["volume"][s].mean() * (k + 1) / 100) * 100 for k, s in enumerate(ok)}


def seed_ledger(client: redis.Redis, positions: dict[str, int], cash: str = "10000000") -> None:
    client.set(streams.LEDGER.format(account="paper"), json.dumps({
        "account": "paper", "cash": cash, "at": AT.isoformat(), "futures": {},
        "positions": {s: {"quantity": str(q), "sellable": str(q), "avg_cost": "10"}
                      for s, q in positions.items()}}))


def expected_curve(store: MarketStore, positions: dict[str, int], factor: float,
                   cash: float) -> list[float]:
    """Share of NAV in cash in 1, 3, 5 days, worked out from the store's raw columns."""
    panel = store.load_panel(END, 20, ["volume", "close"])
    close = {s: float(panel["close"][s].iloc[-1]) for s in positions}
    nav = cash + sum(q * close[s] for s, q in positions.items())
    adv = {s: float(np.mean(panel["volume"][s])) for s in positions}
    return [(cash + sum(min(q, n * 0.2 * factor * adv[s]) * close[s]
                        for s, q in positions.items())) / nav for n in (1, 3, 5)]


def test_days_to_exit_from_the_ledger_and_the_store(desk: tuple[Path, MarketStore],
                                                    redis_client: redis.Redis) -> None:
    config, store = desk
    positions = held(store)
    seed_ledger(redis_client, positions)
    result = run("--config", str(config), "risk", "liquidity", "--json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert [s["name"] for s in data["scenarios"]] == ["base", "volume_half", "limit_down", "both"]
    assert data["participation"] == 0.2 and data["adv_days"] == 20
    by_name = {s["name"]: s for s in data["scenarios"]}
    # 1 to 5 times ADV at a 20% participation cap: 5, 10, 15, 20, 25 days to exit
    assert sorted(round(r["days_to_exit"], 3) for r in by_name["base"]["holdings"]) == \
        [5.0, 10.0, 15.0, 20.0, 25.0]
    for name, factor in (("base", 1.0), ("volume_half", 0.5)):
        got = [by_name[name]["curve"][n] for n in ("1", "3", "5")]
        assert got == pytest.approx(expected_curve(store, positions, factor, 10_000_000))
    mcap = store.load_panel(END, 1, ["total_mcap"])["total_mcap"].iloc[-1]
    smallest = min(positions, key=lambda s: float(mcap[s]))
    both = {r["symbol"]: r for r in by_name["both"]["holdings"]}
    base = {r["symbol"]: r for r in by_name["base"]["holdings"]}
    for symbol, row in both.items():
        locked = 2.0 if symbol == smallest else 0.0
        assert row["locked"] == (symbol == smallest)
        assert row["days_to_exit"] == pytest.approx(locked + 2 * base[symbol]["days_to_exit"])


def test_text_and_stress(desk: tuple[Path, MarketStore], redis_client: redis.Redis) -> None:
    config, store = desk
    seed_ledger(redis_client, held(store))
    result = run("--config", str(config), "risk", "liquidity", "--stress", "both")
    assert result.exit_code == 0, result.output
    out = result.output
    print(out)  # the example in docs/risk.md
    assert "Liquidity of account paper on 2026-11-20 (20-day averages, participation cap " \
           "20.00% of volume)" in out
    assert "Holdings under both (volume x0.50; the smallest 20.00% of names locked limit-down " \
           "2 days), slowest first" in out
    assert out.count("yes") == 1  # 20% of 5 names: one locked
    assert "5 holdings: 5 over 5 days to exit (the limit)" in out and "{" not in out


def test_unknown_scenario_and_no_ledger(desk: tuple[Path, MarketStore],
                                        redis_client: redis.Redis) -> None:
    config, _ = desk
    result = run("--config", str(config), "risk", "liquidity", "--stress", "crash")
    assert result.exit_code == 2 and "no stress scenario 'crash'; known: base" in result.output
    result = run("--config", str(config), "risk", "liquidity")
    assert result.exit_code == 1
    assert "Error: desk:ledger:paper: no ledger for account 'paper' yet" in result.output


def test_publish_writes_the_document_the_console_reads(desk: tuple[Path, MarketStore],
                                                       redis_client: redis.Redis) -> None:
    from risk.liquidity_doc import read_liquidity_doc

    config, store = desk
    seed_ledger(redis_client, held(store))
    key = streams.LIQUIDITY.format(account="paper")
    assert run("--config", str(config), "risk", "liquidity").exit_code == 0
    assert redis_client.get(key) is None  # looking only publishes nothing
    assert run("--config", str(config), "risk", "liquidity", "--publish").exit_code == 0
    doc = read_liquidity_doc(redis_client.get(key), key)
    assert doc is not None and doc.day == "2026-11-20" and len(doc.scenarios) == 4
    assert doc.scenario("both") is not None and doc.at.startswith("2026-11-20T16:00")

"""A paper day: the desk buys through the simulated broker replaying a stored day, and its
volume share is its own fills against the market's volume of that day in the store."""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from datetime import time as dtime
from pathlib import Path

import pytest
import redis

from execution.engine.home import prepare_vnpy_home

prepare_vnpy_home(Path(tempfile.mkdtemp(prefix="desk-vnpy-")))

from execution.gateway.sim.source import StoreTapeSource  # noqa: E402
from marketdata.calendar import load_calendar  # noqa: E402
from marketdata.store import MarketStore  # noqa: E402
from marketdata.synthetic import write_demo_store  # noqa: E402
from services.eod.trigger import run_eod  # noqa: E402
from services.liquidity_report import build_liquidity, liquidity_json  # noqa: E402
from services.runtime import ServiceContext  # noqa: E402
from services.settings import DeskSettings  # noqa: E402
from services.settings_loader import DEFAULT_CONFIG, load_settings  # noqa: E402
from tests.unit.execution.deskkit import DAY, SimDay, approve, make_order, sim_day  # noqa: E402

pytestmark = pytest.mark.integration
REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> MarketStore:
    calendar = load_calendar(REPO / "config" / "holidays.yaml")
    return write_demo_store(tmp_path_factory.mktemp("store"), 60, 40, 9, end=DAY,
                            calendar=calendar)


def busy_stock(store: MarketStore) -> tuple[str, float, float]:
    """A main-board stock trading on DAY, with its day volume and close."""
    row = store.load_panel(DAY, 1, ["volume", "close", "suspended"]).on(DAY)
    ok = row[(row["suspended"] == 0) & (row["volume"] > 1e6) & (row["close"] < 40)]
    ok = ok[[s.startswith(("60", "00")) for s in ok.index]]
    symbol = str(ok["volume"].idxmax())
    return symbol, float(ok.loc[symbol, "volume"]), float(ok.loc[symbol, "close"])


@pytest.fixture
def morning(redis_client: redis.Redis, tmp_path: Path,
            store: MarketStore) -> Iterator[tuple[SimDay, str, float]]:
    symbol, volume, close = busy_stock(store)
    with sim_day(redis_client, tmp_path / "vnpy", source=StoreTapeSource(store)) as day:
        day.run(dtime(9, 31))
        quantity = int(volume * 0.02) // 100 * 100  # 2% of the day's volume, in an hour
        order = make_order("buy", quantity, symbol=symbol, reference=f"{close:.2f}",
                           limit=f"{close * 1.09:.2f}")
        day.desk.parents.work(approve(day.queue, order))
        day.run(dtime(10, 35))
        yield day, symbol, volume


def test_volume_share_is_the_desks_fills_over_the_days_volume(
        morning: tuple[SimDay, str, float], store: MarketStore) -> None:
    day, symbol, volume = morning
    filled = sum(t.volume for t in day.broker_trades() if t.symbol == symbol)
    assert filled > 0, "the buy must have traded"
    liq = build_liquidity(day.client, store, DeskSettings(mode="paper"), day.clock, DAY)
    row = next(r for r in liq.crowd.rows if r.symbol == symbol)
    assert row.traded == filled  # the order records agree with the broker's trades
    assert row.market_volume == volume
    assert row.volume_share == pytest.approx(filled / volume)
    panel = store.load_panel(DAY, 1, ["float_shares"])
    assert row.held == filled
    assert row.float_share == pytest.approx(filled / float(panel["float_shares"][symbol].iloc[0]))
    doc = liquidity_json(liq, None, 10)
    assert doc["crowding"]["top"][0]["symbol"] == symbol
    print(f"{symbol}: desk filled {filled:,} of {volume:,.0f} shares = "
          f"{row.volume_share:.2%} of the day's volume")



def test_the_daily_report_shows_the_exit_curve_and_the_crowded_name(
        morning: tuple[SimDay, str, float], store: MarketStore, tmp_path: Path) -> None:
    day, symbol, volume = morning
    filled = sum(t.volume for t in day.broker_trades() if t.symbol == symbol)
    settings = load_settings(DEFAULT_CONFIG, env={}).model_copy(update={"data_dir": tmp_path})
    ctx = ServiceContext(settings=settings, client=day.client, clock=day.clock,
                         data_dir=tmp_path, _store=store)
    result = run_eod(ctx, DAY)
    html = result.html.read_text(encoding="utf-8")
    text = result.text.read_text(encoding="utf-8")
    share = f"{filled / volume * 100:.2f}%"
    assert "<h2>Liquidity and crowding</h2>" in html and 'id="liquidity-curve"' in html
    assert f"<td>{symbol}</td>" in html and share in html
    assert "data:image/png;base64," in html and "http" not in html.split("<body")[1]
    assert f"  crowded {symbol}: {share} of the day's volume" in text
    assert "  both: " in text and "profile of" not in text  # the day's own profile

"""The exit curve over a backtest through the synthetic micro-cap crash, beside drawdown.

`pytest -s` prints the figures docs/risk.md quotes; DESK_PLOTS=docs/img writes the
chart there (backtest_exit_curve.png), else into the test's folder.
"""

from __future__ import annotations

import os
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from marketdata.calendar import load_calendar
from marketdata.store import MarketStore
from marketdata.synthetic import CRASH, RegimePlan, generate_market
from marketdata.synthetic.market import write_market
from risk.liquidity import ExitBasis
from risk.liquidity_config import LiquidityConfig
from strategies.backtest import run_backtest
from strategies.backtest.liquidity import exit_curve_history, plot_exit_curve
from strategies.backtest.result import BacktestResult
from tests.unit.strategies.panel_kit import small_config

REPO = Path(__file__).resolve().parents[3]
END = date(2024, 6, 28)
CONFIG = small_config()
BASIS = ExitBasis(participation=0.2, adv_days=CONFIG.constraints.adv_days,
                  max_adv_share=CONFIG.constraints.max_adv_share)


@pytest.fixture(scope="module")
def crash(tmp_path_factory: pytest.TempPathFactory
          ) -> tuple[MarketStore, BacktestResult, pd.DataFrame, tuple[int, int]]:
    calendar = load_calendar(REPO / "config" / "holidays.yaml")
    market = generate_market(200, 260, seed=7, end=END, calendar=calendar,
                             regimes=RegimePlan(rotation_at=None, crash_at=0.75))
    store = MarketStore(tmp_path_factory.mktemp("crash"))
    write_market(store, market)
    days = market.days
    result = run_backtest(store, days[170], days[-1], CONFIG, keep_batches=True)
    panel = store.load_panel(days[-1], len(days))
    [episode] = [r for r in market.regimes if r.name == CRASH]
    return store, result, exit_curve_history(panel, result, BASIS, LiquidityConfig()), \
        (episode.start, episode.stop)


def test_one_row_per_day_and_stress_never_helps(crash) -> None:  # type: ignore[no-untyped-def]
    _, result, curve, _ = crash
    assert list(curve.index) == list(result.daily.index)
    for name in ("base", "both"):
        assert ((curve[f"{name}_1d"] <= curve[f"{name}_3d"] + 1e-12)
                & (curve[f"{name}_3d"] <= curve[f"{name}_5d"] + 1e-12)).all()
        assert curve[f"{name}_1d"].between(0, 1).all()
    for n in (1, 3, 5):
        assert (curve[f"both_{n}d"] <= curve[f"base_{n}d"] + 1e-12).all()
    assert (curve["both_max_days"] >= curve["base_max_days"]).all()


def test_a_day_checked_from_the_raw_store(crash) -> None:  # type: ignore[no-untyped-def]
    store, result, curve, _ = crash
    book, batch = result.batches[40]
    panel = store.load_panel(batch.signal_date, 20, ["close", "volume"])
    close = {s: float(panel["close"][s].iloc[-1]) for s in book.holdings}
    adv = {s: float(np.mean(panel["volume"][s])) for s in book.holdings}  # suspended = 0
    nav = float(book.cash) + sum(h.quantity * close[s] for s, h in book.holdings.items())
    sold = sum(min(h.quantity, 0.2 * adv[s]) * close[s] for s, h in book.holdings.items())
    assert curve["base_1d"].iloc[40] == pytest.approx((float(book.cash) + sold) / nav)


def test_through_the_crash_beside_drawdown(crash, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    _, result, curve, (start, stop) = crash
    nav = result.daily["nav"]
    drawdown = 1 - nav / nav.cummax()
    first = len(result.daily) - (260 - start)  # the episode's first row in the backtest
    before = curve["both_3d"].iloc[:first]
    during = curve["both_3d"].iloc[first:first + (stop - start)]
    print(f"\nmax drawdown {drawdown.max():.2%}; NAV in cash within 3 days under both: "
          f"median {before.median():.2%} before the crash, lowest {during.min():.2%} in it; "
          f"slowest position under both: up to {curve['both_max_days'].max():.1f} days")
    folder = Path(os.environ.get("DESK_PLOTS") or tmp_path)
    path = plot_exit_curve(result, curve, folder / "backtest_exit_curve.png")
    assert path.stat().st_size > 10_000
    assert drawdown.iloc[first:first + (stop - start)].max() > 0.1  # the crash did happen

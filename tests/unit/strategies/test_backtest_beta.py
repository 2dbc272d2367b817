"""The hedge's beta in the backtest and the replay is the risk daemon's beta.

Live (`risk.market_inputs.load_daily`) takes the shares held now over the store's past
closes; the backtest's hedge computes it for each day's holdings (`daily["beta"]`,
`LadderHedge.day_beta`), and a replay from a NAV file uses the stocks' own returns,
cash excluded (`risk.beta.stock_returns`), not the NAV's.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from marketdata.calendar import TradingCalendar, load_calendar
from marketdata.store import MarketStore
from marketdata.synthetic import generate_market
from marketdata.synthetic.market import write_market
from risk.beta import book_beta
from risk.config import RiskConfig
from risk.market_inputs import load_daily
from risk.replay import run_replay
from strategies.backtest import LadderHedge, run_backtest
from strategies.backtest.result import BacktestResult
from tests.unit.strategies.panel_kit import small_config

REPO = Path(__file__).resolve().parents[3]
END = date(2024, 6, 28)
CONFIG = small_config()


@pytest.fixture(scope="module")
def calendar() -> TradingCalendar:
    return load_calendar(REPO / "config" / "holidays.yaml")


@pytest.fixture(scope="module")
def hedged(tmp_path_factory: pytest.TempPathFactory,
           calendar: TradingCalendar) -> tuple[MarketStore, BacktestResult]:
    market = generate_market(120, 240, seed=3, end=END, calendar=calendar)
    store = MarketStore(tmp_path_factory.mktemp("beta"))
    write_market(store, market)
    days = market.days
    hedge = LadderHedge(RiskConfig(), calendar)
    return store, run_backtest(store, days[170], days[-1], CONFIG, hedge=hedge,
                               keep_batches=True, initial_cash=Decimal("50000000"))


def _held_after_close(result: BacktestResult, i: int) -> pd.Series:
    """The shares held after day i's close: the fills of day i on the book of day i."""
    book = result.batches[i][0]
    held = {s: float(h.quantity) for s, h in book.holdings.items()}
    for fill in result.fills[i]:
        held[fill.symbol] = held.get(fill.symbol, 0.0) + \
            (fill.quantity if fill.side == "buy" else -fill.quantity)
    return pd.Series({s: q for s, q in held.items() if q > 0}, dtype=float)


def test_the_backtest_sizes_its_hedge_with_the_daemons_beta(hedged) -> None:  # type: ignore[no-untyped-def]
    store, result = hedged
    checked = 0
    for i in range(5, len(result.daily), 11):
        day = result.daily.index[i].date()
        quantities = _held_after_close(result, i)
        live = load_daily(store, day, quantities, RiskConfig()).beta
        assert result.daily["beta"].iloc[i] == pytest.approx(live, abs=1e-12), day
        checked += 1
    assert checked >= 5
    assert result.daily["beta"].nunique() > 3  # estimated, not the default every day


def test_a_replay_from_a_nav_file_uses_the_stocks_returns_not_the_navs(
        calendar: TradingCalendar) -> None:
    """Half the NAV in cash, the stocks at 1.3x the index: the replay's beta is the live
    function's beta of the stock returns (1.3), where NAV returns gave about 0.65."""
    days = pd.DatetimeIndex(calendar.trading_days(date(2024, 6, 3), date(2024, 12, 31))[:90])
    rng = np.random.default_rng(1)
    index_returns = rng.normal(0.0, 0.012, len(days))
    index_returns[0] = 0.0
    stock_returns = 1.3 * index_returns + rng.normal(0.0, 0.002, len(days))
    stocks = 50_000_000 * np.cumprod(1 + stock_returns)
    nav = pd.DataFrame({"nav": stocks + 50_000_000, "stock_value": stocks}, index=days)
    index = pd.Series(5000 * np.cumprod(1 + index_returns), index=days)
    cfg = RiskConfig()
    replay = run_replay(nav, index, None, cfg, calendar)
    live = book_beta(pd.Series(stock_returns[1:], index=days[1:]), index.pct_change(), cfg.beta)
    assert replay.daily["beta"].iloc[-1] == pytest.approx(live, rel=1e-9)
    assert live == pytest.approx(1.3, abs=0.05)
    diluted = book_beta(nav["nav"].pct_change(), index.pct_change(), cfg.beta)
    assert diluted < 0.7  # what the replay used before


def test_a_replay_given_the_days_betas_uses_them(calendar: TradingCalendar) -> None:
    days = pd.DatetimeIndex(calendar.trading_days(date(2024, 6, 3), date(2024, 9, 30))[:40])
    index = pd.Series(np.linspace(5000, 5200, len(days)), index=days)
    nav = pd.DataFrame({"nav": np.full(len(days), 5e7), "stock_value": np.full(len(days), 4e7)},
                       index=days)
    betas = pd.Series(np.linspace(0.8, 1.2, len(days)), index=days)
    replay = run_replay(nav, index, None, RiskConfig(), calendar, betas=betas)
    np.testing.assert_allclose(replay.daily["beta"].to_numpy(), betas.to_numpy())

"""The demo market's crash scenario: inside the paper run, the index and IM futures fall
with it, an expiry needs a roll, and the risk replay's ladder hedges and then unwinds."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from marketdata.calendar import TradingCalendar
from marketdata.store import MarketStore
from marketdata.synthetic import (
    CRASH,
    CRASH_2024,
    SCENARIOS,
    UnknownScenario,
    scenario_regimes,
    write_demo_store,
)
from marketdata.synthetic.market import generate_window
from orders.order import Offset
from risk.config import RiskConfig
from risk.replay import run_replay

RUN = 30


@pytest.fixture(scope="module")
def crash_store(tmp_path_factory: pytest.TempPathFactory,
                calendar: TradingCalendar) -> MarketStore:
    return write_demo_store(tmp_path_factory.mktemp("crash"), 300, 80, 9, calendar=calendar,
                            scenario=CRASH_2024, run_days=RUN)


def _run_window(store: MarketStore) -> tuple[pd.DataFrame, pd.DataFrame]:
    days = store.trade_dates()
    index = store.load_index(days[0], days[-1]).iloc[-RUN - 1:]
    futures = store.load_futures(index.index[0].date(), days[-1])
    return index, futures


def test_the_crash_falls_inside_the_run_and_before_an_expiry(calendar: TradingCalendar) -> None:
    days = generate_window(80, None, calendar)
    regimes = scenario_regimes(CRASH_2024, days, RUN)
    crash = next(r for r in regimes if r.name == CRASH)
    assert crash.start >= len(days) - RUN and crash.stop <= len(days)
    assert CRASH_2024 in SCENARIOS
    # the same placement whatever the store's length
    longer = generate_window(200, None, calendar)
    again = next(r for r in scenario_regimes(CRASH_2024, longer, RUN) if r.name == CRASH)
    assert longer[again.start] == days[crash.start]


def test_index_and_futures_fall_with_the_crash_and_an_expiry_is_inside(
        crash_store: MarketStore) -> None:
    index, futures = _run_window(crash_store)
    low = index["csi1000"].idxmin()
    assert index["csi1000"].min() / index["csi1000"].iloc[0] < 0.92
    assert index["microcap"].min() / index["microcap"].iloc[0] < 0.80
    front = futures[futures["date"] == index.index[0]].sort_values("expiry").iloc[1]
    same = futures[futures["symbol"] == front["symbol"]].set_index("date")["close"]
    assert same.loc[low] / same.iloc[0] < 0.92  # the contract falls with its index
    expiries = set(futures["expiry"])
    assert any(low < e <= index.index[-1] for e in expiries)


def test_the_ladder_hedges_the_crash_rolls_and_unwinds(crash_store: MarketStore,
                                                       calendar: TradingCalendar) -> None:
    """A book like the micro-cap index (CNY 50m) replayed over the run."""
    index, futures = _run_window(crash_store)
    book = 50e6 * index["microcap"] / index["microcap"].iloc[0]
    nav = pd.DataFrame({"nav": book, "stock_value": book})
    result = run_replay(nav, index["csi1000"], futures, RiskConfig(), calendar)
    opened = [a for a in result.actions if a.offset is Offset.OPEN]
    closed = [a for a in result.actions if a.offset is not Offset.OPEN]
    assert "20% rung" in opened[0].reason
    assert any("roll" in a.reason for a in closed)
    stabilised = [a for a in closed if "stabilised" in a.reason]
    assert stabilised and stabilised[0].day > opened[0].day
    assert result.max_drawdown > 0.20


def test_unknown_scenario_names_the_known_ones(tmp_path: Path,
                                               calendar: TradingCalendar) -> None:
    with pytest.raises(UnknownScenario, match="'crash2025' is not one of crash2024"):
        write_demo_store(tmp_path, 60, 40, 1, calendar=calendar, scenario="crash2025")
    with pytest.raises(ValueError, match="run of 39 days"):
        write_demo_store(tmp_path, 60, 40, 1, calendar=calendar, scenario=CRASH_2024,
                         run_days=39)


"""The simulator's MO tape from a market store: bars priced off the synthetic surface at
the day's index levels, limits from the previous settlement and the index's close, and
dearer puts in the synthetic crash."""

from __future__ import annotations

import math
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from exchange.options import (
    MO_TICK,
    listed_option_months,
    option_last_trading_day,
    option_symbol,
    strike_grid,
)
from execution.gateway.sim.option_tape import option_day
from execution.gateway.sim.source import StoreTapeSource
from execution.gateway.sim.tape import bars_from_frame
from marketdata.calendar import load_calendar
from marketdata.store import MarketStore
from marketdata.synthetic import SyntheticMarket, generate_market
from marketdata.synthetic.market import write_market
from marketdata.synthetic.regimes import CRASH

HOLIDAYS = Path(__file__).resolve().parents[3] / "config" / "holidays.yaml"


@pytest.fixture(scope="module")
def market() -> SyntheticMarket:
    return generate_market(300, 120, seed=11, calendar=load_calendar(HOLIDAYS))


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory, market: SyntheticMarket) -> MarketStore:
    store = MarketStore(tmp_path_factory.mktemp("store"))
    write_market(store, market)
    return store


def crash_day(market: SyntheticMarket) -> date:
    crash = next(r for r in market.regimes if r.name == CRASH)
    return market.days[crash.start + round(crash.length * 0.7) - 1]  # the decline's end


def atm_put(store: MarketStore, day: date) -> str:
    """The next month's put struck nearest the index's previous close."""
    inputs = option_day(store, day)
    assert inputs is not None
    year, month = listed_option_months(day)[1]
    strikes = strike_grid(inputs.index_prev, year, month, day)
    strike = min(strikes, key=lambda k: abs(k - inputs.index_prev))
    return option_symbol(year, month, "P", strike)


def test_option_bars_and_limits_from_the_store(store: MarketStore,
                                               market: SyntheticMarket) -> None:
    day = market.days[60]
    symbol = atm_put(store, day)
    source = StoreTapeSource(store)
    ref = source.refs(day, [symbol])[symbol]
    inputs = option_day(store, day)
    assert inputs is not None and ref.underlying_prev_close == inputs.index_prev
    band = Decimal("0.10") * inputs.index_prev
    assert ref.limit_up is not None and ref.limit_down is not None
    assert ref.limit_up <= ref.prev_close + band < ref.limit_up + MO_TICK
    assert ref.limit_down == max(MO_TICK, ref.limit_down)
    bars = bars_from_frame(source.minute_bars(day, [symbol]))
    assert len(bars) == 240
    for bar in bars:
        assert bar.low <= bar.vwap <= bar.high  # the option's multiplier in the amount
        assert ref.limit_down <= bar.low and bar.high <= ref.limit_up
        assert all(p % MO_TICK == 0 for p in (bar.open, bar.high, bar.low, bar.close))


def test_puts_are_dearer_in_the_crash(store: MarketStore, market: SyntheticMarket) -> None:
    calm_day, worst = market.days[20], crash_day(market)
    calm, crash = option_day(store, calm_day), option_day(store, worst)
    assert calm is not None and crash is not None
    assert crash.stress > calm.stress + 0.2
    source = StoreTapeSource(store)

    def premium_per_root_year(day: date) -> float:
        """The at-the-money put's price as a share of the index, per sqrt(year) left."""
        symbol = atm_put(store, day)
        close = bars_from_frame(source.minute_bars(day, [symbol]))[-1].close
        inputs = option_day(store, day)
        assert inputs is not None
        years = (option_last_trading_day(symbol) - day).days / 365
        return float(close) / float(inputs.index_close) / math.sqrt(years)

    assert premium_per_root_year(worst) > 1.5 * premium_per_root_year(calm_day)


def test_stocks_and_futures_are_untouched_by_options(store: MarketStore,
                                                      market: SyntheticMarket) -> None:
    day = market.days[60]
    source = StoreTapeSource(store)
    stock = next(iter(store.load_panel(day, 1, ["prev_close"]).on(day).index))
    symbols = [stock, atm_put(store, day), "MO2001-P-6000.CFFEX"]  # the last long expired
    refs = source.refs(day, symbols)
    assert stock in refs and symbols[1] in refs and symbols[2] not in refs
    assert set(source.minute_bars(day, symbols)["symbol"]) == {stock, symbols[1]}

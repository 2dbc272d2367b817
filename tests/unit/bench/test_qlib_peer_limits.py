"""The Qlib peer's limit flags are the desk backtest's own rule: its shortcut (only days
moving 4% or more are priced) finds every locked day a full check finds."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from bench.peers.qlib_data import blocked_flags
from marketdata.calendar import load_calendar
from marketdata.schema import Panel
from marketdata.store import MarketStore
from marketdata.synthetic import write_demo_store
from strategies.backtest.engine import delisting_days
from strategies.backtest.fills import DayMarket, day_limits
from strategies.costs import to_price
from strategies.universe import field_array

ROOT = Path(__file__).resolve().parents[3]


@pytest.fixture(scope="module")
def panel(tmp_path_factory: pytest.TempPathFactory) -> Panel:
    root = tmp_path_factory.mktemp("peer") / "market"
    write_demo_store(root, 50, 30, 7, calendar=load_calendar(ROOT / "config" / "holidays.yaml"))
    store = MarketStore(root)
    loaded = store.load_panel(store.trade_dates()[-1], 30)
    # Lock one stock-day at limit-up and another at limit-down, all day.
    for row, col, move in ((5, 3, 1.10), (8, 4, 0.90)):
        symbol = loaded.symbols[col]
        limit = round(field_array(loaded, "prev_close")[row, col] * move, 2)
        for name in ("open", "high", "low", "close"):
            loaded[name].iat[row, col] = limit
        assert symbol.endswith((".SSE", ".SZSE")) and symbol[:2] in ("60", "00")
    return loaded


def full_check(panel: Panel, rows: range) -> tuple[np.ndarray, np.ndarray]:
    """Every tradable stock-day priced with the desk's day_limits (no shortcut)."""
    f = {k: field_array(panel, k) for k in ("open", "high", "low", "volume", "amount",
                                            "prev_close")}
    suspended = field_array(panel, "suspended") > 0
    flags = np.nan_to_num(field_array(panel, "risk_flag"), nan=0.0)
    delisting = delisting_days(flags)
    column = {s: i for i, s in enumerate(panel.symbols)}
    up = np.zeros((len(rows), len(panel.symbols)), dtype=bool)
    down = np.zeros_like(up)
    for i, row in enumerate(rows):
        market = DayMarket(panel.dates[row].date(), column, f["open"][row], f["high"][row],
                           f["low"][row], f["volume"][row], f["amount"][row],
                           f["prev_close"][row], suspended[row], flags[row], delisting[row],
                           np.zeros(len(column)))
        for col, symbol in enumerate(panel.symbols):
            if suspended[row, col] or not f["open"][row, col] > 0 or \
                    not f["volume"][row, col] > 0:
                continue
            limit_up, limit_down = day_limits(symbol, market, col)
            up[i, col] = limit_up is not None and to_price(f["low"][row, col], "low") >= limit_up
            down[i, col] = limit_down is not None and \
                to_price(f["high"][row, col], "high") <= limit_down
    return up, down


def test_the_shortcut_finds_the_same_locked_days_as_a_full_check(panel: Panel) -> None:
    rows = range(1, len(panel.dates))
    untradable, up, down = blocked_flags(panel, rows)
    want_up, want_down = full_check(panel, rows)
    assert up[4, 3] and down[7, 4]  # the two locked above (rows shifted by one)
    assert not up[7, 4] and not down[4, 3]
    np.testing.assert_array_equal(up, want_up)
    np.testing.assert_array_equal(down, want_down)
    assert not (untradable & (up | down)).any()


def test_untradable_days_block_both_sides(panel: Panel) -> None:
    suspended, volume = panel["suspended"].copy(), panel["volume"].copy()
    suspended.iat[10, 6] = True
    volume.iat[11, 6] = 0.0
    changed = Panel(panel.dates, panel.symbols,
                    {**panel.fields, "suspended": suspended, "volume": volume}, panel.instruments)
    untradable, up, down = blocked_flags(changed, range(0, len(panel.dates)))
    assert untradable[10, 6] and untradable[11, 6]
    assert not untradable[12, 6] and not (up[10:12, 6] | down[10:12, 6]).any()

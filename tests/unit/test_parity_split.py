"""The NAV tracking split on a hand-made day: each cause as computed by hand, the
residual keeping what no cause explains."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

import pandas as pd
import pytest

from execution.eod.nav_series import NavRecord
from marketdata.clock import EXCHANGE_TZ
from services.parity.live import LiveDay, Traded
from services.parity.tracking import DayInputs, Prices, split_days
from services.parity.versus import BacktestDay
from strategies.backtest.fills import Fill
from strategies.batch import ModelBatch
from strategies.portfolio_state import Book, Holding

DAY = date(2026, 11, 20)
BEFORE = date(2026, 11, 19)
A, B = "600000.SSE", "000001.SZSE"


def _nav(value: str, futures: str = "0") -> NavRecord:
    return NavRecord(DAY, "paper", Decimal(value), Decimal(0), Decimal(0), Decimal(futures),
                     Decimal(value), 0.0, datetime(2026, 11, 20, 16, tzinfo=EXCHANGE_TZ))


def _batch() -> ModelBatch:
    return ModelBatch(BEFORE, DAY, [], 0, 0, Decimal(0), 0.0, Decimal(0), Decimal(1), 0)


def test_each_cause_as_by_hand_and_the_rest_in_the_residual() -> None:
    closes = pd.DataFrame({A: [10.0, 10.5], B: [20.0, 19.0]},
                          index=pd.DatetimeIndex([BEFORE, DAY]))
    # Live bought 500 A at 10.00 (a partial fill), the backtest 1,000 at 10.10.
    live = LiveDay(DAY, {(A, "buy"): Traded(500, Decimal("5000"), Decimal("5"), 1000)},
                   hedge_fees=Decimal("3"))
    bt = BacktestDay(DAY, Book(Decimal(0), {B: Holding(B, 100, 100, 2)}), _batch(),
                     [Fill(A, "buy", 1000, Decimal("10.10"), Decimal("12"), 1000)])
    live_book = Book(Decimal(0), {B: Holding(B, 300, 300, 2)})  # 200 more B held
    # fill price 500 x 0.10 = 50; quantity -(500 x (10.5 - 10.1)) = -200;
    # carried 200 x (19 - 20) = -200; fees 12 - 5 = 7; futures 40 - 3 = 37.
    expected = 50 - 200 - 200 + 7 + 37
    [split] = split_days([DayInputs(live, live_book, _nav("1000000", "40"), bt,
                                    1000000.0 - expected - 25.0)], Prices(closes))
    assert split.parts["fill_price"] == pytest.approx(50.0, abs=1e-6)
    assert split.parts["fill_quantity"] == pytest.approx(-200.0, abs=1e-6)
    assert split.parts["carried_positions"] == pytest.approx(-200.0, abs=1e-6)
    assert split.parts["fees"] == pytest.approx(7.0, abs=1e-6)
    assert split.parts["futures"] == pytest.approx(37.0, abs=1e-6)
    assert abs(split.parts["residual"] - 25.0) < 1e-6  # e.g. a dividend the split omits
    assert abs(sum(split.parts.values()) - (split.difference or 0.0)) < 1e-6


def test_a_day_without_a_live_nav_has_no_split() -> None:
    closes = pd.DataFrame({A: [10.0, 10.5]}, index=pd.DatetimeIndex([BEFORE, DAY]))
    bt = BacktestDay(DAY, Book(Decimal(0)), _batch(), [])
    [split] = split_days([DayInputs(LiveDay(DAY), None, None, bt, 5.0)], Prices(closes))
    assert split.difference is None and split.parts == {}


def test_an_ex_date_is_a_corporate_action_not_a_carried_position() -> None:
    # 10-for-10 bonus shares on DAY: the price halves, the backtest's book (after the
    # action) holds twice the shares; the live book, recorded the evening before, once.
    closes = pd.DataFrame({A: [20.0, 10.2]}, index=pd.DatetimeIndex([BEFORE, DAY]))
    adj = pd.DataFrame({A: [1.0, 2.0]}, index=closes.index)
    bt = BacktestDay(DAY, Book(Decimal(0), {A: Holding(A, 2000, 2000, 3)}), _batch(), [])
    live_book = Book(Decimal(0), {A: Holding(A, 1500, 1500, 3)})  # 500 more held
    # carried: (1500 - 1000) x (10.2 - 20) = -4900; actions: (1500 - 1000) x 1 x 10.2 = 5100
    [split] = split_days([DayInputs(LiveDay(DAY), live_book, _nav("1000200"), bt,
                                    1000000.0)], Prices(closes, adj))
    assert split.parts["carried_positions"] == pytest.approx(-4900.0, abs=1e-6)
    assert split.parts["corporate_actions"] == pytest.approx(5100.0, abs=1e-6)
    assert split.parts["residual"] == pytest.approx(0.0, abs=1e-6)

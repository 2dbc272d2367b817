from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal

import pytest

from marketdata.clock import EXCHANGE_TZ
from risk.drawdown import HighWaterMark, max_drawdown
from risk.nav import Book, FuturesShort, MissingPrice, compute_nav

T0 = datetime(2026, 11, 23, 10, 0, tzinfo=EXCHANGE_TZ)


def book() -> Book:
    return Book(
        account="paper",
        cash=Decimal("1000000.00"),
        positions={"600000.SSE": 10_000, "000001.SZSE": 5_000, "300750.SZSE": 0},
        futures={"IM2612.CFFEX": FuturesShort("IM2612.CFFEX", 2, Decimal("6000.0"))},
    )


def test_nav_adds_stocks_cash_and_short_pnl() -> None:
    prices = {"600000.SSE": Decimal("10.50"), "000001.SZSE": Decimal("12.34"),
              "IM2612.CFFEX": Decimal("5900.2")}
    nav = compute_nav(book(), prices, multiplier=200, margin_rate=Decimal("0.15"))
    assert nav.stock_value == Decimal("105000.00") + Decimal("61700.00")
    assert nav.futures_pnl == (Decimal("6000.0") - Decimal("5900.2")) * 2 * 200  # short gains
    assert nav.nav == nav.stock_value + Decimal("1000000.00") + nav.futures_pnl
    assert nav.futures_notional == Decimal("5900.2") * 400
    assert nav.futures_margin == Decimal("354012.00")
    assert nav.free_cash == nav.cash + nav.futures_pnl - nav.futures_margin


def test_a_missing_price_names_the_symbol() -> None:
    with pytest.raises(MissingPrice, match=r"000001\.SZSE .*5000 shares"):
        compute_nav(book(), {"600000.SSE": Decimal("10"), "IM2612.CFFEX": Decimal("6000")},
                    multiplier=200, margin_rate=Decimal("0.12"))


def test_high_water_mark_only_rises() -> None:
    hwm = HighWaterMark(Decimal("100"), T0)
    lower = hwm.advanced(Decimal("90"), T0 + timedelta(seconds=3))
    assert lower is hwm
    assert lower.drawdown(Decimal("90")) == pytest.approx(0.10)
    higher = hwm.advanced(Decimal("101"), T0 + timedelta(seconds=6))
    assert higher.value == Decimal("101") and higher.at == T0 + timedelta(seconds=6)
    assert higher.drawdown(Decimal("105")) == 0.0


def test_high_water_mark_round_trips_and_refuses_garbage() -> None:
    hwm = HighWaterMark(Decimal("12345678.90"), T0)
    assert HighWaterMark.from_json(hwm.to_json(), "desk:risk:hwm:paper") == hwm
    with pytest.raises(ValueError, match="desk:risk:hwm:paper"):
        HighWaterMark.from_json('{"value": "abc"}', "desk:risk:hwm:paper")
    with pytest.raises(ValueError, match="timezone-aware"):
        HighWaterMark(Decimal(1), datetime(2026, 1, 5, 10, 0))


def test_max_drawdown_of_a_series() -> None:
    assert max_drawdown([100, 120, 90, 130, 117]) == pytest.approx(0.25)
    assert max_drawdown([1, 2, 3]) == 0.0

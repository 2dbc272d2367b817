"""Section 6 of the reference: CSI 1000 index futures (IM)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from rules_kit import HolidayCalendar

from exchange import (
    final_settlement_price,
    future_fee,
    future_spec,
    last_trading_day,
    listed_contracts,
    open_room,
    quantity_rule,
)

D = Decimal


def test_multiplier_is_200_and_tick_is_0_2_points() -> None:
    spec = future_spec("IM2612.CFFEX")
    assert (spec.multiplier, spec.tick) == (200, D("0.2"))
    assert spec.tick * spec.multiplier == 40  # CNY per tick


def test_months_listed_are_this_next_and_two_quarter_months() -> None:
    assert listed_contracts(date(2026, 11, 20)) == [  # IM2611's last trading day
        "IM2611.CFFEX",
        "IM2612.CFFEX",
        "IM2703.CFFEX",
        "IM2706.CFFEX",
    ]
    assert listed_contracts(date(2026, 11, 23)) == [
        "IM2612.CFFEX",
        "IM2701.CFFEX",
        "IM2703.CFFEX",
        "IM2706.CFFEX",
    ]
    assert listed_contracts(date(2026, 4, 1)) == [
        "IM2604.CFFEX",
        "IM2605.CFFEX",
        "IM2606.CFFEX",
        "IM2609.CFFEX",
    ]


def test_this_month_rolls_after_its_last_trading_day() -> None:
    assert listed_contracts(date(2026, 12, 18))[0] == "IM2612.CFFEX"
    assert listed_contracts(date(2026, 12, 21)) == [
        "IM2701.CFFEX",
        "IM2702.CFFEX",
        "IM2703.CFFEX",
        "IM2706.CFFEX",
    ]


def test_no_contracts_before_im_was_listed() -> None:
    with pytest.raises(ValueError, match="2022-07-22"):
        listed_contracts(date(2022, 7, 21))


def test_last_trading_day_is_the_third_friday() -> None:
    assert last_trading_day("IM2612.CFFEX") == date(2026, 12, 18)
    assert last_trading_day("IM2403.CFFEX") == date(2024, 3, 15)
    assert last_trading_day("IM2605.CFFEX") == date(2026, 5, 15)


def test_last_trading_day_moves_past_a_holiday() -> None:
    calendar = HolidayCalendar(date(2026, 12, 18), date(2026, 12, 21))
    assert last_trading_day("IM2612.CFFEX", calendar) == date(2026, 12, 22)


def test_last_trading_day_needs_no_calendar_far_beyond_it() -> None:
    calendar = HolidayCalendar(covered_through=date(2026, 12, 31))
    assert last_trading_day("IM2612.CFFEX", calendar) == date(2026, 12, 18)


def test_final_settlement_is_the_mean_over_the_last_two_hours() -> None:
    spec = future_spec("IM2612.CFFEX")
    assert (spec.settlement_window[0].hour, spec.settlement_window[1].hour) == (13, 15)
    values = [D("6000.10"), D("6000.20"), D("6000.30"), D("6000.45")]
    assert final_settlement_price("IM2612.CFFEX", values) == D("6000.26")  # 6000.2625
    with pytest.raises(ValueError, match="no index values"):
        final_settlement_price("IM2612.CFFEX", [])


def test_exchange_margin_is_twelve_percent() -> None:
    assert future_spec("IM2612.CFFEX").exchange_margin == D("0.12")


def test_order_size_is_20_limit_10_market() -> None:
    rule = quantity_rule("IM2612.CFFEX")
    assert (rule.max_limit_order, rule.max_market_order) == (20, 10)


def test_open_limit_is_500_lots_a_day_hedging_exempt() -> None:
    assert open_room("IM2612.CFFEX", opened_today=0, position=0) == 500
    assert open_room("IM2612.CFFEX", opened_today=480, position=0) == 20
    assert open_room("IM2612.CFFEX", opened_today=600, position=0) == 0
    assert open_room("IM2612.CFFEX", opened_today=600, position=0, hedging=True) is None


def test_position_limit_is_1200_lots_per_side() -> None:
    assert open_room("IM2612.CFFEX", opened_today=0, position=1_000) == 200
    assert open_room("IM2612.CFFEX", opened_today=0, position=1_200) == 0
    with pytest.raises(ValueError, match="expected >= 0"):
        open_room("IM2612.CFFEX", opened_today=-1, position=0)


def test_closing_today_costs_more_than_closing_an_old_position() -> None:
    on = date(2026, 11, 20)
    price = D("6000.0")  # notional per lot 1,200,000
    assert future_fee("IM2612.CFFEX", "open", 1, price, on) == D("27.60")
    assert future_fee("IM2612.CFFEX", "close", 1, price, on) == D("27.60")
    # 0.023% since 2023-03-20 (it was 0.0345%, 414.00 a lot: see the futures-limits tests)
    assert future_fee("IM2612.CFFEX", "close_today", 1, price, on) == D("276.00")
    with pytest.raises(ValueError, match="offset 'reverse'"):
        future_fee("IM2612.CFFEX", "reverse", 1, price, on)

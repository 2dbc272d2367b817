"""The fee rates and board bands are remembered per day (a backtest asks for them on
every fill): a remembered day never hides a dated change, an error is raised again,
and the fast paths give the answers (and the refusals) of the ordinary checks."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal

import pytest

from exchange import (
    Board,
    CommissionConfig,
    RuleNotModelled,
    Side,
    UnsupportedSecurity,
    board_band,
    delisting_free_days,
    fees,
    price_band,
)
from exchange.fees import fee_total
from exchange.prices import check_price, is_valid_price

D = Decimal
COMMISSION = CommissionConfig(rate=D("0.00025"))
BEFORE_CUT, AFTER_CUT = date(2023, 8, 25), date(2023, 8, 28)  # stamp and handling cut


def _sell_1000_at_10(on: date) -> tuple[Decimal, ...]:
    f = fees("600000.SSE", "sell", 1000, D("10.00"), on, COMMISSION)
    return f.stamp_duty, f.transfer_fee, f.handling_fee, f.commission, f.total


def test_fees_on_either_side_of_a_rate_change_in_any_order() -> None:
    # 10,000 CNY: stamp 0.1% then 0.05%; handling 0.00487% (0.487 -> 0.49) then
    # 0.00341% (0.341 -> 0.34); transfer 0.001%; commission the 5 CNY minimum.
    old = (D("10.00"), D("0.10"), D("0.49"), D("5.00"), D("15.59"))
    new = (D("5.00"), D("0.10"), D("0.34"), D("5.00"), D("10.44"))
    for _ in range(2):  # the second round reads both days from memory
        assert _sell_1000_at_10(BEFORE_CUT) == old
        assert _sell_1000_at_10(AFTER_CUT) == new
    assert _sell_1000_at_10(AFTER_CUT) == new and _sell_1000_at_10(BEFORE_CUT) == old


def test_the_transfer_fee_halving_is_seen_after_a_remembered_day() -> None:
    # 1,000,000 CNY: transfer 0.002% = 20.00 until 2022-04-28, 0.001% = 10.00 from 04-29.
    on_days = [date(2022, 4, 28), date(2022, 4, 29), date(2022, 4, 28)]
    got = [fees("000001.SZSE", "buy", 100_000, D("10.00"), d, COMMISSION).transfer_fee
           for d in on_days]
    assert got == [D("20.00"), D("10.00"), D("20.00")]


def test_a_day_before_the_tables_raises_each_time_naming_the_first_missing_table() -> None:
    for _ in range(2):
        # A sell reads stamp duty first (from 2008-09-19), a buy the transfer fee (2015).
        with pytest.raises(RuleNotModelled, match="stamp duty"):
            fees("600000.SSE", "sell", 100, D("10.00"), date(2008, 1, 2), COMMISSION)
        with pytest.raises(RuleNotModelled, match="transfer fee"):
            fees("600000.SSE", "buy", 100, D("10.00"), date(2008, 1, 2), COMMISSION)
        with pytest.raises(RuleNotModelled, match="transfer fee"):
            fees("600000.SSE", "sell", 100, D("10.00"), date(2012, 1, 4), COMMISSION)


@pytest.mark.parametrize("side", ["buy", "sell", Side.BUY, Side.SELL, "SELL", "Buy"])
def test_the_total_alone_is_the_breakdown_total_for_every_spelling_of_a_side(
        side: str) -> None:
    for on in (BEFORE_CUT, AFTER_CUT):
        for quantity, price in ((100, D("3.37")), (2300, D("18.05")), (91_000, D("6.66"))):
            breakdown = fees("300750.SZSE", side, quantity, price, on, COMMISSION)
            total = fee_total("300750.SZSE", side, quantity, price, on, COMMISSION)
            assert total == breakdown.total and str(total) == str(breakdown.total)
            selling = str(side).lower() == "sell"
            assert (breakdown.stamp_duty > 0) is selling


def test_a_bad_side_a_bad_price_and_a_non_stock_are_refused_as_before() -> None:
    with pytest.raises(ValueError, match="side 'short'"):
        fee_total("600000.SSE", "short", 100, D("10.00"), AFTER_CUT, COMMISSION)
    with pytest.raises(ValueError, match=re.escape("fill price of 600000.SSE 10.005")):
        fee_total("600000.SSE", "buy", 100, D("10.005"), AFTER_CUT, COMMISSION)
    with pytest.raises(TypeError, match="expected a Decimal"):
        fee_total("600000.SSE", "buy", 100, 10.0, AFTER_CUT, COMMISSION)  # type: ignore[arg-type]
    with pytest.raises(UnsupportedSecurity, match="future_fee"):
        fee_total("IM2612.CFFEX", "buy", 1, D("6000.0"), AFTER_CUT, COMMISSION)
    with pytest.raises(UnsupportedSecurity, match="B-shares"):
        fee_total("900901.SSE", "buy", 100, D("1.00"), AFTER_CUT, COMMISSION)


@pytest.mark.parametrize("price", [D("10.00"), D("10.005"), D("0"), D("-1.00"), D("NaN"),
                                   D("Infinity"), 10, 10.0, "10.00"])
def test_the_fast_price_check_agrees_with_check_price(price: object) -> None:
    try:
        check_price(price, "p")  # type: ignore[arg-type]
    except (TypeError, ValueError):
        accepted = False
    else:
        accepted = True
    assert is_valid_price(price) is accepted


def test_chinext_band_across_its_registration_reform_in_any_order() -> None:
    days = [date(2020, 8, 21), date(2020, 8, 24), date(2020, 8, 21), date(2020, 8, 24)]
    assert [price_band("300750.SZSE", d) for d in days] == [D("0.10"), D("0.20")] * 2
    assert [price_band("300750.SZSE", d, st=True) for d in days] == [D("0.05"), D("0.20")] * 2
    assert [board_band(Board.CHINEXT, d) for d in reversed(days)] == [D("0.20"), D("0.10")] * 2


def test_main_board_risk_warning_band_across_its_change_in_any_order() -> None:
    days = [date(2026, 7, 3), date(2026, 7, 6), date(2026, 7, 3)]
    assert [price_band("600000.SSE", d, st=True) for d in days] == \
        [D("0.05"), D("0.10"), D("0.05")]
    assert [price_band("600000.SSE", d) for d in days] == [D("0.10")] * 3  # normal: unchanged


def test_delisting_free_day_across_the_2020_reform_in_any_order() -> None:
    before, after = date(2020, 12, 30), date(2020, 12, 31)
    for _ in range(2):
        assert (delisting_free_days(Board.MAIN, before), delisting_free_days(Board.MAIN, after)) \
            == (0, 1)
        assert price_band("600000.SSE", before, delisting_day=1) == D("0.10")
        assert price_band("600000.SSE", after, delisting_day=1) is None
        assert price_band("600000.SSE", after, delisting_day=2) == D("0.10")


def test_a_band_before_its_table_raises_each_time() -> None:
    for _ in range(2):
        with pytest.raises(RuleNotModelled, match="normal band of star"):
            price_band("688001.SSE", date(2019, 7, 19))
    with pytest.raises(UnsupportedSecurity, match="B-shares"):
        price_band("900901.SSE", AFTER_CUT)

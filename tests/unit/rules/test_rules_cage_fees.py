"""Section 2 (price cage, tick) and section 4 (costs) of the reference."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import ValidationError

from exchange import (
    CommissionConfig,
    RuleNotModelled,
    UnsupportedSecurity,
    fees,
    price_cage,
    tick_size,
)

D = Decimal
CAGE_DAY = date(2026, 11, 20)
NO_COMMISSION = CommissionConfig(rate=D("0"), minimum_waived=True)


def test_stock_tick_is_one_cent_and_im_is_point_two() -> None:
    assert tick_size("600000.SSE") == D("0.01")
    assert tick_size("920001.BSE") == D("0.01")
    assert tick_size("IM2612.CFFEX") == D("0.2")


@pytest.mark.parametrize("symbol", ["600000.SSE", "000001.SZSE", "300750.SZSE"])
def test_main_and_chinext_cage_is_two_percent_or_ten_ticks(symbol: str) -> None:
    # Reference 10.00: 2% = 0.20 beats 10 ticks = 0.10.
    assert price_cage(symbol, "buy", D("10.00"), CAGE_DAY) == (None, D("10.20"))
    assert price_cage(symbol, "sell", D("10.00"), CAGE_DAY) == (D("9.80"), None)
    # Reference 2.00: 2% = 0.04, so 10 ticks wins.
    assert price_cage(symbol, "buy", D("2.00"), CAGE_DAY) == (None, D("2.10"))
    assert price_cage(symbol, "sell", D("2.00"), CAGE_DAY) == (D("1.90"), None)


def test_cage_bounds_round_to_the_legal_side() -> None:
    # 10.01 x 1.02 = 10.2102 -> highest legal buy 10.21; x 0.98 = 9.8098 -> lowest sell 9.81.
    assert price_cage("600000.SSE", "buy", D("10.01"), CAGE_DAY) == (None, D("10.21"))
    assert price_cage("600000.SSE", "sell", D("10.01"), CAGE_DAY) == (D("9.81"), None)


def test_star_cage_is_two_percent_only() -> None:
    assert price_cage("688981.SSE", "buy", D("2.00"), CAGE_DAY) == (None, D("2.04"))
    assert price_cage("688981.SSE", "sell", D("2.00"), CAGE_DAY) == (D("1.96"), None)


def test_main_board_cage_starts_2023_04_10() -> None:
    assert price_cage("600000.SSE", "buy", D("10.00"), date(2023, 4, 7)) == (None, None)
    assert price_cage("600000.SSE", "buy", D("2.00"), date(2023, 4, 10)) == (None, D("2.10"))


def test_chinext_cage_was_two_percent_only_before_2023_04_10() -> None:
    assert price_cage("300750.SZSE", "buy", D("2.00"), date(2023, 4, 7)) == (None, D("2.04"))


def test_sell_cage_never_below_one_cent_and_futures_have_none() -> None:
    assert price_cage("600000.SSE", "sell", D("0.05"), CAGE_DAY) == (D("0.01"), None)
    assert price_cage("IM2612.CFFEX", "buy", D("6000.0"), CAGE_DAY) == (None, None)


def test_stamp_duty_is_sells_only_and_halved_on_2023_08_28() -> None:
    before = fees("600000.SSE", "sell", 10_000, D("10.00"), date(2023, 8, 25), NO_COMMISSION)
    after = fees("600000.SSE", "sell", 10_000, D("10.00"), date(2023, 8, 28), NO_COMMISSION)
    buy = fees("600000.SSE", "buy", 10_000, D("10.00"), date(2023, 8, 28), NO_COMMISSION)
    assert (before.stamp_duty, after.stamp_duty, buy.stamp_duty) == (
        D("100.00"),
        D("50.00"),
        D("0"),
    )


def test_transfer_fee_both_sides_halved_on_2022_04_29() -> None:
    value = (100_000, D("10.00"))  # 1,000,000 CNY
    assert fees("000001.SZSE", "buy", *value, date(2022, 4, 28), NO_COMMISSION).transfer_fee == D(
        "20.00"
    )
    assert fees("000001.SZSE", "buy", *value, date(2022, 4, 29), NO_COMMISSION).transfer_fee == D(
        "10.00"
    )
    assert fees("000001.SZSE", "sell", *value, date(2022, 4, 29), NO_COMMISSION).transfer_fee == D(
        "10.00"
    )


def test_handling_fee_is_0_00341_percent_from_2023_08_28() -> None:
    value = (100_000, D("10.00"))
    assert fees("600000.SSE", "buy", *value, date(2023, 8, 28), NO_COMMISSION).handling_fee == D(
        "34.10"
    )
    assert fees("600000.SSE", "sell", *value, date(2023, 8, 25), NO_COMMISSION).handling_fee == D(
        "48.70"
    )


def test_commission_has_a_minimum_unless_waived() -> None:
    small = (100, D("10.00"))  # 1,000 CNY: 0.025% is 0.25 CNY
    with_minimum = CommissionConfig(rate=D("0.00025"))
    waived = CommissionConfig(rate=D("0.00025"), minimum_waived=True)
    assert fees("600000.SSE", "buy", *small, CAGE_DAY, with_minimum).commission == D("5.00")
    assert fees("600000.SSE", "buy", *small, CAGE_DAY, waived).commission == D("0.25")
    big = fees("600000.SSE", "buy", 100_000, D("10.00"), CAGE_DAY, with_minimum)
    assert big.commission == D("250.00")


def test_total_is_the_sum_rounded_per_item() -> None:
    result = fees(
        "688981.SSE", "sell", 1_234, D("56.78"), CAGE_DAY, CommissionConfig(rate=D("0.0002"))
    )
    # value 70,066.52: stamp 35.03326 -> 35.03, transfer 0.70 (0.7006652), handling 2.39
    # (2.3892683...), commission 14.013304 -> 14.01.
    assert (result.stamp_duty, result.transfer_fee, result.handling_fee, result.commission) == (
        D("35.03"),
        D("0.70"),
        D("2.39"),
        D("14.01"),
    )
    assert result.total == D("52.13")


def test_fees_refuse_bad_input() -> None:
    with pytest.raises(ValueError, match="fill quantity 0"):
        fees("600000.SSE", "buy", 0, D("10.00"), CAGE_DAY, NO_COMMISSION)
    with pytest.raises(ValueError, match="fill price"):
        fees("600000.SSE", "buy", 100, D("10.001"), CAGE_DAY, NO_COMMISSION)
    with pytest.raises(RuleNotModelled, match="transfer fee"):
        fees("600000.SSE", "buy", 100, D("10.00"), date(2015, 7, 31), NO_COMMISSION)
    with pytest.raises(UnsupportedSecurity, match="future_fee"):
        fees("IM2612.CFFEX", "buy", 1, D("6000.0"), CAGE_DAY, NO_COMMISSION)


def test_commission_config_is_strict() -> None:
    with pytest.raises(ValidationError):
        CommissionConfig(rate=D("0.00025"), minimun=D("5"))  # type: ignore[call-arg]
    with pytest.raises(ValidationError):
        CommissionConfig(rate=D("0.01"))
    config = CommissionConfig(rate=D("0.0003"))
    with pytest.raises(ValidationError):
        config.rate = D("0.0001")  # type: ignore[misc]


@given(
    reference_cents=st.integers(min_value=1, max_value=1_000_000),
    symbol=st.sampled_from(["600000.SSE", "300750.SZSE", "688981.SSE"]),
)
def test_cage_bound_is_the_last_legal_tick(reference_cents: int, symbol: str) -> None:
    reference = D(reference_cents) / 100
    _, high = price_cage(symbol, "buy", reference, CAGE_DAY)
    low, _ = price_cage(symbol, "sell", reference, CAGE_DAY)
    ticks = 0 if symbol.startswith("688") else 10
    allowed_high = max(reference * D("1.02"), reference + D("0.01") * ticks)
    allowed_low = min(reference * D("0.98"), reference - D("0.01") * ticks)
    assert high is not None and low is not None
    assert high <= allowed_high < high + D("0.01")
    assert low == D("0.01") or low - D("0.01") < allowed_low <= low

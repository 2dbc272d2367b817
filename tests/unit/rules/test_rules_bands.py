"""Section 1 of the reference: daily price bands, one test per table row."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from rules_kit import GOLDEN_WEEK_2026

from exchange import Board, FirstDayCap, NewListing, RuleNotModelled, new_listing, price_band


def band(symbol: str, on: date, **kwargs: object) -> str | None:
    value = price_band(symbol, on, **kwargs)  # type: ignore[arg-type]
    return None if value is None else str(value)


@pytest.mark.parametrize("symbol", ["600000.SSE", "000001.SZSE", "002594.SZSE"])
def test_main_board_is_ten_percent(symbol: str) -> None:
    assert band(symbol, date(2026, 11, 20)) == "0.10"
    assert band(symbol, date(2015, 8, 3)) == "0.10"


@pytest.mark.parametrize("symbol", ["600000.SSE", "000001.SZSE"])
def test_main_board_st_is_five_percent_until_2026_07_03_then_ten(symbol: str) -> None:
    assert band(symbol, date(2026, 7, 3), st=True) == "0.05"
    assert band(symbol, date(2026, 7, 6), st=True) == "0.10"
    assert band(symbol, date(2020, 1, 6), st=True) == "0.05"


@pytest.mark.parametrize("symbol", ["300750.SZSE", "301269.SZSE", "302132.SZSE"])
def test_chinext_is_twenty_percent_from_2020_08_24_ten_before(symbol: str) -> None:
    assert band(symbol, date(2020, 8, 21)) == "0.10"
    assert band(symbol, date(2020, 8, 24)) == "0.20"
    assert band(symbol, date(2020, 8, 24), st=True) == "0.20"
    assert band(symbol, date(2026, 7, 6), st=True) == "0.20"


def test_chinext_st_before_the_reform_is_five_percent() -> None:
    assert band("300001.SZSE", date(2020, 8, 21), st=True) == "0.05"


@pytest.mark.parametrize("symbol", ["688981.SSE", "689009.SSE"])
def test_star_is_twenty_percent_st_too(symbol: str) -> None:
    assert band(symbol, date(2019, 7, 22)) == "0.20"
    assert band(symbol, date(2026, 11, 20), st=True) == "0.20"


def test_star_did_not_exist_before_2019_07_22() -> None:
    with pytest.raises(RuleNotModelled, match="2019-07-22"):
        price_band("688001.SSE", date(2019, 7, 19))


def test_bse_is_thirty_percent_st_too() -> None:
    assert band("920001.BSE", date(2026, 11, 20)) == "0.30"
    assert band("920001.BSE", date(2026, 11, 20), st=True) == "0.30"


@pytest.mark.parametrize(
    ("symbol", "listed"),
    [
        ("688001.SSE", date(2026, 11, 16)),
        ("301001.SZSE", date(2026, 11, 16)),
        ("603001.SSE", date(2026, 11, 16)),
        ("001001.SZSE", date(2023, 4, 10)),
        ("300999.SZSE", date(2020, 8, 24)),
        ("688001.SSE", date(2019, 7, 22)),
    ],
)
def test_new_listings_have_no_limit_for_five_trading_days(symbol: str, listed: date) -> None:
    days = GOLDEN_WEEK_2026.trading_days(listed, date(listed.year + 1, 1, 1))
    for day in days[:5]:
        assert band(symbol, day, listed=listed) is None, day
    assert band(symbol, days[5], listed=listed) is not None


def test_bse_new_listing_is_free_on_day_one_only() -> None:
    listed = date(2026, 11, 16)
    assert band("920099.BSE", listed, listed=listed) is None
    assert band("920099.BSE", date(2026, 11, 17), listed=listed) == "0.30"


def test_main_board_approval_ipo_first_day_is_refused_later_days_normal() -> None:
    listed = date(2023, 4, 7)
    with pytest.raises(RuleNotModelled, match="44%"):
        price_band("603000.SSE", listed, listed=listed)
    assert band("603000.SSE", date(2023, 4, 10), listed=listed) == "0.10"


def test_listing_days_are_counted_in_trading_days_with_a_calendar() -> None:
    listed = date(2026, 9, 28)  # Mon; Golden Week closes 10-01..10-08
    day_after_holiday = date(2026, 10, 9)
    # With the calendar: 09-28, 09-29, 09-30, 10-09 are days 1-4, 10-12 is day 5.
    assert band("688001.SSE", day_after_holiday, listed=listed, calendar=GOLDEN_WEEK_2026) is None
    assert band("688001.SSE", date(2026, 10, 12), listed=listed, calendar=GOLDEN_WEEK_2026) is None
    assert (
        band("688001.SSE", date(2026, 10, 13), listed=listed, calendar=GOLDEN_WEEK_2026) == "0.20"
    )
    # Without one every weekday counts, so the holiday weekdays use up the free days.
    assert band("688001.SSE", day_after_holiday, listed=listed) == "0.20"


def test_a_date_before_listing_is_refused() -> None:
    with pytest.raises(ValueError, match="before the first day"):
        price_band("688001.SSE", date(2026, 11, 13), listed=date(2026, 11, 16))


@pytest.mark.parametrize(
    ("symbol", "normal"),
    [
        ("600000.SSE", "0.10"),
        ("300001.SZSE", "0.20"),
        ("688001.SSE", "0.20"),
        ("920001.BSE", "0.30"),
    ],
)
def test_delisting_period_first_day_free_then_normal_band(symbol: str, normal: str) -> None:
    assert band(symbol, date(2026, 3, 2), delisting_day=1) is None
    assert band(symbol, date(2026, 3, 3), delisting_day=2, st=True) == normal
    assert band(symbol, date(2026, 3, 13), delisting_day=10) == normal


def test_delisting_day_zero_is_refused() -> None:
    with pytest.raises(ValueError, match="delisting_day 0"):
        price_band("600000.SSE", date(2026, 3, 2), delisting_day=0)


def test_band_is_a_decimal() -> None:
    assert isinstance(price_band("600000.SSE", date(2026, 11, 20)), Decimal)


def test_new_listing_regimes_by_listing_day() -> None:
    cap = FirstDayCap(Decimal("0.44"), Decimal("0.36"))
    assert new_listing(Board.MAIN, date(2023, 4, 10)) == NewListing(5, None)
    assert new_listing(Board.MAIN, date(2023, 4, 7)) == NewListing(None, cap)
    assert new_listing(Board.CHINEXT, date(2020, 8, 21)) == NewListing(None, cap)
    assert new_listing(Board.MAIN, date(2013, 12, 31)) == NewListing(None, None)
    assert new_listing(Board.BSE, date(2024, 1, 2)) == NewListing(1, None)
    with pytest.raises(RuleNotModelled, match="2019-07-22"):
        new_listing(Board.STAR, date(2019, 7, 19))

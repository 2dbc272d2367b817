"""IM contract months and last trading days, and the fallback past the calendar's end."""

from __future__ import annotations

from datetime import date

import pytest
from rules_kit import HolidayCalendar

from exchange import (
    UnknownSecurity,
    WeekdaysBeyondCalendar,
    contract_month,
    contract_schedule,
    contract_symbol,
    last_trading_day,
    listed_contracts,
    third_friday,
)

ENDS_2026 = HolidayCalendar(date(2026, 12, 18), covered_through=date(2026, 12, 31))


def test_contract_symbols_and_months_round_trip() -> None:
    assert contract_symbol("IM", 2027, 1) == "IM2701.CFFEX"
    assert contract_month("IM2701.CFFEX") == (2027, 1)
    with pytest.raises(UnknownSecurity, match="IC"):
        contract_symbol("IC", 2027, 1)
    with pytest.raises(ValueError, match="not an index future"):
        contract_month("600000.SSE")


def test_third_friday() -> None:
    assert third_friday(2026, 12) == date(2026, 12, 18)
    assert third_friday(2027, 1) == date(2027, 1, 15)  # the 1st is a Friday
    assert third_friday(2026, 5) == date(2026, 5, 15)


def test_the_schedule_also_answers_before_the_product_listed() -> None:
    # Replays and simulations of 2022 price the contracts the listing rule would give.
    assert contract_schedule(date(2022, 7, 1)) == [
        "IM2207.CFFEX", "IM2208.CFFEX", "IM2209.CFFEX", "IM2212.CFFEX",
    ]
    with pytest.raises(ValueError, match="first listed on 2022-07-22"):
        listed_contracts(date(2022, 7, 1))
    assert listed_contracts(date(2026, 11, 23)) == contract_schedule(date(2026, 11, 23))


def test_the_calendar_itself_refuses_expiries_past_its_end() -> None:
    assert last_trading_day("IM2612.CFFEX", ENDS_2026) == date(2026, 12, 21)  # 18th closed
    with pytest.raises(LookupError, match="2027-03-19"):
        last_trading_day("IM2703.CFFEX", ENDS_2026)


def test_the_fallback_assumes_the_plain_third_friday_past_the_calendar() -> None:
    assumed = WeekdaysBeyondCalendar(ENDS_2026)
    assert last_trading_day("IM2703.CFFEX", assumed) == date(2027, 3, 19)
    assert last_trading_day("IM2612.CFFEX", assumed) == date(2026, 12, 21)  # still adjusted
    assert contract_schedule(date(2026, 12, 21), "IM", assumed) == [
        "IM2612.CFFEX", "IM2701.CFFEX", "IM2703.CFFEX", "IM2706.CFFEX",
    ]


def test_the_fallback_joins_the_calendar_and_the_weekdays_after_it() -> None:
    assumed = WeekdaysBeyondCalendar(ENDS_2026)
    days = assumed.trading_days(date(2026, 12, 17), date(2027, 1, 4))
    assert days[:3] == [date(2026, 12, 17), date(2026, 12, 21), date(2026, 12, 22)]
    assert days[-3:] == [date(2026, 12, 31), date(2027, 1, 1), date(2027, 1, 4)]
    assert assumed.trading_days(date(2027, 1, 2), date(2027, 1, 3)) == []
    assert assumed.trading_days(date(2027, 1, 5), date(2027, 1, 4)) == []

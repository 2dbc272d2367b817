"""IM contract months and last trading days: listed, by the rule, the fallback past the
calendar's end, and the conservative count of trading days left."""

from __future__ import annotations

from datetime import date, timedelta

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
from exchange.contracts import ExpirySource, ExpiryUnknown, contract_expiry
from exchange.days import MinimumTradingDays, in_closure_season

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


# -- the listed expiry, the rule as a cross-check, the conservative count -------------

def test_a_listed_expiry_is_used_and_the_rule_cross_checks_it() -> None:
    agreed = contract_expiry("IM2612.CFFEX", date(2026, 12, 21), ENDS_2026)
    assert (agreed.day, agreed.source, agreed.mismatch) == (date(2026, 12, 21),
                                                            ExpirySource.LISTED, "")
    wrong = contract_expiry("IM2612.CFFEX", date(2026, 12, 18), ENDS_2026)  # 18th is closed
    assert wrong.day == date(2026, 12, 18) and wrong.rule_day == date(2026, 12, 21)
    assert "listed last trading day is 2026-12-18" in wrong.mismatch
    beyond = contract_expiry("IM2703.CFFEX", date(2027, 3, 19), ENDS_2026)
    assert (beyond.day, beyond.rule_day, beyond.mismatch) == (date(2027, 3, 19), None, "")


def test_without_a_listing_the_rule_or_a_refusal() -> None:
    ruled = contract_expiry("IM2612.CFFEX", None, ENDS_2026)
    assert (ruled.day, ruled.source) == (date(2026, 12, 21), ExpirySource.RULE)
    with pytest.raises(ExpiryUnknown, match=r"IM2701\.CFFEX: last trading day unknown.*"
                                            r"calendar ends 2026-12-31.*2027-01-15"):
        contract_expiry("IM2701.CFFEX", None, ENDS_2026)
    with pytest.raises(ValueError, match="not an index future"):
        contract_expiry("600000.SSE", date(2027, 1, 15), ENDS_2026)


def test_the_schedule_takes_listed_expiries_past_the_calendar() -> None:
    listed = {"IM2612.CFFEX": date(2026, 12, 18), "IM2701.CFFEX": date(2027, 1, 15),
              "IM2702.CFFEX": date(2027, 2, 19)}
    schedule = [contract_schedule(day, "IM", expiry_of=listed.__getitem__) for day in
                (date(2026, 12, 31), date(2027, 1, 15), date(2027, 1, 18), date(2027, 2, 26))]
    assert [s[0] for s in schedule] == ["IM2701.CFFEX", "IM2701.CFFEX", "IM2702.CFFEX",
                                        "IM2703.CFFEX"]
    assert schedule[2] == ["IM2702.CFFEX", "IM2703.CFFEX", "IM2706.CFFEX", "IM2709.CFFEX"]


def test_minimum_days_past_the_calendar_skip_the_holiday_seasons() -> None:
    count = MinimumTradingDays(ENDS_2026)
    days = count.trading_days(date(2026, 12, 28), date(2027, 1, 8))
    assert days == [date(2026, 12, 28), date(2026, 12, 29), date(2026, 12, 30),
                    date(2026, 12, 31), date(2027, 1, 4), date(2027, 1, 5), date(2027, 1, 6),
                    date(2027, 1, 7), date(2027, 1, 8)]  # Jan 1 may be closed: not counted
    assert count.trading_days(date(2027, 1, 19), date(2027, 2, 28)) == []  # Spring Festival
    assert len(count.trading_days(date(2027, 3, 1), date(2027, 3, 31))) == 23  # no season
    assert count.trading_days(date(2026, 12, 17), date(2026, 12, 22)) == [
        date(2026, 12, 17), date(2026, 12, 21), date(2026, 12, 22)]  # the calendar's own
    assert in_closure_season(date(2027, 10, 1)) and not in_closure_season(date(2027, 11, 1))


def test_every_closure_since_2000_lies_in_a_holiday_season() -> None:
    """What makes the count past the calendar's end a lower bound, year after year: no SSE
    weekday closure from 2000 to 2026 (exchange_calendars) falls outside the seasons."""
    import exchange_calendars as xcals

    sse = xcals.get_calendar("XSHG", start="2000-01-01", end="2026-12-31")
    sessions = {ts.date() for ts in sse.sessions}
    day, outside, closures = date(2000, 1, 1), [], 0
    while day <= date(2026, 12, 31):
        if day.weekday() < 5 and day not in sessions:
            closures += 1
            if not in_closure_season(day):
                outside.append(day)
        day += timedelta(days=1)
    assert closures > 400 and outside == []

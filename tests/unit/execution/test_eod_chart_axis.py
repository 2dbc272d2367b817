"""The trading-time axis: lunch, nights, weekends and holidays take no room."""

from datetime import date, datetime

import pytest

from execution.eod.chart_axis import SESSION_MINUTES, TradingAxis, session_minute
from marketdata.clock import EXCHANGE_TZ


def sh(y: int, m: int, d: int, hh: int, mm: int) -> datetime:
    return datetime(y, m, d, hh, mm, tzinfo=EXCHANGE_TZ)


@pytest.mark.parametrize(("hh", "mm", "minute"), [
    (9, 0, 0), (9, 30, 0), (10, 30, 60), (11, 30, 120), (12, 15, 120), (13, 0, 120),
    (14, 0, 180), (15, 0, 240), (20, 0, 240),
])
def test_session_minutes_pin_the_gaps_to_their_edges(hh: int, mm: int, minute: int) -> None:
    assert session_minute(sh(2026, 11, 23, hh, mm).timetz()) == minute


def test_lunch_is_removed() -> None:
    axis = TradingAxis.of([sh(2026, 11, 23, 11, 29), sh(2026, 11, 23, 13, 1)])
    assert axis.x(sh(2026, 11, 23, 13, 1)) - axis.x(sh(2026, 11, 23, 11, 29)) == 2
    assert axis.x(sh(2026, 11, 23, 12, 0)) == axis.x(sh(2026, 11, 23, 13, 0)) == 120


def test_the_night_is_removed() -> None:
    close, open_ = sh(2026, 11, 23, 15, 0), sh(2026, 11, 24, 9, 30)
    axis = TradingAxis.of([close, open_])
    assert axis.x(close) == axis.x(open_) == SESSION_MINUTES
    assert axis.x(sh(2026, 11, 23, 22, 0)) == SESSION_MINUTES
    assert axis.x(sh(2026, 11, 24, 10, 0)) == SESSION_MINUTES + 30


def test_a_weekend_snapshot_sits_at_fridays_close() -> None:
    friday, saturday, monday = sh(2026, 11, 27, 14, 0), sh(2026, 11, 28, 11, 0), \
        sh(2026, 11, 30, 9, 45)
    axis = TradingAxis.of([friday, saturday, monday])
    assert axis.days == (date(2026, 11, 27), date(2026, 11, 30))
    assert axis.x(saturday) == SESSION_MINUTES
    assert axis.x(monday) == SESSION_MINUTES + 15


def test_across_a_month_end() -> None:
    moments = [sh(2026, 11, 30, 14, 30), sh(2026, 12, 1, 9, 31)]
    axis = TradingAxis.of(moments)
    assert axis.x(moments[1]) - axis.x(moments[0]) == 31


def test_across_the_year_end_and_its_holiday() -> None:
    last_2026, first_2027 = sh(2026, 12, 31, 14, 59), sh(2027, 1, 4, 9, 31)
    axis = TradingAxis.of([last_2026, first_2027])
    assert axis.days == (date(2026, 12, 31), date(2027, 1, 4))
    assert axis.x(first_2027) - axis.x(last_2026) == 2  # 14:59 -> 15:00, 09:30 -> 09:31
    assert axis.x(sh(2027, 1, 1, 10, 0)) == SESSION_MINUTES  # New Year's Day: not drawn


def test_a_holiday_on_a_weekday_can_be_left_out_by_the_calendar() -> None:
    moments = [sh(2026, 12, 31, 15, 0), sh(2027, 1, 1, 10, 0), sh(2027, 1, 4, 9, 30)]
    axis = TradingAxis.of(moments, is_session=lambda d: d != date(2027, 1, 1))
    assert axis.days == (date(2026, 12, 31), date(2027, 1, 4))


def test_ticks_are_hours_for_a_day_and_days_over_weeks() -> None:
    one = TradingAxis.of([sh(2026, 11, 23, 10, 0)])
    assert [label for _, label in one.ticks()] == ["09:30", "10:30", "11:30/13:00", "14:00",
                                                   "15:00"]
    days = [date(2026, 12, d) for d in range(1, 32) if date(2026, 12, d).weekday() < 5]
    days += [date(2027, 1, 4), date(2027, 1, 5)]
    weeks = TradingAxis(tuple(days))
    ticks = weeks.ticks()
    assert 2 <= len(ticks) <= 10
    assert ticks[0] == (SESSION_MINUTES / 2, "2026-12-01")  # a day's label in its middle
    labels = [label for _, label in ticks]
    assert any(label.startswith("2027-") for label in labels)  # the new year is named
    assert weeks.end == len(days) * SESSION_MINUTES

"""Section 3 of the reference: session windows for stocks and IM futures."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta, timezone

import pytest
from rules_kit import GOLDEN_WEEK_2026

from exchange import Phase, RuleNotModelled, session_phase, session_windows
from exchange.sessions import SHANGHAI

TRADING_DAY = date(2026, 11, 20)  # a Friday, after the 2026-07-06 rule change


def at(hour: int, minute: int, second: int = 0, day: date = TRADING_DAY) -> datetime:
    return datetime.combine(day, time(hour, minute, second), SHANGHAI)


def flags(moment: datetime, instrument: str = "stock") -> tuple[str, bool, bool]:
    phase = session_phase(moment, instrument)
    return phase.name.value, phase.allows_order, phase.allows_cancel


@pytest.mark.parametrize(
    ("hour", "minute", "expected"),
    [
        (9, 14, ("closed", False, False)),
        (9, 15, ("opening_auction", True, True)),
        (9, 19, ("opening_auction", True, True)),
        (9, 20, ("opening_auction_no_cancel", True, False)),
        (9, 24, ("opening_auction_no_cancel", True, False)),
        (9, 25, ("pre_open", False, False)),
        (9, 30, ("continuous", True, True)),
        (11, 29, ("continuous", True, True)),
        (11, 30, ("lunch_break", False, False)),
        (13, 0, ("continuous", True, True)),
        (14, 56, ("continuous", True, True)),
        (14, 57, ("closing_auction", True, False)),
        (15, 0, ("closed", False, False)),
        (15, 5, ("after_hours", False, True)),
        (15, 29, ("after_hours", False, True)),
        (15, 30, ("closed", False, False)),
    ],
)
def test_stock_timetable(hour: int, minute: int, expected: tuple[str, bool, bool]) -> None:
    assert flags(at(hour, minute)) == expected


def test_only_continuous_trading_takes_market_orders() -> None:
    allowed = {
        phase.name
        for minute in range(9 * 60, 15 * 60 + 31)
        if (phase := session_phase(at(minute // 60, minute % 60))).allows_market_order
    }
    assert allowed == {Phase.CONTINUOUS}
    assert session_phase(at(14, 58)).allows_order and not session_phase(at(14, 58)).continuous


def test_after_hours_is_fixed_price_only() -> None:
    phase = session_phase(at(15, 10))
    assert phase.allows_fixed_price_order and not phase.allows_order


def test_main_board_after_hours_starts_2026_07_06() -> None:
    assert session_phase(at(15, 10, day=date(2026, 7, 3))).name is Phase.CLOSED
    assert session_phase(at(15, 10, day=date(2026, 7, 6))).name is Phase.AFTER_HOURS


def test_star_and_chinext_had_after_hours_earlier() -> None:
    day = date(2024, 3, 1)
    assert session_phase(at(15, 10, day=day), "688981.SSE").name is Phase.AFTER_HOURS
    assert session_phase(at(15, 10, day=day), "300750.SZSE").name is Phase.AFTER_HOURS
    assert session_phase(at(15, 10, day=day), "600000.SSE").name is Phase.CLOSED


@pytest.mark.parametrize(
    ("hour", "minute", "expected"),
    [
        (9, 24, ("closed", False, False)),
        (9, 25, ("opening_auction", True, True)),
        (9, 29, ("auction_matching", False, False)),
        (9, 30, ("continuous", True, True)),
        (11, 30, ("lunch_break", False, False)),
        (13, 0, ("continuous", True, True)),
        (14, 57, ("continuous", True, True)),  # no closing auction
        (14, 59, ("continuous", True, True)),
        (15, 0, ("closed", False, False)),
        (15, 10, ("closed", False, False)),
    ],
)
def test_im_futures_timetable(hour: int, minute: int, expected: tuple[str, bool, bool]) -> None:
    assert flags(at(hour, minute), "future") == expected
    assert flags(at(hour, minute), "IM2612.CFFEX") == expected


def test_other_time_zones_are_converted() -> None:
    utc_moment = datetime(2026, 11, 20, 2, 0, tzinfo=UTC)  # 10:00 in Shanghai
    assert session_phase(utc_moment).name is Phase.CONTINUOUS
    new_york = timezone(timedelta(hours=-5))
    assert session_phase(datetime(2026, 11, 19, 21, 0, tzinfo=new_york)).name is Phase.CONTINUOUS


def test_naive_datetimes_are_refused() -> None:
    with pytest.raises(ValueError, match="naive"):
        session_phase(datetime(2026, 11, 20, 10, 0))


def test_weekends_and_calendar_holidays_are_closed() -> None:
    assert session_phase(at(10, 0, day=date(2026, 11, 21))).name is Phase.CLOSED
    holiday = at(10, 0, day=date(2026, 10, 5))  # a Monday in Golden Week
    assert session_phase(holiday).name is Phase.CONTINUOUS  # no calendar: weekday
    assert session_phase(holiday, calendar=GOLDEN_WEEK_2026).name is Phase.CLOSED


def test_dates_before_the_modelled_timetable_are_refused() -> None:
    with pytest.raises(RuleNotModelled, match="2018-08-20"):
        session_phase(at(10, 0, day=date(2018, 8, 17)))
    with pytest.raises(RuleNotModelled, match="2022-07-22"):
        session_phase(at(10, 0, day=date(2022, 7, 21)), "future")


def phases(on: date, instrument: str = "stock") -> list[str]:
    return [phase.value for _, _, phase in session_windows(on, instrument)]


def test_the_timetable_has_after_hours_by_board_and_date() -> None:
    assert phases(date(2026, 7, 3))[-1] == "closing_auction"
    assert phases(date(2026, 7, 6))[-1] == "after_hours"
    assert phases(date(2026, 7, 3), "688001.SSE")[-1] == "after_hours"
    assert phases(date(2026, 11, 20), "920001.BSE")[-1] == "closing_auction"
    assert "closing_auction" not in phases(date(2026, 11, 20), "future")
    with pytest.raises(RuleNotModelled, match="2022-07-22"):
        session_windows(date(2022, 7, 21), "future")


@pytest.mark.parametrize("instrument", ["stock", "future", "300750.SZSE"])
def test_every_minute_is_in_the_phase_of_its_window(instrument: str) -> None:
    windows = session_windows(TRADING_DAY, instrument)
    for minute in range(8 * 60, 16 * 60):
        moment = at(minute // 60, minute % 60)
        inside = [p for start, end, p in windows if start <= moment.time() < end]
        expected = inside[0] if inside else Phase.CLOSED
        assert session_phase(moment, instrument).name is expected

from __future__ import annotations

import time as wall
from datetime import date, time
from pathlib import Path

import pytest

from exchange import Phase
from marketdata.calendar import CalendarNotCovered, TradingCalendar, load_calendar
from marketdata.holidays import HolidayFileError
from marketdata.sessions import Market


def write_holidays(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "holidays.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_known_closures(calendar: TradingCalendar) -> None:
    assert not calendar.is_trading_day(date(2024, 2, 9))  # Spring Festival eve, a Friday
    assert not calendar.is_trading_day(date(2024, 10, 1))
    assert not calendar.is_trading_day(date(2024, 10, 12))  # a make-up workday, still closed
    assert calendar.is_trading_day(date(2024, 10, 8))
    assert not calendar.is_trading_day(date(2026, 11, 21))  # Saturday


def test_next_and_previous_skip_holidays(calendar: TradingCalendar) -> None:
    assert calendar.next_trading_day(date(2024, 9, 30)) == date(2024, 10, 8)
    assert calendar.previous_trading_day(date(2024, 10, 8)) == date(2024, 9, 30)
    assert calendar.next_trading_day(date(2026, 11, 20)) == date(2026, 11, 23)


def test_trading_days_inclusive(calendar: TradingCalendar) -> None:
    days = calendar.trading_days(date(2026, 11, 16), date(2026, 11, 20))
    assert days == [date(2026, 11, d) for d in range(16, 21)]
    assert calendar.trading_days(date(2026, 11, 21), date(2026, 11, 22)) == []
    assert calendar.sessions_since(date(2026, 11, 16), date(2026, 11, 20)) == 5


def test_trading_days_is_fast(calendar: TradingCalendar) -> None:
    start = wall.perf_counter()
    for _ in range(1000):
        days = calendar.trading_days(date(2023, 11, 20), date(2026, 11, 20))
    per_call = (wall.perf_counter() - start) / 1000
    assert len(days) > 700
    assert per_call < 100e-6  # about 3 microseconds on the dev machine


def test_beyond_the_library_is_refused_with_instructions(calendar: TradingCalendar) -> None:
    with pytest.raises(CalendarNotCovered, match=r"2027-01-04.*holidays.yaml.*covered_through"):
        calendar.is_trading_day(date(2027, 1, 4))
    with pytest.raises(CalendarNotCovered):
        calendar.next_trading_day(date(2026, 12, 31))
    with pytest.raises(CalendarNotCovered):
        calendar.trading_days(date(2026, 12, 1), date(2027, 1, 10))


def test_operator_file_extends_the_calendar(tmp_path: Path) -> None:
    path = write_holidays(tmp_path, "covered_through: 2027-03-31\n"
                                    "holidays: [2027-01-01, 2027-02-08, 2027-02-09]\n")
    cal = load_calendar(path)
    assert cal.next_trading_day(date(2026, 12, 31)) == date(2027, 1, 4)
    assert not cal.is_trading_day(date(2027, 2, 8))
    assert cal.is_trading_day(date(2027, 2, 10))
    assert not cal.is_trading_day(date(2027, 2, 13))  # weekends never trade
    with pytest.raises(CalendarNotCovered, match=str(path)):
        cal.is_trading_day(date(2027, 4, 1))


def test_operator_closure_inside_the_library_range(tmp_path: Path) -> None:
    cal = load_calendar(write_holidays(tmp_path, "holidays: [2026-11-19]\n"))
    assert not cal.is_trading_day(date(2026, 11, 19))
    assert cal.next_trading_day(date(2026, 11, 18)) == date(2026, 11, 20)


@pytest.mark.parametrize(("text", "message"), [
    ("covered_through: 2027-01-31\nholidays: [2027-02-01]\n", "after covered_through"),
    ("covered_through: 2027-01-31\nholiday: []\n", "holiday: Extra inputs"),
    ("covered_through: soon\n", "covered_through"),
    ("- 2027-01-01\n", "mapping"),
])
def test_bad_holiday_files_name_the_problem(tmp_path: Path, text: str, message: str) -> None:
    with pytest.raises(HolidayFileError, match=message):
        load_calendar(write_holidays(tmp_path, text))


def test_missing_holiday_file(tmp_path: Path) -> None:
    with pytest.raises(HolidayFileError, match="not found"):
        load_calendar(tmp_path / "nope.yaml")


def test_im_expiry_third_friday_or_next_trading_day(calendar: TradingCalendar) -> None:
    assert calendar.im_expiry(2024, 3) == date(2024, 3, 15)
    assert calendar.im_expiry(2026, 12) == date(2026, 12, 18)
    assert calendar.im_expiry(2018, 2) == date(2018, 2, 22)  # 16 Feb was Spring Festival
    assert calendar.im_expiry(2026, 2) == date(2026, 2, 24)
    with pytest.raises(CalendarNotCovered):
        calendar.im_expiry(2027, 3)


def test_session_times_are_data(calendar: TradingCalendar) -> None:
    sessions = calendar.session_times(date(2026, 11, 20))
    opening = next(w for w in sessions.stock if w.phase is Phase.OPENING_AUCTION)
    frozen = next(w for w in sessions.stock if w.phase is Phase.OPENING_AUCTION_NO_CANCEL)
    assert (opening.start, opening.end, opening.cancels_allowed) == (time(9, 15), time(9, 20), True)
    assert (frozen.start, frozen.end, frozen.cancels_allowed) == (time(9, 20), time(9, 25), False)
    continuous = sessions.continuous(Market.STOCK)
    assert [(w.start, w.end) for w in continuous] == [(time(9, 30), time(11, 30)),
                                                      (time(13, 0), time(14, 57))]
    futures = sessions.continuous(Market.INDEX_FUTURE)
    assert futures[-1].end == time(15, 0)
    assert not any(w.phase is Phase.CLOSING_AUCTION for w in sessions.index_future)
    before = calendar.session_times(date(2026, 7, 3))
    assert not any(w.phase is Phase.AFTER_HOURS for w in before.stock)
    assert any(w.phase is Phase.AFTER_HOURS for w in sessions.stock)

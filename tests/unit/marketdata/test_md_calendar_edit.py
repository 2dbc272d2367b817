"""The holiday file's year records, provisional days and `calendar add`'s checks and write."""

from __future__ import annotations

import os
from datetime import date, datetime
from pathlib import Path

import pytest
from md_kit import HOLIDAYS

from marketdata.calendar import CalendarNotCovered, load_calendar
from marketdata.calendar_edit import (
    AddRequest,
    CalendarEditError,
    add_year,
    read_closures,
)
from marketdata.clock import EXCHANGE_TZ
from marketdata.holidays import HolidayFileError, read_holiday_file

LIBRARY_END = date(2026, 12, 31)
AT = datetime(2026, 12, 1, 10, 15, tzinfo=EXCHANGE_TZ)
DRAFT_2027 = [date(2027, 1, 1), date(2027, 2, 5), *[date(2027, 2, d) for d in range(8, 13)]]


@pytest.fixture
def holidays(tmp_path: Path) -> Path:
    """A copy of the shipped file (never the shipped file itself)."""
    path = tmp_path / "holidays.yaml"
    path.write_bytes(HOLIDAYS.read_bytes())
    return path


def request(closures: list[date], through: date | None = None, year: int = 2027,
            replace: bool = False) -> AddRequest:
    return AddRequest(year, tuple(closures), "SSE notice", "alice", AT, through, replace)


def test_the_shipped_file_lists_no_2027_closures() -> None:
    content = read_holiday_file(HOLIDAYS)
    assert content.closures == () and content.covered_through is None and not content.years


def test_a_draft_accepted_through_january_is_provisional(holidays: Path) -> None:
    add_year(holidays, request([date(2027, 1, 1)], through=date(2027, 1, 31)), LIBRARY_END, set())
    cal = load_calendar(holidays)
    assert cal.covered_through == date(2027, 1, 31)
    assert cal.provisional_window == (date(2027, 1, 1), date(2027, 1, 31))
    assert not cal.is_trading_day(date(2027, 1, 1))
    assert cal.next_trading_day(date(2026, 12, 31)) == date(2027, 1, 4)
    assert cal.is_provisional(date(2027, 1, 29)) and not cal.is_provisional(date(2026, 12, 31))
    with pytest.raises(CalendarNotCovered, match=r"2027-02-01.*desk calendar add"):
        cal.is_trading_day(date(2027, 2, 1))
    record = read_holiday_file(holidays).years[2027]
    assert (record.by, record.source, record.at) == ("alice", "SSE notice", AT)
    assert record.at.utcoffset() is not None


def test_the_official_list_replaces_the_provisional_one(holidays: Path) -> None:
    add_year(holidays, request([date(2027, 1, 1)], through=date(2027, 1, 31)), LIBRARY_END, set())
    result = add_year(holidays, request(DRAFT_2027), LIBRARY_END, set())
    assert result.replaced is not None and result.replaced.provisional
    cal = load_calendar(holidays)
    assert cal.provisional_window is None and cal.covered_through == date(2027, 12, 31)
    assert cal.next_trading_day(date(2027, 2, 4)) == date(2027, 2, 15)
    assert cal.im_expiry(2027, 3) == date(2027, 3, 19)


def test_the_file_stays_readable_in_the_old_format(holidays: Path) -> None:
    holidays.write_text("covered_through: 2027-03-31\nholidays: [2027-01-01]\n")
    add_year(holidays, request([date(2027, 1, 1), date(2027, 2, 5)]), LIBRARY_END, set())
    content = read_holiday_file(holidays)
    assert content.holidays == (date(2027, 1, 1),) and content.covered_through == date(2027, 12, 31)
    assert load_calendar(holidays).provisional_window is None


@pytest.mark.parametrize(("closures", "through", "message"), [
    ([date(2026, 12, 31)], None, "2026-12-31 is not in 2027"),
    ([date(2028, 1, 3)], None, "2028-01-03 is not in 2027"),
    ([date(2027, 1, 2)], None, "2027-01-02 is a Saturday"),
    ([date(2027, 1, 1), date(2027, 1, 1)], None, "2027-01-01 is listed twice"),
    ([], None, "at least one closure"),
    ([date(2027, 2, 5)], date(2027, 1, 31), "2027-02-05 is after --through"),
    ([date(2027, 1, 1)], date(2027, 12, 31), "before 31 December"),
    ([date(2027, 1, 1)], date(2028, 1, 31), "must be inside 2027"),
])
def test_hostile_closures_are_refused_and_nothing_is_written(
        holidays: Path, closures: list[date], through: date | None, message: str) -> None:
    before = holidays.read_bytes()
    with pytest.raises(CalendarEditError, match=message):
        add_year(holidays, request(closures, through), LIBRARY_END, set())
    assert holidays.read_bytes() == before


def test_a_day_with_stored_trading_data_is_refused(holidays: Path) -> None:
    with pytest.raises(CalendarEditError, match="2027-01-04: the market store holds"):
        add_year(holidays, request([date(2027, 1, 4)]), LIBRARY_END, {date(2027, 1, 4)})


def test_a_year_the_library_covers_is_refused(holidays: Path) -> None:
    with pytest.raises(CalendarEditError, match="2026 is covered by exchange_calendars"):
        add_year(holidays, request([date(2026, 12, 30)], year=2026), LIBRARY_END, set())


def test_a_year_past_a_gap_is_refused(holidays: Path) -> None:
    with pytest.raises(CalendarEditError, match="add 2027"):
        add_year(holidays, request([date(2028, 1, 3)], year=2028), LIBRARY_END, set())


def test_an_official_list_is_not_replaced_by_accident(holidays: Path) -> None:
    add_year(holidays, request(DRAFT_2027), LIBRARY_END, set())
    with pytest.raises(CalendarEditError, match="a draft cannot replace it"):
        add_year(holidays, request([date(2027, 1, 1)], date(2027, 1, 31)), LIBRARY_END, set())
    with pytest.raises(CalendarEditError, match="--replace"):
        add_year(holidays, request(DRAFT_2027), LIBRARY_END, set())
    add_year(holidays, request([*DRAFT_2027, date(2027, 4, 5)], replace=True), LIBRARY_END,
             set())
    assert not load_calendar(holidays).is_trading_day(date(2027, 4, 5))


def test_a_failed_write_leaves_the_old_file_and_no_temp_file(
        holidays: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    before = holidays.read_bytes()

    def broken(src: str, dst: str) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(os, "replace", broken)
    with pytest.raises(OSError, match="disk full"):
        add_year(holidays, request(DRAFT_2027), LIBRARY_END, set())
    assert holidays.read_bytes() == before
    assert [p.name for p in holidays.parent.iterdir()] == ["holidays.yaml"]


@pytest.mark.parametrize(("text", "message"), [
    ("covered_through: 2027-12-31\nyears:\n  2027:\n    closures: [2027-01-02]\n"
     "    source: s\n    by: b\n    at: 2026-12-01T10:00:00+08:00\n", "weekend"),
    ("covered_through: 2027-12-31\nyears:\n  2027:\n    closures: [2028-01-03]\n"
     "    source: s\n    by: b\n    at: 2026-12-01T10:00:00+08:00\n", "not in 2027"),
    ("covered_through: 2027-12-31\nyears:\n  2027:\n    closures: [2027-01-01]\n"
     "    source: s\n    by: b\n    at: 2026-12-01T10:00:00\n", "years.2027.at.*timezone"),
    ("covered_through: 2027-01-31\nyears:\n  2027:\n    closures: [2027-01-01]\n"
     "    source: s\n    by: b\n    at: 2026-12-01T10:00:00+08:00\n", "reach past covered_thr"),
    ("covered_through: 2027-12-31\nyears:\n  2027:\n    closures: [2027-01-01]\n"
     "    by: b\n    at: 2026-12-01T10:00:00+08:00\n", "years.2027.source"),
])
def test_malformed_year_records_name_the_key(holidays: Path, text: str, message: str) -> None:
    holidays.write_text(text, encoding="utf-8")
    with pytest.raises(HolidayFileError, match=message):
        load_calendar(holidays)


def test_closures_from_a_saved_draft_file(tmp_path: Path) -> None:
    saved = tmp_path / "draft.txt"
    saved.write_text("# DRAFT\n2027-01-01 Fri  元旦  # rule\n\n- 2027-02-05\n", encoding="utf-8")
    assert read_closures(str(saved)) == [date(2027, 1, 1), date(2027, 2, 5)]
    saved.write_text("2027-01-01\n2027-1-5\n", encoding="utf-8")
    with pytest.raises(CalendarEditError, match=r"draft.txt:2: '2027-1-5' is not a date"):
        read_closures(str(saved))
    assert read_closures("2027-01-01, 2027-02-05") == [date(2027, 1, 1), date(2027, 2, 5)]
    with pytest.raises(CalendarEditError, match="not found"):
        read_closures(str(tmp_path / "missing.txt"))
    with pytest.raises(CalendarEditError, match="item 2: '2027-02-30' is not a date"):
        read_closures("2027-01-01,2027-02-30")

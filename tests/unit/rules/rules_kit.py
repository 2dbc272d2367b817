"""Shared fakes and helpers for the rules tests (imported as `rules_kit`)."""

from __future__ import annotations

from datetime import date, timedelta


class HolidayCalendar:
    """A trading calendar: weekdays minus the given holidays (inclusive ranges)."""

    def __init__(self, *holidays: date, covered_through: date = date(2099, 12, 31)) -> None:
        self.holidays = set(holidays)
        self.covered_through = covered_through

    def trading_days(self, start: date, end: date) -> list[date]:
        if end > self.covered_through:  # like marketdata's CalendarNotCovered
            raise LookupError(f"{end} is after {self.covered_through}")
        days = []
        day = start
        while day <= end:
            if day.weekday() < 5 and day not in self.holidays:
                days.append(day)
            day += timedelta(days=1)
        return days


def closed_days(first: date, last: date) -> list[date]:
    return [first + timedelta(days=n) for n in range((last - first).days + 1)]


# Exchanges closed 2026-10-01 to 2026-10-08 (a Golden Week shape).
GOLDEN_WEEK_2026 = HolidayCalendar(*closed_days(date(2026, 10, 1), date(2026, 10, 8)))

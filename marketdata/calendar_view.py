"""`desk calendar show`: a year's closures and trading days, each with where it comes from."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from marketdata.calendar import TradingCalendar, library_sessions
from marketdata.holidays import HolidayFile

LIBRARY = "exchange_calendars XSHG"


@dataclass(frozen=True)
class ClosureLine:
    day: date
    origin: str
    provisional: bool


@dataclass(frozen=True)
class YearView:
    year: int
    trading_days: int
    first_uncovered: date | None  # the first day of the year the calendar does not cover
    closures: list[ClosureLine]
    provisional: tuple[date, date] | None
    covered_through: date
    origin: str  # where the year's days come from, in one line


def year_view(calendar: TradingCalendar, content: HolidayFile, year: int) -> YearView:
    start, end = date(year, 1, 1), date(year, 12, 31)
    lo, hi = max(start, calendar.covered_from), min(end, calendar.covered_through)
    days = _days(lo, hi) if lo <= hi else []
    sessions = set(calendar.trading_days(lo, hi)) if days else set()
    library = set(library_sessions()[0])
    closures = [ClosureLine(d, _origin(d, calendar, content, library), calendar.is_provisional(d))
                for d in days if d.weekday() < 5 and d not in sessions]
    uncovered = None if hi >= end else max(hi + timedelta(days=1), start)
    return YearView(year, len(sessions), uncovered, closures, _window(calendar, lo, hi),
                    calendar.covered_through, _year_origin(calendar, content, year))


def _days(lo: date, hi: date) -> list[date]:
    return [lo + timedelta(days=i) for i in range((hi - lo).days + 1)]


def _origin(day: date, calendar: TradingCalendar, content: HolidayFile,
            library: set[date]) -> str:
    record = content.years.get(day.year)
    if record is not None and day in record.closures:
        return f"operator file: {record.source} (by {record.by}, {record.at:%Y-%m-%d %H:%M %Z})"
    if day in content.holidays:
        return "operator file: hand-listed under holidays:"
    if day <= calendar.library_through and day not in library:
        return LIBRARY
    return "?"


def _window(calendar: TradingCalendar, lo: date, hi: date) -> tuple[date, date] | None:
    window = calendar.provisional_window
    if window is None or window[1] < lo or window[0] > hi:
        return None
    return max(window[0], lo), min(window[1], hi)


def _year_origin(calendar: TradingCalendar, content: HolidayFile, year: int) -> str:
    if date(year, 12, 31) <= calendar.library_through:
        return f"{LIBRARY} (through {calendar.library_through})"
    record = content.years.get(year)
    if record is not None:
        kind = f"PROVISIONAL through {record.through}" if record.provisional else "official"
        return (f"operator file, {kind}: {record.source} (added by {record.by} at "
                f"{record.at.isoformat()})")
    if date(year, 1, 1) <= calendar.covered_through:
        return "operator file (covered_through, hand-listed holidays)"
    return "not covered"


def render_year(view: YearView) -> list[str]:
    lines = [f"{view.year}: {view.origin}",
             f"trading days: {view.trading_days}"
             + (f" (not covered from {view.first_uncovered})" if view.first_uncovered else ""),
             f"weekday closures: {len(view.closures)}"]
    for line in view.closures:
        mark = "  PROVISIONAL" if line.provisional else ""
        lines.append(f"  {line.day} {line.day:%a}  {line.origin}{mark}")
    if view.provisional:
        lines.append(f"provisional: {view.provisional[0]} to {view.provisional[1]} (an accepted "
                     "draft; replace it with the official list: desk calendar add YEAR ...)")
    lines.append(f"the calendar runs out after {view.covered_through}")
    return lines

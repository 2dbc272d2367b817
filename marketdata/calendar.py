"""The trading calendar: SSE sessions from exchange_calendars, extended by the operator file.

SZSE, BSE and CFFEX share SSE's holidays. Sessions are cached as a sorted list, so
each question is a binary search. A day outside what the sources cover raises
`CalendarNotCovered`: the desk never assumes that an unknown weekday trades.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from datetime import date, timedelta
from functools import lru_cache
from pathlib import Path

from errors import FixConfig
from exchange import contract_symbol, last_trading_day
from marketdata.calendar_cache import cache_file, cache_key, read_cached, write_cached
from marketdata.holidays import HolidayFile, read_holiday_file
from marketdata.sessions import SessionTimes, session_times

_LIBRARY_CALENDAR = "XSHG"
_FIRST_SSE_SESSION = "1990-12-19"  # the library would otherwise start 20 years before today


class CalendarNotCovered(FixConfig):  # the name is fixed by the shared contract
    """A date outside the range any calendar source covers."""


@lru_cache(maxsize=1)
def library_sessions() -> tuple[tuple[date, ...], date, date]:
    """(sessions, first covered day, last covered day) from exchange_calendars, through a
    file cache of its answer for this version and this day (`marketdata.calendar_cache`)."""
    path, key = cache_file(), cache_key(_LIBRARY_CALENDAR, _FIRST_SSE_SESSION)
    cached = read_cached(path, key)
    if cached is not None:
        return cached
    computed = _ask_library()
    write_cached(path, key, computed)
    return computed


def _ask_library() -> tuple[tuple[date, ...], date, date]:
    import exchange_calendars as xcals  # slow import (~0.5 s); only when a calendar is built

    lib = xcals.get_calendar(_LIBRARY_CALENDAR, start=_FIRST_SSE_SESSION)
    sessions = tuple(ts.date() for ts in lib.sessions)
    return sessions, sessions[0], lib.bound_max().date()


class TradingCalendar:
    def __init__(
        self,
        sessions: tuple[date, ...],
        covered_from: date,
        covered_through: date,
        holidays_file: Path | None = None,
        *,
        library_through: date | None = None,
        provisional_window: tuple[date, date] | None = None,
    ) -> None:
        self._sessions = sorted(sessions)
        self.covered_from = covered_from
        self.covered_through = covered_through
        self.holidays_file = holidays_file
        # The last day exchange_calendars itself knows; after it only the operator file speaks.
        self.library_through = library_through or covered_through
        # Days covered only by an accepted draft (`desk calendar add --through`), not yet by
        # the exchange's notice: the desk shows them as provisional wherever it shows them.
        self.provisional_window = provisional_window

    def is_provisional(self, day: date) -> bool:
        window = self.provisional_window
        return window is not None and window[0] <= day <= window[1]

    def _require_covered(self, day: date) -> None:
        if self.covered_from <= day <= self.covered_through:
            return
        where = self.holidays_file or "config/holidays.yaml"
        raise CalendarNotCovered(
            f"{day.isoformat()} is outside the trading calendar "
            f"({self.covered_from.isoformat()} to {self.covered_through.isoformat()}). "
            f"To extend it, add the exchange's announced closures to 'holidays:' in {where} "
            f"and set 'covered_through:' to the last date the list is confirmed for "
            f"(without editing it: 'desk calendar draft YEAR', then 'desk calendar add YEAR "
            f"--closures ... --source ...')."
        )

    def is_trading_day(self, day: date) -> bool:
        self._require_covered(day)
        i = bisect_left(self._sessions, day)
        return i < len(self._sessions) and self._sessions[i] == day

    def next_trading_day(self, day: date) -> date:
        self._require_covered(day)
        i = bisect_right(self._sessions, day)
        if i == len(self._sessions):
            self._require_covered(self.covered_through + timedelta(days=1))
        return self._sessions[i]

    def previous_trading_day(self, day: date) -> date:
        self._require_covered(day)
        i = bisect_left(self._sessions, day)
        if i == 0:
            self._require_covered(self.covered_from - timedelta(days=1))
        return self._sessions[i - 1]

    def trading_days(self, start: date, end: date) -> list[date]:
        """Sessions from `start` to `end`, both inclusive."""
        self._require_covered(start)
        self._require_covered(end)
        first, last = bisect_left(self._sessions, start), bisect_right(self._sessions, end)
        return self._sessions[first:last]

    def sessions_since(self, start: date, end: date) -> int:
        """Number of trading days in [start, end] (0 when end < start)."""
        return max(bisect_right(self._sessions, end) - bisect_left(self._sessions, start), 0)

    def last_trading_day_on_or_before(self, day: date) -> date:
        return day if self.is_trading_day(day) else self.previous_trading_day(day)

    def shift(self, day: date, sessions: int) -> date:
        """The trading day `sessions` sessions after (or before, if negative) trading day `day`."""
        if not self.is_trading_day(day):
            raise ValueError(f"shift: {day.isoformat()} is not a trading day")
        i = bisect_left(self._sessions, day) + sessions
        if i >= len(self._sessions):
            self._require_covered(self.covered_through + timedelta(days=1))
        if i < 0:
            self._require_covered(self.covered_from - timedelta(days=1))
        return self._sessions[i]

    def im_expiry(self, year: int, month: int) -> date:
        """Last trading day of that month's IM contract (`exchange.last_trading_day`):
        the third Friday, or the next trading day if it is a holiday."""
        return last_trading_day(contract_symbol("IM", year, month), self)

    def session_times(self, on: date | None = None) -> SessionTimes:
        return session_times(on)


def build_calendar(library: tuple[tuple[date, ...], date, date], extra: HolidayFile,
                   holidays_file: Path | None = None) -> TradingCalendar:
    """Library sessions, minus operator closures, plus weekdays up to `covered_through`."""
    sessions, first, library_end = library
    closed = set(extra.closures)
    days = [d for d in sessions if d not in closed]
    end = library_end
    if extra.covered_through is not None and extra.covered_through > library_end:
        end = extra.covered_through
        day = library_end + timedelta(days=1)
        while day <= end:
            if day.weekday() < 5 and day not in closed:
                days.append(day)
            day += timedelta(days=1)
    return TradingCalendar(tuple(days), first, end, holidays_file, library_through=library_end,
                           provisional_window=_provisional(extra, library_end, end))


def _provisional(extra: HolidayFile, library_end: date, end: date) -> tuple[date, date] | None:
    """The accepted-draft window, clipped to what the library does not already know."""
    window = extra.provisional_window
    if window is None or window[1] <= library_end:
        return None
    return max(window[0], library_end + timedelta(days=1)), min(window[1], end)


def load_calendar(holidays_file: Path) -> TradingCalendar:
    return build_calendar(library_sessions(), read_holiday_file(holidays_file), holidays_file)

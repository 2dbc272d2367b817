"""The trading time of a parent order: its window cut to the continuous sessions.

A parent from 10:00 to 14:00 trades 10:00-11:30 and 13:00-14:00; the lunch break and
the auctions are not trading time for slicing. Session times come from
`marketdata.sessions`, which groups the dated timetable of `exchange`
(`session_windows`), so a rule change is a new row in `exchange/data.py`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from functools import lru_cache

from marketdata.clock import EXCHANGE_TZ
from marketdata.sessions import Market, session_times

Segment = tuple[datetime, datetime]


def at(day: date, clock_time: time) -> datetime:
    """`clock_time` on `day` in the exchange time zone."""
    return datetime.combine(day, clock_time, tzinfo=EXCHANGE_TZ)




@dataclass(frozen=True)
class TradingWindow:
    """The continuous-trading segments between a parent's start and end on one day."""

    segments: tuple[Segment, ...]

    @classmethod
    def build(cls, day: date, start: time, end: time, market: Market) -> TradingWindow:
        if end <= start:
            raise ValueError(f"order window {start}-{end}: the end must be after the start")
        return _built(day, start, end, market)

    @property
    def empty(self) -> bool:
        return not self.segments

    @property
    def start(self) -> datetime:
        return self.segments[0][0]

    @property
    def end(self) -> datetime:
        return self.segments[-1][1]

    @property
    def total_seconds(self) -> float:
        return sum((hi - lo).total_seconds() for lo, hi in self.segments)

    def contains(self, moment: datetime) -> bool:
        return any(lo <= moment < hi for lo, hi in self.segments)

    def elapsed_seconds(self, moment: datetime) -> float:
        """Continuous trading seconds of the window before `moment`."""
        total = 0.0
        for lo, hi in self.segments:
            if moment > lo:
                total += (min(moment, hi) - lo).total_seconds()
        return total

    def remaining_seconds(self, moment: datetime) -> float:
        return self.total_seconds - self.elapsed_seconds(moment)

    def minutes(self) -> list[datetime]:
        """Start of every trading minute in the window."""
        out: list[datetime] = []
        for lo, hi in self.segments:
            cursor = lo.replace(second=0, microsecond=0)
            while cursor < hi:
                if cursor >= lo:
                    out.append(cursor)
                cursor += timedelta(minutes=1)
        return out


@lru_cache(maxsize=1024)
def _built(day: date, start: time, end: time, market: Market) -> TradingWindow:
    """The window, kept: a parent's is built three times on its way to the first child
    (about 20 us each), and a day's parents share a few windows. The timetable of a
    day is fixed data (`exchange/data.py`), and a window is immutable."""
    lo, hi = at(day, start), at(day, end)
    segments = []
    for session in session_times(day).continuous(market):
        seg_lo, seg_hi = max(lo, at(day, session.start)), min(hi, at(day, session.end))
        if seg_lo < seg_hi:
            segments.append((seg_lo, seg_hi))
    return TradingWindow(tuple(segments))

"""Trading time as a chart axis: A-share session minutes, nothing else.

A session day is 240 minutes (09:30-11:30, 13:00-15:00, Asia/Shanghai). Day i covers
x = 240 i ... 240 (i + 1): lunch, the night, weekends and holidays take no room, so
the close of one day touches the open of the next. Moments outside the session are
pinned to its edges (before 09:30 to the open, lunch to 11:30/13:00, evening to the
close); a moment on a day that is not a session day (a weekend snapshot of the risk
daemon) sits at the close of the session day before it.
"""

from __future__ import annotations

import bisect
import math
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, datetime, time

from marketdata.clock import EXCHANGE_TZ

SESSION_MINUTES = 240
MORNING = (time(9, 30), time(11, 30))
AFTERNOON = (time(13, 0), time(15, 0))
MAX_DAY_TICKS = 10
HOUR_TICKS = ((0, "09:30"), (60, "10:30"), (120, "11:30/13:00"), (180, "14:00"),
              (240, "15:00"))


def _minutes(t: time) -> float:
    return t.hour * 60 + t.minute + t.second / 60 + t.microsecond / 60e6


def session_minute(t: time) -> float:
    """Minutes of trading before `t` on its day, 0 ... 240."""
    morning = min(max(_minutes(t) - _minutes(MORNING[0]), 0.0), 120.0)
    afternoon = min(max(_minutes(t) - _minutes(AFTERNOON[0]), 0.0), 120.0)
    return morning + afternoon


@dataclass(frozen=True)
class TradingAxis:
    """Session days in order; `x(at)` is trading minutes since the first day's open."""

    days: tuple[date, ...]

    @classmethod
    def of(cls, moments: Iterable[datetime],
           is_session: Callable[[date], bool] | None = None) -> TradingAxis:
        """The session days the moments fall on: weekdays, and `is_session` if given."""
        seen = sorted({m.astimezone(EXCHANGE_TZ).date() for m in moments})
        days = [d for d in seen if d.weekday() < 5 and (is_session is None or is_session(d))]
        return cls(tuple(days or seen))  # only weekend data: still draw it on its days

    def x(self, at: datetime) -> float:
        local = at.astimezone(EXCHANGE_TZ)
        index = bisect.bisect_right(self.days, local.date()) - 1
        if index < 0:
            return 0.0
        if self.days[index] != local.date():
            return float((index + 1) * SESSION_MINUTES)
        return index * SESSION_MINUTES + session_minute(local.time())

    @property
    def end(self) -> float:
        return float(max(len(self.days), 1) * SESSION_MINUTES)

    def ticks(self) -> list[tuple[float, str]]:
        """Hours on a one-day chart; when it spans more, each day's label sits in the
        middle of its 240 minutes (its close is the right edge of that band)."""
        if len(self.days) <= 1:
            return [(float(x), label) for x, label in HOUR_TICKS]
        step = math.ceil(len(self.days) / MAX_DAY_TICKS)
        ticks: list[tuple[float, str]] = []
        for index in range(0, len(self.days), step):
            day = self.days[index]
            first = not ticks or day.year != self.days[index - step].year
            ticks.append((index * SESSION_MINUTES + SESSION_MINUTES / 2,
                          day.strftime("%Y-%m-%d" if first else "%m-%d")))
        return ticks

    def day_edges(self) -> list[float]:
        """Where one day ends and the next begins (thin separators on the chart)."""
        return [float(i * SESSION_MINUTES) for i in range(1, len(self.days))]

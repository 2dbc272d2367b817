"""The one sentence every screen shows about the calendar: when it runs out, what that
blocks, and which days rest only on an accepted draft (provisional)."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import date
from typing import Any

from marketdata.calendar import TradingCalendar

COMMANDS = "desk calendar draft YEAR, then desk calendar add YEAR --closures FILE --source TEXT"
BLOCKS = ("no model run, batch or end of day is scheduled for a day after it, and contract "
          "expiries or rolls that need a later session cannot be confirmed")


@dataclass(frozen=True)
class CalendarNotice:
    covered_through: date
    days_left: int  # from `today` to the last covered day (negative: already past it)
    provisional: tuple[date, date] | None
    level: str  # info | warning | critical

    @property
    def text(self) -> str:
        end = self.covered_through
        if self.days_left < 0:
            head = f"Trading calendar ran out on {end}: {BLOCKS} (refused now)."
        else:
            head = f"Trading calendar runs out {end} ({self.days_left} days): {BLOCKS}."
        parts = [head]
        if self.provisional is not None:
            first, last = self.provisional
            parts.append(f"PROVISIONAL {first} to {last}: from an accepted draft, not the "
                         "exchange's notice; add the official list when it is published.")
        parts.append(f"Extend it: {COMMANDS}.")
        return " ".join(parts)

    def as_dict(self) -> dict[str, Any]:
        out = asdict(self)
        out["text"] = self.text
        return out


def calendar_notice(calendar: TradingCalendar, today: date,
                    warning_days: int) -> CalendarNotice | None:
    """A notice when the calendar ends within `warning_days` or has provisional days."""
    left = (calendar.covered_through - today).days
    window = calendar.provisional_window
    if window is not None and window[1] < today:
        window = None  # past provisional days no longer matter for what is scheduled
    if left > warning_days and window is None:
        return None
    level = "critical" if left < 7 else "warning" if left <= warning_days else "info"
    return CalendarNotice(calendar.covered_through, left, window, level)

"""What the scheduler does about the calendar's end: refuse an uncovered day, once a day.

A day the calendar does not cover is never scheduled (the desk does not guess that a
weekday trades). The refusal, and the warning that the calendar ends soon, are raised
as one alert per exchange day however often the scheduler asks (every step in
simulated mode); a Redis key with a TTL remembers it across restarts.
"""

from __future__ import annotations

from collections.abc import Callable

from loguru import logger

from bus import streams
from marketdata.calendar import CalendarNotCovered
from marketdata.calendar_notice import COMMANDS, CalendarNotice, calendar_notice
from marketdata.clock import exchange_date
from services.runtime import ServiceContext
from services.scheduler.nightly import alert

ALERTED = f"{streams.PREFIX}:scheduler:calendar_alert:{{kind}}:{{day}}"
ALERT_MEMORY_S = 8 * 24 * 3600


def alert_once_a_day(ctx: ServiceContext, kind: str, severity: str, title: str,
                     detail: str) -> bool:
    """Publish the alert unless this kind was already alerted today; True if published."""
    day = exchange_date(ctx.clock).isoformat()
    key = ALERTED.format(kind=kind, day=day)
    if not ctx.client.set(key, "1", nx=True, ex=ALERT_MEMORY_S):
        return False
    logger.warning("{}: {}", title, detail)
    alert(ctx, severity, title, detail)
    return True


def guarded(ctx: ServiceContext, what: str, action: Callable[[], None]) -> None:
    """Run `action`; a day beyond the calendar is refused with one alert a day, not raised."""
    try:
        action()
    except CalendarNotCovered as exc:
        today = exchange_date(ctx.clock)
        alert_once_a_day(ctx, "refused", "critical",
                         f"scheduler: {what} not scheduled on {today}: the trading calendar "
                         f"ends {ctx.calendar.covered_through}",
                         f"{exc} Nothing is scheduled until the calendar covers the day: "
                         f"{COMMANDS}.")


def daily_notice(ctx: ServiceContext) -> CalendarNotice | None:
    """The calendar notice for today, alerted once a day while it stands."""
    notice = calendar_notice(ctx.calendar, exchange_date(ctx.clock),
                             ctx.settings.data.calendar_warning_days)
    if notice is not None:
        alert_once_a_day(ctx, "notice", "warning" if notice.level != "critical" else "critical",
                         f"trading calendar runs out {notice.covered_through}", notice.text)
    return notice

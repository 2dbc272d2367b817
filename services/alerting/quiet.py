"""Quiet hours in exchange time (Asia/Shanghai): when warnings wait instead of ringing."""

from __future__ import annotations

from datetime import datetime, timedelta

from marketdata.clock import EXCHANGE_TZ
from services.alerting.config import QuietHours


def quiet_until(quiet: QuietHours | None, severity: str, now: datetime) -> datetime | None:
    """When the quiet period holding an alert of `severity` at `now` ends (None: not quiet)."""
    if quiet is None or severity not in quiet.severities or quiet.start == quiet.end:
        return None
    local = now.astimezone(EXCHANGE_TZ)
    t = local.time()
    wraps = quiet.start > quiet.end  # e.g. 22:00 -> 07:30
    inside = (t >= quiet.start or t < quiet.end) if wraps else quiet.start <= t < quiet.end
    if not inside:
        return None
    end = local.replace(hour=quiet.end.hour, minute=quiet.end.minute, second=0, microsecond=0)
    return end if end > local else end + timedelta(days=1)

"""The NAV page's chart: the desk's NAV series drawn by the shared chart code.

The series (`execution.eod.nav_points`: daily closes, then the risk daemon's snapshots)
and the drawing (`execution.eod.nav_chart`, matplotlib) are the daily report's, so the
two never disagree. Hedge periods (days with a hedge held at the close, `execution.eod.history`) are
shaded. The SVG is embedded as an `<img>` data URL: the CSP allows
`img-src data:`, and an image's own styles are not the page's inline styles.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date
from html import escape

import redis
from markupsafe import Markup

from exchange import Side
from execution.eod.chart_scale import RungLine
from execution.eod.history import History, period_shades
from execution.eod.nav_chart import svg_data_url
from execution.eod.nav_points import HedgeMark, NavPoint, history_points, ladder_marks
from execution.eod.nav_series import stored_records
from marketdata.calendar import CalendarNotCovered, TradingCalendar
from marketdata.clock import EXCHANGE_TZ
from orders.order import OrderRecord
from risk.config import Rung
from services.console.reads import nav_history


def nav_points(client: redis.Redis, account: str) -> list[NavPoint]:
    return history_points(stored_records(client, account), nav_history(client, account))


def order_marks(records: Iterable[OrderRecord]) -> list[HedgeMark]:
    """Hedge orders at the time they were proposed (sells add hedge, buys take it off)."""
    return [HedgeMark(r.order.created_at, f"{r.order.side.value} {r.order.quantity} "
                                          f"{r.order.symbol} ({r.state.value})",
                      r.order.side is Side.SELL)
            for r in records if r.order.created_at is not None]


def rung_lines(ladder: Sequence[Rung]) -> list[RungLine]:
    return [RungLine(r.drawdown, r.hedge_ratio) for r in ladder]


def closed_days(points: Sequence[NavPoint], calendar: TradingCalendar | None) -> frozenset[date]:
    """Weekdays of the series the exchange was shut (the risk daemon publishes on
    holidays too); past the calendar's end a weekday counts as open."""
    if calendar is None:
        return frozenset()
    days = {p.at.astimezone(EXCHANGE_TZ).date() for p in points}
    return frozenset(d for d in days if d.weekday() < 5 and not _trades(calendar, d))


def _trades(calendar: TradingCalendar, day: date) -> bool:
    try:
        return calendar.is_trading_day(day)
    except CalendarNotCovered:
        return True


def nav_chart(points: Sequence[NavPoint], ladder: Sequence[Rung],
              hedges: Iterable[OrderRecord] = (),
              calendar: TradingCalendar | None = None,
              timeline: History | None = None) -> Markup:
    if not points:
        return Markup('<p class="muted">No NAV yet: the risk daemon has published no '
                      'snapshot and no end of day has been recorded.</p>')
    marks = [*ladder_marks(points), *order_marks(hedges)]
    shades = period_shades(timeline.periods()) if timeline else []
    url = svg_data_url(points, rung_lines(ladder), marks, closed=closed_days(points, calendar),
                       shades=shades)
    alt = (f"NAV and drawdown on trading time, {len(points)} points from "
           f"{points[0].at:%Y-%m-%d %H:%M} to {points[-1].at:%Y-%m-%d %H:%M}")
    # Safe: the URL is base64 text and the alt text goes through html.escape.
    return Markup(f'<img class="chart nav-chart" src="{url}" alt="{escape(alt)}">')  # noqa: S704

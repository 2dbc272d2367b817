"""The daily report over a desk that has lived several days: the whole history on the
chart (trading time, across a month end), and the one drawdown figure of the desk, from
the risk daemon's intraday high-water mark, labelled as such."""

from __future__ import annotations

import base64
import re
from datetime import date, datetime, time
from decimal import Decimal
from pathlib import Path

import pytest
import redis

from bus import streams
from execution.eod.chart_axis import TradingAxis
from execution.eod.facts import totals
from execution.eod.nav_points import history_points
from execution.eod.nav_series import NavSeries
from execution.eod.prices import ClosingPrices
from execution.eod.reconcile import Reconciliation
from execution.eod.report import DailyReport, render_html, render_text
from marketdata.clock import EXCHANGE_TZ
from risk.drawdown import HighWaterMark
from risk.nav import NavBreakdown

pytestmark = pytest.mark.integration
DAYS = [date(2026, 11, 26), date(2026, 11, 27), date(2026, 11, 30), date(2026, 12, 1),
        date(2026, 12, 2)]
CLOSES = ["50000000", "50040000", "49980000", "50065000", "50000000"]


def nav(value: str) -> NavBreakdown:
    amount = Decimal(value)
    return NavBreakdown(nav=amount, stock_value=amount - 1000, cash=Decimal(1000),
                        futures_pnl=Decimal(0), futures_notional=Decimal(0),
                        futures_margin=Decimal(0))


def at(day: date, hour: int = 15, minute: int = 30) -> datetime:
    return datetime.combine(day, time(hour, minute), EXCHANGE_TZ)


def report(series: NavSeries, day: date) -> DailyReport:
    history = [r for r in series.records() if r.day <= day]
    return DailyReport(day=day, account="paper", generated_at=at(day), orders=[],
                       totals=totals([]), fills=0, broker_fees=None, hedges=[],
                       nav=history[-1], history=history, prices=ClosingPrices(), alerts=[],
                       reconciliation=Reconciliation(day.isoformat(), "sim"))


def test_the_report_draws_every_day_and_the_desks_drawdown(redis_client: redis.Redis,
                                                           tmp_path: Path) -> None:
    series = NavSeries(redis_client, "paper", tmp_path / "nav.csv")
    for day, close in zip(DAYS[:-1], CLOSES[:-1], strict=True):
        series.record(day, nav(close), at(day))
    # On the last day the book peaked intraday at 50,130,000, then closed at 50,000,000:
    # the console and `desk risk status` said -0.26% at the close; so must the report.
    peak = HighWaterMark(Decimal("50130000"), at(DAYS[-1], 10, 5))
    redis_client.set(streams.HWM.format(account="paper"), peak.to_json())
    last = series.record(DAYS[-1], nav(CLOSES[-1]), at(DAYS[-1]))
    assert last.hwm == Decimal("50130000")
    assert last.drawdown == pytest.approx(1 - 50000000 / 50130000)

    daily = report(series, DAYS[-1])
    html = render_html(daily)
    assert re.search(r"<th>drawdown from the intraday high-water mark</th>"
                     r'<td class="num" id="drawdown">-0\.26%</td>', html)
    assert "intraday high-water mark 50,130,000.00, drawdown -0.26% from it" in render_text(daily)
    chart = re.search(r'<img id="nav-chart" alt="([^"]+)" src="data:image/png;base64,([^"]+)"',
                      html)
    assert chart is not None and chart.group(1).endswith("5 day(s)")
    assert base64.b64decode(chart.group(2)).startswith(b"\x89PNG")
    # The chart's series is every recorded day, on five trading days (no weekend).
    points = history_points(daily.history)
    assert TradingAxis.of([p.at for p in points]).days == tuple(DAYS)


def test_a_past_day_rerun_ignores_a_later_intraday_peak(redis_client: redis.Redis,
                                                       tmp_path: Path) -> None:
    series = NavSeries(redis_client, "paper", tmp_path / "nav.csv")
    series.record(DAYS[0], nav(CLOSES[0]), at(DAYS[0]))
    later = HighWaterMark(Decimal("60000000"), at(DAYS[2], 10, 0))
    redis_client.set(streams.HWM.format(account="paper"), later.to_json())
    again = series.record(DAYS[1], nav(CLOSES[1]), at(DAYS[1]))
    assert (again.hwm, again.drawdown) == (Decimal("50040000"), 0.0)


def test_a_single_day_is_drawn_on_that_days_session(redis_client: redis.Redis,
                                                    tmp_path: Path) -> None:
    series = NavSeries(redis_client, "paper", tmp_path / "nav.csv")
    series.record(DAYS[0], nav(CLOSES[0]), at(DAYS[0]))
    daily = report(series, DAYS[0])
    axis = TradingAxis.of([p.at for p in history_points(daily.history)])
    assert axis.days == (DAYS[0],)  # one session wide, not a 2025-2029 axis
    assert 'alt="NAV and drawdown on trading time, 1 day(s)"' in render_html(daily)

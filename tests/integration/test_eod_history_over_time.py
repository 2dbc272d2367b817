"""The daily report over 30 trading days, written by the desk's own writers to a real
Redis with ACLs: across a month end and the year end (2026-12-31 -> 2027-01-04 by the
desk's holiday file), a drawdown through the 20% rung, a hedge period and its unwind.
The history survives a Redis restart; a malformed entry is named and left out."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date, datetime, time
from decimal import Decimal
from pathlib import Path

import pytest

from execution.eod.day_record import DAY_RECORDS, RETAIN_DAYS, DayRecords
from execution.eod.facts import totals
from execution.eod.history import History, period_shades, read_history
from execution.eod.nav_chart import LIGHT, draw
from execution.eod.nav_points import history_points
from execution.eod.nav_series import NAV_SERIES, NavSeries
from execution.eod.prices import ClosingPrices
from execution.eod.reconcile import Reconciliation
from execution.eod.report import DailyReport, render_html, render_text
from marketdata.clock import EXCHANGE_TZ
from services.redis_server import EmbeddedRedis
from tests.integration.history_kit import (
    ACCOUNT,
    RUNGS,
    activity,
    path,
    trading_days,
    write_history,
)

pytestmark = pytest.mark.integration
def report(series: NavSeries, timeline: History) -> DailyReport:
    history = series.records()
    day = history[-1].day
    return DailyReport(day=day, account=ACCOUNT,
                       generated_at=datetime.combine(day, time(15, 40), EXCHANGE_TZ),
                       orders=[], totals=totals([]), fills=0, broker_fees=None, hedges=[],
                       nav=history[-1], history=history, prices=ClosingPrices(), alerts=[],
                       reconciliation=Reconciliation(day.isoformat(), "sim"), rungs=RUNGS,
                       timeline=timeline)


@pytest.fixture
def acl_redis(tmp_path: Path) -> Iterator[EmbeddedRedis]:
    server = EmbeddedRedis(tmp_path / "redis", acl=True)
    server.start()
    yield server
    server.stop()


def test_thirty_days_across_the_year_end_survive_a_restart(acl_redis: EmbeddedRedis,
                                                           tmp_path: Path) -> None:
    days = trading_days(tmp_path)
    assert date(2026, 12, 31) in days and date(2027, 1, 4) in days
    assert date(2027, 1, 1) not in days and days[0].month == 11  # a month end too
    write_history(acl_redis.client(), tmp_path, days)
    acl_redis.stop()
    acl_redis.start()
    timeline = read_history(acl_redis.client(), ACCOUNT)

    assert [d.day for d in timeline.days] == days and timeline.errors == []
    summary = timeline.summary()
    assert summary.days == 30 and summary.days_hedged == 4
    low = path(days)[17][1]
    assert summary.max_drawdown == pytest.approx(float(1 - low / Decimal(50_900_000)))
    assert summary.max_drawdown > 0.20
    assert summary.fees == Decimal("1500.25") * 30
    assert summary.stamp_duty == Decimal("450.00") * 30
    [period] = timeline.periods()
    assert (period.first, period.last) == (days[16], days[19])
    assert (period.futures_lots, period.option_lots) == (3, 2)


def test_the_report_draws_the_whole_history(acl_redis: EmbeddedRedis, tmp_path: Path) -> None:
    client = acl_redis.client()
    days = trading_days(tmp_path)
    series = write_history(client, tmp_path, days)
    timeline = read_history(client, ACCOUNT)
    daily = report(series, timeline)
    html = render_html(daily)

    assert 'alt="NAV and drawdown on trading time, 30 day(s)"' in html
    assert html.count('<tr class="history-day') == 30
    assert html.count('<tr class="history-day hedged">') == 4
    assert f"hedged {days[16]} to {days[19]}: 3 IM short, 2 MO long" in html
    assert re.search(r"30 day\(s\), 2026-11-\d\d to 2027-01-08; deepest drawdown -2\d\.\d\d%",
                     html)
    assert "<td>2026-12-31</td>" in html and "<td>2027-01-04</td>" in html
    assert "4 day(s) hedged" in render_text(daily)

    figure = draw(history_points(daily.history), RUNGS, [], LIGHT,
                  shades=period_shades(timeline.periods()))
    top, bottom = figure.axes
    rung_ys = sorted(round(line.get_ydata()[0], 6) for line in bottom.get_lines()
                     if line.get_linestyle() == "--")
    assert -20.0 in rung_ys  # the 20% rung is drawn; deeper rungs only if in range
    assert len(top.patches) == 1 and len(bottom.patches) == 1  # the period, shaded
    assert len(top.get_lines()[0].get_xdata()) == 30  # one NAV point per day


def test_a_malformed_entry_is_named_and_the_rest_renders(acl_redis: EmbeddedRedis,
                                                         tmp_path: Path) -> None:
    client = acl_redis.client()
    days = trading_days(tmp_path)
    series = write_history(client, tmp_path, days)
    client.hset(DAY_RECORDS.format(account=ACCOUNT), days[3].isoformat(), '{"day": "x"}')
    client.hset(NAV_SERIES.format(account=ACCOUNT), "2026-11-01", "not json")
    timeline = read_history(client, ACCOUNT)
    assert len(timeline.errors) == 2
    assert any(f"desk:eod:days:paper {days[3]}: not a day record" in e
               for e in timeline.errors)
    assert any("desk:eod:nav:paper 2026-11-01: not JSON" in e for e in timeline.errors)
    html = render_html(report(series, timeline))
    assert html.count('<tr class="history-day') == 30  # the day's NAV is still drawn
    assert html.count("no day record") == 1
    assert "Unreadable, left out: desk:eod:days:paper" in html


def test_redis_keeps_a_bounded_history(acl_redis: EmbeddedRedis) -> None:
    client = acl_redis.client()
    key = DAY_RECORDS.format(account=ACCOUNT)
    old = {f"20{y:02d}-01-{d:02d}": "{}" for y in range(0, 60) for d in range(1, 29)}
    client.hset(key, mapping=dict(list(old.items())[:RETAIN_DAYS + 5]))
    DayRecords(client, ACCOUNT).record(activity(date(2070, 1, 2), 0, 0, 0))
    fields = sorted(client.hkeys(key))
    assert len(fields) == RETAIN_DAYS and fields[-1] == "2070-01-02"
    assert "2000-01-01" not in fields

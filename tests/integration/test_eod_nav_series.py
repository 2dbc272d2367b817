"""The daily NAV series: mark and drawdown across days, both copies, re-runs."""

import csv
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

import pytest
import redis

from execution.eod.nav_series import NavSeries
from marketdata.clock import EXCHANGE_TZ
from risk.nav import NavBreakdown

pytestmark = pytest.mark.integration


def nav(value: str) -> NavBreakdown:
    amount = Decimal(value)
    return NavBreakdown(nav=amount, stock_value=amount - 1000, cash=Decimal(1000),
                        futures_pnl=Decimal(0), futures_notional=Decimal(0),
                        futures_margin=Decimal(0))


def at(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, 15, 30, tzinfo=EXCHANGE_TZ)


DAYS = [date(2026, 11, 18), date(2026, 11, 19), date(2026, 11, 20)]


def test_mark_and_drawdown_follow_the_closes(redis_client: redis.Redis, tmp_path: Path) -> None:
    series = NavSeries(redis_client, "paper", tmp_path / "nav.csv")
    first = series.record(DAYS[0], nav("100000"), at(DAYS[0]))
    second = series.record(DAYS[1], nav("90000"), at(DAYS[1]))
    third = series.record(DAYS[2], nav("110000"), at(DAYS[2]))
    assert (first.hwm, first.drawdown) == (Decimal(100000), 0.0)
    assert (second.hwm, second.drawdown) == (Decimal(100000), pytest.approx(0.10))
    assert (third.hwm, third.drawdown) == (Decimal(110000), 0.0)
    with (tmp_path / "nav.csv").open() as handle:
        rows = list(csv.DictReader(handle))
    assert [r["day"] for r in rows] == [d.isoformat() for d in DAYS]
    assert rows[1]["nav"] == "90000" and rows[1]["hwm"] == "100000"


def test_a_rerun_replaces_its_day_and_the_file_survives_a_lost_redis(
    redis_client: redis.Redis, tmp_path: Path,
) -> None:
    path = tmp_path / "reports" / "nav.csv"
    series = NavSeries(redis_client, "paper", path)
    series.record(DAYS[0], nav("100000"), at(DAYS[0]))
    series.record(DAYS[1], nav("95000"), at(DAYS[1]))
    again = series.record(DAYS[1], nav("80000"), at(DAYS[1]))
    assert again.drawdown == pytest.approx(0.20)
    redis_client.flushall()
    records = NavSeries(redis_client, "paper", path).records()
    assert [(r.day, r.nav) for r in records] == [(DAYS[0], Decimal(100000)),
                                                 (DAYS[1], Decimal(80000))]
    other = NavSeries(redis_client, "live", path)  # another account shares the file
    other.record(DAYS[1], nav("5000"), at(DAYS[1]))
    assert len(NavSeries(redis_client, "paper", path).records()) == 2
    assert [r.account for r in other.records()] == ["live"]

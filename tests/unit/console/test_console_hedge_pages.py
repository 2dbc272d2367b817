"""The Hedge and NAV pages on a real Redis: figures in words, no dicts, the chart drawn
from the daily closes and the day's snapshots on trading time."""

from __future__ import annotations

import re
import time
from datetime import date, datetime
from decimal import Decimal

import redis
from fastapi.testclient import TestClient

from marketdata.clock import EXCHANGE_TZ
from risk.config import RiskConfig
from tests.unit.console.chart_kit import svg_of, texts
from tests.unit.console.console_kit import login
from tests.unit.console.hedge_kit import seed_book, seed_closes, seed_risk_state, seed_snapshots

AT = datetime(2026, 11, 23, 10, 30, tzinfo=EXCHANGE_TZ)  # the console kit's clock day


def test_hedge_page_shows_ladder_legs_basis_margin(web: TestClient,
                                                   redis_client: redis.Redis) -> None:
    seed_risk_state(redis_client, RiskConfig(), AT)
    seed_book(redis_client, "paper", AT)
    login(web, "vera")
    html = web.get("/hedge").text
    assert re.search(r'class="current-rung"><td>1</td><td class="num">-20\.00%</td>', html)
    assert "Rung 1 in force: hedge 30.00%" in html
    assert "CSI 1000 up 2.77% from its low 6,100.0 (needs 5.00%)" in html
    assert '<td class="mono">IM2612.CFFEX</td><td class="num">7</td>' in html
    assert "CNY +67,480.00" in html and "CNY 1,302,378.00" in html
    assert 'id="risk-drawdown">-21.00%</b> from the intraday high-water mark' in html
    main = html[html.index("<main"):]
    assert "{" not in main and "0.21" not in main  # no dict, no raw fraction


def test_nav_page_chart_covers_the_closes_and_today(web: TestClient,
                                                    redis_client: redis.Redis) -> None:
    days = [date(2026, 11, 18), date(2026, 11, 19), date(2026, 11, 20)]
    seed_closes(redis_client, "paper", days, [Decimal("50000000"), Decimal("50065000"),
                                              Decimal("50010000")])
    seed_snapshots(redis_client, "paper", AT.replace(hour=9, minute=30), 600,
                   hwm=Decimal("50065000"), first=Decimal("50010000"), step=Decimal("10"))
    login(web, "vera")
    start = time.perf_counter()
    html = web.get("/nav").text
    elapsed = time.perf_counter() - start
    shown = texts(svg_of(html))
    day_ticks = [t for t in shown if t[:2] in ("20", "11") and "-" in t and "%" not in t]
    assert day_ticks == ["2026-11-18", "11-19", "11-20", "11-23"]
    assert "ladder: hedge 30.00%" in shown  # the ratio change in the snapshots
    # The figure the page shows is the newest snapshot's: 1 - 50,004,010 / 50,065,000.
    assert 'id="nav-drawdown">-0.12%</b>' in html
    assert elapsed < 2.0, elapsed


def test_hedge_page_says_why_it_cannot_read_the_state(web: TestClient,
                                                      redis_client: redis.Redis) -> None:
    redis_client.set("desk:risk:state:paper", '{"reducing": "false"}')
    login(web, "vera")
    response = web.get("/hedge")
    assert response.status_code == 200
    assert 'id="risk-unreadable">desk:risk:state:paper: unreadable risk state: reducing:' \
        in response.text
    assert "No futures held." in response.text

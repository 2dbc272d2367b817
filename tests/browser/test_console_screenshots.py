"""Every console page at 1600×1000 from one seeded desk: a batch with an urgent hedge,
working and filled orders, a book with stocks and a short IM hedge at rung 1, two days
of NAV, alerts, the audit and a liquidity profile. Each page must render with no
browser error and no Python dict in its text; the screenshots go to DESK_SCREENSHOTS
(docs/img/console for docs/console.md) or to the test's folder.

    DESK_SCREENSHOTS=docs/img/console python -m pytest tests/browser/test_console_screenshots.py
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from datetime import date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
import redis
from playwright.sync_api import Browser, ConsoleMessage, Page

from bus import streams
from bus.alerts import send_alert
from execution.approval.lifecycle import Action, Fill
from execution.eod.day_record import DayActivity, DayRecords
from execution.ledger import FutureHolding, Holding, Ledger
from marketdata.calendar import load_calendar
from marketdata.clock import EXCHANGE_TZ, FixedClock
from risk.config import RiskConfig
from services.redis_server import EmbeddedRedis
from tests.browser.conftest import LiveConsole, log_in, served
from tests.unit.console.console_kit import add_users, build_app, seed_batch
from tests.unit.console.hedge_kit import PRICES, seed_closes, seed_risk_state, seed_snapshots
from tests.unit.queue.queue_kit import make_hedge, make_order, set_last
from tests.unit.risk.liquidity_kit import published_doc

pytestmark = pytest.mark.browser
AT = datetime(2026, 11, 23, 10, 30, tzinfo=EXCHANGE_TZ)
ROOT = Path(__file__).resolve().parents[2]
VIEWPORT = {"width": 1600, "height": 1000}
PAGES = {  # file name -> path (the order page is filled in once the batch exists)
    "pending": "/", "order": "/orders/B1-0003", "working": "/working",
    "positions": "/positions", "nav": "/nav", "hedge": "/hedge", "alerts": "/alerts",
    "audit": "/audit", "new_order": "/orders/new", "halt": "/halt", "users": "/users",
    "liquidity": "/liquidity",
}


@pytest.fixture(scope="module")
def desk(redis_server: EmbeddedRedis, tmp_path_factory: pytest.TempPathFactory
         ) -> Iterator[LiveConsole]:
    client = redis.Redis.from_url(redis_server.url, decode_responses=True)
    client.flushall()
    clock = FixedClock(AT)
    app = build_app(client, clock, tmp_path_factory.mktemp("shots"),
                    calendar=load_calendar(ROOT / "config" / "holidays.yaml"))
    with served(app, client, clock) as live:
        add_users(client, clock)
        _seed(live)
        yield live


def _seed(live: LiveConsole) -> None:
    queue, client = live.queue, live.client
    ids = seed_batch(queue, 14)
    queue.ingest(make_hedge(), actor="risk")
    for order_id in ids[:3]:
        queue.apply(order_id, Action.APPROVE, actor="bob")
        queue.apply(order_id, Action.START, actor="execution")
    queue.apply(ids[1], Action.FILL, actor="execution", fill=Fill(100, Decimal("1004.00")))
    queue.apply(ids[3], Action.EDIT, actor="bob", edit={"quantity": 500})
    queue.apply(ids[4], Action.REJECT, actor="bob", reason="suspended tomorrow")
    queue.ingest(make_order("M-1", created_by="alice", reason="sell on news"), actor="alice")
    set_last(client, "600000.SSE", "10.06")
    seed_risk_state(client, RiskConfig(), AT)
    client.set(streams.LEDGER.format(account="paper"), Ledger(
        account="paper", cash=Decimal("19000000.00"), at=AT,
        positions={"600000.SSE": Holding(20_000, 20_000, Decimal("10.21")),
                   "000002.SZSE": Holding(35_000, 30_000, Decimal("8.47"))},
        futures={"IM2612.CFFEX": FutureHolding(7, Decimal("6250.0"))}).to_json())
    client.hset(streams.LAST_PRICES, mapping={**PRICES, "000002.SZSE": "8.31"})
    seed_closes(client, "paper", [date(2026, 11, 19), date(2026, 11, 20)],
                [Decimal("100000000"), Decimal("81200000")])
    for day, lots in ((date(2026, 11, 19), 0), (date(2026, 11, 20), 7)):
        DayRecords(client, "paper").record(DayActivity(
            day, "paper", bought=Decimal("4210500.00"), sold=Decimal("3987000.00"),
            hedge_traded=Decimal("8750000.00") if lots else Decimal(0), fees=Decimal("5120.40"),
            stamp_duty=Decimal("1993.50"), slippage=Decimal("820.00"), futures_lots=lots,
            option_lots=0))
    seed_snapshots(client, "paper", AT - timedelta(minutes=60), 600,
                   hwm=Decimal("100000000"), first=Decimal("80000000"), step=Decimal("1700"))
    for i in range(3):
        send_alert(client, source="execution", severity="warning",
                   title="stale_price 600000.SSE", detail="no quote for 60 s",
                   ts=AT + timedelta(seconds=i))
    send_alert(client, source="risk", severity="critical", title="drawdown crossed rung 1",
               detail="-21.00%: hedge 30%", ts=AT)
    client.set(streams.LIQUIDITY.format(account="paper"), json.dumps(published_doc()))


def _errors(page: Page) -> list[str]:
    errors: list[str] = []

    def seen(message: ConsoleMessage) -> None:
        if message.type == "error":
            errors.append(message.text)

    page.on("console", seen)
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.on("response", lambda r: errors.append(f"{r.status} {r.url}") if r.status >= 400
            else None)
    return errors


@pytest.fixture(scope="module")
def sessions(browser: Browser, desk: LiveConsole) -> dict[str, Any]:
    """One login per user for all pages (the login throttle counts tries per address)."""
    states = {}
    for user in ("alice", "root"):
        context = browser.new_context(viewport=VIEWPORT)  # type: ignore[arg-type]
        log_in(context.new_page(), desk, user)
        states[user] = context.storage_state()
        context.close()
    return states


@pytest.mark.parametrize("name", sorted(PAGES))
def test_every_page_renders_for_its_screenshot(browser: Browser, desk: LiveConsole,
                                               sessions: dict[str, Any], tmp_path: Path,
                                               name: str) -> None:
    user = "root" if name == "users" else "alice"
    context = browser.new_context(viewport=VIEWPORT, locale="zh-CN",  # type: ignore[arg-type]
                                  storage_state=sessions[user])
    try:
        page = context.new_page()
        page.set_default_timeout(5000)
        errors = _errors(page)
        response = page.goto(desk.url + PAGES[name])
        assert response is not None and response.status == 200, name
        page.wait_for_load_state("networkidle")
        text = page.locator("main").inner_text()
        assert text.strip() and "{'" not in text and "['" not in text, text[:500]
        assert "Traceback" not in text, text[:500]
        assert errors == [], errors
        if name == "positions":  # a leg as figures: 7 short at 6,250.0, last 6,201.8
            row = page.locator("#futures tbody tr").first.inner_text()
            assert "6,250.0" in row and "6,201.8" in row and "67,480.00" in row, row
        folder = Path(os.environ.get("DESK_SCREENSHOTS") or tmp_path)
        folder.mkdir(parents=True, exist_ok=True)
        target = folder / f"{name}.png"
        page.screenshot(path=str(target))
        assert target.stat().st_size > 10_000
    finally:
        context.close()

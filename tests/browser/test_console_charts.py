"""The Hedge and NAV pages in headless Chromium against a real console and Redis: the
ladder, legs and basis as figures (never a dict), and the NAV chart as an SVG image the
content-security policy lets through."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

import pytest
import redis
from playwright.sync_api import ConsoleMessage, Page, expect

from marketdata.calendar import load_calendar
from marketdata.clock import EXCHANGE_TZ, FixedClock
from risk.config import RiskConfig
from services.redis_server import EmbeddedRedis
from tests.browser.conftest import LiveConsole, log_in, served, shot
from tests.unit.console.console_kit import build_app
from tests.unit.console.hedge_kit import seed_book, seed_closes, seed_risk_state, seed_snapshots

pytestmark = pytest.mark.browser
AT = datetime(2026, 11, 23, 10, 30, tzinfo=EXCHANGE_TZ)
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def console(redis_server: EmbeddedRedis, tmp_path_factory: pytest.TempPathFactory
            ) -> Iterator[LiveConsole]:
    """The conftest's console, with the trading calendar (expiries for the basis)."""
    client = redis.Redis.from_url(redis_server.url, decode_responses=True)
    clock = FixedClock(AT)
    app = build_app(client, clock, tmp_path_factory.mktemp("charts"),
                    calendar=load_calendar(ROOT / "config" / "holidays.yaml"))
    with served(app, client, clock) as live:
        yield live


def _csp_errors(page: Page) -> list[str]:
    errors: list[str] = []

    def seen(message: ConsoleMessage) -> None:
        if "Content Security Policy" in message.text:
            errors.append(message.text)

    page.on("console", seen)
    return errors


def test_hedge_page_shows_ladder_legs_and_basis_without_dicts(page: Page,
                                                              fresh: LiveConsole) -> None:
    seed_risk_state(fresh.client, RiskConfig(), AT)
    seed_book(fresh.client, "paper", AT)
    log_in(page, fresh)
    page.goto(fresh.url + "/hedge")
    current = page.locator("#ladder tr.current-rung")
    expect(current).to_have_count(1)
    expect(current).to_contain_text("-20.00%")
    expect(current).to_contain_text("30.00%")
    expect(page.locator("#step-down")).to_contain_text("Rung 1 in force")
    expect(page.locator("#unhedge-rules")).to_contain_text("CSI 1000 up 2.77% from its low")
    leg = page.locator("#legs tbody tr").first
    expect(leg).to_contain_text("IM2612.CFFEX")
    expect(leg).to_contain_text("CNY +67,480.00")
    expect(page.locator("#margin")).to_contain_text("CNY 1,302,378.00")
    basis = page.locator("#basis tbody tr", has_text="IM2612.CFFEX")
    # 25 days to the 2026-12-18 expiry: (6201.8 / 6268.8 - 1) x 365 / 25, and a lot's
    # 1,240,360 of notional pays 15.60% / 12 a month.
    expect(basis).to_contain_text("-15.60%")
    expect(basis).to_contain_text("CNY 16,129.00")
    expect(page.locator("#risk-figures")).to_contain_text(
        "-21.00% from the intraday high-water mark")
    text = page.locator("main").inner_text()
    assert "{" not in text and "}" not in text and "0.21" not in text, text
    shot(page, "hedge")


def test_nav_chart_is_an_svg_the_page_shows(page: Page, fresh: LiveConsole) -> None:
    seed_closes(fresh.client, "paper", [date(2026, 11, 19), date(2026, 11, 20)],
                [Decimal("50000000"), Decimal("50065000")])
    seed_snapshots(fresh.client, "paper", AT.replace(hour=9, minute=30), 400,
                   hwm=Decimal("50065000"), first=Decimal("50000000"), step=Decimal("5"))
    errors = _csp_errors(page)
    log_in(page, fresh)
    page.goto(fresh.url + "/nav")
    chart = page.locator("img.nav-chart")
    expect(chart).to_have_count(1)
    assert (chart.get_attribute("src") or "").startswith("data:image/svg+xml;base64,")
    # Decoded and drawn by the browser: the CSP (img-src data:) let it through.
    page.wait_for_function("document.querySelector('img.nav-chart').naturalWidth > 0")
    box = chart.bounding_box()
    assert box is not None and box["width"] > 600 and box["height"] > 250
    # The case: a 0.13% drawdown (49,998,005 against 50,065,000), not a flat line.
    expect(page.locator("#nav-drawdown")).to_have_text("-0.13%")
    assert errors == []
    shot(page, "nav")

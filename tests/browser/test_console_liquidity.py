"""The console's Liquidity page in Chromium: the exit curve per scenario (table and chart),
the holdings slowest first under the chosen scenario, the crowded names, the limits; a
missing or unreadable profile said in words.

    DESK_SCREENSHOTS=docs/img/console python -m pytest tests/browser/test_console_liquidity.py
"""

from __future__ import annotations

import json

import pytest
from playwright.sync_api import ConsoleMessage, Page

from bus import streams
from tests.browser.conftest import LiveConsole, log_in, shot
from tests.unit.risk.liquidity_kit import published_doc

pytestmark = pytest.mark.browser
KEY = streams.LIQUIDITY.format(account="paper")


def cells(page: Page, selector: str) -> list[str]:
    return [c.strip() for c in page.locator(selector).all_inner_texts()]


def test_exit_curve_holdings_and_crowded_names(page: Page, fresh: LiveConsole) -> None:
    fresh.client.set(KEY, json.dumps(published_doc()))
    errors: list[str] = []

    def seen(msg: ConsoleMessage) -> None:
        if msg.type == "error":
            errors.append(msg.text)

    page.on("console", seen)
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    log_in(page, fresh)
    page.click('nav a[href="/liquidity"]')
    page.wait_for_url(fresh.url + "/liquidity")
    # cash 55% of NAV; "both" sells A 250k / 750k / 1m, B 0 / 50k / 150k, C 1m by day 1
    assert cells(page, '#curve tr[data-scenario="both"] td')[:4] == \
        ["both", "67.50%", "73.00%", "76.50%"]
    assert cells(page, '#curve tr[data-scenario="base"] td')[:5] == \
        ["base", "71.00%", "78.00%", "80.00%", "never"]
    assert page.locator("#holdings-title").text_content() == "Holdings under both, slowest first"
    rows = page.locator("#liquidity-holdings tbody tr")
    assert rows.nth(0).get_attribute("data-symbol") == "688004.SSE"
    b = cells(page, '#liquidity-holdings tr[data-symbol="000002.SZSE"] td')
    assert b[8:11] == ["32.00", "32", "limit-down"]  # 2 locked + 300,000 / (20% x 50,000)
    crowded = cells(page, '#crowding tr[data-symbol="600001.SSE"] td')
    assert crowded[2:5] == ["50,000", "200,000", "25.00%"]  # our fills / the day's volume
    first = page.locator("#crowding tbody tr").first.get_attribute("data-symbol")
    assert first == "688004.SSE"  # free float unknown: shown first, as the most crowded
    assert "days_to_exit: 000002.SZSE: 32.00 days to exit under both" in \
        page.locator("#liquidity-breaches").inner_text()
    assert page.evaluate("document.getElementById('liquidity-chart').naturalWidth") > 0
    assert "{" not in page.locator("main").inner_text()
    shot(page, "liquidity")
    page.click('#curve a:text-is("base")')
    page.wait_for_url(fresh.url + "/liquidity?stress=base")
    b = cells(page, '#liquidity-holdings tr[data-symbol="000002.SZSE"] td')
    assert b[8:11] == ["15.00", "15", ""]
    assert errors == []


def test_missing_and_unreadable_profile_in_words(page: Page, fresh: LiveConsole) -> None:
    log_in(page, fresh)
    page.goto(fresh.url + "/liquidity")
    assert "No liquidity profile published yet" in page.locator("#liquidity-missing").inner_text()
    fresh.client.set(KEY, json.dumps({**published_doc(), "nav": "lots"}))
    page.goto(fresh.url + "/liquidity")
    text = page.locator("#liquidity-unreadable").inner_text()
    assert text.startswith("desk:risk:liquidity:paper: unreadable liquidity profile: nav:")
    fresh.client.set(KEY, json.dumps(published_doc()))
    page.goto(fresh.url + "/liquidity?stress=crash")
    assert "no stress scenario 'crash': showing base." in page.locator("main").inner_text()

"""The console's NAV page over a 30-day history in the real browser: every day in the
table, the hedge period shaded on the chart and named, the summary; a malformed entry
named on the page while the rest still shows."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from execution.eod.day_record import DAY_RECORDS
from tests.browser.conftest import LiveConsole, log_in
from tests.integration.history_kit import ACCOUNT, trading_days, write_history

pytestmark = pytest.mark.browser


def test_nav_page_shows_the_whole_history(page: Page, fresh: LiveConsole,
                                          tmp_path: Path) -> None:
    days = trading_days(tmp_path)
    write_history(fresh.client, tmp_path, days)
    log_in(page, fresh)
    page.goto(fresh.url + "/nav")
    rows = page.locator("#history tr.history-day")
    expect(rows).to_have_count(30)
    expect(page.locator("#history tr.history-day.hedged")).to_have_count(4)
    expect(rows.first).to_contain_text("2027-01-08")  # newest first
    expect(page.locator("#history", has_text="2026-12-31")).to_have_count(1)
    expect(page.locator(".hedge-period")).to_have_text(
        f"hedged {days[16]} to {days[19]}: 3 IM short, 2 MO long")
    expect(page.locator("#history-days-hedged")).to_have_text("4")
    expect(page.locator("#history-max-drawdown")).to_contain_text("-2")
    expect(page.locator("#history-fees")).to_have_text("CNY 45,007.50")
    page.wait_for_function("document.querySelector('img.nav-chart').naturalWidth > 0")
    alt = page.locator("img.nav-chart").get_attribute("alt") or ""
    assert "30 points from 2026-11-" in alt and "to 2027-01-08" in alt, alt


def test_a_malformed_day_is_named_and_the_page_renders(page: Page, fresh: LiveConsole,
                                                       tmp_path: Path) -> None:
    days = trading_days(tmp_path)
    write_history(fresh.client, tmp_path, days)
    fresh.client.hset(DAY_RECORDS.format(account=ACCOUNT), days[5].isoformat(), "[1, 2")
    log_in(page, fresh)
    page.goto(fresh.url + "/nav")
    expect(page.locator(".history-error")).to_contain_text(
        f"desk:eod:days:paper {days[5]}: not a day record")
    expect(page.locator("#history tr.history-day")).to_have_count(30)
    expect(page.locator("#history", has_text="no day record")).to_have_count(1)

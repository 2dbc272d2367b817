"""Two fund products in the real browser: choosing an account in the top bar shows its
orders only (the page reloads on the choice, no button needed), the choice follows the
trader to the Positions page, every account shows the desk total; an unknown account
in the address is a 400 page naming it."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import pytest
import redis
from playwright.sync_api import Browser, Page, expect

from bus import streams
from bus.bus import publish
from bus.messages import NavSnapshot
from marketdata.clock import FixedClock
from services.redis_server import EmbeddedRedis
from tests.browser.conftest import LiveConsole, log_in, served, shot
from tests.integration.two_accounts_kit import (
    AT,
    BETA_ORDERS,
    build_two_account_app,
    seed_desk,
    two_account_settings,
)
from tests.unit.console.console_kit import add_users
from tests.unit.queue.queue_kit import make_order

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def desk_of_two(redis_server: EmbeddedRedis, tmp_path_factory: pytest.TempPathFactory
                ) -> Iterator[LiveConsole]:
    client = redis.Redis.from_url(redis_server.url, decode_responses=True)
    clock = FixedClock(AT)
    data_dir: Path = tmp_path_factory.mktemp("two-accounts-console")
    app = build_two_account_app(client, clock, two_account_settings(data_dir), data_dir)
    with served(app, client, clock) as live:
        yield live


@pytest.fixture
def two(desk_of_two: LiveConsole) -> LiveConsole:
    desk_of_two.client.flushall()
    add_users(desk_of_two.client, desk_of_two.clock)
    seed_desk(desk_of_two.client, desk_of_two.queue)
    return desk_of_two


@pytest.fixture
def tab(browser: Browser, two: LiveConsole) -> Iterator[Page]:
    context = browser.new_context(viewport={"width": 1500, "height": 900}, locale="zh-CN")
    page = context.new_page()
    page.set_default_timeout(5000)
    yield page
    context.close()


def test_choosing_an_account_filters_and_follows_the_trader(tab: Page, two: LiveConsole) -> None:
    log_in(tab, two)
    rows = tab.locator("table.orders tbody tr[data-order]")
    expect(rows).to_have_count(5)
    tab.select_option("#account-select", "beta")  # console.js submits the choice
    tab.wait_for_url("**/?account=beta")
    expect(rows).to_have_count(len(BETA_ORDERS))
    expect(tab.locator('td[data-f="account"]')).to_have_text(["beta", "beta"])
    shot(tab, "accounts-pending-beta")
    tab.click("nav >> text=Positions")
    tab.wait_for_url(two.url + "/positions")
    expect(tab.locator("section.account-book")).to_have_count(1)
    expect(tab.locator("section.account-book h2")).to_contain_text("account beta")
    expect(tab.locator("#live-nav")).to_contain_text("beta NAV 560,500")
    tab.select_option("#account-select", "all")
    tab.wait_for_url("**/positions?account=all")
    total = tab.locator("#desk-total")
    expect(total.locator('[data-f="nav"]')).to_have_text("CNY 1,770,500.00")
    expect(total.locator('[data-f="cash"]')).to_have_text("CNY 1,500,000.00")
    expect(total.locator('[data-f="stock_value"]')).to_have_text("CNY 270,500.00")
    expect(total.locator('[data-f="day_pnl"]')).to_have_text("CNY +5,500.00")
    expect(tab.locator("#live-nav")).to_have_text("desk NAV 1,770,500")
    shot(tab, "accounts-positions-all")


def test_an_unknown_account_is_a_page_naming_it(tab: Page, two: LiveConsole) -> None:
    log_in(tab, two)
    response = tab.goto(two.url + "/nav?account=gamma")
    assert response is not None and response.status == 400
    expect(tab.locator("#account-error")).to_contain_text(
        "unknown account 'gamma': the desk has alpha, beta")


def test_live_updates_follow_the_chosen_account(tab: Page, two: LiveConsole) -> None:
    log_in(tab, two)
    tab.goto(two.url + "/?account=beta")
    expect(tab.locator("#live-dot.live")).to_have_count(1)
    notice = tab.locator("#new-orders")
    two.queue.ingest(make_order("A-0009", account="alpha", reference_price=Decimal("10.50"),
                                reason="reversal A-0009"), actor="model")
    tab.wait_for_timeout(1500)  # the event has come and gone: another account's order
    expect(notice).to_be_hidden()
    two.queue.ingest(make_order("B-0009", account="beta", reference_price=Decimal("10.50"),
                                reason="reversal B-0009"), actor="model")
    expect(notice).to_be_visible()
    tab.goto(two.url + "/positions?account=all")
    expect(tab.locator("#live-dot.live")).to_have_count(1)
    expect(tab.locator("#live-nav")).to_have_text("desk NAV 1,770,500")
    publish(two.client, streams.NAV, "nav", NavSnapshot(
        account="beta", nav=Decimal("570500.00"), hwm=Decimal("570500.00"), drawdown=0.0,
        stock_value=Decimal("70500.00"), cash=Decimal("500000.00"), at=AT), source="risk",
        ts=AT)
    expect(tab.locator("#live-nav")).to_have_text("desk NAV 1,780,500")

"""The console in headless Chromium: login, bulk approve, edit and re-approve, reject
with a reason, pause and resume, the kill switch, and a fill appearing without a
reload (pushed over SSE)."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from bus import streams
from bus.bus import publish
from bus.messages import Alert, FillEvent, NavSnapshot
from exchange import Side
from execution.approval.lifecycle import Action, Fill
from marketdata.calendar import load_calendar
from marketdata.clock import EXCHANGE_TZ
from orders.order import OrderState
from tests.browser.conftest import LiveConsole, log_in, shot
from tests.unit.console.console_kit import seed_batch
from tests.unit.queue.queue_kit import make_hedge, make_order, set_last

pytestmark = pytest.mark.browser


def _row(page: Page, order_id: str):  # type: ignore[no-untyped-def]
    return page.locator(f'tr[data-order="{order_id}"]')


def test_wrong_password_then_login(page: Page, fresh: LiveConsole) -> None:
    page.goto(fresh.url + "/")
    expect(page).to_have_url(fresh.url + "/login")
    page.fill('input[name="username"]', "alice")
    page.fill('input[name="password"]', "not the password")
    page.click('button[type="submit"]')
    expect(page.locator("#login-error")).to_contain_text("invalid user name or password")
    log_in(page, fresh)
    expect(page.locator(".who")).to_contain_text("alice")


def test_bulk_approve_all_selected(page: Page, fresh: LiveConsole) -> None:
    ids = seed_batch(fresh.queue, 12)
    fresh.queue.ingest(make_hedge(), actor="risk")
    set_last(fresh.client, "600000.SSE", "10.80")
    log_in(page, fresh)
    expect(_row(page, ids[0])).to_contain_text("浦发银行")
    shot(page, "pending")
    page.check("#select-all")
    page.click("#approve-selected")
    expect(page.locator(".flash").first).to_contain_text("12 order(s) approved")
    expect(page.locator(".flash").first).to_contain_text("re-confirm")  # 600000 moved 8%
    approved = [r for r in fresh.queue.list_orders() if r.state is OrderState.APPROVED]
    assert len(approved) == 12 and all(r.approvals[0].user == "alice" for r in approved)


def test_edit_and_reapprove(page: Page, fresh: LiveConsole) -> None:
    order_id = seed_batch(fresh.queue, 2)[1]
    fresh.queue.apply(order_id, Action.APPROVE, actor="bob")
    log_in(page, fresh)
    page.goto(f"{fresh.url}/orders/{order_id}")
    shot(page, "order_detail")
    page.fill('#edit-form input[name="quantity"]', "700")
    page.fill('#edit-form input[name="limit_price"]', "9.98")
    page.fill('#edit-form input[name="reason"]', "thin book")
    page.click("#save-edit")
    expect(page.locator(".flash").first).to_contain_text("version 2, pending_approval")
    expect(page.locator("#maker-note")).to_contain_text("alice edited it")  # said up front
    page.click("#approve-one")  # the editor may not approve her own edit (maker-checker)
    expect(page.locator(".flash").first).to_contain_text("alice edited it and cannot also")
    assert fresh.queue.require(order_id).state is OrderState.PENDING_APPROVAL
    page.context.clear_cookies()
    log_in(page, fresh, "bob")
    page.goto(f"{fresh.url}/orders/{order_id}")
    page.click("#approve-one")
    expect(page.locator(".flash").first).to_contain_text("1 order(s) approved and released")
    record = fresh.queue.require(order_id)
    assert (record.state, record.order.version, record.order.quantity) == (
        OrderState.APPROVED, 2, 700)


def test_reject_with_a_reason(page: Page, fresh: LiveConsole) -> None:
    ids = seed_batch(fresh.queue, 3)
    log_in(page, fresh)
    _row(page, ids[2]).locator('input[name="ids"]').check()
    page.fill("#reject-reason", "suspended tomorrow")
    page.click("#reject-selected")
    expect(page.locator(".flash").first).to_contain_text("1 order(s) rejected")
    record = fresh.queue.require(ids[2])
    assert record.state is OrderState.REJECTED and record.note == "suspended tomorrow"


def test_pause_resume_and_a_fill_appear_without_reload(page: Page, fresh: LiveConsole) -> None:
    seed_batch(fresh.queue, 1)
    order_id = fresh.queue.ingest(make_order("W-1", side=Side.SELL, quantity=1000),
                                  actor="model").order_id
    queue = fresh.queue
    queue.apply(order_id, Action.APPROVE, actor="bob")
    queue.apply(order_id, Action.START, actor="execution")
    log_in(page, fresh)
    page.goto(fresh.url + "/working")
    row = _row(page, order_id)
    row.locator('button[value="pause"]').click()
    expect(page.locator(".flash").first).to_contain_text(f"pause of {order_id} sent")
    expect(page.locator("#live-dot")).to_have_class("dot live")
    page.evaluate("window.__noReload = true")
    queue.apply(order_id, Action.PAUSE, actor="execution")  # the broker confirmed the pause
    expect(row.locator('[data-f="state"]')).to_have_text("paused")
    row.locator('button[value="resume"]').click()
    expect(page.locator(".flash").first).to_contain_text(f"resume of {order_id} sent")
    controls = [f for _i, f in fresh.client.xrange(streams.CONTROLS) if f["type"] == "exec.control"]
    assert [json.loads(f["body"])["command"] for f in controls] == ["pause", "resume"]
    queue.apply(order_id, Action.RESUME, actor="execution")
    page.evaluate("window.__noReload = true")
    at = fresh.clock.now()
    queue.apply(order_id, Action.FILL, actor="execution", fill=Fill(300, Decimal("3000.00")))
    publish(fresh.client, streams.EVENTS, "fill", FillEvent(
        trade_id="T1", order_id=order_id, reference="c1", symbol="600000.SSE", side="sell",
        quantity=300, price=Decimal("10.00"), at=at, account="paper"), source="test", ts=at)
    expect(row.locator('[data-f="filled"]')).to_have_text("300")
    expect(row.locator('[data-f="state"]')).to_have_text("partially filled")
    expect(page.locator("#ticker")).to_contain_text("FILL sell 300 600000.SSE @ 10.00")
    assert page.evaluate("window.__noReload") is True
    shot(page, "working")


def test_kill_switch_after_confirmation(page: Page, fresh: LiveConsole) -> None:
    log_in(page, fresh)
    page.goto(fresh.url + "/halt")
    page.fill('#halt-form input[name="reason"]', "broker disconnects")
    page.click("#halt-button")  # without the word: refused
    expect(page.locator(".flash").first).to_contain_text("Not halted")
    assert fresh.queue.halted() is None
    page.fill("#halt-confirm", "HALT")
    page.click("#halt-button")
    expect(page.locator("#halt-banner")).to_contain_text("TRADING HALTED")
    assert fresh.queue.halted() == "alice: kill switch"


def test_viewer_sees_no_decision_buttons(page: Page, fresh: LiveConsole) -> None:
    seed_batch(fresh.queue, 2)
    log_in(page, fresh, "vera")
    expect(page.locator("#approve-selected")).to_have_count(0)
    page.goto(fresh.url + "/halt")
    expect(page.locator("#halt-button")).to_have_count(0)


def test_nav_chart_and_alerts_live(page: Page, fresh: LiveConsole) -> None:
    start = datetime(2026, 11, 20, 9, 30, tzinfo=EXCHANGE_TZ)
    nav, hwm = Decimal("50000000"), Decimal("50000000")
    for i in range(60):
        nav = nav * Decimal("0.995") if i < 45 else nav * Decimal("1.002")
        at = start + timedelta(minutes=30 * i)
        publish(fresh.client, streams.NAV, "nav", NavSnapshot(
            account="paper", nav=nav.quantize(Decimal("0.01")), hwm=hwm,
            drawdown=float(1 - nav / hwm), stock_value=nav, cash=Decimal(0),
            hedge_ratio=0.3 if i > 44 else 0.0, at=at), source="risk", ts=at)
    log_in(page, fresh)
    page.goto(fresh.url + "/nav")
    # A matplotlib SVG image now: its rungs and scale are checked in test_console_charts.py.
    expect(page.locator("img.nav-chart")).to_have_count(1)
    shot(page, "nav")
    page.goto(fresh.url + "/alerts")
    publish(fresh.client, streams.ALERTS, "alert", Alert(
        severity="critical", source="risk", title="drawdown 21.3% crossed rung 1",
        detail="hedge proposed"), source="risk", ts=fresh.clock.now())
    expect(page.locator("#alert-rows tr").first).to_contain_text("crossed rung 1")


def test_calendar_banner_on_every_page(page: Page, fresh: LiveConsole,
                                       tmp_path: Path) -> None:
    holidays = tmp_path / "holidays.yaml"
    holidays.write_text("covered_through: 2027-01-31\nyears:\n  2027:\n    closures: "
                        "[2027-01-01]\n    source: draft\n    by: ops\n"
                        "    at: 2026-11-20T10:00:00+08:00\n    through: 2027-01-31\n",
                        encoding="utf-8")
    desk = fresh.app.state.desk
    desk.calendar = load_calendar(holidays)
    try:
        log_in(page, fresh)
        for path in ("/", "/hedge", "/alerts"):
            page.goto(fresh.url + path)
            banner = page.locator("#calendar-banner")
            expect(banner).to_be_visible()
            expect(banner).to_contain_text("runs out 2027-01-31")
            expect(banner).to_contain_text("PROVISIONAL 2027-01-01 to 2027-01-31")
        shot(page, "calendar-banner")
    finally:
        desk.calendar = None

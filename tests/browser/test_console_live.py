"""Live, calm screens in headless Chromium: a halt raised elsewhere shows on an open page,
the header clock and vs-schedule move with the exchange clock, the ticker covers no
control, numbers are right-aligned with the instrument's decimals, alerts are grouped,
and before the open Last shows the previous close marked as such."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, time, timedelta
from decimal import Decimal

import pytest
from playwright.sync_api import Page, expect

from bus import streams
from bus.bus import publish
from bus.messages import Alert, FillEvent
from execution.approval.lifecycle import Action
from execution.worker.price_source import PRICE_SOURCES
from marketdata.clock import EXCHANGE_TZ
from tests.browser.conftest import LiveConsole, log_in, shot
from tests.unit.console.console_kit import seed_batch
from tests.unit.queue.queue_kit import make_hedge, make_order, set_batch

pytestmark = pytest.mark.browser

OPEN = datetime(2026, 11, 23, 10, 30, tzinfo=EXCHANGE_TZ)


@pytest.fixture(autouse=True)
def clock_at_half_past_ten(fresh: LiveConsole) -> Iterator[None]:
    fresh.clock.set(OPEN)
    yield
    fresh.clock.set(OPEN)


def _working(console: LiveConsole, count: int, start: time = time(9, 30),
             end: time = time(14, 55)) -> list[str]:
    set_batch(console.client)
    ids = []
    for i in range(count):
        order = make_order(f"W-{i:03d}", symbol=f"{600000 + i:06d}.SSE", quantity=1000,
                           start_time=start, end_time=end)
        console.queue.ingest(order, actor="model")
        console.queue.apply(order.order_id, Action.APPROVE, actor="bob")
        console.queue.apply(order.order_id, Action.START, actor="execution")
        ids.append(order.order_id)
    return ids


def _boxes_overlap(a: dict[str, float], b: dict[str, float]) -> bool:
    return (a["x"] < b["x"] + b["width"] and b["x"] < a["x"] + a["width"]
            and a["y"] < b["y"] + b["height"] and b["y"] < a["y"] + a["height"])


def test_a_halt_raised_elsewhere_appears_and_goes_on_an_open_page(
        page: Page, fresh: LiveConsole) -> None:
    seed_batch(fresh.queue, 2)
    log_in(page, fresh)
    page.goto(fresh.url + "/working")
    expect(page.locator("#live-dot")).to_have_class("dot live")
    expect(page.locator("#halt-banner")).to_have_count(0)
    page.evaluate("window.__noReload = true")
    fresh.queue.halt(actor="bob", reason="broker line down", halted=True)  # as `desk halt`
    banner = page.locator("#halt-banner")
    expect(banner).to_have_text("TRADING HALTED — bob: broker line down")
    shot(page, "halt-live")
    fresh.queue.halt(actor="root", reason="line back", halted=False)
    expect(banner).to_have_count(0)
    assert page.evaluate("window.__noReload") is True  # the same page, never reloaded


def test_the_header_clock_counts_and_vs_schedule_move_with_the_exchange_clock(
        page: Page, fresh: LiveConsole) -> None:
    fresh.clock.set(datetime(2026, 11, 23, 10, 0, tzinfo=EXCHANGE_TZ))
    (order_id,) = _working(fresh, 1, start=time(9, 30), end=time(10, 30))
    seed_batch(fresh.queue, 3)
    log_in(page, fresh)
    page.goto(fresh.url + "/working")
    clock = page.locator("#live-clock")
    expect(clock).to_have_text("2026-11-23 10:00:00")
    gap = page.locator(f'tr[data-order="{order_id}"] [data-f="gap"]')
    expect(gap).to_have_text("-50%")  # 0 filled, half of the window gone
    expect(page.locator("#live-counts")).to_have_text("3 pending · 1 working")
    fresh.clock.advance(timedelta(minutes=15, seconds=7))
    expect(clock).to_have_text("2026-11-23 10:15:07")
    expect(gap).to_have_text("-75%")
    expect(gap).to_have_class("num behind")
    # Shown in Asia/Shanghai whatever zone the desk's clock speaks.
    fresh.clock.set(datetime(2026, 11, 23, 3, 20, tzinfo=UTC))
    expect(clock).to_have_text("2026-11-23 11:20:00")


def test_the_ticker_covers_no_control(page: Page, fresh: LiveConsole) -> None:
    ids = _working(fresh, 45)
    log_in(page, fresh)
    page.goto(fresh.url + "/working")
    expect(page.locator("#live-dot")).to_have_class("dot live")
    at = fresh.clock.now()
    for i in range(8):
        publish(fresh.client, streams.EVENTS, "fill", FillEvent(
            trade_id=f"T{i}", order_id=ids[-1], reference=f"{ids[-1]}#{i}",
            symbol="600044.SSE", side="buy", quantity=100, price=Decimal("10.1"), at=at,
            account="paper"), source="test", ts=at)
    ticker = page.locator("#ticker")
    expect(ticker).to_contain_text("FILL buy 100 600044.SSE @ 10.10")
    last = page.locator(f'tr[data-order="{ids[-1]}"]')
    page.evaluate("document.getElementById('main').scrollTop = 1e9")  # to the bottom row
    ticker_box = ticker.bounding_box()
    assert ticker_box is not None and ticker_box["height"] > 0
    for command in ("pause", "cancel"):
        button = last.locator(f'button[value="{command}"]')
        expect(button).to_be_visible()
        box = button.bounding_box()
        assert box is not None and not _boxes_overlap(box, ticker_box), (command, box, ticker_box)
        # And what is under the button's centre is the button itself.
        centre = (box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
        assert page.evaluate("([x, y]) => document.elementFromPoint(x, y).value", centre) \
            == command
    state = last.locator('[data-f="state"]').bounding_box()
    assert state is not None and not _boxes_overlap(state, ticker_box)
    shot(page, "working-ticker")


def test_numbers_are_right_aligned_with_the_instruments_decimals(
        page: Page, fresh: LiveConsole) -> None:
    set_batch(fresh.client)
    for order_id, symbol, ref in (("P-1", "600001.SSE", "16.8"), ("P-2", "000002.SZSE", "5"),
                                  ("P-3", "600003.SSE", "9.00")):
        fresh.queue.ingest(make_order(order_id, symbol=symbol, reference_price=Decimal(ref),
                                      limit_price=Decimal(ref)), actor="model")
    fresh.queue.ingest(make_hedge(reference_price=Decimal("6123.4")), actor="risk")
    fresh.client.hset(streams.LAST_PRICES, mapping={"600001.SSE": "16.9", "IM2612.CFFEX": "6120"})
    fresh.client.hset(PRICE_SOURCES, mapping={"600001.SSE": "last", "IM2612.CFFEX": "last"})
    log_in(page, fresh)

    def cells(order_id: str) -> list[str]:
        return page.locator(f'tr[data-order="{order_id}"] td.num').all_inner_texts()

    expect(page.locator('tr[data-order="P-1"]')).to_be_visible()
    # Qty, Ref, Last, Move (below the re-confirmation threshold: blank), Limit
    assert cells("P-1")[:5] == ["1,000", "16.80", "16.90", "", "16.80"]
    assert [cells("P-2")[i] for i in (1, 4)] == ["5.00", "5.00"]
    assert [cells("P-3")[i] for i in (1, 4)] == ["9.00", "9.00"]
    assert cells("H-0001")[:3] == ["2", "6,123.4", "6,120.0"]  # IM: tick 0.2, one decimal
    aligns = page.eval_on_selector_all("table.grid td.num, table.grid th.num",
                                       "els => els.map(e => getComputedStyle(e).textAlign)")
    assert len(aligns) > 20 and set(aligns) == {"right"}
    shot(page, "pending-numbers")


def test_before_the_open_last_is_the_previous_close_marked_as_such(
        page: Page, fresh: LiveConsole) -> None:
    fresh.clock.set(datetime(2026, 11, 23, 9, 5, tzinfo=EXCHANGE_TZ))
    seed_batch(fresh.queue, 2)  # 600000.SSE and 000002.SZSE
    # What the execution service publishes before the open (tests/integration/
    # test_execution_preopen.py): the previous close, its source alongside.
    fresh.client.hset(streams.LAST_PRICES, mapping={"600000.SSE": "10.8", "000002.SZSE": "9.5"})
    fresh.client.hset(PRICE_SOURCES, mapping={"600000.SSE": "prev_close",
                                              "000002.SZSE": "auction"})
    log_in(page, fresh)
    first = page.locator('tr[data-order="B1-0000"] [data-f="last"]')
    expect(first).to_have_text("10.80 昨收 prev")
    mark = first.locator(".src")
    expect(mark).to_have_attribute("data-src", "prev_close")
    expect(mark).to_have_attribute("title", "previous close: nothing has traded today yet")
    expect(page.locator('tr[data-order="B1-0001"] [data-f="last"]')).to_have_text(
        "9.50 竞价 auct")
    # The move against the previous close is there before approval: +8.0% is past 5%.
    expect(page.locator('tr[data-order="B1-0000"] td.moved')).to_have_text("+8.0%")
    fresh.client.hset(PRICE_SOURCES, "600000.SSE", "last")  # the first trade
    page.reload()
    expect(first).to_have_text("10.80")
    shot(page, "pending-preopen")


def test_alerts_are_grouped_by_kind_and_symbol_with_criticals_pinned(
        page: Page, fresh: LiveConsole) -> None:
    base = fresh.clock.now()

    def alert(severity: str, title: str, minutes: int, detail: str = "") -> None:
        publish(fresh.client, streams.ALERTS, "alert",
                Alert(severity=severity, source="risk", title=title, detail=detail),
                source="risk", ts=base + timedelta(minutes=minutes))

    alert("critical", "gateway SIM disconnected", 0, "reconnecting")
    for i in range(100):
        alert("warning", f"limit: stale_price {'600000.SSE' if i % 2 else '000002.SZSE'}",
              i + 1, f"no update for {i + 2} min")
    alert("info", "end of day 2026-11-20 done", 101)
    log_in(page, fresh)
    page.goto(fresh.url + "/alerts")
    rows = page.locator("#alert-rows tr")
    expect(rows).to_have_count(4)
    expect(rows.nth(0)).to_contain_text("gateway SIM disconnected")  # pinned, though oldest
    expect(rows.nth(1)).to_contain_text("end of day")  # then newest first
    stale = page.locator("#alert-rows tr", has_text="600000.SSE")
    expect(stale.locator('[data-f="count"]')).to_have_text("50")
    expect(stale.locator('[data-f="title"]')).to_have_text("limit: stale_price 600000.SSE")
    expect(stale.locator('[data-f="detail"]')).to_have_text("no update for 101 min")
    alert("warning", "limit: stale_price 600000.SSE", 102, "no update for 102 min")  # live
    expect(stale.locator('[data-f="count"]')).to_have_text("51")
    expect(stale.locator('[data-f="last"]')).to_have_text("11-23 12:12:00")
    expect(rows.nth(1)).to_contain_text("600000.SSE")  # moved up under the pinned one
    expect(rows).to_have_count(4)
    shot(page, "alerts-grouped")

"""Approvals that nobody meant, tried in headless Chromium against the real console:
Enter in the reject reason box, a late order under "approve all shown", an order
edited while the page was open, the author releasing their own order, approving
during a halt."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from execution.approval.lifecycle import Action
from orders.order import OrderState
from tests.browser.conftest import LiveConsole, log_in
from tests.unit.console.console_kit import seed_batch
from tests.unit.queue.queue_kit import make_order

pytestmark = pytest.mark.browser


def _row(page: Page, order_id: str):  # type: ignore[no-untyped-def]
    return page.locator(f'tr[data-order="{order_id}"]')


def _flash(page: Page):  # type: ignore[no-untyped-def]
    return page.locator(".flash").first


def test_enter_in_the_reason_box_rejects_and_never_approves(page: Page,
                                                            fresh: LiveConsole) -> None:
    ids = seed_batch(fresh.queue, 3)
    log_in(page, fresh)
    _row(page, ids[1]).locator('input[name="ids"]').check()
    page.fill("#reject-reason", "suspended tomorrow")
    page.press("#reject-reason", "Enter")
    expect(_flash(page)).to_contain_text("1 order(s) rejected")
    states = {i: fresh.queue.require(i).state for i in ids}
    assert states == {ids[0]: OrderState.PENDING_APPROVAL, ids[1]: OrderState.REJECTED,
                      ids[2]: OrderState.PENDING_APPROVAL}
    assert fresh.queue.require(ids[1]).approvals == ()


def test_enter_on_a_ticked_row_submits_nothing(page: Page, fresh: LiveConsole) -> None:
    ids = seed_batch(fresh.queue, 2)
    log_in(page, fresh)
    box = _row(page, ids[0]).locator('input[name="ids"]')
    box.check()
    box.press("Enter")
    page.wait_for_timeout(500)
    assert fresh.queue.require(ids[0]).state is OrderState.PENDING_APPROVAL


def test_a_late_order_is_not_swept_into_approve_all_shown(page: Page,
                                                          fresh: LiveConsole) -> None:
    ids = seed_batch(fresh.queue, 11)
    log_in(page, fresh)
    expect(page.locator("#approve-all")).to_contain_text("Approve all 11 shown pending")
    late = fresh.queue.ingest(make_order("B1-LATE"), actor="bob").order_id  # a colleague's
    page.click("#approve-all")
    expect(_flash(page)).to_contain_text("11 order(s) approved and released to execution")
    assert all(fresh.queue.require(i).state is OrderState.APPROVED for i in ids)
    assert fresh.queue.require(late).state is OrderState.PENDING_APPROVAL


def test_an_order_edited_while_the_page_was_open_stops_the_bulk_approval(
        page: Page, fresh: LiveConsole) -> None:
    ids = seed_batch(fresh.queue, 4)
    log_in(page, fresh)
    page.check("#select-all")
    fresh.queue.apply(ids[2], Action.EDIT, actor="bob", edit={"quantity": 100})
    page.click("#approve-selected")
    expect(_flash(page)).to_contain_text("changed since the page was shown, nothing was done")
    expect(_flash(page)).to_contain_text(f"{ids[2]}: you saw version 1, it is now version 2")
    assert {fresh.queue.require(i).state for i in ids} == {OrderState.PENDING_APPROVAL}


def test_the_author_of_a_manual_order_cannot_release_it(page: Page,
                                                        fresh: LiveConsole) -> None:
    seed_batch(fresh.queue, 1)
    mine = fresh.queue.ingest(make_order("M-1", created_by="alice"), actor="alice").order_id
    log_in(page, fresh)
    _row(page, mine).locator('input[name="ids"]').check()
    page.click("#approve-selected")
    expect(_flash(page)).to_contain_text("alice created it and cannot also approve it")
    assert fresh.queue.require(mine).state is OrderState.PENDING_APPROVAL


def test_approving_during_a_halt_is_refused_with_the_reason(page: Page,
                                                            fresh: LiveConsole) -> None:
    ids = seed_batch(fresh.queue, 2)
    log_in(page, fresh)
    fresh.queue.halt(actor="bob", reason="gateway loop")  # raised elsewhere, page open
    page.check("#select-all")
    page.click("#approve-selected")
    expect(_flash(page)).to_contain_text("trading is halted (bob: gateway loop)")
    assert {fresh.queue.require(i).state for i in ids} == {OrderState.PENDING_APPROVAL}

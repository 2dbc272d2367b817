"""The console of a desk with two fund products (issue 16 item 1), over HTTP on a real
Redis: the account selector on the order lists, positions, NAV and hedge pages, the
desk total, manual orders for a chosen account checked against its own ledger, bulk
approval per order, and an unknown account named in a 400, never a 500."""

from __future__ import annotations

import re
from collections.abc import Iterator
from html import unescape
from pathlib import Path

import pytest
import redis
from fastapi import FastAPI
from fastapi.testclient import TestClient

from execution.approval.queue import OrderQueue
from marketdata.clock import FixedClock
from orders.order import OrderState
from tests.integration.two_accounts_kit import (
    ALPHA_ORDERS,
    AT,
    BETA_ORDERS,
    build_two_account_app,
    seed_desk,
    two_account_settings,
)
from tests.unit.console.console_kit import add_users, build_app, login, seed_batch

pytestmark = pytest.mark.integration
JSON = {"accept": "application/json"}
ROW = re.compile(r'<tr data-order="([^"]+)"')


@pytest.fixture
def app(redis_client: redis.Redis, tmp_path: Path) -> FastAPI:
    clock = FixedClock(AT)
    add_users(redis_client, clock)
    application = build_two_account_app(redis_client, clock, two_account_settings(tmp_path),
                                        tmp_path)
    seed_desk(redis_client, application.state.desk.queue)
    return application


@pytest.fixture
def queue(app: FastAPI) -> OrderQueue:
    return app.state.desk.queue  # type: ignore[no-any-return]


@pytest.fixture
def web(app: FastAPI) -> Iterator[TestClient]:
    with TestClient(app, base_url="http://127.0.0.1:8765") as client:
        login(client, "alice")
        yield client


def _rows(html: str) -> list[str]:
    return ROW.findall(html)


def _accounts_column(html: str) -> list[str]:
    return re.findall(r'<td class="account" data-f="account">([^<]+)</td>', html)


def test_every_account_by_default_each_row_naming_its_account(web: TestClient) -> None:
    page = web.get("/").text
    assert sorted(_rows(page)) == sorted(ALPHA_ORDERS + BETA_ORDERS)
    # The order written without an account is the default (first) account's.
    assert sorted(_accounts_column(page)) == ["alpha"] * 3 + ["beta"] * 2
    assert 'id="account-select"' in page and '<option value="all" selected>' in page


def test_one_account_chosen_is_remembered_between_pages(web: TestClient) -> None:
    beta = web.get("/?account=beta").text
    assert sorted(_rows(beta)) == list(BETA_ORDERS)
    assert '<option value="beta" selected>' in beta
    assert sorted(_rows(web.get("/").text)) == list(BETA_ORDERS)  # no parameter: remembered
    assert "account beta" in web.get("/positions").text
    alpha = web.get("/?account=alpha").text
    assert sorted(_rows(alpha)) == list(ALPHA_ORDERS)
    assert sorted(_rows(web.get("/?account=all").text)) == sorted(ALPHA_ORDERS + BETA_ORDERS)


def test_the_filters_keep_the_account(web: TestClient) -> None:
    page = web.get("/?account=beta&side=sell").text
    assert _rows(page) == ["B-0001"]
    # The selector's form carries the page's other parameters along.
    assert '<input type="hidden" name="side" value="sell">' in page
    hostile = web.get("/", params={"account": "beta", "q": '"><script>alert(1)</script>'}).text
    assert "<script>alert(1)" not in hostile and "&lt;script&gt;alert(1)" in hostile


def test_positions_show_each_account_and_the_desk_total(web: TestClient) -> None:
    page = web.get("/positions?account=all").text
    total = page[page.index('id="desk-total"'):].split("</tr>")[0]
    assert "CNY 1,770,500.00" in total  # NAV
    assert "CNY 1,500,000.00" in total  # cash
    assert "CNY 270,500.00" in total  # stock value
    assert "CNY +5,500.00" in total  # day P&L
    beta = page[page.index('<tr data-account="beta">'):].split("</tr>")[0]
    assert "CNY 560,500.00" in beta and "CNY 52,500.00" not in beta
    assert "CNY 60,500.00" in beta and "CNY -4,500.00" in beta
    assert page.count('class="account-book"') == 2
    one = web.get("/positions?account=beta").text
    assert one.count('class="account-book"') == 1 and 'id="desk-total"' not in one
    assert "000002.SZSE" in one and "account beta" in one


def test_nav_and_hedge_pages_per_account_with_the_total(web: TestClient) -> None:
    nav = web.get("/nav?account=all").text
    assert nav.count('class="account-nav"') == 2 and 'id="desk-total"' in nav
    assert "Account alpha" in nav and "Account beta" in nav
    assert 'id="nav-figures-beta"' in nav
    hedge = web.get("/hedge").text  # remembered: all
    assert hedge.count('class="account-hedge"') == 2 and 'id="desk-total"' in hedge
    only = web.get("/hedge?account=alpha").text
    assert only.count('class="account-hedge"') == 1 and 'id="risk-figures"' in only


def test_a_manual_order_for_beta_is_checked_against_betas_ledger(web: TestClient,
                                                                 queue: OrderQueue) -> None:
    form = web.get("/orders/new").text
    assert '<option value="alpha" selected>' in form  # the default: the first account
    csrf = re.search(r'name="csrf" value="([^"]+)"', form).group(1)  # type: ignore[union-attr]
    order = {"csrf": csrf, "symbol": "600000.SSE", "side": "sell", "limit_price": "10.50",
             "reason": "sell on news", "prev_close": "10.40"}
    # 4,000 is more than beta may sell today (3,000), though alpha holds 20,000 sellable.
    refused = web.post("/orders/new", data={**order, "quantity": "4000", "account": "beta"})
    assert refused.status_code == 422 and "sellable" in refused.text.lower(), refused.text
    made = web.post("/orders/new", data={**order, "quantity": "3000", "account": "beta"},
                    headers=JSON)
    assert made.status_code == 200, made.text
    record = queue.get(made.json()["order_id"])
    assert record is not None and record.order.account == "beta"
    assert record.state is OrderState.PENDING_APPROVAL
    for_alpha = web.post("/orders/new", data={**order, "quantity": "4000"}, headers=JSON)
    assert for_alpha.status_code == 200, for_alpha.text
    alpha = queue.get(for_alpha.json()["order_id"])
    assert alpha is not None and queue.account_of(alpha.order) == "alpha"
    assert made.json()["order_id"] in _rows(web.get("/?account=beta").text)


def test_approve_all_shown_of_one_account_leaves_the_other(web: TestClient,
                                                          queue: OrderQueue) -> None:
    page = web.get("/?account=beta").text
    csrf = re.search(r'name="csrf" value="([^"]+)"', page).group(1)  # type: ignore[union-attr]
    bulk = page[page.index('id="bulk"'):]
    shown = re.findall(r'name="shown" value="([^"]+)"', bulk)
    assert sorted(s.split("@")[0] for s in shown) == list(BETA_ORDERS)
    reply = web.post("/orders/approve", data={"csrf": csrf, "scope": "shown", "shown": shown},
                     headers=JSON)
    assert reply.status_code == 200, reply.text
    states = {i: queue.get(i).state for i in ALPHA_ORDERS + BETA_ORDERS}  # type: ignore[union-attr]
    assert all(states[i] is OrderState.APPROVED for i in BETA_ORDERS), states
    assert all(states[i] is OrderState.PENDING_APPROVAL for i in ALPHA_ORDERS), states


def test_the_order_page_names_its_account(web: TestClient) -> None:
    assert '<b id="order-account">beta</b>' in web.get("/orders/B-0002").text
    assert '<b id="order-account">alpha</b>' in web.get("/orders/A-0001").text


@pytest.mark.parametrize("path", ["/", "/working", "/positions", "/nav", "/hedge",
                                  "/liquidity", "/orders/new", "/orders/A-0001"])
def test_an_unknown_account_in_the_query_is_a_400_naming_it(web: TestClient,
                                                            path: str) -> None:
    page = web.get(f"{path}?account=gamma")
    assert page.status_code == 400, page.text
    assert "unknown account 'gamma': the desk has alpha, beta" in unescape(page.text)
    hostile = web.get(path, params={"account": "<script>x</script>"}, headers=JSON)
    assert hostile.status_code == 400
    assert hostile.json()["error"].startswith("unknown account '<script>x</script>'")
    assert "<script>x" not in web.get(path, params={"account": "<script>x</script>"}).text


def test_an_unknown_account_in_the_form_is_a_400_and_adds_nothing(web: TestClient,
                                                                  queue: OrderQueue) -> None:
    csrf = re.search(r'name="csrf" value="([^"]+)"',  # type: ignore[union-attr]
                     web.get("/orders/new").text).group(1)
    before = len(queue.list_orders())
    reply = web.post("/orders/new", data={"csrf": csrf, "symbol": "600000.SSE", "side": "sell",
                                          "quantity": "100", "limit_price": "10.50",
                                          "reason": "sell on news", "account": "gamma"})
    assert reply.status_code == 400
    assert "unknown account 'gamma': the desk has alpha, beta" in unescape(reply.text)
    assert len(queue.list_orders()) == before


def test_a_stale_remembered_account_is_forgotten(web: TestClient) -> None:
    web.cookies.set("desk_account", "retired")
    page = web.get("/")
    assert page.status_code == 200
    assert sorted(_rows(page.text)) == sorted(ALPHA_ORDERS + BETA_ORDERS)


def test_one_account_desk_shows_no_selector_and_no_account_column(
        redis_client: redis.Redis, tmp_path: Path) -> None:
    clock = FixedClock(AT)
    add_users(redis_client, clock)
    app = build_app(redis_client, clock, tmp_path)
    seed_batch(app.state.desk.queue, 3)
    with TestClient(app, base_url="http://127.0.0.1:8765") as client:
        login(client, "alice")
        for path in ("/", "/working", "/positions", "/nav", "/hedge", "/orders/new"):
            page = client.get(path).text
            assert 'id="account-select"' not in page and 'data-f="account"' not in page, path
            assert 'id="desk-total"' not in page and "<th>Account</th>" not in page, path
        assert len(_rows(client.get("/").text)) == 3
        assert client.get("/?account=paper").status_code == 200  # its one account, by name
        assert client.get("/?account=alpha").status_code == 400

"""The console over HTTP on a real Redis: login, bulk approve, edit and re-approve,
reject with a reason, pause / resume, the kill switch, manual orders, every page."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
import redis
from fastapi import FastAPI
from fastapi.testclient import TestClient

from bus import streams
from bus.messages import decode
from exchange import Side
from execution.approval.lifecycle import Action
from execution.approval.queue import OrderQueue
from marketdata.clock import FixedClock
from orders.order import OrderState
from tests.unit.console.console_kit import add_users, build_app, login, seed_batch
from tests.unit.queue.queue_kit import make_order, released, set_last

JSON = {"accept": "application/json"}


@pytest.fixture
def app(redis_client: redis.Redis, clock: FixedClock, tmp_path: Path) -> FastAPI:
    add_users(redis_client, clock)
    return build_app(redis_client, clock, tmp_path)


@pytest.fixture
def web(app: FastAPI) -> Iterator[TestClient]:
    with TestClient(app, base_url="http://127.0.0.1:8765") as client:
        yield client


@pytest.fixture
def queue(app: FastAPI) -> OrderQueue:
    return app.state.desk.queue  # type: ignore[no-any-return]


def _exec(client: redis.Redis, stream: str = streams.CONTROLS) -> list[dict[str, object]]:
    out = []
    for _id, fields in client.xrange(stream):
        env = decode(fields)
        out.append({"type": env.type, **env.body.model_dump(mode="json")})
    return out


def test_login_shows_the_pending_batch_with_chinese_names(web: TestClient,
                                                          queue: OrderQueue) -> None:
    seed_batch(queue, 6)
    login(web, "alice")
    page = web.get("/").text
    assert "浦发银行" in page and "万科Ａ" in page and "B1-0005" in page
    assert "Approve selected" in page


def _at(ids: list[str], version: int = 1) -> list[str]:
    return [f"{i}@{version}" for i in ids]


def _shown(page: str) -> list[str]:
    """The rows the pending page put under "approve all shown" (id@version)."""
    form = page[page.index('id="bulk"'):]
    return re.findall(r'name="shown" value="([^"]+)"', form)


def test_bulk_approve_selected_and_all(web: TestClient, queue: OrderQueue) -> None:
    ids = seed_batch(queue, 10)
    csrf = login(web, "alice")
    first = web.post("/orders/approve", data={"csrf": csrf, "ids": _at(ids[:3])}, headers=JSON)
    assert first.status_code == 200 and first.json()["changed"] == ids[:3]
    assert first.json()["message"] == "3 order(s) approved and released to execution"
    rest = web.post("/orders/approve", headers=JSON,
                    data={"csrf": csrf, "scope": "shown", "shown": _shown(web.get("/").text)})
    assert sorted(rest.json()["changed"]) == ids[3:]
    assert {r.state for r in queue.list_orders()} == {OrderState.APPROVED}
    assert sorted(released(queue)) == sorted(ids)
    assert all(queue.require(i).approvals[0].user == "alice" for i in ids)


def test_approve_all_shown_takes_the_rows_on_screen_not_the_filter(
        web: TestClient, queue: OrderQueue) -> None:
    seed_batch(queue, 9)
    csrf = login(web, "alice")
    shown = _shown(web.get("/?side=sell").text)
    assert shown and all(queue.require(s.split("@")[0]).order.side.value == "sell"
                         for s in shown)
    late = queue.ingest(make_order("B1-LATE", side=Side.SELL), actor="model")  # a colleague's
    response = web.post("/orders/approve", headers=JSON,
                        data={"csrf": csrf, "scope": "shown", "shown": shown, "side": "sell"})
    assert sorted(response.json()["changed"]) == sorted(s.split("@")[0] for s in shown)
    assert queue.require(late.order_id).state is OrderState.PENDING_APPROVAL
    assert any(r.state is OrderState.PENDING_APPROVAL for r in queue.list_orders())


def test_an_order_edited_since_the_page_was_shown_refuses_the_whole_action(
        web: TestClient, queue: OrderQueue) -> None:
    ids = seed_batch(queue, 3)
    csrf = login(web, "alice")
    shown = _shown(web.get("/").text)
    queue.apply(ids[1], Action.EDIT, actor="bob", edit={"quantity": 100})  # meanwhile
    response = web.post("/orders/approve", headers=JSON,
                        data={"csrf": csrf, "scope": "shown", "shown": shown})
    assert response.status_code == 409
    assert response.json()["stale"] == {ids[1]: "you saw version 1, it is now version 2"}
    assert {r.state for r in queue.list_orders()} == {OrderState.PENDING_APPROVAL}


@pytest.mark.parametrize("ids", [["B1-0000"], ["B1-0000@0"], ["B1-0000@x"], ["<b>@1"], []])
def test_a_bulk_action_must_name_the_versions_seen(web: TestClient, queue: OrderQueue,
                                                   ids: list[str]) -> None:
    seed_batch(queue, 1)
    csrf = login(web, "alice")
    response = web.post("/orders/approve", data={"csrf": csrf, "ids": ids}, headers=JSON)
    assert response.status_code == 400
    assert queue.require("B1-0000").state is OrderState.PENDING_APPROVAL


def test_the_reply_says_approved_1_of_2(web: TestClient, queue: OrderQueue) -> None:
    ids = seed_batch(queue, 2)
    csrf = login(web, "alice")
    four_eyes = queue.require(ids[0]).model_copy(update={"approvals_needed": 2})
    queue.client.set(streams.ORDER.format(order_id=ids[0]), four_eyes.to_json())
    response = web.post("/orders/approve", data={"csrf": csrf, "ids": [f"{ids[0]}@1",
                                                                       f"{ids[1]}@1"]},
                        headers=JSON)
    assert response.json()["released"] == [ids[1]]
    assert response.json()["message"] == ("1 order(s) approved and released to execution; "
                                          "1 order(s) approved 1 of 2: waiting for another "
                                          "trader")


def test_approving_and_adding_orders_during_a_halt_is_refused(web: TestClient,
                                                              queue: OrderQueue) -> None:
    ids = seed_batch(queue, 1)
    queue.halt(actor="bob", reason="gateway loop")
    csrf = login(web, "alice")
    response = web.post("/orders/approve", data={"csrf": csrf, "ids": _at(ids)}, headers=JSON)
    assert response.status_code == 409
    assert "trading is halted (bob: gateway loop)" in response.json()["refused"][ids[0]]
    manual = web.post("/orders/new", data={
        "csrf": csrf, "symbol": "600000.SSE", "side": "buy", "quantity": "100",
        "limit_price": "10.00", "reason": "news"}, headers=JSON)
    assert manual.status_code == 422 and "trading is halted" in manual.text
    assert queue.require(ids[0]).state is OrderState.PENDING_APPROVAL


def test_edit_makes_a_new_version_that_needs_approval_again(web: TestClient,
                                                            queue: OrderQueue) -> None:
    order_id = seed_batch(queue, 1)[0]
    csrf = login(web, "alice")
    web.post("/orders/approve", data={"csrf": csrf, "ids": f"{order_id}@1"}, headers=JSON)
    edited = web.post(f"/orders/{order_id}/edit", headers=JSON, data={
        "csrf": csrf, "quantity": "300", "limit_price": "10.05", "algo": "vwap",
        "start_time": "10:00", "end_time": "14:30", "reason": "thinner book"})
    assert edited.status_code == 200 and edited.json()["version"] == 2
    record = queue.require(order_id)
    assert record.state is OrderState.PENDING_APPROVAL
    assert (record.order.quantity, str(record.order.limit_price), record.order.algo.value) == (
        300, "10.05", "vwap")
    mine = web.post("/orders/approve", data={"csrf": csrf, "ids": f"{order_id}@2"}, headers=JSON)
    assert mine.status_code == 409 and "maker-checker" in mine.json()["refused"][order_id]
    csrf = login(web, "bob")  # the editor may not approve the edit: a colleague does
    again = web.post("/orders/approve", data={"csrf": csrf, "ids": f"{order_id}@2"}, headers=JSON)
    assert again.json()["changed"] == [order_id]
    bells = [e for e in _exec(queue.client, streams.DECISIONS) if e["action"] == "approve"]
    assert [e["version"] for e in bells] == [1, 2]
    assert released(queue) == [order_id]
    page = web.get(f"/orders/{order_id}").text
    assert "thinner book" in page and "edit" in page


def test_an_unchanged_edit_changes_nothing(web: TestClient, queue: OrderQueue) -> None:
    order_id = seed_batch(queue, 1)[0]
    csrf = login(web, "alice")
    order = queue.require(order_id).order
    response = web.post(f"/orders/{order_id}/edit", headers=JSON, data={
        "csrf": csrf, "quantity": str(order.quantity), "limit_price": "", "start_time": "09:30"})
    assert response.json()["message"] == "Nothing changed."
    assert queue.require(order_id).order.version == 1


def test_invalid_edit_is_refused_with_the_reason(web: TestClient, queue: OrderQueue) -> None:
    order_id = seed_batch(queue, 1)[0]
    csrf = login(web, "alice")
    response = web.post(f"/orders/{order_id}/edit", headers=JSON,
                        data={"csrf": csrf, "limit_price": "10.001"})
    assert response.status_code == 409 and "more than two decimal places" in response.text


def test_reject_needs_a_reason_and_keeps_it(web: TestClient, queue: OrderQueue) -> None:
    order_id = seed_batch(queue, 1)[0]
    csrf = login(web, "alice")
    refused = web.post("/orders/reject", data={"csrf": csrf, "ids": f"{order_id}@1"},
                       headers=JSON)
    assert refused.status_code == 400
    done = web.post("/orders/reject", headers=JSON,
                    data={"csrf": csrf, "ids": f"{order_id}@1", "reason": "halted stock"})
    assert done.json()["changed"] == [order_id]
    assert queue.require(order_id).state is OrderState.REJECTED
    audit = json.loads(queue.client.xrange(streams.AUDIT)[-1][1]["body"])
    assert (audit["actor"], audit["reason"]) == ("alice", "halted stock")
    assert "halted stock" in web.get(f"/audit?order_id={order_id}").text


def test_moved_price_needs_the_confirm_box(web: TestClient, queue: OrderQueue) -> None:
    order_id = seed_batch(queue, 1)[0]
    set_last(queue.client, queue.require(order_id).order.symbol, "11.00")
    csrf = login(web, "alice")
    first = web.post("/orders/approve", data={"csrf": csrf, "ids": f"{order_id}@1"},
                     headers=JSON)
    assert first.status_code == 409 and "re-confirm" in first.json()["refused"][order_id]
    second = web.post("/orders/approve", data={"csrf": csrf, "ids": f"{order_id}@1",
                                               "confirm_move": "1"}, headers=JSON)
    assert second.json()["changed"] == [order_id]


def test_pause_and_resume_go_to_the_execution_service(web: TestClient,
                                                      queue: OrderQueue) -> None:
    order_id = seed_batch(queue, 1)[0]
    queue.apply(order_id, Action.APPROVE, actor="bob")
    queue.apply(order_id, Action.START, actor="execution")
    csrf = login(web, "alice")
    paused = web.post(f"/orders/{order_id}/control", headers=JSON,
                      data={"csrf": csrf, "command": "pause"})
    assert paused.status_code == 200
    controls = [e for e in _exec(queue.client) if e["type"] == "exec.control"]
    assert controls[-1] == {"type": "exec.control", "order_id": order_id, "command": "pause",
                            "user": "alice", "reason": ""}
    queue.apply(order_id, Action.PAUSE, actor="execution")  # the broker confirmed
    assert "st-paused" in web.get("/working").text
    web.post(f"/orders/{order_id}/control", headers=JSON, data={"csrf": csrf,
                                                                "command": "resume"})
    assert [e["command"] for e in _exec(queue.client) if e["type"] == "exec.control"] == [
        "pause", "resume"]


def test_cancel_of_a_pending_order_happens_at_once(web: TestClient, queue: OrderQueue) -> None:
    order_id = seed_batch(queue, 1)[0]
    csrf = login(web, "alice")
    response = web.post(f"/orders/{order_id}/control", headers=JSON,
                        data={"csrf": csrf, "command": "cancel", "reason": "changed mind"})
    assert response.status_code == 200
    assert queue.require(order_id).state is OrderState.CANCELLED
    bad = web.post(f"/orders/{order_id}/control", headers=JSON,
                   data={"csrf": csrf, "command": "pause"})
    assert bad.status_code == 409


def test_kill_switch_needs_the_word_and_halts(web: TestClient, queue: OrderQueue) -> None:
    csrf = login(web, "alice")
    no = web.post("/halt", data={"csrf": csrf, "confirm": "halt"}, headers=JSON)
    assert no.status_code == 400 and queue.halted() is None
    yes = web.post("/halt", data={"csrf": csrf, "confirm": "HALT", "reason": "gateway loop"},
                   headers=JSON)
    assert yes.json()["halted"] is True and queue.halted() == "alice: gateway loop"
    assert any(e["type"] == "exec.halt" and e["halted"] for e in _exec(queue.client))
    assert "TRADING HALTED" in web.get("/").text
    lift = web.post("/halt/lift", data={"csrf": csrf}, headers=JSON)
    assert lift.status_code == 403  # a trader cannot lift it
    admin = TestClient(web.app, base_url="http://127.0.0.1:8765")
    admin_csrf = login(admin, "root")
    assert admin.post("/halt/lift", data={"csrf": admin_csrf}, headers=JSON).status_code == 200
    assert queue.halted() is None


def test_manual_order_is_checked_authored_and_pending(web: TestClient,
                                                      queue: OrderQueue) -> None:
    seed_batch(queue, 1)
    set_last(queue.client, "600036.SSE", "35.20")
    csrf = login(web, "alice")
    bad = web.post("/orders/new", data={"csrf": csrf, "symbol": "600036.SSE", "side": "buy",
                                        "quantity": "150", "reason": "news"})
    assert bad.status_code == 422 and "whole lots of 100" in bad.text
    good = web.post("/orders/new", headers=JSON, data={
        "csrf": csrf, "symbol": "600036.SSE", "name": "招商银行", "side": "buy",
        "quantity": "200", "reason": "buy on news"})
    order_id = good.json()["order_id"]
    record = queue.require(order_id)
    assert record.order.created_by == "alice" and record.state is OrderState.PENDING_APPROVAL
    assert "招商银行" in web.get("/").text


def test_every_page_renders_for_a_viewer(web: TestClient, queue: OrderQueue) -> None:
    seed_batch(queue, 3)
    login(web, "vera")
    for path in ("/", "/orders/B1-0000", "/working", "/positions", "/nav", "/hedge",
                 "/alerts", "/audit", "/halt"):
        response = web.get(path)
        assert response.status_code == 200, path
        assert "Approve selected" not in response.text, path


def test_approve_all_shown_takes_more_rows_than_the_form_parser_default(
        web: TestClient, queue: OrderQueue) -> None:
    ids = seed_batch(queue, 1_200)  # Starlette refuses more than 1,000 fields by default
    csrf = login(web, "alice")
    shown = _shown(web.get("/").text)
    assert len(shown) == 1_200
    response = web.post("/orders/approve", headers=JSON,
                        data={"csrf": csrf, "scope": "shown", "shown": shown})
    assert response.status_code == 200 and len(response.json()["changed"]) == len(ids)

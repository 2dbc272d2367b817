"""The console tried as an attacker would (the list is in docs/console.md)."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import redis
from fastapi import FastAPI
from fastapi.testclient import TestClient
from itsdangerous import URLSafeTimedSerializer

from bus import streams
from execution.approval.queue import OrderQueue
from marketdata.clock import FixedClock
from orders.order import OrderState
from services.console.config import ConsoleConfig
from tests.unit.console.console_kit import PASSWORD, add_users, build_app, login, seed_batch
from tests.unit.queue.queue_kit import make_order

JSON = {"accept": "application/json"}
BASE = "http://127.0.0.1:8765"
STATE_CHANGING = [
    ("/orders/approve", {"ids": "B1-0000"}),
    ("/orders/reject", {"ids": "B1-0000", "reason": "x"}),
    ("/orders/B1-0000/edit", {"quantity": "200"}),
    ("/orders/B1-0000/control", {"command": "cancel"}),
    ("/halt", {"confirm": "HALT"}),
    ("/orders/new", {"symbol": "600000.SSE", "side": "buy", "quantity": "100", "reason": "xxx"}),
    ("/users/add", {"name": "eve", "role": "admin", "password": "x" * 20}),
    ("/users/alice/disable", {}),
    ("/halt/lift", {}),
    ("/logout", {}),
]
PAGES = ["/", "/orders/B1-0000", "/working", "/positions", "/nav", "/hedge", "/alerts",
         "/audit", "/halt", "/orders/new", "/users"]


@pytest.fixture
def app(redis_client: redis.Redis, clock: FixedClock, tmp_path: Path) -> FastAPI:
    add_users(redis_client, clock)
    app = build_app(redis_client, clock, tmp_path,
                    console=ConsoleConfig(lockout_after_failures=3, login_attempts_per_window=8))
    seed_batch(app.state.desk.queue, 2)
    return app


@pytest.fixture
def web(app: FastAPI) -> Iterator[TestClient]:
    with TestClient(app, base_url=BASE) as client:
        yield client


@pytest.fixture
def queue(app: FastAPI) -> OrderQueue:
    return app.state.desk.queue  # type: ignore[no-any-return]


def _untouched(queue: OrderQueue) -> None:
    assert queue.require("B1-0000").state is OrderState.PENDING_APPROVAL
    assert queue.halted() is None
    assert queue.client.xlen(streams.EXEC) == 0


def test_unauthenticated_requests_are_refused(web: TestClient, queue: OrderQueue) -> None:
    for path in PAGES:
        response = web.get(path, follow_redirects=False)
        assert response.status_code == 303 and response.headers["location"] == "/login", path
        assert web.get(path, headers=JSON).status_code == 401, path
    assert web.get("/events").status_code == 401
    for path, data in STATE_CHANGING:
        assert web.post(path, data=data).status_code == 401, path
    _untouched(queue)


def test_forged_and_tampered_cookies_are_refused(web: TestClient, queue: OrderQueue) -> None:
    forged = URLSafeTimedSerializer(b"guessed-secret" * 4, salt="desk-console-session")
    for cookie in ("garbage", forged.dumps("any-session-id"), "a.b.c"):
        web.cookies.clear()
        web.cookies.set("desk_session", cookie)
        assert web.get("/", headers=JSON).status_code == 401
        assert web.post("/orders/approve", data={"ids": "B1-0000"}).status_code == 401
    web.cookies.clear()
    login(web, "alice")
    real = web.cookies["desk_session"]
    web.cookies.clear()
    web.cookies.set("desk_session", real[:-3] + ("AAA" if real[-3:] != "AAA" else "BBB"))
    assert web.get("/", headers=JSON).status_code == 401
    _untouched(queue)


def test_expired_sessions_are_refused(app: FastAPI, web: TestClient, queue: OrderQueue) -> None:
    login(web, "alice")
    cookie = web.cookies["desk_session"]
    sessions = app.state.desk.sessions
    sid = sessions._signer.loads(cookie)

    class Backdated(URLSafeTimedSerializer):
        def __init__(self) -> None:
            super().__init__(sessions._signer.secret_keys[-1], salt="desk-console-session")
            self.signer_kwargs = {}

    old = Backdated()
    old_signer = old.make_signer()
    old_signer.get_timestamp = lambda: int(time.time()) - 9 * 3600  # type: ignore[method-assign]
    stale = old_signer.sign(old.dump_payload(sid)).decode()
    web.cookies.clear()
    web.cookies.set("desk_session", stale)
    assert web.get("/", headers=JSON).status_code == 401  # signature older than the session
    web.cookies.clear()
    web.cookies.set("desk_session", cookie)
    assert web.get("/", headers=JSON).status_code == 200
    queue.client.delete(f"desk:console:session:{sid}")  # the server-side TTL ran out
    assert web.get("/", headers=JSON).status_code == 401
    _untouched(queue)


def test_requests_without_a_valid_csrf_token_are_refused(web: TestClient,
                                                         queue: OrderQueue) -> None:
    csrf = login(web, "alice")
    other = TestClient(web.app, base_url=BASE)
    other_csrf = login(other, "bob")
    for path, data in STATE_CHANGING:
        assert web.post(path, data=data).status_code == 403, path
        assert web.post(path, data={**data, "csrf": "guess"}).status_code == 403, path
        assert web.post(path, data={**data, "csrf": other_csrf}).status_code == 403, path
        assert web.post(path, data=data, headers={"X-CSRF-Token": ""}).status_code == 403, path
    _untouched(queue)
    ok = web.post("/orders/approve", data={"ids": "B1-0000"}, headers={"X-CSRF-Token": csrf,
                                                                        **JSON})
    assert ok.status_code == 200


def test_cross_site_origin_is_refused_even_with_the_token(web: TestClient,
                                                          queue: OrderQueue) -> None:
    csrf = login(web, "alice")
    response = web.post("/orders/approve", data={"csrf": csrf, "ids": "B1-0000"},
                        headers={"Origin": "https://evil.example"})
    assert response.status_code == 403 and "cross-site" in response.text
    _untouched(queue)


def test_a_viewer_cannot_decide_anything(web: TestClient, queue: OrderQueue) -> None:
    csrf = login(web, "vera")
    for path, data in STATE_CHANGING[:-1]:
        response = web.post(path, data={**data, "csrf": csrf}, headers=JSON)
        assert response.status_code == 403, path
    assert web.get("/users").status_code == 403
    _untouched(queue)


def test_only_an_admin_manages_users(web: TestClient, queue: OrderQueue) -> None:
    csrf = login(web, "alice")
    add = web.post("/users/add", data={"csrf": csrf, "name": "eve", "role": "admin",
                                       "password": "x" * 20}, headers=JSON)
    assert add.status_code == 403 and app_users(queue) == ["alice", "bob", "root", "vera"]
    admin = TestClient(web.app, base_url=BASE)
    admin_csrf = login(admin, "root")
    ok = admin.post("/users/add", data={"csrf": admin_csrf, "name": "eve", "role": "viewer",
                                        "password": "x" * 20}, headers=JSON)
    assert ok.status_code == 200 and "eve" in app_users(queue)


def app_users(queue: OrderQueue) -> list[str]:
    return sorted(queue.client.hkeys(streams.USERS))


def test_disabling_a_user_ends_their_open_session(web: TestClient, queue: OrderQueue) -> None:
    login(web, "alice")
    assert web.get("/", headers=JSON).status_code == 200
    admin = TestClient(web.app, base_url=BASE)
    csrf = login(admin, "root")
    admin.post("/users/alice/disable", data={"csrf": csrf}, headers=JSON)
    assert web.get("/", headers=JSON).status_code == 401


def test_password_guessing_locks_the_account_and_throttles(web: TestClient) -> None:
    for _ in range(3):
        web.get("/login")
        bad = web.post("/login", data={"username": "alice", "password": "wrong-password-1",
                                       "csrf": web.cookies.get("desk_login_csrf", "")})
        assert bad.status_code == 401
    web.get("/login")
    locked = web.post("/login", data={"username": "alice", "password": PASSWORD,
                                      "csrf": web.cookies.get("desk_login_csrf", "")})
    assert locked.status_code == 429 and "try again later" in locked.text
    statuses = []
    for _ in range(6):
        web.get("/login")
        statuses.append(web.post("/login", data={
            "username": "bob", "password": PASSWORD,
            "csrf": web.cookies.get("desk_login_csrf", "")}, follow_redirects=False).status_code)
    assert statuses[-1] == 429  # 8 attempts per window from one address, then throttled


def test_login_needs_its_own_csrf_token(web: TestClient) -> None:
    response = web.post("/login", data={"username": "alice", "password": PASSWORD})
    assert response.status_code == 403 and "desk_session" not in web.cookies


def test_session_cookie_flags_and_rotation(web: TestClient) -> None:
    web.get("/login")
    response = web.post("/login", follow_redirects=False, data={
        "username": "alice", "password": PASSWORD, "csrf": web.cookies["desk_login_csrf"]})
    cookie = next(h for h in response.headers.get_list("set-cookie")
                  if h.startswith("desk_session="))
    assert "HttpOnly" in cookie and "SameSite=strict" in cookie and "Max-Age=28800" in cookie
    first = web.cookies["desk_session"]
    login(web, "alice")
    assert web.cookies["desk_session"] != first  # a new session id at every login


def test_security_headers_and_no_api_docs(web: TestClient) -> None:
    response = web.get("/login")
    csp = response.headers["content-security-policy"]
    assert "script-src 'self'" in csp and "frame-ancestors 'none'" in csp
    assert response.headers["x-frame-options"] == "DENY"
    for path in ("/docs", "/redoc", "/openapi.json"):
        assert web.get(path).status_code == 404
    assert web.get("/static/../app.py").status_code == 404
    assert web.get("/static/console.js").status_code == 200


def test_stored_script_in_an_order_is_escaped(web: TestClient, queue: OrderQueue) -> None:
    queue.ingest(make_order("XSS-1", reason="<script>alert(1)</script>",
                            name="<img src=x onerror=alert(1)>"), actor="model")
    login(web, "alice")
    for path in ("/", "/orders/XSS-1", "/audit"):
        page = web.get(path).text
        assert "<script>alert(1)</script>" not in page and "&lt;script&gt;" in page, path
        assert "<img src=x" not in page, path


def test_no_open_redirect_after_actions(web: TestClient) -> None:
    csrf = login(web, "alice")
    for target in ("//evil.example/", "https://evil.example/", "javascript:alert(1)"):
        response = web.post(f"/orders/approve?back={target}", data={"csrf": csrf,
                            "ids": "B1-0001"}, follow_redirects=False)
        assert response.status_code == 303 and response.headers["location"] == "/", target


def test_listens_on_loopback_by_default() -> None:
    assert ConsoleConfig().host == "127.0.0.1" and ConsoleConfig().cookie_secure is False

"""The console tried as an attacker would (the list is in docs/console.md)."""

from __future__ import annotations

import json
import socket
import statistics
import threading
import time
from collections.abc import Callable, Iterator
from datetime import timedelta
from pathlib import Path

import httpx
import pytest
import redis
import uvicorn
from fastapi import FastAPI
from fastapi.testclient import TestClient
from itsdangerous import URLSafeTimedSerializer
from pydantic import ValidationError

from bus import streams
from execution.approval.queue import OrderQueue
from marketdata.clock import FixedClock
from orders.order import OrderState
from services.console.config import ConsoleConfig
from services.console.forwarded import server_config
from services.console.throttle import LoginThrottle
from services.console.users import Role, UserStore
from tests.unit.console.console_kit import PASSWORD, add_users, build_app, login, seed_batch
from tests.unit.console.login_kit import CountingHasher, observed, try_login
from tests.unit.queue.queue_kit import make_order

JSON = {"accept": "application/json"}
BASE = "http://127.0.0.1:8765"
STATE_CHANGING = [
    ("/orders/approve", {"ids": "B1-0000@1"}),
    ("/orders/reject", {"ids": "B1-0000@1", "reason": "x"}),
    ("/orders/B1-0000/edit", {"quantity": "200"}),
    ("/orders/B1-0000/control", {"command": "cancel"}),
    ("/halt", {"confirm": "HALT"}),
    ("/orders/new", {"symbol": "600000.SSE", "side": "buy", "quantity": "100", "reason": "xxx"}),
    ("/users/add", {"name": "eve", "role": "admin", "password": "x" * 20}),
    ("/users/alice/disable", {}),
    ("/users/alice/unlock", {}),
    ("/halt/lift", {}),
    ("/logout", {}),
]
PAGES = ["/", "/orders/B1-0000", "/working", "/positions", "/nav", "/hedge", "/alerts",
         "/audit", "/halt", "/orders/new", "/users"]


# The hash the test accounts use (console_kit's cheap one), counting its checks.
HASH_COST = {"time_cost": 1, "memory_cost": 1024, "parallelism": 1}
ATTACKER = ("203.0.113.7", 41000)
ADMIN_DESK = ("198.51.100.20", 41000)
PROXY = ("10.0.0.5", 41000)
GUARDED = ConsoleConfig(login_backoff_after=3, login_backoff_base_s=30,
                        login_backoff_max_s=120, login_attempts_per_window=8)


def console_app(client: redis.Redis, clock: FixedClock, data_dir: Path,
                console: ConsoleConfig) -> FastAPI:
    """The real app; its throttle reads the test clock and its hash checks are counted."""
    app = build_app(client, clock, data_dir, console=console)
    app.state.desk.throttle = LoginThrottle(client, console, wall=lambda: clock.now().timestamp())
    app.state.desk.users = UserStore(client, hasher=CountingHasher(**HASH_COST))
    seed_batch(app.state.desk.queue, 2)
    return app


@pytest.fixture
def app(redis_client: redis.Redis, clock: FixedClock, tmp_path: Path) -> FastAPI:
    add_users(redis_client, clock)
    return console_app(redis_client, clock, tmp_path, GUARDED)


@pytest.fixture
def make_app(redis_client: redis.Redis, clock: FixedClock,
             tmp_path: Path) -> Callable[..., FastAPI]:
    add_users(redis_client, clock)
    return lambda **config: console_app(redis_client, clock, tmp_path, ConsoleConfig(**config))


def peer(app: FastAPI, address: tuple[str, int]) -> TestClient:
    """A client whose TCP connection comes from `address`."""
    return TestClient(app, base_url=BASE, client=address)


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
    assert queue.client.xlen(streams.CONTROLS) == queue.client.xlen(streams.DECISIONS) == 0


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
        assert web.post("/orders/approve", data={"ids": "B1-0000@1"}).status_code == 401
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
    ok = web.post("/orders/approve", data={"ids": "B1-0000@1"}, headers={"X-CSRF-Token": csrf,
                                                                        **JSON})
    assert ok.status_code == 200


def test_cross_site_origin_is_refused_even_with_the_token(web: TestClient,
                                                          queue: OrderQueue) -> None:
    csrf = login(web, "alice")
    response = web.post("/orders/approve", data={"csrf": csrf, "ids": "B1-0000@1"},
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


def test_password_guessing_is_throttled_per_name_and_address(web: TestClient) -> None:
    assert [try_login(web, "alice").status_code for _ in range(3)] == [401, 401, 401]
    right = try_login(web, "alice", PASSWORD)  # the right password, but the pair waits
    assert right.status_code == 429 and right.headers["retry-after"] == "30"
    assert "desk_session" not in web.cookies
    statuses = [try_login(web, "bob", PASSWORD).status_code for _ in range(5)]
    # 8 attempts per window from one address, whatever the names: then 429 for all.
    assert statuses == [303, 303, 303, 303, 429]


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
                            "ids": "B1-0001@1"}, follow_redirects=False)
        assert response.status_code == 303 and response.headers["location"] == "/", target


def test_listens_on_loopback_by_default() -> None:
    assert ConsoleConfig().host == "127.0.0.1" and ConsoleConfig().cookie_secure is False


# ---- login hardening (issue 12.2) ---------------------------------------------------

def forged(i: int) -> dict[str, str]:
    """Every header a client might use to name a new address at each try."""
    fake = f"192.0.2.{i % 250 + 1}"
    return {"X-Forwarded-For": fake, "Forwarded": f"for={fake}", "X-Real-IP": fake}


def test_forwarded_headers_from_an_untrusted_peer_are_ignored(app: FastAPI) -> None:
    attacker = peer(app, ATTACKER)
    statuses = [try_login(attacker, "root", headers=forged(i)).status_code for i in range(30)]
    assert statuses == [401] * 3 + [429] * 27


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def served(app: FastAPI) -> Iterator[str]:
    """The app under uvicorn as the console service runs it, on loopback."""
    config = GUARDED.model_copy(update={"port": _free_port()})
    server = uvicorn.Server(server_config(app, config))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.02)
    yield f"http://127.0.0.1:{config.port}"
    server.should_exit = True
    thread.join(timeout=5)


def test_the_served_console_ignores_forwarded_headers_on_loopback(served: str) -> None:
    # uvicorn alone trusts X-Forwarded-For from 127.0.0.1, the address of every client
    # of a console on loopback: with it, each try could come from a "new" address.
    with httpx.Client(base_url=served) as client:
        statuses = [try_login(client, "root", headers=forged(i)).status_code
                    for i in range(30)]
    assert statuses == [401] * 3 + [429] * 27


def test_a_trusted_proxy_names_the_client(make_app: Callable[..., FastAPI]) -> None:
    app = make_app(trusted_proxies=("10.0.0.0/24",), login_backoff_after=3)
    proxy = peer(app, PROXY)
    attacker = {"X-Forwarded-For": ATTACKER[0]}
    assert [try_login(proxy, "root", headers=attacker).status_code
            for _ in range(4)] == [401, 401, 401, 429]
    # nginx's $proxy_add_x_forwarded_for appends: a name the client wrote itself is ignored.
    spoofed = {"X-Forwarded-For": f"{ADMIN_DESK[0]}, {ATTACKER[0]}"}
    assert try_login(proxy, "root", headers=spoofed).status_code == 429
    admin = {"X-Forwarded-For": ADMIN_DESK[0]}
    assert try_login(proxy, "root", PASSWORD, headers=admin).status_code == 303


def test_a_remote_attacker_cannot_lock_the_admin_out(app: FastAPI) -> None:
    attacker = peer(app, ATTACKER)
    statuses = [try_login(attacker, "root").status_code for _ in range(20)]
    assert statuses == [401] * 3 + [429] * 17
    assert try_login(attacker, "root", PASSWORD).status_code == 429
    assert try_login(peer(app, ADMIN_DESK), "root", PASSWORD).status_code == 303


def test_unknown_and_known_names_get_the_same_replies(app: FastAPI) -> None:
    hasher = app.state.desk.users.hasher
    known, unknown = peer(app, ATTACKER), peer(app, ADMIN_DESK)
    for attempt in range(5):  # wrong passwords (401), then the pair waits (429)
        before = hasher.verified
        mine, theirs = try_login(known, "root"), try_login(unknown, "nobody")
        assert observed(mine) == observed(theirs), attempt
        assert mine.status_code == (401 if attempt < 3 else 429)
        assert hasher.verified - before == 2, attempt  # each went through one hash check


def _timed_try(client: TestClient, name: str) -> tuple[float, int]:
    """One wrong-password login: how long the POST took, and its status."""
    client.get("/login")
    form = {"username": name, "password": "wrong password!",
            "csrf": client.cookies.get("desk_login_csrf", "")}
    start = time.perf_counter()
    status = client.post("/login", data=form).status_code
    return time.perf_counter() - start, status


def _paired_gap_s(known: TestClient, unknown: TestClient, pairs: int,
                  status: int) -> tuple[float, float]:
    """Median of (known - unknown) over back-to-back tries, and the median try.

    Pairs of adjacent tries share the machine's load, in alternating order, so a
    burst from other work on the machine does not read as a difference between names.
    """
    gaps, times = [], []
    for i in range(pairs):
        order = [(known, "root"), (unknown, "nobody")][:: 1 if i % 2 else -1]
        (first_s, first), (second_s, second) = (_timed_try(c, n) for c, n in order)
        assert first == second == status, (i, first, second)
        known_s, unknown_s = (second_s, first_s) if i % 2 == 0 else (first_s, second_s)
        gaps.append(known_s - unknown_s)
        times += [known_s, unknown_s]
    return statistics.median(gaps), statistics.median(times)


def test_unknown_and_known_names_take_as_long(redis_client: redis.Redis, clock: FixedClock,
                                              tmp_path: Path) -> None:
    # A costlier hash than the other tests' so that it, not noise, dominates a reply.
    hasher = CountingHasher(time_cost=2, memory_cost=16 * 1024, parallelism=1)
    UserStore(redis_client, hasher=hasher).add("root", Role.ADMIN, PASSWORD, by="t",
                                                at=clock.now())
    config = ConsoleConfig(login_backoff_after=21, login_attempts_per_window=1000)
    app = console_app(redis_client, clock, tmp_path, config)
    app.state.desk.users = UserStore(redis_client, hasher=hasher)
    known, unknown = peer(app, ATTACKER), peer(app, ADMIN_DESK)
    hasher.verified = 0
    for status in (401, 429):  # 21 wrong passwords each; then each pair waits
        gap_s, typical_s = _paired_gap_s(known, unknown, 21, status)
        # The leak this guards against was a whole hash (2.5 ms against 132 ms).
        assert abs(gap_s) < 0.25 * typical_s, (status, gap_s, typical_s)
    assert hasher.verified == 2 * 2 * 21  # every try, refused or waiting, ran the hash


def test_backoff_doubles_up_to_the_cap(make_app: Callable[..., FastAPI],
                                       clock: FixedClock) -> None:
    app = make_app(login_backoff_after=3, login_backoff_base_s=30, login_backoff_max_s=100,
                   login_attempts_per_window=1000)
    web = peer(app, ATTACKER)
    assert [try_login(web, "alice").status_code for _ in range(3)] == [401, 401, 401]
    waits = []
    for _ in range(4):
        throttled = try_login(web, "alice", PASSWORD)
        assert throttled.status_code == 429  # the right password waits too
        waits.append(int(throttled.headers["retry-after"]))
        clock.advance(timedelta(seconds=waits[-1]))
        assert try_login(web, "alice").status_code == 401  # one more wrong password
    assert waits == [30, 60, 100, 100]
    clock.advance(timedelta(seconds=100))
    assert try_login(web, "alice", PASSWORD).status_code == 303
    assert try_login(web, "alice").status_code == 401  # a success forgot the failures


def test_an_admin_unlocks_an_account_and_it_is_audited(app: FastAPI) -> None:
    attacker = peer(app, ATTACKER)
    for _ in range(3):
        try_login(attacker, "alice")
    assert try_login(attacker, "alice", PASSWORD).status_code == 429
    admin = peer(app, ADMIN_DESK)
    csrf = login(admin, "root")
    page = admin.get("/users").text
    assert "failed login(s) from 203.0.113.7" in page and "/users/alice/unlock" in page
    trader = peer(app, ("198.51.100.30", 41000))
    trader_csrf = login(trader, "bob")
    refused = trader.post("/users/alice/unlock", data={"csrf": trader_csrf}, headers=JSON)
    assert refused.status_code == 403
    done = admin.post("/users/alice/unlock", data={"csrf": csrf}, headers=JSON)
    assert done.status_code == 200 and done.json()["cleared"] == 1
    assert try_login(attacker, "alice", PASSWORD).status_code == 303
    entry = json.loads(app.state.desk.client.xrange(streams.AUDIT)[-1][1]["body"])
    assert (entry["action"], entry["actor"]) == ("user.unlock", "root")
    assert entry["before"]["throttled"] == [{"address": ATTACKER[0], "failures": 3,
                                             "wait_s": 30}]
    assert "alice" in entry["reason"] and "alice" in admin.get("/audit").text


def test_proxy_and_backoff_settings_are_checked() -> None:
    for bad, key in (({"trusted_proxies": ("10.0.0.1/8",)}, "did you mean 10.0.0.0/8"),
                     ({"trusted_proxies": ("0.0.0.0/0",)}, "would trust every client"),
                     ({"trusted_proxies": ("proxy.internal",)}, "not one"),
                     ({"login_backoff_base_s": 60, "login_backoff_max_s": 30},
                      "login_backoff_max_s at least"),
                     ({"login_backoff_after": 0}, "greater than or equal to 1")):
        with pytest.raises(ValidationError, match=key):
            ConsoleConfig(**bad)

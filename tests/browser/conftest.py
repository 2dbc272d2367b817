"""A console served by uvicorn on a free loopback port, and headless Chromium.

Chromium is Debian's (`apt-get install chromium`), driven by Playwright through its
`executable_path`; Playwright's own browser download is not used.
"""

from __future__ import annotations

import os
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path

import pytest
import redis
import uvicorn
from fastapi import FastAPI
from playwright.sync_api import Browser, Page, sync_playwright

from marketdata.clock import EXCHANGE_TZ, FixedClock
from services.redis_server import EmbeddedRedis
from tests.unit.console.console_kit import PASSWORD, add_users, build_app

CHROMIUM = os.environ.get("DESK_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                 "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync"]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class LiveConsole:
    def __init__(self, app: FastAPI, url: str, client: redis.Redis, clock: FixedClock) -> None:
        self.app, self.url, self.client, self.clock = app, url, client, clock

    @property
    def queue(self):  # type: ignore[no-untyped-def]
        return self.app.state.desk.queue


@contextmanager
def served(app: FastAPI, client: redis.Redis, clock: FixedClock) -> Iterator[LiveConsole]:
    """`app` under uvicorn on a free loopback port, for as long as the block runs."""
    port = _free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning",
                                           timeout_graceful_shutdown=1))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    while not server.started:
        time.sleep(0.02)
    try:
        yield LiveConsole(app, f"http://127.0.0.1:{port}", client, clock)
    finally:
        server.should_exit = True
        thread.join(timeout=5)


@pytest.fixture(scope="module")
def console(redis_server: EmbeddedRedis, tmp_path_factory: pytest.TempPathFactory
            ) -> Iterator[LiveConsole]:
    client = redis.Redis.from_url(redis_server.url, decode_responses=True)
    clock = FixedClock(datetime(2026, 11, 23, 10, 30, tzinfo=EXCHANGE_TZ))
    with served(build_app(client, clock, tmp_path_factory.mktemp("console")), client,
                clock) as live:
        yield live


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} missing: apt-get install -y chromium fonts-noto-cjk")
    with sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def fresh(console: LiveConsole) -> LiveConsole:
    console.client.flushall()
    add_users(console.client, console.clock)
    return console


@pytest.fixture
def page(browser: Browser, fresh: LiveConsole) -> Iterator[Page]:
    context = browser.new_context(viewport={"width": 1500, "height": 900}, locale="zh-CN")
    page = context.new_page()
    page.set_default_timeout(5000)
    yield page
    context.close()


def log_in(page: Page, console: LiveConsole, user: str = "alice") -> None:
    page.goto(console.url + "/login")
    page.fill('input[name="username"]', user)
    page.fill('input[name="password"]', PASSWORD)
    page.click('button[type="submit"]')
    page.wait_for_url(console.url + "/")


def shot(page: Page, name: str) -> None:
    """Screenshots for people to look at, when DESK_SCREENSHOTS names a folder."""
    folder = os.environ.get("DESK_SCREENSHOTS")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(folder) / f"{name}.png"), full_page=True)

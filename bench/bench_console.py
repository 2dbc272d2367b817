"""Console benchmark: render 1,000 pending orders, approve 1,000 at once, and the time
from a trader's decision to the execution service receiving it (p50 / p99).

Runs the real app under uvicorn on loopback with an embedded Redis, and a consumer
that reads `desk:decisions` with XREADGROUP as the execution service does.
    python bench/bench_console.py [--orders 1000] [--decisions 500]
"""

from __future__ import annotations

import argparse
import re
import socket
import statistics
import tempfile
import threading
import time
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

import httpx
import redis
import uvicorn
from argon2 import PasswordHasher

from bus import streams
from exchange import Side
from execution.approval.policy_config import ApprovalConfig
from execution.approval.queue import OrderQueue
from marketdata.clock import EXCHANGE_TZ, FixedClock
from orders.order import Order
from risk.config import RiskConfig
from services.console.app import create_app
from services.console.config import ConsoleConfig
from services.console.users import Role, UserStore
from services.redis_server import EmbeddedRedis

PASSWORD = "benchmark password 1"
TRADE_DATE = date(2026, 11, 23)
NAMES = ("浦发银行", "平安银行", "万科Ａ", "中天科技", "贵州茅台", "比亚迪")


def seed(queue: OrderQueue, count: int, prefix: str) -> None:
    queue.client.set(streams.CURRENT_BATCH, TRADE_DATE.isoformat())
    for i in range(count):
        order = Order(order_id=f"{prefix}-{i:05d}", batch_id=prefix, trade_date=TRADE_DATE,
                      symbol=f"{600000 + i % 4000:06d}.SSE", name=NAMES[i % 6],
                      side=Side.BUY if i % 3 else Side.SELL, quantity=100 * (1 + i % 50),
                      reference_price=Decimal("10.00"), reason=f"reversal rank {i}")
        queue.ingest(order, actor="model")


def serve(app: object) -> tuple[uvicorn.Server, threading.Thread, str]:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port,  # type: ignore[arg-type]
                                           log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    while not server.started:
        time.sleep(0.02)
    return server, thread, f"http://127.0.0.1:{port}"


def log_in(web: httpx.Client) -> str:
    web.get("/login")
    web.post("/login", data={"username": "bench", "password": PASSWORD,
                             "csrf": web.cookies["desk_login_csrf"]})
    match = re.search(r'name="csrf" value="([^"]+)"', web.get("/halt").text)
    assert match is not None, "login failed"
    return match.group(1)


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


class ExecConsumer:
    """Reads the decisions as the execution service does; records when each arrives."""

    def __init__(self, client: redis.Redis) -> None:
        self.client = client
        self.arrived: dict[str, float] = {}
        self.stop = False
        client.xgroup_create(streams.DECISIONS, "bench", id="$", mkstream=True)
        self.thread = threading.Thread(target=self.run, daemon=True)
        self.thread.start()

    def run(self) -> None:
        while not self.stop:
            reply = self.client.xreadgroup("bench", "b1", {streams.DECISIONS: ">"}, count=100,
                                           block=200)
            now = time.perf_counter()
            for _stream, entries in reply or []:
                for entry_id, fields in entries:
                    order_id = re.search(r'"order_id":"([^"]+)"', fields["body"])
                    if order_id:
                        self.arrived[order_id.group(1)] = now
                    self.client.xack(streams.DECISIONS, "bench", entry_id)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--orders", type=int, default=1000)
    parser.add_argument("--decisions", type=int, default=500)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="bench-console-"))
    server_redis = EmbeddedRedis(tmp)
    server_redis.start()
    try:
        run_bench(redis.Redis.from_url(server_redis.url, decode_responses=True), tmp, args)
    finally:
        server_redis.stop()


def run_bench(client: redis.Redis, tmp: Path, args: argparse.Namespace) -> None:
    clock = FixedClock(datetime(2026, 11, 23, 9, 0, tzinfo=EXCHANGE_TZ))
    queue = OrderQueue(client, clock, ApprovalConfig())
    UserStore(client, hasher=PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)).add(
        "bench", Role.TRADER, PASSWORD, by="bench", at=clock.now())
    app = create_app(client, queue, clock, console=ConsoleConfig(), approval=ApprovalConfig(),
                     risk=RiskConfig(), account="paper", data_dir=tmp)
    server, thread, url = serve(app)
    with httpx.Client(base_url=url, timeout=30) as web:
        csrf = log_in(web)
        renders, approvals = [], []
        for run in range(args.runs):
            seed(queue, args.orders, f"R{run}")
            started = time.perf_counter()
            page = web.get("/")
            renders.append(time.perf_counter() - started)
            assert page.text.count('name="ids"') == args.orders
            started = time.perf_counter()
            shown = re.findall(r'name="shown" value="([^"]+)"', page.text)
            done = web.post("/orders/approve", data={"csrf": csrf, "scope": "shown",
                                                     "shown": shown},
                            headers={"accept": "application/json"}).json()
            approvals.append(time.perf_counter() - started)
            assert len(done["changed"]) == args.orders, done.get("message")
        print(f"render {args.orders} pending (GET /, over HTTP): median "
              f"{statistics.median(renders):.3f}s max {max(renders):.3f}s over {args.runs} runs")
        print(f"approve {args.orders} at once (POST, one transaction): median "
              f"{statistics.median(approvals):.3f}s max {max(approvals):.3f}s")
        latency(web, queue, csrf, args.decisions)
    server.should_exit = True
    thread.join(timeout=5)


def latency(web: httpx.Client, queue: OrderQueue, csrf: str, decisions: int) -> None:
    consumer = ExecConsumer(queue.client)
    seed(queue, decisions, "L")
    sent: dict[str, float] = {}
    for i in range(decisions):
        order_id = f"L-{i:05d}"
        sent[order_id] = time.perf_counter()
        web.post("/orders/approve", data={"csrf": csrf, "ids": f"{order_id}@1"},
                 headers={"accept": "application/json"})
    deadline = time.time() + 5
    while len(consumer.arrived) < decisions and time.time() < deadline:
        time.sleep(0.01)
    consumer.stop = True
    consumer.thread.join()
    ms = [(consumer.arrived[k] - t) * 1000 for k, t in sent.items() if k in consumer.arrived]
    print(f"decision -> execution service ({len(ms)} single approvals over HTTP): "
          f"p50 {pct(ms, 0.5):.1f} ms p99 {pct(ms, 0.99):.1f} ms max {max(ms):.1f} ms")


if __name__ == "__main__":
    main()

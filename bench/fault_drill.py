"""Fault drill: hostile messages on every consumed stream of a running paper desk.

Starts a real embedded Redis and the services that consume streams (execution, with
the approval intake inside it, and alerts) as `desk run <service> --supervised`
processes, writes N entries of each kind (text garbage, deep nesting, raw bytes,
schema-valid out-of-range values) to each stream with pipelined XADDs, waits until
each is dead-lettered, then forges approval decisions (and approved records). Prints
the figures.

    python bench/fault_drill.py [--per-kind 2000] [--seed 11]
"""

from __future__ import annotations

import argparse
import os
import random
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from pathlib import Path

import redis
import yaml

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.hostile import KINDS, TYPES, generators  # noqa: E402
from bus import streams  # noqa: E402
from bus.bus import publish  # noqa: E402
from bus.messages import Decision  # noqa: E402
from exchange import Side  # noqa: E402
from orders.order import Approval, Order, OrderState  # noqa: E402

SERVICES = ("execution", "alerts")
CONSUMED = tuple(TYPES)  # batches, proposals (intake), decisions, controls, alerts
PIPELINE_CHUNK = 1_000


@dataclass
class DrillDesk:
    home: Path
    config: Path
    client: redis.Redis
    raw: redis.Redis
    day: date
    procs: dict[str, subprocess.Popen[bytes]] = field(default_factory=dict)
    pids: dict[str, int] = field(default_factory=dict)

    def restarts(self) -> int:
        """Services that died or whose heartbeat names another process."""
        dead = sum(p.poll() is not None for p in self.procs.values())
        moved = sum(self.heartbeat_pid(n) not in (None, pid) for n, pid in self.pids.items())
        return dead + moved

    def heartbeat_pid(self, service: str) -> int | None:
        import json

        raw = self.client.get(streams.HEARTBEAT.format(service=service))
        return int(json.loads(raw)["pid"]) if raw else None

    def order_records(self) -> int:
        return sum(1 for _k in self.client.scan_iter(match=streams.ORDER.format(order_id="*")))

    def broker_orders(self) -> int:
        from execution.gateway.sim.book import SimBook

        return len(SimBook(self.client, "paper", Decimal("50000000")).orders(self.day))


def wait_for(what: str, check: Callable[[], object], timeout_s: float) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if check():
            return
        time.sleep(0.1)
    raise AssertionError(f"timed out after {timeout_s}s waiting for {what}")


@contextmanager
def drill_desk(home: Path) -> Iterator[DrillDesk]:
    """A paper desk on a small demo store, before the open, its consumers running."""
    from marketdata.calendar import load_calendar
    from marketdata.synthetic.market import write_demo_store
    from services.clock_setup import start_simulated_day
    from services.redis_server import EmbeddedRedis
    from services.settings_loader import load_settings

    store = write_demo_store(home / "marketdata", stocks=50, days=10, seed=11,
                             calendar=load_calendar(ROOT / "config/holidays.yaml"))
    day = store.latest_date()
    assert day is not None
    config = home / "paper.yaml"
    config.write_text(yaml.safe_dump({
        "mode": "paper", "data_dir": str(home),
        "clock": {"mode": "simulated", "speed": 1.0, "start": "09:05"},
        "execution": {"account": "paper", "stock_gateway": {"name": "sim"},
                      "futures_gateway": {"name": "sim"}},
        "alerts": {"metrics_port": 0},
    }))
    server = EmbeddedRedis(home, acl=True)  # as the desk runs it: one user per service
    server.start()
    client = server.client()  # the admin: the drill writes where an attacker would
    raw = server.client(decode_responses=False)
    start_simulated_day(client, load_settings(config), day, 1.0)
    desk = DrillDesk(home, config, client, raw, day)
    try:
        for name in SERVICES:
            desk.procs[name] = _start(desk, name)
        for name in SERVICES:
            wait_for(f"the {name} service", lambda n=name: desk.heartbeat_pid(n), 90)
            desk.pids[name] = desk.procs[name].pid
        yield desk
    finally:
        for proc in desk.procs.values():
            if proc.poll() is None:
                proc.terminate()
        for proc in desk.procs.values():
            try:
                proc.wait(30)
            except subprocess.TimeoutExpired:
                proc.kill()
        server.stop()


def _start(desk: DrillDesk, service: str) -> subprocess.Popen[bytes]:
    log = open(desk.home / f"{service}.out", "ab")  # noqa: SIM115 - lives with the process
    return subprocess.Popen(
        [sys.executable, "-m", "services.cli.main", "--config", str(desk.config), "--data-dir",
         str(desk.home), "run", service, "--supervised"],
        cwd=ROOT, stdout=log, stderr=subprocess.STDOUT,
        env={**os.environ, "DESK_REDIS_USER": service})  # as the supervisor runs it


@dataclass
class FuzzFigures:
    tried: dict[str, int] = field(default_factory=dict)  # "stream kind" -> entries written
    dead: dict[str, int] = field(default_factory=dict)  # stream -> of ours dead-lettered
    without_reason: int = 0
    seconds: float = 0.0


def fuzz(desk: DrillDesk, per_kind: int, seed: int, timeout_s: float = 90) -> FuzzFigures:
    """Write every kind to every consumed stream; wait until all are dead-lettered."""
    rng = random.Random(seed)
    ts = f"{desk.day.isoformat()}T09:05:00+08:00"
    figures = FuzzFigures()
    written: dict[str, set[str]] = {s: set() for s in CONSUMED}
    started = time.monotonic()
    n = 0
    for kind, make in generators(desk.day).items():
        for stream in CONSUMED:
            pipe = desk.raw.pipeline(transaction=False)
            for i in range(per_kind):
                pipe.xadd(stream, make(rng, stream, n, ts))  # type: ignore[arg-type]
                n += 1
                if (i + 1) % PIPELINE_CHUNK == 0:
                    written[stream].update(x.decode() for x in pipe.execute())
            written[stream].update(x.decode() for x in pipe.execute())
            figures.tried[f"{stream} {kind}"] = per_kind
    total = sum(len(ids) for ids in written.values())

    def all_dead() -> bool:
        return sum(_dead_of_ours(desk, written, figures).values()) >= total

    wait_for(f"{total} dead letters", all_dead, timeout_s)
    figures.dead = _dead_of_ours(desk, written, figures)
    figures.seconds = time.monotonic() - started
    return figures


def _dead_of_ours(desk: DrillDesk, written: dict[str, set[str]],
                  figures: FuzzFigures) -> dict[str, int]:
    counts = dict.fromkeys(written, 0)
    missing_reason = 0
    for _entry, fields in desk.client.xrange(streams.DEAD_LETTER):
        stream = fields.get("stream", "")
        if fields.get("entry_id") in written.get(stream, ()):
            counts[stream] += 1
            missing_reason += not fields.get("reason")
    figures.without_reason = missing_reason
    return counts


def forged_work(desk: DrillDesk) -> dict[str, str]:
    """Forged approvals: a decision for an order never proposed; one for a pending order
    nobody approved; an approved record written over a pending one, with no audit (what
    the console's credentials allow). Returns order id -> dead-letter reason."""
    from execution.approval.queue import OrderQueue
    from services.clock_setup import shared_clock
    from services.settings_loader import load_settings

    clock = shared_clock(desk.client, load_settings(desk.config))
    queue = OrderQueue(desk.client, clock)
    now = clock.now()
    symbol = _a_symbol(desk)

    def order(order_id: str, quantity: int) -> Order:
        return Order(order_id=order_id, trade_date=desk.day, symbol=symbol, side=Side.BUY,
                     quantity=quantity, reference_price=Decimal("10.00"))

    queue.ingest(order("forged-pending", 5_000), actor="model")
    rewritten = queue.ingest(order("forged-record", 50_000), actor="model")
    approved = rewritten.model_copy(update={
        "state": OrderState.APPROVED, "approvals": (Approval(user="alice", at=now, version=1),)})
    desk.client.set(streams.ORDER.format(order_id="forged-record"), approved.to_json())
    forged = {"forged-ghost": "alice", "forged-pending": "alice", "forged-record": "alice"}
    for order_id, user in forged.items():
        publish(desk.client, streams.DECISIONS, "decision",
                Decision(order_id=order_id, action="approve", user=user, version=1),
                source="queue", ts=now)

    def reasons() -> dict[str, str]:
        found = {}
        for _e, fields in desk.client.xrange(streams.DEAD_LETTER):
            for order_id in forged:
                if f"approval of {order_id} v1" in fields.get("reason", ""):
                    found[order_id] = fields["reason"]
        return found

    wait_for("the forged approvals dead-lettered", lambda: len(reasons()) == len(forged), 30)
    time.sleep(2.0)  # several steps of the service: nothing may be sent meanwhile
    return reasons()


def _a_symbol(desk: DrillDesk) -> str:
    from marketdata.store import MarketStore

    panel = MarketStore(desk.home / "marketdata").load_panel(desk.day, 1, ["close"])
    return str(panel.symbols[0])


def critical_alerts(desk: DrillDesk) -> list[str]:
    import json

    titles = []
    for _e, fields in desk.raw.xrange(streams.ALERTS):  # bytes: the drill wrote junk there
        if fields.get(b"type") == b"alert" and fields.get(b"source") == b"execution":
            body = json.loads(fields[b"body"])
            if body.get("severity") == "critical":
                titles.append(str(body["title"]))
    return titles


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--per-kind", type=int, default=2_000)
    parser.add_argument("--seed", type=int, default=11)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp, drill_desk(Path(tmp)) as desk:
        figures = fuzz(desk, args.per_kind, args.seed)
        forged = forged_work(desk)
        tried = sum(figures.tried.values())
        print(f"hostile messages tried: {tried} ({args.per_kind} x {len(KINDS)} kinds x "
              f"{len(CONSUMED)} streams)")
        for stream, count in figures.dead.items():
            print(f"  dead-lettered from {stream}: {count}")
        print(f"dead-lettered: {sum(figures.dead.values())} of {tried} "
              f"(without a reason: {figures.without_reason}) in {figures.seconds:.1f} s")
        print(f"forged approvals refused: {len(forged)} of 3; critical alerts: "
              f"{len(critical_alerts(desk))}")
        print(f"service restarts: {desk.restarts()}")
        print(f"order records created: {desk.order_records() - 2} (besides the 2 the drill "
              f"ingests itself); broker orders: {desk.broker_orders()}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""`desk demo`: one compressed, simulated trading day through the whole desk.

It runs the real services as separate processes (scheduler, execution, risk, alerts)
on a fresh data directory and the embedded Redis, waits for the batch, approves it
if asked to (as a trader would), lets the simulated session run to the close, and
reports what happened.
"""

from __future__ import annotations

import json
import shutil
import time
from collections.abc import Callable
from datetime import time as dtime
from decimal import Decimal
from pathlib import Path
from typing import Any

import redis

from bus import streams
from errors import StopTrading
from execution.approval.lifecycle import Action
from execution.approval.queue import OrderQueue
from orders.order import LIVE_STATES, OrderRecord, OrderState
from services.accounts import desk_queue
from services.clock_setup import shared_clock, start_simulated_day
from services.paper import ensure_demo_data
from services.settings import DeskSettings
from services.settings_loader import DEFAULT_CONFIG
from services.supervisor import Supervisor

DEMO_SERVICES = ["scheduler", "execution", "risk", "alerts"]
DEMO_START = dtime(9, 15)
SESSION_END = dtime(15, 1)
MIN_SPEED = 240.0
BATCH_TIMEOUT_S = 120.0
TRADERS = ("demo-trader", "demo-trader-2")

Echo = Callable[[str], None]


def demo_settings(settings: DeskSettings, speed: float | None) -> DeskSettings:
    clock = settings.clock.model_copy(update={
        "mode": "simulated", "start": DEMO_START,
        "speed": speed if speed is not None else max(settings.clock.speed, MIN_SPEED),
    })
    scheduler = settings.scheduler.model_copy(update={"publish_on_start": True})
    return settings.model_copy(update={
        "mode": "paper", "data_dir": Path(settings.data_dir) / "demo", "clock": clock,
        "scheduler": scheduler, "redis": settings.redis.model_copy(update={"url": None}),
    })


def run_demo(settings: DeskSettings, *, auto_approve: bool, speed: float | None,
             stocks: int | None, keep: bool, echo: Echo) -> dict[str, Any]:
    """`settings` should be the shipped paper settings: the demo never touches the
    configured Redis or broker, only its own directory under the data directory."""
    cfg = demo_settings(settings, speed)
    data_dir = Path(cfg.data_dir)
    if data_dir.exists():
        shutil.rmtree(data_dir)
    echo(f"demo: preparing the synthetic market in {data_dir}")
    store = ensure_demo_data(cfg, stocks)
    trade_date = store.latest_date()
    supervisor = Supervisor(cfg, str(DEFAULT_CONFIG), DEMO_SERVICES)
    summary: dict[str, Any] = {"trade_date": str(trade_date)}
    try:
        client = supervisor.start_redis()
        clock = start_simulated_day(client, cfg, trade_date, cfg.clock.speed)  # type: ignore[arg-type]
        echo(f"demo: simulated session of {trade_date} at {clock.speed:g}x real time")
        supervisor.start_services()
        queue: OrderQueue = desk_queue(client, shared_clock(client, cfg), cfg)
        records = _wait_for_batch(supervisor, client, queue, echo)
        summary["orders_proposed"] = len(records)
        if auto_approve:
            _approve_all(queue, records, echo)
        else:
            echo("demo: no --auto-approve: the batch waits for a trader and expires at the close")
        _run_session(supervisor, client, queue, echo)
        summary.update(_figures(client, queue))
    except DemoFailed as exc:
        summary["error"] = str(exc)
        echo(f"demo: FAILED: {exc}")
    finally:
        supervisor.stop()
        if not keep:
            shutil.rmtree(data_dir, ignore_errors=True)
    _tell(summary, echo)
    return summary


class DemoFailed(StopTrading):
    pass


def _wait_for_batch(sup: Supervisor, client: redis.Redis, queue: OrderQueue,
                    echo: Echo) -> list[OrderRecord]:
    deadline = time.monotonic() + BATCH_TIMEOUT_S
    while time.monotonic() < deadline:
        sup.check_children(client)
        records = [r for r in queue.list_orders() if r.order.created_by == "model"]
        if records:
            echo(f"demo: batch arrived: {len(records)} orders pending approval "
                 f"({sum(r.order.side.value == 'sell' for r in records)} sells)")
            return records
        failed = [json.loads(r) for r in client.lrange(streams.SCHEDULER_RUNS, 0, 0)]
        if failed and failed[0]["outcome"] not in ("published",):
            raise DemoFailed(f"the model run did not publish: {failed[0]['detail']}")
        time.sleep(0.2)
    raise DemoFailed(f"no batch within {BATCH_TIMEOUT_S:.0f}s (see {sup.settings.data_dir}/logs)")


def _approve_all(queue: OrderQueue, records: list[OrderRecord], echo: Echo) -> None:
    approved = 0
    for record in records:
        for trader in TRADERS[: record.approvals_needed]:
            result = queue.apply(record.order_id, Action.APPROVE, actor=trader)
        approved += result.state is OrderState.APPROVED
    echo(f"demo: {approved} orders approved by {', '.join(TRADERS[:1])}")


def _run_session(sup: Supervisor, client: redis.Redis, queue: OrderQueue, echo: Echo) -> None:
    clock = queue.clock
    last_report = ""
    while True:
        sup.check_children(client)
        now = clock.now()
        if now.time() >= SESSION_END:
            return
        stamp = f"{now:%H}:{(now.minute // 30) * 30:02d}"
        if stamp != last_report:
            last_report = stamp
            echo(f"demo: {now:%H:%M} {_progress(queue)}")
        time.sleep(0.25)


def _progress(queue: OrderQueue) -> str:
    records = queue.list_orders()
    filled = sum(r.filled_quantity for r in records)
    wanted = sum(r.order.quantity for r in records if r.approvals)
    states: dict[str, int] = {}
    for r in records:
        states[r.state.value] = states.get(r.state.value, 0) + 1
    parts = ", ".join(f"{v} {k}" for k, v in sorted(states.items()))
    return f"filled {filled:,} of {wanted:,} approved shares; orders: {parts}"


def _settled(queue: OrderQueue, timeout_s: float = 15.0) -> list[OrderRecord]:
    """The orders once the execution service has closed the day (no live order left)."""
    deadline = time.monotonic() + timeout_s
    while True:
        records = queue.list_orders()
        if not any(r.state in LIVE_STATES for r in records) or time.monotonic() > deadline:
            return records
        time.sleep(0.2)


def _figures(client: redis.Redis, queue: OrderQueue) -> dict[str, Any]:
    records = _settled(queue)
    model = [r for r in records if r.order.created_by == "model"]
    nav, drawdown = _nav(client)
    return {
        "orders_approved": sum(1 for r in model if r.approvals),
        "orders_filled": sum(1 for r in model if r.state is OrderState.FILLED),
        "orders_partially_filled": sum(
            1 for r in model if 0 < r.filled_quantity < r.order.quantity),
        "orders_expired": sum(1 for r in model if r.state is OrderState.EXPIRED),
        "shares_filled": sum(r.filled_quantity for r in model),
        "fees": str(sum((r.fees for r in model), Decimal(0))),
        "hedge_orders": sum(1 for r in records if r.order.kind.value == "hedge"),
        "nav": nav,
        "drawdown": drawdown,
        "alerts": client.xlen(streams.ALERTS),
        "dead_letters": client.xlen(streams.DEAD_LETTER),
        "fills": _count_fills(client),
    }


def _nav(client: redis.Redis) -> tuple[str | None, float | None]:
    last = client.xrevrange(streams.NAV, count=1)
    if not last:
        return None, None
    body = json.loads(last[0][1]["body"])
    return str(body["nav"]), float(body["drawdown"])


def _count_fills(client: redis.Redis) -> int:
    return int(client.scard(streams.FILLS_APPLIED))


def _tell(summary: dict[str, Any], echo: Echo) -> None:
    if "orders_proposed" not in summary or "nav" not in summary:
        return
    echo(
        f"demo: {summary['trade_date']}: the model proposed {summary['orders_proposed']} orders, "
        f"{summary['orders_approved']} were approved, {summary['orders_filled']} filled completely "
        f"and {summary['orders_partially_filled']} in part ({summary['shares_filled']:,} shares, "
        f"fees {summary['fees']} CNY); {summary['hedge_orders']} hedge orders; "
        f"NAV {summary['nav']} (drawdown {_pct(summary['drawdown'])}); "
        f"{summary['alerts']} alerts, {summary['dead_letters']} dead letters."
    )


def _pct(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.2%}"

"""The trading half of `desk status`: exchange clock, halt, NAV, and the day's orders by
origin (the model's batch, manual orders, hedges), so manual orders are never counted
as the batch."""

from __future__ import annotations

import json
from collections import Counter
from datetime import datetime
from typing import Any

import redis

from bus import streams
from bus.messages import InvalidMessage, NavSnapshot, decode
from exchange import session_phase
from marketdata.clock import EXCHANGE_TZ, WallClock
from services.accounts import account_names, default_account
from services.settings import DeskSettings
from services.status_accounts import accounts_summary, render_accounts

ORIGINS = ("batch", "manual", "hedge")


def desk_summary(client: redis.Redis, settings: DeskSettings) -> dict[str, Any]:
    now = _now(client, settings)
    summary = {
        "exchange_time": now.isoformat(),
        "phase": session_phase(now, "stock").name.value,
        "simulated": _speed(client),
        "halted": client.get(streams.HALT),
        "nav": _nav(client, default_account(settings)),
        "orders": orders_by_origin(client, client.get(streams.CURRENT_BATCH)),
    }
    if len(account_names(settings)) > 1:  # each product's figures and the desk's sums
        summary.update(accounts_summary(client, settings, now.date()))
    return summary


def _now(client: redis.Redis, settings: DeskSettings) -> datetime:
    from services.clock_setup import ClockNotStarted, shared_clock

    try:
        clock = shared_clock(client, settings)
    except ClockNotStarted:
        clock = WallClock()
    return clock.now().astimezone(EXCHANGE_TZ)


def _speed(client: redis.Redis) -> float | None:
    try:
        raw = json.loads(client.get(streams.CLOCK) or "null")
    except ValueError:
        return None
    return float(raw["speed"]) if isinstance(raw, dict) and "speed" in raw else None


def _nav(client: redis.Redis, account: str) -> dict[str, str] | None:
    for _entry_id, fields in client.xrevrange(streams.NAV, count=20):
        try:
            body = decode(fields).body
        except InvalidMessage:
            continue
        if isinstance(body, NavSnapshot) and body.account == account:
            return {"nav": str(body.nav), "hwm": str(body.hwm), "drawdown": str(body.drawdown),
                    "hedge_ratio": str(body.hedge_ratio), "at": body.at.isoformat()}
    return None


def orders_by_origin(client: redis.Redis, day: str | None) -> dict[str, Any]:
    """States per origin for trade date `day`: batch (the model), manual, hedge."""
    counts: dict[str, Counter[str]] = {origin: Counter() for origin in ORIGINS}
    batch_ids: set[str] = set()
    ids = client.zrange(streams.ORDERS_BY_DATE.format(trade_date=day), 0, -1) if day else []
    for raw in client.mget([streams.ORDER.format(order_id=i) for i in ids]) if ids else []:
        if not raw:
            continue
        record = json.loads(raw)
        order = record.get("order", {})
        origin = _origin(order)
        counts[origin][record["state"]] += 1
        if origin == "batch" and order.get("batch_id"):
            batch_ids.add(order["batch_id"])
    return {"trade_date": day, "batch_ids": sorted(batch_ids),
            **{origin: dict(c) for origin, c in counts.items()}}


def _origin(order: dict[str, Any]) -> str:
    if order.get("kind") == "hedge":
        return "hedge"
    if order.get("created_by", "model") == "model" and order.get("batch_id") != "manual":
        return "batch"
    return "manual"


def render_desk(summary: dict[str, Any]) -> list[str]:
    at = datetime.fromisoformat(summary["exchange_time"])
    speed = summary.get("simulated")
    clock = f"exchange time: {at:%Y-%m-%d %H:%M:%S} Asia/Shanghai ({summary['phase']})"
    lines = [clock + (f", simulated at {speed:g}x" if speed else "")]
    halted = summary.get("halted")
    lines.append(f"trading: HALTED ({halted})" if halted else "trading: not halted")
    if "accounts" in summary:
        lines.extend(render_accounts(summary))
    else:
        lines.append(_nav_line(summary.get("nav")))
    lines.extend(_order_lines(summary["orders"]))
    return lines


def _nav_line(nav: dict[str, str] | None) -> str:
    if nav is None:
        return "NAV: none yet (the risk daemon publishes it)"
    at = datetime.fromisoformat(nav["at"]).astimezone(EXCHANGE_TZ)
    return (f"NAV: {float(nav['nav']):,.2f}  high-water {float(nav['hwm']):,.2f}  "
            f"drawdown {float(nav['drawdown']):.2%}  hedge {float(nav['hedge_ratio']):.0%}  "
            f"(at {at:%H:%M:%S})")


def _order_lines(orders: dict[str, Any]) -> list[str]:
    day = orders.get("trade_date")
    if not day:
        return ["batch: none yet"]
    ids = ", ".join(orders["batch_ids"]) or "no model orders"
    lines = [f"batch: {ids} for {day}: {_states(orders['batch'])}"]
    lines.append(f"manual orders: {_states(orders['manual'])}")
    lines.append(f"hedge orders: {_states(orders['hedge'])}")
    return lines


def _states(counts: dict[str, int]) -> str:
    total = sum(counts.values())
    if not total:
        return "none"
    parts = ", ".join(f"{n} {state.replace('_', ' ')}"
                      for state, n in sorted(counts.items(), key=lambda kv: -kv[1]))
    return f"{total} ({parts})"

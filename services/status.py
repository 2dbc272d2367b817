"""What `desk status` shows: services, streams, the batch, model runs, halt, the calendar."""

from __future__ import annotations

import json
from collections import Counter
from typing import Any

import redis

from bus import streams
from marketdata.clock import EXCHANGE_TZ, WallClock
from services.accounts import service_specs
from services.registry import SERVICES
from services.settings import DeskSettings
from services.status_accounts import heartbeat
from services.status_desk import desk_summary, render_desk


def redis_down(settings: DeskSettings) -> str | None:
    """Why the desk's Redis cannot be reached, or None. Never starts it."""
    from services.connect import connect, embedded_for

    server = embedded_for(settings)
    if server is not None and not server.is_running():
        return (f"Redis is DOWN: the desk's Redis does not answer on {server.socket}; "
                "nothing can be said about the services. Start the desk with 'desk run'")
    try:
        connect(settings).ping()
    except redis.RedisError as exc:
        return f"Redis is DOWN: {exc}; nothing can be said about the services"
    return None


def down_report(settings: DeskSettings, reason: str) -> dict[str, Any]:
    return {"mode": settings.mode, "redis": "down", "error": reason, "services": {}}


def collect_status(client: redis.Redis, settings: DeskSettings) -> dict[str, Any]:
    return {
        "mode": settings.mode,
        "redis": "up",
        "services": _services(client, settings),
        "streams": _streams(client),
        "batch": _batch(client),
        "runs": [json.loads(r) for r in client.lrange(streams.SCHEDULER_RUNS, 0, 4)],
        "halted": client.get(streams.HALT),
        "clock": json.loads(client.get(streams.CLOCK) or "null"),
        "calendar": _calendar(client, settings),
        "desk": desk_summary(client, settings),
    }


def _calendar(client: redis.Redis, settings: DeskSettings) -> dict[str, Any] | None:
    """The calendar banner (when it runs out, what that blocks, provisional days), or None."""
    from marketdata.calendar_notice import calendar_notice
    from marketdata.holidays import HolidayFileError
    from services.clock_setup import ClockNotStarted, shared_clock
    from services.desk_data import open_calendar

    try:
        clock = shared_clock(client, settings)
    except ClockNotStarted:
        clock = WallClock()
    try:
        calendar = open_calendar(settings)
    except HolidayFileError as exc:
        return {"level": "critical", "text": f"trading calendar not loaded: {exc}"}
    notice = calendar_notice(calendar, clock.now().astimezone(EXCHANGE_TZ).date(),
                             settings.data.calendar_warning_days)
    return notice.as_dict() if notice else None


def _services(client: redis.Redis, settings: DeskSettings) -> dict[str, dict[str, Any]]:
    """Every service's heartbeat; one execution and one risk service per account."""
    return {name: heartbeat(client, name) for name in service_specs(settings, tuple(SERVICES))}


def _streams(client: redis.Redis) -> dict[str, dict[str, Any]]:
    result = {}
    for stream in streams.ALL_STREAMS:
        length = client.xlen(stream) if client.exists(stream) else 0
        groups = {}
        if length or client.exists(stream):
            for group in client.xinfo_groups(stream):
                groups[group["name"]] = {"pending": group["pending"], "lag": group.get("lag")}
        result[stream] = {"length": length, "groups": groups}
    return result


def _batch(client: redis.Redis) -> dict[str, Any] | None:
    day = client.get(streams.CURRENT_BATCH)
    if not day:
        return None
    summary = json.loads(client.get(streams.BATCH.format(trade_date=day)) or "{}")
    return {**summary, "states": dict(order_states(client, day))}


def order_states(client: redis.Redis, day: str) -> Counter[str]:
    """How many orders of trade date `day` are in each state."""
    ids = client.zrange(streams.ORDERS_BY_DATE.format(trade_date=day), 0, -1)
    states: Counter[str] = Counter()
    for raw in client.mget([streams.ORDER.format(order_id=i) for i in ids]) if ids else []:
        if raw:
            states[json.loads(raw)["state"]] += 1
    return states


def render_status(report: dict[str, Any]) -> str:
    lines = [f"mode: {report['mode']}"]
    lines.extend(render_desk(report["desk"]))  # clock, halt, NAV, batch vs manual orders
    calendar = report.get("calendar")
    if calendar:
        lines.append(f"CALENDAR ({calendar['level']}): {calendar['text']}")
    lines.append("services:")
    width = max([10, *(len(name) for name in report["services"])])
    for name, s in report["services"].items():
        state = (
            f"alive  pid {s['pid']}  last heartbeat {s['age_s']}s ago  {s['state']}"
            if s["alive"]
            else "DOWN (no heartbeat)"
        )
        lines.append(f"  {name:<{width}} {state}")
    lines.append("streams:                      length  pending by group")
    for name, s in report["streams"].items():
        pend = ", ".join(f"{g}={v['pending']}" for g, v in s["groups"].items()) or "-"
        lines.append(f"  {name:<28} {s['length']:>6}  {pend}")
    for run in report["runs"]:
        lines.append(
            f"run: {run['signal_date']} -> {run['trade_date']} {run['outcome']} "
            f"({run.get('trigger')}) {run.get('detail', '')}"
        )
    return "\n".join(lines)

"""Live updates over Server-Sent Events: order changes, fills, alerts, NAV and status.

A page passes the Redis stream id it was rendered at (`since`), so nothing that
happens between the render and the connection is missed, and its name (`page`).
Besides the streams' events, a `status` event (clock, halt, counts, hedge state,
vs-schedule: `live_status`) goes out at once and then every `STATUS_S`.
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import AsyncIterator
from typing import Any

from fastapi import APIRouter, Depends, Request
from sse_starlette.sse import EventSourceResponse
from starlette.concurrency import run_in_threadpool

from bus import streams
from bus.messages import (
    Alert,
    Envelope,
    FillEvent,
    InvalidMessage,
    NavSnapshot,
    OrderEvent,
    decode,
)
from services.console.alert_groups import group_key
from services.console.auth import Session
from services.console.live_status import STATUS_S, StatusCache
from services.console.numbers import price_text
from services.console.users import Role
from services.console.web import desk, require

router = APIRouter()
LIVE_STREAMS = (streams.EVENTS, streams.ALERTS, streams.NAV)
STREAM_ID = re.compile(r"^\d{1,20}-\d{1,20}$")
PAGE = re.compile(r"^[a-z]{1,20}$")
BLOCK_MS = int(STATUS_S * 1000)  # a status event at least this often


@router.get("/events")
async def events(request: Request, since: str = "", page: str = "",
                 session: Session = Depends(require(Role.VIEWER))) -> EventSourceResponse:
    start = since if STREAM_ID.match(since) else "$"
    return EventSourceResponse(_follow(request, start, page if PAGE.match(page) else ""),
                               ping=15)


async def _follow(request: Request, start: str, page: str) -> AsyncIterator[dict[str, str]]:
    d = desk(request)
    client = d.client
    cache = _status_cache(request)
    cursors: dict[Any, Any] = dict.fromkeys(LIVE_STREAMS, start)
    sent = float("-inf")
    while not await request.is_disconnected():
        if time.monotonic() - sent >= STATUS_S:
            sent = time.monotonic()
            status = await run_in_threadpool(cache.get, d, page)
            yield {"event": "status", "data": json.dumps(status, default=str)}
        response = await run_in_threadpool(client.xread, cursors, 200, BLOCK_MS)
        for stream, entries in response or []:
            for entry_id, fields in entries:
                cursors[stream] = entry_id
                event = live_event(fields)
                if event is not None:
                    yield event


def _status_cache(request: Request) -> StatusCache:
    state = request.app.state
    if getattr(state, "live_status", None) is None:
        state.live_status = StatusCache()
    cache: StatusCache = state.live_status
    return cache


def live_event(fields: dict[str, str]) -> dict[str, str] | None:
    """The SSE event for one stream entry, or None for entries the console ignores."""
    try:
        env = decode(fields)
    except InvalidMessage:
        return None
    data = _payload(env)
    if data is None:
        return None
    return {"event": data.pop("kind"), "data": json.dumps(data, default=str)}


def _payload(env: Envelope) -> dict[str, Any] | None:
    body = env.body
    if isinstance(body, OrderEvent):
        record = body.record
        version = record.order.version
        return {
            "kind": "order", "id": record.order_id, "state": record.state.value,
            "filled": record.filled_quantity, "quantity": record.order.quantity,
            "avg": None if record.average_price is None else
            price_text(record.average_price, record.order.symbol),
            "version": version, "event": body.event,
            "approvals": sum(1 for a in record.approvals if a.version == version),
            "needed": record.approvals_needed, "symbol": record.order.symbol,
            "name": record.order.name, "side": record.order.side.value,
            "account": record.order.account,  # empty: the desk's first account
        }
    if isinstance(body, FillEvent):
        return {"kind": "fill", "order_id": body.order_id, "symbol": body.symbol,
                "side": body.side, "quantity": body.quantity,
                "price": price_text(body.price, body.symbol),
                "at": body.at.strftime("%H:%M:%S")}
    if isinstance(body, Alert):
        return {"kind": "alert", "severity": body.severity, "source": body.source,
                "title": body.title, "detail": body.detail, "group": group_key(body),
                "at": env.ts.strftime("%H:%M:%S"), "when": env.ts.strftime("%m-%d %H:%M:%S")}
    if isinstance(body, NavSnapshot):
        return {"kind": "nav", "account": body.account, "nav": body.nav, "drawdown": body.drawdown,
                "hedge_ratio": body.hedge_ratio, "at": body.at.strftime("%H:%M:%S")}
    return None

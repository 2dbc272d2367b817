"""The header's live figures, pushed every second over SSE: what a stream cannot say.

The exchange clock moves without any event, a halt is a key (raised from the CLI or
another page), vs-schedule changes with time alone: so the event stream sends a
`status` event every `STATUS_S` with the clock (Asia/Shanghai), the halt, the
pending and working counts, the hedge state in a few words and, for the Working page,
each live order's vs-schedule. States are read as plain JSON (only live orders are
parsed whole) and one payload per page kind is shared by every open page
(`StatusCache`): 1,000 orders cost a few ms a second, not per tab.
"""

from __future__ import annotations

import json
import threading
import time
from collections import Counter
from typing import Any

from bus import streams
from exchange import session_phase
from marketdata.clock import EXCHANGE_TZ
from orders.order import LIVE_STATES, OrderRecord, OrderState
from services.console.filters import trade_date_of
from services.console.reads import risk_state
from services.console.views import make_rows, schedule_gap
from services.console.web import Desk

STATUS_S = 1.0
LIVE = frozenset(s.value for s in LIVE_STATES)


class StatusCache:
    """One computation per page kind per `STATUS_S`, however many pages are open."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._kept: dict[str, tuple[float, dict[str, Any]]] = {}

    def get(self, d: Desk, page: str) -> dict[str, Any]:
        kind = "working" if page == "working" else ""
        with self._lock:
            at, payload = self._kept.get(kind, (float("-inf"), {}))
            if time.monotonic() - at >= STATUS_S * 0.9:
                payload = status_payload(d, kind)
                self._kept[kind] = (time.monotonic(), payload)
            return payload


def day_orders(d: Desk) -> tuple[Counter[str], list[OrderRecord]]:
    """States of the day's orders (read as plain JSON: cheap) and the live records."""
    key = streams.ORDERS_BY_DATE.format(trade_date=trade_date_of(d).isoformat())
    ids = d.client.zrange(key, 0, -1)
    raws = d.client.mget([streams.ORDER.format(order_id=i) for i in ids]) if ids else []
    states: Counter[str] = Counter()
    live = []
    for raw in raws:
        if not raw:
            continue
        state = str(json.loads(raw).get("state", ""))
        states[state] += 1
        if state in LIVE:
            live.append(OrderRecord.from_json(raw))
    return states, live


def status_payload(d: Desk, page: str) -> dict[str, Any]:
    now = d.clock.now().astimezone(EXCHANGE_TZ)
    states, live = day_orders(d)
    payload: dict[str, Any] = {
        "clock": now.strftime("%Y-%m-%d %H:%M:%S"),
        "phase": session_phase(now, "stock").name.value.replace("_", " "),
        "halted": d.queue.halted(),
        "pending": states[OrderState.PENDING_APPROVAL.value],
        "working": sum(states[s] for s in LIVE) + states[OrderState.APPROVED.value],
        "hedge": desk_hedge_text(d),
    }
    if page == "working":
        rows = make_rows(live, {}, d.queue.policy)
        gaps = {row.record.order_id: schedule_gap(row, now) for row in rows}
        payload["schedule"] = {k: round(v, 4) for k, v in gaps.items() if v is not None}
    return payload


def desk_hedge_text(d: Desk) -> str:
    """The hedge of the one account, or of each account by name (`alpha hedge 30% · beta
    unhedged`)."""
    names = d.account_names
    if len(names) == 1:
        return hedge_text(risk_state(d.client, names[0]))
    return " · ".join(f"{n} {hedge_text(risk_state(d.client, n))}" for n in names)


def hedge_text(state: dict[str, Any]) -> str:
    """The hedge ladder in a few words for the header (the Hedge page has the rest)."""
    if not state:
        return "hedge —"
    if "unreadable" in state:
        return "hedge: risk state unreadable"
    ratio = float(state.get("hedge_ratio") or 0)
    text = f"hedge {ratio:.0%}" if ratio else "unhedged"
    return text + (" · reducing" if state.get("reducing") else "")

"""The header's live figures, pushed every second over SSE: what a stream cannot say.

The exchange clock moves without any event, a halt is a key (raised from the CLI or
another page), vs-schedule changes with time alone: so the event stream sends a
`status` event every `STATUS_S` with the clock (Asia/Shanghai), the halt, the
pending and working counts, the hedge state in a few words and, for the Working page,
each live order's vs-schedule.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from exchange import session_phase
from marketdata.clock import EXCHANGE_TZ
from orders.order import LIVE_STATES, OrderState
from services.console.filters import trade_date_of
from services.console.reads import risk_state
from services.console.views import make_rows, schedule_gap
from services.console.web import Desk

STATUS_S = 1.0


def status_payload(d: Desk, page: str) -> dict[str, Any]:
    now = d.clock.now().astimezone(EXCHANGE_TZ)
    records = d.queue.list_orders(trade_date_of(d))
    states = Counter(r.state for r in records)
    payload: dict[str, Any] = {
        "clock": now.strftime("%Y-%m-%d %H:%M:%S"),
        "phase": session_phase(now, "stock").name.value.replace("_", " "),
        "halted": d.queue.halted(),
        "pending": states[OrderState.PENDING_APPROVAL],
        "working": sum(states[s] for s in LIVE_STATES) + states[OrderState.APPROVED],
        "hedge": hedge_text(risk_state(d.client, d.account)),
    }
    if page == "working":
        rows = make_rows([r for r in records if r.state in LIVE_STATES], {}, d.queue.policy)
        gaps = {row.record.order_id: schedule_gap(row, now) for row in rows}
        payload["schedule"] = {k: round(v, 4) for k, v in gaps.items() if v is not None}
    return payload


def hedge_text(state: dict[str, Any]) -> str:
    """The hedge ladder in a few words for the header (the Hedge page has the rest)."""
    if not state:
        return "hedge —"
    if "unreadable" in state:
        return "hedge: risk state unreadable"
    ratio = float(state.get("hedge_ratio") or 0)
    text = f"hedge {ratio:.0%}" if ratio else "unhedged"
    return text + (" · reducing" if state.get("reducing") else "")

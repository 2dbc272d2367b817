"""The risk state document at `RISK_STATE`: what the console shows, plus what a restart needs.

Public fields (NAV, drawdown, hedge, reducing, blocked symbols...) sit at the top level
for the console and `desk risk status`; `monitor` and `in_flight` are the daemon's own
memory, read back by `parse_state`.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from risk.config import RiskConfig
from risk.drawdown import HighWaterMark
from risk.monitor import MonitorState
from risk.nav import NavBreakdown


@dataclass(frozen=True)
class Snapshot:
    """The figures of one check that the state document shows."""

    at: datetime
    nav: NavBreakdown
    drawdown: float
    hedged_share: float
    beta: float
    blocked: list[str]


def public_state(cfg: RiskConfig, snap: Snapshot, monitor: MonitorState,
                 hwm: HighWaterMark | None) -> dict[str, Any]:
    nav = snap.nav
    return {
        "account": cfg.account,
        "at": snap.at.isoformat(),
        "nav": str(nav.nav),
        "hwm": str(hwm.value) if hwm else None,
        "drawdown": round(snap.drawdown, 6),
        "hedge_ratio": monitor.ladder.hedge_ratio(cfg.ladder),
        "hedged_share": round(snap.hedged_share, 4),
        "beta": round(snap.beta, 3),
        "stock_value": str(nav.stock_value),
        "futures_pnl": str(nav.futures_pnl),
        "free_cash": str(nav.free_cash),
        "reducing": monitor.reducing,
        "blocked_symbols": snap.blocked,
        "ladder_reason": monitor.ladder.reason,
    }


def state_json(public: dict[str, Any], monitor: MonitorState, in_flight: dict[str, str]) -> str:
    return json.dumps({**public, "reducing": monitor.reducing, "in_flight": dict(in_flight),
                       "monitor": monitor.to_dict()})


def parse_state(raw: str | None, key: str) -> tuple[MonitorState, dict[str, str]]:
    """The daemon's memory from a stored document; a fresh start when there is none."""
    if not raw:
        return MonitorState(), {}
    try:
        doc = json.loads(raw)
        return MonitorState.from_dict(doc["monitor"]), dict(doc.get("in_flight", {}))
    except (ValueError, KeyError, TypeError) as exc:
        raise ValueError(f"{key}: unreadable risk state ({exc!r}); fix or delete the key "
                         "(the ladder then restarts from no hedge)") from exc


def pending_proposals(in_flight: dict[str, str], finished: dict[str, bool | None],
                      now: datetime, timeout_s: float) -> tuple[dict[str, str], list[str]]:
    """(still in flight, lost): `finished[id]` is None when the queue has no such order."""
    still, lost = {}, []
    for order_id, at in in_flight.items():
        done = finished.get(order_id)
        if done is False or (done is None and
                             (now - datetime.fromisoformat(at)).total_seconds() < timeout_s):
            still[order_id] = at
        elif done is None:
            lost.append(order_id)
    return still, lost

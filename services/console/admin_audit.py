"""Account actions in the audit stream, next to the order transitions.

An entry names no order (`order_id` is empty); the action says what was done
(`user.unlock`), the actor who, and the reason for whom and what it cleared, so
`desk audit --actor NAME` and the Audit page show them.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import redis

from bus import streams
from bus.bus import publish
from bus.messages import AuditEntry
from services.console.throttle import PairFailures

SOURCE = "console"
SHOWN = 10  # addresses named in the reason; `before` keeps them all


def audit_unlock(client: redis.Redis, *, name: str, actor: str, cleared: list[PairFailures],
                 at: datetime) -> None:
    """Record that `actor` cleared the login throttle of `name` (what it held, before)."""
    held = ", ".join(f"{p.address} ({p.failures} failures)" for p in cleared[:SHOWN])
    if len(cleared) > SHOWN:
        held += f" and {len(cleared) - SHOWN} more"
    entry = AuditEntry(order_id="", action="user.unlock", actor=actor,
                       reason=f"login throttle of {name} cleared: {held or 'nothing held'}",
                       before={"user": name, "throttled": _rows(cleared)},
                       after={"user": name, "throttled": []}, at=at)
    publish(client, streams.AUDIT, "audit", entry, source=SOURCE, ts=at)


def _rows(cleared: list[PairFailures]) -> list[dict[str, Any]]:
    return [{"address": p.address, "failures": p.failures, "wait_s": p.wait_s} for p in cleared]

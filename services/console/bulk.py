"""Bulk decisions name the rows on screen: each as `ORDER_ID@VERSION`.

The pending page posts the ticked rows (`ids`), or for "all shown" every pending row
it rendered (`shown`, with `scope=shown`); the server never re-runs the filter, so an
order added while the page was open is not swept in, and an order edited since is
refused with the whole action (409). The reply says what happened to each order:
approved and released, or approved 1 of 2 and waiting for another trader.
"""

from __future__ import annotations

import re

from fastapi import Request
from fastapi.responses import Response
from starlette.datastructures import FormData

from execution.approval.lifecycle import Action
from execution.approval.queue import BulkResult
from orders.order import OrderRecord, OrderState
from services.console.auth import Session
from services.console.web import reply

PICK = re.compile(r"^(?P<id>[A-Za-z0-9_.:-]{1,80})@(?P<version>[1-9][0-9]{0,5})$")
MAX_PICKS = 5_000
SHOWN_LISTED = 5
# The decision stands on the primary but no replica confirmed it: the trader must know.
NOT_ACKNOWLEDGED = 503


def seen_versions(form: FormData) -> dict[str, int]:
    """Order id -> the version on screen; ValueError naming the bad field."""
    field = "shown" if form.get("scope") == "shown" else "ids"
    values = [str(v) for v in form.getlist(field)]
    if not values:
        raise ValueError("No orders chosen: tick the orders first." if field == "ids"
                         else "No pending orders were shown.")
    if len(values) > MAX_PICKS:
        raise ValueError(f"{field}: {len(values)} orders at once; at most {MAX_PICKS}")
    seen: dict[str, int] = {}
    for value in values:
        match = PICK.match(value)
        if match is None:
            raise ValueError(f"{field}: {value[:80]!r} is not ORDER_ID@VERSION (the page "
                             "names the version you saw; reload it)")
        seen[match["id"]] = int(match["version"])
    return seen


def bulk_reply(request: Request, session: Session, action: Action,
               result: BulkResult) -> Response:
    changed = [r.order_id for r in result.changed]
    parts = _summary(action, result.changed)
    if result.refused:
        shown = "; ".join(f"{k}: {v}" for k, v in list(result.refused.items())[:SHOWN_LISTED])
        more = len(result.refused) - SHOWN_LISTED
        parts.append(f"{len(result.refused)} refused: {shown}"
                     + (f" (+{more} more)" if more > 0 else ""))
    status = 200 if changed or not result.refused else 409
    body = {"changed": changed, "refused": result.refused,
            "released": [r.order_id for r in result.changed if _released(r)]}
    return reply(request, session, body, "; ".join(parts) or "Nothing changed.",
                 level="warning" if result.refused else "info", status=status)


def not_acknowledged(request: Request, session: Session, result: BulkResult,
                     problem: str) -> Response:
    """Written on the primary, not yet on a replica: said plainly, never as done."""
    changed = [r.order_id for r in result.changed]
    body = {"changed": changed, "refused": result.refused, "acknowledged": False}
    return reply(request, session, body,
                 f"{len(changed)} order(s) changed but NOT acknowledged: {problem}",
                 level="error", status=NOT_ACKNOWLEDGED)


def _summary(action: Action, records: list[OrderRecord]) -> list[str]:
    if not records:
        return []
    if action is not Action.APPROVE:
        return [f"{len(records)} order(s) rejected"]
    released = [r for r in records if _released(r)]
    waiting = [r for r in records if not _released(r)]
    parts = [f"{len(released)} order(s) approved and released to execution"] if released \
        else []
    if waiting:
        counts = sorted({(_approvals(r), r.approvals_needed) for r in waiting})
        how = ", ".join(f"{have} of {need}" for have, need in counts)
        parts.append(f"{len(waiting)} order(s) approved {how}: waiting for another trader")
    return parts


def _released(record: OrderRecord) -> bool:
    return record.state is not OrderState.PENDING_APPROVAL


def _approvals(record: OrderRecord) -> int:
    return len({a.user for a in record.approvals if a.version == record.order.version})

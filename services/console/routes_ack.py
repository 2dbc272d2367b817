"""Acknowledging a critical alert: stops its escalation (services/alerting/escalation.py).

The alert messages name their group's key ("请在控制台确认 a1b2c3d4e5f"); a trader posts
it here. Each acknowledgement is an audit entry (`alert.ack`) next to the order
transitions, naming who acknowledged what and when.
"""

from __future__ import annotations

import re

from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse, Response

from bus import streams
from bus.bus import publish
from bus.messages import AuditEntry
from services.alerting import escalation
from services.console.auth import Session
from services.console.users import Role
from services.console.web import desk, reply, require

router = APIRouter()
KEY = re.compile(r"^a[0-9a-f]{10}$")


@router.get("/alerts/unacked")
def unacked(request: Request,
            session: Session = Depends(require(Role.VIEWER))) -> Response:
    return JSONResponse({"unacked": escalation.unacked(desk(request).client)})


@router.post("/alerts/{key}/ack")
async def acknowledge(key: str, request: Request,
                      session: Session = Depends(require(Role.TRADER))) -> Response:
    d = desk(request)
    waiting = escalation.acknowledge(d.client, key) if KEY.match(key) else None
    if waiting is None:
        return reply(request, session, {"key": key, "acknowledged": False},
                     f"no unacknowledged critical alert {key}", status=404, back="/")
    at = d.clock.now()
    entry = AuditEntry(order_id="", action="alert.ack", actor=session.user,
                       reason=f"critical alert {key} acknowledged: {waiting.get('title', '')}",
                       before={"alert": key, **waiting}, after={"alert": key,
                                                                "acknowledged": True},
                       at=at)
    publish(d.client, streams.AUDIT, "audit", entry, source="console", ts=at)
    return reply(request, session, {"key": key, "acknowledged": True},
                 f"alert {key} acknowledged by {session.user}", back="/")

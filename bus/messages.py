"""Message schemas on the bus: one versioned envelope, one body model per type.

Every message carries `type`, `v` (schema version) and `id` (the idempotency key:
handling a message with an id already seen is a no-op). Bodies are validated
against `BODY_MODELS`; anything that fails goes to the dead-letter stream.
"""

from __future__ import annotations

import json
import uuid
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from errors import FixData
from orders.order import Order, OrderRecord

SCHEMA_VERSION = 1


class Body(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class BatchPublished(Body):
    batch_id: str = Field(min_length=1, max_length=80)
    trade_date: date
    signal_date: date
    orders: list[Order] = Field(max_length=5_000)
    totals: dict[str, Any] = Field(default_factory=dict, max_length=32)


class OrderProposed(Body):
    order: Order
    author: str = Field(min_length=1, max_length=80)


ORDER_ID = r"^[A-Za-z0-9_.:-]{1,80}$"
TEXT = 2_000  # reasons and details; one alert or audit line stays readable


class Decision(Body):
    """A doorbell: names the order and version decided; the record itself is the truth."""

    order_id: str = Field(pattern=ORDER_ID)
    action: str = Field(pattern=r"^(approve|reject|edit)$")
    user: str = Field(min_length=1, max_length=80)
    reason: str = Field(default="", max_length=TEXT)
    version: int = Field(default=1, ge=1)


class ExecControl(Body):
    order_id: str = Field(pattern=ORDER_ID)
    command: str = Field(pattern=r"^(pause|resume|cancel|amend)$")
    user: str = Field(min_length=1, max_length=80)
    reason: str = Field(default="", max_length=TEXT)


class ExecHalt(Body):
    user: str = Field(min_length=1, max_length=80)
    reason: str = Field(default="", max_length=TEXT)
    halted: bool = True


class OrderEvent(Body):
    record: OrderRecord
    event: str
    detail: str = ""


class FillEvent(Body):
    trade_id: str
    order_id: str
    reference: str
    symbol: str
    side: str
    offset: str = "none"
    quantity: int = Field(gt=0)
    price: Decimal = Field(gt=0)
    fees: Decimal = Decimal(0)
    at: datetime
    account: str


class LedgerUpdate(Body):
    account: str
    cash: Decimal
    positions: dict[str, dict[str, Any]]
    at: datetime


class Alert(Body):
    severity: str = Field(pattern=r"^(info|warning|critical)$")
    source: str = Field(min_length=1, max_length=64)
    title: str = Field(min_length=1, max_length=300)
    detail: str = Field(default="", max_length=TEXT)


class AuditEntry(Body):
    order_id: str
    action: str
    actor: str
    reason: str = ""
    before: dict[str, Any] | None = None
    after: dict[str, Any] | None = None
    at: datetime


class NavSnapshot(Body):
    account: str
    nav: Decimal
    hwm: Decimal
    drawdown: float
    stock_value: Decimal
    cash: Decimal
    futures_pnl: Decimal = Decimal(0)
    hedge_ratio: float = 0.0
    at: datetime


BODY_MODELS: dict[str, type[Body]] = {
    "batch.published": BatchPublished,
    "order.proposed": OrderProposed,
    "decision": Decision,
    "exec.control": ExecControl,
    "exec.halt": ExecHalt,
    "order.event": OrderEvent,
    "fill": FillEvent,
    "ledger": LedgerUpdate,
    "alert": Alert,
    "audit": AuditEntry,
    "nav": NavSnapshot,
}


class Envelope(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", arbitrary_types_allowed=True)

    type: str
    v: int
    id: str
    source: str
    ts: datetime
    body: Body


class InvalidMessage(FixData):
    """A stream entry that does not match its schema; the text says why."""


def new_id() -> str:
    return uuid.uuid4().hex


def encode(msg_type: str, body: Body, *, source: str, ts: datetime, msg_id: str) -> dict[str, str]:
    """The stream fields of a message."""
    if msg_type not in BODY_MODELS or not isinstance(body, BODY_MODELS[msg_type]):
        raise TypeError(f"body for {msg_type!r} must be {BODY_MODELS.get(msg_type)}")
    return {
        "type": msg_type,
        "v": str(SCHEMA_VERSION),
        "id": msg_id,
        "source": source,
        "ts": ts.isoformat(),
        "body": body.model_dump_json(),
    }


def decode(fields: dict[str, str]) -> Envelope:
    """Parse and validate stream fields, or raise InvalidMessage naming the problem."""
    missing = [k for k in ("type", "v", "id", "source", "ts", "body") if k not in fields]
    if missing:
        raise InvalidMessage(f"missing field(s) {missing}")
    msg_type = fields["type"]
    model = BODY_MODELS.get(msg_type)
    if model is None:
        raise InvalidMessage(f"unknown message type {msg_type!r}")
    if fields["v"] != str(SCHEMA_VERSION):
        raise InvalidMessage(f"{msg_type}: unsupported schema version {fields['v']!r}")
    try:
        body = model.model_validate(json.loads(fields["body"]))
        ts = datetime.fromisoformat(fields["ts"])
    except (ValueError, ValidationError) as exc:
        raise InvalidMessage(f"{msg_type}: {_short(exc)}") from exc
    if ts.tzinfo is None:
        raise InvalidMessage(f"{msg_type}: timestamp {fields['ts']!r} has no time zone")
    return Envelope(
        type=msg_type, v=SCHEMA_VERSION, id=fields["id"], source=fields["source"], ts=ts, body=body
    )


def _short(exc: Exception) -> str:
    if isinstance(exc, ValidationError):
        parts = [f"{'.'.join(map(str, e['loc'])) or 'body'}: {e['msg']}" for e in exc.errors()[:5]]
        return "; ".join(parts)
    return str(exc)

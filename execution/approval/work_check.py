"""The approval is the only key to the broker: a `decision` on the bus only names an
order and a version; the execution service works the queue's own record, and only
when it says that version was approved by as many people as its policy needs, by the
user the decision names among them, and the audit trail holds those approvals.

Outcomes: the stored record to work; `AwaitingApprovals` (one of two approvals so
far: nothing to do yet); `StaleWork` (edited or finished since: nothing suspicious);
`MessageRefused` for anything no honest queue writes (no such order, an approval the
record does not hold, an approved record with too few or unaudited approvals), which
the caller dead-letters and alerts as critical.

The record and the newest audit entries come in one round trip (an approval just made
is among them); older audit pages are read only when those do not hold it.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import redis

from bus import streams
from bus.bus import MessageRefused
from bus.messages import Decision
from bus.wire import printable, raw_twin
from execution.approval.queue import OrderQueue
from orders.order import (
    LIVE_STATES,
    TERMINAL_STATES,
    Order,
    OrderKind,
    OrderRecord,
    OrderState,
)

RawFields = dict[bytes, bytes]
# A redelivered decision finds its order already working: still the same approval.
WORKABLE = frozenset({OrderState.APPROVED, *LIVE_STATES})
FIRST_AUDIT_PAGE = 4  # read with the record: the approval just made is usually the newest
AUDIT_PAGE = 1_000
AUDIT_SCAN_LIMIT = 50_000  # approvals are minutes old; this is hours of a busy day
HEDGE_AUTO = "policy:hedge-auto"  # its approval completes four eyes (policies.py)


class StaleWork(MessageRefused):
    """The decided version was edited, or the order finished (cancelled, expired),
    before the service took the decision: nothing to do, and nothing suspicious."""


class AwaitingApprovals(StaleWork):
    """A genuine approval that does not complete the order's policy yet (1 of 2)."""


class WorkCheck:
    """Checks approval decisions against the queue it was given."""

    def __init__(self, queue: OrderQueue) -> None:
        self.queue = queue
        self.raw = raw_twin(queue.client)  # the audit stream is read as bytes, like a consumer

    def verified(self, decision: Decision) -> OrderRecord:
        """The stored record to work, or MessageRefused (or a StaleWork) saying why not."""
        with self.raw.pipeline(transaction=False) as pipe:
            for command in self.reads(decision):
                pipe.execute_command(*command)
            return self.verified_from(decision, pipe.execute(raise_on_error=False))

    @staticmethod
    def reads(decision: Decision) -> list[tuple[Any, ...]]:
        """What the check reads first (the record, the newest audit entries), for a caller
        that sends them with its own (the bus consumer's duplicate check: `Prefetching`)."""
        return [("GET", streams.ORDER.format(order_id=decision.order_id)),
                ("XREVRANGE", streams.AUDIT, "+", "-", "COUNT", FIRST_AUDIT_PAGE)]

    def verified_from(self, decision: Decision, replies: list[Any]) -> OrderRecord:
        """`verified`, given the replies (bytes) to `reads`."""
        for reply in replies:
            if isinstance(reply, Exception):
                raise reply
        raw_record, newest = replies
        stored = OrderRecord.from_json(raw_record) if raw_record else None
        return verified_record(self.queue, decision, stored, lambda order, wanted: (
            _audited_approvers(self.raw, order, wanted, newest)))


def verified_record(queue: OrderQueue, decision: Decision, stored: OrderRecord | None,
                    audited: Callable[[Order, set[str]], set[str]]) -> OrderRecord:
    what = f"approval of {decision.order_id} v{decision.version} by {decision.user!r}"
    if stored is None:
        raise MessageRefused(f"{what}: no such order in the queue")
    if stored.order.version != decision.version:
        raise StaleWork(f"{what}: the order is at version {stored.order.version} now")
    approvers = _approvers(stored)
    if decision.user not in approvers:
        raise MessageRefused(f"{what}: the order's record holds no such approval")
    if stored.state is OrderState.PENDING_APPROVAL:
        raise AwaitingApprovals(f"{what}: {len(approvers)} of {_needed(queue, stored)} "
                                "approvals so far")
    if stored.state in TERMINAL_STATES:
        raise StaleWork(f"{what}: the order is already {stored.state.value}")
    if stored.state not in WORKABLE:
        raise MessageRefused(f"{what}: the order is {stored.state.value}, not approved")
    needed = _needed(queue, stored)
    if len(approvers) < needed:
        raise MessageRefused(f"{what}: {len(approvers)} approval(s) of version "
                             f"{stored.order.version}, {needed} needed")
    missing = approvers - audited(stored.order, approvers)
    if missing:
        raise MessageRefused(f"{what}: approval by {sorted(missing)} not in the audit trail")
    return stored


def _approvers(record: OrderRecord) -> set[str]:
    return {a.user for a in record.approvals if a.version == record.order.version}


def _needed(queue: OrderQueue, record: OrderRecord) -> int:
    """What the policy asks now, never less than the record says."""
    order = record.order
    if order.kind is OrderKind.HEDGE and order.urgent and HEDGE_AUTO in _approvers(record):
        return 1
    limit = queue.policy.four_eyes_above
    policy_needs = 2 if limit is not None and order.estimated_value > limit else 1
    return max(policy_needs, record.approvals_needed)


def _audited_approvers(raw: redis.Redis, order: Order, wanted: set[str],
                       newest: list[tuple[bytes, RawFields]]) -> set[str]:
    """Of `wanted`, the users whose approval of this version the audit stream holds.

    Newest first, in pages that grow: an approval just made is among the last few
    entries (`newest`, the first page, already read), so the usual check parses a
    handful, not a thousand."""
    found: set[str] = set()
    # Order ids are plain ASCII (no JSON escapes): an entry whose body lacks the quoted
    # id is about another order, and is not parsed (most of a page, most of the time).
    needle = json.dumps(order.order_id).encode()
    upper, scanned, page_size = "+", 0, FIRST_AUDIT_PAGE
    page = newest
    while True:
        for entry_id, fields in page:
            upper = f"({printable(entry_id)}"
            if needle not in fields.get(b"body", b""):
                continue
            entry = _entry(fields)
            if _approves(entry, order):
                found.add(str(entry["actor"]))
                if wanted <= found:
                    return found
        scanned += len(page)
        if len(page) < page_size or scanned >= AUDIT_SCAN_LIMIT:
            return found
        page_size = min(page_size * 4, AUDIT_PAGE)
        page = raw.xrevrange(streams.AUDIT, max=upper, min="-", count=page_size)


def _entry(fields: dict[bytes, bytes]) -> dict[str, Any]:
    if fields.get(b"type") != b"audit":
        return {}
    try:
        body = json.loads(printable(fields.get(b"body", b"{}"), 100_000))
    except (ValueError, RecursionError):  # anyone may have written to the stream
        return {}
    return body if isinstance(body, dict) else {}


def _approves(entry: dict[str, Any], order: Order) -> bool:
    if entry.get("order_id") != order.order_id or entry.get("action") != "approve":
        return False
    after = entry.get("after") or {}
    version = (after.get("order") or {}).get("version") if isinstance(after, dict) else None
    return bool(version == order.version)

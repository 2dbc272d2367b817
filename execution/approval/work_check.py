"""The approval is the only key to the broker: an `exec.work` is acted on only when the
queue's own record says the same order was approved, by as many people as its policy
needs, and the audit trail holds those approvals.

The message is never trusted: the execution service works the stored record, and a
work item with no record, another version, size, side or price, too few approvals or
no audited approval is refused (dead-lettered and alerted as critical by the caller).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import redis

from bus import streams
from bus.bus import MessageRefused
from bus.wire import printable, raw_twin
from execution.approval.queue import OrderQueue
from orders.order import LIVE_STATES, TERMINAL_STATES, Order, OrderKind, OrderRecord, OrderState

# A redelivered work item finds its order already working: still the same approval.
WORKABLE = frozenset({OrderState.APPROVED, *LIVE_STATES})
MATCHED = ("order_id", "version", "trade_date", "symbol", "side", "quantity", "kind", "offset",
           "reference_price", "limit_price")
AUDIT_PAGE = 1_000
AUDIT_SCAN_LIMIT = 50_000  # approvals are minutes old; this is hours of a busy day
HEDGE_AUTO = "policy:hedge-auto"  # its approval completes four eyes (policies.py)


class StaleWork(MessageRefused):
    """The order was approved but finished (cancelled, expired) before the service took
    its work item: nothing to do, and nothing suspicious."""


class WorkCheck:
    """Checks work items against the queue it was given."""

    def __init__(self, queue: OrderQueue) -> None:
        self.queue = queue
        self.raw = raw_twin(queue.client)  # the audit stream is read as bytes, like a consumer

    def verified(self, work: OrderRecord) -> OrderRecord:
        """The stored record to work, or MessageRefused saying why not."""
        return verified_record(self.queue, work, lambda order, wanted: _audited_approvers(
            self.raw, order, wanted))


def verified_record(queue: OrderQueue, work: OrderRecord,
                    audited: Callable[[Order, set[str]], set[str]]) -> OrderRecord:
    stored = queue.get(work.order_id)
    if stored is None:
        raise MessageRefused(f"exec.work for {work.order_id}: no such order in the queue")
    differ = [name for name in MATCHED
              if getattr(stored.order, name) != getattr(work.order, name)]
    if differ:
        raise MessageRefused(f"exec.work for {work.order_id} does not match its record: "
                             f"{', '.join(differ)}")
    if stored.state in TERMINAL_STATES and stored.approvals:
        raise StaleWork(f"exec.work for {work.order_id}: the order is already "
                        f"{stored.state.value}")
    if stored.state not in WORKABLE:
        raise MessageRefused(f"exec.work for {work.order_id}: the order is "
                             f"{stored.state.value}, not approved")
    approvers = _approvers(stored)
    needed = _needed(queue, stored)
    if len(approvers) < needed:
        raise MessageRefused(f"exec.work for {work.order_id}: {len(approvers)} approval(s) of "
                             f"version {stored.order.version}, {needed} needed")
    missing = approvers - audited(stored.order, approvers)
    if missing:
        raise MessageRefused(f"exec.work for {work.order_id}: approval by {sorted(missing)} "
                             "not in the audit trail")
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


def _audited_approvers(raw: redis.Redis, order: Order, wanted: set[str]) -> set[str]:
    """Of `wanted`, the users whose approval of this version the audit stream holds."""
    found: set[str] = set()
    upper, scanned = "+", 0
    while scanned < AUDIT_SCAN_LIMIT and not wanted <= found:
        page = raw.xrevrange(streams.AUDIT, max=upper, min="-", count=AUDIT_PAGE)
        for entry_id, fields in page:
            entry = _entry(fields)
            if _approves(entry, order):
                found.add(str(entry["actor"]))
            upper = f"({printable(entry_id)}"
        scanned += len(page)
        if len(page) < AUDIT_PAGE:
            break
    return found


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

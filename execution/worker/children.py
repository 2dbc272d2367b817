"""Child orders and their deterministic references, recorded in Redis before sending.

A child's reference is `<parent id>#<slice number>`; the slice number comes from a
per-parent counter in Redis, so after a crash the next child never reuses a number.
The record (state RECORDED) is written before the order goes to the gateway, so a
restart finds every child that might have reached the broker and can match it there.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum
from typing import Any

import redis
from pydantic import BaseModel, ConfigDict

from bus import streams
from execution.worker.keys import DAY_TTL_S, SLICE_COUNTER, VT_ORDERS


class ChildState(StrEnum):
    RECORDED = "recorded"  # written, not yet confirmed sent
    WORKING = "working"  # the broker has it
    FILLED = "filled"
    CANCELLED = "cancelled"
    REJECTED = "rejected"
    LOST = "lost"  # recorded but the broker never received it (found at reconciliation)
    # Sent, but the broker's replay after a reconnect did not show it: it may still be
    # live, so it counts in full and blocks new children of its parent.
    UNKNOWN = "unknown"


OPEN_STATES = frozenset({ChildState.RECORDED, ChildState.WORKING, ChildState.UNKNOWN})


class ChildOrder(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    reference: str
    order_id: str
    slice_no: int
    trade_date: date
    symbol: str
    side: str
    offset: str
    quantity: int
    price: Decimal
    phase: str  # continuous / opening_auction / closing_auction
    gateway: str
    state: ChildState = ChildState.RECORDED
    vt_orderid: str = ""
    filled: int = 0  # from trades applied to the ledger
    reported: int = 0  # traded quantity the broker reported on the order
    created_at: datetime
    updated_at: datetime
    reason: str = ""

    @property
    def open(self) -> bool:
        return self.state in OPEN_STATES

    @property
    def committed(self) -> int:
        """Shares of the parent this child has taken or may still take."""
        return self.quantity if self.open else max(self.filled, self.reported)


def reference_for(order_id: str, slice_no: int) -> str:
    return f"{order_id}#{slice_no}"


class ChildStore:
    def __init__(self, client: redis.Redis, suffix: str = "") -> None:
        self.suffix = suffix  # `keys.account_suffix`: broker order ids are per account
        self.client = client
        self._slices: dict[str, int] = {}

    def next_slice(self, order_id: str) -> int:
        """The next slice number of a parent. The counter reaches Redis in the same
        transaction as the child's record, so a number is never used twice, even
        after a crash (the service is the only writer)."""
        if order_id not in self._slices:
            stored = self.client.get(SLICE_COUNTER.format(order_id=order_id))
            self._slices[order_id] = int(stored or 0)
        self._slices[order_id] += 1
        return self._slices[order_id]

    def record(self, child: ChildOrder) -> None:
        self.record_all([child])

    def record_all(self, children: list[ChildOrder]) -> None:
        """Record children (with their parents' slice counters) in one transaction: one
        round trip for every child one step decided, all written before any is sent."""
        if not children:
            return
        with self.client.pipeline(transaction=True) as pipe:
            for command in self.record_commands(children):
                pipe.execute_command(*command)
            pipe.execute()

    @staticmethod
    def record_commands(children: list[ChildOrder]) -> list[tuple[Any, ...]]:
        """The writes that record children, for a caller's own MULTI/EXEC (the START's)."""
        # Each parent's counter and children set once (a step may decide several of one
        # parent's children): the commands grow with the children, not three times them.
        slices: dict[str, int] = {}
        members: dict[str, list[str]] = {}
        commands: list[tuple[Any, ...]] = []
        for child in children:
            slices[child.order_id] = max(slices.get(child.order_id, 0), child.slice_no)
            members.setdefault(child.order_id, []).append(child.reference)
            commands.append(("SET", streams.CHILD.format(reference=child.reference),
                             child.model_dump_json(), "EX", DAY_TTL_S))
        for order_id, slice_no in slices.items():
            commands.append(("SET", SLICE_COUNTER.format(order_id=order_id), slice_no,
                             "EX", DAY_TTL_S))
            commands.append(("SADD", streams.CHILDREN_OF.format(order_id=order_id),
                             *members[order_id]))
        return commands

    def unnumber(self, child: ChildOrder) -> None:
        """A numbered child that was never recorded (its transaction failed): its number
        is free again, so the next one leaves no gap."""
        if self._slices.get(child.order_id) == child.slice_no:
            self._slices[child.order_id] -= 1

    def save(self, child: ChildOrder) -> None:
        self.write_all([child], [])

    def link(self, child: ChildOrder) -> None:
        """Remember vt_orderid -> reference: trades (and CTP's replays) carry only the id."""
        self.write_all([], [child])

    def write_all(self, saved: list[ChildOrder], linked: list[ChildOrder]) -> None:
        """Save children and link others (vt_orderid -> reference, and their record) in one
        transaction: one round trip for a step's sends or a batch of order events."""
        if not saved and not linked:
            return
        with self.client.pipeline(transaction=True) as pipe:
            days: dict[str, dict[str | bytes, str]] = {}  # one HSET per day's map
            for child in linked:
                key = VT_ORDERS.format(trade_date=child.trade_date.isoformat()) + self.suffix
                days.setdefault(key, {})[child.vt_orderid] = child.reference
            for key, links in sorted(days.items()):
                pipe.hset(key, mapping=links)
                pipe.expire(key, DAY_TTL_S)
            for child in [*saved, *linked]:
                pipe.set(streams.CHILD.format(reference=child.reference),
                         child.model_dump_json(), ex=DAY_TTL_S)
            pipe.execute()

    def get(self, reference: str) -> ChildOrder | None:
        raw = self.client.get(streams.CHILD.format(reference=reference))
        return ChildOrder.model_validate_json(raw) if raw else None

    def reference_of(self, trade_date: date, vt_orderid: str) -> str | None:
        found = self.client.hget(VT_ORDERS.format(trade_date=trade_date.isoformat())
                                 + self.suffix, vt_orderid)
        return str(found) if found else None

    @staticmethod
    def children_reads(order_id: str) -> list[tuple[str, str]]:
        """What `children` reads first (its members, the slice counter): a caller may send
        them with its own transaction (the START) and hand the replies to `children`."""
        return [("SMEMBERS", streams.CHILDREN_OF.format(order_id=order_id)),
                ("GET", SLICE_COUNTER.format(order_id=order_id))]

    def children(self, order_id: str, read: list[Any] | None = None) -> list[ChildOrder]:
        """A parent's children; its slice counter comes in the same round trip (`read`:
        the replies to `children_reads`, already read)."""
        if read is None:
            with self.client.pipeline(transaction=False) as pipe:
                for command in self.children_reads(order_id):
                    pipe.execute_command(*command)
                read = pipe.execute()
        members, stored = read
        self._slices.setdefault(order_id, int(stored or 0))  # memory is never behind Redis
        # Replies read as bytes (with the decision consumer's reads) or as text.
        refs = sorted(m.decode("ascii") if isinstance(m, bytes) else m for m in members)
        raws = self.client.mget([streams.CHILD.format(reference=r) for r in refs]) if refs else []
        found = [ChildOrder.model_validate_json(r) for r in raws if r]
        return sorted(found, key=lambda c: c.slice_no)

"""The service's registry of child orders: in memory, written through to Redis.

The service is the only writer of child records, so memory is the working copy and
Redis the durable one. Children are found by reference (vnpy carries it on orders
from the simulator) or by vt_orderid (trades, and real brokers' replays, carry only
that).
"""

from __future__ import annotations

from datetime import date
from typing import Any

from execution.worker.children import ChildOrder, ChildStore


class ChildBook:
    def __init__(self, store: ChildStore, trade_date: date) -> None:
        self.store = store
        self.trade_date = trade_date
        self.by_ref: dict[str, ChildOrder] = {}
        self.by_vt: dict[str, str] = {}
        # Each parent's children by reference: a step asks for them once per parent, so
        # a scan of every child would make a step quadratic in the day's children.
        self.by_order: dict[str, dict[str, ChildOrder]] = {}
        # Changes from one batch of gateway events, written together by `flush`
        # (reference -> whether its vt_orderid link is new).
        self._staged: dict[str, bool] = {}

    def load(self, order_id: str, read: list[Any] | None = None) -> list[ChildOrder]:
        """Read a parent's children from Redis into memory (start, restart, adoption);
        `read`: the replies to `store.children_reads`, when they came with the START."""
        children = self.store.children(order_id, read)
        for child in children:
            self._keep(child)
        return children

    def of(self, order_id: str) -> list[ChildOrder]:
        found = self.by_order.get(order_id, {}).values()
        return sorted(found, key=lambda c: c.slice_no)

    def open(self) -> list[ChildOrder]:
        return [c for c in self.by_ref.values() if c.open]

    def record(self, child: ChildOrder) -> None:
        self.record_all([child])

    def record_all(self, children: list[ChildOrder]) -> None:
        """Written to Redis (one round trip) before any of them is sent."""
        self.store.record_all(children)
        for child in children:
            self._keep(child)

    def linked(self, child: ChildOrder) -> None:
        self.linked_all([child])

    def linked_all(self, children: list[ChildOrder]) -> None:
        self.store.write_all([], children)
        for child in children:
            self._keep(child)

    def saved(self, child: ChildOrder) -> None:
        self.store.save(child)
        self._keep(child)

    def stage(self, child: ChildOrder, *, link: bool = False) -> None:
        """Keep a change in memory now and write it with the batch's others at `flush`.
        Only for what the broker reports (order events): a crash before the flush loses
        nothing the broker's replay at the restart does not bring back."""
        self._keep(child)
        self._staged[child.reference] = self._staged.get(child.reference, False) or link

    def flush(self) -> None:
        """Write the staged changes, each child as memory has it now, in one round trip."""
        staged, self._staged = self._staged, {}
        children = {ref: self.by_ref[ref] for ref in staged if ref in self.by_ref}
        self.store.write_all([c for ref, c in children.items() if not staged[ref]],
                             [c for ref, c in children.items() if staged[ref]])

    def kept(self, child: ChildOrder) -> None:
        """Already written by someone else (the fill book): refresh memory only."""
        self._keep(child)

    def find(self, reference: str, vt_orderid: str) -> ChildOrder | None:
        if reference and reference in self.by_ref:
            return self.by_ref[reference]
        ref = self.by_vt.get(vt_orderid) or self.store.reference_of(self.trade_date, vt_orderid)
        if ref is None:
            ref = reference or None
        if ref is None:
            return None
        child = self.by_ref.get(ref) or self.store.get(ref)
        if child is not None:
            self._keep(child)
        return child

    def open_sells(self, symbol: str) -> int:
        return sum(c.quantity - c.filled for c in self.by_ref.values()
                   if c.open and c.symbol == symbol and c.side == "sell")

    def _keep(self, child: ChildOrder) -> None:
        earlier = self.by_ref.get(child.reference)
        if earlier is not None and earlier.order_id != child.order_id:
            self.by_order.get(earlier.order_id, {}).pop(child.reference, None)
        self.by_ref[child.reference] = child
        self.by_order.setdefault(child.order_id, {})[child.reference] = child
        if child.vt_orderid:
            self.by_vt[child.vt_orderid] = child.reference

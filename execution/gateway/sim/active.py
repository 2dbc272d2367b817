"""The simulated exchange's working orders, with their frozen cash kept summed.

Every submit asks how much cash is free; summing the frozen cash of every working order
each time made a day of many resting orders quadratic."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from decimal import Decimal

from execution.gateway.sim.models import SimOrder


class ActiveOrders:
    """Working orders by order id; `frozen` is the sum of their frozen cash."""

    def __init__(self, orders: Iterable[SimOrder] = ()) -> None:
        self._by_id: dict[str, SimOrder] = {}
        self._by_symbol: dict[str, dict[str, SimOrder]] = {}  # each minute's bar asks
        self.frozen = Decimal(0)
        for order in orders:
            self.put(order)

    def put(self, order: SimOrder) -> None:
        """Add an order, or replace it where it stands (its time priority is kept)."""
        old = self._by_id.get(order.orderid)
        if old is not None:
            self.frozen -= old.frozen_cash
        self._by_id[order.orderid] = order
        self._by_symbol.setdefault(order.symbol, {})[order.orderid] = order
        self.frozen += order.frozen_cash

    def pop(self, orderid: str) -> SimOrder | None:
        order = self._by_id.pop(orderid, None)
        if order is not None:
            self.frozen -= order.frozen_cash
            same = self._by_symbol[order.symbol]
            del same[orderid]
            if not same:
                del self._by_symbol[order.symbol]
        return order

    def get(self, orderid: str) -> SimOrder | None:
        return self._by_id.get(orderid)

    def values(self) -> list[SimOrder]:
        """A copy: callers may put and pop while they go through it."""
        return list(self._by_id.values())

    def of(self, symbol: str) -> list[SimOrder]:
        """The working orders of `symbol`, oldest first (a copy)."""
        return list(self._by_symbol.get(symbol, {}).values())

    def symbols(self) -> set[str]:
        return set(self._by_symbol)

    def __len__(self) -> int:
        return len(self._by_id)

    def __iter__(self) -> Iterator[str]:
        """The order ids, oldest first (as a dict's keys)."""
        return iter(list(self._by_id))

    def __contains__(self, orderid: object) -> bool:
        return orderid in self._by_id

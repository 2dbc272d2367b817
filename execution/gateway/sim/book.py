"""The simulated broker's books in Redis (`desk:sim:{account}:...`).

Every change is one MULTI transaction, so a SIGKILL of the service never leaves an
order without its frozen cash or a trade without its position change. Keys:
`day`, `cash`, `seq`, `pos` (hash symbol -> position), `orders:{day}` and
`trades:{day}` (hash id -> JSON), `cursor:{day}` (bars ending by then are matched), `used:{day}`
(hash symbol|minute -> shares we already took from that bar).
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

import redis

from execution.gateway.sim.models import FuturePosition, Position, SimOrder, SimTrade, StockPosition
from execution.rules import classify

PREFIX = "desk:sim"
DAY_TTL_S = 10 * 24 * 3600


def load_position(symbol: str, raw: str | None) -> Position:
    model = FuturePosition if classify(symbol).is_future else StockPosition
    return model.model_validate_json(raw) if raw else model()


class SimBook:
    def __init__(self, client: redis.Redis, account: str, initial_cash: Decimal) -> None:
        self.client = client
        self.prefix = f"{PREFIX}:{account}"
        self.initial_cash = initial_cash

    def key(self, name: str) -> str:
        return f"{self.prefix}:{name}"

    # ---- day roll ---------------------------------------------------------------
    def open_day(self, day: date) -> None:
        """First use of a day: T+1 shares become sellable, nothing is frozen any more."""
        self.client.setnx(self.key("cash"), str(self.initial_cash))
        if self.client.get(self.key("day")) == day.isoformat():
            return
        rolled = {s: _rolled(load_position(s, raw)).model_dump_json()
                  for s, raw in self.client.hgetall(self.key("pos")).items()}
        with self.client.pipeline(transaction=True) as pipe:
            if rolled:
                pipe.hset(self.key("pos"), mapping=rolled)
            pipe.set(self.key("day"), day.isoformat())
            pipe.execute()

    # ---- reading ----------------------------------------------------------------
    def cash(self) -> Decimal:
        return Decimal(self.client.get(self.key("cash")) or str(self.initial_cash))

    def position(self, symbol: str) -> Position:
        return load_position(symbol, self.client.hget(self.key("pos"), symbol))

    def positions(self) -> dict[str, Position]:
        return {s: load_position(s, raw) for s, raw in self.client.hgetall(self.key("pos")).items()}

    def orders(self, day: date) -> list[SimOrder]:
        raws = self.client.hvals(self.key(f"orders:{day.isoformat()}"))
        return sorted((SimOrder.model_validate_json(r) for r in raws), key=lambda o: int(o.orderid))

    def trades(self, day: date) -> list[SimTrade]:
        raws = self.client.hvals(self.key(f"trades:{day.isoformat()}"))
        return sorted((SimTrade.model_validate_json(r) for r in raws), key=lambda t: t.tradeid)

    def cursor(self, day: date) -> datetime | None:
        raw = self.client.get(self.key(f"cursor:{day.isoformat()}"))
        return datetime.fromisoformat(raw) if raw else None

    def used(self, day: date, symbol: str, minute: datetime) -> int:
        field = f"{symbol}|{minute.isoformat()}"
        raw = self.client.hget(self.key(f"used:{day.isoformat()}"), field)
        return int(raw or 0)

    def next_id(self) -> int:
        return int(self.client.incr(self.key("seq")))

    # ---- writing ----------------------------------------------------------------
    def save(self, day: date, order: SimOrder, position: Position | None = None,
             trade: SimTrade | None = None, cash_delta: Decimal = Decimal(0),
             used: tuple[datetime, int] | None = None) -> None:
        """Write an order with its position, trade and cash change, all or nothing."""
        stamp = day.isoformat()
        with self.client.pipeline(transaction=True) as pipe:
            pipe.hset(self.key(f"orders:{stamp}"), order.orderid, order.model_dump_json())
            pipe.expire(self.key(f"orders:{stamp}"), DAY_TTL_S)
            if position is not None:
                pipe.hset(self.key("pos"), order.symbol, position.model_dump_json())
            if trade is not None:
                pipe.hset(self.key(f"trades:{stamp}"), trade.tradeid, trade.model_dump_json())
                pipe.expire(self.key(f"trades:{stamp}"), DAY_TTL_S)
            if cash_delta:
                # One writer (the gateway's lock), so read-then-set is exact and safe.
                pipe.set(self.key("cash"), str(self.cash() + cash_delta))
            if used is not None:
                field = f"{order.symbol}|{used[0].isoformat()}"
                pipe.hincrby(self.key(f"used:{stamp}"), field, used[1])
                pipe.expire(self.key(f"used:{stamp}"), DAY_TTL_S)
            pipe.execute()

    def set_cursor(self, day: date, minute: datetime) -> None:
        self.client.set(self.key(f"cursor:{day.isoformat()}"), minute.isoformat(), ex=DAY_TTL_S)


def _rolled(position: Position) -> Position:
    if isinstance(position, StockPosition):
        return position.model_copy(update={"sellable": position.quantity, "frozen": 0})
    return position.model_copy(update={"long_today": 0, "short_today": 0, "frozen_close": 0})

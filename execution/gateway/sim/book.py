"""The simulated broker's books in Redis (`desk:sim:{account}:...`).

Every change is one MULTI transaction, so a SIGKILL of the service never leaves an
order without its frozen cash or a trade without its position change. Keys:
`day`, `cash`, `seq`, `pos` (hash symbol -> position), `entitled` (hash symbol|ex-date ->
corporate-action entitlement not yet paid or credited), `corporate:{day}` (list: what
the corporate actions booked that day), `orders:{day}` and
`trades:{day}` (hash id -> JSON), `expiries:{day}` (hash symbol -> JSON: options settled
at their expiry), `cursor:{day}` (bars ending by then are matched), `used:{day}`
(hash symbol|minute -> shares we already took from that bar).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from datetime import date, datetime
from decimal import Decimal

import redis
from redis.client import Pipeline

from exchange import classify
from execution.gateway.sim.corporate import (
    CorporateEvent,
    Entitlement,
    corporate_day,
)
from execution.gateway.sim.models import (
    FuturePosition,
    Position,
    SimExpiry,
    SimOrder,
    SimTrade,
    StockPosition,
)
from marketdata.corporate import CorporateAction

PREFIX = "desk:sim"
DAY_TTL_S = 10 * 24 * 3600


def load_position(symbol: str, raw: str | None) -> Position:
    model = FuturePosition if classify(symbol).is_derivative else StockPosition
    return model.model_validate_json(raw) if raw else model()


class SimBook:
    def __init__(self, client: redis.Redis, account: str, initial_cash: Decimal) -> None:
        self.client = client
        self.prefix = f"{PREFIX}:{account}"
        self.initial_cash = initial_cash
        # Write-through copies: the gateway (under its lock) is the only writer.
        self._cash: Decimal | None = None
        self._positions: dict[str, Position] | None = None
        self._seq: int | None = None
        # Inside `batch`: the one transaction the writes go to, and the shares taken from
        # bars as they will be once it runs (symbol|minute -> shares).
        self._pipe: Pipeline | None = None
        self._used: dict[str, int] = {}

    def key(self, name: str) -> str:
        return f"{self.prefix}:{name}"

    # ---- day roll ---------------------------------------------------------------
    def open_day(self, day: date, actions: Iterable[CorporateAction] = ()) -> None:
        """First use of a day: T+1 shares become sellable, nothing is frozen any more, and
        the day's corporate actions are booked (entitlements, cash, new shares)."""
        self.client.setnx(self.key("cash"), str(self.initial_cash))
        if self.client.get(self.key("day")) == day.isoformat():
            return
        rolled = {s: _rolled(load_position(s, raw))
                  for s, raw in self.client.hgetall(self.key("pos")).items()}
        corporate = corporate_day(day, rolled, self.entitlements(), actions)
        rolled.update(corporate.positions)
        stamp = self.key(f"corporate:{day.isoformat()}")
        with self.client.pipeline(transaction=True) as pipe:
            if rolled:
                pipe.hset(self.key("pos"), mapping={
                    s: p.model_dump_json() for s, p in rolled.items()})
            if corporate.cash_delta:
                pipe.set(self.key("cash"), str(self.cash() + corporate.cash_delta))
            if corporate.pending:
                pipe.hset(self.key("entitled"), mapping={
                    k: e.model_dump_json() for k, e in corporate.pending.items()})
            if corporate.finished:
                pipe.hdel(self.key("entitled"), *corporate.finished)
            for event in corporate.events:
                pipe.rpush(stamp, event.model_dump_json())
            if corporate.events:
                pipe.expire(stamp, DAY_TTL_S)
            pipe.set(self.key("day"), day.isoformat())
            pipe.execute()
        self._positions = None
        self._cash = None

    def entitlements(self) -> dict[str, Entitlement]:
        """Corporate actions entitled to and not yet fully paid or credited."""
        return {k: Entitlement.model_validate_json(v)
                for k, v in self.client.hgetall(self.key("entitled")).items()}

    def corporate_events(self, day: date) -> list[CorporateEvent]:
        """What the corporate actions booked at the start of `day` (the statement)."""
        raw = self.client.lrange(self.key(f"corporate:{day.isoformat()}"), 0, -1)
        return [CorporateEvent.model_validate_json(r) for r in raw]

    # ---- reading ----------------------------------------------------------------
    def cash(self) -> Decimal:
        if self._cash is None:
            self._cash = Decimal(self.client.get(self.key("cash")) or str(self.initial_cash))
        return self._cash

    def position(self, symbol: str) -> Position:
        return self.positions().get(symbol) or load_position(symbol, None)

    def positions(self) -> dict[str, Position]:
        if self._positions is None:
            raws = self.client.hgetall(self.key("pos"))
            self._positions = {s: load_position(s, raw) for s, raw in raws.items()}
        return dict(self._positions)

    def orders(self, day: date) -> list[SimOrder]:
        raws = self.client.hvals(self.key(f"orders:{day.isoformat()}"))
        return sorted((SimOrder.model_validate_json(r) for r in raws), key=lambda o: int(o.orderid))

    def trades(self, day: date) -> list[SimTrade]:
        raws = self.client.hvals(self.key(f"trades:{day.isoformat()}"))
        return sorted((SimTrade.model_validate_json(r) for r in raws), key=lambda t: t.tradeid)

    def expiries(self, day: date) -> list[SimExpiry]:
        raws = self.client.hvals(self.key(f"expiries:{day.isoformat()}"))
        return sorted((SimExpiry.model_validate_json(r) for r in raws), key=lambda e: e.symbol)

    def cursor(self, day: date) -> datetime | None:
        raw = self.client.get(self.key(f"cursor:{day.isoformat()}"))
        return datetime.fromisoformat(raw) if raw else None

    def used(self, day: date, symbol: str, minute: datetime) -> int:
        field = f"{symbol}|{minute.isoformat()}"
        if field in self._used:
            return self._used[field]
        raw = self.client.hget(self.key(f"used:{day.isoformat()}"), field)
        return int(raw or 0)

    def prefetch_used(self, day: date, bars: list[tuple[str, datetime]]) -> None:
        """Inside `batch`: read what was taken from these (symbol, minute) bars, in one
        round trip; the batch's own fills are added as they are staged."""
        fields = [f"{symbol}|{minute.isoformat()}" for symbol, minute in bars]
        fields = [f for f in fields if f not in self._used]
        if self._pipe is None or not fields:
            return
        raws = self.client.hmget(self.key(f"used:{day.isoformat()}"), fields)
        self._used.update({f: int(r or 0) for f, r in zip(fields, raws, strict=True)})

    def next_id(self) -> int:
        """The next order / trade number; it reaches Redis with the next `save`, which
        every new order and trade is part of, so no number is ever handed out twice."""
        if self._seq is None:
            self._seq = int(self.client.get(self.key("seq")) or 0)
        self._seq += 1
        return self._seq

    # ---- writing ----------------------------------------------------------------
    @contextmanager
    def batch(self) -> Iterator[None]:
        """The writes inside (a minute-advance: its fills, expiries, cursor) reach Redis in
        one transaction at the end, all or nothing; the caller pushes nothing before."""
        if self._pipe is not None:  # already in one
            yield
            return
        pipe = self.client.pipeline(transaction=True)
        self._pipe = pipe
        try:
            yield
            pipe.execute()
        except BaseException:
            self._cash, self._positions, self._seq = None, None, None  # memory ran ahead
            raise
        finally:
            self._pipe, self._used = None, {}
            pipe.reset()

    @contextmanager
    def _writing(self) -> Iterator[Pipeline]:
        """The batch's transaction, or one of this write's own, run at once."""
        if self._pipe is not None:
            yield self._pipe
            return
        with self.client.pipeline(transaction=True) as pipe:
            yield pipe
            pipe.execute()

    def save(self, day: date, order: SimOrder, position: Position | None = None,
             trade: SimTrade | None = None, cash_delta: Decimal = Decimal(0),
             used: tuple[datetime, int] | None = None) -> None:
        """Write an order with its position, trade and cash change, all or nothing."""
        stamp = day.isoformat()
        cash = self.cash() + cash_delta
        with self._writing() as pipe:
            pipe.hset(self.key(f"orders:{stamp}"), order.orderid, order.model_dump_json())
            if self._seq is not None:
                pipe.set(self.key("seq"), self._seq)
            pipe.expire(self.key(f"orders:{stamp}"), DAY_TTL_S)
            if position is not None:
                pipe.hset(self.key("pos"), order.symbol, position.model_dump_json())
            if trade is not None:
                pipe.hset(self.key(f"trades:{stamp}"), trade.tradeid, trade.model_dump_json())
                pipe.expire(self.key(f"trades:{stamp}"), DAY_TTL_S)
            if cash_delta:
                pipe.set(self.key("cash"), str(cash))
            if used is not None:
                field = f"{order.symbol}|{used[0].isoformat()}"
                pipe.hincrby(self.key(f"used:{stamp}"), field, used[1])
                pipe.expire(self.key(f"used:{stamp}"), DAY_TTL_S)
                if self._pipe is not None:
                    self._used[field] = self.used(day, order.symbol, used[0]) + used[1]
        self._cash = cash
        if position is not None:
            self._positions = {**self.positions(), order.symbol: position}

    def settle(self, day: date, expiry: SimExpiry) -> None:
        """An option settled at expiry: its position gone (not carried into later days),
        the cash paid, all at once."""
        cash = self.cash() + expiry.value - expiry.fee
        key = self.key(f"expiries:{day.isoformat()}")
        with self._writing() as pipe:
            pipe.hdel(self.key("pos"), expiry.symbol)
            pipe.hset(key, expiry.symbol, expiry.model_dump_json())
            pipe.expire(key, DAY_TTL_S)
            pipe.set(self.key("cash"), str(cash))
        self._cash = cash
        self._positions = {s: p for s, p in self.positions().items() if s != expiry.symbol}

    def set_cursor(self, day: date, minute: datetime) -> None:
        with self._writing() as pipe:
            pipe.set(self.key(f"cursor:{day.isoformat()}"), minute.isoformat(), ex=DAY_TTL_S)


def _rolled(position: Position) -> Position:
    if isinstance(position, StockPosition):
        return position.model_copy(update={"sellable": position.quantity, "frozen": 0})
    return position.model_copy(update={"long_today": 0, "short_today": 0, "frozen_close": 0})

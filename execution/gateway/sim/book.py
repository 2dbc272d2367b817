"""The simulated broker's books in Redis (`desk:sim:{account}:...`).

Every change is one MULTI transaction, so a SIGKILL of the service never leaves an
order without its frozen cash or a trade without its position change; a `batch` (a
minute's fills, the orders of one step) is one transaction for all of its changes. Keys:
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

from exchange import classify
from execution.gateway.sim.changes import DAY_TTL_S, Changes
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


def load_position(symbol: str, raw: str | None) -> Position:
    model = FuturePosition if classify(symbol).is_derivative else StockPosition
    return model.model_validate_json(raw) if raw else _NONE[model]


_NONE: dict[type[Position], Position] = {  # frozen: one empty position serves every symbol
    StockPosition: StockPosition(), FuturePosition: FuturePosition()}


def _margin(position: Position) -> Decimal:
    return position.margin if isinstance(position, FuturePosition) else Decimal(0)


class SimBook:
    def __init__(self, client: redis.Redis, account: str, initial_cash: Decimal) -> None:
        self.client = client
        self.prefix = f"{PREFIX}:{account}"
        self.initial_cash = initial_cash
        # Write-through copies: the gateway (under its lock) is the only writer.
        self._cash: Decimal | None = None
        self._positions: dict[str, Position] | None = None
        self._margin = Decimal(0)  # held by the futures and written options in `_positions`
        self._seq: int | None = None
        self._seq_moved = False  # numbers handed out since a batch began
        # Inside `batch`: what its one transaction will write, and the shares taken from
        # bars as they will be once it runs (symbol|minute -> shares).
        self._changes: Changes | None = None
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
        """Read from memory (every submit asks): no copy of the account's positions."""
        return self._held().get(symbol) or load_position(symbol, None)

    def positions(self) -> dict[str, Position]:
        """A copy: callers may book changes while they go through it."""
        return dict(self._held())

    def margin(self) -> Decimal:
        """What the positions hold as margin (futures, written options), kept summed."""
        self._held()
        return self._margin

    def _held(self) -> dict[str, Position]:
        if self._positions is None:
            raws = self.client.hgetall(self.key("pos"))
            self._positions = {s: load_position(s, raw) for s, raw in raws.items()}
            self._margin = sum((_margin(p) for p in self._positions.values()), Decimal(0))
        return self._positions

    def _hold(self, symbol: str, position: Position | None) -> None:
        """Memory after a write (None: the position is gone), the margin sum with it."""
        held = self._held()
        before = held.pop(symbol, None)
        if before is not None:
            self._margin -= _margin(before)
        if position is not None:
            held[symbol] = position
            self._margin += _margin(position)

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
        if self._changes is None or not fields:
            return
        raws = self.client.hmget(self.key(f"used:{day.isoformat()}"), fields)
        self._used.update({f: int(r or 0) for f, r in zip(fields, raws, strict=True)})

    def next_id(self) -> int:
        """The next order / trade number; it reaches Redis with the next `save` (or the
        batch's end), which every new order and trade is part of, so no number is ever
        handed out twice to anything the broker kept or acknowledged."""
        if self._seq is None:
            self._seq = int(self.client.get(self.key("seq")) or 0)
        self._seq += 1
        self._seq_moved = True
        return self._seq

    # ---- writing ----------------------------------------------------------------
    @contextmanager
    def batch(self) -> Iterator[None]:
        """The writes inside (a minute-advance: its fills, expiries, cursor; the orders of
        one step) reach Redis in one transaction at the end, all or nothing; the caller
        pushes nothing before it is written."""
        if self._changes is not None:  # already in one
            yield
            return
        self._changes = Changes()
        try:
            yield
            self._commit(self._changes)
        except BaseException:
            self._cash, self._positions, self._seq = None, None, None  # memory ran ahead
            raise
        finally:
            self._changes, self._used = None, {}

    @contextmanager
    def _writing(self) -> Iterator[Changes]:
        """The batch's changes, or this write's own, written at once."""
        if self._changes is not None:
            yield self._changes
            return
        changes = Changes()
        yield changes
        self._commit(changes)

    def _commit(self, changes: Changes) -> None:
        """One transaction: the changes, and the order number if one was handed out."""
        if self._seq_moved and self._seq is not None:
            changes.set(self.key("seq"), str(self._seq))
        if not changes:
            return
        with self.client.pipeline(transaction=True) as pipe:
            changes.write(pipe)
            pipe.execute()
        self._seq_moved = False

    def save(self, day: date, order: SimOrder, position: Position | None = None,
             trade: SimTrade | None = None, cash_delta: Decimal = Decimal(0),
             used: tuple[datetime, int] | None = None) -> None:
        """Write an order with its position, trade and cash change, all or nothing."""
        stamp = day.isoformat()
        cash = self.cash() + cash_delta
        with self._writing() as changes:
            changes.hset(self.key(f"orders:{stamp}"), order.orderid, order.model_dump_json())
            changes.expire(self.key(f"orders:{stamp}"))
            if position is not None:
                changes.hset(self.key("pos"), order.symbol, position.model_dump_json())
            if trade is not None:
                changes.hset(self.key(f"trades:{stamp}"), trade.tradeid,
                             trade.model_dump_json())
                changes.expire(self.key(f"trades:{stamp}"))
            if cash_delta:
                changes.set(self.key("cash"), str(cash))
            if used is not None:
                field = f"{order.symbol}|{used[0].isoformat()}"
                changes.hincrby(self.key(f"used:{stamp}"), field, used[1])
                changes.expire(self.key(f"used:{stamp}"))
                if self._changes is not None:
                    self._used[field] = self.used(day, order.symbol, used[0]) + used[1]
        self._cash = cash
        if position is not None:
            self._hold(order.symbol, position)

    def settle(self, day: date, expiry: SimExpiry) -> None:
        """An option settled at expiry: its position gone (not carried into later days),
        the cash paid, all at once."""
        cash = self.cash() + expiry.value - expiry.fee
        key = self.key(f"expiries:{day.isoformat()}")
        with self._writing() as changes:
            changes.hdel(self.key("pos"), expiry.symbol)
            changes.hset(key, expiry.symbol, expiry.model_dump_json())
            changes.expire(key)
            changes.set(self.key("cash"), str(cash))
        self._cash = cash
        self._hold(expiry.symbol, None)

    def set_cursor(self, day: date, minute: datetime) -> None:
        key = self.key(f"cursor:{day.isoformat()}")
        with self._writing() as changes:
            changes.set(key, minute.isoformat())
            changes.expire(key)


def _rolled(position: Position) -> Position:
    if isinstance(position, StockPosition):
        return position.model_copy(update={"sellable": position.quantity, "frozen": 0})
    return position.model_copy(update={"long_today": 0, "short_today": 0, "frozen_close": 0})

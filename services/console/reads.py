"""What the console reads from Redis besides orders: ledger, NAV, risk state, feeds."""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any

import redis

from bus import streams
from bus.messages import AuditEntry, Envelope, InvalidMessage, NavSnapshot, decode
from exchange import contract_multiplier
from execution.worker.price_source import PRICE_SOURCES, PriceSource
from risk.state_doc import RiskStateUnreadable, read_risk_state


@dataclass(frozen=True)
class Position:
    symbol: str
    quantity: int
    sellable: int
    avg_cost: Decimal
    last: Decimal | None

    @property
    def value(self) -> Decimal | None:
        return None if self.last is None else self.last * self.quantity

    @property
    def pnl(self) -> Decimal | None:
        return None if self.last is None else (self.last - self.avg_cost) * self.quantity


@dataclass(frozen=True)
class Leg:
    """A derivative held: short IM futures (lots < 0) or long MO options (lots > 0)."""

    symbol: str
    lots: int
    avg_price: Decimal
    last: Decimal | None

    @property
    def pnl(self) -> Decimal | None:
        if self.last is None:
            return None
        return (self.last - self.avg_price) * self.lots * contract_multiplier(self.symbol)

    @property
    def value(self) -> Decimal | None:
        """What an option leg is worth at its last price (a future's is its P&L)."""
        if self.last is None or self.lots < 0:
            return None
        return self.last * self.lots * contract_multiplier(self.symbol)


@dataclass(frozen=True)
class Ledger:
    cash: Decimal
    positions: list[Position]
    futures: list[Leg]
    at: str
    options: list[Leg] = field(default_factory=list)

    @property
    def stock_value(self) -> Decimal:
        return sum((p.value or Decimal(0) for p in self.positions), Decimal(0))


class LastPrice(Decimal):
    """A last price that carries its source (prev_close, auction, last), so a page can
    say "previous close" next to it; arithmetic on it gives plain Decimals."""

    source: str

    def __new__(cls, value: str, source: str = PriceSource.LAST.value) -> LastPrice:
        price = super().__new__(cls, value)
        price.source = source
        return price

    @property
    def before_trading(self) -> bool:
        return self.source != PriceSource.LAST.value


def last_prices(client: redis.Redis, symbols: Iterable[str]) -> dict[str, Decimal]:
    """Last prices (`LastPrice`, with their source) of the symbols that have one."""
    wanted = sorted(set(symbols))
    if not wanted:
        return {}
    pipe = client.pipeline(transaction=False)
    pipe.hmget(streams.LAST_PRICES, wanted)
    pipe.hmget(PRICE_SOURCES, wanted)
    raws, sources = pipe.execute()
    return {s: LastPrice(str(p), str(src or PriceSource.LAST.value))
            for s, p, src in zip(wanted, raws, sources, strict=True) if p}


def ledger(client: redis.Redis, account: str) -> Ledger | None:
    raw = client.get(streams.LEDGER.format(account=account))
    if not raw:
        return None
    data = json.loads(str(raw))
    held = data.get("positions", {})
    prices = last_prices(client, held)
    positions = [
        Position(symbol, int(p["quantity"]), int(p.get("sellable", p["quantity"])),
                 Decimal(str(p.get("avg_cost", "0"))), prices.get(symbol))
        for symbol, p in sorted(held.items()) if int(p["quantity"])
    ]
    futures = _legs(client, data.get("futures", {}), "short", -1)
    options = _legs(client, data.get("options", {}), "long", 1)
    return Ledger(Decimal(str(data.get("cash", "0"))), positions, futures,
                  str(data.get("at", "")), options)


def _legs(client: redis.Redis, held: dict[str, Any], side: str, sign: int) -> list[Leg]:
    prices = last_prices(client, held)
    return [Leg(symbol, sign * int(h.get(side, 0)), Decimal(str(h.get("avg_price", "0"))),
                prices.get(symbol))
            for symbol, h in sorted(held.items()) if int(h.get(side, 0))]


def recent(client: redis.Redis, stream: str, count: int) -> list[Envelope]:
    """The newest `count` valid messages of a stream, newest first."""
    entries = client.xrevrange(stream, count=count)
    found = []
    for _entry_id, fields in entries:
        try:
            found.append(decode(fields))
        except InvalidMessage:
            continue  # the consumers dead-letter these; the console just skips them
    return found


def audit_entries(client: redis.Redis, count: int, *, order_id: str = "",
                  actor: str = "") -> list[AuditEntry]:
    """Newest first, optionally for one order or one actor (scans the newest 20,000)."""
    scan = count if not (order_id or actor) else max(count, 20_000)
    found: list[AuditEntry] = []
    for env in recent(client, streams.AUDIT, scan):
        entry = env.body
        if not isinstance(entry, AuditEntry):
            continue
        if (order_id and entry.order_id != order_id) or (actor and entry.actor != actor):
            continue
        found.append(entry)
        if len(found) >= count:
            break
    return found


def nav_history(client: redis.Redis, account: str, count: int = 2000) -> list[NavSnapshot]:
    """Oldest first."""
    snaps = [e.body for e in recent(client, streams.NAV, count)]
    return [s for s in reversed(snaps) if isinstance(s, NavSnapshot) and s.account == account]


def risk_state(client: redis.Redis, account: str) -> dict[str, Any]:
    """The risk state's keys for display; an unreadable document shows why."""
    key = streams.RISK_STATE.format(account=account)
    try:
        state = read_risk_state(client.get(key), key)
    except RiskStateUnreadable as exc:
        return {"unreadable": str(exc)}
    return state.public() if state else {}


def changed_fields(entry: AuditEntry) -> list[tuple[str, Any, Any]]:
    """(field, before, after) for what a transition changed, order fields flattened.

    A new order (no before) lists nothing: the whole order is in its detail page.
    """
    if entry.before is None:
        return []
    before = _flat(entry.before)
    after = _flat(entry.after or {})
    skip = {"updated_at", "revision"}
    keys = [k for k in after if k not in skip and before.get(k) != after.get(k)]
    return [(k, _short_value(before.get(k)), _short_value(after.get(k))) for k in keys]


def _short_value(value: Any) -> Any:
    """A value as a trader reads it: approvals as user@version, other lists joined."""
    if isinstance(value, list) and all(isinstance(v, dict) and "user" in v for v in value):
        return ", ".join(f"{v['user']}@v{v.get('version', '?')}" for v in value) or "none"
    if isinstance(value, list):  # e.g. the editors of an order
        return ", ".join(str(v) for v in value) or "none"
    return value


def _flat(record: dict[str, Any]) -> dict[str, Any]:
    order = record.get("order", {})
    rest = {k: v for k, v in record.items() if k != "order"}
    return {**{f"order.{k}": v for k, v in order.items()}, **rest}


def stamp(at: datetime | str) -> str:
    return at.strftime("%m-%d %H:%M:%S") if isinstance(at, datetime) else str(at)

"""Fills, each applied exactly once: ledger, child, parent, events.

A fill is identified by the broker's trade id. Its first sighting, in one MULTI, adds
the id to FILLS_APPLIED, moves the ledger, updates the child, appends to the parent's
fill journal and publishes the fill and ledger events; a batch of gateway events puts
all its trades in that one MULTI (the ledger read once, with WATCH, and written once per
trade in it). A replay of the same trade
(after a restart or a reconnect) finds the id and does nothing. The parent's record in
the approval queue then catches up with the journal (`sync_parent`): its filled
quantity says how many journal entries it already has, so a crash between the two
writes is repaired on the next sync, never doubled.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

import redis
from loguru import logger

from bus import streams
from bus.bus import publish
from bus.messages import FillEvent, LedgerUpdate
from exchange import (
    CommissionConfig,
    classify,
    contract_multiplier,
    fees,
    future_fee,
    option_fee,
)
from execution.approval.lifecycle import Action, Fill, IllegalTransition
from execution.approval.queue import OrderQueue
from execution.approval.watched import watched_reads
from execution.ledger import Ledger
from execution.worker.children import ChildOrder, ChildState
from execution.worker.keys import DAY_TTL_S, FILL_JOURNAL, account_suffix
from marketdata.clock import Clock
from orders.order import OrderRecord

SOURCE = "execution"


def fill_fees(child: ChildOrder, offset: str, quantity: int, price: Decimal,
              commission: CommissionConfig) -> Decimal:
    """The desk's estimate of a fill's fees (the broker's statement is the final word)."""
    if classify(child.symbol).is_future:
        kind = offset if offset in ("open", "close_today") else "close"
        return future_fee(child.symbol, kind, quantity, price, child.trade_date)
    if classify(child.symbol).is_option:  # CFFEX's per-lot fee, open or close
        return option_fee(quantity, child.trade_date)
    return fees(child.symbol, child.side, quantity, price, child.trade_date, commission).total


def multiplier(symbol: str) -> int:
    return contract_multiplier(symbol)


class FillBook:
    def __init__(self, client: redis.Redis, queue: OrderQueue, clock: Clock, account: str,
                 initial_cash: Decimal) -> None:
        self.client, self.queue, self.clock = client, queue, clock
        self.account, self.initial_cash = account, initial_cash
        self.key = streams.LEDGER.format(account=account)
        # Broker trade ids are unique within one account only (`keys.account_suffix`).
        self.applied = streams.FILLS_APPLIED + account_suffix(account, queue.account)

    def ledger(self) -> Ledger:
        return self._ledger_of(self.client.get(self.key))

    def ensure_ledger(self) -> Ledger:
        """Write today's ledger (creating or rolling it) and return it."""
        ledger = self.ledger()
        self.client.set(self.key, ledger.to_json())
        return ledger

    def apply(self, trade_id: str, child: ChildOrder, quantity: int, price: Decimal,
              fee: Decimal, offset: str, at: datetime) -> ChildOrder | None:
        """Apply one trade; the updated child, or None if this trade id was applied before."""
        trade = Trade(trade_id, child.reference, quantity, price, fee, offset, at)
        done = self.apply_all([trade], {child.reference: child}.__getitem__, sync=False)
        self.sync_parent(child.order_id)
        return done[0][1] if done else None

    def apply_all(self, trades: list[Trade], child_of: Callable[[str], ChildOrder], *,
                  sync: bool = True) -> list[tuple[Trade, ChildOrder]]:
        """Apply a batch of trades in one transaction (WATCH with the ledger and dedupe
        reads, then one MULTI: two round trips however many trades): each trade not
        applied before, with its child as it is then (`child_of` gives a child as it was
        before the batch). Then the parents catch up with their journals (`sync`)."""
        if not trades:
            return []
        while True:
            with self.client.pipeline(transaction=True) as pipe:
                try:
                    raw, applied = watched_reads(pipe, [self.key, self.applied], [
                        ("GET", self.key),
                        ("SMISMEMBER", self.applied, *[t.trade_id for t in trades])])
                    pipe.multi()
                    done = self._stage(pipe, self._ledger_of(raw), trades, applied, child_of)
                    if done:
                        pipe.execute()
                    break
                except redis.WatchError:  # the ledger moved under us (EOD, corporate): again
                    continue
        if sync and done:
            self.sync_parents(list(dict.fromkeys(c.order_id for _, c in done)))
        return done

    def _ledger_of(self, raw: str | None) -> Ledger:
        now = self.clock.now()
        if not raw:
            return Ledger(self.account, self.initial_cash, now)
        return Ledger.from_json(raw).rolled(now.date())

    def _stage(self, pipe: Any, ledger: Ledger, trades: list[Trade], applied: list[Any],
               child_of: Callable[[str], ChildOrder]) -> list[tuple[Trade, ChildOrder]]:
        """Stage each new trade's writes; a trade id twice in the batch counts once."""
        done: list[tuple[Trade, ChildOrder]] = []
        children: dict[str, ChildOrder] = {}
        taken: set[str] = set()
        for trade, before in zip(trades, applied, strict=True):
            if int(before) or trade.trade_id in taken:
                continue
            taken.add(trade.trade_id)
            child = children.get(trade.reference) or child_of(trade.reference)
            ledger = ledger.apply(child.symbol, child.side, trade.quantity, trade.price,
                                  trade.fee, trade.at)
            updated = _filled(child, trade)
            children[trade.reference] = updated
            self._stage_one(pipe, ledger, trade, updated)
            done.append((trade, updated))
        return done

    def _stage_one(self, pipe: Any, ledger: Ledger, trade: Trade, child: ChildOrder) -> None:
        event = FillEvent(trade_id=trade.trade_id, order_id=child.order_id,
                          reference=child.reference, symbol=child.symbol, side=child.side,
                          offset=trade.offset, quantity=trade.quantity, price=trade.price,
                          fees=trade.fee, at=trade.at, account=self.account)
        journal = FILL_JOURNAL.format(order_id=child.order_id)
        entry = {"trade_id": trade.trade_id, "quantity": trade.quantity, "fees": str(trade.fee),
                 "value": str(trade.price * trade.quantity * multiplier(child.symbol))}
        pipe.sadd(self.applied, trade.trade_id)
        pipe.set(self.key, ledger.to_json())
        pipe.set(streams.CHILD.format(reference=child.reference), child.model_dump_json(),
                 ex=DAY_TTL_S)
        pipe.rpush(journal, json.dumps(entry))
        pipe.expire(journal, DAY_TTL_S)
        pipe.hset(streams.LAST_PRICES, child.symbol, str(trade.price))
        publish(pipe, streams.EVENTS, "fill", event, source=SOURCE, ts=trade.at)
        publish(pipe, streams.EVENTS, "ledger", ledger_update(ledger), source=SOURCE, ts=trade.at)

    def sync_parent(self, order_id: str) -> OrderRecord | None:
        """Bring the parent's filled quantity up to its journal; returns the record."""
        return self.sync_parents([order_id]).get(order_id)

    def sync_parents(self, order_ids: list[str]) -> dict[str, OrderRecord]:
        """Bring each parent's filled quantity up to its journal (their records and
        journals read in one round trip); the records, as they are after."""
        if not order_ids:
            return {}
        with self.client.pipeline(transaction=False) as pipe:
            pipe.mget(_order_keys(order_ids))
            for order_id in order_ids:
                pipe.lrange(FILL_JOURNAL.format(order_id=order_id), 0, -1)
            raws, *journals = pipe.execute()
        out = {}
        for order_id, raw, journal in zip(order_ids, raws, journals, strict=True):
            if raw:
                out[order_id] = self._catch_up(OrderRecord.from_json(raw), journal)
        return out

    def records(self, order_ids: list[str]) -> dict[str, OrderRecord]:
        """The parents' records as the approval queue keeps them, in one round trip."""
        raws = self.client.mget(_order_keys(order_ids)) if order_ids else []
        return {i: OrderRecord.from_json(r) for i, r in zip(order_ids, raws, strict=True) if r}

    def _catch_up(self, record: OrderRecord, journal: list[str]) -> OrderRecord:
        order_id, seen = record.order_id, 0
        for raw in journal:
            entry = json.loads(raw)
            seen += int(entry["quantity"])
            if seen <= record.filled_quantity:
                continue
            fill = Fill(int(entry["quantity"]), Decimal(entry["value"]), Decimal(entry["fees"]))
            try:
                record = self.queue.apply(order_id, Action.FILL, actor=SOURCE, fill=fill,
                                          reason=f"trade {entry['trade_id']}")
            except IllegalTransition as exc:  # e.g. being re-approved after an edit
                logger.warning("fill of {} waits in its journal: {}", order_id, exc)
                break
        return record


@dataclass(frozen=True)
class Trade:
    """A broker's trade as the fill book applies it, naming its child by reference."""

    trade_id: str
    reference: str
    quantity: int
    price: Decimal
    fee: Decimal
    offset: str
    at: datetime


def _order_keys(order_ids: list[str]) -> list[str]:
    return [streams.ORDER.format(order_id=i) for i in order_ids]


def _filled(child: ChildOrder, trade: Trade) -> ChildOrder:
    filled = child.filled + trade.quantity
    state = ChildState.FILLED if filled >= child.quantity else child.state
    return child.model_copy(update={"filled": filled, "state": state, "updated_at": trade.at,
                                    "reported": max(child.reported, filled)})


def ledger_update(ledger: Ledger) -> LedgerUpdate:
    data = ledger.to_dict()
    positions = {**data["positions"], **data["futures"], **data["options"]}
    return LedgerUpdate(account=ledger.account, cash=ledger.cash, positions=positions,
                        at=ledger.at)

"""Fills, each applied exactly once: ledger, child, parent, events.

A fill is identified by the broker's trade id. Its first sighting, in one MULTI, adds
the id to FILLS_APPLIED, moves the ledger, updates the child, appends to the parent's
fill journal and publishes the fill and ledger events. A replay of the same trade
(after a restart or a reconnect) finds the id and does nothing. The parent's record in
the approval queue then catches up with the journal (`sync_parent`): its filled
quantity says how many journal entries it already has, so a crash between the two
writes is repaired on the next sync, never doubled.
"""

from __future__ import annotations

import json
from datetime import datetime
from decimal import Decimal

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
from execution.ledger import Ledger
from execution.worker.children import ChildOrder, ChildState
from execution.worker.keys import DAY_TTL_S, FILL_JOURNAL
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

    def ledger(self) -> Ledger:
        raw = self.client.get(self.key)
        now = self.clock.now()
        if not raw:
            return Ledger(self.account, self.initial_cash, now)
        return Ledger.from_json(raw).rolled(now.date())

    def ensure_ledger(self) -> Ledger:
        """Write today's ledger (creating or rolling it) and return it."""
        ledger = self.ledger()
        self.client.set(self.key, ledger.to_json())
        return ledger

    def apply(self, trade_id: str, child: ChildOrder, quantity: int, price: Decimal,
              fee: Decimal, offset: str, at: datetime) -> ChildOrder | None:
        """Apply one trade; the updated child, or None if this trade id was applied before."""
        if self.client.sismember(streams.FILLS_APPLIED, trade_id):
            return None
        ledger = self.ledger().apply(child.symbol, child.side, quantity, price, fee, at)
        filled = child.filled + quantity
        state = ChildState.FILLED if filled >= child.quantity else child.state
        updated = child.model_copy(update={"filled": filled, "state": state, "updated_at": at,
                                           "reported": max(child.reported, filled)})
        event = FillEvent(trade_id=trade_id, order_id=child.order_id, reference=child.reference,
                          symbol=child.symbol, side=child.side, offset=offset, quantity=quantity,
                          price=price, fees=fee, at=at, account=self.account)
        journal = FILL_JOURNAL.format(order_id=child.order_id)
        entry = {"trade_id": trade_id, "quantity": quantity, "fees": str(fee),
                 "value": str(price * quantity * multiplier(child.symbol))}
        with self.client.pipeline(transaction=True) as pipe:
            pipe.sadd(streams.FILLS_APPLIED, trade_id)
            pipe.set(self.key, ledger.to_json())
            pipe.set(streams.CHILD.format(reference=child.reference), updated.model_dump_json(),
                     ex=DAY_TTL_S)
            pipe.rpush(journal, json.dumps(entry))
            pipe.expire(journal, DAY_TTL_S)
            pipe.hset(streams.LAST_PRICES, child.symbol, str(price))
            publish(pipe, streams.EVENTS, "fill", event, source=SOURCE, ts=at)
            publish(pipe, streams.EVENTS, "ledger", ledger_update(ledger), source=SOURCE, ts=at)
            pipe.execute()
        self.sync_parent(child.order_id)
        return updated

    def sync_parent(self, order_id: str) -> OrderRecord | None:
        """Bring the parent's filled quantity up to its journal; returns the record."""
        record = self.queue.get(order_id)
        if record is None:
            return None
        journal = self.client.lrange(FILL_JOURNAL.format(order_id=order_id), 0, -1)
        seen = 0
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


def ledger_update(ledger: Ledger) -> LedgerUpdate:
    data = ledger.to_dict()
    positions = {**data["positions"], **data["futures"], **data["options"]}
    return LedgerUpdate(account=ledger.account, cash=ledger.cash, positions=positions,
                        at=ledger.at)

"""The desk's side of the day, read from Redis: ledger, order records, fills, children."""

from __future__ import annotations

import json
from datetime import date, datetime
from decimal import Decimal, InvalidOperation

import redis

from bus import streams
from errors import StopTrading
from execution.approval.queue import OrderQueue
from execution.eod.views import DeskDay, DeskFill
from execution.ledger import Ledger
from execution.worker.children import ChildStore
from execution.worker.keys import FILL_JOURNAL, VT_ORDERS
from orders.order import OrderRecord


class DeskBooksUnreadable(ValueError, StopTrading):
    """A key of the desk's books is malformed; the message names the key."""


def load_desk_day(client: redis.Redis, queue: OrderQueue, account: str, day: date,
                  initial_cash: Decimal, now: datetime) -> DeskDay:
    """The ledger now, and the day's orders with their fills and child orders.

    No ledger yet (nothing ever traded) reads as the initial cash and no positions,
    as the execution service itself starts.
    """
    # This account's orders only: another product's fills are its own day's.
    records = [r for r in queue.list_orders(day) if queue.account_of(r.order) == account]
    fills = [fill for record in records for fill in _journal(client, record.order_id)]
    return DeskDay(day=day, account=account, ledger=_ledger(client, account, initial_cash, now),
                   records=records, fills=fills, parent_of=_parents(client, records, day))


def _ledger(client: redis.Redis, account: str, initial_cash: Decimal, now: datetime) -> Ledger:
    key = streams.LEDGER.format(account=account)
    raw = client.get(key)
    if raw is None:
        return Ledger(account, initial_cash, now)
    try:
        return Ledger.from_json(str(raw))
    except ValueError as exc:
        raise DeskBooksUnreadable(f"{key}: {exc}") from exc


def _journal(client: redis.Redis, order_id: str) -> list[DeskFill]:
    key = FILL_JOURNAL.format(order_id=order_id)
    return journal_fills(order_id, client.lrange(key, 0, -1))  # type: ignore[arg-type]


def journal_fills(order_id: str, raws: list[str]) -> list[DeskFill]:
    """The fills of a parent's journal (`FILL_JOURNAL`, read by the caller)."""
    key = FILL_JOURNAL.format(order_id=order_id)
    out = []
    for number, raw in enumerate(raws):
        try:
            entry = json.loads(raw)
            out.append(DeskFill(trade_id=str(entry["trade_id"]), order_id=order_id,
                                quantity=int(entry["quantity"]), value=Decimal(entry["value"]),
                                fees=Decimal(entry["fees"])))
        except (ValueError, KeyError, TypeError, InvalidOperation) as exc:
            raise DeskBooksUnreadable(f"{key}[{number}]: not a fill ({exc!r}): {raw[:200]}") \
                from exc
    return out


def _parents(client: redis.Redis, records: list[OrderRecord], day: date) -> dict[str, str]:
    """Child reference and broker order id -> parent order id."""
    store = ChildStore(client)
    out: dict[str, str] = {}
    for record in records:
        for child in store.children(record.order_id):
            out[child.reference] = child.order_id
            if child.vt_orderid:
                out[child.vt_orderid] = child.order_id
    # Real gateways do not echo the reference: the desk kept broker id -> reference.
    linked: dict[str, str] = client.hgetall(  # type: ignore[assignment]
        VT_ORDERS.format(trade_date=day.isoformat()))
    for vt_orderid, reference in linked.items():
        if reference in out:
            out.setdefault(vt_orderid, out[reference])
    return out

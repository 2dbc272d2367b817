"""MO options expiring today leave the desk's ledger at the end of day, as they leave the
broker's books at the close: worthless out of the money, cash settled in the money
(`Ledger.expire_options`). The desk settles at the CSI 1000 close (the store's, else
the last price); CFFEX settles at the index's average over the last two hours, so with a
real broker a small cash break remains until the statement is booked by hand.

Run before the reconciliation, so it compares the books after the expiry with the
broker's. Booking twice changes nothing: an option settled is no longer held.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

import redis
from loguru import logger

from bus import streams
from bus.bus import publish
from bus.messages import LedgerUpdate
from exchange import TradingDays
from execution.ledger import Ledger, OptionExpiry

SOURCE = "eod"
CENT = Decimal("0.01")


def book_option_expiries(client: redis.Redis, account: str, day: date,
                         settlement: Decimal | None, at: datetime,
                         calendar: TradingDays | None = None) -> list[OptionExpiry]:
    """Settle the ledger's options expiring on `day`; nothing without a settlement price
    (they stay held, and the reconciliation shows the broker's difference)."""
    key = streams.LEDGER.format(account=account)
    with client.pipeline(transaction=True) as pipe:
        pipe.watch(key)  # a fill landing meanwhile makes this fail rather than lose it
        raw = pipe.get(key)
        if raw is None or settlement is None:
            return []
        ledger, expiries = Ledger.from_json(str(raw)).expire_options(
            day, settlement.quantize(CENT), at, calendar)
        if not expiries:
            return []
        pipe.multi()
        pipe.set(key, ledger.to_json())
        publish(pipe, streams.EVENTS, "ledger", _update(ledger), source=SOURCE, ts=at)
        pipe.execute()
    for e in expiries:
        logger.info("{} {} lots expired at {}: paid {}, exercise fee {}", e.symbol, e.lots,
                    e.settlement, e.value, e.fee)
    return expiries


def _update(ledger: Ledger) -> LedgerUpdate:
    data = ledger.to_dict()
    positions = {**data["positions"], **data["futures"], **data["options"]}
    return LedgerUpdate(account=ledger.account, cash=ledger.cash, positions=positions,
                        at=ledger.at)

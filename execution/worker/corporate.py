"""The broker's corporate actions booked into the desk's ledger, each exactly once.

When the desk starts a trading day its gateways have connected, and the simulated broker
has opened the day (`SimBook.open_day`): new shares credited, dividends paid net of the
holding-period tax. Its statement (`SimBook.corporate_events`, kept ten days) is booked
into the ledger line by line (`Ledger.book_corporate`); each line's id goes into
`CORPORATE_BOOKED` in the same MULTI as the ledger, under WATCH, so a restart, or a
fill landing meanwhile, never books a line twice nor loses one. The broker's dividends
entitled to and not yet paid (ex-date to pay date) replace the ledger's `receivables`:
they are the broker's figures, counted in the NAV. The ledger's `corporate_day` says the
day's statement is taken: until then the risk daemon values a stock going ex at its
cum-rights close, matching the shares and cash the ledger still holds.

A real broker has no such statement through vnpy: a corporate action shows as positions
in its replay that differ from the ledger. The desk then books nothing (it does not
invent the broker's figures): it raises a warning naming each difference, for a person
to book from the broker's statement; a dividend shows as a cash break at the end of day.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

import redis

from bus import streams
from bus.bus import publish
from exchange import classify
from execution.gateway.convert import whole
from execution.gateway.sim.corporate import CorporateEvent
from execution.gateway.sim.gateway import SimGateway
from execution.ledger import Ledger
from execution.worker.fills import FillBook, ledger_update

SOURCE = "execution"
CORPORATE_BOOKED = f"{streams.PREFIX}:ledger:corporate:{{account}}"  # set of line ids
LOOKBACK_DAYS = 10  # the simulated broker keeps each day's statement this long
BOOKED_TTL_S = 30 * 24 * 3600  # longer than any statement it could match

Alert = Callable[[str, str, str], None]  # severity, title, detail


@dataclass(frozen=True)
class Statement:
    """What the broker booked for corporate actions, and what it still owes."""

    events: list[CorporateEvent]
    receivables: dict[str, Decimal]  # symbol|ex-date -> net cash entitled, not yet paid


def line_id(event: CorporateEvent) -> str:
    return f"{event.symbol}|{event.ex_date.isoformat()}|{event.day.isoformat()}"


def sim_statement(gateway: Any, day: date) -> Statement | None:
    """The simulated broker's statement over the last days; None for any other gateway."""
    if not isinstance(gateway, SimGateway) or gateway.exchange is None:
        return None
    book = gateway.exchange.book
    days = [day - timedelta(days=n) for n in range(LOOKBACK_DAYS, -1, -1)]
    events = [e for d in days for e in book.corporate_events(d)]
    due = {k: e.net_cash for k, e in book.entitlements().items() if not e.paid and e.net_cash}
    return Statement(events, due)


def book_statement(client: redis.Redis, fills: FillBook, statement: Statement, day: date,
                   at: datetime) -> list[CorporateEvent]:
    """Book the lines not booked before and take the receivables, the ledger marked as
    having taken `day`'s statement; the lines booked now."""
    booked_key = CORPORATE_BOOKED.format(account=fills.account)
    while True:
        with client.pipeline(transaction=True) as pipe:
            try:
                pipe.watch(fills.key, booked_key)
                done: set[str] = pipe.smembers(booked_key)  # type: ignore[assignment]
                new = [e for e in statement.events if line_id(e) not in done]
                before = fills.ledger()
                ledger = _booked(before, new, at).with_receivables(statement.receivables, day,
                                                                   at)
                if not new and (ledger.receivables, ledger.corporate_day) == (
                        before.receivables, before.corporate_day):
                    return []
                pipe.multi()
                pipe.set(fills.key, ledger.to_json())
                if new:
                    pipe.sadd(booked_key, *(line_id(e) for e in new))
                    pipe.expire(booked_key, BOOKED_TTL_S)
                publish(pipe, streams.EVENTS, "ledger", ledger_update(ledger), source=SOURCE,
                        ts=at)
                pipe.execute()
                return new
            except redis.WatchError:
                continue  # the ledger moved (a fill): read it again


def _booked(ledger: Ledger, events: Iterable[CorporateEvent], at: datetime) -> Ledger:
    for event in events:
        ledger = ledger.book_corporate(event.symbol, event.cash, event.shares, at)
    return ledger


def describe(events: Iterable[CorporateEvent]) -> str:
    return "; ".join(f"{e.symbol} ex {e.ex_date}: +{e.shares} shares, cash {e.cash:+} "
                     f"(tax {e.tax})" for e in events)


def replay_differences(ledger: Ledger, main_engine: Any, gateways: Collection[str]) -> list[str]:
    """Stocks whose quantity in a real broker's replay differs from the ledger's."""
    held: dict[str, int] = {}
    for item in main_engine.get_all_positions():
        if item.gateway_name in gateways and not classify(item.vt_symbol).is_derivative:
            volume = whole(item.volume, f"position {item.vt_positionid} volume")
            held[item.vt_symbol] = held.get(item.vt_symbol, 0) + volume
    ours = {s: h.quantity for s, h in ledger.positions.items()}
    return [f"{s}: ledger {ours.get(s, 0)}, broker {held.get(s, 0)}"
            for s in sorted(set(ours) | set(held)) if ours.get(s, 0) != held.get(s, 0)]


class DeskCorporate:
    """The desk's start-of-day hook: book the simulated broker's statement, or compare a
    real broker's replay with the ledger and alert what differs."""

    def __init__(self, client: redis.Redis, fills: FillBook, alert: Alert) -> None:
        self.client, self.fills, self.alert = client, fills, alert

    def book(self, gateway: Any, day: date, at: datetime) -> list[CorporateEvent]:
        """Book the simulated broker's statement; a real broker's day is marked taken with
        nothing booked (its differences are alerted after its replay, `check_replay`). A
        statement that cannot be read or booked is a critical alert, the day not taken:
        the desk still starts."""
        known = self.fills.ledger().receivables
        try:
            statement = sim_statement(gateway, day) or Statement([], known)
            booked = book_statement(self.client, self.fills, statement, day, at)
        except ValueError as exc:  # a statement line that cannot be read or booked
            self.alert("critical", "corporate statement not booked into the ledger",
                       f"{exc!r}"[:500] + "; the risk daemon values the stocks going ex at "
                       "their cum-rights close, the end of day shows the breaks")
            return []
        if booked:
            self.alert("info", f"{len(booked)} corporate action line(s) booked into the ledger",
                       describe(booked))
        return booked

    def check_replay(self, gateway: Any, main_engine: Any, name: str) -> list[str]:
        if isinstance(gateway, SimGateway):
            return []
        differences = replay_differences(self.fills.ledger(), main_engine, [name])
        if differences:
            self.alert("warning", "broker positions differ from the ledger at the start",
                       "a corporate action or a trade outside the desk? Nothing is booked; "
                       "book it from the broker's statement: " + "; ".join(differences[:20]))
        return differences

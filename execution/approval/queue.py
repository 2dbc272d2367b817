"""The approval queue: order records in Redis, changed only through the lifecycle.

Each change is one optimistic transaction (WATCH/MULTI, the WATCH sent with the
reads the decision needs: `watched`): the new record, its audit
entry, the order event for live views and — for an approval, rejection or edit — the
`decision` naming the order and version all land together or not at all. The
decision only rings the execution service's bell: it works the stored record, and
only when that record is approved and audited (`work_check`), so no message can
carry an order to the broker, and no approval is lost between the decision and the
bell. `apply_many` does the same for a whole
selection in one transaction (bulk approve / reject). Two policy gates live here so
that people and automatic rules both pass them: four eyes (`approvals_needed`, again
for each edited version) and price re-confirmation (`NeedsReconfirmation`).

An approval needs the order's last price, keyed by its symbol, which is in the record:
the queue remembers the symbol of each order it has read (a symbol is never edited),
so an approval of an order this process has shown reads the price with the record;
otherwise one round trip more.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from decimal import Decimal
from typing import Any

import redis

from bus import streams
from bus.bus import publish
from bus.messages import AuditEntry, Decision, ExecControl, ExecHalt, OrderEvent
from errors import Refused
from execution.approval.gates import halt_refusal, maker_refusal, with_editor
from execution.approval.lifecycle import Action, Fill, IllegalTransition, transition
from execution.approval.policy_config import ApprovalConfig
from execution.approval.risk_gate import AccountStances, RiskStance, stance_key, stance_of
from execution.approval.watched import watched_reads
from marketdata.clock import Clock
from orders.order import LIVE_STATES, Order, OrderRecord, OrderState

SOURCE = "queue"
DECISION_ACTIONS = frozenset({Action.APPROVE, Action.REJECT, Action.EDIT})
KEEP_SYMBOLS = 100_000  # orders whose symbol is remembered (a day has a few thousand)


class UnknownOrder(KeyError, Refused):
    """No order with that id."""


class BatchLocked(Refused):
    """A batch for that trade date already has approved orders; it cannot be replaced."""


class NeedsReconfirmation(IllegalTransition):
    """The price moved past the policy's threshold since the batch: confirm it again."""


@dataclass
class BulkResult:
    """What one bulk action changed, and why the rest was refused (order id -> reason)."""

    changed: list[OrderRecord] = field(default_factory=list)
    refused: dict[str, str] = field(default_factory=dict)


class ChangedSinceShown(Refused):
    """A bulk action named orders at versions they no longer have: nothing was done."""

    def __init__(self, changed: dict[str, str]) -> None:
        self.changed = changed
        listed = "; ".join(f"{k}: {v}" for k, v in changed.items())
        super().__init__(f"{len(changed)} order(s) changed since the page was shown, nothing "
                         f"was done: {listed}")


@dataclass(frozen=True)
class _Read:
    """What a change is decided on, read in the round trip that WATCHes the records."""

    befores: dict[str, OrderRecord]
    halted: str | None
    prices: dict[str, Decimal]
    stance: AccountStances | RiskStance


@dataclass(frozen=True)
class WatchedStart:
    """What a START is decided on when its reads went out elsewhere (the decision
    consumer's packet, `bus.Prefetching.watch`): the pipeline WATCHing
    `OrderQueue.start_watch`, the record read after that WATCH, and the reply to
    `OrderQueue.start_reads`."""

    pipe: Any
    before: OrderRecord
    read: Sequence[Any]


@dataclass(frozen=True)
class _Change:
    action: Action
    actor: str
    reason: str
    confirmed_move: bool
    completes_approval: bool
    halted: str | None = None  # the halt key's text, read inside the transaction


class OrderQueue:
    """Reads and changes order records; every change is audited."""

    def __init__(
        self, client: redis.Redis, clock: Clock, policy: ApprovalConfig | None = None,
        account: str = "paper", four_eyes: Mapping[str, Decimal | None] | None = None,
    ) -> None:
        self.client = client
        self.clock = clock
        self.policy = policy or ApprovalConfig()
        self.account = account  # the default: an order without an account is its
        # Every account's four-eyes threshold (services/accounts.py); one account by default.
        self.four_eyes = dict(four_eyes or {account: self.policy.four_eyes_above})
        self._symbols: dict[str, str] = {}  # order id -> symbol (never edited)

    # ---- reading ---------------------------------------------------------------
    def get(self, order_id: str) -> OrderRecord | None:
        raw = self.client.get(streams.ORDER.format(order_id=order_id))
        return self._seen(OrderRecord.from_json(raw)) if raw else None

    def require(self, order_id: str) -> OrderRecord:
        record = self.get(order_id)
        if record is None:
            raise UnknownOrder(f"no order {order_id!r}")
        return record

    def list_orders(
        self, trade_date: date | None = None, states: Iterable[OrderState] | None = None
    ) -> list[OrderRecord]:
        day = trade_date or self.current_trade_date()
        if day is None:
            return []
        ids = self.client.zrange(streams.ORDERS_BY_DATE.format(trade_date=day.isoformat()), 0, -1)
        raws = self.client.mget([streams.ORDER.format(order_id=i) for i in ids]) if ids else []
        records = [self._seen(OrderRecord.from_json(r)) for r in raws if r]
        wanted = set(states) if states is not None else None
        return [r for r in records if wanted is None or r.state in wanted]

    def current_trade_date(self) -> date | None:
        raw = self.client.get(streams.CURRENT_BATCH)
        return date.fromisoformat(raw) if raw else None

    def batch_locked(self, trade_date: date) -> str | None:
        """Why a new batch for this date may not replace the old one, or None."""
        for record in self.list_orders(trade_date):
            if record.order.created_by == "model" and record.approvals:
                return (
                    f"batch for {trade_date} already has approved order {record.order_id} "
                    f"({record.state.value}); reject or cancel its orders first"
                )
        return None

    # ---- changing --------------------------------------------------------------
    def ingest(self, order: Order, *, actor: str) -> OrderRecord:
        """Add an order pending approval; adding the same order id again is a no-op."""
        key = streams.ORDER.format(order_id=order.order_id)
        needed = self._approvals_needed(order)
        now = self.clock.now()
        record = OrderRecord(
            order=order, state=OrderState.PENDING_APPROVAL, approvals_needed=needed, updated_at=now
        )
        with self.client.pipeline(transaction=True) as pipe:
            existing, = watched_reads(pipe, [key], [("GET", key)])
            if existing:
                return self._seen(OrderRecord.from_json(existing))
            pipe.multi()
            pipe.set(key, record.to_json())
            day_key = streams.ORDERS_BY_DATE.format(trade_date=order.trade_date.isoformat())
            pipe.zadd(day_key, {order.order_id: _sort_key(order)})
            self._audit(pipe, record, "submit", actor, order.reason, None, record)
            self._event(pipe, record, "submitted")
            pipe.execute()
        return self._seen(record)

    def apply(
        self,
        order_id: str,
        action: Action,
        *,
        actor: str,
        reason: str = "",
        fill: Fill | None = None,
        edit: dict[str, Any] | None = None,
        confirmed_move: bool = False,
        completes_approval: bool = False,
    ) -> OrderRecord:
        """Apply one lifecycle action atomically; raises IllegalTransition with the reason.

        An approval of an order whose price moved past the policy's threshold since
        the batch raises NeedsReconfirmation unless `confirmed_move` is set.
        """
        change = _Change(action, actor, reason, confirmed_move, completes_approval)
        return self._apply(order_id, change, fill, edit, ())[0]

    def start(self, order_id: str, *, actor: str, reason: str,
              reads: Sequence[tuple[Any, ...]] = (), watched: WatchedStart | None = None,
              also: Callable[[OrderRecord], Sequence[tuple[Any, ...]]] | None = None,
              ) -> tuple[OrderRecord, list[Any]]:
        """START (the execution service took the order), with `reads` run in the same
        transaction after its writes; their replies come with it, in the same round trip,
        and see the state the START made.

        `watched`: decided on what was read under that WATCH (no read here), in one try:
        a watched key changed since raises `redis.WatchError` (the caller reads again).
        `also(after)`: more writes for the same MULTI/EXEC (the first child's record),
        given the started record."""
        change = _Change(Action.START, actor, reason, False, False)
        if watched is None:
            return self._apply(order_id, change, None, None, reads)
        before = watched.before
        if before.order_id != order_id:
            raise UnknownOrder(f"watched read of {before.order_id!r}, not {order_id!r}")
        change = replace(change, halted=_text(watched.read[0]))
        after = self._decide(before, change, {}, RiskStance())
        more = list(also(after)) if also is not None else []
        pipe = watched.pipe
        pipe.multi()
        self._stage(pipe, before, after, change)
        for command in [*more, *reads]:
            pipe.execute_command(*command)
        replies = pipe.execute()
        return self._seen(after), replies[len(replies) - len(reads):]

    @staticmethod
    def start_watch(order_id: str) -> list[str]:
        """What a START watches: the record (read with the work check's reads) and the halt."""
        return [streams.ORDER.format(order_id=order_id), streams.HALT]

    @staticmethod
    def start_reads(order_id: str) -> list[tuple[Any, ...]]:
        """What a START reads besides the record, under `start_watch`: the halt."""
        return [("GET", streams.HALT)]

    def _apply(self, order_id: str, change: _Change, fill: Fill | None,
               edit: dict[str, Any] | None, reads: Sequence[tuple[Any, ...]],
               ) -> tuple[OrderRecord, list[Any]]:
        while True:
            with self.client.pipeline(transaction=True) as pipe:
                try:
                    read = self._read(pipe, [order_id], priced=change.action is Action.APPROVE)
                    before = read.befores.get(order_id)
                    if before is None:
                        raise UnknownOrder(f"no order {order_id!r}")
                    change = replace(change, halted=read.halted)
                    after = self._decide(before, change, read.prices, read.stance, fill=fill,
                                         edit=edit)
                    pipe.multi()
                    self._stage(pipe, before, after, change)
                    for command in reads:
                        pipe.execute_command(*command)
                    replies = pipe.execute()
                    return after, replies[len(replies) - len(reads):]
                except redis.WatchError:
                    continue

    def apply_many(
        self,
        order_ids: Sequence[str],
        action: Action,
        *,
        actor: str,
        reason: str = "",
        confirmed_move: bool = False,
        seen_versions: dict[str, int] | None = None,
    ) -> BulkResult:
        """Approve, reject or expire many orders in one transaction.

        Orders the action cannot apply to are left unchanged and listed in
        `refused` with the reason; the others change together or not at all.
        `seen_versions` (order id -> the version the trader saw): if any order is
        missing or at another version, nothing changes (`ChangedSinceShown`).
        """
        ids = list(dict.fromkeys(order_ids))
        while True:
            with self.client.pipeline(transaction=True) as pipe:
                try:
                    read = self._read(pipe, ids, priced=True)
                    if seen_versions is not None:
                        _check_seen(ids, read.befores, seen_versions)
                    change = _Change(action, actor, reason, confirmed_move, False, read.halted)
                    result = BulkResult()
                    pipe.multi()
                    for oid in ids:
                        self._stage_one(pipe, read.befores.get(oid), oid, change, read.prices,
                                        read.stance, result)
                    pipe.execute()
                    return result
                except redis.WatchError:
                    continue

    def request_control(self, order_id: str, command: str, *, actor: str, reason: str = "") -> str:
        """Pause, resume or cancel. Live orders go through the execution service, which
        stops the child orders at the broker first; others change here at once."""
        record = self.require(order_id)
        if record.state in LIVE_STATES:
            allowed = {"pause", "resume", "cancel", "amend"}
            if command not in allowed:
                raise IllegalTransition(f"unknown command {command!r}")
            publish(self.client, streams.CONTROLS, "exec.control",
                    ExecControl(order_id=order_id, command=command, user=actor, reason=reason),
                    source=SOURCE, ts=self.clock.now())
            return f"{command} of {order_id} sent to the execution service"
        if command != "cancel":
            raise IllegalTransition(
                f"order {order_id} is {record.state.value}: only a working order can {command}"
            )
        self.apply(order_id, Action.CANCEL, actor=actor, reason=reason or "cancelled")
        return f"{order_id} cancelled"

    def halt(self, *, actor: str, reason: str, halted: bool = True) -> None:
        """The kill switch: stop all trading (or lift the halt)."""
        with self.client.pipeline(transaction=True) as pipe:
            if halted:
                pipe.set(streams.HALT, f"{actor}: {reason}")
            else:
                pipe.delete(streams.HALT)
            publish(pipe, streams.CONTROLS, "exec.halt",
                    ExecHalt(user=actor, reason=reason, halted=halted),
                    source=SOURCE, ts=self.clock.now())
            pipe.execute()

    def halted(self) -> str | None:
        value = self.client.get(streams.HALT)
        return str(value) if value else None

    # ---- helpers ---------------------------------------------------------------
    def _read(self, pipe: Any, ids: Sequence[str], *, priced: bool) -> _Read:
        """WATCH the orders and the halt, and read them (with the risk stance and the last
        prices when `priced`) in one round trip; a price not read with them, one more."""
        keys = [streams.ORDER.format(order_id=i) for i in ids]
        reads: list[tuple[Any, ...]] = [("GET", streams.HALT)]
        reads += [("MGET", *keys)] if keys else []
        hinted = sorted({self._symbols[i] for i in ids if i in self._symbols}) if priced else []
        accounts = sorted(self.four_eyes)
        if priced:
            reads.append(("MGET", *(stance_key(a) for a in accounts)))
        if hinted:
            reads.append(("HMGET", streams.LAST_PRICES, *hinted))
        replies = iter(watched_reads(pipe, [*keys, streams.HALT], reads))
        halted = next(replies)
        raws: list[str | None] = next(replies) if keys else []
        befores = {i: self._seen(OrderRecord.from_json(r))
                   for i, r in zip(ids, raws, strict=True) if r}
        if not priced:
            return _Read(befores, str(halted) if halted else None, {}, RiskStance())
        stance = AccountStances({a: stance_of(raw, stance_key(a))
                                 for a, raw in zip(accounts, next(replies), strict=True)},
                                self.account)
        prices = _decimals(hinted, next(replies) if hinted else [])
        missing = [r for r in befores.values() if r.order.symbol not in hinted]
        prices.update(self._last_prices(pipe, missing))
        return _Read(befores, str(halted) if halted else None, prices, stance)

    def _seen(self, record: OrderRecord) -> OrderRecord:
        if len(self._symbols) >= KEEP_SYMBOLS:
            self._symbols.clear()
        self._symbols[record.order_id] = record.order.symbol
        return record

    def account_of(self, order: Order) -> str:
        return order.account or self.account

    def _approvals_needed(self, order: Order) -> int:
        limit = self.four_eyes.get(self.account_of(order), self.policy.four_eyes_above)
        return 2 if limit is not None and order.estimated_value > limit else 1

    def _last_prices(self, pipe: Any, records: Sequence[OrderRecord]) -> dict[str, Decimal]:
        symbols = sorted({r.order.symbol for r in records})
        if not symbols:
            return {}
        return _decimals(symbols, pipe.hmget(streams.LAST_PRICES, symbols))

    def _decide(self, before: OrderRecord, change: _Change, prices: dict[str, Decimal],
                stance: AccountStances | RiskStance, fill: Fill | None = None,
                edit: dict[str, Any] | None = None) -> OrderRecord:
        halt = halt_refusal(before.order_id, change.action, change.halted)
        if halt:
            raise IllegalTransition(halt)
        if change.action is Action.APPROVE:
            refusal = stance.refusal(before.order) or maker_refusal(
                before, change.actor, self.policy.maker_checker)
            if refusal:
                raise IllegalTransition(refusal)
            if not change.confirmed_move:
                self._check_price_move(before, prices.get(before.order.symbol))
        after = transition(
            before, change.action, actor=change.actor, at=self.clock.now(), reason=change.reason,
            fill=fill, edit=edit, completes_approval=change.completes_approval,
        )
        if change.action is Action.EDIT:
            # The new version may cross the four-eyes threshold (or fall below it).
            needed = self._approvals_needed(after.order)
            after = with_editor(after.model_copy(update={"approvals_needed": needed}),
                                change.actor)
        return after

    def _check_price_move(self, record: OrderRecord, last: Decimal | None) -> None:
        move = self.policy.price_move(record.order.reference_price, last)
        if move is not None:
            raise NeedsReconfirmation(
                f"order {record.order_id}: {record.order.symbol} moved {move:+.2%} since the "
                f"batch ({record.order.reference_price} -> {last}); re-confirm to approve"
            )

    def _stage_one(self, pipe: Any, before: OrderRecord | None, order_id: str, change: _Change,
                   prices: dict[str, Decimal], stance: AccountStances | RiskStance,
                   result: BulkResult) -> None:
        if before is None:
            result.refused[order_id] = f"no order {order_id!r}"
            return
        try:
            after = self._decide(before, change, prices, stance)
        except IllegalTransition as exc:
            result.refused[order_id] = str(exc)
            return
        self._stage(pipe, before, after, change)
        result.changed.append(after)

    def _stage(self, pipe: Any, before: OrderRecord, after: OrderRecord, change: _Change) -> None:
        """Queue the new record, its audit entry, its event and any decision (in MULTI)."""
        action = change.action
        pipe.set(streams.ORDER.format(order_id=after.order_id), after.to_json())
        self._audit(pipe, after, action.value, change.actor, change.reason, before, after)
        self._event(pipe, after, action.value, change.reason)
        if action in DECISION_ACTIONS:
            self._decision(pipe, after, action, change.actor, change.reason)

    def _audit(self, pipe: Any, record: OrderRecord, action: str, actor: str, reason: str,
               before: OrderRecord | None, after: OrderRecord | None) -> None:
        entry = AuditEntry(
            order_id=record.order_id, action=action, actor=actor, reason=reason,
            before=before.model_dump(mode="json") if before else None,
            after=after.model_dump(mode="json") if after else None,
            at=self.clock.now(),
        )
        publish(pipe, streams.AUDIT, "audit", entry, source=SOURCE, ts=entry.at)

    def _event(self, pipe: Any, record: OrderRecord, event: str, detail: str = "") -> None:
        publish(pipe, streams.EVENTS, "order.event",
                OrderEvent(record=record, event=event, detail=detail),
                source=SOURCE, ts=self.clock.now())

    def _decision(self, pipe: Any, record: OrderRecord, action: Action, actor: str,
                  reason: str) -> None:
        body = Decision(order_id=record.order_id, action=action.value, user=actor,
                        reason=reason, version=record.order.version)
        publish(pipe, streams.DECISIONS, "decision", body, source=SOURCE, ts=self.clock.now())


def _text(reply: Any) -> str | None:
    """A reply read as bytes (the consumer's connection) or text; None when empty."""
    if isinstance(reply, Exception):
        raise reply
    if isinstance(reply, bytes):
        return reply.decode("utf-8", "replace") or None
    return str(reply) if reply else None


def _decimals(symbols: Sequence[str], raws: Sequence[Any]) -> dict[str, Decimal]:
    return {s: Decimal(str(p)) for s, p in zip(symbols, raws, strict=True) if p}


def _check_seen(ids: Sequence[str], befores: dict[str, OrderRecord],
                seen: dict[str, int]) -> None:
    changed = {}
    for order_id in ids:
        record = befores.get(order_id)
        if record is None:
            changed[order_id] = "no such order"
        elif order_id in seen and record.order.version != seen[order_id]:
            changed[order_id] = (f"you saw version {seen[order_id]}, it is now version "
                                 f"{record.order.version}")
    if changed:
        raise ChangedSinceShown(changed)


def _sort_key(order: Order) -> float:
    # Hedges first, then sells, then buys; ties sort by order id (Redis orders equal
    # scores lexicographically), which keeps a batch in the model's order.
    if order.urgent:
        return 0
    return 1 if order.side.value == "sell" else 2

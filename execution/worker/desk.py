"""`ExecutionDesk`: works approved parents through MainEngine, safely across restarts.

Start: connect the gateways, let them replay the day's orders and trades, book the
simulated broker's corporate actions into the ledger once (`corporate`; a real broker's
differences are alerted), adopt the day's live parents with their recorded children, and
reconcile (a recorded child the broker never saw is LOST; its quantity is free again;
nothing is re-sent). Each step: apply gateway events, watch the links, then let each
parent decide. Commands (work, pause, resume, cancel, amend, halt) come from the bus
through `services`.

With `execution.lease` on, the desk holds its account's fencing lease (`lease`): a
standby waits for it in `start()`, every step renews it, and no child goes out
without it.

A broken line makes its gateway not ready until the line is back **and** the broker's
replay has matched every open child (`reconnect`): nothing is sent through it before,
and cancels asked for meanwhile (halt, cancel, pause, a child's TTL) are queued and
sent then.
"""

from __future__ import annotations

import time as wall
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

import redis
from loguru import logger

from bus.alerts import send_alert
from execution.algos.profile import VolumeProfile
from execution.approval.queue import OrderQueue
from execution.config import ExecutionConfig
from execution.engine.bridge import VnpyBridge
from execution.fencing import ReplicaAck
from execution.gateway.link import Link, LinkChange
from execution.gateway.sim.gateway import SimDeps
from execution.worker.book import ChildBook
from execution.worker.children import ChildOrder, ChildStore
from execution.worker.corporate import DeskCorporate
from execution.worker.fills import FillBook
from execution.worker.inbox import Inbox, Seen
from execution.worker.keys import account_suffix
from execution.worker.lease import AccountLease
from execution.worker.market import MarketState
from execution.worker.parents import ParentLifecycle, ParentParts
from execution.worker.reconnect import Outage, Reconciled, settle_unmatched, unmatched
from execution.worker.routing import add_gateways
from execution.worker.sender import ChildSender
from marketdata.clock import Clock

SOURCE = "execution"
REFRESH_S = 1.0  # how often parents' records are re-read from the queue (wall seconds)
KEEP_RECONCILED = 20  # reconnect reports kept in memory (the alerts keep them all)


@dataclass(frozen=True)
class DeskDeps:
    client: redis.Redis
    clock: Clock
    queue: OrderQueue
    cfg: ExecutionConfig
    data_dir: Path
    sim: SimDeps | None = None
    profile: Callable[[str, date], VolumeProfile] = lambda symbol, day: VolumeProfile()
    env: Mapping[str, str] | None = None
    # How a standby waits for the account's lease: the service beats and heeds a stop.
    wait: Callable[[float], None] = wall.sleep
    # Replicas that must hold each lease write (`redis.replicas_to_ack`): 0, no WAIT.
    lease_ack: ReplicaAck = field(default_factory=ReplicaAck)


class ExecutionDesk:
    def __init__(self, deps: DeskDeps) -> None:
        self.deps, self.client, self.clock, self.cfg = deps, deps.client, deps.clock, deps.cfg
        self.day = self.clock.now().date()
        self.bridge = VnpyBridge(deps.data_dir)
        own = account_suffix(self.cfg.account, deps.queue.account)  # "" for the default
        self.book = ChildBook(ChildStore(self.client, own), self.day)
        self.fills = FillBook(self.client, deps.queue, self.clock, self.cfg.account,
                              self.cfg.initial_cash)
        self.market = MarketState()
        self.inbox = Inbox(self.book, self.fills, self.market, self.cfg)
        self.routes, self.links = add_gateways(self.bridge, self.cfg, deps.sim, deps.env or {})
        self.outages: dict[str, Outage] = {}  # gateways not ready: line down or replay pending
        self.reconciled: list[Reconciled] = []  # each reconnect's figures, oldest first
        self.lease = AccountLease(self.client, self.cfg, self.alert, sleep=deps.wait,
                                  ack=deps.lease_ack)
        self.corporate = DeskCorporate(self.client, self.fills, self.alert)
        self.sender = ChildSender(self.bridge, self.book, self.routes, self.can_send,
                                  self.ready, self.now, fence=self.lease.refusal)
        self.parents = ParentLifecycle(ParentParts(
            queue=deps.queue, cfg=self.cfg, day=self.day, client=self.client, book=self.book,
            fills=self.fills, market=self.market, sender=self.sender, bridge=self.bridge,
            routes=self.routes, profile=deps.profile, now=self.now, alert=self.alert,
            catch_up=self.catch_up))
        self._refreshed = 0.0

    # ---- start and stop ------------------------------------------------------------
    def start(self) -> None:
        self.lease.take()  # a standby waits here: it works nothing another desk holds
        for link in self.links:
            self.bridge.connect(link.name, link.setting)
        self.fills.ensure_ledger()
        stocks = self.bridge.gateway(self.routes.stock)
        self.corporate.book(stocks, self.day, self.clock.now())  # before any sell is sized
        self.parents.adopt_live(self.day)
        self.settle("start")
        self.corporate.check_replay(stocks, self.bridge.main_engine, self.routes.stock)
        for symbol in self.fills.ledger().positions:
            self.parents.subscribe(symbol, self.routes.stock)

    def settle(self, why: str) -> Seen:
        """Apply everything the gateways have pushed (their replay), then reconcile."""
        seen = self._handle(self.bridge.barrier())
        complete = all(self._replays_synchronously(link.name) for link in self.links)
        deadline = wall.monotonic() + self.cfg.replay_settle_s
        while not complete and wall.monotonic() < deadline:  # real brokers replay late
            self._handle(self.bridge.drain(), seen)
            wall.sleep(0.1)
        lost, unknown = settle_unmatched(self.book, unmatched(self.book.open(), seen),
                                         complete, self.clock.now(), why)
        self._report_unmatched(lost, unknown, why)
        if seen.strangers:
            self.alert("warning", "broker orders the desk did not send",
                       "; ".join(seen.strangers[:20]))
        self.parents.after_events(seen)
        return seen

    def stop(self) -> None:
        self.bridge.close()
        self.lease.release()

    # ---- the loop ------------------------------------------------------------------
    def step(self, events: list[Any] | None = None) -> int:
        """One short unit of work; returns how many gateway events were applied.

        `events`: gateway events to apply (tests pass `bridge.barrier()` to apply all
        that is in flight); by default whatever is waiting in the inbox.
        """
        self.lease.keep()
        self._flush_fenced_cancels()
        events = self.bridge.drain() if events is None else events
        seen = self._handle(events)
        self.parents.after_events(seen)
        self._watch_links()
        self._reconcile_outages()
        now = self.clock.now()
        if wall.monotonic() - self._refreshed >= REFRESH_S:
            self.parents.refresh()
            self._refreshed = wall.monotonic()
        self.parents.advance_all(now)
        self.market.publish(self.client)
        return len(events)

    def _flush_fenced_cancels(self) -> None:
        """Cancels refused while the lease was late go once it is renewed (a cancel for a
        gateway not ready yet waits for its reconnect, as before)."""
        if not self.sender.queued_cancels or self.lease.refusal() is not None:
            return
        for gateway in [g for g in self.sender.queued_cancels if self.ready(g)]:
            self.sender.flush_cancels(gateway)

    def catch_up(self) -> None:
        """Apply every gateway event already in flight (a few ms at most)."""
        try:
            events = self.bridge.barrier(timeout_s=0.5)
        except TimeoutError:
            return
        self.parents.after_events(self._handle(events))

    def _handle(self, events: list[Any], seen: Seen | None = None) -> Seen:
        """Apply gateway events; what they show about orders also counts for any
        reconciliation under way (a replay is broker news whichever step reads it)."""
        seen = self.inbox.handle(events, seen)
        for outage in self.outages.values():
            outage.note(seen)
        return seen

    def can_send(self, gateway: str) -> bool:
        return not self.parents.halted and self.ready(gateway)

    def ready(self, gateway: str) -> bool:
        """Orders and cancels may go: the line is up and the broker's replay matched."""
        return gateway not in self.outages and all(
            link.up for link in self.links if link.name == gateway)

    def _replays_synchronously(self, gateway: str) -> bool:
        return bool(getattr(self.bridge.gateway(gateway), "replays_synchronously", False))

    def _watch_links(self) -> None:
        for link in self.links:
            change = link.poll()
            if change is LinkChange.DOWN:
                self.outages.setdefault(link.name, Outage(link.name, self._open_refs(link.name)))
                self.alert("critical", f"gateway {link.name} disconnected",
                           "sending stopped; halt and cancels are queued until it is back "
                           "and its replay is matched; reconnecting with backoff")
            elif change is LinkChange.RETRY:
                self.outages.setdefault(link.name,
                                        Outage(link.name, self._open_refs(link.name))).attempt()
                self._reconnect(link)
            elif change is LinkChange.UP and link.name in self.outages:
                self.outages[link.name].up_at = wall.monotonic()

    def _open_refs(self, gateway: str) -> frozenset[str]:
        return frozenset(c.reference for c in self.book.open() if c.gateway == gateway)

    def _reconcile_outages(self) -> None:
        """Finish each outage whose line is back once its replay is in (or overdue)."""
        for link in self.links:
            outage = self.outages.get(link.name)
            if outage is None or not link.up or outage.up_at is None:
                continue
            complete = self._replays_synchronously(link.name)
            if complete:  # its whole replay was pushed inside connect(): apply it all
                self.parents.after_events(self._handle(self.bridge.barrier()))
            mine = [c for c in self.book.open() if c.gateway == link.name]
            waiting = unmatched(mine, outage.seen)
            overdue = wall.monotonic() - outage.up_at >= self.cfg.replay_settle_s
            if complete or not waiting or overdue:
                self._finish_outage(link.name, outage, waiting, complete)

    def _finish_outage(self, gateway: str, outage: Outage, waiting: list[ChildOrder],
                       complete: bool) -> None:
        why = f"reconnect of {gateway}"
        lost, unknown = settle_unmatched(self.book, waiting, complete, self.clock.now(), why)
        done = wall.monotonic()
        del self.outages[gateway]  # ready: the queued cancels can go now
        if self.parents.halted:  # a halt given while down covers every child it could not reach
            for child in self.book.open():
                if child.gateway == gateway:
                    self.sender.queue_cancel(child)
        cancels = self.sender.flush_cancels(gateway)
        matched = tuple(r for r in sorted(outage.open_at_drop) if r not in lost + unknown)
        report = Reconciled(gateway, done - outage.down_at, (done - outage.reconnected_at) * 1000,
                            matched, tuple(lost), tuple(unknown), cancels)
        self.reconciled.append(report)
        del self.reconciled[:-KEEP_RECONCILED]
        self._report_unmatched(lost, unknown, why)
        if outage.seen.strangers:
            self.alert("warning", "broker orders the desk did not send",
                       "; ".join(outage.seen.strangers[:20]))
        if cancels or self.parents.halted:
            self.alert("warning", f"queued commands for {gateway} carried out at reconnect",
                       f"{cancels} cancels sent" + ("; trading stays halted"
                                                    if self.parents.halted else ""))
        self.alert("info", f"gateway {gateway} reconnected", report.summary())

    def _report_unmatched(self, lost: list[str], unknown: list[str], why: str) -> None:
        for reference in lost:
            logger.warning("child {} was never received by the broker: freed", reference)
        if unknown:
            self.alert("critical", f"{len(unknown)} children of unknown state after {why}",
                       "not in the broker's replay; their parents send nothing until the "
                       "broker reports them: " + ", ".join(unknown[:20]))

    def _reconnect(self, link: Link) -> None:
        logger.info("reconnecting {} (attempt {})", link.name, link.attempts)
        try:
            self.bridge.connect(link.name, link.setting)
        except Exception as exc:  # a failed attempt waits for the next backoff
            logger.warning("reconnect of {} failed: {!r}", link.name, exc)

    def alert(self, severity: str, title: str, detail: str = "") -> None:
        send_alert(self.client, source=SOURCE, severity=severity, title=title, detail=detail,
                   ts=self.clock.now())

    def now(self) -> datetime:
        return self.clock.now()

"""`ExecutionDesk`: works approved parents through MainEngine, safely across restarts.

Start: connect the gateways, let them replay the day's orders and trades, adopt the
day's live parents with their recorded children, and reconcile (a recorded child the
broker never saw is LOST; its quantity is free again; nothing is re-sent). Each step:
apply gateway events, watch the links, then let each parent decide. Commands (work,
pause, resume, cancel, amend, halt) come from the bus through `services`.
"""

from __future__ import annotations

import time as wall
from collections.abc import Callable, Mapping
from dataclasses import dataclass
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
from execution.gateway.link import Link, LinkChange
from execution.gateway.sim.gateway import SimDeps
from execution.worker.book import ChildBook
from execution.worker.children import ChildState, ChildStore
from execution.worker.fills import FillBook
from execution.worker.inbox import Inbox, Seen
from execution.worker.market import MarketState
from execution.worker.parents import ParentLifecycle, ParentParts
from execution.worker.routing import add_gateways
from execution.worker.sender import ChildSender
from marketdata.clock import Clock

SOURCE = "execution"
REFRESH_S = 1.0  # how often parents' records are re-read from the queue (wall seconds)


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


class ExecutionDesk:
    def __init__(self, deps: DeskDeps) -> None:
        self.deps, self.client, self.clock, self.cfg = deps, deps.client, deps.clock, deps.cfg
        self.day = self.clock.now().date()
        self.bridge = VnpyBridge(deps.data_dir)
        self.book = ChildBook(ChildStore(self.client), self.day)
        self.fills = FillBook(self.client, deps.queue, self.clock, self.cfg.account,
                              self.cfg.initial_cash)
        self.market = MarketState()
        self.inbox = Inbox(self.book, self.fills, self.market, self.cfg)
        self.routes, self.links = add_gateways(self.bridge, self.cfg, deps.sim, deps.env or {})
        self.sender = ChildSender(self.bridge, self.book, self.routes, self.can_send,
                                  self.link_up)
        self.parents = ParentLifecycle(ParentParts(
            queue=deps.queue, cfg=self.cfg, day=self.day, client=self.client, book=self.book,
            fills=self.fills, market=self.market, sender=self.sender, bridge=self.bridge,
            routes=self.routes, profile=deps.profile, now=self.now, alert=self.alert,
            catch_up=self.catch_up))
        self._refreshed = 0.0

    # ---- start and stop ------------------------------------------------------------
    def start(self) -> None:
        for link in self.links:
            self.bridge.connect(link.name, link.setting)
        self.fills.ensure_ledger()
        self.parents.adopt_live(self.day)
        self.settle("start")
        for symbol in self.fills.ledger().positions:
            self.parents.subscribe(symbol, self.routes.stock)

    def settle(self, why: str) -> Seen:
        """Apply everything the gateways have pushed (their replay), then reconcile."""
        seen = self.inbox.handle(self.bridge.barrier())
        if not all(getattr(link.gateway, "replays_synchronously", False) for link in self.links):
            deadline = wall.monotonic() + self.cfg.replay_settle_s
            while wall.monotonic() < deadline:  # real brokers replay asynchronously
                self.inbox.handle(self.bridge.drain(), seen)
                wall.sleep(0.1)
        self._reconcile(seen, why)
        self.parents.after_events(seen)
        return seen

    def _reconcile(self, seen: Seen, why: str) -> None:
        for child in self.book.open():
            if child.reference in seen.references or child.vt_orderid in seen.vt_orderids:
                continue
            lost = child.model_copy(update={
                "state": ChildState.LOST, "updated_at": self.clock.now(),
                "reason": f"not at the broker at {why}",
            })
            self.book.saved(lost)
            logger.warning("child {} was never received by the broker: freed", child.reference)
        if seen.strangers:
            self.alert("warning", "broker orders the desk did not send",
                       "; ".join(seen.strangers[:20]))

    def stop(self) -> None:
        self.bridge.close()

    # ---- the loop ------------------------------------------------------------------
    def step(self, events: list[Any] | None = None) -> int:
        """One short unit of work; returns how many gateway events were applied.

        `events`: gateway events to apply (tests pass `bridge.barrier()` to apply all
        that is in flight); by default whatever is waiting in the inbox.
        """
        events = self.bridge.drain() if events is None else events
        seen = self.inbox.handle(events)
        self.parents.after_events(seen)
        self._watch_links()
        now = self.clock.now()
        if wall.monotonic() - self._refreshed >= REFRESH_S:
            self.parents.refresh()
            self._refreshed = wall.monotonic()
        self.parents.advance_all(now)
        self.market.publish(self.client)
        return len(events)

    def catch_up(self) -> None:
        """Apply every gateway event already in flight (a few ms at most)."""
        try:
            events = self.bridge.barrier(timeout_s=0.5)
        except TimeoutError:
            return
        self.parents.after_events(self.inbox.handle(events))

    def can_send(self, gateway: str) -> bool:
        return not self.parents.halted and self.link_up(gateway)

    def link_up(self, gateway: str) -> bool:
        return all(link.up for link in self.links if link.name == gateway)

    def _watch_links(self) -> None:
        for link in self.links:
            change = link.poll()
            if change is LinkChange.DOWN:
                self.alert("critical", f"gateway {link.name} disconnected",
                           "sending stopped; reconnecting with backoff")
            elif change is LinkChange.RETRY:
                self._reconnect(link)
            elif change is LinkChange.UP:
                self.settle(f"reconnect of {link.name}")
                self.alert("info", f"gateway {link.name} reconnected",
                           f"after {link.outage_s():.1f}s; reconciled and resumed")

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

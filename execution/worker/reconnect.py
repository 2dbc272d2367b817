"""Matching the desk's open children against what a broker says after it (re)connects.

A gateway is *ready* (orders and cancels may go through it) only when its line is up
**and** its replay has been matched. Between the two, vnpy gateways have logged in but
are still pushing the day's orders and trades: CTP sets `login_status` on login and
pushes its private-topic replay (subscribed with RESTART, the whole day) only after its
contract query ends. Every event handled from the reconnect attempt on is noted in the
`Outage`, whichever step consumes it, so a replay that arrives before the desk notices
the line is back still counts.

An open child the broker did not show: if the replay is complete (the simulator pushes
it inside `connect`) or the child never got a vt_orderid, the broker never received it
(LOST, its quantity is free again). Otherwise, after `replay_settle_s` without it, its
fate is UNKNOWN: it counts in full and blocks its parent until the broker says more.
"""

from __future__ import annotations

import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime

from execution.worker.book import ChildBook
from execution.worker.children import ChildOrder, ChildState
from execution.worker.inbox import Seen


@dataclass
class Outage:
    """A gateway whose line broke: from the drop until its replay is matched."""

    gateway: str
    open_at_drop: frozenset[str]  # references of its children open when the line broke
    down_at: float = field(default_factory=time.monotonic)  # wall, for the figures
    attempt_at: float = 0.0  # the latest reconnect attempt (the replay starts there)
    up_at: float | None = None  # when the line was seen up again
    seen: Seen = field(default_factory=Seen)

    def attempt(self) -> None:
        """A new connect call: only what the broker says from now on is its replay."""
        self.attempt_at, self.seen = time.monotonic(), Seen()

    @property
    def reconnected_at(self) -> float:
        """Our connect call, or when the line came back by itself (CTP reconnects alone)."""
        return self.attempt_at or self.up_at or self.down_at

    def note(self, seen: Seen) -> None:
        self.seen.references |= seen.references
        self.seen.vt_orderids |= seen.vt_orderids
        self.seen.strangers.extend(seen.strangers)


@dataclass(frozen=True)
class Reconciled:
    """What one reconciliation found; its figures go in the alert and the heartbeat."""

    gateway: str
    outage_s: float  # wall seconds from the drop to reconciled
    reconcile_ms: float  # wall ms from the successful connect attempt to reconciled
    matched: tuple[str, ...]
    lost: tuple[str, ...]
    unknown: tuple[str, ...]
    cancels: int = 0  # queued cancels (halt, cancel, pause...) sent at reconnect

    def summary(self) -> str:
        return (f"after {self.outage_s:.1f}s down; replay matched in {self.reconcile_ms:.0f} ms: "
                f"{len(self.matched)} children matched, {len(self.lost)} never received, "
                f"{len(self.unknown)} unknown; {self.cancels} queued cancels sent")


def at_broker(child: ChildOrder, seen: Seen) -> bool:
    return child.reference in seen.references or (
        bool(child.vt_orderid) and child.vt_orderid in seen.vt_orderids)


def unmatched(children: Iterable[ChildOrder], seen: Seen) -> list[ChildOrder]:
    return [c for c in children if c.open and not at_broker(c, seen)]


def verdict(child: ChildOrder, complete_replay: bool) -> ChildState:
    """The state of an open child the broker's replay did not show."""
    if complete_replay or not child.vt_orderid:
        return ChildState.LOST
    return ChildState.UNKNOWN


def settle_unmatched(book: ChildBook, children: Iterable[ChildOrder], complete_replay: bool,
                     now: datetime, why: str) -> tuple[list[str], list[str]]:
    """Mark each unmatched open child LOST or UNKNOWN; (lost, unknown) references."""
    lost: list[str] = []
    unknown: list[str] = []
    for child in children:
        state = verdict(child, complete_replay)
        if state is child.state:
            unknown.append(child.reference)
            continue
        reason = (f"not at the broker at {why}" if state is ChildState.LOST
                  else f"not in the broker's replay at {why}: may still be live")
        book.saved(child.model_copy(update={"state": state, "updated_at": now,
                                            "reason": reason}))
        (lost if state is ChildState.LOST else unknown).append(child.reference)
    return lost, unknown

"""Alerts of one kind are one message with a count ("stale_price ×37 in 10 min, 12 symbols").

A group is (severity, source, kind), the kind being the title without its symbol, as the
console groups them. The first alert of a group waits `group_wait_s` (criticals do not
wait) so a burst becomes one message; after a message the group's next one goes out at
the earliest one window later, counting everything that came in between. Quiet hours
push a group's next message to their end.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from bus.messages import Alert
from services.console.alert_groups import kind_and_symbol


@dataclass(frozen=True)
class Digest:
    """What one message says: the alerts of one group since its previous message."""

    key: str
    severity: str
    source: str
    kind: str
    count: int
    symbols: tuple[str, ...]
    first: datetime
    last: datetime
    title: str  # the newest alert's title and detail
    detail: str


@dataclass
class _Group:
    severity: str
    source: str
    kind: str
    due: datetime | None = None  # when the pending alerts go out; None: nothing pending
    sent: datetime | None = None
    count: int = 0
    first: datetime | None = None
    last: datetime | None = None
    title: str = ""
    detail: str = ""
    symbols: set[str] = field(default_factory=set)


def group_key(severity: str, source: str, kind: str) -> str:
    """A short stable id of a group; the console acknowledges a critical by it."""
    text = "\x1f".join((severity, source, kind)).encode("utf-8")
    return "a" + hashlib.sha1(text, usedforsecurity=False).hexdigest()[:10]


class Grouper:
    def __init__(self, window_s: float, group_wait_s: float) -> None:
        self.window = timedelta(seconds=window_s)
        self.wait = timedelta(seconds=group_wait_s)
        self.groups: dict[str, _Group] = {}

    def add(self, alert: Alert, at: datetime, hold_until: datetime | None = None) -> str:
        """Count `alert` into its group; returns the group's key."""
        kind, symbol = kind_and_symbol(alert.title)
        key = group_key(alert.severity, alert.source, kind)
        g = self.groups.setdefault(key, _Group(alert.severity, alert.source, kind))
        if g.due is None:
            wait = timedelta(0) if alert.severity == "critical" else self.wait
            g.due = at + wait if g.sent is None else max(at + wait, g.sent + self.window)
            g.first = at
        if hold_until is not None:
            g.due = max(g.due, hold_until)
        g.count += 1
        g.last, g.title, g.detail = at, alert.title, alert.detail
        if symbol:
            g.symbols.add(symbol)
        return key

    def due(self, now: datetime,
            hold: Callable[[str], datetime | None] = lambda _severity: None) -> list[Digest]:
        """The digests whose time has come (each group's pending alerts, once).

        `hold(severity)` is when quiet hours end for that severity (None: not quiet); a
        group that falls due inside them waits for their end."""
        out = []
        for key, g in list(self.groups.items()):
            if g.due is not None and g.due <= now and (until := hold(g.severity)):
                g.due = until
            elif g.due is not None and g.due <= now:
                out.append(self._digest(key, g))
                g.sent, g.due, g.count, g.symbols = now, None, 0, set()
            elif g.due is None and g.sent is not None and now - g.sent >= self.window:
                del self.groups[key]  # quiet for a window: a new alert starts afresh
        return out

    def next_due(self) -> datetime | None:
        dues = [g.due for g in self.groups.values() if g.due is not None]
        return min(dues) if dues else None

    @staticmethod
    def _digest(key: str, g: _Group) -> Digest:
        assert g.first is not None and g.last is not None
        return Digest(key, g.severity, g.source, g.kind, g.count, tuple(sorted(g.symbols)),
                      g.first, g.last, g.title, g.detail)

"""The alert feed grouped, so 100 `stale_price` warnings are one line and bury nothing.

A group is the alerts of one kind about one symbol: same severity, source and title
once the symbol is taken out of it ("limit: stale_price 600000.SSE" is kind
"limit: stale_price", symbol 600000.SSE). Each group shows its count, first and last
time and the newest detail. Critical groups are pinned on top; within each part the
group with the newest alert comes first. The live feed (`live.py`) sends each alert
with its group key, so the page counts it into the right row.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime

from bus.messages import Alert, Envelope

SYMBOL = re.compile(r"\b(?:\d{6}\.(?:SSE|SZSE|BSE)|[A-Z]{1,2}\d{3,4}(?:-[CP]-\d+)?\.CFFEX)\b")


@dataclass
class AlertGroup:
    key: str
    severity: str
    source: str
    kind: str
    symbol: str
    first: datetime
    last: datetime
    detail: str
    count: int = 0
    titles: set[str] = field(default_factory=set)

    @property
    def pinned(self) -> bool:
        return self.severity == "critical"


def kind_and_symbol(title: str) -> tuple[str, str]:
    """The title without its (first) symbol, and that symbol ("" when none)."""
    match = SYMBOL.search(title)
    if match is None:
        return title.strip(), ""
    kind = (title[:match.start()] + title[match.end():]).strip(" :-·")
    return re.sub(r"\s{2,}", " ", kind), match.group(0)


def group_key(alert: Alert) -> str:
    """A short stable id of an alert's group (also a safe HTML attribute value)."""
    kind, symbol = kind_and_symbol(alert.title)
    text = "\x1f".join((alert.severity, alert.source, kind, symbol))
    return "g" + hashlib.sha1(text.encode("utf-8"), usedforsecurity=False).hexdigest()[:12]


def alert_groups(envelopes: Iterable[Envelope]) -> list[AlertGroup]:
    """Groups of the alerts among `envelopes` (newest first), pinned critical first."""
    groups: dict[str, AlertGroup] = {}
    for env in envelopes:
        alert = env.body
        if not isinstance(alert, Alert):
            continue
        key = group_key(alert)
        group = groups.get(key)
        if group is None:
            kind, symbol = kind_and_symbol(alert.title)
            group = groups[key] = AlertGroup(key, alert.severity, alert.source, kind, symbol,
                                             env.ts, env.ts, alert.detail)
        group.count += 1
        group.titles.add(alert.title)
        if env.ts >= group.last:
            group.last, group.detail = env.ts, alert.detail
        group.first = min(group.first, env.ts)
    return sorted(groups.values(), key=lambda g: (not g.pinned, -g.last.timestamp()))

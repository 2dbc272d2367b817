"""The NAV series every chart draws: daily closes from the end of day, then the risk
daemon's intraday snapshots.

The console's NAV page and the daily report build their points here, so both show the
same figures. Closing records are placed at 15:00 of their day; snapshots are used from
the first day they cover (the closes before it fill in the history the stream has not
kept). Both carry drawdown from the same mark: the intraday high-water mark.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, time
from decimal import Decimal

from bus.messages import NavSnapshot
from execution.eod.nav_series import NavRecord
from marketdata.clock import EXCHANGE_TZ

CLOSE = time(15, 0)


@dataclass(frozen=True)
class NavPoint:
    at: datetime
    nav: Decimal
    hwm: Decimal
    drawdown: float  # fraction below the mark, >= 0
    hedge_ratio: float | None = None  # None: not known (closing records)


@dataclass(frozen=True)
class HedgeMark:
    """A hedge action drawn on the chart: an order proposed, or the ladder moving."""

    at: datetime
    label: str
    opens: bool  # True: more hedge (short sold / ratio up)


@dataclass(frozen=True)
class Shade:
    """A span of time shaded on the chart (a hedge period), with its label."""

    start: datetime
    end: datetime
    label: str


def from_record(record: NavRecord) -> NavPoint:
    at = datetime.combine(record.day, CLOSE, EXCHANGE_TZ)
    return NavPoint(at, record.nav, record.hwm, max(record.drawdown, 0.0))


def from_snapshot(snap: NavSnapshot) -> NavPoint:
    return NavPoint(snap.at, snap.nav, snap.hwm, max(snap.drawdown, 0.0), snap.hedge_ratio)


def history_points(records: Sequence[NavRecord],
                   snaps: Sequence[NavSnapshot] = ()) -> list[NavPoint]:
    """Closes of the days before the first snapshot, then the snapshots; oldest first."""
    points = sorted((from_snapshot(s) for s in snaps), key=lambda p: p.at)
    first = points[0].at.astimezone(EXCHANGE_TZ).date() if points else None
    closes = [from_record(r) for r in sorted(records, key=lambda r: r.day)
              if first is None or r.day < first]
    return closes + points


def ladder_marks(points: Sequence[NavPoint]) -> list[HedgeMark]:
    """Where the hedge ratio in force changed between two snapshots."""
    marks = []
    known = [p for p in points if p.hedge_ratio is not None]
    for before, after in itertools.pairwise(known):
        if after.hedge_ratio != before.hedge_ratio:
            ratio = after.hedge_ratio or 0.0
            marks.append(HedgeMark(after.at, f"ladder: hedge {ratio:.2%}",
                                   ratio > (before.hedge_ratio or 0.0)))
    return marks

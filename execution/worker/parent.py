"""What one working parent does next: send a child, cancel stale ones, or wait.

One child at a time per parent: a new slice is sized only when the previous child has
finished (filled, cancelled or rejected), so `committed` (what children have taken or
may still take) is exact and the parent can never be overfilled. A child still
working after `child_ttl_s` is cancelled and its rest re-sliced at the next decision.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, time, timedelta

from exchange import SessionPhase
from exchange.sessions import Phase
from execution.algos.curves import Curve
from execution.algos.market import Quote
from execution.algos.planner import (
    Child,
    Position,
    Progress,
    Wait,
    market_of,
    next_decision,
    plan,
    plan_auction,
    slot_at,
)
from execution.algos.window import TradingWindow
from execution.config import AlgoConfig
from execution.worker.children import ChildOrder, ChildState
from orders.order import OrderRecord

OPEN_AUCTION_LATEST_START = time(9, 30)
# A child of unknown fate is cancelled too: the broker refuses if it is not there.
CANCELLABLE = frozenset({ChildState.WORKING, ChildState.UNKNOWN})


@dataclass(frozen=True)
class Send:
    child: Child
    phase: str


@dataclass(frozen=True)
class Cancel:
    children: tuple[ChildOrder, ...]


Decision = Send | Cancel | Wait | None


@dataclass
class ParentWorker:
    record: OrderRecord
    curve: Curve
    cfg: AlgoConfig
    interval_s: int
    pov_base: int = 0  # market volume when the window opened (POV)
    next_at: datetime | None = None
    note: str = ""
    stopping: str = ""  # why no new children: "cancel", "end of day", "paused", ...
    window: TradingWindow = field(init=False)

    def __post_init__(self) -> None:
        order = self.record.order
        self.window = TradingWindow.build(order.trade_date, order.start_time, order.end_time,
                                          market_of(order))

    @property
    def order_id(self) -> str:
        return self.record.order_id

    def committed(self, children: list[ChildOrder]) -> int:
        return sum(c.committed for c in children)

    def stale(self, children: list[ChildOrder], now: datetime,
              phase: SessionPhase) -> Cancel | None:
        if not phase.allows_cancel:
            return None
        ttl = timedelta(seconds=self.cfg.child_ttl_s)
        old = tuple(c for c in children if c.state is ChildState.WORKING
                    and c.phase == "continuous" and now - c.created_at >= ttl)
        return Cancel(old) if old else None

    def decide(self, now: datetime, phase: SessionPhase, children: list[ChildOrder],
               quote: Quote | None, position: Position, recent_volume: int | None) -> Decision:
        if self.stopping:
            working = tuple(c for c in children if c.state in CANCELLABLE)
            return Cancel(working) if working and phase.allows_cancel else None
        if any(c.open for c in children):
            return self.stale(children, now, phase)
        if self.next_at is not None and now < self.next_at:
            return None
        if quote is None:
            return Wait(f"no market data for {self.record.order.symbol} yet")
        progress = Progress(filled=self.committed(children), open_quantity=0,
                            slice_no=len(children) + 1,
                            market_volume=max(quote.volume - self.pov_base, 0),
                            recent_volume=recent_volume,
                            slot=slot_at(self.record.order, now, self.interval_s))
        return self._choose(now, phase, children, quote, progress, position)

    def _choose(self, now: datetime, phase: SessionPhase, children: list[ChildOrder],
                quote: Quote, progress: Progress, position: Position) -> Decision:
        order = self.record.order
        phases = {c.phase for c in children}
        if phase.name is Phase.OPENING_AUCTION and self.cfg.opening_auction \
                and order.start_time <= OPEN_AUCTION_LATEST_START \
                and "opening_auction" not in phases:
            return self._auction(now, quote, progress, position, closing=False)
        if phase.name is Phase.CLOSING_AUCTION and self.cfg.closing_auction \
                and "closing_auction" not in phases:
            return self._auction(now, quote, progress, position, closing=True)
        if phase.continuous and self.window.contains(now):
            result = plan(order, self.cfg, self.curve, now, quote, progress, position)
            return Send(result, "continuous") if isinstance(result, Child) else result
        return None

    def _auction(self, now: datetime, quote: Quote, progress: Progress, position: Position,
                 *, closing: bool) -> Decision:
        result = plan_auction(self.record.order, self.cfg, now, quote, progress, position,
                              closing=closing)
        if isinstance(result, Wait):
            return result
        return Send(result, "closing_auction" if closing else "opening_auction")

    def sent(self, now: datetime, slice_no: int) -> None:
        self.next_at = next_decision(self.record.order, self.cfg, self.interval_s, now, slice_no)
        self.note = ""

    def left(self, children: list[ChildOrder]) -> int:
        return self.record.order.quantity - sum(max(c.filled, c.reported) for c in children)

"""The hedge ladder: which rung is in force, with hysteresis and step-by-step un-hedging.

Going up is immediate: as soon as the drawdown reaches a rung's trigger (intraday or at
the close) that rung's hedge ratio is in force. Going down is slow: one rung per step,
only at a daily close, and only when one of the configured `UnhedgeRule`s says the
market has stabilised (`risk.unhedge`). The drawdown alone cannot be the signal: a
fully hedged book barely moves, so its drawdown would never recover.

Hysteresis: after a step down at drawdown d, climbing again needs at least
d + `hysteresis` (and the rung's own trigger), so a drawdown wobbling around a trigger
does not put the hedge on and off. The evidence restarts at every change, so each
step down needs fresh evidence. The hysteresis belongs to one drawdown episode: a new
high-water mark (drawdown 0) ends the episode and clears it, so the next episode is
hedged at the configured rungs again.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass, field, replace
from datetime import date
from typing import Any

from risk.config import RiskConfig, Rung
from risk.unhedge import Evidence, stabilised

NO_HEDGE = -1


@dataclass(frozen=True)
class LadderState:
    level: int = NO_HEDGE  # index of the rung in force
    changed_on: date | None = None
    reason: str = ""  # why the last change
    rearm: float = 0.0  # after a step down, climbing again needs at least this drawdown
    evidence: Evidence = field(default_factory=Evidence)

    def hedge_ratio(self, ladder: Sequence[Rung]) -> float:
        return 0.0 if self.level == NO_HEDGE else ladder[self.level].hedge_ratio

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready (dates as ISO text, no infinities)."""
        data = asdict(self)
        ev = data["evidence"]
        ev["index_low"] = None if self.evidence.index_low == float("inf") else ev["index_low"]
        for holder, key in ((data, "changed_on"), (ev, "low_day"), (ev, "last_close")):
            holder[key] = None if holder[key] is None else holder[key].isoformat()
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> LadderState:
        ev = dict(data.get("evidence") or {})
        for key in ("low_day", "last_close"):
            ev[key] = _day(ev.get(key))
        if ev.get("index_low") is None:
            ev.pop("index_low", None)
        return cls(level=int(data["level"]), changed_on=_day(data.get("changed_on")),
                   reason=str(data.get("reason", "")), rearm=float(data.get("rearm", 0.0)),
                   evidence=Evidence(**ev))


def rung_for(ladder: Sequence[Rung], drawdown: float) -> int:
    """Highest rung whose trigger `drawdown` has reached, or NO_HEDGE."""
    level = NO_HEDGE
    for index, rung in enumerate(ladder):
        if drawdown >= rung.drawdown:
            level = index
    return level


def on_drawdown(state: LadderState, cfg: RiskConfig, drawdown: float, day: date) -> LadderState:
    """Any accepted NAV (live or close): climb at once, and track the worst point."""
    if drawdown <= 0.0 and state.rearm:
        state = replace(state, rearm=0.0)  # a new peak: the next episode starts afresh
    target = rung_for(cfg.ladder, drawdown)
    if target > state.level and drawdown >= state.rearm:
        rung = cfg.ladder[target]
        why = (f"drawdown {drawdown:.1%} reached the {rung.drawdown:.0%} rung: "
               f"hedge {rung.hedge_ratio:.0%} of the book")
        return LadderState(target, day, why, 0.0, Evidence.fresh(drawdown, day))
    return replace(state, evidence=state.evidence.with_drawdown(drawdown, day))


def on_close(
    state: LadderState,
    cfg: RiskConfig,
    drawdown: float,
    day: date,
    index_closes: Sequence[float],
) -> LadderState:
    """The daily close: count the day, then step down one rung if the market is stable.

    `index_closes` are CSI 1000 closes up to and including `day`, oldest first.
    """
    state = on_drawdown(state, cfg, drawdown, day)
    if index_closes:
        state = replace(state, evidence=state.evidence.with_close(day, index_closes[-1]))
    if state.level == NO_HEDGE or (state.changed_on is not None and day <= state.changed_on):
        return state  # never step down on (or on a close before) the day of a change
    for rule in cfg.unhedge:
        why = stabilised(rule, state.evidence, drawdown, index_closes)
        if why is not None:
            level = state.level - 1
            ratio = 0.0 if level == NO_HEDGE else cfg.ladder[level].hedge_ratio
            text = f"market stabilised ({why}): reduce the hedge to {ratio:.0%}"
            return LadderState(level, day, text, drawdown + cfg.hysteresis,
                               Evidence.fresh(drawdown, day))
    return state


def _day(raw: object) -> date | None:
    return None if raw in (None, "") else date.fromisoformat(str(raw))

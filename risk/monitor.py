"""The risk daemon's memory and its reaction to each NAV: the testable core of the service.

`observe_nav` judges a NAV (bad print or not), moves the high-water mark, climbs the
ladder and enters or leaves the reducing state, returning alerts to publish.
`close_day` runs the ladder's daily close (the only place a hedge comes off).
`hedge_trigger` says whether a hedge plan is due: at once when the ladder moved, else
once a day for rolls and resizing. Everything is plain data, persisted as JSON by the
service, so a restart resumes where it stopped.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from marketdata.clock import EXCHANGE_TZ
from risk.badprint import NavJudgement, judge_nav
from risk.config import RiskConfig
from risk.drawdown import HighWaterMark
from risk.hedge_plan import AlertNote
from risk.ladder import NO_HEDGE, LadderState, on_close, on_drawdown
from risk.limits import reducing


@dataclass(frozen=True)
class MonitorState:
    ladder: LadderState = field(default_factory=LadderState)
    last_accepted: Decimal | None = None
    suspect: Decimal | None = None
    reducing: bool = False
    proposed_level: int = NO_HEDGE  # ladder level the last hedge proposal was made for
    proposed_day: date | None = None
    closed_day: date | None = None  # last trading day whose close the ladder has seen

    def to_dict(self) -> dict[str, Any]:
        return {
            "ladder": self.ladder.to_dict(),
            "last_accepted": _text(self.last_accepted),
            "suspect": _text(self.suspect),
            "reducing": self.reducing,
            "proposed_level": self.proposed_level,
            "proposed_day": _text(self.proposed_day),
            "closed_day": _text(self.closed_day),
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> MonitorState:
        return cls(
            ladder=LadderState.from_dict(data["ladder"]),
            last_accepted=_decimal(data.get("last_accepted")),
            suspect=_decimal(data.get("suspect")),
            reducing=bool(data.get("reducing", False)),
            proposed_level=int(data.get("proposed_level", NO_HEDGE)),
            proposed_day=_day(data.get("proposed_day")),
            closed_day=_day(data.get("closed_day")),
        )


@dataclass(frozen=True)
class NavObservation:
    state: MonitorState
    hwm: HighWaterMark | None
    accepted: bool
    drawdown: float  # of this NAV, or of the last accepted one when it is not accepted
    ladder_moved: bool
    alerts: tuple[AlertNote, ...] = ()


def observe_nav(state: MonitorState, hwm: HighWaterMark | None, cfg: RiskConfig, nav: Decimal,
                at: datetime, bound: float) -> NavObservation:
    check = judge_nav(nav, state.last_accepted, state.suspect, bound)
    if not check.accepted:
        last = state.last_accepted
        drawdown = hwm.drawdown(last) if hwm is not None and last is not None else 0.0
        note = AlertNote("warning", f"NAV bad print ignored: {check.move:+.1%} in one update",
                         f"NAV {nav:,.2f} against {state.last_accepted:,.2f}; held as suspect, "
                         f"not acted on unless the next update confirms it")
        return NavObservation(replace(state, suspect=check.suspect), hwm, False, drawdown, False,
                              (note,))
    hwm = HighWaterMark(nav, at) if hwm is None else hwm.advanced(nav, at)
    drawdown = hwm.drawdown(nav)
    ladder = on_drawdown(state.ladder, cfg, drawdown, at.astimezone(EXCHANGE_TZ).date())
    now_reducing = reducing(drawdown, state.reducing, cfg.hard_drawdown, cfg.hysteresis)
    alerts = _alerts(state, ladder, now_reducing, drawdown, cfg, check.judgement, check.move)
    new_state = replace(state, ladder=ladder, last_accepted=nav, suspect=None,
                        reducing=now_reducing)
    return NavObservation(new_state, hwm, True, drawdown, ladder.level != state.ladder.level,
                          tuple(alerts))


def close_day(state: MonitorState, hwm: HighWaterMark | None, cfg: RiskConfig, day: date,
              index_closes: Sequence[float]) -> MonitorState:
    """The ladder's daily close for `day` (once per day), on the last accepted NAV."""
    if state.closed_day is not None and day <= state.closed_day:
        return state
    if hwm is None or state.last_accepted is None:
        return replace(state, closed_day=day)
    drawdown = hwm.drawdown(state.last_accepted)
    ladder = on_close(state.ladder, cfg, drawdown, day, index_closes)
    return replace(state, ladder=ladder, closed_day=day)


def hedge_trigger(state: MonitorState, today: date) -> bool | None:
    """None: no plan due. True: the ladder moved (trade even small changes). False: the
    daily check for rolls and drift."""
    if state.ladder.level != state.proposed_level:
        return True
    if state.proposed_day != today:
        return False
    return None


def mark_planned(state: MonitorState, today: date) -> MonitorState:
    return replace(state, proposed_level=state.ladder.level, proposed_day=today)


def _alerts(before: MonitorState, ladder: LadderState, now_reducing: bool, drawdown: float,
            cfg: RiskConfig, judgement: NavJudgement, move: float) -> list[AlertNote]:
    alerts = []
    if judgement is NavJudgement.CONFIRMED:
        alerts.append(AlertNote("info", f"NAV move of {move:+.1%} confirmed",
                                "the next update agreed with it: accepted"))
    if ladder.level > before.ladder.level:
        alerts.append(AlertNote("critical", f"drawdown {drawdown:.1%}: hedge ladder up",
                                ladder.reason))
    if now_reducing and not before.reducing:
        alerts.append(AlertNote("critical", f"hard drawdown limit: {drawdown:.1%}",
                                f"at or beyond {cfg.hard_drawdown:.0%}: the desk is reducing, "
                                "no new buys"))
    if before.reducing and not now_reducing:
        alerts.append(AlertNote("info", f"drawdown {drawdown:.1%}: reducing state lifted",
                                f"below {cfg.hard_drawdown - cfg.hysteresis:.0%}"))
    return alerts


def _text(value: object) -> str | None:
    if value is None:
        return None
    return value.isoformat() if isinstance(value, date) else str(value)


def _decimal(raw: object) -> Decimal | None:
    return None if raw in (None, "") else Decimal(str(raw))


def _day(raw: object) -> date | None:
    return None if raw in (None, "") else date.fromisoformat(str(raw))

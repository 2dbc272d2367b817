"""The risk state document at `RISK_STATE`: what the console shows, plus what a restart needs.

Public fields (NAV, drawdown, hedge, reducing, blocked symbols...) sit at the top level
for the console and `desk risk status`; `monitor` and `in_flight` are the daemon's own
memory, read back by `parse_state`.

The document is typed (`RiskState`) and read in one place, `read_risk_state`: every
reader (the daemon's restart, the approval gate, the console, the CLI) gets either a
validated `RiskState` or a `RiskStateUnreadable` naming the key and the field, whatever
bytes Redis holds. A key is required by the reader that needs it (`monitor` by the
daemon's restart, through `parse_state`); the others default to "not published", as
each reader treated a missing key before. Types are checked strictly: `"reducing":
"false"` is an error, not a truthy string.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from pydantic import ConfigDict, Field, FiniteFloat, ValidationError, field_validator

from config.frozen import Frozen
from errors import FixData
from risk.config import RiskConfig
from risk.drawdown import HighWaterMark
from risk.hedge_choice import Choice
from risk.monitor import MonitorState
from risk.nav import NavBreakdown


class HedgeCosts(Frozen):
    """The alternatives priced at the last hedge decision (`risk.hedge_choice.Choice`):
    what the futures and the puts would cost for the whole protection, and the pick."""

    model_config = ConfigDict(strict=True, extra="ignore")

    at: datetime
    instrument: str  # configured: futures / options / cheapest / mix
    put_share: FiniteFloat  # of the protection proposed as puts
    why: str
    futures_symbol: str | None = None
    futures_lots: int | None = None
    futures_cost_to_expiry: Decimal | None = None  # CNY, index unchanged
    futures_cost_30d: Decimal | None = None
    futures_margin: Decimal | None = None
    put_symbol: str | None = None
    put_lots: int | None = None
    put_premium: Decimal | None = None
    put_cost_to_expiry: Decimal | None = None
    put_cost_30d: Decimal | None = None


def hedge_costs(choice: Choice, at: datetime) -> dict[str, Any]:
    """The state document's `hedge_costs` (JSON values) from a choice."""
    fut, put = choice.futures, choice.puts
    doc: dict[str, Any] = {"at": at.isoformat(), "instrument": choice.instrument.value,
                           "put_share": choice.put_share, "why": choice.why}
    if fut is not None:
        doc |= {"futures_symbol": fut.symbol, "futures_lots": fut.lots,
                "futures_cost_to_expiry": str(fut.to_expiry),
                "futures_cost_30d": str(fut.per_period), "futures_margin": str(fut.margin)}
    if put is not None:
        doc |= {"put_symbol": put.symbol, "put_lots": put.lots, "put_premium": str(put.premium),
                "put_cost_to_expiry": str(put.to_expiry), "put_cost_30d": str(put.per_period)}
    return doc


@dataclass(frozen=True)
class Snapshot:
    """The figures of one check that the state document shows."""

    at: datetime
    nav: NavBreakdown
    drawdown: float
    hedged_share: float
    beta: float
    blocked: list[str]
    hedge_costs: dict[str, Any] | None = None  # `hedge_costs(...)` of the last decision


def public_state(cfg: RiskConfig, snap: Snapshot, monitor: MonitorState,
                 hwm: HighWaterMark | None) -> dict[str, Any]:
    nav = snap.nav
    return {
        "account": cfg.account,
        "at": snap.at.isoformat(),
        "nav": str(nav.nav),
        "hwm": str(hwm.value) if hwm else None,
        "drawdown": round(snap.drawdown, 6),
        "hedge_ratio": monitor.ladder.hedge_ratio(cfg.ladder),
        "hedged_share": round(snap.hedged_share, 4),
        "beta": round(snap.beta, 3),
        "stock_value": str(nav.stock_value),
        "futures_pnl": str(nav.futures_pnl),
        "free_cash": str(nav.free_cash),
        "reducing": monitor.reducing,
        "blocked_symbols": snap.blocked,
        "ladder_reason": monitor.ladder.reason,
        "options_value": str(nav.options_value),
        "hedge_costs": snap.hedge_costs,
    }


def state_json(public: dict[str, Any], monitor: MonitorState, in_flight: dict[str, str]) -> str:
    return json.dumps({**public, "reducing": monitor.reducing, "in_flight": dict(in_flight),
                       "monitor": monitor.to_dict()})


class RiskStateUnreadable(ValueError, FixData):
    """The stored risk state is not a document the daemon writes; the message names the
    key and the field."""


class RiskState(Frozen):
    """The document at `RISK_STATE`, as `state_json` writes it (fields in its order)."""

    # Strict: no truthy strings. Extra keys are ignored, not refused: a document an
    # older daemon wrote must not stop the restart of a newer one.
    model_config = ConfigDict(strict=True, extra="ignore")

    account: str | None = None
    at: datetime | None = None
    nav: Decimal | None = None
    hwm: Decimal | None = None
    drawdown: FiniteFloat | None = None
    hedge_ratio: FiniteFloat | None = None
    hedged_share: FiniteFloat | None = None
    beta: FiniteFloat | None = None
    stock_value: Decimal | None = None
    futures_pnl: Decimal | None = None
    free_cash: Decimal | None = None
    reducing: bool = False
    blocked_symbols: tuple[str, ...] = ()
    ladder_reason: str | None = None
    in_flight: dict[str, str] = Field(default_factory=dict)
    monitor: dict[str, Any] | None = None
    # Added with the options hedge (issue 19): absent from older documents, read as None.
    options_value: Decimal | None = None
    hedge_costs: HedgeCosts | None = None

    @field_validator("monitor")
    @classmethod
    def _monitor_restores(cls, value: dict[str, Any] | None) -> dict[str, Any] | None:
        if value is not None:
            _monitor_state(value)
        return value

    def memory(self) -> MonitorState:
        """The daemon's memory; the document must hold it."""
        if self.monitor is None:
            raise ValueError("monitor: missing")
        return _monitor_state(self.monitor)

    def public(self) -> dict[str, Any]:
        """The keys the document holds, as JSON values (what the console and CLI show)."""
        return self.model_dump(mode="json", exclude_unset=True)


def _monitor_state(data: dict[str, Any]) -> MonitorState:
    try:
        return MonitorState.from_dict(data)
    except (ValueError, KeyError, TypeError, AttributeError, ArithmeticError) as exc:
        raise ValueError(f"not the daemon's memory ({exc!r})") from None


def read_risk_state(raw: bytes | str | None, key: str) -> RiskState | None:
    """The one reader of the risk state: None when there is none, else validated."""
    if not raw:
        return None
    try:
        return RiskState.model_validate_json(raw)
    except ValidationError as exc:
        raise RiskStateUnreadable(f"{key}: unreadable risk state: {_first_problem(exc)}; "
                                  f"{FIX}") from None


FIX = "fix or delete the key (the ladder then restarts from no hedge)"


def _first_problem(exc: ValidationError) -> str:
    problems = exc.errors(include_url=False)
    first = problems[0]
    where = ".".join(str(part) for part in first["loc"]) or "document"
    more = f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""
    return f"{where}: {first['msg']}{more}"


def parse_state(raw: bytes | str | None, key: str) -> tuple[MonitorState, dict[str, str]]:
    """The daemon's memory from a stored document; a fresh start when there is none."""
    state = read_risk_state(raw, key)
    if state is None:
        return MonitorState(), {}
    try:
        return state.memory(), dict(state.in_flight)
    except ValueError as exc:
        raise RiskStateUnreadable(f"{key}: unreadable risk state: {exc}; {FIX}") from None


def pending_proposals(in_flight: dict[str, str], finished: dict[str, bool | None],
                      now: datetime, timeout_s: float) -> tuple[dict[str, str], list[str]]:
    """(still in flight, lost): `finished[id]` is None when the queue has no such order."""
    still, lost = {}, []
    for order_id, at in in_flight.items():
        done = finished.get(order_id)
        if done is False or (done is None and
                             (now - datetime.fromisoformat(at)).total_seconds() < timeout_s):
            still[order_id] = at
        elif done is None:
            lost.append(order_id)
    return still, lost

"""The hedge as a trader reads it: ladder and current rung, what stepping down waits for,
legs held, basis per contract, margin. One view for the console's Hedge page and
`desk risk status`, built from the risk state document (`risk.state_doc`), the ledger
and the last prices; the rules it quotes are `risk.ladder`, `risk.basis`, `risk.nav`.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal

from exchange import contract_schedule, future_spec
from execution.ledger import FutureHolding, Ledger
from risk.basis import annualised_basis, monthly_cost
from risk.config import RiskConfig
from risk.contracts import ExpiryCalendar, calendar_days_left, contract_days, parse_contract
from risk.ladder import NO_HEDGE, LadderState
from risk.state_doc import RiskState
from services.console.figures import drawdown as dd
from services.console.figures import percent
from services.console.hedge_decision import decision_lines
from services.console.step_down import Condition, rule_conditions

MARK = "intraday high-water mark (the risk daemon's, the one the ladder acts on)"


@dataclass(frozen=True)
class RungRow:
    number: int
    drawdown: float
    hedge_ratio: float
    current: bool


@dataclass(frozen=True)
class Leg:
    symbol: str
    lots: int  # short
    avg_price: Decimal
    price: Decimal | None
    pnl: Decimal | None  # lots x (avg - price) x multiplier
    margin: Decimal  # at the price (the average when there is none)


@dataclass(frozen=True)
class BasisRow:
    symbol: str
    price: Decimal | None
    days_to_expiry: int | None
    annual: float | None  # negative = discount
    per_lot_month: Decimal | None  # CNY a one-lot short pays per month at this basis
    held_month: Decimal | None  # the same for the lots held (None when none)
    note: str = ""


@dataclass(frozen=True)
class HedgeView:
    state: RiskState | None
    unreadable: str
    rungs: list[RungRow]
    ladder: LadderState | None
    step_down: list[str]  # sentences: where the ladder stands
    rules: list[list[Condition]]  # one list per unhedge rule (any rule, all conditions)
    legs: list[Leg]
    basis: list[BasisRow]
    margin_used: Decimal
    free_cash: Decimal | None
    index: float | None
    mark_label: str = MARK
    blocked: list[str] = field(default_factory=list)
    decision: list[str] = field(default_factory=list)  # the last futures-or-puts choice

    @property
    def level(self) -> int:
        return NO_HEDGE if self.ladder is None else self.ladder.level


def build_view(state: RiskState | None, unreadable: str, ledger: Ledger | None,
               prices: Mapping[str, Decimal], cfg: RiskConfig,
               calendar: ExpiryCalendar | None, today: date) -> HedgeView:
    ladder = _ladder(state)
    index = _index(prices, cfg.index_symbol)
    drawdown = state.drawdown if state and state.drawdown is not None else 0.0
    futures = ledger.futures if ledger else {}
    legs = [_leg(s, h, prices.get(s), cfg) for s, h in sorted(futures.items()) if h.short]
    margin = sum((leg.margin for leg in legs), Decimal(0))
    pnl = sum((leg.pnl or Decimal(0) for leg in legs), Decimal(0))
    free = None if ledger is None else ledger.cash + pnl - margin
    evidence_rules = [] if ladder is None or ladder.level == NO_HEDGE else [
        rule_conditions(rule, ladder.evidence, drawdown, index) for rule in cfg.unhedge]
    return HedgeView(
        state=state, unreadable=unreadable, rungs=_rungs(cfg, ladder), ladder=ladder,
        step_down=_where(cfg, ladder, drawdown, today), rules=evidence_rules, legs=legs,
        basis=_basis(futures, prices, index, cfg, calendar, today), margin_used=margin,
        free_cash=free, index=index, blocked=list(state.blocked_symbols) if state else [],
        decision=decision_lines(state.hedge_costs if state else None))


def _ladder(state: RiskState | None) -> LadderState | None:
    if state is None or state.monitor is None:
        return None
    return state.memory().ladder


def _index(prices: Mapping[str, Decimal], symbol: str) -> float | None:
    price = prices.get(symbol)
    return float(price) if price is not None and price > 0 else None


def _rungs(cfg: RiskConfig, ladder: LadderState | None) -> list[RungRow]:
    current = NO_HEDGE if ladder is None else ladder.level
    return [RungRow(i + 1, r.drawdown, r.hedge_ratio, i == current)
            for i, r in enumerate(cfg.ladder)]


def _where(cfg: RiskConfig, ladder: LadderState | None, drawdown: float,
           today: date) -> list[str]:
    if ladder is None:
        return ["The risk daemon has not published its ladder yet."]
    lines = []
    above = cfg.ladder[ladder.level + 1] if ladder.level + 1 < len(cfg.ladder) else None
    if ladder.level == NO_HEDGE:
        lines.append("No hedge in force: nothing to step down.")
    else:
        rung = cfg.ladder[ladder.level]
        lines.append(f"Rung {ladder.level + 1} in force: hedge {percent(rung.hedge_ratio)} "
                     f"since {ladder.changed_on or 'unknown'} ({ladder.reason}).")
        lines.append("Steps down one rung at a daily close when every condition of one "
                     "rule below holds.")
        if ladder.changed_on is not None and ladder.changed_on >= today:
            lines.append("Changed today: no step down before the next trading day's close.")
    if above is not None:
        lines.append(f"Next rung up at {dd(above.drawdown)} → hedge "
                     f"{percent(above.hedge_ratio)}; drawdown now {dd(drawdown)}.")
    if ladder.rearm > 0:
        lines.append(f"After the last step down, climbing again needs a drawdown of at least "
                     f"{percent(ladder.rearm)} (hysteresis).")
    return lines


def _leg(symbol: str, held: FutureHolding, price: Decimal | None, cfg: RiskConfig) -> Leg:
    multiplier = future_spec(symbol).multiplier
    mark = price if price is not None else held.avg_price
    pnl = None if price is None else held.short * (held.avg_price - price) * multiplier
    margin = (mark * multiplier * held.short * cfg.margin_total_rate).quantize(Decimal("0.01"))
    return Leg(symbol, held.short, held.avg_price, price, pnl, margin)


def _basis(futures: Mapping[str, FutureHolding], prices: Mapping[str, Decimal],
           index: float | None, cfg: RiskConfig, calendar: ExpiryCalendar | None,
           today: date) -> list[BasisRow]:
    symbols = set(listed_symbols(cfg, calendar, today)) | {s for s, h in futures.items() if h.short}
    held = {s: h.short for s, h in futures.items()}
    return [_basis_row(s, prices.get(s), index, held.get(s, 0), calendar, today)
            for s in sorted(symbols)]


def listed_symbols(cfg: RiskConfig, calendar: ExpiryCalendar | None, today: date) -> list[str]:
    if calendar is None:
        return []
    days = contract_days(calendar)
    try:  # only this month's expiry decides the list; each row then says what it lacks
        return contract_schedule(today, cfg.futures.product,
                                 expiry_of=lambda s: days.expiry(s).day)
    except ValueError:  # this month's expiry unknown: the held legs still show
        return []


def _basis_row(symbol: str, price: Decimal | None, index: float | None, lots: int,
               calendar: ExpiryCalendar | None, today: date) -> BasisRow:
    if price is None or index is None or calendar is None:
        why = ("no last price" if price is None else
               "no CSI 1000 price" if index is None else "no trading calendar")
        return BasisRow(symbol, price, None, None, None, None, why)
    try:
        days = calendar_days_left(parse_contract(symbol, calendar), today)
    except ValueError as exc:  # ExpiryUnknown: say why (its first sentence), keep the rest
        why = re.split(r" \(|\. ", str(exc).removeprefix(f"{symbol}: "))[0]
        return BasisRow(symbol, price, None, None, None, None, why)
    basis = annualised_basis(float(price), index, days)
    lot = price * future_spec(symbol).multiplier
    return BasisRow(symbol, price, days, basis, monthly_cost(lot, basis),
                    monthly_cost(lot * lots, basis) if lots else None)


def at_text(at: datetime | None) -> str:
    return "—" if at is None else at.strftime("%Y-%m-%d %H:%M:%S %Z")

"""The whole hedge at one step: how much in futures, how much in puts, and the legs of each.

When the ladder moved (or nothing is held) the split comes from `risk.hedge_choice`:
both instruments are priced for the full protection and the configured rule picks.
Otherwise the split the book already holds is kept (futures notional against the puts'
delta coverage), so a daily check resizes and rolls without switching instruments.
The futures part goes through `risk.hedge_plan.plan_hedge` (rolls, resize, margin,
cost note); the put part through `risk.put_plan.plan_puts`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from decimal import Decimal

from risk.config import HedgeInstrument, RiskConfig
from risk.contracts import ExpiryCalendar
from risk.hedge_choice import Choice, PutQuote, choose_instrument, choose_put, futures_cost
from risk.hedge_plan import AlertNote, HedgeInputs, HedgeLeg, HedgePlan, hold_view, plan_hedge
from risk.put_plan import PutPlan, coverage, plan_puts

NOTE_LIMIT = 1_900  # an order's cost note holds 2,000 characters


@dataclass(frozen=True)
class ProtectionPlan:
    futures: HedgePlan
    puts: PutPlan
    put_share: float
    choice: Choice | None = None
    alerts: tuple[AlertNote, ...] = field(default=())

    @property
    def legs(self) -> tuple[HedgeLeg, ...]:
        return self.futures.legs + self.puts.legs

    @property
    def reason(self) -> str:
        return "; ".join(p for p in (self.futures.reason, self.puts.reason) if p)

    @property
    def cost_note(self) -> str:
        """The decision and both alternatives, then the futures legs' own note; with
        futures configured and no put priced, the futures note alone (as before options)."""
        choice = self.choice
        alone = choice is None or (choice.instrument is HedgeInstrument.FUTURES
                                   and choice.puts is None)
        parts = [] if alone or choice is None else [choice.note()]
        if self.futures.cost_note and self.futures.legs:
            parts.append(self.futures.cost_note)
        return " | ".join(parts)[:NOTE_LIMIT]


def notional_wanted(inp: HedgeInputs) -> Decimal:
    if inp.exposure <= 0 or inp.ratio <= 0:
        return Decimal(0)
    return (inp.exposure * Decimal(str(inp.beta)) * Decimal(str(inp.ratio))).quantize(Decimal(1))


def plan_protection(inp: HedgeInputs, puts: Sequence[PutQuote], held_puts: Mapping[str, int],
                    cfg: RiskConfig, calendar: ExpiryCalendar, multiplier: int) -> ProtectionPlan:
    held_puts = {s: n for s, n in held_puts.items() if n > 0}
    notional = notional_wanted(inp)
    alerts: list[AlertNote] = []
    choice = None
    if notional <= 0:
        share = 0.0
    elif inp.force or not (held_puts or any(n > 0 for n in inp.held.values())):
        choice = price_both(inp, puts, notional, cfg, calendar, multiplier, alerts)
        share = choice.put_share
    else:
        share = held_split(inp, puts, held_puts, multiplier)
    fut_ratio = inp.ratio * (1.0 - share)
    if fut_ratio > 0 or any(n > 0 for n in inp.held.values()):
        futures = plan_hedge(replace(inp, ratio=fut_ratio), cfg, calendar, multiplier)
    else:
        futures = HedgePlan(target_lots=0)
    put_plan = plan_puts(inp.day, (notional * Decimal(str(share))).quantize(Decimal(1)),
                         held_puts, puts, inp.index, choice.puts if choice else None, cfg,
                         calendar, inp.force, inp.rising)
    wanted_puts = (HedgeInstrument.OPTIONS, HedgeInstrument.MIX)
    if choice is not None and choice.instrument in wanted_puts and choice.puts is None:
        alerts.append(AlertNote("critical", f"{choice.instrument.value} hedge: no eligible put",
                                f"{choice.why}; check the MO quotes and risk.hedge bounds"))
    return ProtectionPlan(futures, put_plan, share, choice, tuple(alerts) + futures.alerts)


def price_both(inp: HedgeInputs, puts: Sequence[PutQuote], notional: Decimal, cfg: RiskConfig,
               calendar: ExpiryCalendar, multiplier: int, alerts: list[AlertNote]) -> Choice:
    """Both instruments priced for the whole protection, and the configured decision."""
    kept = {s: n for s, n in inp.held.items() if n > 0}
    no_future = ""
    try:
        view = hold_view(kept, inp, cfg, calendar)
        fut = futures_cost(view, notional, multiplier, cfg.margin_total_rate)
    except ValueError as exc:
        no_future, fut = str(exc), None
        alerts.append(AlertNote("warning", "no usable futures contract to price", no_future))
    put = choose_put(puts, notional, inp.index, inp.day, cfg.hedge)
    if fut is None and put is None:  # say why the futures failed: that is what to fix
        raise ValueError(f"{no_future}; and no eligible put ({len(puts)} quoted)")
    if put is None and puts:
        alerts.append(AlertNote("warning", "no eligible put to price",
                                f"{len(puts)} put(s) quoted, none inside the configured "
                                "moneyness, delta and expiry bounds"))
    return choose_instrument(cfg.hedge, fut, put)


def held_split(inp: HedgeInputs, puts: Sequence[PutQuote], held_puts: Mapping[str, int],
               multiplier: int) -> float:
    """Share of the current protection held as puts (delta coverage over the total)."""
    prices = {q.contract.symbol: q.price for q in inp.quotes}
    fut = sum((prices.get(s, Decimal(0)) * n * multiplier for s, n in inp.held.items() if n > 0),
              Decimal(0))
    quotes = {q.symbol: q for q in puts}
    priced = {s: n for s, n in held_puts.items() if s in quotes}
    opt = coverage(priced, quotes, inp.index)
    total = fut + opt
    return float(opt / total) if total > 0 else 0.0

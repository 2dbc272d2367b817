"""`desk risk status` as text and as JSON: the console's Hedge page for a terminal."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from execution.eod.history import History
from services.console.figures import DASH, cny, drawdown, level, percent, signed_cny
from services.console.hedge_view import HedgeView, at_text

if TYPE_CHECKING:
    from services.settings import DeskSettings


def status_lines(view: HedgeView, account: str, timeline: History | None = None) -> list[str]:
    lines = [*_head(view, account), "", *_ladder(view), "", *_legs(view), "", *_basis(view)]
    return [*lines, "", *history_lines(timeline)] if timeline is not None else lines


def other_accounts(settings: DeskSettings, shown: str) -> list[str]:
    """On a desk of several accounts, the line naming the others (nothing with one)."""
    from services.accounts import account_names

    others = [n for n in account_names(settings) if n != shown]
    if not others:
        return []
    return ["", f"Other accounts: {', '.join(others)} (desk risk status --account NAME)"]


def history_lines(timeline: History) -> list[str]:
    """The end-of-day history in a few lines: the daily report's summary."""
    s = timeline.summary()
    if not s.days:
        lines = ["History", "  No end of day recorded yet."]
    else:
        lines = ["History (end of day, one record per trading day)",
                 _row("  Days", f"{s.days} ({s.first} to {s.last})"),
                 _row("  Max drawdown", f"{drawdown(s.max_drawdown)} on {s.max_drawdown_day} "
                                        "(closes, from the intraday high-water mark)"),
                 _row("  Days hedged", str(s.days_hedged)),
                 *(f"    {p.label}" for p in timeline.periods()),
                 _row("  Turnover", cny(s.turnover)),
                 _row("  Costs", f"{cny(s.costs)}: fees {cny(s.fees)} (stamp duty "
                                 f"{cny(s.stamp_duty)}), slippage {cny(s.slippage)}")]
    return lines + [f"  Unreadable, left out: {e}" for e in timeline.errors]


def history_json(timeline: History) -> dict[str, Any]:
    s = timeline.summary()
    return {"days": s.days, "first_day": _text(s.first), "last_day": _text(s.last),
            "max_drawdown": s.max_drawdown, "max_drawdown_day": _text(s.max_drawdown_day),
            "days_hedged": s.days_hedged,
            "hedge_periods": [{"first": str(p.first), "last": str(p.last),
                               "futures_lots": p.futures_lots, "option_lots": p.option_lots}
                              for p in timeline.periods()],
            "turnover": str(s.turnover), "fees": str(s.fees),
            "stamp_duty": _text(s.stamp_duty), "slippage": str(s.slippage),
            "costs": str(s.costs), "errors": timeline.errors}


def _row(label: str, value: str) -> str:
    return f"{label:<22} {value}"


def _head(view: HedgeView, account: str) -> list[str]:
    s = view.state
    if s is None:
        return [f"Risk state of account {account}: not published"]
    beta = f"{s.beta:.2f}" if s.beta is not None else DASH
    return [
        f"Risk state of account {account} at {at_text(s.at)}",
        _row("NAV", cny(s.nav)),
        _row("High-water mark", f"{cny(s.hwm)} (intraday, the risk daemon's)"),
        _row("Drawdown", f"{drawdown(s.drawdown)} from the intraday high-water mark"),
        _row("Hedge ratio in force", percent(s.hedge_ratio)),
        _row("Covered now", f"{percent(s.hedged_share)} of beta x stocks (beta {beta})"),
        _row("Reducing", "yes: no new buys" if s.reducing else "no"),
        _row("Blocked buys", ", ".join(view.blocked) or "none"),
        _row("Last ladder change", s.ladder_reason or DASH),
    ]


def _ladder(view: HedgeView) -> list[str]:
    lines = ["Ladder", f"  {'Rung':<5} {'Drawdown':>9} {'Hedge':>8}"]
    lines += [f"  {r.number:<5} {drawdown(r.drawdown):>9} {percent(r.hedge_ratio):>8}"
              + ("  <- in force" if r.current else "") for r in view.rungs]
    lines += ["Stepping down", *(f"  {line}" for line in view.step_down)]
    if len(view.rules) > 1:
        lines.append("  Any one rule is enough:")
    for number, rule in enumerate(view.rules, start=1):
        lines.append(f"  Rule {number}:")
        lines += [f"    [{'x' if c.met else ('?' if c.met is None else ' ')}] {c.text}"
                  for c in rule]
    return lines


def _legs(view: HedgeView) -> list[str]:
    lines = ["Legs held"]
    if not view.legs:
        lines.append("  No futures held.")
    else:
        lines.append(f"  {'Contract':<14} {'Lots':>5} {'Avg price':>10} {'Last':>10} "
                     f"{'P&L':>20} {'Margin':>20}")
        lines += [f"  {g.symbol:<14} {g.lots:>5} {level(g.avg_price):>10} {level(g.price):>10} "
                  f"{signed_cny(g.pnl):>20} {cny(g.margin):>20}" for g in view.legs]
    lines.append(f"  Margin used {cny(view.margin_used)}; free cash {cny(view.free_cash)} "
                 "(cash + futures P&L - margin)")
    return lines


def _basis(view: HedgeView) -> list[str]:
    lines = [f"Basis per contract (CSI 1000 {level(view.index)})"]
    if not view.basis:
        return [*lines, "  No contract priced."]
    lines.append(f"  {'Contract':<14} {'Last':>9} {'Days':>5} {'Basis/yr':>9} "
                 f"{'Per lot/month':>18} {'Held/month':>18}")
    for b in view.basis:
        days = str(b.days_to_expiry) if b.days_to_expiry is not None else DASH
        line = (f"  {b.symbol:<14} {level(b.price):>9} {days:>5} {percent(b.annual):>9} "
                f"{cny(b.per_lot_month):>18} {cny(b.held_month):>18}")
        lines.append(f"{line}  {b.note}" if b.note else line)
    if view.decision:
        lines += ["Last hedge decision", *(f"  {line}" for line in view.decision)]
    return lines


def status_json(view: HedgeView) -> dict[str, Any]:
    """The state document's public keys plus the view; numbers for programs to read."""
    public = view.state.public() if view.state else {}
    return {
        **public,
        "drawdown_mark": "intraday high-water mark",
        "ladder": [{"rung": r.number, "drawdown": r.drawdown, "hedge_ratio": r.hedge_ratio,
                    "current": r.current} for r in view.rungs],
        "step_down": view.step_down,
        "unhedge_rules": [[{"condition": c.text, "met": c.met} for c in rule]
                          for rule in view.rules],
        "legs": [{"symbol": g.symbol, "short_lots": g.lots, "avg_price": str(g.avg_price),
                  "price": _text(g.price), "pnl": _text(g.pnl), "margin": str(g.margin)}
                 for g in view.legs],
        "basis": [{"symbol": b.symbol, "price": _text(b.price),
                   "days_to_expiry": b.days_to_expiry, "annual_basis": b.annual,
                   "cost_per_lot_month": _text(b.per_lot_month),
                   "cost_held_month": _text(b.held_month), "note": b.note}
                  for b in view.basis],
        "margin_used": str(view.margin_used), "free_cash": _text(view.free_cash),
    }


def _text(value: object) -> str | None:
    return None if value is None else str(value)

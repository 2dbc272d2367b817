"""The replay as text and files: the actions table, the summary, the daily CSV."""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from risk.replay import HedgeAction, ReplayResult


def summary(result: ReplayResult) -> dict[str, Any]:
    daily = result.daily
    return {
        "first_day": daily.index[0].date().isoformat(),
        "last_day": daily.index[-1].date().isoformat(),
        "days": len(daily),
        "max_drawdown_unhedged": round(result.max_drawdown, 6),
        "max_drawdown_hedged": round(result.hedged_max_drawdown, 6),
        "final_nav_unhedged": round(float(daily["nav"].iloc[-1]), 2),
        "final_nav_hedged": round(float(daily["hedged_nav"].iloc[-1]), 2),
        "futures_pnl": round(result.futures_pnl, 2),
        "basis_paid": round(result.basis_paid, 2),
        "fees": round(result.fees, 2),
        "premium_paid": round(result.premium_paid, 2),
        "options_pnl": round(result.options_pnl, 2),
        "option_fees": round(float(daily["option_fees"].iloc[-1]), 2),
        "hedge_actions": len(result.actions),
        "alerts": len(result.alerts),
    }


COMPARED = ("max_drawdown_unhedged", "max_drawdown_hedged", "final_nav_hedged", "basis_paid",
            "premium_paid", "futures_pnl", "options_pnl")


def comparison(results: Mapping[str, ReplayResult]) -> dict[str, dict[str, Any]]:
    """The figures of each instrument choice on the same path (summary.json "instruments")."""
    out = {}
    for name, result in results.items():
        figures = summary(result)
        out[name] = {key: figures[key] for key in (*COMPARED, "fees", "option_fees",
                                                    "hedge_actions")}
    return out


def render_comparison(results: Mapping[str, ReplayResult]) -> str:
    table = comparison(results)
    lines = ["Instrument choice on the same path:",
             f"  {'':<10} {'max DD':>8} {'unhedged':>9} {'final NAV':>15} {'basis paid':>13} "
             f"{'premium paid':>13} {'futures P&L':>13} {'options P&L':>13}"]
    for name, f in table.items():
        lines.append(
            f"  {name:<10} {f['max_drawdown_hedged']:>8.2%} {f['max_drawdown_unhedged']:>9.2%} "
            f"{f['final_nav_hedged']:>15,.0f} {f['basis_paid']:>13,.0f} "
            f"{f['premium_paid']:>13,.0f} {f['futures_pnl']:>13,.0f} {f['options_pnl']:>13,.0f}")
    return "\n".join(lines)


def action_line(action: HedgeAction) -> str:
    basis = "" if action.annual_basis is None else f" basis {action.annual_basis:+.1%}/yr"
    verb = f"{action.side.value} {action.offset.value}"
    return (f"{action.day}  {verb:<10} {action.lots:>4} {action.symbol} @ {action.price} "
            f"in {action.orders} order(s){basis}  -- {action.reason}")


def render_text(result: ReplayResult) -> str:
    figures = summary(result)
    lines = [f"Hedge replay {figures['first_day']} .. {figures['last_day']} "
             f"({figures['days']} days)", "", "Hedge actions:"]
    lines += [f"  {action_line(a)}" for a in result.actions] or ["  (none)"]
    if result.alerts:
        lines += ["", "Alerts:"] + [f"  {day} {sev}: {text}" for day, sev, text in result.alerts]
    lines += [
        "",
        f"Max drawdown   unhedged {figures['max_drawdown_unhedged']:.2%}   "
        f"hedged {figures['max_drawdown_hedged']:.2%}",
        f"Final NAV      unhedged {figures['final_nav_unhedged']:,.2f}   "
        f"hedged {figures['final_nav_hedged']:,.2f}",
        f"Futures P&L    {figures['futures_pnl']:,.2f}  (basis paid {figures['basis_paid']:,.2f}, "
        f"fees {figures['fees']:,.2f})",
    ]
    if figures["premium_paid"] or figures["options_pnl"]:
        lines.append(f"Options P&L    {figures['options_pnl']:,.2f}  (premium paid "
                     f"{figures['premium_paid']:,.2f}, fees {figures['option_fees']:,.2f})")
    return "\n".join(lines)


def write_outputs(result: ReplayResult, out_dir: Path,
                  compared: Mapping[str, ReplayResult] | None = None) -> dict[str, Path]:
    """daily.csv, actions.csv and summary.json in `out_dir` (with the instrument
    comparison under "instruments" when `compared` is given)."""
    out_dir.mkdir(parents=True, exist_ok=True)
    paths = {name: out_dir / name for name in ("daily.csv", "actions.csv", "summary.json")}
    result.daily.to_csv(paths["daily.csv"], float_format="%.6f")
    with paths["actions.csv"].open("w", encoding="utf-8") as handle:
        handle.write("date,symbol,side,offset,lots,orders,price,annual_basis,reason\n")
        for a in result.actions:
            basis = "" if a.annual_basis is None else f"{a.annual_basis:.6f}"
            reason = a.reason.replace('"', "'")
            handle.write(f'{a.day},{a.symbol},{a.side.value},{a.offset.value},{a.lots},{a.orders},'
                         f'{a.price},{basis},"{reason}"\n')
    figures: dict[str, Any] = summary(result)
    if compared:
        figures["instruments"] = comparison(compared)
    paths["summary.json"].write_text(json.dumps(figures, indent=2), encoding="utf-8")
    return paths

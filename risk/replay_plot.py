"""The replay's picture: NAV with and without the hedge, drawdowns, hedge and basis."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

# Figure without pyplot: no global backend or figure registry, works without a display.
from matplotlib.figure import Figure

from exchange import Side
from risk.config import RiskConfig
from risk.replay import ReplayResult

COLOURS = {"futures": "tab:purple", "options": "tab:green", "cheapest": "tab:brown",
           "mix": "tab:olive"}


def plot_replay(result: ReplayResult, cfg: RiskConfig, path: Path, title: str = "",
                compared: Mapping[str, ReplayResult] | None = None) -> Path:
    """Write a three-panel PNG (or any format matplotlib knows from the suffix); with
    `compared`, each instrument choice's hedged NAV and drawdown as well."""
    daily = result.daily
    fig = Figure(figsize=(11, 9))
    top, middle, bottom = fig.subplots(3, 1, sharex=True, gridspec_kw={"height_ratios": [3, 2, 2]})
    top.plot(daily.index, daily["nav"], label=f"unhedged (max DD {result.max_drawdown:.1%})",
             color="tab:gray")
    top.plot(daily.index, daily["hedged_nav"],
             label=f"hedged (max DD {result.hedged_max_drawdown:.1%})", color="tab:blue")
    for action in result.actions:
        marker, colour = ("v", "tab:red") if action.side is Side.SELL else ("^", "tab:green")
        top.scatter([action.day], [daily["hedged_nav"].asof(str(action.day))], marker=marker,
                    color=colour, zorder=3)
    for name, other in (compared or {}).items():
        colour = COLOURS.get(name, "tab:cyan")
        top.plot(other.daily.index, other.daily["hedged_nav"], color=colour, linewidth=0.9,
                 label=f"{name} (max DD {other.hedged_max_drawdown:.1%}, basis CNY "
                       f"{other.basis_paid:,.0f}, premium CNY {other.premium_paid:,.0f})")
        peak = other.daily["hedged_nav"].cummax()
        middle.plot(other.daily.index, (other.daily["hedged_nav"] / peak - 1) * 100,
                    color=colour, linewidth=0.9)
    top.set_ylabel("NAV (CNY)")
    top.legend(loc="best")
    top.set_title(title or f"Hedge replay: basis paid CNY {result.basis_paid:,.0f}, "
                           f"fees CNY {result.fees:,.0f}")
    for column, colour in (("nav", "tab:gray"), ("hedged_nav", "tab:blue")):
        peak = daily[column].cummax()
        middle.plot(daily.index, (daily[column] / peak - 1) * 100, color=colour)
    for rung in cfg.ladder:
        middle.axhline(-rung.drawdown * 100, color="tab:orange", linestyle=":", linewidth=0.8)
    middle.set_ylabel("drawdown (%)")
    bottom.step(daily.index, daily["ladder_ratio"] * 100, where="post", label="ladder ratio (%)",
                color="tab:orange")
    bottom.step(daily.index, daily["hedged_share"] * 100, where="post", label="hedged share (%)",
                color="tab:blue")
    bottom.plot(daily.index, daily["annual_basis"] * 100, label="basis held (%/yr)",
                color="tab:red")
    bottom.axhline(0, color="black", linewidth=0.5)
    bottom.legend(loc="best")
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=110)
    return path

"""The last hedge decision in words: futures or puts, what each would cost
(`risk.state_doc.HedgeCosts`, written by the daemon at each hedge decision)."""

from __future__ import annotations

from risk.state_doc import HedgeCosts
from services.console.figures import cny, percent


def decision_lines(costs: HedgeCosts | None) -> list[str]:
    if costs is None:
        return []
    lines = [f"Decided {costs.at:%Y-%m-%d %H:%M}: configured {costs.instrument}, "
             f"{percent(costs.put_share)} of the protection as puts ({costs.why})."]
    if costs.futures_symbol is not None:
        lines.append(f"Futures: {costs.futures_lots} lots {costs.futures_symbol}, cost to "
                     f"expiry {cny(costs.futures_cost_to_expiry)}, per 30 days "
                     f"{cny(costs.futures_cost_30d)}, margin {cny(costs.futures_margin)}.")
    if costs.put_symbol is not None:
        lines.append(f"Puts: {costs.put_lots} lots {costs.put_symbol}, premium "
                     f"{cny(costs.put_premium)}, cost to expiry {cny(costs.put_cost_to_expiry)}, "
                     f"per 30 days {cny(costs.put_cost_30d)}.")
    return lines

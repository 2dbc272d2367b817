"""What the ladder's un-hedge rules are waiting for, condition by condition.

The ladder steps down one rung at a daily close when every condition of one
`unhedge` rule holds (`risk.unhedge.stabilised`); the counts come from the evidence the
daemon keeps since the last change (`risk.unhedge.Evidence`). This module only
describes them for the trader; it decides nothing.
"""

from __future__ import annotations

from dataclasses import dataclass

from risk.config import UnhedgeRule
from risk.unhedge import NO_LOW, Evidence
from services.console.figures import level, percent


@dataclass(frozen=True)
class Condition:
    text: str
    met: bool | None  # None: decided only at the close, from closes the screen lacks


def rule_conditions(rule: UnhedgeRule, evidence: Evidence, drawdown: float,
                    index_now: float | None) -> list[Condition]:
    found = []
    if rule.index_above_ma_days is not None:
        found.append(Condition(f"CSI 1000 close above its {rule.index_above_ma_days}-day "
                               "mean (checked at the close)", None))
    if rule.index_rebound is not None:
        found.append(_rebound(rule.index_rebound, evidence, index_now))
    if rule.index_days_without_new_low is not None:
        found.append(_count("CSI 1000 closes without a new low",
                            evidence.index_closes_since_low, rule.index_days_without_new_low))
    if rule.recovered_points is not None:
        recovered = evidence.trough - drawdown
        found.append(Condition(f"drawdown {percent(recovered)} better than its worst "
                               f"{percent(evidence.trough)} (needs "
                               f"{percent(rule.recovered_points)})",
                               recovered >= rule.recovered_points))
    if rule.days_without_new_low is not None:
        found.append(_count("closes without a new NAV low", evidence.nav_closes_since_low,
                            rule.days_without_new_low))
    return found


def _rebound(needed: float, evidence: Evidence, index_now: float | None) -> Condition:
    if evidence.index_low == NO_LOW:
        return Condition(f"CSI 1000 up {percent(needed)} from its lowest close since the "
                         "change (no close counted yet)", False)
    if index_now is None:
        return Condition(f"CSI 1000 up {percent(needed)} from its low "
                         f"{level(evidence.index_low)} (no CSI 1000 price now)", False)
    rebound = index_now / evidence.index_low - 1
    return Condition(f"CSI 1000 up {percent(rebound)} from its low {level(evidence.index_low)} "
                     f"(needs {percent(needed)})", rebound >= needed)


def _count(what: str, seen: int, needed: int) -> Condition:
    return Condition(f"{seen} of {needed} {what}", seen >= needed)
